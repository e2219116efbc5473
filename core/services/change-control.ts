/**
 * Change control as use cases. `transitionChange` is the one way any caller (the app, the CLI,
 * applying a promotion) moves a change request from state to state: it checks the workflow rules
 * (core/domain/change-workflow), the target stage's policy (approvals, separation of duties, freeze
 * windows) and whether the plan still matches its target, then records the new state, the history
 * entry and the signed decision in one audited transaction.
 */
import { approvalsCounted, CHANGE_ACTIONS, describeWindow, OPEN_STATES, PERSON_ROLES, staleness, transition, type ChangeAction, type ChangeCategory, type ChangeState, type ChangeWindow, type Person, type PersonRole, type PlanBasis, type SignatureStatus } from '../domain/change-workflow';
import { conflictsOf, type CalendarEvent, type Conflict, type ScheduledChange } from '../domain/change-conflicts';
import { canonicalJson } from '../domain/canonical-json';
import { backoutPlanOf, implementationPlanOf, testPlanOf, type ApprovalPayload, type VmOfHost } from '../domain/change-record';
import { StagecraftError } from '../domain/errors';
import { frozenAt, frozenDuring } from '../domain/freeze-windows';
import type { ServiceSummary } from '../domain/inventory';
import type { PromotionPlan } from '../domain/promotion-plan';
import type { Risk, RiskLevel } from '../domain/promotion-risk';
import { defaultPolicy, type StagePolicy, type Verdict } from '../domain/release-policy';
import type { ChangeDetails, DecisionRecord, PersonRecord } from '../store/change-repository';
import type { ChangeRequestRow } from '../store/promotion-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { cachedInventory, matchCandidates, matchDomains } from './hypervisors';
import { keyFingerprint, verifySignature, type KeyRing } from './signing';

/** What promotion.saveDraft stores as a change's plan blob. */
export interface StoredPlan {
  plan: PromotionPlan;
  basis?: PlanBasis;
  acknowledgedDrift: boolean;
  targetParity: number;
}

type Row = ChangeRequestRow<Verdict, Risk>;

const changeRow = (store: WorkspaceStore, changeId: number) => store.promotion.change<Verdict, Risk>(changeId);

/** The change's service and target stage (through `schedule`'s lookups when given); refused when the stage is gone. */
function targetOf(store: WorkspaceStore, row: Row, schedule?: Schedule): { service: ServiceSummary; stage: ServiceSummary['stages'][number] } {
  const service = schedule ? schedule.service(row.serviceId) : store.inventory.getService(row.serviceId);
  const stage = service.stages.find((s) => s.id === row.toStageId);
  if (!stage) throw new StagecraftError('not-found', `The target stage of change ${row.id} no longer exists.`);
  return { service, stage };
}

/** The stage's stored policy, else the default for a stage of its kind (`isDefault` says which). */
export function stagePolicyOf(store: WorkspaceStore, stage: { id: number; isProduction: boolean }): { policy: StagePolicy; isDefault: boolean } {
  const stored = store.promotion.policy<StagePolicy>(stage.id);
  return { policy: stored ?? defaultPolicy(stage), isDefault: stored === null };
}

export const stagePolicy = (store: WorkspaceStore, stage: { id: number; isProduction: boolean }): StagePolicy => stagePolicyOf(store, stage).policy;

// ---- people ---------------------------------------------------------------------------------------

export const asPerson = (record: PersonRecord): Person => ({ id: record.id, name: record.name, roles: record.roles });

export function personNamed(store: WorkspaceStore, nameOrId: string | number): PersonRecord {
  const found = typeof nameOrId === 'number' ? store.changes.person(nameOrId) : store.changes.personByName(nameOrId);
  if (!found) {
    const known = store.changes.people().map((p) => p.name);
    throw new StagecraftError('not-found', `No one named "${nameOrId}" is a person of this workspace.`, known.length > 0 ? `People: ${known.join(', ')}.` : 'Add a person first.');
  }
  return found;
}

