/**
 * Reports as one self-contained HTML file: inline CSS (with print rules for A4 pages, as Chromium
 * prints them to PDF), no script, no external resource of any kind, every text escaped. A CSP in
 * the page itself forbids loading anything, so even a preview cannot reach out.
 */
import type { DriftItem } from '../domain/drift';
import { formatParity, type ParitySummary } from '../domain/parity';
import type { Severity } from '../domain/severity';
import type { CabChange, CabPack, FoldedDiff, PlanGroup, ReportMeta } from './cab-model';
import { printedItems, type DriftReportModel, type DriftReportStage } from './drift-model';
import { driftValues, severityWords } from './drift-text';
import { approvalsWords, approverWords, count, cssString, decisionWords, escapeHtml as esc, formatInstant, formatWindow, NOT_RECORDED, orNotRecorded, requiredApproversWords, staleWords, whenWords } from './format';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { --ink: #1d2433; --muted: #5b6475; --line: #d5dae3; --soft: #f3f5f8; --high: #a4201a; --high-bg: #fdecea; --medium: #8a4b00; --medium-bg: #fff3dc; --low: #1d6b3a; --low-bg: #e6f4ea; --accent: #2a4f8f; }
* { box-sizing: border-box; }
html { font: 10pt/1.45 "DejaVu Sans", "Liberation Sans", Arial, system-ui, sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 2mm; color: var(--accent); }
h2 { font-size: 14pt; margin: 0 0 3mm; padding-bottom: 1.5mm; border-bottom: 2px solid var(--accent); }
h3 { font-size: 11pt; margin: 5mm 0 2mm; color: var(--accent); break-after: avoid; }
h4 { font-size: 10pt; margin: 3mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0 2mm; }
.muted { color: var(--muted); }
.mono, code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 8.5pt; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; margin: 1mm 0 3mm; font-size: 9pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 1.6mm; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
td.mono { overflow-wrap: anywhere; }
thead th { background: var(--soft); border-bottom: 1.5px solid var(--muted); font-weight: 600; }
table.fields th { width: 32%; background: var(--soft); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.chip { display: inline-block; padding: 0 1.6mm; border-radius: 1.4mm; font-size: 8.5pt; font-weight: 600; border: 1px solid currentColor; }
.sev-high, .risk-critical, .risk-high, .st-failed, .sig-invalid { color: var(--high); background: var(--high-bg); }
.sev-medium, .risk-medium, .st-warning, .sig-unsigned, .sig-unknown-key { color: var(--medium); background: var(--medium-bg); }
.sev-low, .risk-low, .st-passed, .sig-valid { color: var(--low); background: var(--low-bg); }
.st-info { color: var(--muted); background: var(--soft); }
.cover { break-after: page; }
.cover .meta { margin: 4mm 0 6mm; }
.change { break-before: page; }
.change-head { display: flex; justify-content: space-between; gap: 4mm; align-items: baseline; }
.change-head .chips { white-space: nowrap; }
.block { break-inside: avoid; }
.text { white-space: pre-wrap; margin: 0; font-family: inherit; font-size: 9pt; }
.group { margin: 2mm 0 4mm; }
.diff { margin: 1mm 0 2mm; border: 1px solid var(--line); border-radius: 1mm; }
.diff-head { padding: 0.8mm 1.6mm; background: var(--soft); font-size: 8.5pt; color: var(--muted); }
.diff pre { margin: 0; padding: 0.6mm 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.diff .l { display: block; padding: 0 1.6mm 0 13mm; text-indent: -11.4mm; }
.diff .n { display: inline-block; width: 10mm; text-indent: 0; color: var(--muted); text-align: right; margin-right: 1.4mm; }
.diff .added { background: #e6f4ea; }
.diff .removed { background: #fdecea; }
.diff .gap { color: var(--accent); background: #eef2fa; }
.diff .folded { padding: 0.8mm 1.6mm; font-size: 8.5pt; color: var(--medium); border-top: 1px dashed var(--line); }
.audit { margin-top: 5mm; font-size: 8.5pt; color: var(--muted); overflow-wrap: anywhere; }
.stage { margin: 3mm 0 5mm; }
.service { break-before: page; }
@page { size: A4; margin: 14mm 12mm 16mm; }
@media print {
  body { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
}
@media screen {
  .change, .service { margin-top: 10mm; padding-top: 6mm; border-top: 1px dashed var(--line); }
}
`;

/** Page numbers and the report's name in the bottom margin of every printed page. */
const pageMargins = (footer: string) =>
  `@page { @bottom-left { content: ${cssString(footer)}; font: 7.5pt "DejaVu Sans", sans-serif; color: #5b6475; } @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 7.5pt "DejaVu Sans", sans-serif; color: #5b6475; } }`;

function page(title: string, footer: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Stagecraft">
<title>${esc(title)}</title>
<style>${STYLE}${pageMargins(footer)}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const chip = (className: string, text: string) => `<span class="chip ${className}">${esc(text)}</span>`;
const severityChip = (severity: Severity) => chip(`sev-${severity}`, severity);
const riskChip = (level: string, score?: number) => chip(`risk-${level}`, score === undefined ? `risk ${level}` : `risk ${level} ${score}/100`);
const cell = (text: string, className = '') => `<td${className ? ` class="${className}"` : ''}>${esc(text)}</td>`;

function table(headers: readonly [string, string][], rows: readonly string[], empty: string): string {
  if (rows.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const cols = headers.map(([, width]) => `<col style="width:${width}">`).join('');
  return `<table><colgroup>${cols}</colgroup><thead><tr>${headers.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const fieldsTable = (fields: readonly [string, string][]) => `<table class="fields"><tbody>${fields.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;

const parityText = (p: ParitySummary) => `${formatParity(p.parity)} — ${p.matching} of ${p.compared} facts match; drift ${severityWords(p.severity)}`;

function auditLine(meta: ReportMeta): string {
  const { audit } = meta;
  const state = audit.intact ? `intact, ${count(audit.entries, 'entry', 'entries')}` : `BROKEN: ${audit.problem ?? 'verification failed'}`;
  return `<p class="audit">Audit chain head <span class="mono">${esc(audit.head ?? 'none (empty log)')}</span> (${esc(state)}) — workspace “${esc(meta.workspace)}”, generated ${esc(formatInstant(meta.generatedAt))} by ${esc(meta.generatedBy)}, Stagecraft ${esc(meta.stagecraftVersion)}.</p>`;
}

function diffBlock(path: string, diff: FoldedDiff): string {
  const number = (n: number | null) => `<span class="n">${n ?? ''}</span>`;
  const lines = diff.lines
    .map((line) => {
      const mark = line.kind === 'added' ? '+' : line.kind === 'removed' ? '−' : line.kind === 'gap' ? '' : ' ';
      const n = line.kind === 'removed' ? line.oldLine : line.kind === 'gap' ? null : line.newLine;
      return `<span class="l ${line.kind === 'context' ? '' : line.kind}">${number(n)}${esc(mark)}${esc(line.text)}</span>`;
    })
    .join('');
  const folded =
    diff.hiddenLines > 0 || diff.hiddenHunks > 0
      ? `<div class="folded">… folded: ${esc(count(diff.hiddenLines, 'more changed line'))}${diff.hiddenHunks ? ` in ${esc(count(diff.hiddenHunks, 'more hunk'))}` : ''}; the full file is in the workspace (drift view, file diff).</div>`
      : '';
  const head = `${esc(path)} — +${diff.added} −${diff.removed} lines${diff.hunks ? `, ${count(diff.hunks, 'hunk')}` : ''}${diff.note ? `. ${esc(diff.note)}` : ''}`;
  return `<div class="diff"><div class="diff-head">${head}</div>${lines ? `<pre>${lines}</pre>` : ''}${folded}</div>`;
}

function planGroup(group: PlanGroup): string {
  const who = group.hosts.length > 1 ? `${count(group.hosts.length, 'host')} with the same steps: ${group.hosts.join(', ')}` : group.hosts[0]!;
  const steps = table(
    [
      ['Severity', '14%'],
      ['Action', '14%'],
      ['What', '40%'],
      ['Detail', '32%'],
    ],
    group.steps.map((s) => `<tr><td>${severityChip(s.severity)}</td>${cell(`${s.kind} ${s.action}`)}${cell(s.subject, 'mono')}${cell(s.detail ?? '')}</tr>`),
    'Nothing to do: the host already matches the image.',
  );
  const diffs = group.steps.filter((s) => s.diff).map((s) => diffBlock(s.subject, s.diff!));
  return `<div class="group"><h4>${esc(who)} <span class="muted">(${esc(group.role)})${group.rebootNeeded ? ' — reboot needed' : ''}</span></h4>${steps}${diffs.join('')}</div>`;
}

function driftRows(items: readonly DriftItem[]): string[] {
  return items.map((item) => `<tr><td>${severityChip(item.severity)}</td>${cell(`${item.category}: ${item.key}`, 'mono')}${cell(driftValues(item, 200))}${cell(`${item.role ? `${item.role}: ` : ''}${item.hosts.join(', ')}`)}</tr>`);
}

const DRIFT_HEADERS: [string, string][] = [
  ['Severity', '13%'],
  ['Fact', '30%'],
  ['Difference', '35%'],
  ['Hosts', '22%'],
];

function changeSection(change: CabChange, meta: ReportMeta): string {
  const text = (value: string | null) => (value === null || value.trim() === '' ? `<span class="muted">${NOT_RECORDED}</span>` : `<pre class="text">${esc(value)}</pre>`);
  const level = change.riskOverride?.level ?? change.risk.level;
  const fields: [string, string][] = [
    ['State', esc(change.state)],
    ['Category', esc(orNotRecorded(change.category))],
    ['Service', esc(change.service)],
    ['Promotion', esc(`image ${change.image}: ${change.fromStage ?? '(none)'} → ${change.targetStage}${change.targetIsProduction ? ' (production)' : ''}`)],
    ['Configuration items', esc(`${change.affected.services.join(', ')}; stage ${change.affected.stages.join(', ')}; ${count(change.affected.hosts.length, 'host')}: ${change.affected.hosts.join(', ') || 'none'}`)],
    ['Window', esc(change.window ? formatWindow(change.window) : whenWords({ window: null, earliestAt: change.earliestAt }))],
    ['Requester', esc(change.requester)],
    ['Drafted', esc(formatInstant(change.createdAt))],
    ['Required approvers', esc(requiredApproversWords(change))],
    ['Description', text(change.description)],
    ['Justification', text(change.justification)],
    ['Impact', text(change.impact)],
  ];
  if (change.stale !== null) fields.push(['Plan still current', chip(change.stale ? 'sev-high' : 'sev-low', staleWords(change))]);

  const risk = table(
    [
      ['Factor', '30%'],
      ['Points', '12%'],
      ['Why', '58%'],
    ],
    change.risk.factors.map((f) => `<tr>${cell(f.name)}${cell(`+${f.points}`, 'num')}${cell(f.why)}</tr>`),
    'No risk factor.',
  );
  const override = change.riskOverride ? `<p>Overridden to ${riskChip(change.riskOverride.level)} by ${esc(change.riskOverride.by)}: ${esc(change.riskOverride.reason)}</p>` : '';

  const plan = change.plan;
  const byKind = Object.entries(plan.summary.byKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const planIntro = `<p>${esc(`${count(plan.summary.steps, 'step')} on ${count(plan.summary.hostsAffected, 'host')} (${byKind || 'nothing to do'}); ${plan.summary.highSeverity} of high severity; ${count(plan.summary.rebootNeeded, 'reboot')}.`)}${
    plan.unscanned.length ? ` <strong>Never scanned, not planned:</strong> ${esc(plan.unscanned.join(', '))}.` : ''
  }</p>`;

  const target = change.target;
  const targetFields = fieldsTable([
    ['Hosts scanned', esc(`${target.snapshotted} of ${target.hosts}`)],
    ['Parity with production', esc(`${parityText(target.againstProduction)} (when planned: ${formatParity(target.parityWhenPlanned)})`)],
    ['Against its image', esc(target.againstImage ? `${target.againstImage.label}: ${parityText(target.againstImage)}` : 'no image assigned')],
    ['Drift acknowledged when planned', esc(change.acknowledgedDrift ? 'yes' : 'no')],
  ]);
  const more = target.moreItems ? `<p class="muted">… and ${esc(count(target.moreItems, 'more drift item'))} (all counted above); the drift report lists every one.</p>` : '';

  const verdict = table(
    [
      ['Rule', '18%'],
      ['Status', '14%'],
      ['Reason', '68%'],
    ],
    change.verdict.rules.map((r) => `<tr>${cell(r.rule)}<td>${chip(`st-${r.status}`, r.status)}</td>${cell(r.reason)}</tr>`),
    'No rule applied.',
  );

  const conflicts =
    change.conflicts === null
      ? `<p class="muted">Conflicts ${NOT_RECORDED}.</p>`
      : table(
          [
            ['Kind', '22%'],
            ['With', '12%'],
            ['Detail', '66%'],
          ],
          change.conflicts.map((c) => `<tr>${cell(c.kind)}${cell(c.otherChangeId === null ? '—' : `#${c.otherChangeId}`)}${cell(c.detail)}</tr>`),
          'No conflict: no overlapping change on these hosts or this service, and no freeze window.',
        );

  const approvals =
    change.approvals === null
      ? `<p class="muted">Approvals ${NOT_RECORDED}.</p>`
      : `<p>${esc(`${change.approvals.given} of ${change.approvals.required} required approvals${change.approvals.roles.length ? ` (from ${change.approvals.roles.join(', ')})` : ''}.`)}</p>${table(
          [
            ['Approver', '18%'],
            ['Decision', '18%'],
            ['When', '17%'],
            ['Signature', '22%'],
            ['Comment', '25%'],
          ],
          change.approvals.decisions.map(
            (d) =>
              `<tr>${cell(approverWords(d))}${cell(decisionWords(d))}${cell(formatInstant(d.at))}<td>${chip(`sig-${d.signature}`, d.signature)}${d.keyFingerprint ? `<br><span class="mono">${esc(d.keyFingerprint)}</span>` : ''}</td>${cell(d.comment ?? '')}</tr>`,
          ),
          'No decision yet.',
        )}`;

  return `<section class="change" id="change-${change.id}">
<div class="change-head"><h2>Change #${change.id}: ${esc(change.title)}</h2><span class="chips">${chip(`st-info`, change.state)} ${riskChip(level, change.risk.score)}</span></div>
${fieldsTable(fields)}
<h3>Risk</h3>${override}${risk}
<h3>Policy verdict: ${change.verdict.allowed ? 'allowed' : 'refused'}</h3>
<p>${esc(change.verdict.earliestAt ? `Earliest allowed: ${formatInstant(change.verdict.earliestAt)}.` : 'Never allowed by this path.')}</p>${verdict}
<h3>Conflicts</h3>${conflicts}
<h3>Approvals</h3>${approvals}
<h3>Target before the change: ${esc(target.stage)}</h3>${targetFields}
${table(DRIFT_HEADERS, driftRows(target.items), 'No drift: the target matches production.')}${more}
<h3>Implementation plan</h3>${text(change.implementationPlan)}
<h3>Backout plan</h3>${text(change.backoutPlan)}
<h3>Test plan</h3>${text(change.testPlan)}
<h3>Promotion plan: image ${esc(plan.image)}</h3>${planIntro}
${plan.groups.map(planGroup).join('\n')}
${auditLine(meta)}
</section>`;
}

export function renderCabHtml(pack: CabPack): string {
  const agenda = table(
    [
      ['#', '5%'],
      ['When', '44%'],
      ['Change', '51%'],
    ],
    pack.summary.map((row, i) => `<tr>${cell(String(i + 1), 'num')}${cell(whenWords(row))}<td><a href="#change-${row.id}">#${row.id}</a> ${esc(row.title)}</td></tr>`),
    'No change in this selection.',
  );
  const summary = table(
    [
      ['ID', '5%'],
      ['Title', '21%'],
      ['Service', '12%'],
      ['Target', '11%'],
      ['Risk', '10%'],
      ['Window', '18%'],
      ['State', '11%'],
      ['Approvals', '12%'],
    ],
    pack.summary.map(
      (row) =>
        `<tr>${cell(`#${row.id}`)}${cell(row.title)}${cell(row.service)}${cell(row.targetStage)}<td>${chip(`risk-${row.risk}`, `${row.risk} ${row.riskScore}`)}</td>${cell(whenWords(row))}${cell(row.state)}${cell(approvalsWords(row.approvals))}</tr>`,
    ),
    'No change in this selection.',
  );
  const cover = `<section class="cover">
<h1>${esc(pack.cover.title)}</h1>
<p class="meta">${esc(pack.cover.selection)}<br>Workspace “${esc(pack.meta.workspace)}” — generated ${esc(formatInstant(pack.meta.generatedAt))} by ${esc(pack.meta.generatedBy)}</p>
<h3>Agenda</h3>${agenda}
<h3>Summary</h3>${summary}
${auditLine(pack.meta)}
</section>`;
  return page(`${pack.cover.title} — ${pack.meta.workspace}`, `Stagecraft CAB pack · ${pack.meta.workspace} · ${formatInstant(pack.meta.generatedAt)}`, `${cover}\n${pack.changes.map((c) => changeSection(c, pack.meta)).join('\n')}`);
}

function stageBlock(stage: DriftReportStage): string {
  const printed = printedItems(stage);
  const fields = fieldsTable([
    ['Hosts scanned', esc(`${stage.snapshotted} of ${stage.hosts}`)],
    ['Parity with production', esc(stage.isProduction ? 'production is the reference' : parityText(stage.againstProduction))],
    ['Against its image', esc(stage.image ? (stage.againstImage ? `${stage.image}: ${parityText(stage.againstImage)}` : stage.image) : 'no image assigned')],
  ]);
  const compared = stage.comparedWith === 'image' ? `against image ${stage.image}` : 'against production';
  const empty = stage.snapshotted === 0 ? 'No host of this stage was ever scanned: nothing to compare.' : `No drift ${compared}.`;
  return `<div class="stage"><h3>${esc(stage.name)}${stage.isProduction ? ' (production)' : ''} — ${esc(stage.isProduction ? (stage.againstImage ? formatParity(stage.againstImage.parity) : 'reference') : formatParity(stage.againstProduction.parity))}</h3>${fields}<h4>${esc(`${count(stage.items.length, 'differing fact')} ${compared}`)}</h4>${table(DRIFT_HEADERS, driftRows(printed.items), empty)}${printed.more ? `<p class="muted">… and ${esc(count(printed.more, 'more differing fact'))}: the CSV and JSON exports list every one.</p>` : ''}</div>`;
}

export function renderDriftHtml(report: DriftReportModel): string {
  const overview = table(
    [
      ['Service', '26%'],
      ['Stage', '18%'],
      ['Parity', '14%'],
      ['Drift (high, medium, low)', '26%'],
      ['Scanned', '16%'],
    ],
    report.services.flatMap((service) =>
      service.stages.map(
        (s) =>
          `<tr>${cell(service.name)}${cell(s.name)}${cell(s.isProduction ? 'reference' : formatParity(s.againstProduction.parity), 'num')}${cell(s.isProduction ? '—' : severityWords(s.againstProduction.severity))}${cell(`${s.snapshotted} of ${s.hosts}`)}</tr>`,
      ),
    ),
    'No service in this workspace.',
  );
  const services = report.services
    .map((service) => `<section class="service"><h2>${esc(service.name)} — preproduction parity ${esc(formatParity(service.parity.parity))}</h2>${service.stages.map(stageBlock).join('')}</section>`)
    .join('\n');
  const cover = `<section class="cover"><h1>Drift report</h1><p class="meta">${esc(report.scope)}<br>Workspace “${esc(report.meta.workspace)}” — generated ${esc(formatInstant(report.meta.generatedAt))} by ${esc(report.meta.generatedBy)}</p>${overview}${auditLine(report.meta)}</section>`;
  return page(`Drift report — ${report.meta.workspace}`, `Stagecraft drift report · ${report.meta.workspace} · ${formatInstant(report.meta.generatedAt)}`, `${cover}\n${services}`);
}
