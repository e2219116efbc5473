import type { DriftItem } from '../domain/drift';
import { formatParity } from '../domain/parity';

const SEVERITY_LABEL = { high: 'HIGH  ', medium: 'MEDIUM', low: 'low   ' } as const;
const MAX_VALUE = 60;

const clip = (value: string | undefined, max: number) => (value === undefined ? '—' : value.length > max ? `${value.slice(0, max - 1)}…` : value);

/** What differs in one item, as words: `expected → actual`, `missing (expected …)`, `extra (…)`. */
export function driftValues(item: DriftItem, maxValue = MAX_VALUE): string {
  return item.kind === 'changed' ? `${clip(item.expected, maxValue)} → ${clip(item.actual, maxValue)}`
    : item.kind === 'missing' ? `missing (expected ${clip(item.expected, maxValue)})`
    : `extra (${clip(item.actual, maxValue)})`;
}

/** Where an item was seen: `role: host, host`. */
export const driftWhere = (item: DriftItem): string => `${item.role ? `${item.role}: ` : ''}${item.hosts.join(', ')}`;

/** One line per drift item, for a terminal: severity, kind, fact, expected → actual, hosts. */
export function driftItemsAsText(items: readonly DriftItem[]): string[] {
  return items.map((item) => `${SEVERITY_LABEL[item.severity]}  ${item.category}:${item.key}  ${driftValues(item)}${item.hosts.length > 0 ? `  [${driftWhere(item)}]` : ''}`);
}

/** Parity in words: `99.1 % (980 of 989 facts match)`. */
export const parityWords = (figures: { parity: number; compared: number; matching: number }): string => `${formatParity(figures.parity)} (${figures.matching} of ${figures.compared} facts match)`;

/** Drift counts in words: `2 high, 0 medium, 5 low`. */
export const severityWords = (severity: { high: number; medium: number; low: number }): string => `${severity.high} high, ${severity.medium} medium, ${severity.low} low`;

export function parityLine(label: string, figures: { parity: number; compared: number; matching: number; severity?: { high: number; medium: number; low: number } }): string {
  return `${label}: parity ${parityWords(figures)}${figures.severity ? `  (${severityWords(figures.severity)})` : ''}`;
}
