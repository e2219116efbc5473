import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zonedInstant } from '../domain/freeze-windows';
import type { StagePolicy } from '../domain/release-policy';
import type { PersonRecord } from '../store/change-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { createApp } from './app';
import { addPerson, allowedActions, changeDetail, replanChange, transitionChange, updateChange, updatePerson } from './change-control';
import { proposePromotion } from './promotion-handlers';
import { KeyRing } from './signing';

let dir: string;
let app: ReturnType<typeof createApp>;
let store: WorkspaceStore;
let keys: KeyRing;
let demoChangeIds: number[];
const acting = 'Alice Requester';
const people: Record<string, PersonRecord> = {};
type Service = { id: number; name: string; stages: { id: number; name: string; image: { id: number; label: string } | null }[] };
let payments: Service;
const stage = (name: string) => payments.stages.find((s) => s.name === name)!;

const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
  const result = await app.dispatch(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as T;
};

/** A draft promoting v2 from testing to staging, saved by Alice through the real handler. */
const draftToStaging = async (title: string) =>
  (await call<{ id: number }>('promotion.saveDraft', { serviceId: payments.id, imageId: stage('testing').image!.id, fromStageId: stage('testing').id, toStageId: stage('staging').id, title })).id;

const move = (changeId: number, action: Parameters<typeof transitionChange>[1]['action'], who: string, extra: Partial<Parameters<typeof transitionChange>[1]> = {}) =>
  transitionChange(store, { changeId, action, actorId: people[who]!.id, ...extra }, { keys });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-changes-'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => acting });
  await call('workspace.openDemo', {});
  store = app.session.require();
  demoChangeIds = store.promotion.changes().map((c) => c.id);
  keys = new KeyRing(dir);
  payments = (await call<Service[]>('services.list', {})).find((s) => s.name === 'payments-api')!;
  const releaseManager = () => store.changes.people().find((p) => p.roles.includes('release-manager')) ?? null;
  for (const [name, roles] of [
    ['Dan Release', ['release-manager']],
    ['Alice Requester', ['requester']],
    ['Bob Approver', ['approver']],
    ['Carol CAB', ['cab']],
    ['Erin CAB', ['cab', 'approver']],
  ] as const) {
    people[name] = addPerson(store, releaseManager(), { name, roles }, keys);
  }
}, 120_000);
afterAll(() => app.session.close());

