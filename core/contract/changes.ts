import { z } from 'zod';
import { CHANGE_ACTIONS, CHANGE_CATEGORIES, CHANGE_STATES, PERSON_ROLES, SIGNATURE_STATUSES } from '../domain/change-workflow';
import { RISK_LEVELS } from '../domain/promotion-risk';
import { call } from './define';
import { changeSummary, promotionPlan, risk } from './promotion';
import { id } from './schemas';

const role = z.enum(PERSON_ROLES);
const state = z.enum(CHANGE_STATES);
const category = z.enum(CHANGE_CATEGORIES);
const riskLevel = z.enum(RISK_LEVELS);
export const changeAction = z.enum(CHANGE_ACTIONS);
const personRef = z.object({ id, name: z.string() });
const instant = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'an ISO date-time');

/** A planned window: start and end as instants, and the IANA zone it was planned in (shown in that zone). */
export const changeWindow = z.object({ start: instant, end: instant, timeZone: z.string().min(1) });
/** As people type it: wall-clock times (YYYY-MM-DDTHH:mm) of timeZone, or instants with Z or an offset. */
const windowInput = z.object({ start: z.string().min(1), end: z.string().min(1), timeZone: z.string().min(1) });

export const person = z.object({
  id,
  name: z.string(),
  roles: z.array(role),
  keyFingerprint: z.string().nullable(),
  /** Ed25519 public key (SPKI PEM): with it anyone can verify this person's signed decisions. */
  publicKeyPem: z.string().nullable(),
  /** Whether this computer holds the person's private key (they can sign here). */
  canSignHere: z.boolean(),
  createdAt: z.string(),
});

export const conflict = z.object({
  kind: z.enum(['host-overlap', 'service-overlap', 'freeze', 'same-target', 'external-event']),
  detail: z.string(),
  otherChangeId: id.nullable(),
  externalUid: z.string().nullable(),
});

export const signatureStatus = z.enum(SIGNATURE_STATUSES);

export const changeListItem = changeSummary.extend({
  state,
  service: z.string(),
  targetStage: z.string(),
  category,
  window: changeWindow.nullable(),
  /** The window as its planners read it: "2026-12-01 22:00 Europe/Berlin to 2026-12-01 23:30". */
  windowText: z.string().nullable(),
  requester: personRef.nullable(),
  riskLevel,
  approvals: z.object({ given: z.number().int(), required: z.number().int() }),
  stale: z.string().nullable(),
  conflicts: z.number().int(),
});

const decisionView = z.object({
  id,
  personId: id,
  /** The approver's name now; `signedAs` is the name they signed under, when they have been renamed since. */
  approver: z.string(),
  signedAs: z.string().nullable(),
  decision: z.enum(['approve', 'reject']),
  at: z.string(),
  comment: z.string().nullable(),
  counted: z.boolean(),
  /** Set when an edit after submission dropped the decision. */
  droppedAt: z.string().nullable(),
  signatureStatus,
  keyFingerprint: z.string().nullable(),
  /** The canonical JSON that was signed, and the Ed25519 signature (base64): verifiable with the approver's public key. */
  payload: z.string(),
  signature: z.string().nullable(),
});

export const changeDetail = changeListItem.extend({
  description: z.string(),
  justification: z.string(),
  impact: z.string(),
  implementationPlan: z.string(),
  backoutPlan: z.string(),
  testPlan: z.string(),
  targetIsProduction: z.boolean(),
  image: z.string(),
  requiredApprovers: z.array(personRef),
  risk: risk.extend({ override: z.object({ level: riskLevel, reason: z.string(), by: z.string().nullable() }).nullable(), computedLevel: riskLevel }),
  acknowledgedDrift: z.boolean(),
  targetParity: z.number(),
  plan: promotionPlan,
  conflictList: z.array(conflict),
  approvalRule: z.object({ required: z.number().int(), roles: z.array(role), allowSelfApproval: z.boolean(), given: z.number().int() }),
  decisions: z.array(decisionView),
  history: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), fromState: z.string().nullable(), toState: z.string().nullable(), detail: z.string() })),
  /** What the current person may do now, and why not (the same checks the transition makes). */
  actions: z.array(z.object({ action: changeAction, allowed: z.boolean(), reason: z.string().nullable() })),
});

const changeEdit = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(20_000),
    justification: z.string().max(20_000),
    category,
    impact: z.string().max(20_000),
    implementationPlan: z.string().max(100_000),
    backoutPlan: z.string().max(100_000),
    testPlan: z.string().max(100_000),
    window: windowInput.nullable(),
    riskOverride: z.object({ level: riskLevel, reason: z.string().trim().min(1, 'Say why the risk differs from the computed one.').max(2000) }).nullable(),
    requiredApproverIds: z.array(id),
  })
  .partial();

