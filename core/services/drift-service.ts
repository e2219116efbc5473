import { environmentAgainstImage, roleConsistency, stageParity, type DriftItem, type DriftOptions, type DriftReport, type StageParity } from '../domain/drift';
import { StagecraftError } from '../domain/errors';
import type { Snapshot } from '../domain/facts';
import type { ImageContent } from '../domain/image';
import type { EnvironmentView, ServiceSummary } from '../domain/inventory';
import { combineParity, parityRatio, summariseParity, type ParitySummary, type SeverityCounts } from '../domain/parity';
import type { NormaliserContext } from '../domain/placeholders';
import { defaultSeverityRules } from '../domain/severity';
import type { SnapshotRow } from '../store/snapshot-repository';
import type { WorkspaceStore } from '../store/workspace-store';

/**
 * Snapshots are immutable: a loaded one stays valid, so bounded caches spare re-reading blobs.
 * Drift and parity read snapshots without file contents (a file's text is read only when its hash
 * differs from the one it is compared with), and keep enough of them for a whole large workspace,
 * with their flattened facts, so a new snapshot recomputes only what it touches. Snapshots with
 * contents (for diffs, plans and captures) are asked for an environment at a time: fewer are kept.
 */
const LEAN_SNAPSHOT_CACHE_LIMIT = 6000;
const SNAPSHOT_CACHE_LIMIT = 1000;
/** Comparisons remembered: a whole workspace's (each service has a dozen or so). */
const RESULT_CACHE_LIMIT = 8000;
/** Parsed image contents (a few MB each with their flattened roles): those of the services at hand. */
const IMAGE_CACHE_LIMIT = 64;

/** A bounded map that forgets the least recently used entry first. */
class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): V {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}

export interface StageDrift {
  stageId: number;
  stageName: string;
  isProduction: boolean;
  hosts: number;
  /** Hosts with at least one snapshot: hosts never scanned are not compared. */
  snapshotted: number;
  /** Against production's plurality, role by role. */
  production: ParitySummary;
  /** Against the image assigned to the stage, when one is. */
  image: ParitySummary | null;
  /**
   * Production only: drift items against its image whose values are new — not what the image's
   * parent had either. Hosts still on the parent's values are lagging, not changed in production.
   */
  productionOnly: number;
}

export interface EdgeDrift {
  from: number;
  to: number;
  /** Drift items of the downstream stage when compared with the upstream one. */
  differences: number;
  parity: number;
}

export interface ServiceDrift {
  serviceId: number;
  /** Every preproduction stage against production, weighted by compared facts. */
  parity: ParitySummary;
  stages: StageDrift[];
  edges: EdgeDrift[];
}

export interface StageDriftDetail {
  stageId: number;
  production: StageParity;
  image: (DriftReport & { label: string }) | null;
  consistency: { role: string; report: DriftReport }[];
}

/** Hosts of one environment grouped by role, with the snapshot each is judged by. */
interface EnvironmentSnapshots {
  byRole: Record<string, Snapshot[]>;
  hosts: number;
  snapshotted: number;
}

/** Drift and parity of a workspace, computed from its stored snapshots and rules. */
export class DriftService {
  private readonly snapshots = new LruCache<number, Snapshot>(SNAPSHOT_CACHE_LIMIT);
  /** The same snapshots without file contents: what drift and parity compare. */
  private readonly leanSnapshots = new LruCache<number, Snapshot>(LEAN_SNAPSHOT_CACHE_LIMIT);
  private readonly hostNames = new WeakMap<Snapshot, string>();
  private readonly snapshotIds = new WeakMap<Snapshot, number>();
  /** Comparisons already made, keyed by the exact snapshots, image and rules they compared: all immutable. */
  private readonly results = new LruCache<string, DriftReport>(RESULT_CACHE_LIMIT);
  /** Stages' parity against production worked out together (see stagesAgainstProduction), keyed as `results`. */
  private readonly summaries = new LruCache<string, ParitySummary>(RESULT_CACHE_LIMIT);
  /** Image contents by content hash: immutable. */
  private readonly images = new LruCache<string, ImageContent>(IMAGE_CACHE_LIMIT);
  /**
   * How drift and parity normalise: host identities, as by default, and file contents read from the
   * store only when hashes differ. One object for the service's life, so flattened facts are reused.
   */
  private readonly normaliser: NormaliserContext;

  constructor(private readonly store: WorkspaceStore) {
    this.normaliser = { identity: true, loadContent: (file) => store.snapshots.fileContent(file) };
  }

