/**
 * Freeze windows: spans in which changes to a stage are refused. One-off or recurring (weekly,
 * monthly, yearly), each defined in wall-clock time of an IANA zone, so "Friday 18:00 to Monday
 * 06:00, Europe/Berlin" stays right across daylight-saving changes. Uses only Intl (no I/O).
 */
import { StagecraftError } from './errors';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

interface Recurring {
  /** Wall-clock start, HH:mm. */
  startTime: string;
  durationMinutes: number;
  timeZone: string;
  reason: string;
}

export type FreezeWindow =
  | { kind: 'once'; /** Wall-clock YYYY-MM-DDTHH:mm in timeZone. */ start: string; end: string; timeZone: string; reason: string }
  | (Recurring & { kind: 'weekly'; days: Weekday[] })
  | (Recurring & { kind: 'monthly'; dayOfMonth: number })
  | (Recurring & { kind: 'yearly'; month: number; day: number });

export interface FreezeOccurrence {
  start: number; // epoch ms
  end: number;
  reason: string;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
    } catch {
      throw new StagecraftError('invalid-input', `"${timeZone}" is not a time zone this system knows.`, 'Use an IANA name such as Europe/Berlin or America/New_York.');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

export interface WallClock {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  weekday: Weekday;
}

/** The wall clock of `zone` at an instant. */
export function wallClock(instant: number, timeZone: string): WallClock {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: (parts['weekday'] ?? 'Mon').toLowerCase().slice(0, 3) as Weekday,
  };
}

const offsetAt = (instant: number, timeZone: string): number => {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(instant / MINUTE) * MINUTE;
};

/**
 * The instant a wall-clock time happens in `zone`. A time skipped by a spring-forward change is
 * moved forward by the gap (02:30 becomes 03:30); a repeated one (fall-back) is its first occurrence.
 */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const candidates = [offsetAt(asUtc - DAY, timeZone), offsetAt(asUtc + DAY, timeZone)].map((offset) => asUtc - offset);
  const exact = candidates.filter((t) => {
    const w = wallClock(t, timeZone);
    return w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute;
  });
  if (exact.length > 0) return Math.min(...exact);
  // In a gap: the time after the change, as the clock would have read had it not jumped.
  return asUtc - offsetAt(asUtc - DAY, timeZone);
}

function parseTime(time: string): [number, number] {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time);
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) throw new StagecraftError('invalid-input', `"${time}" is not a time of day (HH:mm).`);
  return [Number(match[1]), Number(match[2])];
}

/** A wall-clock time written YYYY-MM-DDTHH:mm (or with a space for the T) as year, month, day, hour and minute; null when `text` is none. */
export function wallClockParts(text: string): [number, number, number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(text);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])] : null;
}

function parseLocal(local: string): [number, number, number, number, number] {
  const parts = wallClockParts(local);
  if (!parts) throw new StagecraftError('invalid-input', `"${local}" is not a wall-clock time (YYYY-MM-DDTHH:mm).`);
  return parts;
}

/** Every occurrence of `window` that overlaps [from, to). */
export function occurrences(window: FreezeWindow, from: number, to: number): FreezeOccurrence[] {
  if (window.kind === 'once') {
    const start = zonedInstant(...parseLocal(window.start), window.timeZone);
    const end = zonedInstant(...parseLocal(window.end), window.timeZone);
    if (end <= start) throw new StagecraftError('invalid-input', `The freeze "${window.reason}" ends before it starts.`);
    return start < to && end > from ? [{ start, end, reason: window.reason }] : [];
  }
  if (window.durationMinutes <= 0) throw new StagecraftError('invalid-input', `The freeze "${window.reason}" needs a positive duration.`);
  const [hour, minute] = parseTime(window.startTime);
  const duration = window.durationMinutes * MINUTE;
  const found: FreezeOccurrence[] = [];
  // Walk the zone's calendar dates (not 24-hour steps, which skip or repeat a date when the clocks
  // change), from early enough that an occurrence still running at `from` is seen.
  const first = wallClock(from - duration - DAY, window.timeZone);
  const last = to + DAY;
  for (let d = Date.UTC(first.year, first.month - 1, first.day); ; d += DAY) {
    const day = new Date(d);
    const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate(), weekday: WEEKDAYS[(day.getUTCDay() + 6) % 7]! };
    if (zonedInstant(date.year, date.month, date.day, 0, 0, window.timeZone) >= last) break;
    const matches =
      window.kind === 'weekly'
        ? window.days.includes(date.weekday)
        : window.kind === 'monthly'
          ? date.day === window.dayOfMonth
          : date.month === window.month && date.day === window.day;
    if (!matches) continue;
    const start = zonedInstant(date.year, date.month, date.day, hour, minute, window.timeZone);
    const end = start + duration;
    if (start < to && end > from && !found.some((o) => o.start === start)) found.push({ start, end, reason: window.reason });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The freeze occurrence in force at `instant`, if any. */
export function frozenAt(windows: readonly FreezeWindow[], instant: number): FreezeOccurrence | null {
  for (const window of windows) {
    const hit = occurrences(window, instant, instant + 1)[0];
    if (hit) return hit;
  }
  return null;
}

/** The first freeze occurrence overlapping [start, end), if any: a change window must avoid them all. */
export function frozenDuring(windows: readonly FreezeWindow[], start: number, end: number): FreezeOccurrence | null {
  const hits = windows.flatMap((w) => occurrences(w, start, end)).sort((a, b) => a.start - b.start);
  return hits[0] ?? null;
}

/** The earliest instant at or after `from` outside every freeze (chained freezes are followed). */
export function nextAllowedInstant(windows: readonly FreezeWindow[], from: number): number {
  let t = from;
  for (let guard = 0; guard < 1000; guard++) {
    const hit = frozenAt(windows, t);
    if (!hit) return t;
    t = hit.end;
  }
  throw new StagecraftError('invalid-input', 'The freeze windows never leave a gap: no change can ever be made.');
}

export function describeFreeze(window: FreezeWindow): string {
  switch (window.kind) {
    case 'once':
      return `${window.start} to ${window.end} (${window.timeZone}): ${window.reason}`;
    case 'weekly':
      return `every ${window.days.join(', ')} from ${window.startTime} for ${window.durationMinutes / 60} h (${window.timeZone}): ${window.reason}`;
    case 'monthly':
      return `every month on day ${window.dayOfMonth} from ${window.startTime} for ${window.durationMinutes / 60} h (${window.timeZone}): ${window.reason}`;
    case 'yearly':
      return `every year on ${String(window.month).padStart(2, '0')}-${String(window.day).padStart(2, '0')} from ${window.startTime} for ${window.durationMinutes / 60} h (${window.timeZone}): ${window.reason}`;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-10-25 02:30": the wall-clock time of a zone at an instant, without the zone's name. */
export function formatWallClock(instant: number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** "2026-10-25 02:30 Europe/Berlin": an instant as the people of a zone read it. */
export function formatInZone(instant: number, timeZone: string): string {
  return `${formatWallClock(instant, timeZone)} ${timeZone}`;
}
