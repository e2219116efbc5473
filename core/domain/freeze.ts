/**
 * Freeze windows: spans of time in which changes to a stage are refused.
 *
 * A window is written in the wall-clock time of an IANA zone, as people say it ("every Friday 18:00
 * for 60 hours, Europe/Berlin"), and turned into instants with the Intl API only (no I/O, no tz
 * database of our own), so it stays right across daylight-saving changes:
 *
 * - A recurring window's duration is wall-clock time: Friday 18:00 + 60 h always ends Monday 06:00
 *   local, even on the weekend the clocks change (that occurrence then lasts 59 or 61 real hours).
 *   This is what an administrator means by "the weekend freeze ends Monday 06:00".
 * - A wall-clock time that does not exist (skipped by spring-forward, e.g. 02:30 in Berlin on the
 *   last Sunday of March) is moved forward by the gap (03:30); one that happens twice (fall-back)
 *   means its first occurrence.
 * - Recurrence follows RFC 5545 (RRULE) semantics for the subset offered: weekly BYDAY, monthly on a
 *   day of the month (a month without that day is skipped; -1 means its last day), yearly on a date
 *   (29 February only in leap years).
 *
 * Instants are epoch milliseconds. Occurrences are half-open: [start, end).
 */
import { StagecraftError } from './errors';

export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

interface WindowBase {
  /** IANA zone the wall-clock times are in, e.g. Europe/Berlin. */
  timeZone: string;
  /** Why changes are frozen, shown to whoever is refused. */
  reason: string;
}

interface RecurringBase extends WindowBase {
  /** Wall-clock start, HH:mm. */
  startTime: string;
  /** Wall-clock length in minutes (see the module note on daylight saving). */
  durationMinutes: number;
}

export type FreezeWindow =
  | (WindowBase & { kind: 'once'; /** Wall-clock YYYY-MM-DDTHH:mm. */ start: string; end: string })
  | (RecurringBase & { kind: 'weekly'; byDay: Weekday[] })
  | (RecurringBase & { kind: 'monthly'; /** 1..31, or -1 for the last day of the month. */ dayOfMonth: number })
  | (RecurringBase & { kind: 'yearly'; month: number; day: number });

export interface FreezeOccurrence {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
  reason: string;
}

/** A time on a zone's clock; month 1-12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const MINUTE = 60_000;
const DAY = 86_400_000;


// ---------------------------------------------------------------------------------------------
// Zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new StagecraftError('invalid-input', `"${timeZone}" is not a time zone this system knows.`, 'Use an IANA name such as Europe/Berlin.');
  }
  formatters.set(timeZone, f);
  return f;
}

/** Whether the runtime knows an IANA zone name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall clock of a zone at an instant. */
export function wallClockAt(instant: number, timeZone: string): Required<WallClock> {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: (parts['hour'] ?? 0) % 24,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

const wallAsUtc = (w: WallClock) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second ?? 0);

/** The zone's offset from UTC at an instant, in ms (east positive). */
export function zoneOffset(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallAsUtc(wallClockAt(whole, timeZone)) - whole;
}

/**
 * The instant a wall-clock time happens in a zone. Skipped times (spring-forward) move forward by
 * the gap; repeated times (fall-back) give their first occurrence.
 */
export function zonedToInstant(wall: WallClock, timeZone: string): number {
  const local = wallAsUtc(wall);
  // Offsets a day either side bracket any single transition (zones never change twice in a day).
  const before = zoneOffset(local - DAY, timeZone);
  const after = zoneOffset(local + DAY, timeZone);
  const valid = [local - before, local - after].filter((t) => wallAsUtc(wallClockAt(t, timeZone)) === local);
  if (valid.length > 0) return Math.min(...valid);
  // In a gap: read with the offset from before the jump, the clock lands past it by the gap's length.
  return local - before;
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation

function parseTimeOfDay(time: string): [number, number] | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? [hour, minute] : null;
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

function parseWallClock(text: string): WallClock | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) return null;
  return { year, month, day, hour, minute };
}

