/**
 * iCalendar (RFC 5545) for the change calendar: events written with CRLF line endings, lines folded
 * at 75 octets, text escaped, times in UTC (the zone a change was planned in travels in
 * X-STAGECRAFT-TIME-ZONE), all-day events as the dates they cover in that zone; and read back from
 * any calendar: unfolding, TZID parameters with IANA names, DATE values, DURATION, escaped text, and
 * malformed input named by its line. Pure.
 */
import { StagecraftError } from './errors';
import { wallClock, zonedInstant } from './freeze-windows';
import { dateIn } from './leases';
import { sha256Hex } from './sha256';

export interface IcsEvent {
  uid: string;
  summary: string;
  start: string; // ISO instant
  end: string;
  /** start and end are midnights in `timeZone` (UTC when null); written as the dates they begin. */
  allDay: boolean;
  description: string;
  location: string;
  /** The IANA zone the event was planned in, when known. */
  timeZone: string | null;
  categories: string[];
  status: 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED' | null;
}

const CRLF = '\r\n';
const encoder = new TextEncoder();

export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

export function unescapeText(text: string): string {
  return text.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Folds a content line into lines of at most 75 octets, never inside a UTF-8 character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = parts.length === 0 ? 75 : 74; // continuation lines start with a space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

export const icsUtc = (iso: string) => new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
/** The calendar date an all-day event's midnight falls on where it was planned. */
const icsDate = (iso: string, timeZone: string | null) => dateIn(Date.parse(iso), timeZone ?? 'UTC').replace(/-/g, '');

export function serializeCalendar(events: readonly IcsEvent[], options: { now: string; name?: string }): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Stagecraft//Change calendar//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (options.name) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`);
  for (const event of events) {
    lines.push('BEGIN:VEVENT', `UID:${event.uid}`, `DTSTAMP:${icsUtc(options.now)}`);
    if (event.allDay) lines.push(`DTSTART;VALUE=DATE:${icsDate(event.start, event.timeZone)}`, `DTEND;VALUE=DATE:${icsDate(event.end, event.timeZone)}`);
    else lines.push(`DTSTART:${icsUtc(event.start)}`, `DTEND:${icsUtc(event.end)}`);
    lines.push(`SUMMARY:${escapeText(event.summary)}`);
    if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
    if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
    if (event.categories.length > 0) lines.push(`CATEGORIES:${event.categories.map(escapeText).join(',')}`);
    if (event.status) lines.push(`STATUS:${event.status}`);
    if (event.timeZone) lines.push(`X-STAGECRAFT-TIME-ZONE:${escapeText(event.timeZone)}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}

// ---- reading ------------------------------------------------------------------------------------

interface ContentLine {
  line: number; // where it started in the file, 1-based
  name: string;
  params: Map<string, string>;
  value: string;
}

const fail = (line: number, message: string, hint?: string): never => {
  throw new StagecraftError('invalid-input', `Line ${line} of the calendar: ${message}`, hint ?? 'Export the calendar again, or fix that line.');
};

function unfold(text: string): { line: number; text: string }[] {
  const logical: { line: number; text: string }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, index) => {
      if ((raw.startsWith(' ') || raw.startsWith('\t')) && logical.length > 0) logical[logical.length - 1]!.text += raw.slice(1);
      else if (raw.trim() !== '') logical.push({ line: index + 1, text: raw });
    });
  return logical;
}

function parseContentLine({ line, text }: { line: number; text: string }): ContentLine {
  // name *(";" param) ":" value — a colon inside a quoted parameter value does not end the name.
  let i = 0;
  let inQuotes = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === ':' && !inQuotes) break;
  }
  if (i === text.length) fail(line, `"${text.slice(0, 60)}" has no ":" between a property name and its value.`);
  const head = text.slice(0, i);
  const value = text.slice(i + 1);
  const [name, ...rawParams] = head.match(/(?:[^;"]|"[^"]*")+/g) ?? [];
  if (!name || !/^[A-Za-z0-9-]+$/.test(name)) fail(line, `"${head.slice(0, 60)}" is not a property name.`);
  const params = new Map<string, string>();
  for (const param of rawParams) {
    const eq = param.indexOf('=');
    if (eq <= 0) fail(line, `the parameter "${param}" has no value.`);
    params.set(param.slice(0, eq).toUpperCase(), param.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
  }
  return { line, name: name!.toUpperCase(), params, value };
}

function resolveZone(tzid: string, line: number): string {
  // Some calendars prefix IANA names ("/mozilla.org/20070129_1/Europe/Berlin"): try the tail too.
  const segments = tzid.replace(/^\/+/, '').split('/');
  for (let from = 0; from < segments.length; from++) {
    const candidate = segments.slice(from).join('/');
    try {
      wallClock(0, candidate);
      return candidate;
    } catch {
      // not a zone this system knows: try a shorter tail
    }
  }
  return fail(line, `the time zone "${tzid}" is not an IANA name this system knows.`, 'Export the calendar with IANA time zones (Europe/Berlin) or in UTC.');
}

/** A DATE-TIME or DATE property as an instant; `date` tells an all-day value. */
function parseTime(property: ContentLine, defaultZone: string): { instant: number; date: boolean } {
  const isDate = property.params.get('VALUE')?.toUpperCase() === 'DATE' || /^\d{8}$/.test(property.value);
  const zone = property.params.has('TZID') ? resolveZone(property.params.get('TZID')!, property.line) : defaultZone;
  if (isDate) {
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(property.value);
    if (!m) return fail(property.line, `${property.name} "${property.value}" is not a date (YYYYMMDD).`);
    return { instant: zonedInstant(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, zone), date: true };
  }
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)$/.exec(property.value);
  if (!m || Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59) return fail(property.line, `${property.name} "${property.value}" is not a date-time (YYYYMMDDTHHMMSS, with Z for UTC).`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (m[7] === 'Z') return { instant: Date.UTC(y, mo - 1, d, h, mi, s), date: false };
  return { instant: zonedInstant(y, mo, d, h, mi, zone) + s * 1000, date: false };
}

function parseDuration(property: ContentLine): number {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(property.value);
  if (!m || property.value === 'P' || property.value.endsWith('T')) return fail(property.line, `DURATION "${property.value}" is not a duration (such as PT1H30M or P1D).`);
  const [w, d, h, mi, s] = m.slice(2, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return (m[1] === '-' ? -1 : 1) * ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

export interface ParsedCalendar {
  events: IcsEvent[];
  /** What was read but could not be kept whole (recurrence rules: only the first occurrence). */
  warnings: string[];
}

/** Reads the VEVENTs of an iCalendar text; floating times and dates are taken in `defaultZone`. */
export function parseCalendar(text: string, defaultZone = 'UTC'): ParsedCalendar {
  const lines = unfold(text).map(parseContentLine);
  if (lines.length === 0 || lines[0]!.name !== 'BEGIN' || lines[0]!.value.toUpperCase() !== 'VCALENDAR') {
    return fail(lines[0]?.line ?? 1, 'this is not an iCalendar file: it must start with BEGIN:VCALENDAR.', 'Choose an .ics file.');
  }
  const events: IcsEvent[] = [];
  const warnings: string[] = [];
  const stack: { name: string; line: number }[] = [];
  let current: { begin: number; props: ContentLine[] } | null = null;
  for (const property of lines) {
    if (property.name === 'BEGIN') {
      stack.push({ name: property.value.toUpperCase(), line: property.line });
      if (property.value.toUpperCase() === 'VEVENT') current = { begin: property.line, props: [] };
      continue;
    }
    if (property.name === 'END') {
      const open = stack.pop();
      if (!open || open.name !== property.value.toUpperCase()) fail(property.line, `END:${property.value} does not close ${open ? `BEGIN:${open.name} (line ${open.line})` : 'anything'}.`);
      if (open!.name === 'VEVENT' && current) {
        events.push(eventOf(current, defaultZone, warnings));
        current = null;
      }
      continue;
    }
    // Properties of nested components (alarms, time zone definitions) are not the event's.
    if (current && stack.at(-1)?.name === 'VEVENT') current.props.push(property);
  }
  if (stack.length > 0) fail(stack.at(-1)!.line, `BEGIN:${stack.at(-1)!.name} is never closed by END:${stack.at(-1)!.name}.`, 'The file may be cut short: export it again.');
  return { events, warnings };
}

function eventOf(raw: { begin: number; props: ContentLine[] }, defaultZone: string, warnings: string[]): IcsEvent {
  const get = (name: string) => raw.props.find((p) => p.name === name);
  const startProp = get('DTSTART') ?? fail(raw.begin, 'the event that starts here has no DTSTART.');
  const plannedZone = get('X-STAGECRAFT-TIME-ZONE');
  // Our own export says where its dates are counted (a lease's last day is the owner's day).
  const floatingZone = plannedZone ? resolveZone(unescapeText(plannedZone.value), plannedZone.line) : defaultZone;
  const start = parseTime(startProp, floatingZone);
  const endProp = get('DTEND');
  const durationProp = get('DURATION');
  const end = endProp ? parseTime(endProp, floatingZone).instant : durationProp ? start.instant + parseDuration(durationProp) : start.date ? start.instant + 86_400_000 : start.instant;
  if (end < start.instant) fail((endProp ?? durationProp)!.line, 'the event ends before it starts.');
  const summary = unescapeText(get('SUMMARY')?.value ?? '');
  const uid = get('UID')?.value ?? `generated-${sha256Hex(`${summary}|${start.instant}|${end}`).slice(0, 24)}`;
  if (get('RRULE')) warnings.push(`Event "${summary}" (line ${raw.begin}) repeats: only its first occurrence was read.`);
  const status = get('STATUS')?.value.toUpperCase();
  const tzid = startProp.params.get('TZID');
  return {
    uid,
    summary,
    start: new Date(start.instant).toISOString(),
    end: new Date(end).toISOString(),
    allDay: start.date,
    description: unescapeText(get('DESCRIPTION')?.value ?? ''),
    location: unescapeText(get('LOCATION')?.value ?? ''),
    timeZone: plannedZone ? floatingZone : tzid !== undefined ? resolveZone(tzid, startProp.line) : null,
    categories: raw.props.filter((p) => p.name === 'CATEGORIES').flatMap((p) => p.value.split(/(?<!\\),/).map(unescapeText)).filter(Boolean),
    status: status === 'TENTATIVE' || status === 'CONFIRMED' || status === 'CANCELLED' ? status : null,
  };
}
