/**
 * Parity: the share of compared facts where hosts match what they are compared with — production,
 * an image, or their peers. 100 % is zero entropy.
 *
 * Defined as matching / compared over host × fact pairs. With nothing compared (no hosts, or every
 * fact ignored) parity is 100 %: there is no evidence of drift, and an empty environment must not
 * drag a service's figure down. Parity is exactly 1 if and only if no drift item was reported.
 */
import type { Severity } from './severity';

export interface ParityFigures {
  compared: number;
  matching: number;
}

export type SeverityCounts = Record<Severity, number>;

export interface ParitySummary extends ParityFigures {
  parity: number;
  /** Drift items by severity (an item may span many hosts; it counts once). */
  severity: SeverityCounts;
}

export function parityRatio(compared: number, matching: number): number {
  return compared === 0 ? 1 : matching / compared;
}

export function severityCounts(items: readonly { severity: Severity }[]): SeverityCounts {
  const counts: SeverityCounts = { high: 0, medium: 0, low: 0 };
  for (const item of items) counts[item.severity]++;
  return counts;
}

/** The summary of one drift report (an environment against production or its image, a role against itself). */
export function summariseParity(report: ParityFigures & { items: readonly { severity: Severity }[] }): ParitySummary {
  return { compared: report.compared, matching: report.matching, parity: parityRatio(report.compared, report.matching), severity: severityCounts(report.items) };
}

/**
 * Several summaries as one, weighted by compared facts: an environment from its roles' reports, a
 * service from its environments. A large environment counts for more than a small one.
 */
export function combineParity(parts: readonly ParitySummary[]): ParitySummary {
  let compared = 0;
  let matching = 0;
  const severity: SeverityCounts = { high: 0, medium: 0, low: 0 };
  for (const part of parts) {
    compared += part.compared;
    matching += part.matching;
    severity.high += part.severity.high;
    severity.medium += part.severity.medium;
    severity.low += part.severity.low;
  }
  return { compared, matching, parity: parityRatio(compared, matching), severity };
}

/** The parity of an environment from the drift reports of its hosts or roles. */
export const environmentParity = (reports: readonly (ParityFigures & { items: readonly { severity: Severity }[] })[]): ParitySummary =>
  combineParity(reports.map(summariseParity));

/** The parity of a service from its environments' summaries (production itself is normally left out). */
export const serviceParity = (environments: readonly ParitySummary[]): ParitySummary => combineParity(environments);

/**
 * Parity as a person reads it: one decimal, rounded down so that "100 %" is shown only when nothing
 * drifts at all (99.97 % is "99.9 %", never "100.0 %").
 */
export function formatParity(parity: number): string {
  if (parity >= 1) return '100 %';
  // The epsilon absorbs binary fractions like 0.999 * 1000 = 998.99…; the cap keeps anything below 1 under 100.
  return `${(Math.min(999, Math.floor(parity * 1000 + 1e-6)) / 10).toFixed(1)} %`;
}
