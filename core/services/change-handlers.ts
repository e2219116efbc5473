/** The change-control part of the contract: changes, people, the calendar and its iCalendar files. */
import type { CallOutput } from '../contract/index';
import type { Handlers } from '../contract/dispatch';
import { windowOf } from '../domain/change-conflicts';
import { describeWindow, OPEN_STATES } from '../domain/change-workflow';
import { StagecraftError } from '../domain/errors';
import { occurrences } from '../domain/freeze-windows';
import { parseCalendar, serializeCalendar, type IcsEvent } from '../domain/icalendar';
import type { PersonRecord } from '../store/change-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { leaseCalendarEntries } from './assets';
import { addPerson, allowedActions, changeConflicts, changeDetail, changeSummary, personNamed, replanChange, Schedule, transitionChange, updateChange, updatePerson, type ChangeDetail, type ChangeSummary, type StoredPlan } from './change-control';
import type { ServiceContext } from './context';
import { CurrentPeople, currentPerson, keyRingOf } from './current-person';
import { proposePromotion, summariseChange } from './promotion-handlers';
import type { Session } from './session';
import { keyFingerprint, type KeyRing } from './signing';

type ChangeHandlers = Pick<
  Handlers,
  | 'changes.list'
  | 'changes.get'
  | 'changes.update'
  | 'changes.replan'
  | 'changes.transition'
  | 'changes.conflicts'
  | 'people.list'
  | 'people.add'
  | 'people.update'
  | 'people.current'
  | 'people.setCurrent'
  | 'calendar.events'
  | 'calendar.exportIcs'
  | 'calendar.importIcs'
  | 'calendar.removeExternal'
>;

export const personView = (person: PersonRecord, keys: KeyRing) => ({
  id: person.id,
  name: person.name,
  roles: person.roles,
  keyFingerprint: person.publicKeyPem ? keyFingerprint(person.publicKeyPem) : null,
  publicKeyPem: person.publicKeyPem,
  canSignHere: person.publicKeyPem !== null && keys.has(person.publicKeyPem),
  createdAt: person.createdAt,
});

type ListItem = CallOutput<'changes.list'>[number];

function listItem(detail: ChangeSummary): ListItem {
  const { row, details } = detail;
  return {
    ...summariseChange(row),
    state: row.state,
    risk: { ...row.risk, level: detail.risk.level },
    service: detail.service,
    targetStage: detail.targetStage,
    category: details.category,
    window: details.window,
    windowText: details.window && describeWindow(details.window),
    requester: detail.requester && { id: detail.requester.id, name: detail.requester.name },
    riskLevel: detail.risk.level,
    approvals: { given: detail.approvals.given, required: detail.approvals.required },
    stale: detail.stale,
    conflicts: detail.conflicts.length,
  };
}

function detailView(store: WorkspaceStore, detail: ChangeDetail, actor: PersonRecord | null): CallOutput<'changes.get'> {
  const { row, details } = detail;
  return {
    ...listItem(detail),
    targetIsProduction: detail.targetIsProduction,
    image: detail.image,
    requiredApprovers: detail.requiredApprovers.map((p) => ({ id: p.id, name: p.name })),
    risk: { ...row.risk, level: detail.risk.level, computedLevel: row.risk.level, override: detail.risk.override },
    approvalRule: detail.approvals,
    conflictList: detail.conflicts,
    description: details.description,
    justification: details.justification,
    impact: details.impact,
    implementationPlan: details.implementationPlan,
    backoutPlan: details.backoutPlan,
    testPlan: details.testPlan,
    acknowledgedDrift: detail.plan.acknowledgedDrift,
    targetParity: detail.plan.targetParity,
    plan: detail.plan.plan,
    decisions: detail.decisions.map((d) => ({
      id: d.id,
      personId: d.personId,
      approver: d.approver,
      signedAs: d.signedAs,
      decision: d.decision,
      at: d.at,
      comment: d.comment,
      counted: d.counted,
      droppedAt: d.droppedAt,
      signatureStatus: d.signatureStatus,
      keyFingerprint: d.keyFingerprint,
      payload: d.payloadJson,
      signature: d.signature,
    })),
    history: detail.history.map((h) => ({ at: h.at, actor: h.actor, action: h.action, fromState: h.fromState, toState: h.toState, detail: h.detail })),
    actions: actor ? allowedActions(store, detail, actor.id) : [],
  };
}

