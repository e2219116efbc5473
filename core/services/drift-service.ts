import { environmentAgainstImage, roleConsistency, stageParity, type DriftItem, type DriftOptions, type DriftReport, type StageParity } from '../domain/drift';
import { StagecraftError } from '../domain/errors';
import type { Snapshot } from '../domain/facts';
import type { ImageContent } from '../domain/image';
import type { EnvironmentView, ServiceSummary } from '../domain/inventory';
import { combineParity, summariseParity, type ParitySummary } from '../domain/parity';
import { defaultSeverityRules } from '../domain/severity';
import type { WorkspaceStore } from '../store/workspace-store';

/** Snapshots are immutable: a loaded one stays valid, so a bounded cache spares re-reading blobs. */
const SNAPSHOT_CACHE_LIMIT = 4000;

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
  private readonly snapshots = new Map<number, Snapshot>();
  private readonly hostNames = new WeakMap<Snapshot, string>();
  private readonly snapshotIds = new WeakMap<Snapshot, number>();
  /** Comparisons already made, keyed by the exact snapshots, image and rules they compared: all immutable. */
  private readonly results = new Map<string, DriftReport>();

  constructor(private readonly store: WorkspaceStore) {}

  options(service: string): DriftOptions {
    return {
      service,
      ignore: this.store.drift.ignoreRules(),
      severityRules: this.store.drift.severityRules() ?? defaultSeverityRules,
      hostName: (snapshot) => this.hostNames.get(snapshot) ?? snapshot.host.hostname,
    };
  }

  snapshot(snapshotId: number, hostName: string): Snapshot {
    let snapshot = this.snapshots.get(snapshotId);
    if (!snapshot) {
      if (this.snapshots.size >= SNAPSHOT_CACHE_LIMIT) this.snapshots.delete(this.snapshots.keys().next().value!);
      snapshot = this.store.snapshots.load(snapshotId);
      this.snapshots.set(snapshotId, snapshot);
      this.hostNames.set(snapshot, hostName);
      this.snapshotIds.set(snapshot, snapshotId);
    }
    return snapshot;
  }

  environmentSnapshots(environment: EnvironmentView, asOf?: string, latest = this.store.snapshots.latestByHost(asOf)): EnvironmentSnapshots {
    const byRole: Record<string, Snapshot[]> = {};
    let snapshotted = 0;
    for (const host of environment.hosts) {
      const row = latest.get(host.id);
      if (!row) continue;
      snapshotted++;
      const snapshot = this.snapshot(row.id, host.name);
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

  private imageContent(imageId: number | undefined): ImageContent | null {
    return imageId === undefined ? null : this.store.images.content(imageId);
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
    let result = this.results.get(key);
    if (!result) {
      if (this.results.size >= SNAPSHOT_CACHE_LIMIT) this.results.delete(this.results.keys().next().value!);
      result = compute();
      this.results.set(key, result);
    }
    return result as R;
  }

  serviceDrift(serviceId: number, asOf?: string): ServiceDrift {
    const service = this.store.inventory.getService(serviceId);
    const options = this.options(service.name);
    const rules = JSON.stringify([options.ignore, options.severityRules]);
    const parity = (left: EnvironmentSnapshots, right: EnvironmentSnapshots) =>
      this.remembered(`parity|${this.inputKey(left.byRole)}|${this.inputKey(right.byRole)}|${rules}`, () => stageParity(left.byRole, right.byRole, options));
    const production = this.productionStage(service);
    const views = service.stages.map((s) => this.store.inventory.environment(s.id));
    const latest = this.store.snapshots.latestByHost(asOf, views.flatMap((v) => v.hosts.map((h) => h.id)));
    const environments = new Map(views.map((view) => [view.stageId, this.environmentSnapshots(view, asOf, latest)]));
    const prod = environments.get(production.id)!;
    const stages: StageDrift[] = service.stages.map((stage) => {
      const env = environments.get(stage.id)!;
      const image = this.imageContent(stage.image?.id);
      const imageReport = image && stage.image ? this.remembered(`image|${stage.image.id}|${this.inputKey(env.byRole)}|${rules}`, () => environmentAgainstImage(image, env.byRole, options)) : null;
      return {
        stageId: stage.id,
        stageName: stage.name,
        isProduction: stage.isProduction,
        hosts: env.hosts,
        snapshotted: env.snapshotted,
        production: summariseParity(parity(prod, env)),
        image: imageReport ? summariseParity(imageReport) : null,
        productionOnly: stage.isProduction && imageReport && stage.image ? this.newValues(imageReport.items, stage.image.id, env, options) : 0,
      };
    });
    const edges: EdgeDrift[] = service.edges.map((edge) => {
      const report = parity(environments.get(edge.from)!, environments.get(edge.to)!);
      return { from: edge.from, to: edge.to, differences: report.items.length, parity: report.parity };
    });
    const preproduction = stages.filter((s) => !s.isProduction).map((s) => s.production);
    return { serviceId, parity: combineParity(preproduction), stages, edges };
  }

  /** How many of `items` (drift against an image) show values the image's parent did not have either. */
  private newValues(items: readonly DriftItem[], imageId: number, env: EnvironmentSnapshots, options: DriftOptions): number {
    const parentId = this.store.images.get(imageId).parentId;
    if (parentId === null) return items.length;
    const againstParent = environmentAgainstImage(this.store.images.content(parentId), env.byRole, options).items;
    const differsFromParent = new Set(againstParent.flatMap((i) => i.hosts.map((h) => `${i.category}:${i.key}@${h}`)));
    return items.filter((i) => i.hosts.some((h) => differsFromParent.has(`${i.category}:${i.key}@${h}`))).length;
  }

  stageDetail(stageId: number): StageDriftDetail {
    const environment = this.store.inventory.environment(stageId);
    const service = this.store.inventory.getService(environment.serviceId);
    const options = this.options(service.name);
    const production = this.productionStage(service);
    const env = this.environmentSnapshots(environment);
    const prod = production.id === stageId ? env : this.environmentSnapshots(this.store.inventory.environment(production.id));
    const image = this.imageContent(environment.image?.id);
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
