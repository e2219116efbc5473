/**
 * Leases of preproduction environments, pure. An expiry is a calendar date in the owner's time
 * zone: people say "until Friday", and the environment is theirs to the end of that day where
 * they live. It ends at the next midnight there, an instant computed through the zone's rules, so
 * a lease ending on a daylight-saving day lasts 23 or 25 hours that day, and "days left" counts
 * the owner's calendar days, not 24-hour blocks.
 */
import { StagecraftError } from './errors';
import { wallClock, zonedInstant } from './freeze-windows';

export interface Lease {
  stageId: number;
  owner: string;
  /** YYYY-MM-DD: the last day the environment is the owner's. */
  expiresOn: string;
  /** IANA zone of the owner (Europe/Berlin…): where that day is counted. */
  timeZone: string;
  reason: string;
}

export type LeaseStatus = 'active' | 'expiring' | 'expired';

export interface LeaseState {
  status: LeaseStatus;
  /** The instant the lease ends (ISO 8601, UTC): the midnight after `expiresOn` in the owner's zone. */
  endsAt: string;
  /** Calendar days from the owner's today to `expiresOn`: 0 is the last day, negative once expired. */
  daysLeft: number;
}

/** Expiring means at most this many of the owner's days left, unless a caller sets its own horizon. */
export const DEFAULT_LEASE_HORIZON_DAYS = 7;

const DAY_MS = 86_400_000;

/** Year, month, day of a YYYY-MM-DD date that exists on the calendar. */
export function parseDate(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (!match || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new StagecraftError('invalid-input', `"${date}" is not a calendar date.`, 'Write it as YYYY-MM-DD, such as 2026-12-31.');
  }
  return [y, m, d];
}

const dayNumber = ([y, m, d]: [number, number, number]) => Math.round(Date.UTC(y, m - 1, d) / DAY_MS);

/** The owner's calendar date at an instant, YYYY-MM-DD. */
export function dateIn(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${String(w.year).padStart(4, '0')}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The calendar date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const t = new Date((dayNumber(parseDate(date)) + days) * DAY_MS);
  return t.toISOString().slice(0, 10);
}

/** The instant a lease ends: midnight after its last day, in the owner's zone. */
export function leaseEnd(lease: Pick<Lease, 'expiresOn' | 'timeZone'>): number {
  const [y, m, d] = parseDate(addDays(lease.expiresOn, 1));
  return zonedInstant(y, m, d, 0, 0, lease.timeZone);
}

export function leaseState(lease: Pick<Lease, 'expiresOn' | 'timeZone'>, now: number, horizonDays = DEFAULT_LEASE_HORIZON_DAYS): LeaseState {
  if (!Number.isInteger(horizonDays) || horizonDays < 0) throw new StagecraftError('invalid-input', `A horizon of ${horizonDays} days makes no sense.`, 'Give a whole number of days, 0 or more.');
  const endsAt = leaseEnd(lease);
  const daysLeft = dayNumber(parseDate(lease.expiresOn)) - dayNumber(parseDate(dateIn(now, lease.timeZone)));
  const status: LeaseStatus = now >= endsAt ? 'expired' : daysLeft <= horizonDays ? 'expiring' : 'active';
  return { status, endsAt: new Date(endsAt).toISOString(), daysLeft };
}

/** Checks a new or changed lease; returns it normalised (trimmed). */
export function checkLease(lease: Lease): Lease {
  const owner = lease.owner.trim();
  if (owner === '') throw new StagecraftError('invalid-input', 'A lease needs an owner.', 'Name the person or team that uses the environment.');
  parseDate(lease.expiresOn);
  wallClock(0, lease.timeZone); // throws a clear error for an unknown zone
  return { ...lease, owner, reason: lease.reason.trim() };
}

/** An extension must say why and move the expiry later, to a day that has not ended yet for the owner. */
export function checkExtension(current: Lease, newExpiresOn: string, reason: string, now: number): void {
  if (reason.trim() === '') throw new StagecraftError('invalid-input', 'Say why the lease is extended.', 'The reason goes into the audit log.');
  parseDate(newExpiresOn);
  if (newExpiresOn <= current.expiresOn) throw new StagecraftError('invalid-input', `${newExpiresOn} is not after the current expiry (${current.expiresOn}).`, 'Choose a later day.');
  if (now >= leaseEnd({ expiresOn: newExpiresOn, timeZone: current.timeZone })) {
    throw new StagecraftError('invalid-input', `${newExpiresOn} has already ended in ${current.timeZone}.`, 'Choose a day that is still to come for the owner.');
  }
}