  options(service: string): DriftOptions {
    return {
      service,
      ignore: this.store.drift.ignoreRules(),
      severityRules: this.store.drift.severityRules() ?? defaultSeverityRules,
      hostName: (snapshot) => this.hostNames.get(snapshot) ?? snapshot.host.hostname,
    };
  }

  /** Options for comparing snapshots of `leanEnvironment`. */
  private driftOptions(service: string): DriftOptions {
    return { ...this.options(service), normaliser: this.normaliser };
  }

  /** A snapshot with its file contents. */
  snapshot(snapshotId: number, hostName: string): Snapshot {
    return this.snapshots.get(snapshotId) ?? this.remember(this.snapshots, snapshotId, this.store.snapshots.load(snapshotId), hostName);
  }

  /** A snapshot without file contents (read through `normaliser` when compared). */
  private leanSnapshot(snapshotId: number, hostName: string): Snapshot {
    return this.leanSnapshots.get(snapshotId) ?? this.remember(this.leanSnapshots, snapshotId, this.store.snapshots.load(snapshotId, { withContent: false }), hostName);
  }

  private remember(cache: LruCache<number, Snapshot>, snapshotId: number, snapshot: Snapshot, hostName: string): Snapshot {
    this.hostNames.set(snapshot, hostName);
    this.snapshotIds.set(snapshot, snapshotId);
    return cache.set(snapshotId, snapshot);
  }

  /** The hosts of an environment by role, each with its latest snapshot (with file contents). */
  environmentSnapshots(environment: EnvironmentView, asOf?: string, latest = this.store.snapshots.latestByHost(asOf)): EnvironmentSnapshots {
    return this.grouped(environment, latest, (id, name) => this.snapshot(id, name));
  }

  /** As environmentSnapshots, without file contents: for comparisons under `normaliser`. */
  private leanEnvironment(environment: EnvironmentView, latest: ReadonlyMap<number, SnapshotRow>): EnvironmentSnapshots {
    return this.grouped(environment, latest, (id, name) => this.leanSnapshot(id, name));
  }

  private grouped(environment: EnvironmentView, latest: ReadonlyMap<number, SnapshotRow>, load: (snapshotId: number, hostName: string) => Snapshot): EnvironmentSnapshots {
    const byRole: Record<string, Snapshot[]> = {};
    let snapshotted = 0;
    for (const host of environment.hosts) {
      const row = latest.get(host.id);
      if (!row) continue;
      snapshotted++;
      const snapshot = load(row.id, host.name);
      for (const role of host.roles) (byRole[role] ??= []).push(snapshot);
    }
    return { byRole, hosts: environment.hosts.length, snapshotted };
  }

  /** Each host of an environment with the roles it plays and its latest snapshot (null when never scanned). */
  hostSnapshots(environment: EnvironmentView): { host: string; roles: string[]; snapshot: Snapshot | null; snapshotId: number | null }[] {
    const latest = this.store.snapshots.latestByHost();
    return environment.hosts.map((host) => {
      const row = latest.get(host.id);
      return { host: host.name, roles: host.roles, snapshot: row ? this.snapshot(row.id, host.name) : null, snapshotId: row?.id ?? null };
    });
  }

  private productionStage(service: ServiceSummary) {
    const production = service.stages.find((s) => s.isProduction);
    if (!production) throw new StagecraftError('conflict', `${service.name} has no production stage to compare with.`, 'Mark one stage of its lifecycle as production.');
    return production;
  }

  /** An image's content, parsed once per content: images are immutable. */
  private imageContent(imageId: number): ImageContent {
    const { contentHash } = this.store.images.get(imageId);
    return this.images.get(contentHash) ?? this.images.set(contentHash, this.store.images.content(imageId));
  }

  /** Which snapshots a comparison saw: equal keys mean equal inputs. */
  private inputKey(byRole: Record<string, Snapshot[]>): string {
    return Object.keys(byRole)
      .sort()
      .map((role) => `${role}=${byRole[role]!.map((s) => this.snapshotIds.get(s) ?? -1).join(',')}`)
      .join(';');
  }

  /** A comparison from the memo, or made now: only the stages a new snapshot touches are recomputed. */
  private remembered<R extends DriftReport>(key: string, compute: () => R): R {
    return (this.results.get(key) ?? this.results.set(key, compute())) as R;
  }

