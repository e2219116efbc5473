import { formatWallClock } from '../../../core/domain/freeze-windows';
import { addDays } from '../../../core/domain/leases';
import type { ChangeDetailView, WindowInput } from '../store/changes';
import { localDay } from './calendar-days';

const inZone = (instant: string, timeZone: string) => formatWallClock(Date.parse(instant), timeZone);

/** An instant as the wall-clock time (YYYY-MM-DDTHH:mm) of a zone: what a datetime-local field shows. */
const wallClockText = (instant: string, timeZone: string) => inZone(instant, timeZone).replace(' ', 'T');

/** A window in its own zone, short: "2026-11-30 20:00–22:00 Europe/Berlin" (the end's date only when it differs). */
export function windowText(window: NonNullable<ChangeDetailView['window']>): string {
  const start = inZone(window.start, window.timeZone);
  const end = inZone(window.end, window.timeZone);
  return `${start}–${end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end} ${window.timeZone}`;
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The fields for a change's window, or, without one, tomorrow 20:00–22:00 in this computer's zone. */
export function windowFieldsOf(window: ChangeDetailView['window']): WindowInput {
  if (window) return { start: wallClockText(window.start, window.timeZone), end: wallClockText(window.end, window.timeZone), timeZone: window.timeZone };
  const tomorrow = addDays(localDay(new Date()), 1);
  return { start: `${tomorrow}T20:00`, end: `${tomorrow}T22:00`, timeZone: browserZone() };
}

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

/** A planned window as people plan it: wall-clock start and end in a named time zone. */
export function WindowFields({ value, onChange }: { value: WindowInput; onChange: (window: WindowInput) => void }) {
  return (
    <fieldset className="window-fields">
      <legend>Window (wall-clock times of its time zone)</legend>
      <label>
        Start
        <input type="datetime-local" value={value.start} onChange={(e) => onChange({ ...value, start: e.target.value })} required />
      </label>
      <label>
        End
        <input type="datetime-local" value={value.end} onChange={(e) => onChange({ ...value, end: e.target.value })} required />
      </label>
      <label>
        Time zone
        <input list="time-zones" value={value.timeZone} onChange={(e) => onChange({ ...value, timeZone: e.target.value })} required />
        <datalist id="time-zones">
          {ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      </label>
    </fieldset>
  );
}
