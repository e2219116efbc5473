import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutput } from '../contract/index';
import { createApp } from './app';

let dir: string;
let app: ReturnType<typeof createApp>;
const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
  const result = await app.dispatch(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as T;
};
type Person = CallOutput<'people.current'>['people'][number];
type Detail = CallOutput<'changes.get'>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-change-calls-'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'ops-admin' });
  await call('workspace.create', { path: join(dir, 'fresh.stagecraft'), name: 'Fresh' });
});
afterAll(() => app.session.close());

describe('people and the current person', () => {
  it('makes the first user a person with every role and a key kept outside the workspace, and names them in the audit log', async () => {
    const current = await call<CallOutput<'people.current'>>('people.current', {});
    expect(current.person).toMatchObject({ name: 'ops-admin', roles: ['requester', 'approver', 'cab', 'release-manager'], canSignHere: true });
    expect(current.person!.keyFingerprint).toMatch(/^SHA256:/);
    const added = await call<Person>('people.add', { name: 'Grace Hopper', roles: ['cab'] });
    expect(added).toMatchObject({ name: 'Grace Hopper', roles: ['cab'], canSignHere: true });
    const entries = await call<{ actor: string; action: string }[]>('audit.entries', { limit: 5 });
    expect(entries.find((e) => e.action === 'person.add' && e.actor === 'ops-admin')).toBeDefined();
  });

  it('remembers the chosen person per workspace on this computer, and audits as them', async () => {
    const grace = (await call<Person[]>('people.list', {})).find((p) => p.name === 'Grace Hopper')!;
    await call('people.setCurrent', { personId: grace.id });
    expect(app.ctx.actor()).toBe('Grace Hopper');
    await expect(call('people.add', { name: 'Mallory', roles: ['cab'] })).rejects.toThrow(/Grace Hopper cannot manage people: only a release manager can/);
    // A new app (another run) on the same data folder remembers the choice.
    const again = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'ops-admin' });
    await again.dispatch('workspace.open', { path: join(dir, 'fresh.stagecraft') });
    expect(again.ctx.actor()).toBe('Grace Hopper');
    again.session.close();
    const admin = (await call<Person[]>('people.list', {})).find((p) => p.name === 'ops-admin')!;
    await call('people.setCurrent', { personId: admin.id });
    await expect(call('people.update', { personId: admin.id, roles: ['approver'] })).rejects.toThrow(/ops-admin is the only release manager/);
    expect(await call<Person>('people.update', { personId: grace.id, roles: ['cab', 'approver'] })).toMatchObject({ roles: ['cab', 'approver'] });
  });

  it('forgets the choice for another workspace made later at the same path: its person ids name other people', async () => {
    const other = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'nobody-here' });
    const demo = async () => {
      const opened = await other.dispatch('workspace.openDemo', {});
      if (!opened.ok) throw new Error(opened.error.message);
      const current = await other.dispatch('people.current', {});
      if (!current.ok) throw new Error(current.error.message);
      return current.value as CallOutput<'people.current'>;
    };
    const first = await demo();
    expect(first.person).toBeNull();
    const chosen = first.people.find((p) => p.roles.includes('cab'))!;
    expect(await other.dispatch('people.setCurrent', { personId: chosen.id })).toMatchObject({ ok: true });
    expect((await demo()).person).toBeNull(); // rebuilt at the same path: nobody chosen yet
    other.session.close();
  }, 120_000);
});

