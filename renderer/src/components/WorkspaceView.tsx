import { useEffect, useState } from 'react';
import { useApp } from '../store/index';
import { FileDiffDialog } from './FileDiffDialog';
import { Inspector } from './Inspector';
import { RulesDialog } from './RulesDialog';
import { CredentialDialog, ScanPanel } from './ScanPanel';
import { LifecycleCanvas } from './LifecycleCanvas';
import { OverviewCanvas } from './OverviewCanvas';
import { Sidebar } from './Sidebar';

export function WorkspaceView() {
  const workspace = useApp((s) => s.workspace)!;
  const view = useApp((s) => s.view);
  const setView = useApp((s) => s.setView);
  const closeWorkspace = useApp((s) => s.closeWorkspace);
  const [rulesOpen, setRulesOpen] = useState(false);

  // Keyboard: Ctrl/Cmd+1 lifecycle, Ctrl/Cmd+2 overview.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey)) return;
      if (e.key === '1') setView('lifecycle');
      else if (e.key === '2') setView('overview');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setView]);

  return (
    <div className="workspace">
      <header className="topbar">
        <div className="title">
          <strong>{workspace.name}</strong>
          <span className="muted" title={workspace.path}>
            {workspace.counts.services} services · {workspace.counts.hosts} hosts · {workspace.counts.snapshots} snapshots
          </span>
        </div>
        <nav className="tabs" aria-label="Views">
          <button type="button" aria-pressed={view === 'lifecycle'} onClick={() => setView('lifecycle')} title="Ctrl+1">
            Lifecycle
          </button>
          <button type="button" aria-pressed={view === 'overview'} onClick={() => setView('overview')} title="Ctrl+2">
            All services
          </button>
        </nav>
        <button type="button" onClick={() => setRulesOpen(true)}>
          Drift rules…
        </button>
        <button type="button" onClick={() => void closeWorkspace()}>
          Close workspace
        </button>
      </header>
      <Sidebar />
      <main className="canvas" aria-label={view === 'lifecycle' ? 'Lifecycle canvas' : 'Overview of all services'}>
        {view === 'lifecycle' ? <LifecycleCanvas /> : <OverviewCanvas />}
      </main>
      <Inspector />
      <FileDiffDialog />
      <ScanPanel />
      <CredentialDialog />
      {rulesOpen && <RulesDialog onClose={() => setRulesOpen(false)} />}
    </div>
  );
}