  serviceDrift(serviceId: number, asOf?: string): ServiceDrift {
    const service = this.store.inventory.getService(serviceId);
    const options = this.driftOptions(service.name);
    const rules = JSON.stringify([options.ignore, options.severityRules]);
    const parityKey = (left: EnvironmentSnapshots, right: EnvironmentSnapshots) => `parity|${this.inputKey(left.byRole)}|${this.inputKey(right.byRole)}|${rules}`;
    const parity = (left: EnvironmentSnapshots, right: EnvironmentSnapshots) => this.remembered(parityKey(left, right), () => stageParity(left.byRole, right.byRole, options));
    const production = this.productionStage(service);
    const views = service.stages.map((s) => this.store.inventory.environment(s.id));
    const latest = this.store.snapshots.latestByHost(asOf, views.flatMap((v) => v.hosts.map((h) => h.id)));
    const environments = new Map(views.map((view) => [view.stageId, this.leanEnvironment(view, latest)]));
    const prod = environments.get(production.id)!;
    // Each stage against production: remembered, or (when several stages need it) worked out together.
    const keys = new Map(service.stages.map((stage) => [stage.id, parityKey(prod, environments.get(stage.id)!)]));
    const known = (stageId: number): ParitySummary | undefined => {
      const key = keys.get(stageId)!;
      const report = this.results.get(key);
      return report ? summariseParity(report) : this.summaries.get(key);
    };
    const unknown = service.stages.filter((stage) => known(stage.id) === undefined);
    if (unknown.length > 1) {
      const together = this.stagesAgainstProduction(prod, unknown.map((stage) => ({ stageId: stage.id, env: environments.get(stage.id)! })), options);
      for (const [stageId, summary] of together ?? []) this.summaries.set(keys.get(stageId)!, summary);
    }
    const stages: StageDrift[] = service.stages.map((stage) => {
      const env = environments.get(stage.id)!;
      const imageId = stage.image?.id;
      const imageReport =
        imageId === undefined ? null : this.remembered(`image|${imageId}|${this.inputKey(env.byRole)}|${rules}`, () => environmentAgainstImage(this.imageContent(imageId), env.byRole, options));
      return {
        stageId: stage.id,
        stageName: stage.name,
        isProduction: stage.isProduction,
        hosts: env.hosts,
        snapshotted: env.snapshotted,
        production: known(stage.id) ?? summariseParity(parity(prod, env)),
        image: imageReport ? summariseParity(imageReport) : null,
        productionOnly: stage.isProduction && imageReport && imageId !== undefined ? this.newValues(imageReport.items, imageId, env, options, rules) : 0,
      };
    });
    const edges: EdgeDrift[] = service.edges.map((edge) => {
      const report = parity(environments.get(edge.from)!, environments.get(edge.to)!);
      return { from: edge.from, to: edge.to, differences: report.items.length, parity: report.parity };
    });
    const preproduction = stages.filter((s) => !s.isProduction).map((s) => s.production);
    return { serviceId, parity: combineParity(preproduction), stages, edges };
  }

