import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeFreezeWindow,
  formatInZone,
  freezeAt,
  freezeDuring,
  freezeWindowProblems,
  isFrozen,
  nextAllowedInstant,
  occurrences,
  wallClockAt,
  zonedToInstant,
  type FreezeWindow,
} from './freeze';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const weekend = (timeZone: string): FreezeWindow => ({ kind: 'weekly', byDay: ['FR'], startTime: '18:00', durationMinutes: 60 * 60, timeZone, reason: 'weekend freeze' });

describe('wall clocks in zones', () => {
  it('converts in and out of daylight saving time', () => {
    expect(iso(zonedToInstant({ year: 2026, month: 1, day: 15, hour: 12, minute: 0 }, 'Europe/Berlin'))).toBe('2026-01-15T11:00:00.000Z');
    expect(iso(zonedToInstant({ year: 2026, month: 7, day: 15, hour: 12, minute: 0 }, 'Europe/Berlin'))).toBe('2026-07-15T10:00:00.000Z');
    expect(iso(zonedToInstant({ year: 2026, month: 7, day: 15, hour: 12, minute: 0 }, 'America/New_York'))).toBe('2026-07-15T16:00:00.000Z');
    expect(iso(zonedToInstant({ year: 2026, month: 1, day: 15, hour: 12, minute: 0 }, 'Asia/Kolkata'))).toBe('2026-01-15T06:30:00.000Z');
  });

  it('moves a skipped time forward by the gap and takes the first of a repeated one', () => {
    // Berlin skips 02:00-03:00 on 2026-03-29 and repeats 02:00-03:00 on 2026-10-25.
    expect(iso(zonedToInstant({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    expect(iso(zonedToInstant({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z'); // first 02:30, CEST
    // New York skips 02:00-03:00 on 2026-03-08 and repeats 01:00-02:00 on 2026-11-01.
    expect(iso(zonedToInstant({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(iso(zonedToInstant({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z'); // first 01:30, EDT
  });

  it('round-trips every minute through its wall clock (a repeated hour maps to its first occurrence)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'), (t, zone) => {
        const minute = Math.floor(t / 60_000) * 60_000;
        const back = zonedToInstant(wallClockAt(minute, zone), zone);
        expect([0, 1_800_000, 3_600_000]).toContain(minute - back);
      }),
    );
  });

  it('writes an instant in a zone with its offset', () => {
    expect(formatInZone(at('2026-10-26T05:00:00Z'), 'Europe/Berlin')).toBe('2026-10-26 06:00 (Europe/Berlin, UTC+01:00)');
    expect(formatInZone(at('2026-07-01T16:00:00Z'), 'America/New_York')).toBe('2026-07-01 12:00 (America/New_York, UTC-04:00)');
  });
});

describe('weekly freeze Friday 18:00 to Monday 06:00 across daylight-saving changes', () => {
  const cases = [
    // zone, range, expected [start, end] (Monday 06:00 local, whatever the offset became)
    ['Europe/Berlin', '2026-03-26T00:00:00Z', '2026-03-27T17:00:00.000Z', '2026-03-30T04:00:00.000Z'], // spring forward: 59 real hours
    ['Europe/Berlin', '2026-10-22T00:00:00Z', '2026-10-23T16:00:00.000Z', '2026-10-26T05:00:00.000Z'], // fall back: 61 real hours
    ['America/New_York', '2026-03-05T00:00:00Z', '2026-03-06T23:00:00.000Z', '2026-03-09T10:00:00.000Z'],
    ['America/New_York', '2026-10-29T00:00:00Z', '2026-10-30T22:00:00.000Z', '2026-11-02T11:00:00.000Z'],
  ] as const;
  for (const [zone, from, start, end] of cases) {
    it(`ends Monday 06:00 local in ${zone} (week of ${from.slice(0, 10)})`, () => {
      const [first] = occurrences(weekend(zone), at(from), at(from) + 5 * 86_400_000);
      expect([iso(first!.start), iso(first!.end)]).toEqual([start, end]);
      expect(wallClockAt(first!.end, zone)).toMatchObject({ hour: 6, minute: 0 });
      expect(isFrozen(weekend(zone), first!.end - 1)).toBe(true);
      expect(isFrozen(weekend(zone), first!.end)).toBe(false);
      expect(isFrozen(weekend(zone), first!.start - 1)).toBe(false);
    });
  }

  it('is checked correctly for an instant written in another zone', () => {
    const berlin = weekend('Europe/Berlin');
    // Friday 12:30 in New York (EDT) is 18:30 in Berlin (CEST): frozen.
    expect(isFrozen(berlin, at('2026-06-05T12:30:00-04:00'))).toBe(true);
    // Friday 11:30 in New York is 17:30 in Berlin: not yet.
    expect(isFrozen(berlin, at('2026-06-05T11:30:00-04:00'))).toBe(false);
    // Sunday evening in Tokyo is Sunday morning in Berlin: frozen.
    expect(isFrozen(berlin, at('2026-06-07T20:00:00+09:00'))).toBe(true);
    // Monday 00:30 in New York (EDT) is 06:30 in Berlin: free again.
    expect(isFrozen(berlin, at('2026-06-08T00:30:00-04:00'))).toBe(false);
    // In the week New York has changed its clocks and Berlin has not (2026-03-08 .. 03-29), the offset is 5 h.
    expect(isFrozen(berlin, at('2026-03-13T12:30:00-04:00'))).toBe(false); // 17:30 Berlin
    expect(isFrozen(berlin, at('2026-03-13T13:30:00-04:00'))).toBe(true); // 18:30 Berlin
  });

  it('does not lose the day the clocks change, whatever time the range starts', () => {
    // A Sunday-noon window on Berlin's spring-forward Sunday, asked from 00:30 local that night.
    const sunday: FreezeWindow = { kind: 'weekly', byDay: ['SU'], startTime: '12:00', durationMinutes: 60, timeZone: 'Europe/Berlin', reason: 'sunday' };
    expect(occurrences(sunday, at('2026-03-28T23:30:00Z'), at('2026-03-30T00:00:00Z')).map((o) => iso(o.start))).toEqual(['2026-03-29T10:00:00.000Z']);
  });

  it('gives the same occurrences for a short range as a wide range cut down to it', () => {
    const windows: FreezeWindow[] = [
      weekend('Europe/Berlin'),
      weekend('America/New_York'),
      { kind: 'weekly', byDay: ['SU', 'MO'], startTime: '02:30', durationMinutes: 90, timeZone: 'Europe/Berlin', reason: 'night' },
      { kind: 'monthly', dayOfMonth: -1, startTime: '23:00', durationMinutes: 180, timeZone: 'America/New_York', reason: 'month end' },
    ];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }), fc.integer({ min: 1, max: 72 * 60 }), fc.constantFrom(...windows), (from, minutes, window) => {
        const to = from + minutes * 60_000;
        const wide = occurrences(window, from - 20 * 86_400_000, to + 20 * 86_400_000).filter((o) => o.start < to && o.end > from);
        expect(occurrences(window, from, to)).toEqual(wide);
      }),
      { numRuns: 300 },
    );
  });
});

describe('one-off, monthly and yearly windows', () => {
  it('handles a one-off window in its zone', () => {
    const audit: FreezeWindow = { kind: 'once', start: '2026-12-01T09:00', end: '2026-12-01T17:00', timeZone: 'Europe/Berlin', reason: 'external audit' };
    expect(isFrozen(audit, at('2026-12-01T08:30:00Z'))).toBe(true);
    expect(isFrozen(audit, at('2026-12-01T16:00:00Z'))).toBe(false);
    expect(freezeDuring([audit], at('2026-12-01T06:00:00Z'), at('2026-12-01T08:01:00Z'))?.reason).toBe('external audit');
    expect(freezeDuring([audit], at('2026-12-01T06:00:00Z'), at('2026-12-01T08:00:00Z'))).toBeNull();
  });

  it('skips months without the day, as RRULE does, and knows the last day of each month', () => {
    const the31st: FreezeWindow = { kind: 'monthly', dayOfMonth: 31, startTime: '00:00', durationMinutes: 60, timeZone: 'UTC', reason: 'on the 31st' };
    const last: FreezeWindow = { kind: 'monthly', dayOfMonth: -1, startTime: '00:00', durationMinutes: 60, timeZone: 'UTC', reason: 'last day' };
    const days = (w: FreezeWindow) => occurrences(w, at('2026-01-01T00:00:00Z'), at('2026-07-01T00:00:00Z')).map((o) => iso(o.start)!.slice(0, 10));
    expect(days(the31st)).toEqual(['2026-01-31', '2026-03-31', '2026-05-31']);
    expect(days(last)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30']);
  });

  it('repeats a yearly window on its date, 29 February only in leap years, spanning the new year', () => {
    const leap: FreezeWindow = { kind: 'yearly', month: 2, day: 29, startTime: '00:00', durationMinutes: 60, timeZone: 'UTC', reason: 'leap' };
    expect(occurrences(leap, at('2025-01-01T00:00:00Z'), at('2029-01-01T00:00:00Z')).map((o) => iso(o.start)!.slice(0, 10))).toEqual(['2028-02-29']);
    const yearEnd: FreezeWindow = { kind: 'yearly', month: 12, day: 20, startTime: '00:00', durationMinutes: 14 * 24 * 60, timeZone: 'Europe/Berlin', reason: 'year-end' };
    expect(freezeAt([yearEnd], at('2027-01-02T12:00:00Z'))?.reason).toBe('year-end');
    expect(freezeAt([yearEnd], at('2027-01-03T00:00:00Z'))).toBeNull(); // ends 2027-01-03 00:00 Berlin = 02 23:00Z
  });
});

describe('the next allowed instant', () => {
  const first: FreezeWindow = { kind: 'once', start: '2026-12-01T00:00', end: '2026-12-02T00:00', timeZone: 'UTC', reason: 'a' };
  const second: FreezeWindow = { kind: 'once', start: '2026-12-02T00:00', end: '2026-12-03T00:00', timeZone: 'UTC', reason: 'b' };

  it('follows chained and overlapping freezes', () => {
    expect(iso(nextAllowedInstant([first, second], at('2026-12-01T12:00:00Z')))).toBe('2026-12-03T00:00:00.000Z');
    expect(nextAllowedInstant([first], at('2026-11-30T12:00:00Z'))).toBe(at('2026-11-30T12:00:00Z'));
    expect(nextAllowedInstant([], at('2026-11-30T12:00:00Z'))).toBe(at('2026-11-30T12:00:00Z'));
  });

  it('is null when the windows never leave a gap', () => {
    const always: FreezeWindow = { kind: 'weekly', byDay: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], startTime: '00:00', durationMinutes: 24 * 60, timeZone: 'Europe/Berlin', reason: 'always' };
    expect(nextAllowedInstant([always], at('2026-06-01T00:00:00Z'))).toBeNull();
  });

  it('agrees with isFrozen: the answer is free, and everything before it is frozen', () => {
    const windows = [weekend('Europe/Berlin'), { ...weekend('America/New_York'), byDay: ['WE' as const], durationMinutes: 120 }, first, second];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) }), fc.integer({ min: 0, max: 1000 }), (t, probe) => {
        const next = nextAllowedInstant(windows, t)!;
        expect(next).toBeGreaterThanOrEqual(t);
        expect(windows.some((w) => isFrozen(w, next))).toBe(false);
        if (next > t) {
          const inside = t + Math.floor(((next - t) * probe) / 1001);
          expect(windows.some((w) => isFrozen(w, inside))).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('validation and words', () => {
  it('says what is wrong with a window', () => {
    expect(freezeWindowProblems({ ...weekend('Mars/Olympus') })[0]).toMatch(/not a time zone/);
    expect(freezeWindowProblems({ ...weekend('UTC'), startTime: '25:00' })[0]).toMatch(/not a time of day/);
    expect(freezeWindowProblems({ ...weekend('UTC'), byDay: [] })[0]).toMatch(/names no day/);
    expect(freezeWindowProblems({ kind: 'once', start: '2026-12-02T00:00', end: '2026-12-01T00:00', timeZone: 'UTC', reason: 'x' })[0]).toMatch(/ends before it starts/);
    expect(freezeWindowProblems({ ...weekend('UTC'), reason: ' ' })[0]).toMatch(/needs a reason/);
    expect(() => occurrences(weekend('Mars/Olympus'), 0, 1)).toThrow(/not a time zone/);
  });

  it('describes windows in words', () => {
    expect(describeFreezeWindow(weekend('Europe/Berlin'))).toBe('every Friday from 18:00 for 60 h (Europe/Berlin): weekend freeze');
  });
});
