import type { ChangeListItem } from '../store/changes';

/** Small pieces the change views share: the colour language of states, risks and markers (always with words). */
export const RISK_HEALTH = { low: 'ok', medium: 'warn', high: 'bad', critical: 'bad' } as const;
/** States that need nobody's attention any more are muted; refused and failed ones stand out. */
export const STATE_HEALTH: Record<ChangeListItem['state'], 'ok' | 'warn' | 'bad' | 'unknown'> = {
  draft: 'unknown',
  submitted: 'warn',
  approved: 'ok',
  scheduled: 'ok',
  implemented: 'ok',
  closed: 'unknown',
  rejected: 'bad',
  cancelled: 'unknown',
  'rolled-back': 'bad',
  failed: 'bad',
};

/** A choice of a few exclusive options as pressed buttons. */
export function Segmented<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: Record<T, string>; onChange: (value: T) => void }) {
  return (
    <div className="segmented" role="group" aria-label={label}>
      {(Object.entries(options) as [T, string][]).map(([option, text]) => (
        <button key={option} type="button" aria-pressed={value === option} onClick={() => onChange(option)}>
          {text}
        </button>
      ))}
    </div>
  );
}

export function StateChip({ state }: { state: ChangeListItem['state'] }) {
  return <span className={`state-chip health-${STATE_HEALTH[state]}`}>{state}</span>;
}

/** Stale and conflicting, in words with their colour. */
export function Markers({ stale, conflicts }: { stale: string | null; conflicts: number }) {
  return (
    <span className="markers">
      {stale && (
        <span className="marker health-bad" title={stale}>
          stale
        </span>
      )}
      {conflicts > 0 && <span className="marker health-warn">{conflicts === 1 ? '1 conflict' : `${conflicts} conflicts`}</span>}
      {!stale && conflicts === 0 && <span className="muted">—</span>}
    </span>
  );
}
