/** Words and escapes every report format shares. */
import { formatInZone } from '../domain/freeze-windows';
import type { ApprovalView, CabChange, ChangeWindow, SummaryRow } from './cab-model';

/** Text for HTML (content and attributes): nothing a title can contain becomes markup. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A CSS string literal (quotes included) that cannot end the string or the style element. */
export const cssString = (text: string): string => `"${text.replace(/[\\"<>\n\r]/g, (c) => `\\${c.charCodeAt(0).toString(16).toUpperCase()} `)}"`;

/** An ISO instant as `2026-12-01 14:00 UTC`, or in another time zone as the people there read it. */
export function formatInstant(iso: string, timeZone = 'UTC'): string {
  const instant = Date.parse(iso);
  return Number.isNaN(instant) ? iso : formatInZone(instant, timeZone);
}

/** A change window in the time zone it was planned in, and in UTC when that differs. */
export function formatWindow(window: ChangeWindow): string {
  const local = `${formatInstant(window.start, window.timeZone)} → ${formatInstant(window.end, window.timeZone)}`;
  return window.timeZone === 'UTC' ? local : `${local} (${formatInstant(window.start)} → ${formatInstant(window.end)})`;
}

/** A window for a table cell: `2026-11-28 22:00–23:30 Europe/Berlin`, the end's date shown only when it differs. */
export function formatWindowShort(window: ChangeWindow): string {
  const local = (iso: string) => formatInstant(iso, window.timeZone).slice(0, -window.timeZone.length - 1);
  const start = local(window.start);
  const end = local(window.end);
  const endShown = end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end.slice(0, 4) === start.slice(0, 4) ? end.slice(5) : end;
  return `${start}–${endShown} ${window.timeZone}`;
}

/** When a summary row happens: its window, else the earliest it may, else that it is not scheduled. */
export const whenWords = (row: Pick<SummaryRow, 'window' | 'earliestAt'>): string =>
  row.window ? formatWindowShort(row.window) : row.earliestAt ? `unscheduled, earliest ${formatInstant(row.earliestAt)}` : 'unscheduled';

export const approvalsWords = (approvals: SummaryRow['approvals']): string => (approvals ? `${approvals.given} of ${approvals.required}` : 'not recorded');

export const NOT_RECORDED = 'not recorded';
export const orNotRecorded = (value: string | null | undefined): string => (value === null || value === undefined || value.trim() === '' ? NOT_RECORDED : value);

/** A plural noun with its count: `1 host`, `3 hosts`. */
export const count = (n: number, noun: string, plural = `${noun}s`): string => `${n} ${n === 1 ? noun : plural}`;

/** Who decided, in words: the name now, and the name signed when it differs. */
export const approverWords = (d: Pick<ApprovalView, 'approver' | 'signedAs'>): string => (d.signedAs ? `${d.approver} (signed as ${d.signedAs})` : d.approver);

/** A decision in words: `approve (counts)`, `approve (set aside by an edit on …)`, `reject`. */
export const decisionWords = (d: Pick<ApprovalView, 'decision' | 'counted' | 'droppedAt'>): string =>
  d.droppedAt !== null ? `${d.decision} (set aside by an edit on ${formatInstant(d.droppedAt)})` : d.decision === 'approve' ? `approve${d.counted ? ' (counts)' : ' (does not count)'}` : d.decision;

/** Whether a plan still matches its target, in words. */
export const staleWords = (change: { stale: boolean | null; staleReason: string | null }): string =>
  change.stale === null ? NOT_RECORDED : change.stale ? `STALE: ${change.staleReason ?? 'the target changed since planning'}; re-plan before approval` : 'yes';

/** Who must approve: the stage policy's count and roles, and the people named on the change. */
export function requiredApproversWords(change: Pick<CabChange, 'requiredApprovers' | 'approvals'>): string {
  const policy = change.approvals ? `${count(change.approvals.required, 'approval')} from ${change.approvals.roles.join(' or ') || 'any approver'}` : null;
  const named = change.requiredApprovers.length ? `also named: ${change.requiredApprovers.join(', ')}` : null;
  return [policy, named].filter(Boolean).join('; ') || NOT_RECORDED;
}
