import { useState, type FormEvent } from 'react';
import { useApp } from '../store/index';
import type { ScanHostState } from '../store/scan';
import { Dialog } from './Dialog';

const PHASE_TEXT: Record<ScanHostState['phase'], string> = {
  queued: 'waiting',
  connecting: 'connecting…',
  collecting: 'collecting facts…',
  parsing: 'reading the facts…',
  saved: 'saved',
  failed: 'failed',
};

function HostLine({ host }: { host: ScanHostState }) {
  const environment = useApp((s) => s.environment);
  const { trustAndRescan, replaceKeyAndRescan } = useApp.getState();
  const record = environment?.hosts.find((h) => h.id === host.id);
  return (
    <li className={`scan-host phase-${host.phase}`} aria-label={`${host.name}: ${PHASE_TEXT[host.phase]}`}>
      <div className="scan-host-head">
        <span className="mono">{host.name}</span>
        <span className={`scan-phase ${host.phase === 'failed' ? 'sev-high sev' : host.phase === 'saved' ? 'ok-text' : 'muted'}`}>{host.failure ? `failed: ${host.failure.kind}` : PHASE_TEXT[host.phase]}</span>
      </div>
      {host.partial && <p className="note">Some facts are missing: {host.partial.remedy}</p>}
      {host.failure && (
        <div className="scan-failure">
          <p>{host.failure.message}</p>
          <p className="muted">{host.failure.remedy}</p>
          {host.failure.fingerprint && (
            <p>
              Key presented: <code>{host.failure.fingerprint}</code>
            </p>
          )}
          {host.failure.kind === 'host-key-unknown' && (
            <button type="button" onClick={() => void trustAndRescan(host.id)}>
              I compared the fingerprint: trust this key and scan again
            </button>
          )}
          {host.failure.kind === 'host-key-changed' && record && (
            <button type="button" className="danger" onClick={() => void replaceKeyAndRescan(host.id, record.address, record.port)}>
              I verified the key change: replace the trusted key
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** Progress of the current scan, host by host, with what to do about each failure. */
export function ScanPanel() {
  const open = useApp((s) => s.scanOpen);
  const job = useApp((s) => s.scanJob);
  const hosts = useApp((s) => s.scanHosts);
  const { cancelScan, closeScan } = useApp.getState();
  if (!open || !job) return null;
  const running = job.state === 'running';
  return (
    <section className="scan-panel" aria-label="Scan progress">
      <header>
        <strong>{job.title}</strong>
        <progress value={job.done} max={Math.max(1, job.total)} aria-label="Hosts done" />
        <span className="muted">
          {job.done} of {job.total} · {running ? 'running' : job.state} {running ? '' : `· ${job.message}`}
        </span>
        {running ? (
          <button type="button" onClick={() => void cancelScan()}>
            Cancel scan
          </button>
        ) : (
          <button type="button" onClick={closeScan}>
            Close
          </button>
        )}
      </header>
      <ul className="scan-hosts">
        {hosts.map((host) => (
          <HostLine key={host.id} host={host} />
        ))}
      </ul>
    </section>
  );
}

/** A key passphrase or password a scan needs: used once, never stored. */
export function CredentialDialog() {
  const request = useApp((s) => s.credentialRequests[0]);
  const answer = useApp((s) => s.answerCredential);
  const [secret, setSecret] = useState('');
  if (!request) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void answer(request.requestId, secret);
    setSecret('');
  };
  const what = request.kind === 'passphrase' ? `the passphrase of ${request.subject}` : `the password of ${request.subject}`;
  return (
    <Dialog title={request.kind === 'passphrase' ? 'Key passphrase' : 'SSH password'} onClose={() => void answer(request.requestId, null)}>
      <form className="form-grid" onSubmit={submit}>
        <p>
          The scan needs {what}.{request.retry ? ' The last one did not work.' : ''} It is used for this scan only and never stored.
        </p>
        <label>
          {request.kind === 'passphrase' ? 'Passphrase' : 'Password'}
          <input type="password" value={secret} onChange={(e) => setSecret(e.target.value)} autoFocus autoComplete="off" />
        </label>
        <div className="row">
          <button type="submit" className="primary">
            Continue
          </button>
          <button type="button" onClick={() => void answer(request.requestId, null)}>
            Skip this host
          </button>
        </div>
      </form>
    </Dialog>
  );
}
