/**
 * Lease ends in the change calendar's .ics export: each active lease's last day as an all-day event
 * on the owner's date, read back by us and by python3-icalendar, and not imported again as an
 * external event. Demo workspace in a real SQLite file, through the contract.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutput } from '../contract/index';
import { parseCalendar } from '../domain/icalendar';
import { addDays } from '../domain/leases';
import { createApp } from './app';
import { hasPythonIcalendar, python } from './test-support/python-icalendar';

let app: ReturnType<typeof createApp>;
const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
  const result = await app.dispatch(name, input);
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.message}`), result.error);
  return result.value as T;
};
type Lease = CallOutput<'leases.list'>[number];
type Export = CallOutput<'calendar.exportIcs'>;
type CalendarEntry = CallOutput<'calendar.events'>[number];

const from = new Date(Date.now() - 5 * 86_400_000).toISOString(); // an expired lease's last day too
const to = new Date(Date.now() + 60 * 86_400_000).toISOString();
/** The UID domain of the demo workspace's exports: its name, slugged. */
const OWN = 'demo-acme-retail-platform.stagecraft';
let leases: Lease[];
const leaseOf = (service: string, stage: string) => leases.find((l) => l.serviceName === service && l.stageName === stage)!;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-lease-ics-'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'carol' });
  await call('workspace.openDemo', {});
  leases = await call<Lease[]>('leases.list', {});
});
afterAll(() => app.session.close());

/** The content lines of the VEVENT with this UID, unfolded. */
function eventLines(text: string, uid: string): string[] {
  const events = text.replace(/\r\n[ \t]/g, '').split('BEGIN:VEVENT').slice(1);
  const event = events.find((e) => e.includes(`\r\nUID:${uid}\r\n`));
  if (!event) throw new Error(`No event ${uid} in the export.`);
  return event.split('\r\n').filter(Boolean);
}

describe("lease ends in the calendar's .ics export", () => {
  it("writes each active lease's last day as an all-day event on the owner's date, with a stable UID, the owner and the reason", async () => {
    const berlin = leaseOf('payments-api', 'integration'); // east of UTC: its midnight is the day before in UTC
    expect(berlin.timeZone).toBe('Europe/Berlin');
    const exported = await call<Export>('calendar.exportIcs', { from, to });
    const uid = `lease-${berlin.stageId}@${OWN}`;
    const lines = eventLines(exported.text, uid);
    expect(lines).toEqual(
      expect.arrayContaining([
        `DTSTART;VALUE=DATE:${berlin.expiresOn.replace(/-/g, '')}`,
        `DTEND;VALUE=DATE:${addDays(berlin.expiresOn, 1).replace(/-/g, '')}`,
        'SUMMARY:Lease ends: payments-api integration (dana.k)',
        'LOCATION:payments-api integration',
        'CATEGORIES:LEASE',
        'X-STAGECRAFT-TIME-ZONE:Europe/Berlin',
      ]),
    );
    const description = lines.find((l) => l.startsWith('DESCRIPTION:'))!;
    expect(description).toContain('dana.k holds payments-api integration (Europe/Berlin)');
    expect(description).toContain(`\\nReason: ${berlin.reason}`);

    // The export lists exactly the leases the calendar view shows in that span.
    const shown = (await call<CalendarEntry[]>('calendar.events', { from, to })).filter((e) => e.kind === 'lease');
    const exportedLeases = parseCalendar(exported.text).events.filter((e) => e.categories.includes('LEASE'));
    expect(exportedLeases.map((e) => e.uid).sort()).toEqual(shown.map((e) => `${e.key}@${OWN}`).sort());
    expect(shown.length).toBeGreaterThanOrEqual(3);

    // Extending keeps the UID (a subscribed calendar moves the event) and moves the date.
    const later = addDays(berlin.expiresOn, 5);
    await call('leases.extend', { stageId: berlin.stageId, expiresOn: later, reason: 'review moved' });
    const moved = eventLines((await call<Export>('calendar.exportIcs', { from, to })).text, uid);
    expect(moved).toContain(`DTSTART;VALUE=DATE:${later.replace(/-/g, '')}`);
    expect(moved.filter((l) => l.startsWith('UID:'))).toEqual([`UID:${uid}`]);
    leases = await call<Lease[]>('leases.list', {});
  });

  it('reads back to the very instants the calendar view shows (midnight to midnight in the owner zone)', async () => {
    const exported = await call<Export>('calendar.exportIcs', { from, to });
    const read = parseCalendar(exported.text, 'Pacific/Auckland').events; // the reader's own zone does not move our dates
    for (const entry of (await call<CalendarEntry[]>('calendar.events', { from, to })).filter((e) => e.kind === 'lease')) {
      expect(read.find((e) => e.uid === `${entry.key}@${OWN}`)).toMatchObject({ summary: entry.title, start: entry.start, end: entry.end, allDay: true, timeZone: entry.timeZone, categories: ['LEASE'] });
    }
  });

  it('leaves out leases when asked, and leases that are archived or end outside the span', async () => {
    const withoutLeases = await call<Export>('calendar.exportIcs', { from, to, includeLeases: false });
    expect(withoutLeases.text).not.toContain('CATEGORIES:LEASE');
    const uat = leaseOf('identity', 'uat');
    const before = await call<Export>('calendar.exportIcs', { from, to });
    expect(before.text).toContain(`UID:lease-${uat.stageId}@`);
    await call('leases.archive', { stageId: uat.stageId, reason: 'acceptance done' });
    const afterArchive = await call<Export>('calendar.exportIcs', { from, to });
    expect(afterArchive.events).toBe(before.events - 1);
    expect(afterArchive.text).not.toContain(`UID:lease-${uat.stageId}@`);
    const farAway = new Date(Date.now() + 400 * 86_400_000).toISOString();
    const beyond = await call<Export>('calendar.exportIcs', { from: farAway, to: new Date(Date.parse(farAway) + 86_400_000).toISOString() });
    expect(beyond.text).not.toContain('CATEGORIES:LEASE');
  });

  it('importing our own export brings no lease back as an external event: each lease stays on the calendar once', async () => {
    const exported = await call<Export>('calendar.exportIcs', { from, to });
    const preview = await call<CallOutput<'calendar.importIcs'>>('calendar.importIcs', { text: exported.text, source: 'own.ics', apply: true });
    expect(preview).toMatchObject({ events: [], added: 0, skipped: exported.events, applied: false });
    expect(preview.warnings).toContain(`${exported.events} events are this workspace's own export and were left out.`);
    const entries = await call<CalendarEntry[]>('calendar.events', { from, to });
    expect(entries.filter((e) => e.kind === 'external')).toEqual([]);
    const titles = entries.filter((e) => e.title.startsWith('Lease ')).map((e) => e.title);
    expect(new Set(titles).size).toBe(titles.length);

    // Another workspace's export is that team's calendar: its lease ends come in as external events, once per UID.
    const foreign = exported.text.replaceAll(`@${OWN}`, '@other-team.stagecraft');
    const first = await call<CallOutput<'calendar.importIcs'>>('calendar.importIcs', { text: foreign, source: 'other.ics', apply: true });
    const again = await call<CallOutput<'calendar.importIcs'>>('calendar.importIcs', { text: foreign, source: 'other.ics', apply: true });
    expect([first.added, again.added, again.updated]).toEqual([exported.events, 0, exported.events]);
    const external = (await call<CalendarEntry[]>('calendar.events', { from, to })).filter((e) => e.kind === 'external' && e.title.startsWith('Lease '));
    expect(external.length).toBe(titles.length);
  });
});

