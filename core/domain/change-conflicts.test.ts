import { describe, expect, it } from 'vitest';
import { conflictsOf, windowOf, type ScheduledChange } from './change-conflicts';
import { describeWindow } from './change-workflow';
import type { FreezeWindow } from './freeze-windows';

const change = (id: number, over: Partial<ScheduledChange> = {}): ScheduledChange => ({
  id,
  title: `change ${id}`,
  serviceId: 1,
  serviceName: 'payments-api',
  toStageId: 10 + id,
  stageName: `stage-${id}`,
  state: 'scheduled',
  hosts: [],
  window: null,
  ...over,
});
const none = { freezeWindows: [] as FreezeWindow[], events: [] };

describe('change windows from wall-clock times', () => {
  it('reads wall-clock times in the planned zone, and instants with an offset as given', () => {
    expect(windowOf('2026-10-25T02:30', '2026-10-25T03:30', 'Europe/Berlin')).toEqual({ start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T02:30:00.000Z', timeZone: 'Europe/Berlin' });
    expect(windowOf('2026-11-01T01:00-04:00', '2026-11-01T01:00-05:00', 'America/New_York')).toEqual({ start: '2026-11-01T05:00:00.000Z', end: '2026-11-01T06:00:00.000Z', timeZone: 'America/New_York' });
  });

  it('refuses unknown zones, unreadable times and windows that end before they start', () => {
    expect(() => windowOf('2026-12-01T22:00', '2026-12-01T23:00', 'Mars/Olympus')).toThrow(/not a time zone/);
    expect(() => windowOf('tomorrow', '2026-12-01T23:00', 'UTC')).toThrow(/The start "tomorrow" is not a time/);
    expect(() => windowOf('2026-12-01T23:00', '2026-12-01T22:00', 'UTC')).toThrow(/ends .* before it starts/);
  });

  it('shows a window in its own zone, across the autumn clock change', () => {
    expect(describeWindow(windowOf('2026-10-25T01:30', '2026-10-25T04:00', 'Europe/Berlin'))).toBe('2026-10-25 01:30 Europe/Berlin to 2026-10-25 04:00');
  });
});

describe('conflicts', () => {
  it('finds two changes on the same host whose windows overlap only because Berlin repeats an hour (2026-10-25), planned from New York', () => {
    // Berlin 02:00–03:00 on the night the clocks go back lasts two real hours (00:00Z–02:00Z).
    const berlin = change(1, { hosts: ['db-01', 'web-01'], window: windowOf('2026-10-25T02:00', '2026-10-25T03:00', 'Europe/Berlin') });
    // New York 21:30–22:00 EDT on the 24th is 01:30Z–02:00Z: inside the second, repeated hour.
    const newYork = change(2, { hosts: ['db-01'], window: windowOf('2026-10-24T21:30', '2026-10-24T22:00', 'America/New_York') });
    const found = conflictsOf(berlin, [berlin, newYork], none);
    expect(found).toEqual([{ kind: 'host-overlap', detail: 'Change #2 "change 2" works on db-01 at the same time (2026-10-25 02:30 Europe/Berlin to 2026-10-25 03:00).', otherChangeId: 2, externalUid: null }]);
    // One minute later in New York no longer overlaps.
    const later = change(3, { hosts: ['db-01'], window: windowOf('2026-10-24T22:00', '2026-10-24T22:30', 'America/New_York') });
    expect(conflictsOf(berlin, [berlin, later], none)).toEqual([]);
  });

  it('finds overlaps on the same service on other hosts, but not on other services, and not with finished changes', () => {
    const mine = change(1, { hosts: ['a'], window: windowOf('2026-06-01T10:00', '2026-06-01T12:00', 'UTC') });
    const sameService = change(2, { hosts: ['b'], window: windowOf('2026-06-01T11:00', '2026-06-01T13:00', 'UTC') });
    const otherService = change(3, { serviceId: 2, serviceName: 'identity', hosts: ['c'], window: windowOf('2026-06-01T11:00', '2026-06-01T13:00', 'UTC') });
    const closed = change(4, { hosts: ['a'], state: 'closed', window: windowOf('2026-06-01T11:00', '2026-06-01T13:00', 'UTC') });
    const touching = change(5, { hosts: ['a'], window: windowOf('2026-06-01T12:00', '2026-06-01T13:00', 'UTC') });
    expect(conflictsOf(mine, [mine, sameService, otherService, closed, touching], none).map((c) => [c.kind, c.otherChangeId])).toEqual([['service-overlap', 2]]);
  });

  it('finds another open change of the same target, whatever its window', () => {
    const mine = change(1, { toStageId: 7 });
    const draft = change(2, { toStageId: 7, state: 'draft' });
    const cancelled = change(3, { toStageId: 7, state: 'cancelled' });
    expect(conflictsOf(mine, [mine, draft, cancelled], none)).toEqual([expect.objectContaining({ kind: 'same-target', otherChangeId: 2 })]);
  });

  it('finds a freeze of the target stage during the window, across the spring clock change in New York (2026-03-08)', () => {
    const sundays: FreezeWindow = { kind: 'weekly', days: ['sun'], startTime: '01:00', durationMinutes: 180, timeZone: 'America/New_York', reason: 'Sunday maintenance freeze' };
    // Sunday 01:00 + 3 h of real time ends at 05:00 EDT on the day the clocks skip 02:00–03:00.
    const inside = change(1, { window: windowOf('2026-03-08T04:30', '2026-03-08T05:30', 'America/New_York') });
    expect(conflictsOf(inside, [inside], { freezeWindows: [sundays], events: [] })).toEqual([
      { kind: 'freeze', detail: 'stage-1 is frozen from 2026-03-08 01:00 America/New_York to 2026-03-08 05:00 America/New_York: Sunday maintenance freeze.', otherChangeId: null, externalUid: null },
    ]);
    const after = change(1, { window: windowOf('2026-03-08T05:00', '2026-03-08T06:00', 'America/New_York') });
    expect(conflictsOf(after, [after], { freezeWindows: [sundays], events: [] })).toEqual([]);
  });

  it('finds imported events of the organisation calendar that overlap, shown in the change’s zone', () => {
    const mine = change(1, { window: windowOf('2026-12-01T22:00', '2026-12-01T23:00', 'Europe/Berlin') });
    const events = [
      { uid: 'a', summary: 'Core switch upgrade', start: '2026-12-01T21:30:00Z', end: '2026-12-01T22:30:00Z' },
      { uid: 'b', summary: 'Earlier', start: '2026-12-01T20:00:00Z', end: '2026-12-01T21:00:00Z' },
    ];
    expect(conflictsOf(mine, [mine], { freezeWindows: [], events })).toEqual([
      { kind: 'external-event', detail: '"Core switch upgrade" on the organisation\'s calendar (2026-12-01 22:30 Europe/Berlin to 2026-12-01 23:30).', otherChangeId: null, externalUid: 'a' },
    ]);
  });
});
