/**
 * The CAB pack as data: what a change-advisory board reads about a selection of changes, built
 * purely from what the services looked up. Every renderer (HTML, Markdown, CSV, JSON) reads this
 * model and nothing else, so the formats cannot disagree. Long diffs are folded here, once.
 */
import type { SignatureStatus } from '../domain/change-workflow';
import type { DriftItem } from '../domain/drift';
import type { ParitySummary } from '../domain/parity';
import type { PlanStep, PromotionPlan } from '../domain/promotion-plan';
import type { Risk } from '../domain/promotion-risk';
import type { Verdict } from '../domain/release-policy';
import type { Severity } from '../domain/severity';
import { textDiff } from '../domain/textdiff';

export const REPORT_FORMATS = ['pdf', 'html', 'md', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Changed lines shown per file before the rest is folded into a summary line. */
export const DIFF_LINES_SHOWN = 40;
/** Characters of one diff line shown; the rest is cut with an ellipsis. */
const DIFF_LINE_CHARS = 240;
/** Drift items of the target listed per change (the worst first); the counts cover all of them. */
export const TARGET_ITEMS_SHOWN = 25;

export interface ReportAudit {
  entries: number;
  /** The hash of the newest audit entry: a reader checks the pack against `stagecraft audit verify`. */
  head: string | null;
  intact: boolean;
  problem: string | null;
}

export interface ReportMeta {
  workspace: string;
  generatedAt: string;
  generatedBy: string;
  stagecraftVersion: string;
  audit: ReportAudit;
}

export interface ChangeWindow {
  start: string;
  end: string;
  timeZone: string;
}

export interface DiffLine {
  kind: 'context' | 'added' | 'removed' | 'gap';
  oldLine: number | null;
  newLine: number | null;
  text: string;
}

/** A file's diff as the board reads it: totals always, the first lines, and how much was folded away. */
export interface FoldedDiff {
  added: number;
  removed: number;
  hunks: number;
  lines: DiffLine[];
  hiddenLines: number;
  hiddenHunks: number;
  /** Why no line diff is shown, or what else to know (a new file, only the final newline changed…). */
  note: string | null;
}

export interface PlanStepView {
  kind: PlanStep['kind'];
  action: string;
  subject: string;
  detail: string | null;
  severity: Severity;
  diff: FoldedDiff | null;
}

/** Hosts that get exactly the same steps are shown once. */
export interface PlanGroup {
  hosts: string[];
  role: string;
  rebootNeeded: boolean;
  steps: PlanStepView[];
}

export interface PlanView {
  image: string;
  summary: PromotionPlan['summary'];
  unscanned: string[];
  groups: PlanGroup[];
}

export interface TargetDrift {
  stage: string;
  hosts: number;
  snapshotted: number;
  againstProduction: ParitySummary;
  againstImage: (ParitySummary & { label: string }) | null;
  /** Parity with production when the change was planned. */
  parityWhenPlanned: number;
  /** What `items` were compared with: production's plurality, or (a production target) its image. */
  comparedWith: 'production' | 'image';
  /** The worst items, at most TARGET_ITEMS_SHOWN. */
  items: DriftItem[];
  moreItems: number;
}

export interface ConflictView {
  kind: string;
  detail: string;
  otherChangeId: number | null;
}

export interface ApprovalView {
  /** The approver's name now; `signedAs` the name they signed under, when they have been renamed since. */
  approver: string;
  signedAs: string | null;
  decision: 'approve' | 'reject';
  at: string;
  comment: string | null;
  signature: SignatureStatus;
  keyFingerprint: string | null;
  /** Whether it counts towards the approvals required now. */
  counted: boolean;
  /** When an edit of the change set it aside (it was given for an earlier revision). */
  droppedAt: string | null;
}

export interface ApprovalsView {
  required: number;
  roles: string[];
  given: number;
  decisions: ApprovalView[];
}

/** What change control records beyond the promotion itself; null in a pack when it was not recorded. */
export interface ChangeControlFields {
  category: string | null;
  description: string | null;
  justification: string | null;
  impact: string | null;
  window: ChangeWindow | null;
  implementationPlan: string | null;
  backoutPlan: string | null;
  testPlan: string | null;
  requiredApprovers: string[];
  riskOverride: { level: Risk['level']; reason: string; by: string } | null;
  /** Why the plan no longer matches its target (re-plan before approval); null when it still does or was not checked. */
  staleReason: string | null;
  stale: boolean | null;
  conflicts: ConflictView[] | null;
  approvals: ApprovalsView | null;
}

export interface CabChange extends ChangeControlFields {
  id: number;
  title: string;
  state: string;
  service: string;
  fromStage: string | null;
  targetStage: string;
  targetIsProduction: boolean;
  image: string;
  affected: { services: string[]; stages: string[]; hosts: string[] };
  earliestAt: string | null;
  requester: string;
  createdAt: string;
  risk: Risk;
  verdict: Verdict;
  acknowledgedDrift: boolean;
  plan: PlanView;
  target: TargetDrift;
}

export interface SummaryRow {
  id: number;
  title: string;
  service: string;
  targetStage: string;
  risk: Risk['level'];
  riskScore: number;
  window: ChangeWindow | null;
  /** When the change may happen at the earliest, for a change with no window yet. */
  earliestAt: string | null;
  state: string;
  approvals: { given: number; required: number } | null;
}

export interface CabPack {
  format: 'stagecraft-cab-pack';
  version: 1;
  meta: ReportMeta;
  cover: { title: string; selection: string; agenda: { position: number; changeId: number; title: string; when: string | null }[] };
  summary: SummaryRow[];
  changes: CabChange[];
}

/** One change as the services found it in the workspace: the plan whole, every drift item, change control when recorded. */
export type CabChangeInput = Omit<CabChange, keyof ChangeControlFields | 'affected' | 'plan' | 'target'> & {
  /** Every host of the target environment: the change's configuration items, whether or not its plan touches them. */
  targetHosts: readonly string[];
  plan: PromotionPlan;
  target: Omit<TargetDrift, 'items' | 'moreItems'> & { items: readonly DriftItem[] };
  control: ChangeControlFields | null;
};

const NOT_RECORDED: ChangeControlFields = {
  category: null,
  description: null,
  justification: null,
  impact: null,
  window: null,
  implementationPlan: null,
  backoutPlan: null,
  testPlan: null,
  requiredApprovers: [],
  riskOverride: null,
  staleReason: null,
  stale: null,
  conflicts: null,
  approvals: null,
};

const SEVERITY_RANK: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
const clipLine = (text: string) => (text.length > DIFF_LINE_CHARS ? `${text.slice(0, DIFF_LINE_CHARS - 1)}…` : text);

/** A file's change folded for reading: at most `shown` changed or context lines, then totals of what was left out. */
export function foldDiff(previous: string | null | undefined, next: string | undefined, shown = DIFF_LINES_SHOWN): FoldedDiff | null {
  if (next === undefined && (previous === undefined || previous === null)) return null;
  const diff = textDiff(previous ?? '', next ?? '', { context: 2 });
  const lines: DiffLine[] = [];
  let hiddenLines = 0;
  let hiddenHunks = 0;
  diff.hunks.forEach((hunk, index) => {
    if (lines.length >= shown) {
      hiddenHunks++;
      hiddenLines += hunk.rows.reduce((n, row) => n + (row.kind === 'same' ? 0 : row.kind === 'changed' ? 2 : 1), 0);
      return;
    }
    if (index > 0 || hunk.oldStart > 1 || hunk.newStart > 1) lines.push({ kind: 'gap', oldLine: hunk.oldStart, newLine: hunk.newStart, text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@` });
    for (const row of hunk.rows) {
      const parts: DiffLine[] =
        row.kind === 'same' ? [{ kind: 'context', oldLine: row.left!.line, newLine: row.right!.line, text: clipLine(row.left!.text) }]
        : [
            ...(row.left ? [{ kind: 'removed' as const, oldLine: row.left.line, newLine: null, text: clipLine(row.left.text) }] : []),
            ...(row.right ? [{ kind: 'added' as const, oldLine: null, newLine: row.right.line, text: clipLine(row.right.text) }] : []),
          ];
      for (const part of parts) {
        if (lines.length < shown) lines.push(part);
        else if (part.kind !== 'context') hiddenLines++;
      }
    }
  });
  const note =
    previous === undefined || previous === null ? (next === undefined ? null : 'New file.')
    : next === undefined ? 'The file is removed.'
    : diff.identical ? 'Only the owner or mode changes.'
    : diff.finalNewlineChanged ? 'Only the final newline changes.'
    : diff.truncated ? 'Too many changes for a line-by-line diff: shown as one replaced block.'
    : null;
  return { added: diff.added, removed: diff.removed, hunks: diff.hunks.length, lines, hiddenLines, hiddenHunks, note };
}

function stepView(step: PlanStep): PlanStepView {
  switch (step.kind) {
    case 'package':
      return { kind: 'package', action: step.action, subject: `${step.name}:${step.arch}`, detail: [step.from, step.to].filter(Boolean).join(' → ') || null, severity: step.severity, diff: null };
    case 'file': {
      const attributes = [step.mode, step.owner && `${step.owner}:${step.group ?? step.owner}`].filter(Boolean).join(' ');
      return { kind: 'file', action: step.action, subject: step.path, detail: attributes || null, severity: step.severity, diff: foldDiff(step.previous, step.action === 'remove' ? undefined : step.content) };
    }
    case 'sysctl':
      return { kind: 'sysctl', action: 'set', subject: step.key, detail: `${step.from ?? '(unset)'} → ${step.to}`, severity: step.severity, diff: null };
    case 'service':
      return { kind: 'service', action: step.action, subject: step.name, detail: step.because ?? null, severity: step.severity, diff: null };
  }
}

/** Hosts whose steps are identical are one group; groups keep the plan's host order. */
export function planView(plan: PromotionPlan): PlanView {
  const groups = new Map<string, PlanGroup>();
  for (const host of plan.hosts) {
    const key = JSON.stringify([host.role, host.rebootNeeded, host.steps]);
    const group = groups.get(key);
    if (group) group.hosts.push(host.host);
    else groups.set(key, { hosts: [host.host], role: host.role, rebootNeeded: host.rebootNeeded, steps: host.steps.map(stepView) });
  }
  return { image: plan.image, summary: plan.summary, unscanned: [...plan.unscanned], groups: [...groups.values()] };
}

/** The moment that orders a change on the agenda: its window, else the earliest it may happen, else when it was drafted. */
export const agendaTime = (change: Pick<CabChange, 'window' | 'earliestAt' | 'createdAt'>): string => change.window?.start ?? change.earliestAt ?? change.createdAt;

export function cabChange(input: CabChangeInput): CabChange {
  const control = input.control ?? NOT_RECORDED;
  const items = [...input.target.items].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.category.localeCompare(b.category) || a.key.localeCompare(b.key));
  const hosts = [...input.targetHosts].sort();
  return {
    id: input.id,
    title: input.title,
    state: input.state,
    service: input.service,
    fromStage: input.fromStage,
    targetStage: input.targetStage,
    targetIsProduction: input.targetIsProduction,
    image: input.image,
    affected: { services: [input.service], stages: [input.targetStage], hosts },
    earliestAt: input.earliestAt,
    requester: input.requester,
    createdAt: input.createdAt,
    risk: input.risk,
    verdict: input.verdict,
    acknowledgedDrift: input.acknowledgedDrift,
    plan: planView(input.plan),
    target: { ...input.target, items: items.slice(0, TARGET_ITEMS_SHOWN), moreItems: Math.max(0, items.length - TARGET_ITEMS_SHOWN) },
    ...control,
  };
}

export function buildCabPack(meta: ReportMeta, selection: string, inputs: readonly CabChangeInput[]): CabPack {
  const changes = inputs.map(cabChange).sort((a, b) => agendaTime(a).localeCompare(agendaTime(b)) || a.id - b.id);
  return {
    format: 'stagecraft-cab-pack',
    version: 1,
    meta,
    cover: {
      title: 'Change Advisory Board pack',
      selection,
      agenda: changes.map((c, i) => ({ position: i + 1, changeId: c.id, title: c.title, when: c.window?.start ?? c.earliestAt })),
    },
    summary: changes.map((c) => ({
      id: c.id,
      title: c.title,
      service: c.service,
      targetStage: c.targetStage,
      risk: c.riskOverride?.level ?? c.risk.level,
      riskScore: c.risk.score,
      window: c.window,
      earliestAt: c.earliestAt,
      state: c.state,
      approvals: c.approvals ? { given: c.approvals.given, required: c.approvals.required } : null,
    })),
    changes,
  };
}