describe.skipIf(!hasPythonIcalendar)('lease ends read by python3-icalendar (apt-get install python3-icalendar)', () => {
  it("reads each lease end as a date (not a date-time) on the owner's last day, with its summary and reason", async () => {
    const exported = await call<Export>('calendar.exportIcs', { from, to });
    const read = JSON.parse(
      python(
        `import sys, json, datetime, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
print(json.dumps([{"uid": str(e["UID"]), "summary": str(e["SUMMARY"]), "isDate": not isinstance(e.decoded("DTSTART"), datetime.datetime), "start": e.decoded("DTSTART").isoformat(), "end": e.decoded("DTEND").isoformat(), "description": str(e["DESCRIPTION"])} for e in cal.walk("VEVENT") if "LEASE" in str(e.get("CATEGORIES").to_ical())]))`,
        exported.text,
      ),
    ) as { uid: string; summary: string; isDate: boolean; start: string; end: string; description: string }[];
    const shown = new Set((await call<CalendarEntry[]>('calendar.events', { from, to })).filter((e) => e.kind === 'lease').map((e) => e.key));
    const active = (await call<Lease[]>('leases.list', {})).filter((l) => shown.has(`lease-${l.stageId}`));
    expect(active.length).toBeGreaterThanOrEqual(2);
    expect(read.map((e) => e.uid).sort()).toEqual(active.map((l) => `lease-${l.stageId}@${OWN}`).sort());
    for (const lease of active) {
      expect(read.find((e) => e.uid === `lease-${lease.stageId}@${OWN}`)).toEqual({
        uid: `lease-${lease.stageId}@${OWN}`,
        summary: `Lease ${lease.status === 'expired' ? 'ended' : 'ends'}: ${lease.serviceName} ${lease.stageName} (${lease.owner})`,
        isDate: true,
        start: lease.expiresOn,
        end: addDays(lease.expiresOn, 1),
        description: expect.stringContaining(`Reason: ${lease.reason}`),
      });
    }
  });
});
