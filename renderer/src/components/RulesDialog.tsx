import { useEffect, useState } from 'react';
import { client } from '../api/client';
import type { CallOutput } from '../../../core/contract/index';
import { useApp, useSelectedService } from '../store/index';
import { attempt } from '../store/task';
import { Dialog } from './Dialog';

type SeverityRule = CallOutput<'severity.get'>['rules'][number];
type IgnoreRule = CallOutput<'ignore.list'>[number];
type WatchList = CallOutput<'roles.watch'>[number];
const CATEGORIES = ['os', 'packages', 'services', 'ports', 'sysctl', 'users', 'groups', 'mounts', 'cron', 'files'] as const;

/** Runs a call; a failure goes to the app's error banner. */
/** Calls from this dialog report failures to the app's banner. */
const orBanner = <T,>(work: () => Promise<T>) => attempt((partial) => useApp.setState(partial), work);

function SeverityRules() {
  const [rules, setRules] = useState<SeverityRule[]>([]);
  const [isDefault, setIsDefault] = useState(true);
  const [dirty, setDirty] = useState(false);
  const load = async () => {
    const result = await orBanner(() => client.call('severity.get', {}));
    if (result) {
      setRules(result.rules);
      setIsDefault(result.isDefault);
      setDirty(false);
    }
  };
  useEffect(() => void load(), []);
  const update = (index: number, patch: Partial<SeverityRule>) => {
    setRules(rules.map((r, i) => (i === index ? { ...r, ...patch } : r)));
    setDirty(true);
  };
  const move = (index: number, by: number) => {
    const next = [...rules];
    const [rule] = next.splice(index, 1);
    next.splice(index + by, 0, rule!);
    setRules(next);
    setDirty(true);
  };
  const save = async (next: SeverityRule[] | null) => {
    const result = await orBanner(() => client.call('severity.set', { rules: next }));
    if (result) {
      setRules(result.rules);
      setIsDefault(result.isDefault);
      setDirty(false);
    }
  };
  return (
    <section aria-label="Severity rules">
      <h3>Severity rules</h3>
      <p className="muted">The first rule whose category and key glob match decides how much a drift matters. {isDefault ? 'These are the defaults.' : 'This workspace has its own rules.'}</p>
      <table className="rules-table">
        <thead>
          <tr>
            <th>Category</th>
            <th>Key glob</th>
            <th>Severity</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.map((rule, i) => (
            <tr key={i}>
              <td>
                <select value={rule.category ?? ''} onChange={(e) => update(i, { category: (e.target.value || undefined) as SeverityRule['category'] })} aria-label={`Category of rule ${i + 1}`}>
                  <option value="">any</option>
                  {CATEGORIES.map((c) => (
                    <option key={c}>{c}</option>
                  ))}
                </select>
              </td>
              <td>
                <input className="mono" value={rule.match} onChange={(e) => update(i, { match: e.target.value })} aria-label={`Key glob of rule ${i + 1}`} />
              </td>
              <td>
                <select value={rule.severity} onChange={(e) => update(i, { severity: e.target.value as SeverityRule['severity'] })} aria-label={`Severity of rule ${i + 1}`}>
                  <option>high</option>
                  <option>medium</option>
                  <option>low</option>
                </select>
              </td>
              <td className="row">
                <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move rule ${i + 1} up`}>
                  ↑
                </button>
                <button type="button" onClick={() => (setRules(rules.filter((_, j) => j !== i)), setDirty(true))} aria-label={`Remove rule ${i + 1}`}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={() => (setRules([...rules, { match: '**', severity: 'medium' }]), setDirty(true))}>
          Add rule
        </button>
        <button type="button" className="primary" disabled={!dirty} onClick={() => void save(rules)}>
          Save rules
        </button>
        <button type="button" disabled={isDefault && !dirty} onClick={() => void save(null)}>
          Restore defaults
        </button>
      </div>
    </section>
  );
}

function IgnoreRules() {
  const [rules, setRules] = useState<IgnoreRule[] | null>(null);
  useEffect(() => void orBanner(() => client.call('ignore.list', {})).then((r) => r && setRules(r)), []);
  const remove = async (id: number) => {
    if (await orBanner(() => client.call('ignore.remove', { id }))) setRules((list) => list?.filter((r) => r.id !== id) ?? null);
  };
  return (
    <section aria-label="Ignore rules">
      <h3>Ignore rules</h3>
      {rules?.length === 0 && <p className="muted">Nothing is ignored. Use “Ignore…” on a drift line to add a rule.</p>}
      <ul className="rule-list">
        {rules?.map((rule) => (
          <li key={rule.id}>
            <span className="mono">
              {rule.category ?? 'any'}:{rule.key}
            </span>{' '}
            <span className="muted">
              in {rule.scope.service ?? 'every service'}
              {rule.scope.role ? ` / ${rule.scope.role}` : ''} — {rule.reason ?? 'no reason given'} ({rule.createdBy}, {new Date(rule.createdAt).toLocaleDateString()})
            </span>{' '}
            <button type="button" onClick={() => void remove(rule.id)} aria-label={`Stop ignoring ${rule.key}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function WatchedFiles() {
  const service = useSelectedService();
  const [lists, setLists] = useState<WatchList[]>([]);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  useEffect(() => {
    if (service) void orBanner(() => client.call('roles.watch', { serviceId: service.id })).then((r) => r && (setLists(r), setDrafts({})));
  }, [service]);
  if (!service) return null;
  const save = async (role: string, text: string) => {
    const globs = text.split('\n').map((l) => l.trim()).filter(Boolean);
    const saved = await orBanner(() => client.call('roles.setWatch', { serviceId: service.id, role, globs }));
    if (saved) {
      setLists(lists.map((l) => (l.role === role ? saved : l)));
      setDrafts(({ [role]: _, ...rest }) => rest);
    }
  };
  return (
    <section aria-label="Watched files">
      <h3>Watched files of {service.name}</h3>
      <p className="muted">One path glob per line (* within a folder, ** across folders). Scans read these files; an empty list restores the defaults.</p>
      <div className="watch-grid">
        {lists.map((list) => (
          <label key={list.role}>
            {list.role} {list.isDefault && <span className="muted">(defaults)</span>}
            <textarea className="mono" rows={8} value={drafts[list.role] ?? list.globs.join('\n')} onChange={(e) => setDrafts({ ...drafts, [list.role]: e.target.value })} />
            <button type="button" disabled={drafts[list.role] === undefined} onClick={() => void save(list.role, drafts[list.role] ?? '')}>
              Save {list.role}
            </button>
          </label>
        ))}
      </div>
    </section>
  );
}

export function RulesDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Drift rules" onClose={onClose} wide>
      <div className="rules-dialog">
        <SeverityRules />
        <IgnoreRules />
        <WatchedFiles />
      </div>
    </Dialog>
  );
}
