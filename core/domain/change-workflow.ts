/**
 * The life of a change request, as a CAB runs it:
 *   draft → submitted → approved | rejected → scheduled → implemented → closed,
 * with cancelled (before implementation), failed (an apply that did not finish) and rolled-back.
 * Every transition is checked here, purely: who may do it, what it needs, and why it is refused.
 */
import { StagecraftError } from './errors';
import { formatInZone } from './freeze-windows';

export const CHANGE_STATES = ['draft', 'submitted', 'approved', 'rejected', 'scheduled', 'implemented', 'closed', 'cancelled', 'rolled-back', 'failed'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** States in which a change still intends to touch its target. */
export const OPEN_STATES: readonly ChangeState[] = ['draft', 'submitted', 'approved', 'scheduled'];

export const PERSON_ROLES = ['requester', 'approver', 'cab', 'release-manager'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const CHANGE_CATEGORIES = ['standard', 'normal', 'emergency'] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

/** What checking a signed decision found: unknown-key when the key it names is not the approver's. */
export const SIGNATURE_STATUSES = ['valid', 'invalid', 'unsigned', 'unknown-key'] as const;
export type SignatureStatus = (typeof SIGNATURE_STATUSES)[number];

/** Roles as people read them, with their article. */
const ROLE_NAMES: Record<PersonRole, string> = { requester: 'a requester', approver: 'an approver', cab: 'a CAB member', 'release-manager': 'a release manager' };

export interface Person {
  id: number;
  name: string;
  roles: PersonRole[];
}

export interface ApprovalRequirement {
  /** Approvals needed before the change is approved. */
  count: number;
  /** Roles an approver must hold (any of them); empty means any approver or CAB member. */
  roles: PersonRole[];
  allowSelfApproval: boolean;
}

export interface Decision {
  personId: number;
  decision: 'approve' | 'reject';
  at: string;
}

export interface ChangeWindow {
  start: string; // ISO instant
  end: string;
  timeZone: string; // IANA, as the requester planned it
}

export interface WorkflowChange {
  state: ChangeState;
  requesterId: number;
  decisions: readonly Decision[];
  window: ChangeWindow | null;
  requirement: ApprovalRequirement;
  /** True when the plan no longer matches its target (rescanned, or its image changed). */
  stale: boolean;
}

export const CHANGE_ACTIONS = ['submit', 'approve', 'reject', 'schedule', 'implement', 'fail', 'close', 'cancel', 'roll-back', 'reopen'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

/** Which state each action leads to, from which states. */
const MOVES: Record<ChangeAction, { from: readonly ChangeState[]; to: ChangeState }> = {
  submit: { from: ['draft'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'rejected' },
  schedule: { from: ['approved', 'scheduled'], to: 'scheduled' },
  implement: { from: ['scheduled'], to: 'implemented' },
  fail: { from: ['scheduled'], to: 'failed' },
  close: { from: ['implemented', 'rolled-back', 'rejected', 'failed'], to: 'closed' },
  cancel: { from: ['draft', 'submitted', 'approved', 'scheduled'], to: 'cancelled' },
  'roll-back': { from: ['implemented', 'failed'], to: 'rolled-back' },
  reopen: { from: ['rejected'], to: 'draft' },
};

/** The actions a change in `state` can take at all (whoever asks). */
export const actionsFrom = (state: ChangeState): ChangeAction[] => CHANGE_ACTIONS.filter((action) => MOVES[action].from.includes(state));

/** Who may take each action, beyond the rules of the action itself. */
const ACTORS: Record<ChangeAction, 'requester' | 'approver' | 'release-manager' | 'requester-or-release-manager'> = {
  submit: 'requester-or-release-manager',
  approve: 'approver',
  reject: 'approver',
  schedule: 'release-manager',
  implement: 'release-manager',
  fail: 'release-manager',
  close: 'requester-or-release-manager',
  cancel: 'requester-or-release-manager',
  'roll-back': 'release-manager',
  reopen: 'requester',
};

export interface TransitionInput {
  change: WorkflowChange;
  action: ChangeAction;
  actor: Person;
  now: string;
  /** For schedule: the window asked for, and whether it falls in a freeze (the caller checks freeze windows). */
  window?: ChangeWindow;
  frozen?: { reason: string } | null;
  /** For schedule: asks only whether the change may be scheduled at all; the window is checked when it is given. */
  windowToBeGiven?: boolean;
  /** For reject and cancel: why. */
  reason?: string;
}

export type TransitionResult = { ok: true; state: ChangeState; decision?: Decision } | { ok: false; reason: string };

const refuse = (reason: string): TransitionResult => ({ ok: false, reason });

function qualifies(person: Person, requirement: ApprovalRequirement): boolean {
  const roles: readonly PersonRole[] = requirement.roles.length > 0 ? requirement.roles : ['approver', 'cab'];
  return person.roles.some((role) => roles.includes(role));
}

/** Approvals that count: by qualified people, at most one per person, the latest decision of each. */
export function approvalsCounted(change: Pick<WorkflowChange, 'decisions'>): Decision[] {
  const latest = new Map<number, Decision>();
  for (const decision of change.decisions) latest.set(decision.personId, decision);
  return [...latest.values()].filter((d) => d.decision === 'approve');
}

/**
 * Whether `actor` may take `action` now, and the state it leads to. Approving records a decision;
 * the change becomes approved only when enough qualified people have approved it.
 */
export function transition(input: TransitionInput): TransitionResult {
  const { change, action, actor } = input;
  const move = MOVES[action];
  if (!move.from.includes(change.state)) {
    return refuse(`A ${change.state} change cannot be ${PAST[action]}; that is possible only from ${move.from.join(' or ')}.`);
  }
  const isRequester = actor.id === change.requesterId;
  const isReleaseManager = actor.roles.includes('release-manager');
  switch (ACTORS[action]) {
    case 'requester':
      if (!isRequester) return refuse(`Only the requester may ${action} this change.`);
      break;
    case 'requester-or-release-manager':
      if (!isRequester && !isReleaseManager) return refuse(`Only the requester or a release manager may ${action} this change.`);
      break;
    case 'release-manager':
      if (!isReleaseManager) return refuse(`Only a release manager may ${action} a change.`);
      break;
    case 'approver':
      if (!qualifies(actor, change.requirement)) {
        const roles = change.requirement.roles.length > 0 ? change.requirement.roles.map((r) => ROLE_NAMES[r]).join(' or ') : 'an approver or a CAB member';
        return refuse(`${actor.name} cannot decide on this change: it needs ${roles}.`);
      }
      if (isRequester && !change.requirement.allowSelfApproval) return refuse(`${actor.name} requested this change and cannot decide on it: the policy asks for separation of duties.`);
      break;
  }
  if (change.stale && ['submit', 'approve', 'schedule', 'implement'].includes(action)) {
    return refuse('The plan no longer matches its target (it was rescanned or its image changed): re-plan the change first.');
  }
  switch (action) {
    case 'approve': {
      const decision: Decision = { personId: actor.id, decision: 'approve', at: input.now };
      const approvals = approvalsCounted({ decisions: [...change.decisions, decision] }).length;
      return { ok: true, state: approvals >= change.requirement.count ? 'approved' : 'submitted', decision };
    }
    case 'reject':
      if (!input.reason?.trim()) return refuse('Say why the change is rejected.');
      return { ok: true, state: 'rejected', decision: { personId: actor.id, decision: 'reject', at: input.now } };
    case 'cancel':
      if (!input.reason?.trim()) return refuse('Say why the change is cancelled.');
      return { ok: true, state: 'cancelled' };
    case 'schedule': {
      if (input.windowToBeGiven) return { ok: true, state: 'scheduled' };
      const window = input.window ?? change.window;
      if (!window) return refuse('A change is scheduled into a window: give its start and end.');
      const start = Date.parse(window.start);
      const end = Date.parse(window.end);
      if (!Number.isFinite(start) || !Number.isFinite(end)) return refuse('The window needs a valid start and end.');
      if (end <= start) return refuse('The window must end after it starts.');
      if (end <= Date.parse(input.now)) return refuse('The window is already over.');
      if (input.frozen) return refuse(`The window falls in a freeze: ${input.frozen.reason}.`);
      return { ok: true, state: 'scheduled' };
    }
    case 'implement': {
      const window = change.window;
      if (window && (Date.parse(input.now) < Date.parse(window.start) || Date.parse(input.now) > Date.parse(window.end))) {
        return refuse(`The change may be implemented only within its window (${describeWindow(window)}).`);
      }
      return { ok: true, state: 'implemented' };
    }
    default:
      return { ok: true, state: move.to };
  }
}

const PAST: Record<ChangeAction, string> = {
  submit: 'submitted',
  approve: 'approved',
  reject: 'rejected',
  schedule: 'scheduled',
  implement: 'implemented',
  fail: 'marked failed',
  close: 'closed',
  cancel: 'cancelled',
  'roll-back': 'rolled back',
  reopen: 'reopened',
};

/** The same as transition, for callers that want an exception. */
export function transitionOrThrow(input: TransitionInput): Extract<TransitionResult, { ok: true }> {
  const result = transition(input);
  if (!result.ok) throw new StagecraftError('refused', result.reason);
  return result;
}

/** What a plan was made against; a change is stale when any of it moved on. */
export interface PlanBasis {
  imageId: number;
  /** The target stage's assigned image when the plan was made. */
  targetImageId: number | null;
  /** Latest snapshot id of each target host when the plan was made. */
  snapshots: Record<string, number>;
}

/** Why a plan no longer matches its target, or null when it still does. */
export function staleness(basis: PlanBasis, current: PlanBasis): string | null {
  if (basis.targetImageId !== current.targetImageId) return 'the target stage was assigned another image';
  const hosts = new Set([...Object.keys(basis.snapshots), ...Object.keys(current.snapshots)]);
  for (const host of [...hosts].sort()) {
    if (basis.snapshots[host] === undefined) return `host ${host} joined the target stage`;
    if (current.snapshots[host] === undefined) return `host ${host} left the target stage`;
    if (basis.snapshots[host] !== current.snapshots[host]) return `host ${host} was rescanned`;
  }
  return null;
}

/** "2026-10-25 01:30 Europe/Berlin to 2026-10-25 04:00": a window as the people who planned it read it. */
export function describeWindow(window: ChangeWindow): string {
  return `${formatInZone(Date.parse(window.start), window.timeZone)} to ${formatInZone(Date.parse(window.end), window.timeZone).replace(` ${window.timeZone}`, '')}`;
}