describe('the change workflow through the real service', () => {
  it('records a draft with generated plans and its requester', async () => {
    const id = await draftToStaging('Harden sshd on staging');
    const detail = changeDetail(store, id);
    expect(detail.requester?.name).toBe('Alice Requester');
    expect(detail.details.implementationPlan).toMatch(/write \/etc\/ssh\/sshd_config/);
    expect(detail.details.backoutPlan).toMatch(/previous image of staging, v1/);
    expect(detail.details.testPlan).toMatch(/expect zero drift against image v2/);
    expect(detail.history.map((h) => h.action)).toEqual(['draft']);
  });

  it('submits, refuses self-approval and unqualified approvers, approves with a valid signature, schedules around a freeze, implements in its window', async () => {
    const id = await draftToStaging('Promote v2 to staging');
    expect(() => move(id, 'submit', 'Bob Approver')).toThrow(/Only the requester or a release manager may submit/);
    expect(move(id, 'submit', 'Alice Requester')).toMatchObject({ from: 'draft', to: 'submitted' });
    // Alice is no approver; make her one: the policy still forbids approving her own change.
    store.write({ actor: 'test', action: 'test', subject: 'roles' }, () => store.changes.updatePerson(people['Alice Requester']!.id, { roles: ['requester', 'approver'] }));
    expect(() => move(id, 'approve', 'Alice Requester')).toThrow(/separation of duties/);
    expect(() => move(id, 'approve', 'Carol CAB')).toThrow(/Carol CAB cannot decide on this change/);
    const approved = move(id, 'approve', 'Bob Approver', { reason: 'looks right' });
    expect(approved).toMatchObject({ to: 'approved', approvals: { given: 1, required: 1 } });
    expect(changeDetail(store, id).decisions[0]).toMatchObject({ approver: 'Bob Approver', signatureStatus: 'valid', counted: true, comment: 'looks right' });

    // A weekly freeze on staging: Saturdays 00:00–24:00 in Berlin.
    const policy = store.promotion.policy<StagePolicy>(stage('staging').id);
    const freeze: StagePolicy = { requiredPredecessors: null, minSoakHours: 0, approvals: { count: 1, roles: ['approver'] }, allowSelfApproval: false, parityThreshold: 0.95, ...policy, freezeWindows: [{ kind: 'weekly', days: ['sat'], startTime: '00:00', durationMinutes: 1440, timeZone: 'Europe/Berlin', reason: 'weekend freeze' }] };
    store.write({ actor: 'test', action: 'policy.set', subject: 'staging' }, () => store.promotion.setPolicy(stage('staging').id, freeze));
    const saturday = { start: new Date(zonedInstant(2030, 3, 2, 10, 0, 'Europe/Berlin')).toISOString(), end: new Date(zonedInstant(2030, 3, 2, 12, 0, 'Europe/Berlin')).toISOString(), timeZone: 'Europe/Berlin' };
    expect(() => move(id, 'schedule', 'Dan Release', { window: saturday })).toThrow(/falls in a freeze: weekend freeze/);
    const monday = { start: new Date(zonedInstant(2030, 3, 4, 22, 0, 'Europe/Berlin')).toISOString(), end: new Date(zonedInstant(2030, 3, 4, 23, 30, 'Europe/Berlin')).toISOString(), timeZone: 'Europe/Berlin' };
    expect(() => move(id, 'schedule', 'Bob Approver', { window: monday })).toThrow(/Only a release manager/);
    expect(move(id, 'schedule', 'Dan Release', { window: monday })).toMatchObject({ to: 'scheduled' });
    // Scheduling is the release manager's act, not the approver's: the approval given before it still verifies.
    expect(changeDetail(store, id).decisions[0]!.signatureStatus).toBe('valid');
    expect(() => move(id, 'implement', 'Dan Release')).toThrow('only within its window (2030-03-04 22:00 Europe/Berlin to 2030-03-04 23:30)');
    expect(move(id, 'implement', 'Dan Release', { now: new Date(Date.parse(monday.start) + 60_000).toISOString() })).toMatchObject({ to: 'implemented' });
    expect(move(id, 'close', 'Alice Requester')).toMatchObject({ to: 'closed' });
    expect(changeDetail(store, id).history.map((h) => `${h.action}:${h.toState}`)).toEqual(['draft:draft', 'submit:submitted', 'approve:approved', 'schedule:scheduled', 'implement:implemented', 'close:closed']);
    store.write({ actor: 'test', action: 'policy.set', subject: 'staging' }, () => store.promotion.setPolicy(stage('staging').id, { ...freeze, freezeWindows: [] }));
    expect(store.audit.verify()).toMatchObject({ ok: true });
    expect(store.audit.entries(20).filter((e) => e.subject === `change ${id}`).map((e) => e.actor)).toEqual(expect.arrayContaining(['Alice Requester', 'Bob Approver', 'Dan Release']));
  });

  it('keeps private keys outside the workspace, readable by their owner only', () => {
    const bob = store.changes.person(people['Bob Approver']!.id);
    expect(keys.has(bob.publicKeyPem!)).toBe(true);
    const files = store.path;
    expect(keys.dir.startsWith(dir) && !keys.dir.startsWith(files)).toBe(true);
    expect(statSync(keys.dir).mode & 0o077).toBe(0);
  });

  it('flags a change stale when a target host is rescanned, and refuses to approve it until re-planned', async () => {
    const id = await draftToStaging('Stale after rescan');
    move(id, 'submit', 'Alice Requester');
    expect(changeDetail(store, id).stale).toBeNull();
    const host = store.inventory.environment(stage('staging').id).hosts[0]!;
    const latest = store.snapshots.latestByHost('9999', [host.id]).get(host.id)!;
    store.write({ actor: 'test', action: 'scan', subject: host.name }, () => store.snapshots.save(host.id, { ...store.snapshots.load(latest.id), capturedAt: new Date().toISOString() }));
    expect(changeDetail(store, id).stale).toBe(`host ${host.name} was rescanned`);
    expect(() => move(id, 'approve', 'Bob Approver')).toThrow(new RegExp(`re-plan the change first. Why: host ${host.name} was rescanned`));
    // Re-planning against the rescanned host makes it current again, as a draft.
    const replanned = replanChange(store, { changeId: id, actorId: people['Alice Requester']!.id }, (row, now) =>
      proposePromotion(store, { serviceId: row.serviceId, imageId: row.imageId, fromStageId: row.fromStageId!, toStageId: row.toStageId, acknowledgeDrift: false }, now),
    );
    expect(replanned).toMatchObject({ state: 'draft', returnedToDraft: true });
    expect(changeDetail(store, id).stale).toBeNull();
    expect(move(id, 'submit', 'Alice Requester')).toMatchObject({ to: 'submitted' });
    expect(move(id, 'cancel', 'Alice Requester', { reason: 'superseded by a new plan' })).toMatchObject({ to: 'cancelled' });
  });

  it('flags a change stale when its target stage is assigned another image', async () => {
    const id = await draftToStaging('Stale after reassignment');
    const staging = stage('staging');
    store.write({ actor: 'test', action: 'image.assign', subject: 'staging' }, () => store.images.assign(staging.id, stage('testing').image!.id, 'test'));
    expect(changeDetail(store, id).stale).toBe('the target stage was assigned another image');
    expect(() => move(id, 'submit', 'Alice Requester')).toThrow(/Why: the target stage was assigned another image/);
    store.write({ actor: 'test', action: 'image.assign', subject: 'staging' }, () => store.images.assign(staging.id, staging.image!.id, 'test'));
    expect(changeDetail(store, id).stale).toBeNull();
    move(id, 'cancel', 'Alice Requester', { reason: 'test done' });
  });

  it('editing a submitted change returns it to draft and drops its approvals; a risk override needs a reason', async () => {
    const id = await draftToStaging('Edited after submission');
    move(id, 'submit', 'Alice Requester');
    expect(() => updateChange(store, { changeId: id, actorId: people['Alice Requester']!.id, edit: { riskOverride: { level: 'high', reason: ' ' } } })).toThrow(/needs a reason/);
    const edited = updateChange(store, { changeId: id, actorId: people['Alice Requester']!.id, edit: { justification: 'Audit finding 42', riskOverride: { level: 'high', reason: 'first sshd change this quarter' } } });
    expect(edited).toEqual({ changeId: id, state: 'draft', returnedToDraft: true, approvalsDropped: 0 });
    const detail = changeDetail(store, id);
    expect(detail.risk).toMatchObject({ level: 'high', override: { reason: 'first sshd change this quarter', by: 'Alice Requester' } });
    expect(detail.details.justification).toBe('Audit finding 42');
  });

  it('a signed approval breaks when a signed field is altered directly in SQLite', async () => {
    const id = await draftToStaging('Tamper target');
    move(id, 'submit', 'Alice Requester');
    move(id, 'approve', 'Bob Approver');
    expect(changeDetail(store, id).decisions[0]!.signatureStatus).toBe('valid');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(store.path);
    db.prepare("UPDATE change_details SET category = 'emergency' WHERE change_id = ?").run(id);
    db.close();
    expect(changeDetail(store, id).decisions[0]!.signatureStatus).toBe('invalid');
  });
  it("a renamed approver's live approval still verifies, shown under the current name and the name signed; a forged signed name does not", async () => {
    const frank = addPerson(store, people['Dan Release']!, { name: 'Frank Approver', roles: ['approver'] }, keys);
    const id = await draftToStaging('Approved before a rename');
    move(id, 'submit', 'Alice Requester');
    transitionChange(store, { changeId: id, action: 'approve', actorId: frank.id }, { keys });
    updatePerson(store, people['Dan Release']!, frank.id, { name: 'Frank Renamed' }, keys);
    const [decision] = changeDetail(store, id).decisions;
    expect(decision).toMatchObject({ approver: 'Frank Renamed', signedAs: 'Frank Approver', signatureStatus: 'valid', counted: true });
    // The name as signed is covered by the signature: rewriting it in SQLite breaks the decision.
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(store.path);
    db.prepare('UPDATE change_decisions SET payload_json = ? WHERE id = ?').run(decision!.payloadJson.replace('Frank Approver', 'Frank Renamed'), decision!.id);
    db.close();
    expect(changeDetail(store, id).decisions[0]).toMatchObject({ signedAs: null, signatureStatus: 'invalid' });
    // Decisions signed when the demo was built (before any rename) verify as they did.
    const demoDecisions = demoChangeIds.flatMap((changeId) => changeDetail(store, changeId).decisions);
    expect(demoDecisions.length).toBeGreaterThan(0);
    expect(demoDecisions.map((d) => d.signatureStatus)).toEqual(demoDecisions.map(() => 'valid'));
  });

  it("a draft saved before change control keeps its creator as requester after the creator is renamed: they still cannot approve it", () => {
    const gina = addPerson(store, people['Dan Release']!, { name: 'Gina Creator', roles: ['requester', 'approver'] }, keys);
    const promotion = { serviceId: payments.id, imageId: stage('testing').image!.id, fromStageId: stage('testing').id, toStageId: stage('staging').id, acknowledgeDrift: false };
    // As promotion.saveDraft stored drafts before change control: the row alone, its creator by name.
    const { id } = store.write({ actor: 'Gina Creator', action: 'change.draft', subject: 'old draft' }, () => {
      const proposal = proposePromotion(store, promotion);
      const plan = { plan: proposal.plan, basis: proposal.basis, acknowledgedDrift: false, targetParity: proposal.targetParity };
      return store.promotion.createChange({ title: 'Old draft', serviceId: payments.id, imageId: promotion.imageId, fromStageId: promotion.fromStageId, toStageId: promotion.toStageId, plan, verdict: proposal.verdict, risk: proposal.risk, earliestAt: proposal.verdict.earliestAt, createdAt: new Date().toISOString(), createdBy: 'Gina Creator' });
    });
    expect(store.changes.details(id)).toBeNull();
    updatePerson(store, people['Dan Release']!, gina.id, { name: 'Gina Renamed' }, keys);
    expect(changeDetail(store, id).requester?.name).toBe('Gina Renamed');
    move(id, 'submit', 'Dan Release');
    expect(() => transitionChange(store, { changeId: id, action: 'approve', actorId: gina.id }, { keys })).toThrow(/separation of duties/);
    expect(store.changes.details(id)?.requesterId).toBe(gina.id);
  });

  it('waits for every named approver beyond the policy count, and keeps old approvals verifiable after a new key', async () => {
    const id = await draftToStaging('Named approvers');
    updateChange(store, { changeId: id, actorId: people['Alice Requester']!.id, edit: { requiredApproverIds: [people['Erin CAB']!.id] } });
    move(id, 'submit', 'Alice Requester');
    expect(move(id, 'approve', 'Bob Approver')).toMatchObject({ to: 'submitted', approvals: { given: 1, required: 1 } });
    expect(move(id, 'approve', 'Erin CAB')).toMatchObject({ to: 'approved', approvals: { given: 2 } });
    updatePerson(store, people['Bob Approver']!, people['Bob Approver']!.id, { newKey: true }, keys);
    expect(changeDetail(store, id).decisions.map((d) => d.signatureStatus)).toEqual(['valid', 'valid']);
  });

  it("offers Schedule when a new window would be accepted: the change's window is over, or the hour a day ahead is frozen", async () => {
    const scheduleOffered = (id: number, now: string) => allowedActions(store, id, people['Dan Release']!.id, now).find((a) => a.action === 'schedule')!;
    const approvedChange = async (title: string) => {
      const id = await draftToStaging(title);
      move(id, 'submit', 'Alice Requester');
      move(id, 'approve', 'Bob Approver');
      return id;
    };
    // Its window passed without it being implemented: it can be rescheduled into a new one.
    const overdue = await approvedChange('Window passed');
    move(overdue, 'schedule', 'Dan Release', { window: { start: '2031-05-01T20:00:00.000Z', end: '2031-05-01T22:00:00.000Z', timeZone: 'UTC' }, now: '2031-04-30T10:00:00.000Z' });
    const later = '2031-05-02T10:00:00.000Z';
    expect(scheduleOffered(overdue, later)).toEqual({ action: 'schedule', allowed: true, reason: null });
    expect(move(overdue, 'schedule', 'Dan Release', { window: { start: '2031-05-03T20:00:00.000Z', end: '2031-05-03T22:00:00.000Z', timeZone: 'UTC' }, now: later })).toMatchObject({ from: 'scheduled', to: 'scheduled' });

    // No window yet, and the same hour tomorrow is frozen: another hour is free.
    const policy = store.promotion.policy<StagePolicy>(stage('staging').id);
    const frozen: StagePolicy = { requiredPredecessors: null, minSoakHours: 0, approvals: { count: 1, roles: ['approver'] }, allowSelfApproval: false, parityThreshold: 0.95, ...policy, freezeWindows: [{ kind: 'once', start: '2031-06-02T09:00', end: '2031-06-02T12:00', timeZone: 'UTC', reason: 'data centre move' }] };
    store.write({ actor: 'test', action: 'policy.set', subject: 'staging' }, () => store.promotion.setPolicy(stage('staging').id, frozen));
    const unscheduled = await approvedChange('Tomorrow is frozen');
    const now = '2031-06-01T10:00:00.000Z';
    expect(scheduleOffered(unscheduled, now)).toEqual({ action: 'schedule', allowed: true, reason: null });
    expect(() => move(unscheduled, 'schedule', 'Dan Release', { window: { start: '2031-06-02T10:00:00.000Z', end: '2031-06-02T11:00:00.000Z', timeZone: 'UTC' }, now })).toThrow(/falls in a freeze: data centre move/);
    expect(move(unscheduled, 'schedule', 'Dan Release', { window: { start: '2031-06-03T10:00:00.000Z', end: '2031-06-03T11:00:00.000Z', timeZone: 'UTC' }, now })).toMatchObject({ to: 'scheduled' });
    // Who may schedule is still checked.
    expect(allowedActions(store, unscheduled, people['Bob Approver']!.id, now).find((a) => a.action === 'schedule')).toMatchObject({ allowed: false, reason: expect.stringMatching(/Only a release manager/) });
    store.write({ actor: 'test', action: 'policy.set', subject: 'staging' }, () => store.promotion.setPolicy(stage('staging').id, { ...frozen, freezeWindows: [] }));
  });

  it('rejects with a reason, reopens to draft, and after implementing can fail and roll back (as applying a promotion will)', async () => {
    const id = await draftToStaging('Rejected then reopened');
    move(id, 'submit', 'Alice Requester');
    expect(() => move(id, 'reject', 'Bob Approver')).toThrow(/Say why the change is rejected/);
    move(id, 'reject', 'Bob Approver', { reason: 'No backout tested' });
    expect(() => move(id, 'reopen', 'Bob Approver')).toThrow(/Only the requester may reopen/);
    expect(move(id, 'reopen', 'Alice Requester')).toMatchObject({ to: 'draft', approvals: { given: 0 } });
    expect(changeDetail(store, id).decisions[0]).toMatchObject({ decision: 'reject', signatureStatus: 'valid', counted: false });
    expect(changeDetail(store, id).decisions[0]!.droppedAt).not.toBeNull();
    move(id, 'submit', 'Alice Requester');
    move(id, 'approve', 'Bob Approver');
    const window = { start: '2032-01-05T20:00:00.000Z', end: '2032-01-05T22:00:00.000Z', timeZone: 'UTC' };
    move(id, 'schedule', 'Dan Release', { window });
    expect(move(id, 'fail', 'Dan Release', { now: '2032-01-05T20:30:00.000Z', reason: 'apt lock held' })).toMatchObject({ to: 'failed' });
    expect(move(id, 'roll-back', 'Dan Release', { now: '2032-01-05T20:45:00.000Z' })).toMatchObject({ to: 'rolled-back' });
    expect(move(id, 'close', 'Dan Release', { now: '2032-01-05T21:00:00.000Z' })).toMatchObject({ to: 'closed' });
  });
});