describe('changes through the contract on the demo workspace', () => {
  let changeId: number;
  let people: Person[];
  const actAs = async (name: string) => call('people.setCurrent', { personId: people.find((p) => p.name === name)!.id });

  beforeAll(async () => {
    await call('workspace.openDemo', {});
    people = (await call<CallOutput<'people.current'>>('people.current', {})).people;
  }, 120_000);

  it('has people with roles and keys in the demo', () => {
    expect(people.length).toBeGreaterThanOrEqual(4);
    expect(new Set(people.flatMap((p) => p.roles))).toEqual(new Set(['requester', 'approver', 'cab', 'release-manager']));
    expect(people.every((p) => p.canSignHere)).toBe(true);
  });

  it('drafts, edits, submits, approves as a second person, schedules and shows it on the calendar and in .ics', async () => {
    const requester = people.find((p) => p.roles.includes('requester') && !p.roles.includes('release-manager'))!;
    await actAs(requester.name);
    type Service = { id: number; name: string; stages: { id: number; name: string; image: { id: number } | null }[] };
    const payments = (await call<Service[]>('services.list', {})).find((s) => s.name === 'payments-api')!;
    const st = (n: string) => payments.stages.find((s) => s.name === n)!;
    const draft = await call<{ id: number }>('promotion.saveDraft', { serviceId: payments.id, imageId: st('testing').image!.id, fromStageId: st('testing').id, toStageId: st('staging').id, title: 'Promote v2; harden sshd, staging' });
    changeId = draft.id;
    const detail = await call<Detail>('changes.get', { changeId });
    expect(detail).toMatchObject({ state: 'draft', requester: { name: requester.name }, category: 'normal', stale: null });
    expect(detail.actions.find((a) => a.action === 'submit')).toMatchObject({ allowed: true });
    expect(detail.actions.find((a) => a.action === 'approve')?.reason).toMatch(/draft change cannot be approved/);

    const edited = await call<CallOutput<'changes.update'>>('changes.update', { changeId, edit: { justification: 'CIS benchmark 5.2', category: 'standard' } });
    expect(edited).toMatchObject({ returnedToDraft: false, change: { justification: 'CIS benchmark 5.2', category: 'standard' } });
    await call('changes.transition', { changeId, action: 'submit' });
    const resubmittedEdit = await call<CallOutput<'changes.update'>>('changes.update', { changeId, edit: { impact: 'sshd restarts: sessions drop' } });
    expect(resubmittedEdit).toMatchObject({ state: 'draft', returnedToDraft: true });
    await call('changes.transition', { changeId, action: 'submit' });

    const approver = people.find((p) => p.roles.includes('approver') && p.id !== requester.id)!;
    await actAs(approver.name);
    const approved = await call<CallOutput<'changes.transition'>>('changes.transition', { changeId, action: 'approve', reason: 'fine' });
    expect(approved).toMatchObject({ from: 'submitted', to: 'approved' });
    expect(approved.change.decisions[0]).toMatchObject({ approver: approver.name, signatureStatus: 'valid', counted: true });
    // Anyone with the workspace's public keys can check the exported approval with node:crypto alone.
    const { createPublicKey, verify } = await import('node:crypto');
    const decision = approved.change.decisions[0]!;
    const publicKey = createPublicKey(people.find((p) => p.id === approver.id)!.publicKeyPem!);
    expect(verify(null, Buffer.from(decision.payload), publicKey, Buffer.from(decision.signature!, 'base64'))).toBe(true);
    expect(JSON.parse(decision.payload)).toMatchObject({ changeId, decision: 'approve', approver: { name: approver.name }, title: 'Promote v2; harden sshd, staging' });
    expect(verify(null, Buffer.from(decision.payload.replace('staging', 'production')), publicKey, Buffer.from(decision.signature!, 'base64'))).toBe(false);

    const manager = people.find((p) => p.roles.includes('release-manager'))!;
    await actAs(manager.name);
    const scheduled = await call<CallOutput<'changes.transition'>>('changes.transition', { changeId, action: 'schedule', window: { start: '2031-03-30T22:00', end: '2031-03-30T23:30', timeZone: 'Europe/Berlin' } });
    // Berlin is on summer time (UTC+2) on 30 March 2031.
    expect(scheduled.change.window).toEqual({ start: '2031-03-30T20:00:00.000Z', end: '2031-03-30T21:30:00.000Z', timeZone: 'Europe/Berlin' });

    const events = await call<CallOutput<'calendar.events'>>('calendar.events', { from: '2031-03-01T00:00:00Z', to: '2031-04-01T00:00:00Z' });
    expect(events.find((e) => e.changeId === changeId)).toMatchObject({ kind: 'change', state: 'scheduled', stage: 'staging', timeZone: 'Europe/Berlin' });
    expect((await call<CallOutput<'changes.list'>>('changes.list', { state: 'scheduled', from: '2031-03-30T00:00:00Z', to: '2031-03-31T00:00:00Z' })).map((c) => c.id)).toEqual([changeId]);

    const ics = await call<CallOutput<'calendar.exportIcs'>>('calendar.exportIcs', { from: '2031-03-01T00:00:00Z', to: '2031-04-01T00:00:00Z' });
    expect(ics.text).toContain('DTSTART:20310330T200000Z');
    expect(ics.text).toContain('SUMMARY:#' + changeId + ' Promote v2\\; harden sshd\\, staging (scheduled)');
    // Re-importing our own export adds nothing: those are our changes, not the organisation's.
    const own = await call<CallOutput<'calendar.importIcs'>>('calendar.importIcs', { text: ics.text, apply: true });
    expect(own).toMatchObject({ added: 0, skipped: ics.events, applied: false });
  });

  it("shows a renamed approver's approval as valid, under the current name and the name signed", async () => {
    const { decisions } = await call<Detail>('changes.get', { changeId });
    const approver = people.find((p) => p.id === decisions[0]!.personId)!;
    await actAs(people.find((p) => p.roles.includes('release-manager'))!.name);
    await call('people.update', { personId: approver.id, name: `${approver.name} (renamed)` });
    expect((await call<Detail>('changes.get', { changeId })).decisions[0]).toMatchObject({ approver: `${approver.name} (renamed)`, signedAs: approver.name, signatureStatus: 'valid', counted: true });
    await call('people.update', { personId: approver.id, name: approver.name });
    expect((await call<Detail>('changes.get', { changeId })).decisions[0]).toMatchObject({ approver: approver.name, signedAs: null, signatureStatus: 'valid' });
  });

  it('imports the organisation calendar and reports the overlap as a conflict', async () => {
    const text = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:dc-power-2031@corp.example', 'DTSTART;TZID=Europe/Berlin:20310330T230000', 'DTEND;TZID=Europe/Berlin:20310331T010000', 'SUMMARY:Datacentre power test', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    const preview = await call<CallOutput<'calendar.importIcs'>>('calendar.importIcs', { text, source: 'corp.ics' });
    expect(preview).toMatchObject({ added: 1, applied: false });
    expect(await call<Detail>('changes.get', { changeId })).toMatchObject({ conflicts: 0 });
    await call('calendar.importIcs', { text, source: 'corp.ics', apply: true });
    const detail = await call<Detail>('changes.get', { changeId });
    expect(detail.conflictList).toEqual([expect.objectContaining({ kind: 'external-event', externalUid: 'dc-power-2031@corp.example' })]);
    expect(detail.conflictList[0]!.detail).toMatch(/Datacentre power test.*2031-03-30 23:00/);
    // A wrong import is taken back by its source; the conflict goes with it.
    await expect(call('calendar.removeExternal', { source: 'nothing.ics' })).rejects.toThrow(/No imported event matches/);
    expect(await call('calendar.removeExternal', { source: 'corp.ics' })).toEqual({ removed: 1 });
    expect(await call<Detail>('changes.get', { changeId })).toMatchObject({ conflicts: 0 });
    await call('calendar.importIcs', { text, source: 'corp.ics', apply: true });
  });

  it('answers what a window would conflict with before scheduling into it', async () => {
    const listed = await call<CallOutput<'changes.list'>>('changes.list', { state: 'submitted' });
    const overlapping = listed.find((c) => c.title === 'Storefront testing: cache tuning')!;
    const weekend = await call<CallOutput<'changes.conflicts'>>('changes.conflicts', { changeId: overlapping.id, window: { start: '2031-03-30T22:30', end: '2031-03-30T23:30', timeZone: 'Europe/Berlin' } });
    expect(weekend.map((c) => c.kind)).toEqual(['same-target', 'external-event']);
    await expect(call('changes.conflicts', { changeId: overlapping.id, window: { start: '2031-03-30T23:30', end: '2031-03-30T22:30', timeZone: 'Europe/Berlin' } })).rejects.toThrow(/ends .* before it starts/);
  });

  it('says what is wrong with a malformed calendar, by line, and stores nothing', async () => {
    const before = await call<CallOutput<'calendar.events'>>('calendar.events', { from: '2030-01-01T00:00:00Z', to: '2031-06-01T00:00:00Z' });
    const bad = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:x@y', 'DTSTART:2031-03-30 10:00', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n');
    await expect(call('calendar.importIcs', { text: bad, apply: true })).rejects.toThrow(/Line 4 of the calendar: DTSTART "2031-03-30 10:00" is not a date-time/);
    expect(await call('calendar.events', { from: '2030-01-01T00:00:00Z', to: '2031-06-01T00:00:00Z' })).toEqual(before);
  });
});
