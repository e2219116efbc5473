import { useEffect, useState } from 'react';
import { useApp } from '../store/index';
import { AssetsPanel } from './AssetsPanel';
import { ChangesPanel } from './ChangesPanel';
import { ExportDialog } from './ExportDialog';
import { FileDiffDialog } from './FileDiffDialog';
import { HypervisorsPanel } from './HypervisorsPanel';
import { ImportDialog } from './ImportDialog';
import { Inspector } from './Inspector';
import { RulesDialog } from './RulesDialog';
import { SearchBox } from './SearchBox';
import { CredentialDialog, ScanPanel } from './ScanPanel';
import { DragLayer } from './DragLayer';
import { PromoteMenu, PromotionDialog, RefusalDialog } from './PromotionDialog';
import { LifecycleCanvas } from './LifecycleCanvas';
import { OverviewCanvas } from './OverviewCanvas';
import { Sidebar } from './Sidebar';

export function WorkspaceView() {
  const workspace = useApp((s) => s.workspace)!;
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const closeWorkspace = useApp((s) => s.closeWorkspace);
  const [rulesOpen, setRulesOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  const promoteOpen = useApp((s) => s.promoteMenuOpen);
  const setPromoteOpen = useApp((s) => s.setPromoteMenuOpen);
  const loadAssets = useApp((s) => s.loadAssets);
  // Leases show on the canvas too: reload them whenever the workspace changes.
  useEffect(() => void loadAssets(), [workspace, loadAssets]);

  // Keyboard: Ctrl/Cmd+1 lifecycle, Ctrl/Cmd+2 overview, Ctrl/Cmd+3 hypervisors, Ctrl/Cmd+4 assets, Ctrl/Cmd+5 changes, P promotes the selected stage's image.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, dialog');
      if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && e.key === 'p' && useApp.getState().selectedStageId !== null) {
        e.preventDefault();
        setPromoteOpen(true);
        return;
      }
      if (!(e.ctrlKey || e.metaKey)) return;
      if (e.key.toLowerCase() === 'z' && !typing) {
        e.preventDefault();
        void (e.shiftKey ? useApp.getState().redo() : useApp.getState().undo());
        return;
      }
      if (e.key === '1') setView('lifecycle');
      else if (e.key === '2') setView('overview');
      else if (e.key === '3') setView('hypervisors');
      else if (e.key === '4') setView('assets');
      else if (e.key === '5') setView('changes');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView, setPromoteOpen]);

  return (
    <div className="workspace">
      <header className="topbar">
        <div className="title">
          <strong>{workspace.name}</strong>
          <span className="muted" title={workspace.path}>
            {workspace.counts.services} services · {workspace.counts.hosts} hosts · {workspace.counts.snapshots} snapshots
          </span>
        </div>
        <SearchBox />
        <nav className="tabs" aria-label="Views">
          <button type="button" aria-pressed={view === 'lifecycle'} onClick={() => setView('lifecycle')} title="Ctrl+1">
            Lifecycle
          </button>
          <button type="button" aria-pressed={view === 'overview'} onClick={() => setView('overview')} title="Ctrl+2">
            All services
          </button>
          <button type="button" aria-pressed={view === 'hypervisors'} onClick={() => setView('hypervisors')} title="Ctrl+3">
            Hypervisors
          </button>
          <button type="button" aria-pressed={view === 'assets'} onClick={() => setView('assets')} title="Ctrl+4">
            Assets
          </button>
          <button type="button" aria-pressed={view === 'changes'} onClick={() => setView('changes')} title="Ctrl+5">
            Changes
          </button>
        </nav>
        <button type="button" onClick={() => setImportOpen(true)}>
          Import…
        </button>
        <button type="button" onClick={() => setRulesOpen(true)}>
          Drift rules…
        </button>
        <button type="button" onClick={() => void closeWorkspace()}>
          Close workspace
        </button>
      </header>
      <Sidebar />
      {view === 'hypervisors' ? (
        <HypervisorsPanel />
      ) : view === 'assets' ? (
        <AssetsPanel />
      ) : view === 'changes' ? (
        <ChangesPanel />
      ) : (
        <>
          <main className="canvas" aria-label={view === 'lifecycle' ? 'Lifecycle canvas' : 'Overview of all services'}>
            {view === 'lifecycle' ? <LifecycleCanvas /> : <OverviewCanvas />}
          </main>
          <Inspector />
        </>
      )}
      <FileDiffDialog />
      <ScanPanel />
      <DragLayer />
      <PromotionDialog />
      <RefusalDialog />
      {promoteOpen && <PromoteMenu onClose={() => setPromoteOpen(false)} />}
      <CredentialDialog />
      {rulesOpen && <RulesDialog onClose={() => setRulesOpen(false)} />}
      {importOpen && <ImportDialog onClose={() => setImportOpen(false)} />}
      <ExportDialog />
    </div>
  );
}
