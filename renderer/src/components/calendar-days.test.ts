// The calendar counts wall-clock days of this computer's zone: test it where DST changes happen.
process.env['TZ'] = 'Europe/Berlin';
import { describe, expect, it } from 'vitest';
import { addDays } from '../../../core/domain/leases';
import { dayOf, dayStart, monthWeeks, weekStart } from './calendar-days';

describe('calendar days', () => {
  it('steps over the spring-forward and fall-back days one day at a time', () => {
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30');
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(Date.parse(dayStart('2026-03-30')) - Date.parse(dayStart('2026-03-29'))).toBe(23 * 3_600_000);
    expect(Date.parse(dayStart('2026-10-26')) - Date.parse(dayStart('2026-10-25'))).toBe(25 * 3_600_000);
  });

  it('starts weeks on Monday', () => {
    expect(weekStart('2026-11-26')).toBe('2026-11-23');
    expect(weekStart('2026-11-29')).toBe('2026-11-23');
    expect(weekStart('2026-11-30')).toBe('2026-11-30');
  });

  it('shows a month as the Monday-first weeks that hold its days', () => {
    const november = monthWeeks('2026-11-15');
    expect(november.map((week) => week[0])).toEqual(['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
    expect(november.every((week) => week.length === 7)).toBe(true);
    expect(monthWeeks('2027-02-10').map((week) => week[0])).toEqual(['2027-02-01', '2027-02-08', '2027-02-15', '2027-02-22']);
  });

  it('puts an exclusive end at midnight on the day before', () => {
    expect(dayOf('2026-11-30T23:00:00.000Z')).toBe('2026-12-01');
    expect(dayOf('2026-11-30T23:00:00.000Z', true)).toBe('2026-11-30');
    expect(dayOf('2026-11-30T23:30:00.000Z', true)).toBe('2026-12-01');
  });
});
