import { describe, expect, it } from 'vitest';
import { parseCalendar, serializeCalendar, type IcsEvent } from '../domain/icalendar';
import { hasPythonIcalendar, python } from './test-support/python-icalendar';

describe.skipIf(!hasPythonIcalendar)('iCalendar against python3-icalendar (apt-get install python3-icalendar)', () => {
  it('what we write, python3-icalendar reads: UIDs, UTC times, unescaped and unfolded text', () => {
    const events: IcsEvent[] = [
      { uid: 'change-4@demo.stagecraft', summary: '#4 Reporting DB; v1, production (scheduled)', start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T02:30:00.000Z', allDay: false, description: `Line 1\nä ✓ ${'long text '.repeat(20)}`, location: 'reporting-db production', timeZone: 'Europe/Berlin', categories: ['CHANGE', 'SCHEDULED'], status: 'CONFIRMED' },
      { uid: 'freeze-9@demo.stagecraft', summary: 'Year-end freeze', start: '2026-12-24T00:00:00.000Z', end: '2026-12-27T00:00:00.000Z', allDay: true, description: '', location: '', timeZone: null, categories: ['FREEZE'], status: null },
    ];
    const read = JSON.parse(
      python(
        `import sys, json, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
print(json.dumps([{"uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(), "description": str(e.get("DESCRIPTION", ""))} for e in cal.walk("VEVENT")]))`,
        serializeCalendar(events, { now: '2026-11-26T20:00:00Z' }),
      ),
    ) as { uid: string; summary: string; start: string; end: string; description: string }[];
    expect(read).toEqual([
      { uid: 'change-4@demo.stagecraft', summary: events[0]!.summary, start: '2026-10-25T00:30:00+00:00', end: '2026-10-25T02:30:00+00:00', description: events[0]!.description },
      { uid: 'freeze-9@demo.stagecraft', summary: 'Year-end freeze', start: '2026-12-24', end: '2026-12-27', description: '' },
    ]);
  });

  it('what python3-icalendar writes (TZID, escaped text, folding), we read', () => {
    const text = python(`import icalendar, datetime, pytz
from dateutil import tz
ny = pytz.timezone("America/New_York")
cal = icalendar.Calendar()
cal.add("prodid", "-//test//EN"); cal.add("version", "2.0")
e = icalendar.Event()
e.add("uid", "net-42@corp.example")
e.add("summary", "Core switch; upgrade, phase 2 " + "x" * 80)
e.add("dtstart", ny.localize(datetime.datetime(2026, 3, 8, 1, 30)))
e.add("dtend", ny.localize(datetime.datetime(2026, 3, 8, 3, 30)))
e.add("dtstamp", datetime.datetime(2026, 1, 1, tzinfo=tz.UTC))
cal.add_component(e)
print(cal.to_ical().decode(), end="")`);
    expect(text).toContain('DTSTART;TZID=America/New_York;VALUE=DATE-TIME:20260308T013000');
    const [event] = parseCalendar(text).events;
    // 01:30 EST to 03:30 EDT: one real hour across the spring clock change.
    expect(event).toMatchObject({ uid: 'net-42@corp.example', summary: `Core switch; upgrade, phase 2 ${'x'.repeat(80)}`, start: '2026-03-08T06:30:00.000Z', end: '2026-03-08T07:30:00.000Z', timeZone: 'America/New_York' });
  });
});
