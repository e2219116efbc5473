import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, parseCalendar, serializeCalendar, unescapeText, type IcsEvent } from './icalendar';

const event = (over: Partial<IcsEvent> = {}): IcsEvent => ({
  uid: 'change-12@demo.stagecraft',
  summary: '#12 Promote v2; harden sshd, staging (scheduled)',
  start: '2026-10-25T00:30:00.000Z',
  end: '2026-10-25T02:30:00.000Z',
  allDay: false,
  description: 'Line one\nLine two with a backslash \\ and a comma, and ünïcödé ✓ repeated '.repeat(3),
  location: 'payments-api staging',
  timeZone: 'Europe/Berlin',
  categories: ['CHANGE', 'SCHEDULED'],
  status: 'CONFIRMED',
  ...over,
});
const octets = (s: string) => new TextEncoder().encode(s).length;

describe('writing iCalendar', () => {
  it('uses CRLF, folds every line at 75 octets without splitting a character, and escapes text', () => {
    const text = serializeCalendar([event()], { now: '2026-11-26T20:00:00Z', name: 'Demo: changes' });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = text.split('\r\n').slice(0, -1);
    expect(lines.every((l) => octets(l) <= 75)).toBe(true);
    expect(lines).toEqual(expect.arrayContaining(['BEGIN:VCALENDAR', 'VERSION:2.0', 'UID:change-12@demo.stagecraft', 'DTSTAMP:20261126T200000Z', 'DTSTART:20261025T003000Z', 'DTEND:20261025T023000Z', 'END:VCALENDAR']));
    expect(text).toContain('SUMMARY:#12 Promote v2\\; harden sshd\\, staging (scheduled)');
    expect(text).toContain('X-STAGECRAFT-TIME-ZONE:Europe/Berlin');
    // A folded line continues with one space, and no UTF-8 sequence is cut (every line decodes cleanly).
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
    expect(lines.every((l) => !l.includes('\uFFFD'))).toBe(true);
  });

  it('folds a line of multi-byte characters at a character boundary', () => {
    const folded = foldLine(`SUMMARY:${'✓'.repeat(40)}`);
    const parts = folded.split('\r\n');
    expect(parts.every((p) => octets(p) <= 75)).toBe(true);
    expect(parts.map((p, i) => (i === 0 ? p : p.slice(1))).join('')).toBe(`SUMMARY:${'✓'.repeat(40)}`);
  });

  it('escapes and unescapes text as each other’s inverse', () => {
    const text = 'a;b,c\\d\ne';
    expect(escapeText(text)).toBe('a\\;b\\,c\\\\d\\ne');
    expect(unescapeText(escapeText(text))).toBe(text);
  });
});

describe('reading iCalendar', () => {
  it('round-trips what it writes: UIDs, instants, text, zones, categories, all-day events', () => {
    const events = [event(), event({ uid: 'freeze-3@demo.stagecraft', summary: 'Year-end freeze', start: '2026-12-24T00:00:00.000Z', end: '2026-12-27T00:00:00.000Z', allDay: true, timeZone: null, categories: ['FREEZE'], description: '', location: '', status: null })];
    const parsed = parseCalendar(serializeCalendar(events, { now: '2026-11-26T20:00:00Z' }));
    expect(parsed).toEqual({ events, warnings: [] });
  });

  it('reads TZID parameters with IANA names (also prefixed), floating times, DATE values, DURATION and LF line endings', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VTIMEZONE',
      'TZID:Europe/Berlin',
      'BEGIN:STANDARD',
      'DTSTART:19701025T030000',
      'END:STANDARD',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:berlin@corp',
      'DTSTART;TZID=Europe/Berlin:20261025T023000',
      'DURATION:PT1H',
      'SUMMARY:Fallback night,',
      '  folded with a tab and space',
      'BEGIN:VALARM',
      'SUMMARY:not the event summary',
      'END:VALARM',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:ny@corp',
      'DTSTART;TZID="/mozilla.org/20070129_1/America/New_York":20260308T013000',
      'DTEND;TZID=America/New_York:20260308T033000',
      'SUMMARY:Spring forward',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:holiday@corp',
      'DTSTART;VALUE=DATE:20261224',
      'SUMMARY:Christmas Eve',
      'RRULE:FREQ=YEARLY',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:floating@corp',
      'DTSTART:20261201T090000',
      'DTEND:20261201T100000',
      'SUMMARY:Floating',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\n');
    const { events, warnings } = parseCalendar(text, 'America/New_York');
    const byUid = Object.fromEntries(events.map((e) => [e.uid, e]));
    // 02:30 is repeated in Berlin on 2026-10-25: the first (summer time) occurrence.
    expect(byUid['berlin@corp']).toMatchObject({ start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T01:30:00.000Z', summary: 'Fallback night, folded with a tab and space', timeZone: 'Europe/Berlin' });
    // 01:30 EST to 03:30 EDT is one real hour on the day New York springs forward.
    expect(byUid['ny@corp']).toMatchObject({ start: '2026-03-08T06:30:00.000Z', end: '2026-03-08T07:30:00.000Z', timeZone: 'America/New_York' });
    expect(byUid['holiday@corp']).toMatchObject({ allDay: true, start: '2026-12-24T05:00:00.000Z', end: '2026-12-25T05:00:00.000Z' });
    expect(byUid['floating@corp']).toMatchObject({ start: '2026-12-01T14:00:00.000Z', timeZone: null });
    expect(warnings).toEqual(['Event "Christmas Eve" (line 25) repeats: only its first occurrence was read.']);
  });

  it('names the line of malformed input', () => {
    const wrap = (...lines: string[]) => ['BEGIN:VCALENDAR', ...lines, 'END:VCALENDAR'].join('\r\n');
    expect(() => parseCalendar('hello')).toThrow(/Line 1 of the calendar: "hello" has no ":"/);
    expect(() => parseCalendar('BEGIN:VEVENT\r\nEND:VEVENT')).toThrow(/Line 1 of the calendar: this is not an iCalendar file/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'UID:a', 'SUMMARY:no start', 'END:VEVENT'))).toThrow(/Line 2 of the calendar: the event that starts here has no DTSTART/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'DTSTART;TZID=Atlantis/Capital:20260101T100000', 'END:VEVENT'))).toThrow(/Line 3 .*"Atlantis\/Capital" is not an IANA name/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'DTSTART:20260101T100000Z', 'DTEND:20260101T090000Z', 'END:VEVENT'))).toThrow(/Line 4 .*ends before it starts/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'DTSTART:20260101T100000Z', 'DURATION:1 hour', 'END:VEVENT'))).toThrow(/Line 4 .*DURATION "1 hour" is not a duration/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'DTSTART:20260101T100000Z', 'END:VTODO'))).toThrow(/Line 4 .*END:VTODO does not close BEGIN:VEVENT \(line 2\)/);
    expect(() => parseCalendar(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'DTSTART:20260101T100000Z'].join('\r\n'))).toThrow(/Line 2 .*BEGIN:VEVENT is never closed/);
    expect(() => parseCalendar(wrap('BEGIN:VEVENT', 'DTSTART;VALUE:20260101', 'END:VEVENT'))).toThrow(/Line 3 .*the parameter "VALUE" has no value/);
  });
});
