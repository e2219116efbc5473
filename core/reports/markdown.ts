/** Reports as Markdown (CommonMark with GitHub tables): every text escaped, diffs in fenced blocks. */
import type { DriftItem } from '../domain/drift';
import { formatParity, type ParitySummary } from '../domain/parity';
import type { CabChange, CabPack, FoldedDiff, ReportMeta } from './cab-model';
import { printedItems, type DriftReportModel } from './drift-model';
import { driftValues, driftWhere, severityWords } from './drift-text';
import { approvalsWords, approverWords, count, decisionWords, formatInstant, formatWindow, NOT_RECORDED, orNotRecorded, requiredApproversWords, staleWords, whenWords } from './format';

/** Text inside a line (a table cell): emphasis, code, brackets, angle brackets, pipes and entities escaped, newlines as spaces. */
const escapeInline = (text: string): string =>
  text
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/\r?\n/g, ' ');

/** Text that may start a block: also the heading, list and quote marks that would start one there. */
export const escapeMarkdown = (text: string): string =>
  escapeInline(text)
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');

const row = (cells: readonly string[]) => `| ${cells.map(escapeInline).join(' | ')} |`;

function table(headers: readonly string[], rows: readonly (readonly string[])[], empty: string): string {
  if (rows.length === 0) return `_${escapeMarkdown(empty)}_\n`;
  return `${row(headers)}\n| ${headers.map(() => '---').join(' | ')} |\n${rows.map(row).join('\n')}\n`;
}

