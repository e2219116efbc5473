/**
 * The release policy, stage by stage, and the verdict on a promotion: each rule passed, failed, a
 * warning or information, with its reason in plain words and what lifts it; whether the promotion
 * is allowed now; and the earliest time it can be (soak and freeze windows considered).
 *
 * Stages are named (names are unique in a lifecycle); times at this boundary are ISO 8601 strings.
 *
 * Decisions:
 * - A stage's policy governs promotions INTO it. Its soak is time the image spent in the stage it
 *   comes from; its freeze windows freeze the stage itself.
 * - `requiredPredecessors` absent means: the image must have been in a stage with an edge into the
 *   target — in practice the stage it is dragged from. Not "every" previous stage: on a branching
 *   lifecycle that would demand both branches. An explicit list means all of those stages.
 * - Soak counts the longest continuous stint of the image in the source stage; a stint that ended
 *   (another image replaced it) stops counting, and then waiting does not help.
 * - A target below its parity threshold fails until the drift is acknowledged, then it is a warning.
 * - Approvals are information at planning time: collected later on the change request.
 */
import { freezeAt, formatInZone, freezeWindowProblems, nextAllowedInstant, occurrencesOf, describeFreezeWindow, type FreezeWindow } from './freeze';
import { downstreamOf, predecessorsOf, shortestPath, stageNamed, type Lifecycle, type LifecycleStage } from './lifecycle';
import { formatParity } from './parity';

export interface StagePolicy {
  /** Stages the image must have been in; absent: one of the stages with an edge into this one. */
  requiredPredecessors?: string[];
  /** Hours the image must have spent in the stage it comes from. */
  minSoakHours: number;
  /** Approvals the change request needs; roles are person roles, e.g. ['cab']; empty: any approver. */
  approvals: { count: number; roles: string[] };
  /** Whether the requester may be one of the approvers. */
  allowSelfApproval: boolean;
  freezeWindows: FreezeWindow[];
  /** 0..1: a target whose parity with production is below this needs an explicit acknowledgement. */
  parityThreshold: number;
}

/** Production; the stages right before a production stage; everything earlier. */
export type StageKind = 'production' | 'preproduction' | 'early';

export function stageKind(lifecycle: Lifecycle, stage: LifecycleStage): StageKind {
  if (stage.isProduction) return 'production';
  const productionIds = new Set(lifecycle.stages.filter((s) => s.isProduction).map((s) => s.id));
  return lifecycle.edges.some((e) => e.from === stage.id && productionIds.has(e.to)) ? 'preproduction' : 'early';
}

/**
 * Defaults: production needs two CAB approvals, 72 h soak in the stage before and 95 % parity;
 * preproduction one approval, 24 h soak, 90 %; early stages nothing (integration moves freely).
 */
export function defaultStagePolicy(kind: StageKind): StagePolicy {
  switch (kind) {
    case 'production':
      return { minSoakHours: 72, approvals: { count: 2, roles: ['cab'] }, allowSelfApproval: false, freezeWindows: [], parityThreshold: 0.95 };
    case 'preproduction':
      return { minSoakHours: 24, approvals: { count: 1, roles: ['approver'] }, allowSelfApproval: false, freezeWindows: [], parityThreshold: 0.9 };
    case 'early':
      return { minSoakHours: 0, approvals: { count: 0, roles: [] }, allowSelfApproval: false, freezeWindows: [], parityThreshold: 0 };
  }
}

export type StagePolicies = Readonly<Record<string, StagePolicy>>;

/** The policy of a stage: its own, or the default for its kind. */
export function policyFor(lifecycle: Lifecycle, policies: StagePolicies, stageName: string): StagePolicy {
  const own = Object.prototype.hasOwnProperty.call(policies, stageName) ? policies[stageName] : undefined;
  if (own) return own;
  const stage = stageNamed(lifecycle, stageName);
  return defaultStagePolicy(stage ? stageKind(lifecycle, stage) : 'early');
}

/** Every stage's effective policy (own or default). */
export function effectivePolicies(lifecycle: Lifecycle, policies: StagePolicies = {}): Record<string, StagePolicy> {
  return Object.fromEntries(lifecycle.stages.map((s) => [s.name, policyFor(lifecycle, policies, s.name)]));
}

