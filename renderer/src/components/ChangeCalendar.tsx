import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import { useApp } from '../store/index';
import type { CalendarEntry } from '../store/changes';
import { attempt } from '../store/task';
import { addDays } from '../../../core/domain/leases';
import { dayStart, localDay, monthWeeks, weekStart } from './calendar-days';
import { Segmented } from './ChangeBits';
import { Dialog } from './Dialog';
import { browserZone } from './WindowFields';

type Span = 'month' | 'week';
const KIND_LABEL: Record<CalendarEntry['kind'], string> = { change: 'change', freeze: 'freeze', external: 'external', lease: 'lease ends' };
const time = (instant: string) => new Date(instant).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The change calendar: changes by window, freeze occurrences, lease ends and imported events, by month or week. */
export function ChangeCalendar() {
  const events = useApp((s) => s.calendarEvents);
  const loadCalendar = useApp((s) => s.loadCalendar);
  const changes = useApp((s) => s.changes);
  const [span, setSpan] = useState<Span>('month');
  const [anchor, setAnchor] = useState(() => localDay(new Date()));
  const weeks = span === 'month' ? monthWeeks(anchor) : [Array.from({ length: 7 }, (_, i) => addDays(weekStart(anchor), i))];
  const first = weeks[0]![0]!;
  const after = addDays(weeks.at(-1)!.at(-1)!, 1);
  const range = { from: dayStart(first), to: dayStart(after) };
  // Reload when the range moves and when the changes do (a move changes what the calendar shows).
  useEffect(() => void loadCalendar(range.from, range.to), [range.from, range.to, changes, loadCalendar]);

  const step = (direction: 1 | -1) => {
    if (span === 'week') return setAnchor(addDays(anchor, 7 * direction));
    const date = new Date(`${anchor.slice(0, 7)}-15T12:00`);
    date.setMonth(date.getMonth() + direction);
    setAnchor(localDay(date));
  };
  const title =
    span === 'month'
      ? new Date(`${anchor}T12:00`).toLocaleDateString(undefined, { month: 'long', year: 'numeric' })
      : `Week of ${new Date(`${first}T12:00`).toLocaleDateString(undefined, { dateStyle: 'medium' })}`;

  return (
    <section className="change-calendar" aria-label="Change calendar">
      <div className="calendar-toolbar">
        <button type="button" onClick={() => step(-1)} aria-label={`Previous ${span}`}>
          ‹
        </button>
        <button type="button" onClick={() => setAnchor(localDay(new Date()))}>
          Today
        </button>
        <button type="button" onClick={() => step(1)} aria-label={`Next ${span}`}>
          ›
        </button>
        <h3>{title}</h3>
        <Segmented label="Calendar span" value={span} options={{ month: 'Month', week: 'Week' }} onChange={setSpan} />
        <span className="muted small">Times in {browserZone()}</span>
        <IcsImport />
        <IcsExport from={range.from} to={range.to} />
      </div>
      <div className={`calendar-grid span-${span}`} role="grid" aria-label={title}>
        <div className="calendar-row head" role="row">
          {WEEKDAYS.map((d) => (
            <div key={d} role="columnheader">
              {d}
            </div>
          ))}
        </div>
        {weeks.map((week) => (
          <div key={week[0]} className="calendar-row" role="row">
            {week.map((day) => (
              <CalendarDay key={day} day={day} outside={span === 'month' && day.slice(0, 7) !== anchor.slice(0, 7)} events={events} detailed={span === 'week'} />
            ))}
          </div>
        ))}
      </div>
      <p className="calendar-legend small">
        <span className="entry kind-change">change</span> <span className="entry kind-freeze">freeze</span> <span className="entry kind-external">external</span> <span className="entry kind-lease">lease ends</span>{' '}
        <span className="marker health-warn">conflict</span>
      </p>
    </section>
  );
}

