/**
 * Change control in the demo workspace: named people with different roles and keys, a freeze on
 * a production stage, and changes in several states (closed, scheduled, submitted with a partial
 * approval, rejected, draft) with signed decisions, so the change views, calendar and CAB reports
 * have real content. Every change goes through the real workflow service.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallClock, zonedInstant } from '../domain/freeze-windows';
import type { StagePolicy } from '../domain/release-policy';
import type { PersonRecord } from '../store/change-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { addPerson, stagePolicy, transitionChange, updateChange } from './change-control';
import { saveDraft } from './promotion-handlers';
import { KeyRing } from './signing';

const DAY = 86_400_000;
const ZONE = 'Europe/Berlin';

export const DEMO_PEOPLE = [
  { name: 'Rosa Alvarez', roles: ['release-manager', 'requester'] },
  { name: 'Priya Shah', roles: ['requester'] },
  { name: 'Tom Becker', roles: ['approver'] },
  { name: 'Mei Lin', roles: ['cab', 'approver'] },
  { name: 'Jonas Weber', roles: ['cab'] },
] as const;

/** A window on a day relative to `now`, in Berlin wall-clock hours (as a team there would plan it). */
function window(now: number, dayOffset: number, startHour: number, hours: number) {
  const day = wallClock(now + dayOffset * DAY, ZONE);
  const start = zonedInstant(day.year, day.month, day.day, startHour, 0, ZONE);
  return { start: new Date(start).toISOString(), end: new Date(start + hours * 3_600_000).toISOString(), timeZone: ZONE };
}

/**
 * Adds the demo's people and changes. With `keys`, their private keys are kept there (the app's
 * key folder) so the user can act as any of them; without, they are made in a temporary folder
 * and thrown away after signing: the signatures still verify with the public keys. Demo keys are
 * derived from the people's names: they protect nothing and are the same on every rebuild.
 */
export function addDemoChangeControl(store: WorkspaceStore, now: number, keys?: KeyRing): void {
  const scratch = keys ? null : mkdtempSync(join(tmpdir(), 'stagecraft-demo-keys-'));
  const ring = keys ?? new KeyRing(scratch!);
  try {
    const people: Record<string, PersonRecord> = {};
    let manager: PersonRecord | null = null;
    for (const person of DEMO_PEOPLE) {
      // The same keys on every rebuild: the demo's key files are replaced, not piled up.
      people[person.name] = addPerson(store, manager, { ...person, keySeed: createHash('sha256').update(`stagecraft demo person ${person.name}`).digest() }, ring);
      manager ??= people[person.name]!;
    }
    const at = (offsetDays: number) => new Date(now + offsetDays * DAY).toISOString();
    const move = (changeId: number, action: Parameters<typeof transitionChange>[1]['action'], who: string, when: string, extra: { reason?: string; window?: ReturnType<typeof window> } = {}) =>
      transitionChange(store, { changeId, action, actorId: people[who]!.id, now: when, ...extra }, { keys: ring });

    const services = store.inventory.listServices();
    const storefront = services.find((s) => s.name === 'storefront-web')!;
    const reporting = services.find((s) => s.name === 'reporting-db')!;
    const identity = services.find((s) => s.name === 'identity')!;
    const stage = (service: typeof storefront, name: string) => service.stages.find((s) => s.name === name)!;
    const draft = (service: typeof storefront, from: string, to: string, title: string, requester: string, when: string) =>
      saveDraft(store, requester, { title, serviceId: service.id, imageId: stage(service, from).image!.id, fromStageId: stage(service, from).id, toStageId: stage(service, to).id, acknowledgeDrift: true }, when).id;

    // Weekends are frozen in storefront production.
    const production = stage(storefront, 'production');
    const policy: StagePolicy = {
      ...stagePolicy(store, production),
      freezeWindows: [{ kind: 'weekly', days: ['fri'], startTime: '18:00', durationMinutes: 60 * 60, timeZone: ZONE, reason: 'weekend trading freeze' }],
    };
    store.write({ actor: 'Rosa Alvarez', action: 'policy.set', subject: `stage ${production.id}`, after: () => policy }, () => store.promotion.setPolicy(production.id, policy));

    // Closed: identity re-applied its image to testing last week.
    const closed = draft(identity, 'integration', 'testing', 'Re-apply identity v1 to testing', 'Priya Shah', at(-9));
    updateChange(store, { changeId: closed, actorId: people['Priya Shah']!.id, edit: { category: 'standard', justification: 'Testing drifted from its image after manual debugging.' }, now: at(-9) });
    move(closed, 'submit', 'Priya Shah', at(-9));
    move(closed, 'approve', 'Tom Becker', at(-8), { reason: 'Standard re-apply.' });
    const past = window(now, -7, 21, 2);
    move(closed, 'schedule', 'Rosa Alvarez', at(-8), { window: past });
    move(closed, 'implement', 'Rosa Alvarez', new Date(Date.parse(past.start) + 20 * 60_000).toISOString());
    move(closed, 'close', 'Priya Shah', at(-6));

    // Scheduled: storefront v2 to testing, in two days.
    const scheduled = draft(storefront, 'integration', 'testing', 'Promote storefront-web v2 to testing', 'Priya Shah', at(-2));
    updateChange(store, { changeId: scheduled, actorId: people['Priya Shah']!.id, edit: { justification: 'New checkout flow for the spring campaign.', impact: 'Testing is unavailable for up to 30 minutes.' }, now: at(-2) });
    move(scheduled, 'submit', 'Priya Shah', at(-2));
    move(scheduled, 'approve', 'Tom Becker', at(-1), { reason: 'Plan and backout are clear.' });
    move(scheduled, 'schedule', 'Rosa Alvarez', at(-1), { window: window(now, 2, 22, 2) });

    // Submitted, conflicting: a second change of the same target planned in an overlapping window.
    const overlapping = draft(storefront, 'integration', 'testing', 'Storefront testing: cache tuning', 'Rosa Alvarez', at(-1));
    updateChange(store, { changeId: overlapping, actorId: people['Rosa Alvarez']!.id, edit: { window: window(now, 2, 23, 1), justification: 'Cache hit rate below 80 % in testing.' }, now: at(-1) });
    move(overlapping, 'submit', 'Rosa Alvarez', at(-1));

    // Submitted to production with one of its two CAB approvals.
    const toProduction = draft(reporting, 'uat', 'production', 'Reporting database: v1 baseline to production', 'Priya Shah', at(-1));
    updateChange(store, {
      changeId: toProduction,
      actorId: people['Priya Shah']!.id,
      edit: { window: window(now, 5, 20, 3), impact: 'Reports are read-only during the window.', riskOverride: { level: 'high', reason: 'Month-end reporting runs the next morning.' } },
      now: at(-1),
    });
    move(toProduction, 'submit', 'Priya Shah', at(-1));
    move(toProduction, 'approve', 'Jonas Weber', at(0), { reason: 'Agreed at CAB.' });

    // Rejected, with its reason.
    const rejected = draft(storefront, 'integration', 'testing', 'Storefront v2 straight after the campaign launch', 'Priya Shah', at(-4));
    move(rejected, 'submit', 'Priya Shah', at(-4));
    move(rejected, 'reject', 'Mei Lin', at(-3), { reason: 'Too close to the campaign launch: plan it for the week after.' });

    // A draft still being written.
    draft(identity, 'testing', 'staging', 'Identity v1 to staging', 'Priya Shah', at(0));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}
