import { formatParity } from '../../../core/domain/parity';
import { healthOf } from '../graph/layout';
import type { ServiceDrift } from '../store/types';

type ParitySummary = ServiceDrift['parity'];

const HEALTH_TEXT = { ok: 'in parity', warn: 'drifted', bad: 'high-severity drift', unknown: 'not measured' } as const;

/** Parity as a number and a word, coloured by the worst severity: never colour alone. */
export function ParityBadge({ summary, label }: { summary: ParitySummary | null | undefined; label?: string }) {
  const health = healthOf(summary);
  const text = summary ? formatParity(summary.parity) : '—';
  return (
    <span className={`parity health-${health}`} title={`${label ? `${label}: ` : ''}${HEALTH_TEXT[health]}${summary ? `, ${summary.matching} of ${summary.compared} facts match` : ''}`}>
      <span className="dot" aria-hidden="true" />
      {text}
      <span className="sr-only"> parity, {HEALTH_TEXT[health]}</span>
    </span>
  );
}

/** Drift counts by severity, as words: "2 high · 1 medium". Nothing when there is no drift. */
export function SeverityCounts({ summary }: { summary: ParitySummary | null | undefined }) {
  if (!summary) return null;
  const parts = (['high', 'medium', 'low'] as const).filter((s) => summary.severity[s] > 0);
  if (parts.length === 0) return <span className="severity-counts none">no drift</span>;
  return (
    <span className="severity-counts">
      {parts.map((s) => (
        <span key={s} className={`sev sev-${s}`}>
          {summary.severity[s]} {s}
        </span>
      ))}
    </span>
  );
}