const calendarEntry = z.object({
  kind: z.enum(['change', 'freeze', 'external', 'lease']),
  /** change-ID, freeze-STAGEID-START, the external event's UID, or lease-STAGEID (the lease's last day). */
  key: z.string(),
  title: z.string(),
  start: z.string(),
  end: z.string(),
  timeZone: z.string().nullable(),
  changeId: id.nullable(),
  state: state.nullable(),
  service: z.string().nullable(),
  stage: z.string().nullable(),
  conflicts: z.number().int(),
});

const importedEvent = z.object({ uid: z.string(), summary: z.string(), start: z.string(), end: z.string(), allDay: z.boolean(), isNew: z.boolean() });

export const changeCalls = {
  'changes.list': call(
    'Change requests, newest first, with window, approvals, stale flag and conflict count; filtered by service, state, stage or window',
    z.object({ serviceId: id.optional(), state: state.optional(), stageId: id.optional(), from: instant.optional(), to: instant.optional() }),
    z.array(changeListItem),
  ),
  'changes.get': call('Everything about one change: fields, plan, verdict, risk, stale reason, conflicts, signed decisions, history, allowed actions', z.object({ changeId: id }), changeDetail),
  'changes.update': call(
    'Edit a draft or submitted change; editing a submitted change returns it to draft and drops its approvals (said in the result)',
    z.object({ changeId: id, edit: changeEdit }),
    z.object({ changeId: id, state, returnedToDraft: z.boolean(), approvalsDropped: z.number().int(), change: changeDetail }),
  ),
  'changes.replan': call(
    'Plan a change again against its target as it is now (a stale change must be): plan, verdict, risk and generated plans replaced; back to draft, approvals dropped',
    z.object({ changeId: id }),
    z.object({ changeId: id, state, returnedToDraft: z.boolean(), approvalsDropped: z.number().int(), change: changeDetail }),
  ),
  'changes.transition': call(
    'Move a change as the current person: submit, approve, reject, schedule (with a window), implement, fail, close, cancel, roll back, reopen',
    z.object({ changeId: id, action: changeAction, reason: z.string().max(2000).optional(), window: windowInput.optional() }),
    z.object({ changeId: id, action: changeAction, from: state, to: state, approvals: z.object({ given: z.number().int(), required: z.number().int() }), change: changeDetail }),
  ),
  'changes.conflicts': call('What a change conflicts with, or what a window would (windows overlapping on a host or service, freezes, same target, external events)', z.object({ changeId: id, window: windowInput.optional() }), z.array(conflict)),
  'people.list': call('The people of the workspace and their roles', z.object({}), z.array(person)),
  'people.add': call('Add a person (release managers only, or the first person); a signing key is made on this computer', z.object({ name: z.string().trim().min(1).max(100), roles: z.array(role).min(1) }), person),
  'people.update': call(
    'Rename a person or change their roles (release managers), or give the current person a new signing key',
    z.object({ personId: id, name: z.string().trim().min(1).max(100).optional(), roles: z.array(role).min(1).optional(), newKey: z.boolean().optional() }),
    person,
  ),
  'people.current': call(
    'Who is using the app in this workspace (remembered on this computer); the first person is made on first use',
    z.object({}),
    z.object({ person: person.nullable(), people: z.array(person) }),
  ),
  'people.setCurrent': call('Choose who is using the app in this workspace (remembered on this computer, not in the workspace)', z.object({ personId: id }), person),
  'calendar.events': call('Changes with windows, freeze occurrences and imported events between two instants', z.object({ from: instant, to: instant }), z.array(calendarEntry)),
  'calendar.exportIcs': call(
    "The changes (and freeze occurrences, and each active lease's last day as an all-day event) between two instants as an iCalendar (.ics) text",
    z.object({ from: instant, to: instant, includeFreezes: z.boolean().default(true), includeLeases: z.boolean().default(true) }),
    z.object({ fileName: z.string(), text: z.string(), events: z.number().int() }),
  ),
  'calendar.removeExternal': call(
    'Remove imported calendar events: by UID, or everything one import (source) brought',
    z.union([z.object({ uids: z.array(z.string().min(1)).min(1) }), z.object({ source: z.string().min(1) })]),
    z.object({ removed: z.number().int() }),
  ),
  'calendar.importIcs': call(
    'Read an iCalendar (.ics) text as external events (floating times in timeZone): preview, or apply (stored, replacing events with the same UID)',
    z.object({ text: z.string().max(20_000_000), source: z.string().max(200).default('import'), apply: z.boolean().default(false), timeZone: z.string().min(1).default('UTC') }),
    z.object({ events: z.array(importedEvent), added: z.number().int(), updated: z.number().int(), skipped: z.number().int(), warnings: z.array(z.string()), applied: z.boolean() }),
  ),
};
