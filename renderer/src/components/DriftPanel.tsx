import { useMemo, useState } from 'react';
import { severityCounts } from '../../../core/domain/parity';
import { client } from '../api/client';
import { useApp } from '../store/index';
import type { DriftItem, Severity, StageDriftDetail } from '../store/types';
import { ReportButton } from './ExportDialog';
import { ParityBadge } from './Parity';
import { ParityTrend } from './ParityTrend';

const CATEGORY_TITLE: Record<DriftItem['category'], string> = {
  os: 'Operating system',
  packages: 'Packages',
  services: 'Services',
  ports: 'Listening ports',
  sysctl: 'Kernel parameters (sysctl)',
  users: 'Users',
  groups: 'Groups',
  mounts: 'Mounts',
  cron: 'Cron jobs',
  files: 'Watched files',
};
const SEVERITIES: Severity[] = ['high', 'medium', 'low'];

/** A package key is manager:name:arch; people read the name. */
const displayKey = (item: DriftItem) => (item.category === 'packages' ? item.key.split(':')[1] ?? item.key : item.key);

function itemsOf(detail: StageDriftDetail, comparison: 'production' | 'image' | 'consistency'): DriftItem[] {
  if (comparison === 'production') return detail.production.items;
  if (comparison === 'image') return detail.image?.items ?? [];
  return detail.consistency.flatMap((c) => c.report.items.map((item) => ({ ...item, role: item.role ?? c.role })));
}

function IgnoreButton({ item }: { item: DriftItem }) {
  const ignore = useApp((s) => s.ignore);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!open) {
    return (
      <button type="button" className="link" onClick={() => setOpen(true)} aria-label={`Ignore ${item.category} ${displayKey(item)}`}>
        Ignore…
      </button>
    );
  }
  return (
    <form
      className="ignore-form"
      onSubmit={(e) => {
        e.preventDefault();
        void ignore({ category: item.category, key: item.key, ...(item.role ? { role: item.role } : {}), reason: reason || 'accepted difference' }).then(() => setOpen(false));
      }}
    >
      <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why is this not drift?" aria-label="Reason for ignoring" autoFocus />
      <button type="submit">Ignore for {item.role ? `role ${item.role}` : 'the service'}</button>
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </form>
  );
}

function DriftRow({ item }: { item: DriftItem }) {
  const openFileDiff = useApp((s) => s.openFileDiff);
  const comparison = useApp((s) => s.comparison);
  const canDiff = item.category === 'files' && comparison !== 'consistency';
  const hosts = item.hosts.length > 3 ? `${item.hosts.slice(0, 3).join(', ')} +${item.hosts.length - 3}` : item.hosts.join(', ');
  return (
    <tr className={`sev-row-${item.severity}`}>
      <td>
        <span className={`sev sev-${item.severity}`}>{item.severity}</span>
      </td>
      <td className="key" title={`${item.category}:${item.key}`}>
        {canDiff ? (
          <button type="button" className="link mono" onClick={() => void openFileDiff(item.key, item.hosts[0]!)} aria-label={`Show the diff of ${item.key} on ${item.hosts[0]}`}>
            {displayKey(item)}
          </button>
        ) : (
          <span className="mono">{displayKey(item)}</span>
        )}
        <div className="muted hosts-line" title={item.hosts.join(', ')}>
          {item.role && `${item.role}: `}
          {hosts}
        </div>
      </td>
      <td className="mono">{item.kind === 'extra' ? <em>not expected</em> : item.expected}</td>
      <td className="mono">{item.kind === 'missing' ? <em>missing</em> : item.actual}</td>
      <td>
        <IgnoreButton item={item} />
      </td>
    </tr>
  );
}

function SuggestedIgnores({ stageId }: { stageId: number }) {
  const [suggestions, setSuggestions] = useState<Awaited<ReturnType<typeof client.call<'ignore.suggest'>>> | null>(null);
  const addIgnoreRule = useApp((s) => s.addIgnoreRule);
  const add = async ({ hosts: _hosts, ...rule }: NonNullable<typeof suggestions>[number]) => {
    if (await addIgnoreRule(rule)) setSuggestions((list) => list?.filter((r) => r.key !== rule.key || r.scope.role !== rule.scope.role) ?? null);
  };
  if (!suggestions) {
    return (
      <button type="button" onClick={() => void client.call('ignore.suggest', { stageId }).then(setSuggestions)}>
        Suggest ignore rules
      </button>
    );
  }
  if (suggestions.length === 0) return <p className="muted">No fact differs on every host of a role here: nothing to suggest.</p>;
  return (
    <ul className="suggestions" aria-label="Suggested ignore rules">
      {suggestions.map((rule) => (
        <li key={`${rule.scope.role}-${rule.category}-${rule.key}`}>
          <span className="mono">
            {rule.category}:{rule.key}
          </span>{' '}
          <span className="muted">({rule.reason})</span> <button type="button" onClick={() => void add(rule)}>Ignore in {rule.scope.role}</button>
        </li>
      ))}
    </ul>
  );
}

