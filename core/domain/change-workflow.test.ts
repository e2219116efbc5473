import { describe, expect, it } from 'vitest';
import { approvalsCounted, staleness, transition, type ChangeAction, type Person, type WorkflowChange } from './change-workflow';

const ana: Person = { id: 1, name: 'Ana', roles: ['requester'] };
const ben: Person = { id: 2, name: 'Ben', roles: ['approver', 'cab'] };
const cho: Person = { id: 3, name: 'Cho', roles: ['cab'] };
const dev: Person = { id: 4, name: 'Dev', roles: ['release-manager', 'approver'] };
const now = '2026-12-01T10:00:00Z';

const change = (overrides: Partial<WorkflowChange> = {}): WorkflowChange => ({
  state: 'draft',
  requesterId: ana.id,
  decisions: [],
  window: null,
  requirement: { count: 2, roles: ['cab'], allowSelfApproval: false },
  stale: false,
  ...overrides,
});

const act = (c: WorkflowChange, action: ChangeAction, actor: Person, extra = {}) => transition({ change: c, action, actor, now, ...extra });

describe('change workflow', () => {
  it('walks the happy path from draft to closed', () => {
    let c = change();
    const step = (action: ChangeAction, actor: Person, extra = {}) => {
      const result = act(c, action, actor, extra);
      if (!result.ok) throw new Error(result.reason);
      c = { ...c, state: result.state, decisions: result.decision ? [...c.decisions, result.decision] : c.decisions };
      return result.state;
    };
    expect(step('submit', ana)).toBe('submitted');
    expect(step('approve', ben)).toBe('submitted'); // one of two CAB approvals
    expect(step('approve', cho)).toBe('approved');
    c = { ...c, window: { start: '2026-12-02T22:00:00Z', end: '2026-12-03T01:00:00Z', timeZone: 'Europe/Berlin' } };
    expect(step('schedule', dev)).toBe('scheduled');
    expect(transition({ change: c, action: 'implement', actor: dev, now: '2026-12-02T23:00:00Z' })).toMatchObject({ ok: true, state: 'implemented' });
  });

  it('refuses a production approval short of the approvals its stage requires', () => {
    const c = change({ state: 'submitted', decisions: [{ personId: ben.id, decision: 'approve', at: now }] });
    expect(act(c, 'approve', ben)).toMatchObject({ ok: true, state: 'submitted' }); // the same person twice counts once
    expect(approvalsCounted({ decisions: [...c.decisions, { personId: ben.id, decision: 'approve', at: now }] })).toHaveLength(1);
  });

  it('keeps separation of duties unless the policy allows self-approval', () => {
    const requesterApprover: Person = { id: 1, name: 'Ana', roles: ['requester', 'cab'] };
    expect(act(change({ state: 'submitted' }), 'approve', requesterApprover)).toMatchObject({ ok: false, reason: expect.stringMatching(/separation of duties/) });
    const allowed = change({ state: 'submitted', requirement: { count: 1, roles: ['cab'], allowSelfApproval: true } });
    expect(act(allowed, 'approve', requesterApprover)).toMatchObject({ ok: true, state: 'approved' });
  });

  it('lets only qualified people decide', () => {
    expect(act(change({ state: 'submitted' }), 'approve', dev)).toMatchObject({ ok: false, reason: expect.stringMatching(/needs a CAB member/) });
    expect(act(change({ state: 'submitted', requirement: { count: 1, roles: [], allowSelfApproval: false } }), 'approve', dev)).toMatchObject({ ok: true });
  });

  it('asks for reasons to reject or cancel', () => {
    expect(act(change({ state: 'submitted' }), 'reject', ben)).toMatchObject({ ok: false, reason: 'Say why the change is rejected.' });
    expect(act(change({ state: 'submitted' }), 'reject', ben, { reason: 'no backout plan' })).toMatchObject({ ok: true, state: 'rejected' });
    expect(act(change(), 'cancel', ana, { reason: 'superseded' })).toMatchObject({ ok: true, state: 'cancelled' });
  });

  it('never schedules into a freeze, nor an empty or past window', () => {
    const approved = change({ state: 'approved' });
    const window = { start: '2026-12-24T08:00:00Z', end: '2026-12-24T10:00:00Z', timeZone: 'UTC' };
    expect(act(approved, 'schedule', dev, { window, frozen: { reason: 'Christmas freeze' } })).toMatchObject({ ok: false, reason: 'The window falls in a freeze: Christmas freeze.' });
    expect(act(approved, 'schedule', dev, { window: { ...window, end: window.start } })).toMatchObject({ ok: false, reason: expect.stringMatching(/end after/) });
    expect(act(approved, 'schedule', dev, { window: { ...window, start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' } })).toMatchObject({ ok: false, reason: expect.stringMatching(/already over/) });
    expect(act(approved, 'schedule', dev)).toMatchObject({ ok: false, reason: expect.stringMatching(/give its start and end/) });
    expect(act(approved, 'schedule', ana, { window })).toMatchObject({ ok: false, reason: expect.stringMatching(/release manager/) });
    // Whether scheduling is possible at all: a past window of the change is no answer (a new one will be given).
    const past = change({ state: 'scheduled', window: { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', timeZone: 'UTC' } });
    expect(act(past, 'schedule', dev, { windowToBeGiven: true })).toMatchObject({ ok: true, state: 'scheduled' });
    expect(act(past, 'schedule', ana, { windowToBeGiven: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/release manager/) });
    expect(act(change({ state: 'submitted' }), 'schedule', dev, { windowToBeGiven: true })).toMatchObject({ ok: false });
  });

  it('refuses moves the workflow does not have, naming where they are possible', () => {
    expect(act(change(), 'implement', dev)).toMatchObject({ ok: false, reason: 'A draft change cannot be implemented; that is possible only from scheduled.' });
    expect(act(change({ state: 'closed' }), 'cancel', ana, { reason: 'x' })).toMatchObject({ ok: false });
  });

  it('blocks a stale change until it is re-planned', () => {
    expect(act(change({ stale: true }), 'submit', ana)).toMatchObject({ ok: false, reason: expect.stringMatching(/re-plan/) });
    expect(act(change({ stale: true }), 'cancel', ana, { reason: 'stale' })).toMatchObject({ ok: true });
  });

  it('implements only inside the window', () => {
    const scheduled = change({ state: 'scheduled', window: { start: '2026-12-02T22:00:00Z', end: '2026-12-03T01:00:00Z', timeZone: 'UTC' } });
    expect(transition({ change: scheduled, action: 'implement', actor: dev, now: '2026-12-02T21:59:00Z' })).toMatchObject({ ok: false });
    expect(transition({ change: scheduled, action: 'implement', actor: dev, now: '2026-12-03T00:30:00Z' })).toMatchObject({ ok: true });
  });
});

describe('staleness', () => {
  const basis = { imageId: 4, targetImageId: 2, snapshots: { 'web-01': 10, 'web-02': 11 } };
  it('is null while nothing moved on, and says what did', () => {
    expect(staleness(basis, basis)).toBeNull();
    expect(staleness(basis, { ...basis, targetImageId: 3 })).toBe('the target stage was assigned another image');
    expect(staleness(basis, { ...basis, snapshots: { 'web-01': 10, 'web-02': 12 } })).toBe('host web-02 was rescanned');
    expect(staleness(basis, { ...basis, snapshots: { 'web-01': 10 } })).toBe('host web-02 left the target stage');
    expect(staleness(basis, { ...basis, snapshots: { ...basis.snapshots, 'web-03': 1 } })).toBe('host web-03 joined the target stage');
  });
});