/** What is wrong with a stage's policy, in words; empty when it is usable. */
export function policyProblems(lifecycle: Lifecycle, stageName: string, policy: StagePolicy): string[] {
  const problems: string[] = [];
  const stage = stageNamed(lifecycle, stageName);
  if (!stage) return [`There is no stage "${stageName}" in this lifecycle.`];
  if (!Number.isFinite(policy.minSoakHours) || policy.minSoakHours < 0) problems.push('The soak time must be zero or more hours.');
  if (!Number.isInteger(policy.approvals.count) || policy.approvals.count < 0) problems.push('The number of approvals must be a whole number, zero or more.');
  if (!Number.isFinite(policy.parityThreshold) || policy.parityThreshold < 0 || policy.parityThreshold > 1) problems.push('The parity threshold must be between 0 and 1 (0 % to 100 %).');
  const upstream = new Set(lifecycle.stages.filter((s) => downstreamOf(lifecycle, s.id).has(stage.id)).map((s) => s.name));
  for (const name of policy.requiredPredecessors ?? []) {
    if (!stageNamed(lifecycle, name)) problems.push(`Required stage "${name}" is not in this lifecycle.`);
    else if (!upstream.has(name)) problems.push(`Required stage "${name}" does not come before "${stageName}": an image could never satisfy it.`);
  }
  for (const window of policy.freezeWindows) problems.push(...freezeWindowProblems(window));
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Image history

/** The image was assigned to `stage` from `since` until `until` (absent: it still is). */
export interface ImageStint {
  stage: string;
  since: string;
  until?: string;
}

export type ImageHistory = readonly ImageStint[];

const HOUR = 3_600_000;

/** The stint in `stage` that has soaked longest by `now`: its length, and whether it still runs. */
function bestStint(history: ImageHistory, stage: string, now: number): { since: number; soakedMs: number; open: boolean } | null {
  let best: { since: number; soakedMs: number; open: boolean } | null = null;
  for (const stint of history) {
    if (stint.stage !== stage) continue;
    const since = Date.parse(stint.since);
    if (Number.isNaN(since) || since > now) continue;
    const until = stint.until === undefined ? now : Math.min(now, Date.parse(stint.until));
    const candidate = { since, soakedMs: Math.max(0, until - since), open: stint.until === undefined };
    // An open stint is preferred on equal length: it keeps counting.
    if (!best || candidate.soakedMs > best.soakedMs || (candidate.soakedMs === best.soakedMs && candidate.open)) best = candidate;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Drop targets: what the lifecycle itself allows

export type RefusalKind = 'unknown-stage' | 'same-stage' | 'upstream' | 'skipped' | 'unrelated' | 'frozen';

export interface DropRefusal {
  kind: RefusalKind;
  reason: string;
}

const list = (names: readonly string[]) => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Why the lifecycle does not let an image move from one stage to another, or null when an edge allows it. */
export function structuralRefusal(lifecycle: Lifecycle, from: string, to: string): DropRefusal | null {
  const source = stageNamed(lifecycle, from);
  const target = stageNamed(lifecycle, to);
  if (!source || !target) return { kind: 'unknown-stage', reason: `There is no stage "${!source ? from : to}" in this lifecycle.` };
  if (source.id === target.id) return { kind: 'same-stage', reason: `The image is already in ${to}: drop it on a later stage.` };
  if (lifecycle.edges.some((e) => e.from === source.id && e.to === target.id)) return null;
  if (downstreamOf(lifecycle, target.id).has(source.id)) {
    return { kind: 'upstream', reason: `${to} comes before ${from}: images only move forward. To change ${to}, promote from the stage before it.` };
  }
  const path = shortestPath(lifecycle, source.id, target.id);
  if (path) {
    const skipped = path.slice(1, -1).map((s) => s.name);
    return { kind: 'skipped', reason: `${to} is not next after ${from}: the image would skip ${list(skipped)}. Promote it to ${skipped[0]!} first.` };
  }
  return { kind: 'unrelated', reason: `No promotion path leads from ${from} to ${to}: they are on different branches of the lifecycle.` };
}

export interface DropTarget {
  stage: string;
  allowed: boolean;
  refusal: DropRefusal | null;
}

/**
 * For a drag from `from`: every stage of the lifecycle, whether dropping there makes sense now
 * (an edge leads there and it is not frozen), and if not, why. Soak, predecessors and parity are
 * left to the full verdict, which the plan dialog shows.
 */
export function dropTargets(lifecycle: Lifecycle, policies: StagePolicies, from: string, now: string, displayZone = 'UTC'): DropTarget[] {
  const at = Date.parse(now);
  return [...lifecycle.stages]
    .sort((a, b) => a.position - b.position)
    .map((stage) => {
      let refusal = structuralRefusal(lifecycle, from, stage.name);
      if (!refusal) {
        const frozen = freezeAt(policyFor(lifecycle, policies, stage.name).freezeWindows, at);
        if (frozen) refusal = { kind: 'frozen', reason: `${stage.name} is frozen (${frozen.reason}) until ${formatInZone(frozen.end, displayZone)}.` };
      }
      return { stage: stage.name, allowed: refusal === null, refusal };
    });
}

// ---------------------------------------------------------------------------------------------
// The verdict

export type RuleId = 'stages' | 'edge' | 'predecessors' | 'soak' | 'freeze' | 'parity' | 'approvals';
export type RuleStatus = 'passed' | 'failed' | 'warning' | 'info';
/** What lifts a failed rule: waiting (until `passesAt`), an acknowledgement, the image going through other stages first, re-assigning it to the source stage, or nothing (the lifecycle forbids it). */
export type Remedy = 'wait' | 'acknowledge' | 'promote-through' | 'reassign' | 'none';

export interface RuleVerdict {
  rule: RuleId;
  status: RuleStatus;
  reason: string;
  /** For failed rules. */
  remedy?: Remedy;
  /** When waiting makes this rule pass (remedy 'wait'; or a freeze warning: when the freeze the soak ends in is over). */
  passesAt?: string;
}

export interface PromotionVerdict {
  from: string;
  to: string;
  /** Every rule passed or is a warning or information: the promotion may be planned and requested now. */
  allowed: boolean;
  /** Set when the lifecycle itself forbids the move (same stage, skipped, upstream, unrelated, unknown stage). */
  refusal: DropRefusal | null;
  rules: RuleVerdict[];
  /** The earliest time it is allowed, if acknowledgements are given (soak and freeze windows considered); null when waiting never suffices. */
  earliestAllowedAt: string | null;
}

export interface PromotionQuestion {
  lifecycle: Lifecycle;
  policies: StagePolicies;
  history: ImageHistory;
  from: string;
  to: string;
  now: string;
  /** The target stage's parity with production (0..1), when known. */
  targetParity?: number;
  acknowledgedDrift?: boolean;
  /** The zone times are written in within reasons; UTC by default. */
  displayZone?: string;
}

/** A freeze starting within this long after an allowed moment is mentioned as a warning. */
const FREEZE_WARNING_MS = 24 * HOUR;

export function evaluatePromotion(q: PromotionQuestion): PromotionVerdict {
  const { lifecycle, from, to } = q;
  const zone = q.displayZone ?? 'UTC';
  const when = (t: number) => formatInZone(t, zone);
  const now = Date.parse(q.now);
  const refusal = structuralRefusal(lifecycle, from, to);
  if (refusal) {
    const rule: RuleId = refusal.kind === 'unknown-stage' ? 'stages' : 'edge';
    return { from, to, allowed: false, refusal, rules: [{ rule, status: 'failed', reason: refusal.reason, remedy: 'none' }], earliestAllowedAt: null };
  }
  const target = stageNamed(lifecycle, to)!;
  const policy = policyFor(lifecycle, q.policies, to);
  const rules: RuleVerdict[] = [{ rule: 'edge', status: 'passed', reason: `${from} promotes to ${to}.` }];
  const been = (stage: string) => q.history.some((s) => s.stage === stage && !Number.isNaN(Date.parse(s.since)) && Date.parse(s.since) <= now);

  // Predecessors
  if (policy.requiredPredecessors === undefined) {
    const previous = predecessorsOf(lifecycle, target.id).map((s) => s.name);
    rules.push(
      been(from)
        ? { rule: 'predecessors', status: 'passed', reason: `The image has been in ${from}, the stage before ${to}.` }
        : {
            rule: 'predecessors',
            status: 'failed',
            reason: `The image has never been in ${from}: it must pass ${previous.length > 1 ? `one of ${list(previous)}` : from} before ${to}.`,
            remedy: 'promote-through',
          },
    );
  } else {
    const unknown = policy.requiredPredecessors.filter((name) => !stageNamed(lifecycle, name));
    const missing = policy.requiredPredecessors.filter((name) => stageNamed(lifecycle, name) && !been(name));
    if (unknown.length > 0) {
      rules.push({ rule: 'predecessors', status: 'failed', reason: `The policy of ${to} requires ${list(unknown)}, which ${unknown.length === 1 ? 'is' : 'are'} not in the lifecycle: fix the policy.`, remedy: 'none' });
    } else if (missing.length > 0) {
      rules.push({ rule: 'predecessors', status: 'failed', reason: `Before ${to}, the image must have been in ${list(policy.requiredPredecessors)}; it has not been in ${list(missing)}.`, remedy: 'promote-through' });
    } else {
      rules.push({ rule: 'predecessors', status: 'passed', reason: `The image has been in ${list(policy.requiredPredecessors) || 'every stage required'}.` });
    }
  }

  // Soak
  let soakUntil = now;
  let soakBlocksForever = false;
  if (policy.minSoakHours <= 0) {
    rules.push({ rule: 'soak', status: 'passed', reason: `${to} requires no soak time.` });
  } else {
    const needed = policy.minSoakHours * HOUR;
    const stint = bestStint(q.history, from, now);
    const hours = (ms: number) => `${Math.floor(ms / HOUR)} h`;
    if (!stint) {
      soakBlocksForever = true;
      rules.push({ rule: 'soak', status: 'failed', reason: `${to} requires ${policy.minSoakHours} h in ${from}, and the image has not been there.`, remedy: 'promote-through' });
    } else if (stint.soakedMs >= needed) {
      rules.push({ rule: 'soak', status: 'passed', reason: `The image soaked ${hours(stint.soakedMs)} in ${from} (${policy.minSoakHours} h required).` });
    } else if (stint.open) {
      soakUntil = stint.since + needed;
      rules.push({
        rule: 'soak',
        status: 'failed',
        reason: `Soak not met: ${to} requires ${policy.minSoakHours} h in ${from}; the image has been there ${hours(stint.soakedMs)}, so not before ${when(soakUntil)}.`,
        remedy: 'wait',
        passesAt: new Date(soakUntil).toISOString(),
      });
    } else {
      soakBlocksForever = true;
      rules.push({
        rule: 'soak',
        status: 'failed',
        reason: `Soak not met: the image ran ${hours(stint.soakedMs)} in ${from} before it was replaced, and ${to} requires ${policy.minSoakHours} h. Assign it to ${from} again to soak.`,
        remedy: 'reassign',
      });
    }
  }

  // Freeze
  const frozen = freezeAt(policy.freezeWindows, now);
  const notBefore = Math.max(now, soakUntil);
  const allowedAt = nextAllowedInstant(policy.freezeWindows, notBefore);
  if (frozen) {
    const open = nextAllowedInstant(policy.freezeWindows, now);
    rules.push({
      rule: 'freeze',
      status: 'failed',
      reason: open === null ? `${to} is frozen (${frozen.reason}) with no end in sight.` : `${to} is frozen (${frozen.reason}) until ${when(open)}.`,
      remedy: open === null ? 'none' : 'wait',
      ...(open !== null && { passesAt: new Date(open).toISOString() }),
    });
  } else if (allowedAt !== null && allowedAt > notBefore) {
    // Free now, but the soak ends inside a freeze.
    const blocking = freezeAt(policy.freezeWindows, notBefore)!;
    rules.push({
      rule: 'freeze',
      status: 'warning',
      reason: `${to} is free now, but when the soak ends it is frozen (${blocking.reason}) until ${when(allowedAt)}.`,
      passesAt: new Date(allowedAt).toISOString(),
    });
  } else {
    const upcoming = occurrencesOf(policy.freezeWindows, notBefore, notBefore + FREEZE_WARNING_MS)[0];
    rules.push(
      upcoming
        ? { rule: 'freeze', status: 'warning', reason: `${to} is not frozen, but a freeze (${upcoming.reason}) begins at ${when(upcoming.start)}.` }
        : {
            rule: 'freeze',
            status: 'passed',
            reason: policy.freezeWindows.length === 0 ? `${to} has no freeze windows.` : `${to} is not frozen (${policy.freezeWindows.map(describeFreezeWindow).join('; ')}).`,
          },
    );
  }

  // Parity
  if (q.targetParity === undefined) {
    rules.push({ rule: 'parity', status: 'info', reason: `The parity of ${to} with production is not known: scan its hosts to compare.` });
  } else if (q.targetParity >= policy.parityThreshold) {
    rules.push({ rule: 'parity', status: 'passed', reason: `${to} is at ${formatParity(q.targetParity)} parity with production (threshold ${formatParity(policy.parityThreshold)}).` });
  } else if (q.acknowledgedDrift) {
    rules.push({ rule: 'parity', status: 'warning', reason: `${to} is at ${formatParity(q.targetParity)} parity, below its threshold of ${formatParity(policy.parityThreshold)}; the drift was acknowledged.` });
  } else {
    rules.push({
      rule: 'parity',
      status: 'failed',
      reason: `${to} is at ${formatParity(q.targetParity)} parity with production, below its threshold of ${formatParity(policy.parityThreshold)}: acknowledge its drift to proceed.`,
      remedy: 'acknowledge',
    });
  }

  // Approvals (collected on the change request)
  const { count, roles } = policy.approvals;
  rules.push(
    count === 0
      ? { rule: 'approvals', status: 'info', reason: `${to} needs no approval.` }
      : {
          rule: 'approvals',
          status: 'info',
          reason: `Needs ${plural(count, 'approval')}${roles.length > 0 ? ` from ${roles.join(' or ')}` : ''}${policy.allowSelfApproval ? '' : '; the requester cannot approve their own change'}.`,
        },
  );

  const failed = rules.filter((r) => r.status === 'failed');
  const never = soakBlocksForever || failed.some((r) => r.remedy !== 'wait' && r.remedy !== 'acknowledge') || allowedAt === null;
  return { from, to, allowed: failed.length === 0, refusal: null, rules, earliestAllowedAt: never ? null : new Date(allowedAt).toISOString() };
}

// ---------------------------------------------------------------------------------------------
// What-if along a path

export interface PathHop {
  from: string;
  to: string;
  /** When the hop can be made at the earliest, the previous hops made as early as allowed; null when it cannot. */
  earliestAt: string | null;
  /** Rules that only make it wait (soak, freeze), with when each passes. */
  waitsFor: RuleVerdict[];
  /** Rules waiting does not lift: the path stops here. */
  blockers: RuleVerdict[];
  verdict: PromotionVerdict;
}

export interface PathSimulation {
  hops: PathHop[];
  /** When the image reaches the last stage of the path at the earliest; null when it cannot. */
  arrivesAt: string | null;
  /** Stages of the path after a blocked hop. */
  unreached: string[];
  /** What the simulation takes for granted. */
  assumptions: string[];
}

/**
 * What-if: the image moved along `path` (stage names, starting where it is now), each hop made as
 * early as its soak and freeze windows allow, the image's history imagined forward so soak
 * accumulates in each stage it reaches. Drift is assumed acknowledged and approvals given at once.
 * Nothing is changed.
 */
export function simulatePath(lifecycle: Lifecycle, policies: StagePolicies, history: ImageHistory, path: readonly string[], now: string, displayZone = 'UTC'): PathSimulation {
  const imagined: ImageStint[] = [...history];
  const hops: PathHop[] = [];
  let clock = now;
  let arrivesAt: string | null = path.length > 0 ? now : null;
  let unreached: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const from = path[i - 1]!;
    const to = path[i]!;
    const first = evaluatePromotion({ lifecycle, policies, history: imagined, from, to, now: clock, acknowledgedDrift: true, displayZone });
    const blockers = first.rules.filter((r) => r.status === 'failed' && r.remedy !== 'wait' && r.remedy !== 'acknowledge');
    const waitsFor = first.rules.filter((r) => r.passesAt !== undefined);
    const earliestAt = blockers.length > 0 ? null : first.earliestAllowedAt;
    hops.push({ from, to, earliestAt, waitsFor, blockers, verdict: first });
    if (earliestAt === null) {
      arrivesAt = null;
      unreached = path.slice(i + 1) as string[];
      break;
    }
    imagined.push({ stage: to, since: earliestAt });
    clock = earliestAt;
    arrivesAt = earliestAt;
  }
  return {
    hops,
    arrivesAt,
    unreached,
    assumptions: ['Each hop is made as soon as it is allowed.', 'Drift below a parity threshold is acknowledged.', 'Approvals are given at once.'],
  };
}
