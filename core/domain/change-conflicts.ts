/**
 * Conflicts of a change request with the rest of the schedule: another change whose window
 * overlaps on the same host or service, a freeze of its target stage during its window, another
 * open change of the same target, and events of the organisation's own calendar. Pure: windows are
 * instants, shown to people in the change's own time zone.
 */
import { describeWindow, OPEN_STATES, type ChangeState, type ChangeWindow } from './change-workflow';
import { StagecraftError } from './errors';
import { formatInZone, frozenDuring, wallClockParts, zonedInstant, type FreezeWindow } from './freeze-windows';

export interface ScheduledChange {
  id: number;
  title: string;
  serviceId: number;
  serviceName: string;
  toStageId: number;
  stageName: string;
  state: ChangeState;
  /** Names of the target stage's hosts. */
  hosts: readonly string[];
  window: ChangeWindow | null;
}

export interface CalendarEvent {
  uid: string;
  summary: string;
  start: string; // ISO instant
  end: string;
}

export type ConflictKind = 'host-overlap' | 'service-overlap' | 'freeze' | 'same-target' | 'external-event';

export interface Conflict {
  kind: ConflictKind;
  detail: string;
  otherChangeId: number | null;
  externalUid: string | null;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
const span = (w: { start: string; end: string }) => ({ start: Date.parse(w.start), end: Date.parse(w.end) });

/**
 * A window from a start and end given either as instants (with Z or an offset) or as wall-clock
 * times (YYYY-MM-DDTHH:mm) of `timeZone`, which is how people plan them.
 */
export function windowOf(start: string, end: string, timeZone: string): ChangeWindow {
  const instant = (value: string, which: string): string => {
    const local = wallClockParts(value.trim());
    if (local) return new Date(zonedInstant(...local, timeZone)).toISOString();
    const parsed = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim()) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(parsed)) throw new StagecraftError('invalid-input', `The ${which} "${value}" is not a time.`, `Give it as 2026-12-01T22:00 (in ${timeZone}) or as an instant such as 2026-12-01T21:00Z.`);
    return new Date(parsed).toISOString();
  };
  formatInZone(0, timeZone); // refuses an unknown zone with a clear message
  const window = { start: instant(start, 'start'), end: instant(end, 'end'), timeZone };
  if (Date.parse(window.end) <= Date.parse(window.start)) throw new StagecraftError('invalid-input', `The window ends (${end}) before it starts (${start}).`, 'Give an end after the start.');
  return window;
}

/** Everything `change` conflicts with. Closed, cancelled and finished changes conflict with nothing. */
export function conflictsOf(change: ScheduledChange, others: readonly ScheduledChange[], context: { freezeWindows: readonly FreezeWindow[]; events: readonly CalendarEvent[] }): Conflict[] {
  if (!OPEN_STATES.includes(change.state)) return [];
  const found: Conflict[] = [];
  const open = others.filter((o) => o.id !== change.id && OPEN_STATES.includes(o.state));
  for (const other of open) {
    if (other.toStageId === change.toStageId) {
      found.push({ kind: 'same-target', detail: `Change #${other.id} "${other.title}" (${other.state}) also changes ${change.serviceName} ${change.stageName}.`, otherChangeId: other.id, externalUid: null });
    }
  }
  if (!change.window) return found;
  const mine = span(change.window);
  for (const other of open) {
    if (!other.window || !overlaps(mine, span(other.window))) continue;
    const shared = change.hosts.filter((h) => other.hosts.includes(h));
    const when = `${describeWindow({ ...other.window, timeZone: change.window.timeZone })}`;
    if (shared.length > 0) {
      found.push({ kind: 'host-overlap', detail: `Change #${other.id} "${other.title}" works on ${shared.join(', ')} at the same time (${when}).`, otherChangeId: other.id, externalUid: null });
    } else if (other.serviceId === change.serviceId) {
      found.push({ kind: 'service-overlap', detail: `Change #${other.id} "${other.title}" changes ${other.serviceName} ${other.stageName} at the same time (${when}).`, otherChangeId: other.id, externalUid: null });
    }
  }
  const freeze = frozenDuring(context.freezeWindows, mine.start, mine.end);
  if (freeze) {
    found.push({
      kind: 'freeze',
      detail: `${change.stageName} is frozen from ${formatInZone(freeze.start, change.window.timeZone)} to ${formatInZone(freeze.end, change.window.timeZone)}: ${freeze.reason}.`,
      otherChangeId: null,
      externalUid: null,
    });
  }
  for (const event of context.events) {
    if (!overlaps(mine, span(event))) continue;
    found.push({ kind: 'external-event', detail: `"${event.summary}" on the organisation's calendar (${describeWindow({ ...event, timeZone: change.window.timeZone })}).`, otherChangeId: null, externalUid: event.uid });
  }
  return found;
}
