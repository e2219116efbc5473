import type { Capacity, CostRate, PoolKind } from '../domain/assets';
import { StagecraftError } from '../domain/errors';
import { dateIn } from '../domain/leases';
import type { WorkspaceStore } from '../store/workspace-store';

/** The pools and leases of resources/demo/demo.json. */
export interface DemoAssets {
  pools?: { name: string; stage: string; kind: PoolKind; capacity: Capacity | null; rate: CostRate | null }[];
  leases?: { service: string; stage: string; owner: string; timeZone: string; expiresInDays: number; reason: string }[];
}

const DAY_MS = 86_400_000;

/**
 * Gives the demo its pools (every host of a stage draws on that stage's pool) and leases whose
 * expiry is relative to the build day, so some are always expiring and one expired. Runs inside
 * the demo's build transaction.
 */
export function addDemoAssets(store: WorkspaceStore, definition: DemoAssets, now: number): void {
  const at = new Date(now).toISOString();
  const services = store.inventory.listServices();
  for (const pool of definition.pools ?? []) {
    const record = store.assets.addPool({ name: pool.name, stageName: pool.stage, kind: pool.kind, capacity: pool.capacity, rate: pool.rate }, at);
    for (const service of services) {
      const stage = service.stages.find((s) => s.name === pool.stage);
      if (stage) for (const host of store.inventory.environment(stage.id).hosts) store.assets.setMember(host.id, record.id);
    }
  }
  for (const lease of definition.leases ?? []) {
    const stage = services.find((s) => s.name === lease.service)?.stages.find((s) => s.name === lease.stage);
    if (!stage) throw new StagecraftError('not-found', `demo.json: a lease names ${lease.service} ${lease.stage}, which the demo does not have.`);
    const expiresOn = dateIn(now + lease.expiresInDays * DAY_MS, lease.timeZone);
    store.assets.setLease({ stageId: stage.id, owner: lease.owner, expiresOn, timeZone: lease.timeZone, reason: lease.reason }, 'active', at);
    store.assets.addLeaseEvent({ stageId: stage.id, at, actor: 'demo-builder', event: 'set', expiresBefore: null, expiresAfter: expiresOn, reason: lease.reason });
  }
}