function checkRoles(roles: readonly string[]): PersonRole[] {
  const unknown = roles.filter((r) => !(PERSON_ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new StagecraftError('invalid-input', `Unknown role ${unknown.join(', ')}.`, `Roles: ${PERSON_ROLES.join(', ')}.`);
  if (roles.length === 0) throw new StagecraftError('invalid-input', 'A person needs at least one role.', `Roles: ${PERSON_ROLES.join(', ')}.`);
  return roles as PersonRole[];
}

/** Only a release manager manages people, except for the very first person of a workspace. */
function mayManagePeople(store: WorkspaceStore, actor: PersonRecord | null): void {
  if (store.changes.people().length === 0) return;
  if (!actor?.roles.includes('release-manager')) throw new StagecraftError('refused', `${actor?.name ?? 'Someone not chosen'} cannot manage people: only a release manager can.`, 'Act as a release manager.');
}

/** Adds a person; with a key ring, the person gets a key pair whose private half stays on this computer. */
export function addPerson(store: WorkspaceStore, actor: PersonRecord | null, person: { name: string; roles: readonly string[]; keySeed?: Uint8Array }, keys?: KeyRing): PersonRecord {
  mayManagePeople(store, actor);
  const roles = checkRoles(person.roles);
  const publicKeyPem = keys ? keys.generate(person.keySeed).publicKeyPem : null;
  return store.write(
    { actor: actor?.name ?? person.name, action: 'person.add', subject: `person ${person.name}`, after: (p) => ({ id: p.id, name: p.name, roles: p.roles, key: p.publicKeyPem ? keyFingerprint(p.publicKeyPem) : null }) },
    () => {
      const added = store.changes.addPerson({ name: person.name, roles, publicKeyPem });
      if (publicKeyPem) store.changes.addKey(added.id, keyFingerprint(publicKeyPem), publicKeyPem);
      return added;
    },
  );
}

export function updatePerson(store: WorkspaceStore, actor: PersonRecord | null, id: number, changes: { name?: string; roles?: readonly string[]; newKey?: boolean }, keys?: KeyRing): PersonRecord {
  const before = store.changes.person(id);
  // A person may give themselves a new key (a lost computer); names and roles are a release manager's call.
  if (!(changes.newKey && changes.name === undefined && changes.roles === undefined && actor?.id === id)) mayManagePeople(store, actor);
  if (changes.newKey && !keys) throw new StagecraftError('unsupported', 'This shell cannot keep private keys.');
  const roles = changes.roles ? checkRoles(changes.roles) : undefined;
  if (roles && before.roles.includes('release-manager') && !roles.includes('release-manager') && !store.changes.people().some((p) => p.id !== id && p.roles.includes('release-manager'))) {
    throw new StagecraftError('refused', `${before.name} is the only release manager: without one, nobody could manage people or schedule changes.`, 'Make someone else a release manager first.');
  }
  const publicKeyPem = changes.newKey ? keys!.generate().publicKeyPem : undefined;
  return store.write(
    { actor: actor?.name ?? before.name, action: 'person.update', subject: `person ${before.name}`, before: { name: before.name, roles: before.roles }, after: (p) => ({ name: p.name, roles: p.roles, newKey: changes.newKey === true }) },
    () => {
      if (publicKeyPem) store.changes.addKey(id, keyFingerprint(publicKeyPem), publicKeyPem);
      if (changes.name !== undefined && changes.name !== before.name) recordCreatorById(store, before);
      return store.changes.updatePerson(id, { ...(changes.name !== undefined && { name: changes.name }), ...(roles && { roles }), ...(publicKeyPem && { publicKeyPem }) });
    },
  );
}

/** First run: a workspace without people makes its user a person with every role, so changes can be made at once. */
export function ensureFirstPerson(store: WorkspaceStore, name: string, keys?: KeyRing): PersonRecord | null {
  if (store.changes.people().length > 0) return null;
  return addPerson(store, null, { name, roles: [...PERSON_ROLES] }, keys);
}

// ---- change records ---------------------------------------------------------------------------------

/** A plan's host that is a VM of a registered hypervisor. */
export type HostVm = VmOfHost & { hypervisorId: number };

/**
 * VMs among the target's hosts, from the hypervisors' cached inventories (offline). Every host is a
 * candidate, not only the target's: matching is greedy, and a VM that another host claims by MAC or
 * address must not go to a target host by a weaker match on its name.
 */
export function vmsOf(store: WorkspaceStore, hostNames: readonly string[]): HostVm[] {
  if (hostNames.length === 0) return [];
  const inventories = store.hypervisors.list().flatMap((hypervisor) => {
    const cached = cachedInventory(store, hypervisor.id);
    return cached ? [{ hypervisor, inventory: cached.inventory }] : [];
  });
  if (inventories.length === 0) return [];
  const candidates = matchCandidates(store);
  return inventories.flatMap(({ hypervisor, inventory }) =>
    matchDomains(inventory, candidates)
      .matched.filter((m) => hostNames.includes(m.hostName))
      .map((m) => ({ host: m.hostName, hypervisorId: hypervisor.id, hypervisor: hypervisor.name, domain: m.domain })),
  );
}

/** The change-control fields a draft starts with: plans generated from the promotion plan, the requester, no window. */
export function generatedDetails(store: WorkspaceStore, row: Row, requesterId: number | null, plan = store.promotion.plan<StoredPlan>(row.id).plan): ChangeDetails {
  const { service, stage } = targetOf(store, row);
  const previousImage = stage.image?.label ?? null;
  return {
    changeId: row.id,
    description: `Promote image ${plan.image} of ${service.name} to ${stage.name}: ${plan.summary.steps} steps on ${plan.summary.hostsAffected} hosts.`,
    justification: '',
    category: 'normal',
    impact: '',
    window: null,
    implementationPlan: implementationPlanOf(plan, stage.name),
    backoutPlan: backoutPlanOf(plan, { changeId: row.id, targetStage: stage.name, previousImage, vms: vmsOf(store, plan.hosts.map((h) => h.host)) }),
    testPlan: testPlanOf(plan, stage.name),
    riskOverride: null,
    requesterId,
    requiredApproverIds: [],
    revision: 1,
  };
}

/**
 * Drafts saved before change control name their creator only by name: before `person` is renamed,
 * their details are written with the creator's id, or the rename would leave them without a
 * requester (and the creator free to approve their own change). Call inside the rename's write.
 */
function recordCreatorById(store: WorkspaceStore, person: PersonRecord): void {
  for (const row of store.promotion.changes<Verdict, Risk>()) {
    if (row.createdBy !== person.name || store.changes.details(row.id)) continue;
    // A change whose target stage is gone can be neither approved nor shown: nothing to keep for it.
    if (!store.inventory.getService(row.serviceId).stages.some((s) => s.id === row.toStageId)) continue;
    store.changes.saveDetails(generatedDetails(store, row, person.id));
  }
}

/** The requester of a change: its recorded person, else the person named as its creator (see recordCreatorById). */
function requesterOf(store: WorkspaceStore, row: Row, details: ChangeDetails | null): PersonRecord | null {
  if (details?.requesterId != null) return store.changes.person(details.requesterId);
  return store.changes.personByName(row.createdBy) ?? null;
}

const generatedFor = (store: WorkspaceStore, row: Row) => generatedDetails(store, row, requesterOf(store, row, null)?.id ?? null);

/** The change's details, written on first need for drafts saved before change control existed. Call inside a write. */
function detailsFor(store: WorkspaceStore, row: Row): ChangeDetails {
  const stored = store.changes.details(row.id);
  if (stored) return stored;
  const details = generatedFor(store, row);
  store.changes.saveDetails(details);
  return details;
}

/** The change's details, or (read-only, for drafts saved before change control existed) those it would start with. */
const detailsOrGenerated = (store: WorkspaceStore, row: Row): ChangeDetails => store.changes.details(row.id) ?? generatedFor(store, row);

/** Records a freshly saved draft (with the plan it was saved with): its generated fields and the first history entry. Call inside the draft's write. */
export function recordDraft(store: WorkspaceStore, changeId: number, requester: string, plan: PromotionPlan, at = new Date().toISOString()): void {
  const row = changeRow(store, changeId);
  store.changes.saveDetails(generatedDetails(store, row, store.changes.personByName(requester)?.id ?? null, plan));
  store.changes.appendHistory({ changeId, at, actor: requester, action: 'draft', fromState: null, toState: 'draft', detail: `Planned image ${store.images.get(row.imageId).label} onto ${targetOf(store, row).stage.name}.` });
}

// ---- stale detection ----------------------------------------------------------------------------------

/** What the plan would be made against now: the target's assigned image and each host's latest snapshot. */
export function currentBasis(store: WorkspaceStore, row: Pick<Row, 'imageId' | 'toStageId'>): PlanBasis {
  const environment = store.inventory.environment(row.toStageId);
  const latest = store.snapshots.latestByHost('9999', environment.hosts.map((h) => h.id));
  return { imageId: row.imageId, targetImageId: environment.image?.id ?? null, snapshots: Object.fromEntries(environment.hosts.map((h) => [h.name, latest.get(h.id)?.id ?? 0])) };
}

/** Why an open change's plan no longer matches its target, or null. Finished changes are never stale. */
export function staleReason(store: WorkspaceStore, row: Row, schedule?: Schedule, plan?: StoredPlan): string | null {
  if (!OPEN_STATES.includes(row.state)) return null;
  const { basis } = plan ?? store.promotion.plan<StoredPlan>(row.id);
  return basis ? staleness(basis, schedule ? schedule.basis(row) : currentBasis(store, row)) : null;
}

// ---- signatures ---------------------------------------------------------------------------------------

export function effectiveRisk(row: Row, details: ChangeDetails): { level: RiskLevel; score: number } {
  return { level: details.riskOverride?.level ?? row.risk.level, score: row.risk.score };
}

export function approvalPayload(row: Row, details: ChangeDetails, decision: { decision: 'approve' | 'reject'; approver: Pick<PersonRecord, 'id' | 'name'>; at: string }): ApprovalPayload {
  return {
    kind: 'stagecraft-change-decision',
    changeId: row.id,
    title: row.title,
    planHash: row.planHash,
    targetStageId: row.toStageId,
    imageId: row.imageId,
    category: details.category,
    risk: effectiveRisk(row, details),
    decision: decision.decision,
    approver: { id: decision.approver.id, name: decision.approver.name },
    at: decision.at,
  };
}

/** The approver's name as it was when they signed (the signature covers it), or null when the payload names none. */
function signedName(decision: Pick<DecisionRecord, 'payloadJson'>): string | null {
  try {
    const name = (JSON.parse(decision.payloadJson) as Partial<ApprovalPayload>).approver?.name;
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/**
 * A decision's signature checked against the change: the payload is rebuilt from the workspace's
 * rows, so altering any signed field (or the decision itself) makes it invalid. The approver's
 * name is the one signed (the signature vouches for it): renaming a person is no change to what
 * they approved. Returns the name signed too (its payload is read once).
 */
export function checkedSignature(store: WorkspaceStore, row: Row, details: ChangeDetails, decision: DecisionRecord): { status: SignatureStatus; signedName: string | null } {
  const name = signedName(decision);
  return { status: signatureStatus(store, row, details, decision, name), signedName: name };
}

function signatureStatus(store: WorkspaceStore, row: Row, details: ChangeDetails, decision: DecisionRecord, name: string | null): SignatureStatus {
  if (!decision.signature) return 'unsigned';
  const publicKeyPem = decision.keyFingerprint === null ? null : store.changes.keyOf(decision.personId, decision.keyFingerprint);
  if (!publicKeyPem) return 'unknown-key';
  if (name === null) return 'invalid';
  // A decision an edit dropped is checked against what was decided then; a live one against the change as it is now.
  const payload = decision.droppedAt !== null ? decision.payloadJson : canonicalJson(approvalPayload(row, details, { decision: decision.decision, approver: { id: decision.personId, name }, at: decision.at }));
  return payload === decision.payloadJson && verifySignature(publicKeyPem, payload, decision.signature) ? 'valid' : 'invalid';
}

// ---- the transition service ----------------------------------------------------------------------------

export interface TransitionRequest {
  changeId: number;
  action: ChangeAction;
  /** The person acting (people.id). */
  actorId: number;
  /** Required for reject and cancel; recorded for every action. */
  reason?: string;
  /** For schedule: the window (instants and the IANA zone it was planned in); defaults to the change's window. */
  window?: ChangeWindow;
  /** ISO instant; defaults to the current time. */
  now?: string;
}

export interface TransitionOutcome {
  changeId: number;
  action: ChangeAction;
  from: ChangeState;
  to: ChangeState;
  /** Approvals counted after the action, and how many the target stage's policy requires. */
  approvals: { given: number; required: number };
  /** Present when the action recorded an approval or a rejection. */
  decision?: { id: number; decision: 'approve' | 'reject'; keyFingerprint: string };
}

/** Decisions that count for the change as it is (not dropped by an edit). */
const live = (decisions: readonly DecisionRecord[]) => decisions.filter((d) => d.droppedAt === null);
const liveDecisions = (store: WorkspaceStore, changeId: number) => live(store.changes.decisions(changeId));

/** What the workflow weighs besides the action and the actor: read once per change, however many actions are asked about. */
export interface TransitionFacts {
  row: Row;
  details: ChangeDetails;
  service: string;
  targetStage: string;
  targetIsProduction: boolean;
  policy: StagePolicy;
  /** Every decision, those an edit dropped too. */
  decisions: readonly DecisionRecord[];
  requester: PersonRecord | null;
  stale: string | null;
}

const factsOf = (store: WorkspaceStore, row: Row) => transitionFacts(store, row, detailsOrGenerated(store, row));

/** `schedule` shares its lookups with other changes read in the same request; `plan` spares reading the plan again. */
function transitionFacts(store: WorkspaceStore, row: Row, details: ChangeDetails, schedule?: Schedule, plan?: StoredPlan): TransitionFacts {
  const { service, stage } = targetOf(store, row, schedule);
  return {
    row,
    details,
    service: service.name,
    targetStage: stage.name,
    targetIsProduction: stage.isProduction,
    policy: schedule ? schedule.policy(stage) : stagePolicy(store, stage),
    decisions: store.changes.decisions(row.id),
    requester: requesterOf(store, row, details),
    stale: staleReason(store, row, schedule, plan),
  };
}

/** The workflow's answer for one action on a change as it is now (nothing is written). */
function checkTransition(facts: TransitionFacts, actor: PersonRecord, request: Pick<TransitionRequest, 'action' | 'reason' | 'window'> & { windowToBeGiven?: boolean }, now: string) {
  const { row, details, policy, stale } = facts;
  const window = request.windowToBeGiven ? undefined : (request.window ?? details.window);
  const frozen = request.action === 'schedule' && window ? frozenDuring(policy.freezeWindows, Date.parse(window.start), Date.parse(window.end)) : null;
  const result = transition({
    change: {
      state: row.state,
      requesterId: facts.requester?.id ?? -1,
      decisions: live(facts.decisions).map((d) => ({ personId: d.personId, decision: d.decision, at: d.at })),
      window: details.window,
      requirement: { count: policy.approvals.count, roles: policy.approvals.roles, allowSelfApproval: policy.allowSelfApproval },
      stale: stale !== null,
    },
    action: request.action,
    actor: asPerson(actor),
    now,
    ...(request.window && { window: request.window }),
    ...(request.windowToBeGiven && { windowToBeGiven: true }),
    frozen: frozen ? { reason: `${frozen.reason} (${describeWindow({ start: new Date(frozen.start).toISOString(), end: new Date(frozen.end).toISOString(), timeZone: window!.timeZone })})` } : null,
    ...(request.reason !== undefined && { reason: request.reason }),
  });
  if (!result.ok) return { result: { ok: false as const, reason: stale && result.reason.startsWith('The plan no longer') ? `${result.reason} Why: ${stale}.` : result.reason }, window };
  if (request.action === 'implement') {
    const freeze = frozenAt(policy.freezeWindows, Date.parse(now));
    if (freeze) return { result: { ok: false as const, reason: `${facts.service} ${facts.targetStage} is frozen now: ${freeze.reason}, until ${new Date(freeze.end).toISOString()}. Reschedule the change after the freeze.` }, window };
  }
  return { result, window };
}

/**
 * What `actorId` may do with a change now, and why not: the very checks transitionChange makes. A
 * reason is assumed for reject and cancel; for schedule, the window (and its freezes) is left to
 * the schedule itself, which is always given one to check: the change's own may be over or frozen
 * while another would do. `change` is its id, or what a changeDetail already read of it.
 */
export function allowedActions(store: WorkspaceStore, change: number | TransitionFacts, actorId: number, now = new Date().toISOString()): { action: ChangeAction; allowed: boolean; reason: string | null }[] {
  const facts = typeof change === 'number' ? factsOf(store, changeRow(store, change)) : change;
  const actor = store.changes.person(actorId);
  return CHANGE_ACTIONS.map((action) => {
    const { result } = checkTransition(facts, actor, { action, reason: 'asked for', windowToBeGiven: action === 'schedule' }, now);
    return { action, allowed: result.ok, reason: result.ok ? null : result.reason };
  });
}

/**
 * Moves a change: the single entry point for submit, approve, reject, schedule, implement, fail,
 * close, cancel, roll-back and reopen. Refused with a StagecraftError('refused') that says why;
 * otherwise state, history and (for approve/reject) the signed decision are written in one audited
 * transaction. Approving and rejecting need `keys`, holding the actor's private key.
 */
export function transitionChange(store: WorkspaceStore, request: TransitionRequest, options: { keys?: KeyRing } = {}): TransitionOutcome {
  const now = request.now ?? new Date().toISOString();
  const actor = store.changes.person(request.actorId);
  return store.write(
    { actor: actor.name, action: `change.${request.action}`, subject: `change ${request.changeId}`, after: (o) => ({ from: o.from, to: o.to, approvals: o.approvals, ...(request.reason && { reason: request.reason }), ...(o.decision && { decision: o.decision }) }) },
    () => {
      const row = changeRow(store, request.changeId);
      const details = detailsFor(store, row);
      const facts = transitionFacts(store, row, details);
      const { policy } = facts;
      const { result, window } = checkTransition(facts, actor, request, now);
      if (!result.ok) throw new StagecraftError('refused', result.reason);

      let to = result.state;
      let recorded: TransitionOutcome['decision'];
      if (result.decision) {
        if (!actor.publicKeyPem) throw new StagecraftError('refused', `${actor.name} has no signing key, so the decision cannot be signed.`, `Give ${actor.name} a key (people.update with newKey) on their computer.`);
        if (!options.keys) throw new StagecraftError('unsupported', 'This shell cannot sign decisions.');
        const payload = canonicalJson(approvalPayload(row, details, { decision: result.decision.decision, approver: actor, at: now }));
        const fingerprint = keyFingerprint(actor.publicKeyPem);
        const signature = options.keys.sign(actor.publicKeyPem, payload, actor.name);
        const saved = store.changes.addDecision({ changeId: row.id, personId: actor.id, decision: result.decision.decision, at: now, comment: request.reason ?? null, revision: details.revision, payloadJson: payload, signature, keyFingerprint: fingerprint });
        recorded = { id: saved.id, decision: saved.decision, keyFingerprint: fingerprint };
        // Named approvers must all have approved too, beyond the policy's count.
        if (to === 'approved') {
          const approvedBy = new Set(approvalsCounted({ decisions: [...live(facts.decisions), saved] }).map((d) => d.personId));
          if (details.requiredApproverIds.some((id) => !approvedBy.has(id))) to = 'submitted';
        }
      }
      if (request.action === 'schedule' && window) store.changes.saveDetails({ ...details, window });
      if (request.action === 'reopen') store.changes.dropDecisions(row.id, now);
      store.changes.setState(row.id, to);
      const detail = [request.reason, request.action === 'schedule' && window ? describeWindow(window) : null, recorded ? `signed with ${recorded.keyFingerprint}` : null].filter(Boolean).join('; ');
      store.changes.appendHistory({ changeId: row.id, at: now, actor: actor.name, action: request.action, fromState: row.state, toState: to, detail });
      const given = approvalsCounted({ decisions: liveDecisions(store, row.id) }).length;
      return { changeId: row.id, action: request.action, from: row.state, to, approvals: { given, required: policy.approvals.count }, ...(recorded && { decision: recorded }) };
    },
  );
}

// ---- editing ------------------------------------------------------------------------------------------

export interface ChangeEdit {
  title?: string;
  description?: string;
  justification?: string;
  category?: ChangeCategory;
  impact?: string;
  implementationPlan?: string;
  backoutPlan?: string;
  testPlan?: string;
  /** The planned window (schedule confirms it); null removes it. */
  window?: ChangeWindow | null;
  /** null removes an override; a level needs a reason. */
  riskOverride?: { level: RiskLevel; reason: string } | null;
  requiredApproverIds?: number[];
}

export interface EditOutcome {
  changeId: number;
  state: ChangeState;
  /** True when the change had been submitted: it is a draft again and its approvals were dropped. */
  returnedToDraft: boolean;
  approvalsDropped: number;
}

/** The details of a change `actor` is about to edit or re-plan (`verb`): only its requester or a release manager may. Call inside the write. */
function editedBy(store: WorkspaceStore, row: Row, actor: PersonRecord, verb: string): ChangeDetails {
  const details = detailsFor(store, row);
  if (actor.id !== requesterOf(store, row, details)?.id && !actor.roles.includes('release-manager')) throw new StagecraftError('refused', `Only the requester or a release manager may ${verb} change ${row.id}.`);
  return details;
}

const decisionsDropped = (n: number) => `${n} decision${n === 1 ? '' : 's'} dropped`;

/**
 * Ends an edit or a re-plan: what was approved is no longer what the change says, so a change past
 * draft returns to draft and its decisions are dropped; one history entry (`describe`) says so.
 */
function backToDraft(store: WorkspaceStore, row: Row, actor: PersonRecord, now: string, action: 'edit' | 'replan', describe: (outcome: EditOutcome) => string): EditOutcome {
  const returnedToDraft = row.state !== 'draft';
  const approvalsDropped = store.changes.dropDecisions(row.id, now);
  if (returnedToDraft) store.changes.setState(row.id, 'draft');
  const outcome: EditOutcome = { changeId: row.id, state: 'draft', returnedToDraft, approvalsDropped };
  store.changes.appendHistory({ changeId: row.id, at: now, actor: actor.name, action, fromState: row.state, toState: 'draft', detail: describe(outcome) });
  return outcome;
}

/** Edits a draft or submitted change; editing a submitted change returns it to draft and drops its approvals. */
export function updateChange(store: WorkspaceStore, request: { changeId: number; actorId: number; edit: ChangeEdit; now?: string }): EditOutcome {
  const now = request.now ?? new Date().toISOString();
  const actor = store.changes.person(request.actorId);
  return store.write(
    { actor: actor.name, action: 'change.update', subject: `change ${request.changeId}`, after: (o) => ({ fields: Object.keys(request.edit), ...o }) },
    () => {
      const row = changeRow(store, request.changeId);
      if (row.state !== 'draft' && row.state !== 'submitted') throw new StagecraftError('refused', `A ${row.state} change cannot be edited; only drafts and submitted changes can.`, row.state === 'rejected' ? 'Reopen it first.' : undefined);
      const details = editedBy(store, row, actor, 'edit');
      const { edit } = request;
      if (edit.riskOverride && !edit.riskOverride.reason.trim()) throw new StagecraftError('invalid-input', 'Overriding the computed risk needs a reason.', 'Say why the risk differs from the computed one.');
      if (edit.title !== undefined && !edit.title.trim()) throw new StagecraftError('invalid-input', 'A change needs a title.');
      for (const id of edit.requiredApproverIds ?? []) store.changes.person(id);
      const { title, riskOverride, ...fields } = edit;
      const next: ChangeDetails = {
        ...details,
        ...fields,
        ...(riskOverride !== undefined && { riskOverride: riskOverride && { ...riskOverride, byPersonId: actor.id } }),
        revision: details.revision + 1,
      };
      store.changes.saveDetails(next);
      if (title !== undefined) store.changes.setTitle(row.id, title.trim());
      return backToDraft(store, row, actor, now, 'edit', (o) => `Edited ${Object.keys(edit).join(', ')}${o.returnedToDraft ? `; returned to draft, ${decisionsDropped(o.approvalsDropped)}` : ''}.`);
    },
  );
}

/**
 * Re-plans a change against its target as it is now (after a rescan or another image): the plan,
 * verdict, risk and generated plans are replaced, and a change past draft returns to draft with its
 * approvals dropped. `propose` is the promotion planner (promotion-handlers' proposePromotion).
 */
export function replanChange(
  store: WorkspaceStore,
  request: { changeId: number; actorId: number; now?: string },
  propose: (row: Row, now: string) => { plan: PromotionPlan; basis: PlanBasis; verdict: Verdict; risk: Risk; acknowledgedDrift: boolean; targetParity: number },
): EditOutcome {
  const now = request.now ?? new Date().toISOString();
  const actor = store.changes.person(request.actorId);
  return store.write({ actor: actor.name, action: 'change.replan', subject: `change ${request.changeId}`, after: (o) => o }, () => {
    const row = changeRow(store, request.changeId);
    if (!OPEN_STATES.includes(row.state)) throw new StagecraftError('refused', `A ${row.state} change cannot be re-planned; only open changes (${OPEN_STATES.join(', ')}) can.`);
    const details = editedBy(store, row, actor, 're-plan');
    const proposal = propose(row, now);
    const stored: StoredPlan = { plan: proposal.plan, basis: proposal.basis, acknowledgedDrift: proposal.acknowledgedDrift, targetParity: proposal.targetParity };
    store.changes.replacePlan(row.id, { planHash: store.blobs.putJson(stored), verdict: proposal.verdict, risk: proposal.risk, earliestAt: proposal.verdict.earliestAt });
    const generated = generatedDetails(store, row, details.requesterId, proposal.plan);
    store.changes.saveDetails({ ...details, implementationPlan: generated.implementationPlan, backoutPlan: generated.backoutPlan, testPlan: generated.testPlan, revision: details.revision + 1 });
    return backToDraft(
      store,
      row,
      actor,
      now,
      'replan',
      (o) => `Re-planned: ${proposal.plan.summary.steps} steps on ${proposal.plan.summary.hostsAffected} hosts; implementation, backout and test plans regenerated${o.approvalsDropped > 0 ? `; ${decisionsDropped(o.approvalsDropped)}` : ''}.`,
    );
  });
}

// ---- reading ------------------------------------------------------------------------------------------

/** Every change as the conflict rules see it (target hosts by stage, looked up once per stage). */
function scheduledChanges(store: WorkspaceStore, rows: readonly Row[], details: ReadonlyMap<number, ChangeDetails>): ScheduledChange[] {
  const services = new Map(store.inventory.listServices().map((s) => [s.id, s]));
  const hostsByStage = new Map<number, string[]>();
  const hostsOf = (stageId: number) => hostsByStage.get(stageId) ?? hostsByStage.set(stageId, store.inventory.environment(stageId).hosts.map((h) => h.name)).get(stageId)!;
  return rows.map((row) => {
    const service = services.get(row.serviceId);
    return {
      id: row.id,
      title: row.title,
      serviceId: row.serviceId,
      serviceName: service?.name ?? `service ${row.serviceId}`,
      toStageId: row.toStageId,
      stageName: service?.stages.find((s) => s.id === row.toStageId)?.name ?? `stage ${row.toStageId}`,
      state: row.state,
      hosts: hostsOf(row.toStageId),
      window: details.get(row.id)?.window ?? null,
    };
  });
}

export const calendarEventsOf = (store: WorkspaceStore, from?: string, to?: string): CalendarEvent[] =>
  store.changes.externalEvents(from, to).map((e) => ({ uid: e.uid, summary: e.summary, start: e.startsAt, end: e.endsAt }));

const noSuchChange = (id: number): never => {
  throw new StagecraftError('not-found', `Change ${id} does not exist.`);
};

/**
 * The workspace's changes (their rows and details) and as the conflict rules see them, with the
 * lookups many changes share (services, stage policies, each target's current basis) made once:
 * one per request, as the workspace may change between requests.
 */
export class Schedule {
  /** Every change, newest first. */
  readonly rows: Row[];
  readonly changes: ScheduledChange[];
  private readonly rowsById: Map<number, Row>;
  private readonly storedDetails: Map<number, ChangeDetails>;
  private readonly byId: Map<number, ScheduledChange>;
  private readonly services = new Map<number, ServiceSummary>();
  private readonly policies = new Map<number, StagePolicy>();
  private readonly bases = new Map<number, PlanBasis>();

  constructor(private readonly store: WorkspaceStore) {
    this.rows = store.promotion.changes<Verdict, Risk>();
    this.rowsById = new Map(this.rows.map((row) => [row.id, row]));
    this.storedDetails = new Map(this.rows.flatMap((row) => store.changes.details(row.id) ?? []).map((details) => [details.changeId, details]));
    this.changes = scheduledChanges(store, this.rows, this.storedDetails);
    this.byId = new Map(this.changes.map((c) => [c.id, c]));
  }

  row(id: number): Row {
    return this.rowsById.get(id) ?? noSuchChange(id);
  }

  /** The change's details, or (for drafts saved before change control existed) those it would start with. */
  details(row: Row): ChangeDetails {
    return this.storedDetails.get(row.id) ?? generatedFor(this.store, row);
  }

  /** The change `id` as the conflict rules see it. */
  change(id: number): ScheduledChange {
    return this.byId.get(id) ?? noSuchChange(id);
  }

  service(id: number): ServiceSummary {
    return this.services.get(id) ?? this.services.set(id, this.store.inventory.getService(id)).get(id)!;
  }

  policy(stage: { id: number; isProduction: boolean }): StagePolicy {
    return this.policies.get(stage.id) ?? this.policies.set(stage.id, stagePolicy(this.store, stage)).get(stage.id)!;
  }

  basis(row: Pick<Row, 'imageId' | 'toStageId'>): PlanBasis {
    const target = this.bases.get(row.toStageId) ?? this.bases.set(row.toStageId, currentBasis(this.store, row)).get(row.toStageId)!;
    return { ...target, imageId: row.imageId };
  }
}

/** What a change conflicts with; with `window`, what it would conflict with if scheduled then. */
export function changeConflicts(store: WorkspaceStore, changeId: number, schedule = new Schedule(store), window?: ChangeWindow): Conflict[] {
  const found = schedule.change(changeId);
  const change = window ? { ...found, window } : found;
  const stage = schedule.service(change.serviceId).stages.find((s) => s.id === change.toStageId)!;
  return conflictsOf(change, schedule.changes, { freezeWindows: schedule.policy(stage).freezeWindows, events: change.window ? calendarEventsOf(store, change.window.start, change.window.end) : [] });
}

/** What the change list shows of a change (and what the workflow weighs), computed now. */
export interface ChangeSummary extends TransitionFacts {
  risk: { level: RiskLevel; score: number; computed: Risk; override: { level: RiskLevel; reason: string; by: string | null } | null };
  conflicts: Conflict[];
  approvals: { given: number; required: number; roles: PersonRole[]; allowSelfApproval: boolean };
}

/** A change as the list shows it: no signatures checked, no history read. `plan` spares reading it again for the stale flag. */
export function changeSummary(store: WorkspaceStore, row: Row, schedule: Schedule, plan?: StoredPlan): ChangeSummary {
  const facts = transitionFacts(store, row, schedule.details(row), schedule, plan);
  const { details, policy, decisions } = facts;
  return {
    ...facts,
    risk: {
      ...effectiveRisk(row, details),
      computed: row.risk,
      override: details.riskOverride && { level: details.riskOverride.level, reason: details.riskOverride.reason, by: details.riskOverride.byPersonId === null ? null : store.changes.person(details.riskOverride.byPersonId).name },
    },
    conflicts: changeConflicts(store, row.id, schedule),
    approvals: { given: approvalsCounted({ decisions: live(decisions) }).length, required: policy.approvals.count, roles: policy.approvals.roles, allowSelfApproval: policy.allowSelfApproval },
  };
}

export interface ChangeDetail extends ChangeSummary {
  image: string;
  plan: StoredPlan;
  requiredApprovers: PersonRecord[];
  /** `approver` is the person's name now; `signedAs` the name they signed under, when it differs. */
  decisions: (DecisionRecord & { approver: string; signedAs: string | null; signatureStatus: SignatureStatus; counted: boolean })[];
  history: ReturnType<WorkspaceStore['changes']['history']>;
}

/** Everything known about one change, with its stale reason, conflicts and signature checks computed now. */
export function changeDetail(store: WorkspaceStore, changeId: number, schedule?: Schedule): ChangeDetail {
  return store.read(() => {
    const changes = schedule ?? new Schedule(store);
    const row = changes.row(changeId);
    const plan = store.promotion.plan<StoredPlan>(row.id);
    const summary = changeSummary(store, row, changes, plan);
    const { details } = summary;
    const latestLive = new Map(live(summary.decisions).map((d) => [d.personId, d.id]));
    return {
      ...summary,
      image: store.images.get(row.imageId).label,
      plan,
      requiredApprovers: details.requiredApproverIds.map((id) => store.changes.person(id)),
      decisions: summary.decisions.map((d) => {
        const approver = store.changes.person(d.personId).name;
        const signature = checkedSignature(store, row, details, d);
        return {
          ...d,
          approver,
          signedAs: signature.signedName !== null && signature.signedName !== approver ? signature.signedName : null,
          signatureStatus: signature.status,
          // As approvalsCounted: a person's latest live decision, when it approves.
          counted: d.decision === 'approve' && latestLive.get(d.personId) === d.id,
        };
      }),
      history: store.changes.history(row.id),
    };
  });
}
