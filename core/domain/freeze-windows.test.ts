import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { frozenAt, frozenDuring, nextAllowedInstant, occurrences, wallClock, zonedInstant, type FreezeWindow } from './freeze-windows';

const at = (iso: string) => Date.parse(iso);
const weekend: FreezeWindow = { kind: 'weekly', days: ['fri'], startTime: '18:00', durationMinutes: 60 * 60, timeZone: 'Europe/Berlin', reason: 'weekend freeze' };

describe('zoned wall-clock times', () => {
  it('converts across offsets, in and out of daylight saving', () => {
    expect(new Date(zonedInstant(2026, 1, 15, 12, 0, 'Europe/Berlin')).toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(new Date(zonedInstant(2026, 7, 15, 12, 0, 'Europe/Berlin')).toISOString()).toBe('2026-07-15T10:00:00.000Z');
    expect(new Date(zonedInstant(2026, 7, 15, 12, 0, 'America/New_York')).toISOString()).toBe('2026-07-15T16:00:00.000Z');
  });

  it('moves a time skipped by spring-forward past the gap, and takes the first of a repeated one', () => {
    // Berlin skips 02:00-03:00 on 2026-03-29; New York repeats 01:00-02:00 on 2026-11-01.
    expect(new Date(zonedInstant(2026, 3, 29, 2, 30, 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(new Date(zonedInstant(2026, 11, 1, 1, 30, 'America/New_York')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('round-trips any instant through its wall clock (outside gaps)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.constantFrom('Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'UTC'), (t, zone) => {
        const minute = Math.floor(t / 60_000) * 60_000;
        const w = wallClock(minute, zone);
        const back = zonedInstant(w.year, w.month, w.day, w.hour, w.minute, zone);
        // A repeated hour maps to its first occurrence: at most one hour earlier.
        expect(minute - back === 0 || minute - back === 3_600_000).toBe(true);
      }),
    );
  });
});

describe('freeze windows', () => {
  it('keeps a weekly Friday 18:00 – Monday 06:00 freeze in local time across the autumn change', () => {
    // Friday 2026-10-23 (summer time, UTC+2) and Friday 2026-10-30 (after the change, UTC+1).
    const [summer, winter] = occurrences(weekend, at('2026-10-22T00:00:00Z'), at('2026-11-01T00:00:00Z'));
    expect(new Date(summer!.start).toISOString()).toBe('2026-10-23T16:00:00.000Z');
    expect(new Date(summer!.end).toISOString()).toBe('2026-10-26T04:00:00.000Z'); // 60 h later, past the change: 05:00 local
    expect(new Date(winter!.start).toISOString()).toBe('2026-10-30T17:00:00.000Z');
  });

  it('never skips a date on the day the clocks change', () => {
    // Asked from 00:30 local time on the spring-forward Sunday, a Sunday-noon freeze is still found.
    const sundayNoon: FreezeWindow = { kind: 'weekly', days: ['sun'], startTime: '12:00', durationMinutes: 60, timeZone: 'Europe/Berlin', reason: 'sunday' };
    const from = zonedInstant(2026, 3, 29, 0, 30, 'Europe/Berlin');
    expect(occurrences(sundayNoon, from, from + 86_400_000).map((o) => new Date(o.start).toISOString())).toEqual(['2026-03-29T10:00:00.000Z']);
    expect(frozenAt([sundayNoon], Date.parse('2026-03-29T10:30:00Z'))?.reason).toBe('sunday');
  });

  it('answers for an instant given in another zone', () => {
    // 19:30 in New York on a Friday is already past 01:00 Saturday in Berlin: frozen.
    expect(frozenAt([weekend], at('2026-06-05T19:30:00-04:00'))?.reason).toBe('weekend freeze');
    expect(frozenAt([weekend], at('2026-06-05T10:00:00-04:00'))).toBeNull();
  });

  it('handles one-off, monthly and yearly windows', () => {
    const christmas: FreezeWindow = { kind: 'yearly', month: 12, day: 20, startTime: '00:00', durationMinutes: 14 * 24 * 60, timeZone: 'UTC', reason: 'year-end' };
    const monthEnd: FreezeWindow = { kind: 'monthly', dayOfMonth: 28, startTime: '00:00', durationMinutes: 24 * 60, timeZone: 'UTC', reason: 'billing run' };
    const audit: FreezeWindow = { kind: 'once', start: '2026-12-01T09:00', end: '2026-12-01T17:00', timeZone: 'Europe/Berlin', reason: 'external audit' };
    expect(frozenAt([christmas], at('2027-01-02T12:00:00Z'))?.reason).toBe('year-end');
    expect(frozenAt([christmas], at('2027-01-04T12:00:00Z'))).toBeNull();
    expect(frozenAt([monthEnd], at('2026-02-28T12:00:00Z'))?.reason).toBe('billing run');
    expect(frozenAt([audit], at('2026-12-01T08:30:00Z'))?.reason).toBe('external audit');
    expect(frozenDuring([audit], at('2026-12-01T06:00:00Z'), at('2026-12-01T08:01:00Z'))?.reason).toBe('external audit');
    expect(frozenDuring([audit], at('2026-12-01T06:00:00Z'), at('2026-12-01T08:00:00Z'))).toBeNull();
  });

  it('finds the next allowed instant, following chained freezes', () => {
    const first: FreezeWindow = { kind: 'once', start: '2026-12-01T00:00', end: '2026-12-02T00:00', timeZone: 'UTC', reason: 'a' };
    const second: FreezeWindow = { kind: 'once', start: '2026-12-02T00:00', end: '2026-12-03T00:00', timeZone: 'UTC', reason: 'b' };
    expect(new Date(nextAllowedInstant([first, second], at('2026-12-01T12:00:00Z'))).toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(nextAllowedInstant([first], at('2026-11-30T12:00:00Z'))).toBe(at('2026-11-30T12:00:00Z'));
  });

  it('agrees with itself: the next allowed instant is never frozen and nothing before it is free', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }), (t) => {
        const next = nextAllowedInstant([weekend], t);
        expect(frozenAt([weekend], next)).toBeNull();
        if (next > t) expect(frozenAt([weekend], t)).not.toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('refuses unknown zones and malformed times with a clear message', () => {
    expect(() => occurrences({ ...weekend, timeZone: 'Mars/Olympus' }, 0, 1)).toThrow(/not a time zone/);
    expect(() => occurrences({ ...weekend, startTime: '25:00' }, 0, 1)).toThrow(/not a time of day/);
  });
});
