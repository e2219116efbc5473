/**
 * What a scan of some hosts collects, and what it updates after: shared by a scan and by the
 * rescans of an apply, so a host's saved facts are the same whichever of them took them.
 */
import type { WorkspaceStore } from '../store/workspace-store';
import { watchLists } from './drift-handlers';
import { driftServiceFor } from './drift-service';
import type { HostScanResult, ScanHost } from './scan';

export type ScanTarget = ScanHost & { watchGlobs: readonly string[]; serviceIds: Set<number> };

/** One entry per host: a host playing several roles (of one service or more) is scanned once, watching all their files. */
export function scanTargets(store: WorkspaceStore, filter: Parameters<WorkspaceStore['inventory']['placements']>[0]): ScanTarget[] {
  const byHost = new Map<number, ScanHost & { watchGlobs: string[]; serviceIds: Set<number> }>();
  const globsOf = new Map<number, Map<string, string[]>>();
  for (const placement of store.inventory.placements(filter)) {
    if (!globsOf.has(placement.serviceId)) globsOf.set(placement.serviceId, new Map(watchLists(store, placement.serviceId).map((w) => [w.role, w.globs])));
    const globs = globsOf.get(placement.serviceId)!.get(placement.role) ?? [];
    const entry = byHost.get(placement.id) ?? { ...placement, watchGlobs: [], serviceIds: new Set<number>() };
    entry.watchGlobs = [...new Set([...entry.watchGlobs, ...globs])];
    entry.serviceIds.add(placement.serviceId);
    byHost.set(placement.id, entry);
  }
  return [...byHost.values()];
}

/** Parity is recorded whenever snapshots change it, so the trend shows when drift appeared. */
export function recordParityOf(store: WorkspaceStore, actor: string, serviceIds: ReadonlySet<number>, at: string): void {
  if (serviceIds.size === 0) return;
  const drift = driftServiceFor(store);
  store.write({ actor, action: 'parity.record', subject: `${serviceIds.size} services` }, () => serviceIds.forEach((id) => drift.recordParity(id, at)));
}

/** After a scan of these targets: the parity of every service a host whose snapshot was saved plays in. */
export function recordParityOfSaved(store: WorkspaceStore, actor: string, targets: readonly ScanTarget[], results: readonly HostScanResult[], at: string): void {
  const saved = new Set(results.filter((r) => r.status === 'saved').map((r) => r.hostId));
  recordParityOf(store, actor, new Set(targets.filter((t) => saved.has(t.id)).flatMap((t) => [...t.serviceIds])), at);
}
