import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, checkExtension, checkLease, dateIn, leaseEnd, leaseState, type Lease } from './leases';

const at = (iso: string) => Date.parse(iso);
const lease = (expiresOn: string, timeZone: string): Lease => ({ stageId: 1, owner: 'alice', expiresOn, timeZone, reason: 'load test' });

describe('lease expiry: a date in the owner time zone', () => {
  it('ends at the midnight after the last day where the owner lives', () => {
    expect(new Date(leaseEnd(lease('2026-12-04', 'Europe/Berlin'))).toISOString()).toBe('2026-12-04T23:00:00.000Z');
    expect(new Date(leaseEnd(lease('2026-12-04', 'America/Los_Angeles'))).toISOString()).toBe('2026-12-05T08:00:00.000Z');
    expect(new Date(leaseEnd(lease('2026-12-04', 'Pacific/Auckland'))).toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });

  it('the same date is expired for one owner and still running for another at the same instant', () => {
    const now = at('2026-12-05T03:00:00Z'); // Saturday 04:00 in Berlin, still Friday 19:00 in Los Angeles
    expect(leaseState(lease('2026-12-04', 'Europe/Berlin'), now).status).toBe('expired');
    expect(leaseState(lease('2026-12-04', 'America/Los_Angeles'), now)).toEqual({ status: 'expiring', endsAt: '2026-12-05T08:00:00.000Z', daysLeft: 0 });
    expect(leaseState(lease('2026-12-04', 'Pacific/Auckland'), now)).toMatchObject({ status: 'expired', daysLeft: -1 });
  });

  it('a last day with a spring-forward change lasts 23 hours, with a fall-back 25', () => {
    // Berlin: 2026-03-29 has no 02:00-03:00; 2026-10-25 repeats it.
    const spring = lease('2026-03-29', 'Europe/Berlin');
    expect(leaseEnd(spring) - leaseEnd(lease('2026-03-28', 'Europe/Berlin'))).toBe(23 * 3_600_000);
    expect(new Date(leaseEnd(spring)).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(leaseState(spring, at('2026-03-29T21:59:59Z')).status).toBe('expiring');
    expect(leaseState(spring, at('2026-03-29T22:00:00Z')).status).toBe('expired');
    expect(leaseEnd(lease('2026-10-25', 'Europe/Berlin')) - leaseEnd(lease('2026-10-24', 'Europe/Berlin'))).toBe(25 * 3_600_000);
  });

  it('where midnight itself is skipped (Santiago starts summer time at 00:00), the day ends when the next one begins', () => {
    const end = leaseEnd(lease('2026-09-05', 'America/Santiago'));
    expect(dateIn(end - 1, 'America/Santiago')).toBe('2026-09-05');
    expect(dateIn(end, 'America/Santiago')).toBe('2026-09-06');
  });

  it('counts the owner calendar days for the horizon, not 24-hour blocks', () => {
    // 2026-03-26 12:00 Berlin; the expiry is 3 calendar days later, across the short day.
    const now = at('2026-03-26T11:00:00Z');
    expect(leaseState(lease('2026-03-29', 'Europe/Berlin'), now, 3)).toMatchObject({ status: 'expiring', daysLeft: 3 });
    expect(leaseState(lease('2026-03-29', 'Europe/Berlin'), now, 2)).toMatchObject({ status: 'active', daysLeft: 3 });
    expect(leaseState(lease('2026-03-29', 'Europe/Berlin'), now, 0)).toMatchObject({ status: 'active' });
    expect(() => leaseState(lease('2026-03-29', 'Europe/Berlin'), now, -1)).toThrow(/horizon/);
  });

  it('any instant, any zone: the owner today is never expired and ends exactly at its lease end', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2032, 0, 1) }), fc.constantFrom('Europe/Berlin', 'America/New_York', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham', 'Australia/Lord_Howe', 'UTC'), (now, zone) => {
        const today = lease(dateIn(now, zone), zone);
        expect(leaseState(today, now, 0)).toMatchObject({ status: 'expiring', daysLeft: 0 });
        const end = leaseEnd(today);
        expect(leaseState(today, end - 1).status).not.toBe('expired');
        expect(leaseState(today, end).status).toBe('expired');
        expect(dateIn(end, zone)).toBe(addDays(today.expiresOn, 1));
      }),
    );
  });
});

describe('lease input', () => {
  it('refuses dates that do not exist, unknown zones and a missing owner', () => {
    expect(() => checkLease(lease('2026-02-30', 'UTC'))).toThrow(/not a calendar date/);
    expect(() => checkLease(lease('31.12.2026', 'UTC'))).toThrow(expect.objectContaining({ hint: expect.stringMatching(/YYYY-MM-DD/) }));
    expect(() => checkLease(lease('2026-12-31', 'Mars/Olympus'))).toThrow(/not a time zone/);
    expect(() => checkLease({ ...lease('2026-12-31', 'UTC'), owner: '  ' })).toThrow(/owner/);
    expect(checkLease({ ...lease('2026-12-31', 'UTC'), owner: ' bob ' }).owner).toBe('bob');
  });

  it('an extension needs a reason and a later day that has not ended for the owner', () => {
    const current = lease('2026-12-04', 'America/Los_Angeles');
    const now = at('2026-12-05T03:00:00Z');
    expect(() => checkExtension(current, '2026-12-10', ' ', now)).toThrow(/why/);
    expect(() => checkExtension(current, '2026-12-04', 'more tests', now)).toThrow(/not after/);
    expect(() => checkExtension(lease('2026-12-01', 'Pacific/Auckland'), '2026-12-04', 'more tests', at('2026-12-04T12:00:00Z'))).toThrow(/already ended/);
    expect(() => checkExtension(current, '2026-12-10', 'more tests', now)).not.toThrow();
  });
});
