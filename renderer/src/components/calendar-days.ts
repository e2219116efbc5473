/** Calendar arithmetic in this computer's time zone, by wall-clock days (a DST day has 23 or 25 hours). */
import { addDays } from '../../../core/domain/leases';

/** The local day (YYYY-MM-DD) of a date. */
export const localDay = (date: Date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** A local day as the Date of its midnight. */
export const midnight = (day: string) => new Date(`${day}T00:00`);

/** A local day as the instant (ISO) it starts. */
export const dayStart = (day: string) => midnight(day).toISOString();

/** The day an instant falls on; an exclusive end (`endOf`) belongs to the day before when it is exactly midnight. */
export function dayOf(instant: string, endOf = false): string {
  const date = new Date(instant);
  const day = localDay(date);
  return endOf && dayStart(day) === date.toISOString() ? addDays(day, -1) : day;
}

/** Monday of the week of `day`. */
export function weekStart(day: string): string {
  const weekday = (new Date(`${day}T12:00`).getDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** The Monday-first weeks that show a month (4 to 6 rows of 7 days). */
export function monthWeeks(day: string): string[][] {
  const first = `${day.slice(0, 7)}-01`;
  const weeks: string[][] = [];
  for (let monday = weekStart(first); weeks.length === 0 || monday.slice(0, 7) <= first.slice(0, 7); monday = addDays(monday, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(monday, i)));
  }
  return weeks;
}
