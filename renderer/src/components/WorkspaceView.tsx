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
import { shortcutOf, viewOfKey, VIEWS } from './views';

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

  // Keyboard: Ctrl/Cmd+1…5 the views (VIEWS), Ctrl/Cmd+Z undo, P promotes the selected stage's image.
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
      const view = viewOfKey(e.key);
      if (!view) return;
      setView(view);
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
          {VIEWS.map((v) => (
            <button key={v.view} type="button" aria-pressed={view === v.view} onClick={() => setView(v.view)} title={shortcutOf(v.view)}>
              {v.label}
            </button>
          ))}
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