export function DriftPanel() {
  const detail = useApp((s) => s.stageDetail);
  const environment = useApp((s) => s.environment);
  const trend = useApp((s) => s.trend);
  const comparison = useApp((s) => s.comparison);
  const severityFilter = useApp((s) => s.severityFilter);
  const hostFilter = useApp((s) => s.hostFilter);
  const { setComparison, toggleSeverity, setHostFilter, acceptDrift } = useApp.getState();

  const all = useMemo(() => (detail ? itemsOf(detail, comparison) : []), [detail, comparison]);
  const shown = all.filter((item) => severityFilter.includes(item.severity) && (hostFilter === null || item.hosts.includes(hostFilter)));
  const byCategory = groupByCategory(shown);

  if (!detail || !environment) return <p className="muted">Loading drift…</p>;
  const report = comparison === 'production' ? detail.production : comparison === 'image' ? detail.image : null;
  return (
    <section className="drift-panel" aria-label="Drift">
      <div className="segmented" role="group" aria-label="Compare with">
        <button type="button" aria-pressed={comparison === 'production'} onClick={() => setComparison('production')}>
          Production
        </button>
        <button type="button" aria-pressed={comparison === 'image'} onClick={() => setComparison('image')} disabled={!detail.image}>
          {detail.image ? `Image ${detail.image.label}` : 'No image'}
        </button>
        <button type="button" aria-pressed={comparison === 'consistency'} onClick={() => setComparison('consistency')}>
          Between peers
        </button>
      </div>
      <ReportButton selection={{ kind: 'drift', serviceId: environment.serviceId }} />
      {report && (
        <p className="parity-line">
          <ParityBadge summary={{ ...report, severity: severityCounts(report.items) }} /> {report.matching} of {report.compared} facts match
        </p>
      )}
      {comparison === 'production' && (
        <>
          {detail.production.unpairedRoles.length > 0 && (
            <p className="note">
              Not compared: {detail.production.unpairedRoles.map((r) => `${r.role} (hosts only in ${r.onlyIn})`).join(', ')}.
            </p>
          )}
          <ParityTrend points={trend} />
        </>
      )}
      {comparison === 'image' && detail.image && all.length > 0 && (
        <button type="button" onClick={() => void acceptDrift(environment.stageId)}>
          Accept this drift into a new image
        </button>
      )}
      <div className="filters">
        <span role="group" aria-label="Severity filter">
          {SEVERITIES.map((severity) => (
            <label key={severity} className={`sev-toggle sev-${severity}`}>
              <input type="checkbox" checked={severityFilter.includes(severity)} onChange={() => toggleSeverity(severity)} /> {all.filter((i) => i.severity === severity).length} {severity}
            </label>
          ))}
        </span>
        <select value={hostFilter ?? ''} onChange={(e) => setHostFilter(e.target.value || null)} aria-label="Host filter">
          <option value="">All hosts</option>
          {environment.hosts.map((h) => (
            <option key={h.id} value={h.name}>
              {h.name}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <p className="no-drift">{all.length === 0 ? 'No drift: every compared fact matches.' : 'No drift matches the filters.'}</p>
      ) : (
        byCategory.map(([category, items]) => (
          <details key={category} open className="drift-group">
            <summary>
              {CATEGORY_TITLE[category]} <span className="muted">({items.length})</span>
            </summary>
            <table className="drift-table" aria-label={CATEGORY_TITLE[category]}>
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>{category === 'packages' ? 'Package' : category === 'files' ? 'Path' : 'Fact'}</th>
                  <th>Expected</th>
                  <th>Found</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {items.map((item) => (
                  <DriftRow key={`${item.role}-${item.kind}-${item.key}-${item.actual}`} item={item} />
                ))}
              </tbody>
            </table>
          </details>
        ))
      )}
      <SuggestedIgnores key={environment.stageId} stageId={environment.stageId} />
    </section>
  );
}

function groupByCategory(items: readonly DriftItem[]): [DriftItem['category'], DriftItem[]][] {
  const groups = new Map<DriftItem['category'], DriftItem[]>();
  for (const item of items) groups.set(item.category, [...(groups.get(item.category) ?? []), item]);
  return [...groups];
}
