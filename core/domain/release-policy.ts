/**
 * The release policy of a lifecycle, stage by stage, and the verdict on a promotion: each rule
 * passed, failed or a warning, with its reason in plain words, and the earliest time it is allowed.
 */
import type { PersonRole } from './change-workflow';
import { describeFreeze, frozenAt, nextAllowedInstant, type FreezeWindow } from './freeze-windows';
import { downstreamOf, type Lifecycle, type LifecycleStage } from './lifecycle';
import { formatParity } from './parity';

export interface StagePolicy {
  /** Stages the image must have been in before this one; null means the stages with an edge into it. */
  requiredPredecessors: string[] | null;
  /** Hours the image must have spent in the stage it comes from. */
  minSoakHours: number;
  approvals: { count: number; roles: PersonRole[] };
  allowSelfApproval: boolean;
  freezeWindows: FreezeWindow[];
  /** 0..1: a target below this parity with production needs an explicit acknowledgement. */
  parityThreshold: number;
}

export function defaultPolicy(stage: Pick<LifecycleStage, 'isProduction'>): StagePolicy {
  return stage.isProduction
    ? { requiredPredecessors: null, minSoakHours: 72, approvals: { count: 2, roles: ['cab'] }, allowSelfApproval: false, freezeWindows: [], parityThreshold: 0.99 }
    : { requiredPredecessors: null, minSoakHours: 0, approvals: { count: 1, roles: ['approver'] }, allowSelfApproval: false, freezeWindows: [], parityThreshold: 0.95 };
}

export type RuleStatus = 'passed' | 'failed' | 'warning' | 'info';

export interface RuleResult {
  rule: 'same-stage' | 'edge' | 'predecessors' | 'soak' | 'freeze' | 'parity' | 'approvals';
  status: RuleStatus;
  reason: string;
}

export interface Verdict {
  /** Every rule passed (warnings acknowledged, approvals still to collect). */
  allowed: boolean;
  /** The lifecycle itself forbids it (same stage, skipped or upstream stage): no plan is worth making. */
  refusedOutright: boolean;
  rules: RuleResult[];
  /** When the promotion may happen at the earliest (soak and freezes), or null when never by this path. */
  earliestAt: string | null;
}

/** When an image reached each stage (stage id → ISO time). */
export type ImageHistory = ReadonlyMap<number, string>;

export interface PromotionQuestion {
  lifecycle: Lifecycle;
  policies: ReadonlyMap<number, StagePolicy>;
  history: ImageHistory;
  fromStageId: number;
  toStageId: number;
  now: string;
  /** The target's current parity with production, when known. */
  targetParity?: number;
  acknowledgedDrift?: boolean;
}

const HOUR = 3_600_000;

const stageName = (lifecycle: Lifecycle, id: number) => lifecycle.stages.find((s) => s.id === id)?.name ?? `stage ${id}`;

/** Why the lifecycle has no edge from → to: upstream, skipping stages, or another branch. */
function edgeRule(lifecycle: Lifecycle, from: number, to: number): RuleResult {
  if (lifecycle.edges.some((e) => e.from === from && e.to === to)) {
    return { rule: 'edge', status: 'passed', reason: `${stageName(lifecycle, from)} promotes to ${stageName(lifecycle, to)}.` };
  }
  if (downstreamOf(lifecycle, to).has(from)) {
    return { rule: 'edge', status: 'failed', reason: `${stageName(lifecycle, to)} is upstream of ${stageName(lifecycle, from)}: images only move forward.` };
  }
  if (downstreamOf(lifecycle, from).has(to)) {
    const skipped = lifecycle.edges.filter((e) => e.from === from).map((e) => stageName(lifecycle, e.to));
    return { rule: 'edge', status: 'failed', reason: `${stageName(lifecycle, to)} is not next after ${stageName(lifecycle, from)}: it would skip ${skipped.join(' and ')}.` };
  }
  return { rule: 'edge', status: 'failed', reason: `The lifecycle has no path from ${stageName(lifecycle, from)} to ${stageName(lifecycle, to)}.` };
}

