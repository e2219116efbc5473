import type { Handlers } from '../contract/dispatch';
import { StagecraftError } from '../domain/errors';
import type { Snapshot } from '../domain/facts';
import { suggestIgnoreRules } from '../domain/ignore';
import { imageRoleFacts } from '../domain/image';
import { factsOf, fileKey, type FactSet } from '../domain/normalise';
import { referenceOf } from '../domain/reference';
import { defaultSeverityRules } from '../domain/severity';
import { textDiff } from '../domain/textdiff';
import { defaultWatchGlobs } from '../domain/watch';
import type { WorkspaceStore } from '../store/workspace-store';
import type { ServiceContext } from './context';
import { driftServiceFor } from './drift-service';
import type { Session } from './session';
import { readSnapshotFile } from './snapshot-io';

type DriftHandlers = Pick<
  Handlers,
  | 'drift.service'
  | 'drift.overview'
  | 'drift.stage'
  | 'drift.fileDiff'
  | 'drift.trend'
  | 'ignore.list'
  | 'ignore.add'
  | 'ignore.remove'
  | 'ignore.suggest'
  | 'severity.get'
  | 'severity.set'
  | 'snapshot.import'
  | 'snapshot.export'
  | 'roles.watch'
  | 'roles.setWatch'
>;

/** What each role of a service watches: its own list, or the defaults its name suggests. */
export function watchLists(store: WorkspaceStore, serviceId: number) {
  return store.drift.watchGlobs(serviceId).map(({ role, globs }) => (globs.length > 0 ? { role, globs, isDefault: false } : { role, globs: defaultWatchGlobs(role), isDefault: true }));
}

export function driftHandlers(ctx: ServiceContext, session: Session): DriftHandlers {
  const drift = () => driftServiceFor(session.require());
  const changed = () => ctx.emit('workspace.changed', { reason: 'updated' });

  return {
    'drift.service': ({ serviceId }) => drift().serviceDrift(serviceId),
    'drift.overview': () => session.require().inventory.listServices().map((s) => drift().serviceDrift(s.id)),
    'drift.stage': ({ stageId }) => drift().stageDetail(stageId),
    'drift.fileDiff': ({ stageId, path, host, against }) => {
      const store = session.require();
      const environment = store.inventory.environment(stageId);
      const member = environment.hosts.find((h) => h.name === host);
      if (!member) throw new StagecraftError('not-found', `${host} is not a host of ${environment.serviceName} in ${environment.stageName}.`);
      const role = member.roles[0]!;
      const service = drift();
      const own = service.environmentSnapshots({ ...environment, hosts: [member] }).byRole[role]?.[0];
      if (!own) throw new StagecraftError('not-found', `${host} has no snapshot yet.`, 'Scan the host or import a snapshot first.');
      const key = fileKey(path);
      let expected: FactSet | undefined;
      let expectedLabel: string;
      if (against === 'image') {
        if (!environment.image) throw new StagecraftError('conflict', `${environment.stageName} has no image assigned.`);
        const image = store.images.content(environment.image.id);
        expected = imageRoleFacts(image, role);
        expectedLabel = `image ${image.label} (${role})`;
      } else {
        const production = store.inventory.getService(environment.serviceId).stages.find((s) => s.isProduction)!;
        const prodHosts = service.environmentSnapshots(store.inventory.environment(production.id)).byRole[role] ?? [];
        expected = referenceOf(prodHosts.map((s: Snapshot) => factsOf(s)), 'plurality').holders.get(key);
        expectedLabel = `production (${role}, most hosts)`;
      }
      const expectedText = expected?.content(key) ?? null;
      const actualText = factsOf(own).content(key) ?? null;
      const present = (set: FactSet | undefined) => set?.values.has(key) ?? false;
      const note =
        !present(expected) ? 'The file is not expected: it exists only on this host.'
        : !factsOf(own).values.has(key) ? 'The file is missing on this host.'
        : expectedText === null || actualText === null ? 'Binary or too large to show: compared by hash only.'
        : undefined;
      return {
        path,
        expectedLabel,
        actualLabel: host,
        expected: expectedText,
        actual: actualText,
        diff: expectedText !== null || actualText !== null ? textDiff(expectedText ?? '', actualText ?? '') : null,
        ...(note ? { note } : {}),
      };
    },
    'drift.trend': ({ stageId }) => session.require().drift.parityTrend(stageId),
    'ignore.list': () => session.require().drift.ignoreRules(),
    'ignore.add': (rule) => {
      const store = session.require();
      const added = store.write({ actor: ctx.actor(), action: 'ignore.add', subject: rule.key, after: (r) => r }, () => store.drift.addIgnoreRule(rule, ctx.actor()));
      changed();
      return added;
    },
    'ignore.remove': ({ id }) => {
      const store = session.require();
      const removed = store.write({ actor: ctx.actor(), action: 'ignore.remove', subject: String(id), after: (r) => r }, () => store.drift.removeIgnoreRule(id));
      changed();
      return removed;
    },
    'ignore.suggest': ({ stageId }) => {
      const store = session.require();
      const environment = store.inventory.environment(stageId);
      const { byRole } = drift().environmentSnapshots(environment);
      const existing = store.drift.ignoreRules();
      return Object.entries(byRole).flatMap(([role, snapshots]) =>
        suggestIgnoreRules(snapshots, { scope: { service: environment.serviceName, role }, existing }).map((rule) => ({ ...rule, hosts: snapshots.length })),
      );
    },
    'severity.get': () => {
      const rules = session.require().drift.severityRules();
      return { rules: [...(rules ?? defaultSeverityRules)], isDefault: rules === null };
    },
    'severity.set': ({ rules }) => {
      const store = session.require();
      store.write({ actor: ctx.actor(), action: 'severity.set', subject: 'severity rules', after: () => rules }, () => store.drift.setSeverityRules(rules));
      changed();
      return { rules: [...(rules ?? defaultSeverityRules)], isDefault: rules === null };
    },
    'snapshot.import': ({ hostId, path }) => {
      const store = session.require();
      const snapshot = readSnapshotFile(path); // checked whole before anything is written
      const row = store.write({ actor: ctx.actor(), action: 'snapshot.import', subject: `host ${hostId}`, after: (r) => ({ snapshotId: r.id, path }) }, () => store.snapshots.save(hostId, snapshot));
      changed();
      return { snapshotId: row.id, capturedAt: row.capturedAt, warnings: snapshot.warnings };
    },
    'roles.watch': ({ serviceId }) => watchLists(session.require(), serviceId),
    'roles.setWatch': ({ serviceId, role, globs }) => {
      const store = session.require();
      store.write({ actor: ctx.actor(), action: 'roles.setWatch', subject: `${role} of service ${serviceId}`, after: () => globs }, () => store.drift.setWatchGlobs(serviceId, role, globs));
      changed();
      return watchLists(store, serviceId).find((w) => w.role === role)!;
    },
    'snapshot.export': ({ hostId }) => {
      const store = session.require();
      const row = store.snapshots.history(hostId)[0];
      if (!row) throw new StagecraftError('not-found', `Host ${hostId} has no snapshot to export.`);
      return store.snapshots.load(row.id);
    },
  };
}
