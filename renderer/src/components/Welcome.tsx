import { useState, type FormEvent } from 'react';
import { client } from '../api/client';
import { useApp } from '../store/index';

export function Welcome() {
  const shell = useApp((s) => s.shell);
  const recent = useApp((s) => s.recent);
  const busy = useApp((s) => s.busy);
  const { createWorkspace, openWorkspace, openDemo } = useApp.getState();
  const [newPath, setNewPath] = useState('');
  const [newName, setNewName] = useState('');
  const [openPath, setOpenPath] = useState('');

  const chooseNative = async (mode: 'open' | 'create') => {
    const { path } = await client.call('dialog.chooseWorkspace', { mode });
    if (!path) return;
    if (mode === 'open') await openWorkspace(path);
    else await createWorkspace(path, path.split(/[\\/]/).pop()!.replace(/\.stagecraft$/, ''));
  };
  const submitCreate = (e: FormEvent) => {
    e.preventDefault();
    void createWorkspace(newPath, newName || newPath.split(/[\\/]/).pop()!.replace(/\.stagecraft$/, ''));
  };
  const submitOpen = (e: FormEvent) => {
    e.preventDefault();
    void openWorkspace(openPath);
  };

  return (
    <main className="welcome">
      <header>
        <img src="./icon.svg" alt="" width={48} height={48} />
        <div>
          <h1>Stagecraft</h1>
          <p>Keep every stage honest: inventory, drift against production, and promotions a change board can approve.</p>
        </div>
      </header>
      {busy && <p className="busy" role="status">{busy}…</p>}
      <div className="welcome-grid">
        <section aria-labelledby="start-heading">
          <h2 id="start-heading">Start</h2>
          <button type="button" className="primary" onClick={() => void openDemo()} disabled={busy !== null}>
            Open the demo workspace
          </button>
          <p className="muted">Four services across five stages, captured from real Debian hosts, with some drift planted for you to find.</p>
          {shell?.nativeDialogs ? (
            <div className="row">
              <button type="button" onClick={() => void chooseNative('create')}>New workspace…</button>
              <button type="button" onClick={() => void chooseNative('open')}>Open workspace…</button>
            </div>
          ) : (
            <>
              <form onSubmit={submitCreate} aria-label="Create a workspace">
                <h3>New workspace</h3>
                <label>
                  File
                  <input value={newPath} onChange={(e) => setNewPath(e.target.value)} placeholder={`${shell?.defaultWorkspaceDir ?? '~/Stagecraft'}/team.stagecraft`} required />
                </label>
                <label>
                  Name
                  <input value={newName} onChange={(e) => setNewName(e.target.value)} placeholder="Platform team" />
                </label>
                <button type="submit">Create</button>
              </form>
              <form onSubmit={submitOpen} aria-label="Open a workspace">
                <h3>Open workspace</h3>
                <label>
                  File
                  <input value={openPath} onChange={(e) => setOpenPath(e.target.value)} placeholder="/path/to/team.stagecraft" required />
                </label>
                <button type="submit">Open</button>
              </form>
            </>
          )}
        </section>
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recent</h2>
          {recent.length === 0 ? (
            <p className="muted">Workspaces you open appear here.</p>
          ) : (
            <ul className="recent">
              {recent.map((entry) => (
                <li key={entry.path}>
                  <button type="button" onClick={() => void openWorkspace(entry.path)} disabled={!entry.exists} title={entry.exists ? entry.path : `${entry.path} no longer exists`}>
                    <span className="name">{entry.name}</span>
                    <span className="path">{entry.path}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {shell && (
        <footer className="muted">
          Stagecraft {shell.version} · {shell.shell === 'electron' ? 'desktop' : 'browser shell'}
        </footer>
      )}
    </main>
  );
}