/** What is wrong with a window, in words; empty when it is usable. */
export function freezeWindowProblems(window: FreezeWindow): string[] {
  const problems: string[] = [];
  const name = window.reason.trim() ? `The freeze "${window.reason}"` : 'A freeze window';
  if (!window.reason.trim()) problems.push('A freeze window needs a reason: it is what a refused user reads.');
  if (!isKnownTimeZone(window.timeZone)) problems.push(`${name}: "${window.timeZone}" is not a time zone this system knows (use an IANA name such as Europe/Berlin).`);
  if (window.kind === 'once') {
    const start = parseWallClock(window.start);
    const end = parseWallClock(window.end);
    if (!start) problems.push(`${name}: start "${window.start}" is not a date and time (YYYY-MM-DDTHH:mm).`);
    if (!end) problems.push(`${name}: end "${window.end}" is not a date and time (YYYY-MM-DDTHH:mm).`);
    if (start && end && wallAsUtc(end) <= wallAsUtc(start)) problems.push(`${name} ends before it starts.`);
    return problems;
  }
  if (!parseTimeOfDay(window.startTime)) problems.push(`${name}: "${window.startTime}" is not a time of day (HH:mm).`);
  if (!Number.isInteger(window.durationMinutes) || window.durationMinutes <= 0) problems.push(`${name} needs a duration of at least one whole minute.`);
  switch (window.kind) {
    case 'weekly':
      if (window.byDay.length === 0) problems.push(`${name} repeats weekly but names no day.`);
      for (const day of window.byDay) if (!WEEKDAYS.includes(day)) problems.push(`${name}: "${day}" is not a day (use ${WEEKDAYS.join(', ')}).`);
      break;
    case 'monthly':
      if (!Number.isInteger(window.dayOfMonth) || window.dayOfMonth === 0 || window.dayOfMonth < -1 || window.dayOfMonth > 31) {
        problems.push(`${name}: day ${window.dayOfMonth} is not a day of the month (1 to 31, or -1 for the last).`);
      }
      break;
    case 'yearly':
      if (!Number.isInteger(window.month) || window.month < 1 || window.month > 12 || !Number.isInteger(window.day) || window.day < 1 || window.day > daysInMonth(2024, window.month)) {
        problems.push(`${name}: ${window.month}-${window.day} is not a date.`);
      }
      break;
  }
  return problems;
}

function assertUsable(window: FreezeWindow): void {
  const problems = freezeWindowProblems(window);
  if (problems.length > 0) throw new StagecraftError('invalid-input', problems.join(' '));
}

// ---------------------------------------------------------------------------------------------
// Occurrences

/** A calendar date `days` after the given one (plain date arithmetic, no zone). */
function addDays(date: { year: number; month: number; day: number }, days: number) {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: WEEKDAYS[(d.getUTCDay() + 6) % 7]! };
}

