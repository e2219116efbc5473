import { useEffect } from 'react';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { ErrorBanner } from './ErrorBanner';
import { Welcome } from './Welcome';
import { WorkspaceView } from './WorkspaceView';

export function App() {
  const workspace = useApp((s) => s.workspace);
  const start = useApp((s) => s.start);
  const loadServices = useApp((s) => s.loadServices);

  useEffect(() => {
    void start();
  }, [start]);

  useEffect(() => client.on('workspace.changed', ({ reason }) => reason === 'updated' && void loadServices()), [loadServices]);

  return (
    <div className="app">
      <ErrorBanner />
      {workspace ? <WorkspaceView /> : <Welcome />}
    </div>
  );
}