/** A fenced block whose fence is longer than any backtick run inside it. */
function fenced(text: string, info = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${info}\n${text}\n${fence}\n`;
}

const block = (value: string | null) => (value === null || value.trim() === '' ? `_${NOT_RECORDED}_\n` : fenced(value, 'text'));
const parityText = (p: ParitySummary) => `${formatParity(p.parity)} (${p.matching} of ${p.compared} facts match; drift ${severityWords(p.severity)})`;
const driftTable = (items: readonly DriftItem[], empty: string) =>
  table(['Severity', 'Fact', 'Difference', 'Hosts'], items.map((i) => [i.severity, `${i.category}: ${i.key}`, driftValues(i, 200), driftWhere(i)]), empty);

const auditLine = (meta: ReportMeta) =>
  `_Audit chain head \`${meta.audit.head ?? 'none'}\` (${meta.audit.intact ? `intact, ${count(meta.audit.entries, 'entry', 'entries')}` : `BROKEN: ${escapeMarkdown(meta.audit.problem ?? 'verification failed')}`}); workspace “${escapeMarkdown(meta.workspace)}”, generated ${formatInstant(meta.generatedAt)} by ${escapeMarkdown(meta.generatedBy)}, Stagecraft ${escapeMarkdown(meta.stagecraftVersion)}._\n`;

function diffText(diff: FoldedDiff): string {
  const lines = diff.lines.map((l) => (l.kind === 'gap' ? l.text : `${l.kind === 'added' ? '+' : l.kind === 'removed' ? '-' : ' '}${l.text}`));
  if (diff.hiddenLines || diff.hiddenHunks) lines.push(`… folded: ${count(diff.hiddenLines, 'more changed line')}${diff.hiddenHunks ? ` in ${count(diff.hiddenHunks, 'more hunk')}` : ''}`);
  return lines.join('\n');
}

function changeSection(c: CabChange, meta: ReportMeta): string {
  const out: string[] = [];
  out.push(`## Change #${c.id}: ${escapeMarkdown(c.title)}\n`);
  out.push(
    table(
      ['Field', 'Value'],
      [
        ['State', c.state],
        ['Category', orNotRecorded(c.category)],
        ['Service', c.service],
        ['Promotion', `image ${c.image}: ${c.fromStage ?? '(none)'} → ${c.targetStage}${c.targetIsProduction ? ' (production)' : ''}`],
        ['Configuration items', `${c.affected.services.join(', ')}; stage ${c.affected.stages.join(', ')}; ${count(c.affected.hosts.length, 'host')}: ${c.affected.hosts.join(', ') || 'none'}`],
        ['Window', c.window ? formatWindow(c.window) : whenWords({ window: null, earliestAt: c.earliestAt })],
        ['Requester', c.requester],
        ['Drafted', formatInstant(c.createdAt)],
        ['Required approvers', requiredApproversWords(c)],
        ['Risk', `${c.riskOverride?.level ?? c.risk.level} (${c.risk.score}/100)${c.riskOverride ? `, overridden by ${c.riskOverride.by}: ${c.riskOverride.reason}` : ''}`],
        ['Plan still current', staleWords(c)],
      ],
      '',
    ),
  );
  for (const [label, value] of [
    ['Description', c.description],
    ['Justification', c.justification],
    ['Impact', c.impact],
  ] as const)
    out.push(`**${label}**\n\n${block(value)}`);
  out.push(`### Risk factors\n\n${table(['Factor', 'Points', 'Why'], c.risk.factors.map((f) => [f.name, `+${f.points}`, f.why]), 'No risk factor.')}`);
  out.push(`### Policy verdict: ${c.verdict.allowed ? 'allowed' : 'refused'}\n\n${c.verdict.earliestAt ? `Earliest allowed: ${formatInstant(c.verdict.earliestAt)}.` : 'Never allowed by this path.'}\n\n${table(['Rule', 'Status', 'Reason'], c.verdict.rules.map((r) => [r.rule, r.status, r.reason]), 'No rule applied.')}`);
  out.push(`### Conflicts\n\n${c.conflicts === null ? `_${NOT_RECORDED}_\n` : table(['Kind', 'With', 'Detail'], c.conflicts.map((k) => [k.kind, k.otherChangeId === null ? '—' : `#${k.otherChangeId}`, k.detail]), 'No conflict.')}`);
  out.push(
    `### Approvals\n\n${
      c.approvals === null ? `_${NOT_RECORDED}_\n`
      : `${c.approvals.given} of ${c.approvals.required} required approvals.\n\n${table(['Approver', 'Decision', 'When', 'Signature', 'Key', 'Comment'], c.approvals.decisions.map((d) => [approverWords(d), decisionWords(d), formatInstant(d.at), d.signature, d.keyFingerprint ?? '', d.comment ?? '']), 'No decision yet.')}`
    }`,
  );
  const t = c.target;
  out.push(
    `### Target before the change: ${escapeMarkdown(t.stage)}\n\n- Hosts scanned: ${t.snapshotted} of ${t.hosts}\n- Parity with production: ${parityText(t.againstProduction)}; when planned: ${formatParity(t.parityWhenPlanned)}\n- Against its image: ${t.againstImage ? `${escapeMarkdown(t.againstImage.label)}: ${parityText(t.againstImage)}` : 'no image assigned'}\n\n${driftTable(t.items, 'No drift.')}${t.moreItems ? `\n… and ${count(t.moreItems, 'more drift item')}.\n` : ''}`,
  );
  out.push(`### Implementation plan\n\n${block(c.implementationPlan)}`);
  out.push(`### Backout plan\n\n${block(c.backoutPlan)}`);
  out.push(`### Test plan\n\n${block(c.testPlan)}`);
  const p = c.plan;
  out.push(`### Promotion plan: image ${escapeMarkdown(p.image)}\n\n${count(p.summary.steps, 'step')} on ${count(p.summary.hostsAffected, 'host')}; ${p.summary.highSeverity} of high severity; ${count(p.summary.rebootNeeded, 'reboot')}.${p.unscanned.length ? ` Never scanned, not planned: ${escapeMarkdown(p.unscanned.join(', '))}.` : ''}\n`);
  for (const g of p.groups) {
    out.push(`#### ${escapeMarkdown(g.hosts.join(', '))} (${escapeMarkdown(g.role)})${g.rebootNeeded ? ', reboot needed' : ''}\n\n${table(['Severity', 'Action', 'What', 'Detail'], g.steps.map((s) => [s.severity, `${s.kind} ${s.action}`, s.subject, s.detail ?? '']), 'Nothing to do.')}`);
    for (const s of g.steps.filter((x) => x.diff)) out.push(`${escapeMarkdown(s.subject)}: +${s.diff!.added} −${s.diff!.removed} lines${s.diff!.note ? `. ${escapeMarkdown(s.diff!.note)}` : ''}\n\n${s.diff!.lines.length ? fenced(diffText(s.diff!), 'diff') : ''}`);
  }
  out.push(auditLine(meta));
  return out.join('\n');
}

export function renderCabMarkdown(pack: CabPack): string {
  const head = [
    `# ${escapeMarkdown(pack.cover.title)}\n`,
    `${escapeMarkdown(pack.cover.selection)}. Workspace “${escapeMarkdown(pack.meta.workspace)}”, generated ${formatInstant(pack.meta.generatedAt)} by ${escapeMarkdown(pack.meta.generatedBy)}.\n`,
    `## Agenda\n\n${pack.summary.map((r, i) => `${i + 1}. ${escapeMarkdown(whenWords(r))}: #${r.id} ${escapeMarkdown(r.title)}`).join('\n') || '_No change in this selection._'}\n`,
    `## Summary\n\n${table(['ID', 'Title', 'Service', 'Target', 'Risk', 'Window', 'State', 'Approvals'], pack.summary.map((r) => [`#${r.id}`, r.title, r.service, r.targetStage, `${r.risk} ${r.riskScore}/100`, whenWords(r), r.state, approvalsWords(r.approvals)]), 'No change in this selection.')}`,
    auditLine(pack.meta),
  ];
  return `${[...head, ...pack.changes.map((c) => changeSection(c, pack.meta))].join('\n')}`;
}

export function renderDriftMarkdown(report: DriftReportModel): string {
  const out = [`# Drift report\n`, `${escapeMarkdown(report.scope)}. Workspace “${escapeMarkdown(report.meta.workspace)}”, generated ${formatInstant(report.meta.generatedAt)} by ${escapeMarkdown(report.meta.generatedBy)}.\n`, auditLine(report.meta)];
  for (const service of report.services) {
    out.push(`## ${escapeMarkdown(service.name)}: preproduction parity ${formatParity(service.parity.parity)}\n`);
    for (const stage of service.stages) {
      const compared = stage.comparedWith === 'image' ? `against image ${stage.image}` : 'against production';
      const printed = printedItems(stage);
      out.push(
        `### ${escapeMarkdown(stage.name)}${stage.isProduction ? ' (production)' : ''}\n\n- Hosts scanned: ${stage.snapshotted} of ${stage.hosts}\n- Parity with production: ${stage.isProduction ? 'production is the reference' : parityText(stage.againstProduction)}\n- Image: ${stage.image ? `${escapeMarkdown(stage.image)}${stage.againstImage ? `: ${parityText(stage.againstImage)}` : ''}` : 'none assigned'}\n\n${driftTable(printed.items, stage.snapshotted === 0 ? 'Never scanned: nothing to compare.' : `No drift ${compared}.`)}${printed.more ? `\n… and ${count(printed.more, 'more differing fact')}: the CSV and JSON exports list every one.\n` : ''}`,
      );
    }
  }
  return out.join('\n');
}