  /**
   * Several stages against production in one stageParity call, so production's plurality (the costly
   * part of the comparison) is worked out once instead of once per stage. Every host is compared
   * exactly as a stage-by-stage call compares it (same reference, same rules), so each stage's
   * figures follow from the items: a difference is one host entry in one item, and every host of a
   * role is compared on the same reference facts plus its own extras. Null when a host is in two of
   * the stages, since its entries could not be told apart: the caller compares stage by stage then.
   */
  private stagesAgainstProduction(prod: EnvironmentSnapshots, stages: { stageId: number; env: EnvironmentSnapshots }[], options: DriftOptions): Map<number, ParitySummary> | null {
    const hostName = options.hostName!;
    const stageOf = new Map<string, number>();
    const combined: Record<string, Snapshot[]> = {};
    const hostCounts = new Map<number, Map<string, number>>();
    for (const { stageId, env } of stages) {
      const counts = new Map<string, number>();
      for (const role of Object.keys(env.byRole)) {
        const snapshots = env.byRole[role]!;
        for (const snapshot of snapshots) {
          const name = hostName(snapshot);
          if ((stageOf.get(name) ?? stageId) !== stageId) return null;
          stageOf.set(name, stageId);
        }
        (combined[role] ??= []).push(...snapshots);
        counts.set(role, snapshots.length);
      }
      hostCounts.set(stageId, counts);
    }
    const report = stageParity(prod.byRole, combined, options);

    interface Tally {
      differences: Map<string, number>;
      extras: Map<string, number>;
      severity: SeverityCounts;
    }
    const tallies = new Map(stages.map(({ stageId }) => [stageId, { differences: new Map(), extras: new Map(), severity: { high: 0, medium: 0, low: 0 } } as Tally]));
    const extrasOfRole = new Map<string, number>();
    const add = (counts: Map<string, number>, role: string) => counts.set(role, (counts.get(role) ?? 0) + 1);
    for (const item of report.items) {
      const role = item.role ?? '';
      const seen = new Set<number>();
      for (const host of item.hosts) {
        const stageId = stageOf.get(host);
        if (stageId === undefined) return null;
        const tally = tallies.get(stageId)!;
        add(tally.differences, role);
        if (item.kind === 'extra') {
          add(tally.extras, role);
          add(extrasOfRole, role);
        }
        if (!seen.has(stageId)) {
          seen.add(stageId);
          tally.severity[item.severity]++;
        }
      }
    }
    // Reference facts each host of a role was compared on: what the role compared, less its extras, per host.
    const perHost = new Map<string, number>();
    for (const role of report.roles) {
      const facts = (role.compared - (extrasOfRole.get(role.role) ?? 0)) / role.stageHosts;
      if (!Number.isInteger(facts)) return null;
      perHost.set(role.role, facts);
    }
    const summaries = new Map<number, ParitySummary>();
    for (const { stageId } of stages) {
      const tally = tallies.get(stageId)!;
      let compared = 0;
      let differences = 0;
      for (const [role, hosts] of hostCounts.get(stageId)!) {
        const facts = perHost.get(role);
        if (facts === undefined) continue; // a role production does not have: nothing compared
        compared += hosts * facts + (tally.extras.get(role) ?? 0);
        differences += tally.differences.get(role) ?? 0;
      }
      const matching = compared - differences;
      summaries.set(stageId, { compared, matching, parity: parityRatio(compared, matching), severity: tally.severity });
    }
    return summaries;
  }

  /** How many of `items` (drift against an image) show values the image's parent did not have either. */
  private newValues(items: readonly DriftItem[], imageId: number, env: EnvironmentSnapshots, options: DriftOptions, rules: string): number {
    const parentId = this.store.images.get(imageId).parentId;
    if (parentId === null) return items.length;
    const againstParent = this.remembered(`image|${parentId}|${this.inputKey(env.byRole)}|${rules}`, () => environmentAgainstImage(this.imageContent(parentId), env.byRole, options)).items;
    const differsFromParent = new Set(againstParent.flatMap((i) => i.hosts.map((h) => `${i.category}:${i.key}@${h}`)));
    return items.filter((i) => i.hosts.some((h) => differsFromParent.has(`${i.category}:${i.key}@${h}`))).length;
  }

  stageDetail(stageId: number): StageDriftDetail {
    const environment = this.store.inventory.environment(stageId);
    const service = this.store.inventory.getService(environment.serviceId);
    const options = this.driftOptions(service.name);
    const production = this.productionStage(service);
    const productionView = production.id === stageId ? environment : this.store.inventory.environment(production.id);
    const latest = this.store.snapshots.latestByHost(undefined, [...environment.hosts, ...(production.id === stageId ? [] : productionView.hosts)].map((h) => h.id));
    const env = this.leanEnvironment(environment, latest);
    const prod = production.id === stageId ? env : this.leanEnvironment(productionView, latest);
    const image = environment.image ? this.imageContent(environment.image.id) : null;
    return {
      stageId,
      production: stageParity(prod.byRole, env.byRole, options),
      image: image ? { ...environmentAgainstImage(image, env.byRole, options), label: image.label } : null,
      consistency: Object.entries(env.byRole)
        .filter(([, snapshots]) => snapshots.length > 1)
        .map(([role, snapshots]) => ({ role, report: roleConsistency(snapshots, { ...options, role }) })),
    };
  }

  /** Appends each stage's parity against production to its trend, as of `at`. */
  recordParity(serviceId: number, at: string): void {
    for (const stage of this.serviceDrift(serviceId, at).stages) this.store.drift.recordParity(stage.stageId, at, stage.production);
  }
}

const services = new WeakMap<WorkspaceStore, DriftService>();

/** One DriftService per open workspace, so its snapshot cache lives as long as the workspace. */
export function driftServiceFor(store: WorkspaceStore): DriftService {
  let service = services.get(store);
  if (!service) services.set(store, (service = new DriftService(store)));
  return service;
}
