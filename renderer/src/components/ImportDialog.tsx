import { useState, type FormEvent } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { IMPORT_FORMATS } from '../../../core/contract/imports';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { asWireError } from '../store/task';
import { Dialog } from './Dialog';

type Summary = CallOutput<'import.preview'>;

/** Import an inventory, fact cache, CSV, ssh config or snapshot: preview first, then all or nothing. */
export function ImportDialog({ onClose }: { onClose: () => void }) {
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<'' | (typeof IMPORT_FORMATS)[number]>('');
  const [preview, setPreview] = useState<Summary | null>(null);
  const [done, setDone] = useState<Summary | null>(null);
  const request = () => ({ path, ...(format && { format }) });
  const run = async (apply: boolean) => {
    try {
      const summary = await client.call(apply ? 'import.apply' : 'import.preview', request());
      if (apply) setDone(summary);
      else setPreview(summary);
    } catch (error) {
      useApp.setState({ error: asWireError(error) });
    }
  };
  const c = (done ?? preview)?.counts;
  return (
    <Dialog title="Import hosts" onClose={onClose}>
      <form
        className="form-grid"
        aria-label="Import a file"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void run(false);
        }}
      >
        <label>
          File (Ansible inventory INI or YAML, fact cache folder, hosts CSV, ~/.ssh/config, snapshot JSON)
          <input value={path} onChange={(e) => (setPath(e.target.value), setPreview(null), setDone(null))} placeholder="/path/to/inventory.ini" required />
        </label>
        <label>
          Format
          <select value={format} onChange={(e) => (setFormat(e.target.value as typeof format), setPreview(null))}>
            <option value="">guess from the file</option>
            {IMPORT_FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <button type="submit">Preview</button>
      </form>
      {preview && c && (
        <section aria-label="Import preview" className="import-preview">
          <p>
            {done ? 'Imported' : 'Would import'}: {c.servicesCreated} services, {c.hostsCreated} new hosts, {c.hostsUpdated} updated, {c.placementsCreated} placements, {c.snapshotsCreated} snapshots.
          </p>
          {preview.problems.length > 0 && (
            <ul className="rules">
              {preview.problems.map((p, i) => (
                <li key={i} className={p.severity === 'error' ? 'rule-failed' : 'rule-warning'}>
                  {p.message}
                  {p.hint && <span className="muted"> {p.hint}</span>}
                </li>
              ))}
            </ul>
          )}
          {preview.placements.length > 0 && (
            <details>
              <summary>{preview.placements.length} placements</summary>
              <ul className="rule-list">
                {preview.placements.map((p) => (
                  <li key={`${p.host}-${p.service}-${p.stage}-${p.role}`}>
                    <span className="mono">{p.host}</span> → {p.service} · {p.stage} · {p.role}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {!done && (
            <button type="button" className="primary" disabled={!preview.canApply} onClick={() => void run(true)}>
              Import
            </button>
          )}
        </section>
      )}
    </Dialog>
  );
}