function CalendarDay({ day, outside, events, detailed }: { day: string; outside: boolean; events: CalendarEntry[]; detailed: boolean }) {
  const openChange = useApp((s) => s.openChange);
  const start = dayStart(day);
  const end = dayStart(addDays(day, 1));
  const today = day === localDay(new Date());
  const entries = events.filter((e) => e.start < end && e.end > start);
  const label = new Date(`${day}T12:00`).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
  return (
    <div role="gridcell" aria-label={label} data-day={day} className={`calendar-day${outside ? ' outside' : ''}${today ? ' today' : ''}`}>
      <div className="day-number">
        {Number(day.slice(8))}
        {today && <span className="sr-only"> (today)</span>}
      </div>
      <ul>
        {entries.map((entry) => (
          <li key={entry.key}>
            <button
              type="button"
              className={`entry kind-${entry.kind}${entry.conflicts > 0 ? ' conflicting' : ''}`}
              disabled={entry.changeId === null}
              onClick={() => entry.changeId !== null && void openChange(entry.changeId)}
              title={`${KIND_LABEL[entry.kind]}: ${entry.title}${entry.timeZone ? ` (planned in ${entry.timeZone})` : ''}`}
            >
              {(detailed || entry.start >= start) && entry.kind !== 'lease' && <span className="entry-time">{entry.start >= start ? time(entry.start) : '…'}{detailed && `–${entry.end <= end ? time(entry.end) : '…'}`} </span>}
              {/* Before the title: a narrow month cell cuts the end of a line, never the marker. */}
              {entry.conflicts > 0 && <span className="marker health-warn">{entry.conflicts === 1 ? '1 conflict' : `${entry.conflicts} conflicts`}</span>}
              <span className="entry-title">{entry.title}</span>
              {detailed && entry.state && <span className="muted"> · {entry.state}</span>}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The visible range as an .ics file, downloaded by the browser (Electron asks where to save it). */
function IcsExport({ from, to }: { from: string; to: string }) {
  const [status, setStatus] = useState<string | null>(null);
  const exportIcs = async () => {
    const ics = await attempt(useApp.setState, () => client.call('calendar.exportIcs', { from, to, includeFreezes: true }));
    if (!ics) return;
    const url = URL.createObjectURL(new Blob([ics.text], { type: 'text/calendar' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: ics.fileName });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus(`${ics.events} events → ${ics.fileName}`);
  };
  return (
    <>
      <button type="button" onClick={() => void exportIcs()}>
        Export .ics
      </button>
      {status && (
        <span className="muted small" role="status">
          {status}
        </span>
      )}
    </>
  );
}

type ImportPreview = CallOutput<'calendar.importIcs'>;

/** Import the organisation's calendar: pick a file, see what it brings, then apply. */
function IcsImport() {
  const [file, setFile] = useState<{ name: string; text: string; preview: ImportPreview } | null>(null);
  const [timeZone, setTimeZone] = useState(browserZone());
  const read = (name: string, text: string, zone: string) =>
    attempt(useApp.setState, async () => setFile({ name, text, preview: await client.call('calendar.importIcs', { text, source: name, timeZone: zone, apply: false }) }));
  const pick = async (input: HTMLInputElement) => {
    const chosen = input.files?.[0];
    input.value = '';
    if (chosen) await read(chosen.name, await chosen.text(), timeZone);
  };
  const apply = async () => {
    if (!file) return;
    const applied = await attempt(useApp.setState, () => client.call('calendar.importIcs', { text: file.text, source: file.name, timeZone, apply: true }));
    if (!applied) return;
    // Imported events are conflicts of the changes they overlap: the list (and with it the calendar) and the open change reload on the workspace.changed the import emits.
    setFile(null);
  };
  return (
    <>
      <label className="file-button">
        Import .ics…
        <input type="file" accept=".ics,text/calendar" onChange={(e) => void pick(e.target)} aria-label="Import an iCalendar file" />
      </label>
      {file && (
        <Dialog title={`Import ${file.name}`} onClose={() => setFile(null)} wide>
          <div className="ics-preview">
            <p>
              {file.preview.events.length} events: {file.preview.events.filter((e) => e.isNew).length} new, {file.preview.events.filter((e) => !e.isNew).length} replacing an earlier import
              {file.preview.skipped > 0 && `, ${file.preview.skipped} skipped`}.
            </p>
            <label>
              Times without a zone are read in
              <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} onBlur={() => void read(file.name, file.text, timeZone)} />
            </label>
            {file.preview.warnings.length > 0 && (
              <ul className="warn-text" aria-label="Warnings">
                {file.preview.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            )}
            <table className="change-table" aria-label="Events in the file">
              <thead>
                <tr>
                  <th>Event</th>
                  <th>Start</th>
                  <th>End</th>
                  <th>In the workspace</th>
                </tr>
              </thead>
              <tbody>
                {file.preview.events.map((e) => (
                  <tr key={e.uid}>
                    <td>{e.summary}</td>
                    <td>{e.allDay ? `${e.start.slice(0, 10)} (all day)` : new Date(e.start).toLocaleString()}</td>
                    <td>{e.allDay ? e.end.slice(0, 10) : new Date(e.end).toLocaleString()}</td>
                    <td>{e.isNew ? 'new' : 'replaces the earlier one'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="actions">
              <button type="button" onClick={() => setFile(null)}>
                Back
              </button>
              <button type="button" className="primary" disabled={file.preview.events.length === 0} onClick={() => void apply()}>
                Import {file.preview.events.length} {file.preview.events.length === 1 ? 'event' : 'events'}
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </>
  );
}