/** A wall clock `minutes` later on the same zone's clock (the zone is applied afterwards). */
function addWallMinutes(w: WallClock, minutes: number): WallClock {
  const d = new Date(wallAsUtc(w) + minutes * MINUTE);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

function recursOn(window: Exclude<FreezeWindow, { kind: 'once' }>, date: ReturnType<typeof addDays>): boolean {
  switch (window.kind) {
    case 'weekly':
      return window.byDay.includes(date.weekday);
    case 'monthly':
      return window.dayOfMonth === -1 ? date.day === daysInMonth(date.year, date.month) : date.day === window.dayOfMonth;
    case 'yearly':
      return date.month === window.month && date.day === window.day;
  }
}

/** Every occurrence of a window that overlaps [from, to), in order. Throws on an unusable window. */
export function occurrences(window: FreezeWindow, from: number, to: number): FreezeOccurrence[] {
  assertUsable(window);
  if (to <= from) return [];
  if (window.kind === 'once') {
    const start = zonedToInstant(parseWallClock(window.start)!, window.timeZone);
    const end = zonedToInstant(parseWallClock(window.end)!, window.timeZone);
    return start < to && end > from ? [{ start, end, reason: window.reason }] : [];
  }
  const [hour, minute] = parseTimeOfDay(window.startTime)!;
  // Walk calendar dates of the zone (never instants, which would skip or repeat a date across a
  // change), from early enough that an occurrence still running at `from` is met.
  const first = wallClockAt(from - window.durationMinutes * MINUTE - 2 * DAY, window.timeZone);
  const last = wallClockAt(to + 2 * DAY, window.timeZone);
  const lastDate = Date.UTC(last.year, last.month - 1, last.day);
  const found: FreezeOccurrence[] = [];
  for (let i = 0; ; i++) {
    const date = addDays(first, i);
    if (Date.UTC(date.year, date.month - 1, date.day) > lastDate) break;
    if (!recursOn(window, date)) continue;
    const startWall = { year: date.year, month: date.month, day: date.day, hour, minute };
    const start = zonedToInstant(startWall, window.timeZone);
    const end = zonedToInstant(addWallMinutes(startWall, window.durationMinutes), window.timeZone);
    if (start < to && end > from && end > start) found.push({ start, end, reason: window.reason });
  }
  return found;
}

/** Every occurrence of several windows overlapping [from, to), by start. */
export function occurrencesOf(windows: readonly FreezeWindow[], from: number, to: number): FreezeOccurrence[] {
  return windows.flatMap((w) => occurrences(w, from, to)).sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Whether a window is in force at an instant. */
export function isFrozen(window: FreezeWindow, instant: number): boolean {
  return occurrences(window, instant, instant + 1).length > 0;
}

/** The occurrence in force at an instant that lasts longest, if any of the windows is in force. */
export function freezeAt(windows: readonly FreezeWindow[], instant: number): FreezeOccurrence | null {
  const hits = occurrencesOf(windows, instant, instant + 1).sort((a, b) => b.end - a.end);
  return hits[0] ?? null;
}

/** The first occurrence overlapping [start, end): a change window must avoid them all. */
export function freezeDuring(windows: readonly FreezeWindow[], start: number, end: number): FreezeOccurrence | null {
  return occurrencesOf(windows, start, end)[0] ?? null;
}

/** How far ahead nextAllowedInstant looks before it concludes the windows never open. */
export const FREEZE_HORIZON_DAYS = 3 * 366;

/**
 * The earliest instant at or after `from` when no window is in force, following freezes that
 * chain or overlap; null when the windows leave no gap within FREEZE_HORIZON_DAYS.
 */
export function nextAllowedInstant(windows: readonly FreezeWindow[], from: number): number | null {
  let t = from;
  const horizon = from + FREEZE_HORIZON_DAYS * DAY;
  while (t <= horizon) {
    const hit = freezeAt(windows, t);
    if (!hit) return t;
    t = hit.end;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Words

const DAY_NAMES: Record<Weekday, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function duration(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours > 0 ? `${hours} h` : '', rest > 0 ? `${rest} min` : ''].filter(Boolean).join(' ');
}

/** One line a person reads, e.g. "every Friday from 18:00 for 60 h (Europe/Berlin): weekend freeze". */
export function describeFreezeWindow(window: FreezeWindow): string {
  const zone = `(${window.timeZone}): ${window.reason}`;
  switch (window.kind) {
    case 'once':
      return `from ${window.start.replace('T', ' ')} to ${window.end.replace('T', ' ')} ${zone}`;
    case 'weekly':
      return `every ${WEEKDAYS.filter((d) => window.byDay.includes(d)).map((d) => DAY_NAMES[d]).join(', ')} from ${window.startTime} for ${duration(window.durationMinutes)} ${zone}`;
    case 'monthly':
      return `every month on ${window.dayOfMonth === -1 ? 'the last day' : `day ${window.dayOfMonth}`} from ${window.startTime} for ${duration(window.durationMinutes)} ${zone}`;
    case 'yearly':
      return `every year on ${window.day} ${MONTH_NAMES[window.month - 1] ?? window.month} from ${window.startTime} for ${duration(window.durationMinutes)} ${zone}`;
  }
}

/** An instant written in a zone's wall-clock time with its offset, e.g. "2026-10-26 06:00 (Europe/Berlin, UTC+01:00)". */
export function formatInZone(instant: number, timeZone: string): string {
  const w = wallClockAt(instant, timeZone);
  const offset = Math.round(zoneOffset(instant, timeZone) / MINUTE);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} (${timeZone}, UTC${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)})`;
}
