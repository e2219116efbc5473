/** Reports as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted when needed, quotes doubled). */
import { formatParity } from '../domain/parity';
import type { CabPack } from './cab-model';
import type { DriftReportModel } from './drift-model';
import { driftWhere } from './drift-text';
import { approverWords, decisionWords, requiredApproversWords, staleWords } from './format';

/**
 * One field. A text that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading
 * apostrophe, so opening a report never executes a cell; numbers are left as they are.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvTable = (header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string =>
  [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';

const CAB_HEADER = [
  'id', 'title', 'state', 'category', 'service', 'from_stage', 'target_stage', 'image', 'risk_level', 'risk_score', 'risk_factors',
  'window_start', 'window_end', 'time_zone', 'earliest_at', 'requester', 'required_approvers', 'approvals_given', 'approvals_required', 'approvers_and_signatures',
  'verdict', 'verdict_reasons', 'conflicts', 'stale', 'hosts', 'plan_steps', 'plan_high_severity', 'plan_reboots',
  'target_parity', 'target_drift_high', 'target_drift_medium', 'target_drift_low', 'description', 'justification', 'impact',
  'implementation_plan', 'backout_plan', 'test_plan', 'created_at', 'audit_head',
] as const;

/** One row per change, every field of the pack that fits a cell. */
export function renderCabCsv(pack: CabPack): string {
  return csvTable(
    CAB_HEADER,
    pack.changes.map((c) => [
      c.id, c.title, c.state, c.category, c.service, c.fromStage, c.targetStage, c.image, c.riskOverride?.level ?? c.risk.level, c.risk.score,
      c.risk.factors.map((f) => `${f.name} +${f.points}`).join('; '),
      c.window?.start ?? null, c.window?.end ?? null, c.window?.timeZone ?? null, c.earliestAt, c.requester, requiredApproversWords(c),
      c.approvals?.given ?? null, c.approvals?.required ?? null,
      c.approvals?.decisions.map((d) => `${approverWords(d)}: ${decisionWords(d)} at ${d.at}, signature ${d.signature}`).join('; ') ?? null,
      c.verdict.allowed ? 'allowed' : 'refused',
      c.verdict.rules.filter((r) => r.status === 'failed' || r.status === 'warning').map((r) => `${r.status}: ${r.reason}`).join('; '),
      c.conflicts === null ? null : c.conflicts.map((k) => `${k.kind}: ${k.detail}`).join('; '),
      c.stale === null ? null : staleWords(c), c.affected.hosts.join('; '), c.plan.summary.steps, c.plan.summary.highSeverity, c.plan.summary.rebootNeeded,
      formatParity(c.target.againstProduction.parity), c.target.againstProduction.severity.high, c.target.againstProduction.severity.medium, c.target.againstProduction.severity.low,
      c.description, c.justification, c.impact, c.implementationPlan, c.backoutPlan, c.testPlan, c.createdAt, pack.meta.audit.head,
    ]),
  );
}

/** One row per differing fact of each stage; a stage without drift still has its row, with its parity. */
export function renderDriftCsv(report: DriftReportModel): string {
  const rows = report.services.flatMap((service) =>
    service.stages.flatMap((stage) => {
      const base = [service.name, stage.name, stage.isProduction, stage.hosts, stage.snapshotted, stage.isProduction ? null : formatParity(stage.againstProduction.parity), stage.image, stage.comparedWith] as const;
      if (stage.items.length === 0) return [[...base, null, null, null, null, null, null, null]];
      return stage.items.map((i) => [...base, i.severity, i.category, i.key, i.kind, i.expected ?? null, i.actual ?? null, driftWhere(i)]);
    }),
  );
  return csvTable(['service', 'stage', 'is_production', 'hosts', 'scanned', 'parity', 'image', 'compared_with', 'severity', 'category', 'fact', 'kind', 'expected', 'actual', 'hosts_affected'], rows);
}