export function evaluatePromotion(q: PromotionQuestion): Verdict {
  const { lifecycle, fromStageId: from, toStageId: to } = q;
  const target = lifecycle.stages.find((s) => s.id === to);
  const policy = q.policies.get(to) ?? defaultPolicy({ isProduction: target?.isProduction ?? false });
  if (from === to) {
    return { allowed: false, refusedOutright: true, rules: [{ rule: 'same-stage', status: 'failed', reason: `The image is already in ${stageName(lifecycle, to)}.` }], earliestAt: null };
  }
  const edge = edgeRule(lifecycle, from, to);
  if (edge.status === 'failed') return { allowed: false, refusedOutright: true, rules: [edge], earliestAt: null };

  const rules: RuleResult[] = [edge];
  const now = Date.parse(q.now);
  let earliest = now;

  const predecessors = policy.requiredPredecessors ?? lifecycle.edges.filter((e) => e.to === to).map((e) => stageName(lifecycle, e.from));
  const missing = predecessors.filter((name) => {
    const stage = lifecycle.stages.find((s) => s.name === name);
    return !stage || !q.history.has(stage.id);
  });
  rules.push(
    missing.length === 0
      ? { rule: 'predecessors', status: 'passed', reason: `The image has been through ${predecessors.join(' and ') || 'every stage required'}.` }
      : { rule: 'predecessors', status: 'failed', reason: `The image has not been through ${missing.join(' and ')} yet.` },
  );

  const arrived = q.history.get(from);
  if (policy.minSoakHours > 0) {
    if (arrived === undefined) {
      rules.push({ rule: 'soak', status: 'failed', reason: `The image has not been in ${stageName(lifecycle, from)}, so it has not soaked there.` });
    } else {
      const soaked = Date.parse(arrived) + policy.minSoakHours * HOUR;
      earliest = Math.max(earliest, soaked);
      rules.push(
        soaked <= now
          ? { rule: 'soak', status: 'passed', reason: `It soaked ${policy.minSoakHours} h in ${stageName(lifecycle, from)} (since ${arrived}).` }
          : { rule: 'soak', status: 'failed', reason: `It must soak ${policy.minSoakHours} h in ${stageName(lifecycle, from)}: not before ${new Date(soaked).toISOString()}.` },
      );
    }
  } else rules.push({ rule: 'soak', status: 'passed', reason: 'No soak time is required.' });

  const frozen = frozenAt(policy.freezeWindows, earliest);
  const allowedAt = nextAllowedInstant(policy.freezeWindows, earliest);
  rules.push(
    frozen === null
      ? { rule: 'freeze', status: 'passed', reason: policy.freezeWindows.length === 0 ? 'No freeze windows.' : `Not frozen (${policy.freezeWindows.map(describeFreeze).join('; ')}).` }
      : { rule: 'freeze', status: 'failed', reason: `${stageName(lifecycle, to)} is frozen: ${frozen.reason}, until ${new Date(frozen.end).toISOString()}.` },
  );

  if (q.targetParity !== undefined) {
    const below = q.targetParity < policy.parityThreshold;
    rules.push(
      !below
        ? { rule: 'parity', status: 'passed', reason: `${stageName(lifecycle, to)} is at ${formatParity(q.targetParity)} parity (threshold ${formatParity(policy.parityThreshold)}).` }
        : q.acknowledgedDrift
          ? { rule: 'parity', status: 'passed', reason: `${stageName(lifecycle, to)} is below its parity threshold (${formatParity(q.targetParity)} < ${formatParity(policy.parityThreshold)}); the drift was acknowledged.` }
          : { rule: 'parity', status: 'warning', reason: `${stageName(lifecycle, to)} is at ${formatParity(q.targetParity)} parity, below its threshold of ${formatParity(policy.parityThreshold)}: acknowledge its drift to proceed.` },
    );
  }

  rules.push({
    rule: 'approvals',
    status: 'info',
    reason: `Needs ${policy.approvals.count} approval${policy.approvals.count === 1 ? '' : 's'}${policy.approvals.roles.length > 0 ? ` from ${policy.approvals.roles.join(' or ')}` : ''}${policy.allowSelfApproval ? '' : ', not by the requester'}.`,
  });

  const failedNow = rules.some((r) => r.status === 'failed' || r.status === 'warning');
  const blockedForever = rules.some((r) => r.rule === 'predecessors' && r.status === 'failed');
  return { allowed: !failedNow, refusedOutright: false, rules, earliestAt: blockedForever ? null : new Date(allowedAt).toISOString() };
}

export interface Hop {
  fromStageId: number;
  toStageId: number;
  verdict: Verdict;
  /** When the image would arrive here at the earliest, if every hop is made as early as allowed. */
  arrivesAt: string | null;
  /** What holds this hop back at that time (failed rules other than soak and freeze, which only delay it). */
  blockers: string[];
}

/**
 * What-if: the image moved along `path` (stage ids, starting where it is), each hop as early as
 * its soak and freezes allow. Nothing is changed; the history is only imagined forward.
 */
export function simulatePath(q: Omit<PromotionQuestion, 'fromStageId' | 'toStageId' | 'targetParity' | 'acknowledgedDrift'>, path: readonly number[]): Hop[] {
  const history = new Map(q.history);
  let clock = q.now;
  const hops: Hop[] = [];
  for (let i = 1; i < path.length; i++) {
    const from = path[i - 1]!;
    const to = path[i]!;
    const verdict = evaluatePromotion({ ...q, history, fromStageId: from, toStageId: to, now: clock });
    const blockers = verdict.rules.filter((r) => r.status === 'failed' && r.rule !== 'soak' && r.rule !== 'freeze').map((r) => r.reason);
    const arrivesAt = verdict.refusedOutright || verdict.earliestAt === null || blockers.length > 0 ? null : verdict.earliestAt;
    hops.push({ fromStageId: from, toStageId: to, verdict, arrivesAt, blockers });
    if (arrivesAt === null) break;
    history.set(to, arrivesAt);
    clock = arrivesAt;
  }
  return hops;
}