const overlaps = (window: { start: string; end: string } | null, from?: string, to?: string) =>
  window !== null && (from === undefined || Date.parse(window.end) > Date.parse(from)) && (to === undefined || Date.parse(window.start) < Date.parse(to));

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workspace';

export function changeHandlers(ctx: ServiceContext, session: Session): ChangeHandlers {
  const people = new CurrentPeople(ctx.dataDir);
  const keys = () => keyRingOf(ctx);
  const changed = () => ctx.emit('workspace.changed', { reason: 'updated' });
  const current = (store: WorkspaceStore) => currentPerson(ctx, store, people);
  const acting = (store: WorkspaceStore): PersonRecord => {
    const person = current(store);
    if (!person) throw new StagecraftError('refused', 'Nobody is chosen as the current person of this workspace.', `Choose who you are (people: ${store.changes.people().map((p) => p.name).join(', ')}).`);
    return person;
  };
  const view = (store: WorkspaceStore, changeId: number) => detailView(store, changeDetail(store, changeId), current(store));
  const icsUidDomain = (store: WorkspaceStore) => `${slug(store.summary().name)}.stagecraft`;

  /** Changes with windows, freeze occurrences and external events in [from, to). */
  function calendar(store: WorkspaceStore, from: string, to: string, includeFreezes = true) {
    const schedule = new Schedule(store);
    const changes = schedule.changes.filter((c) => overlaps(c.window, from, to) && c.state !== 'cancelled');
    const freezes = includeFreezes
      ? store.inventory.listServices().flatMap((service) =>
          service.stages.flatMap((stage) =>
            schedule.policy(stage).freezeWindows.flatMap((w) =>
              occurrences(w, Date.parse(from), Date.parse(to)).map((o) => ({ service: service.name, stage, timeZone: w.timeZone, start: new Date(o.start).toISOString(), end: new Date(o.end).toISOString(), reason: o.reason })),
            ),
          ),
        )
      : [];
    return { schedule, changes, freezes, external: store.changes.externalEvents(from, to) };
  }

  return {
    'changes.list': ({ serviceId, state, stageId, from, to }) => {
      const store = session.require();
      return store.read(() => {
        const schedule = new Schedule(store);
        return schedule.rows
          .filter((row) => (serviceId === undefined || row.serviceId === serviceId) && (state === undefined || row.state === state) && (stageId === undefined || row.toStageId === stageId))
          .filter((row) => (from === undefined && to === undefined) || overlaps(schedule.change(row.id).window, from, to))
          .map((row) => listItem(changeSummary(store, row, schedule)));
      });
    },
    'changes.get': ({ changeId }) => view(session.require(), changeId),
    'changes.update': ({ changeId, edit }) => {
      const store = session.require();
      const { window, ...fields } = edit;
      const outcome = updateChange(store, { changeId, actorId: acting(store).id, edit: { ...fields, ...(window !== undefined && { window: window && windowOf(window.start, window.end, window.timeZone) }) } });
      changed();
      return { ...outcome, change: view(store, changeId) };
    },
    'changes.replan': ({ changeId }) => {
      const store = session.require();
      const outcome = replanChange(store, { changeId, actorId: acting(store).id }, (row, now) => {
        if (row.fromStageId === null) throw new StagecraftError('refused', `The stage change ${row.id} promoted from no longer exists, so it cannot be planned again.`, 'Cancel it and drag the image again.');
        const proposal = proposePromotion(store, { serviceId: row.serviceId, imageId: row.imageId, fromStageId: row.fromStageId, toStageId: row.toStageId, acknowledgeDrift: store.promotion.plan<StoredPlan>(row.id).acknowledgedDrift }, now);
        if (proposal.verdict.refusedOutright) throw new StagecraftError('refused', proposal.verdict.rules.find((r) => r.status === 'failed')?.reason ?? 'The lifecycle no longer allows this promotion.');
        return proposal;
      });
      changed();
      return { ...outcome, change: view(store, changeId) };
    },
    'changes.transition': ({ changeId, action, reason, window }) => {
      const store = session.require();
      const outcome = transitionChange(store, { changeId, action, actorId: acting(store).id, ...(reason !== undefined && { reason }), ...(window && { window: windowOf(window.start, window.end, window.timeZone) }) }, { keys: keys() });
      changed();
      return { changeId, action, from: outcome.from, to: outcome.to, approvals: outcome.approvals, change: view(store, changeId) };
    },
    'changes.conflicts': ({ changeId, window }) => {
      const store = session.require();
      return changeConflicts(store, changeId, new Schedule(store), window && windowOf(window.start, window.end, window.timeZone));
    },
    'people.list': () => {
      const store = session.require();
      current(store); // first use makes the first person
      return store.changes.people().map((p) => personView(p, keys()));
    },
    'people.add': ({ name, roles }) => {
      const store = session.require();
      const added = addPerson(store, current(store), { name, roles }, keys());
      changed();
      return personView(added, keys());
    },
    'people.update': ({ personId, name, roles, newKey }) => {
      const store = session.require();
      const updated = updatePerson(store, current(store), personId, { ...(name !== undefined && { name }), ...(roles && { roles }), ...(newKey && { newKey }) }, keys());
      changed();
      return personView(updated, keys());
    },
    'people.current': () => {
      const store = session.require();
      const person = current(store);
      return { person: person && personView(person, keys()), people: store.changes.people().map((p) => personView(p, keys())) };
    },
    'people.setCurrent': ({ personId }) => {
      const store = session.require();
      let person = personNamed(store, personId);
      // Someone new to signing gets a key made on this computer when they first act here.
      if (!person.publicKeyPem) person = updatePerson(store, person, person.id, { newKey: true }, keys());
      people.remember(store, person.id);
      changed();
      return personView(person, keys());
    },
    'calendar.events': ({ from, to }) => {
      const store = session.require();
      const { schedule, changes, freezes, external } = calendar(store, from, to);
      return [
        ...changes.map((c) => ({
          kind: 'change' as const,
          key: `change-${c.id}`,
          title: `#${c.id} ${c.title}`,
          start: c.window!.start,
          end: c.window!.end,
          timeZone: c.window!.timeZone,
          changeId: c.id,
          state: c.state,
          service: c.serviceName,
          stage: c.stageName,
          conflicts: OPEN_STATES.includes(c.state) ? changeConflicts(store, c.id, schedule).length : 0,
        })),
        ...freezes.map((f) => ({ kind: 'freeze' as const, key: `freeze-${f.stage.id}-${f.start}`, title: `Freeze ${f.service} ${f.stage.name}: ${f.reason}`, start: f.start, end: f.end, timeZone: f.timeZone, changeId: null, state: null, service: f.service, stage: f.stage.name, conflicts: 0 })),
        ...external.map((e) => ({ kind: 'external' as const, key: e.uid, title: e.summary, start: e.startsAt, end: e.endsAt, timeZone: null, changeId: null, state: null, service: null, stage: null, conflicts: 0 })),
        ...leaseCalendarEntries(store, from, to).map(({ entry }) => entry),
      ].sort((a, b) => a.start.localeCompare(b.start) || a.key.localeCompare(b.key));
    },
    'calendar.exportIcs': ({ from, to, includeFreezes, includeLeases }) => {
      const store = session.require();
      const { changes, freezes } = calendar(store, from, to, includeFreezes);
      const domain = icsUidDomain(store);
      const events: IcsEvent[] = [
        ...changes.map((c) => ({
          uid: `change-${c.id}@${domain}`,
          summary: `#${c.id} ${c.title} (${c.state})`,
          start: c.window!.start,
          end: c.window!.end,
          allDay: false,
          description: `${c.serviceName} ${c.stageName}; hosts: ${c.hosts.join(', ') || 'none'}.`,
          location: `${c.serviceName} ${c.stageName}`,
          timeZone: c.window!.timeZone,
          categories: ['CHANGE', c.state.toUpperCase()],
          status: c.state === 'scheduled' || c.state === 'approved' ? ('CONFIRMED' as const) : ('TENTATIVE' as const),
        })),
        ...freezes.map((f) => ({
          uid: `freeze-${f.stage.id}-${f.start.replace(/[-:.]/g, '')}@${domain}`,
          summary: `Freeze ${f.service} ${f.stage.name}: ${f.reason}`,
          start: f.start,
          end: f.end,
          allDay: false,
          description: `Changes to ${f.service} ${f.stage.name} are refused during this freeze.`,
          location: `${f.service} ${f.stage.name}`,
          timeZone: f.timeZone,
          categories: ['FREEZE'],
          status: 'CONFIRMED' as const,
        })),
        // One event per stage's lease (same UID when it is extended, so a subscribed calendar moves it).
        ...(includeLeases ? leaseCalendarEntries(store, from, to) : []).map(({ lease, entry }) => ({
          uid: `${entry.key}@${domain}`,
          summary: entry.title,
          start: entry.start,
          end: entry.end,
          allDay: true,
          description: `The last day ${lease.owner} holds ${lease.serviceName} ${lease.stageName} (${lease.timeZone}); its assets may be reclaimed after it.${lease.reason ? `\nReason: ${lease.reason}` : ''}`,
          location: `${lease.serviceName} ${lease.stageName}`,
          timeZone: lease.timeZone,
          categories: ['LEASE'],
          status: 'CONFIRMED' as const,
        })),
      ];
      const text = serializeCalendar(events, { now: new Date().toISOString(), name: `${store.summary().name}: changes` });
      return { fileName: `${slug(store.summary().name)}-changes-${from.slice(0, 10)}-${to.slice(0, 10)}.ics`, text, events: events.length };
    },
    'calendar.removeExternal': (which) => {
      const store = session.require();
      const removed = store.write({ actor: ctx.actor(), action: 'calendar.remove', subject: 'source' in which ? `calendar ${which.source}` : `calendar events ${which.uids.join(', ')}`, after: (n) => ({ removed: n }) }, () =>
        store.changes.removeExternalEvents(which),
      );
      if (removed === 0) throw new StagecraftError('not-found', 'No imported event matches.', 'See calendar.events for the imported events and their UIDs.');
      changed();
      return { removed };
    },
    'calendar.importIcs': ({ text, source, apply, timeZone }) => {
      const store = session.require();
      const parsed = parseCalendar(text, timeZone);
      const own = `@${icsUidDomain(store)}`;
      // Our own exported changes, freezes and lease ends are not the organisation's events: they would conflict with themselves, and leases would show twice.
      const foreign = parsed.events.filter((e) => !e.uid.endsWith(own));
      const known = new Set(store.changes.externalEvents().map((e) => e.uid));
      const events = foreign.map((e) => ({ uid: e.uid, summary: e.summary, start: e.start, end: e.end, allDay: e.allDay, isNew: !known.has(e.uid) }));
      const added = events.filter((e) => e.isNew).length;
      if (apply && foreign.length > 0) {
        const importedAt = new Date().toISOString();
        store.write({ actor: ctx.actor(), action: 'calendar.import', subject: `calendar ${source}`, after: () => ({ events: foreign.length, added }) }, () => {
          for (const e of foreign) store.changes.upsertExternalEvent({ uid: e.uid, summary: e.summary, startsAt: e.start, endsAt: e.end, allDay: e.allDay, location: e.location, description: e.description, source, importedAt });
        });
        changed();
      }
      const skipped = parsed.events.length - foreign.length;
      return { events, added, updated: events.length - added, skipped, warnings: [...parsed.warnings, ...(skipped > 0 ? [`${skipped} event${skipped === 1 ? ' is' : 's are'} this workspace's own export and ${skipped === 1 ? 'was' : 'were'} left out.`] : [])], applied: apply && foreign.length > 0 };
    },
  };
}
