import { useEffect } from 'react';
import { WORKSPACE_CHANGE_REASONS, type WorkspaceChangeReason } from '../../../core/contract/index';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { heldJobEvents } from '../store/job-events';
import { ErrorBanner } from './ErrorBanner';
import { Welcome } from './Welcome';
import { WorkspaceView } from './WorkspaceView';

/** Reasons of workspace.changed that mean its content changed ('opened' and 'closed' are the session's own). */
const CONTENT_CHANGED: ReadonlySet<WorkspaceChangeReason> = new Set(WORKSPACE_CHANGE_REASONS.filter((reason) => reason !== 'opened' && reason !== 'closed'));

/** The page's error banner, while no modal dialog covers the page (a dialog shows its own). */
function PageErrorBanner() {
  const covered = useApp((s) => s.openDialogs > 0);
  return covered ? null : <ErrorBanner />;
}

export function App() {
  const workspace = useApp((s) => s.workspace);
  const start = useApp((s) => s.start);
  const refreshWorkspace = useApp((s) => s.refreshWorkspace);

  useEffect(() => {
    void start();
  }, [start]);

  // The main process says when the workspace changed (an import, a scan, a rule, a clone or reclaim, an apply run):
  // redraw from it. This is the one reload after a write; slices do not reload by hand what it reloads.
  useEffect(() => client.on('workspace.changed', ({ reason }) => void (CONTENT_CHANGED.has(reason) && refreshWorkspace())), [refreshWorkspace]);
  useEffect(() => {
    // Jobs outlive the view that started them: their progress is followed whichever view is shown.
    const { onScanEvent, onJobEvent, onHypervisorJobEvent, onCredentialRequest } = useApp.getState();
    const unsubscribe = [
      client.on('scan.progress', onScanEvent),
      // A job's events go to the slice following it, else wait for the slice about to (its start call has not answered).
      client.on('job.progress', (event) => void (onJobEvent(event) || onHypervisorJobEvent(event) || heldJobEvents.hold(event))),
      client.on('credential.request', onCredentialRequest),
    ];
    return () => unsubscribe.forEach((off) => off());
  }, []);

  return (
    <div className="app">
      <PageErrorBanner />
      {workspace ? <WorkspaceView /> : <Welcome />}
    </div>
  );
}
