import type { DriftItem } from '../domain/drift';
import { formatParity } from '../domain/parity';

const SEVERITY_LABEL = { high: 'HIGH  ', medium: 'MEDIUM', low: 'low   ' } as const;
const MAX_VALUE = 60;

const clip = (value: string | undefined) => (value === undefined ? '—' : value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE - 1)}…` : value);

/** One line per drift item, for a terminal: severity, kind, fact, expected → actual, hosts. */
export function driftItemsAsText(items: readonly DriftItem[]): string[] {
  return items.map((item) => {
    const values = item.kind === 'changed' ? `${clip(item.expected)} → ${clip(item.actual)}` : item.kind === 'missing' ? `missing (expected ${clip(item.expected)})` : `extra (${clip(item.actual)})`;
    const where = item.hosts.length > 0 ? `  [${item.role ? `${item.role}: ` : ''}${item.hosts.join(', ')}]` : '';
    return `${SEVERITY_LABEL[item.severity]}  ${item.category}:${item.key}  ${values}${where}`;
  });
}

export function parityLine(label: string, figures: { parity: number; compared: number; matching: number; severity?: { high: number; medium: number; low: number } }): string {
  const counts = figures.severity ? `  (${figures.severity.high} high, ${figures.severity.medium} medium, ${figures.severity.low} low)` : '';
  return `${label}: parity ${formatParity(figures.parity)} (${figures.matching} of ${figures.compared} facts match)${counts}`;
}
