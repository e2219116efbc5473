import type { Capacity, CostRate, PoolKind, ResourcePool, SizedHost } from '../domain/assets';
import { StagecraftError } from '../domain/errors';
import type { Lease } from '../domain/leases';
import type { Db } from './database';

export interface PoolRecord extends ResourcePool {
  hypervisorId: number | null;
  libvirtPool: string | null;
  createdAt: string;
}

export type NewPool = Pick<PoolRecord, 'name' | 'stageName' | 'kind' | 'capacity' | 'rate'> & Partial<Pick<PoolRecord, 'hypervisorId' | 'libvirtPool'>>;

export type LeaseRecordState = 'active' | 'archived' | 'reclaimed';

export interface LeaseRecord extends Lease {
  serviceId: number;
  serviceName: string;
  stageName: string;
  state: LeaseRecordState;
  updatedAt: string;
}

export interface LeaseEvent {
  id: number;
  stageId: number;
  at: string;
  actor: string;
  event: 'set' | 'extend' | 'archive' | 'reclaim';
  expiresBefore: string | null;
  expiresAfter: string | null;
  reason: string;
}

export interface ArchivedHost {
  hostId: number;
  name: string;
  role: string;
  poolId: number | null;
}

export interface ArchiveRecord {
  id: number;
  stageId: number;
  at: string;
  actor: string;
  imageId: number | null;
  hosts: ArchivedHost[];
  reason: string;
}

export type ReclaimRunState = 'powering-off' | 'waiting' | 'deleting' | 'done';
export type ReclaimStep = 'pending' | 'powering-off' | 'powered-off' | 'snapshotting' | 'kept' | 'deleting' | 'deleted';

export interface ReclaimRunRecord {
  id: number;
  stageId: number;
  createdAt: string;
  createdBy: string;
  keep: 'snapshot' | 'image';
  imageId: number | null;
  graceHours: number;
  force: boolean;
  poweredOffAt: string | null;
  state: ReclaimRunState;
  finishedAt: string | null;
}

export interface ReclaimVmRecord {
  runId: number;
  hypervisorId: number;
  domain: string;
  hostId: number | null;
  hostName: string;
  step: ReclaimStep;
  snapshotName: string | null;
  lastError: string | null;
  updatedAt: string;
}

export type CloneStep = 'planned' | 'cloning' | 'cloned' | 'registered' | 'scanned';

export interface CloneRunRecord {
  id: number;
  serviceId: number;
  fromStageId: number | null;
  imageId: number | null;
  toStageId: number;
  hypervisorId: number;
  archiveId: number | null;
  createdAt: string;
  createdBy: string;
  /** Whether the clones are scanned once registered. */
  scan: boolean;
  state: 'running' | 'done' | 'failed';
  finishedAt: string | null;
}

export interface CloneVmRecord {
  runId: number;
  role: string;
  sourceDomain: string;
  /** The snapshot of the source its disks are copied from, or null (the source shut off). */
  sourceSnapshot: string | null;
  productionHost: string | null;
  newName: string;
  address: string;
  macs: string[];
  /** The size it is registered with (null for runs recorded before sizes were kept). */
  size: Capacity | null;
  poolId: number | null;
  hostId: number | null;
  step: CloneStep;
  scan: { status: 'saved' | 'failed'; message: string } | null;
  lastError: string | null;
  updatedAt: string;
}

export type NewCloneVm = Pick<CloneVmRecord, 'role' | 'sourceDomain' | 'sourceSnapshot' | 'productionHost' | 'newName' | 'address' | 'macs' | 'size' | 'poolId'>;

type CloneVmRow = Omit<CloneVmRecord, 'macs' | 'size' | 'scan'> & {
  macsJson: string;
  vcpus: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  scanStatus: 'saved' | 'failed' | null;
  scanMessage: string | null;
};

const CLONE_RUN_COLUMNS = `id, service_id AS serviceId, from_stage_id AS fromStageId, image_id AS imageId, to_stage_id AS toStageId, hypervisor_id AS hypervisorId,
  archive_id AS archiveId, created_at AS createdAt, created_by AS createdBy, scan, state, finished_at AS finishedAt`;

interface PoolRow {
  id: number;
  name: string;
  stageName: string;
  kind: PoolKind;
  hypervisorId: number | null;
  libvirtPool: string | null;
  vcpus: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  currency: string | null;
  rateVcpu: number | null;
  rateMemoryGb: number | null;
  rateDiskGb: number | null;
  createdAt: string;
}

const POOL_COLUMNS = `id, name, stage_name AS stageName, kind, hypervisor_id AS hypervisorId, libvirt_pool AS libvirtPool, vcpus, memory_mb AS memoryMb, disk_gb AS diskGb,
  currency, rate_vcpu AS rateVcpu, rate_memory_gb AS rateMemoryGb, rate_disk_gb AS rateDiskGb, created_at AS createdAt`;

function toPool(row: PoolRow): PoolRecord {
  const capacity: Capacity | null = row.vcpus === null ? null : { vcpus: row.vcpus, memoryMb: row.memoryMb ?? 0, diskGb: row.diskGb ?? 0 };
  const rate: CostRate | null = row.currency === null ? null : { currency: row.currency, perVcpu: row.rateVcpu ?? 0, perMemoryGb: row.rateMemoryGb ?? 0, perDiskGb: row.rateDiskGb ?? 0 };
  return { id: row.id, name: row.name, stageName: row.stageName, kind: row.kind, hypervisorId: row.hypervisorId, libvirtPool: row.libvirtPool, capacity, rate, createdAt: row.createdAt };
}

function checkPool(pool: NewPool): void {
  if (pool.name.trim() === '') throw new StagecraftError('invalid-input', 'A pool needs a name.');
  if (pool.stageName.trim() === '') throw new StagecraftError('invalid-input', 'A pool belongs to a stage: name it (integration, testing, staging…).');
  if (pool.capacity === null && pool.kind !== 'physical') throw new StagecraftError('invalid-input', `A ${pool.kind} pool needs its capacity (vCPUs, memory, disk).`, 'Only a pool of physical hosts takes its capacity from its hosts.');
  const numbers = [...Object.values(pool.capacity ?? {}), ...(pool.rate ? [pool.rate.perVcpu, pool.rate.perMemoryGb, pool.rate.perDiskGb] : [])];
  if (numbers.some((n) => typeof n !== 'number' || !Number.isFinite(n) || n < 0)) throw new StagecraftError('invalid-input', `Pool ${pool.name}: capacities and rates are numbers of 0 or more.`);
  if (pool.rate && !/^[A-Z]{3}$/.test(pool.rate.currency)) throw new StagecraftError('invalid-input', `"${pool.rate.currency}" is not a currency code.`, 'Use a three-letter code such as EUR or USD.');
}

/** Pools, members, leases, archives, reclaim and clone runs. Writes run inside WorkspaceStore.write. */
export class AssetRepository {
  constructor(private readonly db: Db) {}

  // ---- pools ----------------------------------------------------------------------------------

  listPools(): PoolRecord[] {
    return this.db.prepare<[], PoolRow>(`SELECT ${POOL_COLUMNS} FROM resource_pools ORDER BY stage_name, name`).all().map(toPool);
  }

  pool(id: number): PoolRecord {
    const row = this.db.prepare<[number], PoolRow>(`SELECT ${POOL_COLUMNS} FROM resource_pools WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Pool ${id} does not exist.`);
    return toPool(row);
  }

  private poolValues(pool: NewPool) {
    return [
      pool.name.trim(),
      pool.stageName.trim(),
      pool.kind,
      pool.hypervisorId ?? null,
      pool.libvirtPool ?? null,
      pool.capacity?.vcpus ?? null,
      pool.capacity?.memoryMb ?? null,
      pool.capacity?.diskGb ?? null,
      pool.rate?.currency ?? null,
      pool.rate?.perVcpu ?? null,
      pool.rate?.perMemoryGb ?? null,
      pool.rate?.perDiskGb ?? null,
    ] as const;
  }

  private checkUniqueName(name: string, exceptId: number | null): void {
    const row = this.db.prepare<[string], { id: number }>('SELECT id FROM resource_pools WHERE name = ? COLLATE NOCASE').get(name.trim());
    if (row && row.id !== exceptId) throw new StagecraftError('conflict', `A pool named "${name}" already exists.`, 'Choose another name.');
  }

  addPool(pool: NewPool, at = new Date().toISOString()): PoolRecord {
    checkPool(pool);
    this.checkUniqueName(pool.name, null);
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO resource_pools (name, stage_name, kind, hypervisor_id, libvirt_pool, vcpus, memory_mb, disk_gb, currency, rate_vcpu, rate_memory_gb, rate_disk_gb, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...this.poolValues(pool), at);
    return this.pool(Number(lastInsertRowid));
  }

  updatePool(id: number, changes: Partial<NewPool>): PoolRecord {
    const next = { ...this.pool(id), ...changes };
    checkPool(next);
    this.checkUniqueName(next.name, id);
    this.db
      .prepare(
        `UPDATE resource_pools SET name = ?, stage_name = ?, kind = ?, hypervisor_id = ?, libvirt_pool = ?, vcpus = ?, memory_mb = ?, disk_gb = ?,
         currency = ?, rate_vcpu = ?, rate_memory_gb = ?, rate_disk_gb = ? WHERE id = ?`,
      )
      .run(...this.poolValues(next), id);
    return this.pool(id);
  }

  removePool(id: number): boolean {
    return this.db.prepare('DELETE FROM resource_pools WHERE id = ?').run(id).changes > 0;
  }

  /** Makes a host draw on `poolId`, or on no pool (null). */
  setMember(hostId: number, poolId: number | null): void {
    if (poolId === null) {
      this.db.prepare('DELETE FROM pool_members WHERE host_id = ?').run(hostId);
      return;
    }
    this.pool(poolId);
    this.db.prepare('INSERT INTO pool_members (host_id, pool_id) VALUES (?, ?) ON CONFLICT (host_id) DO UPDATE SET pool_id = excluded.pool_id').run(hostId, poolId);
  }

  poolOf(hostId: number): number | null {
    return this.db.prepare<[number], { poolId: number }>('SELECT pool_id AS poolId FROM pool_members WHERE host_id = ?').get(hostId)?.poolId ?? null;
  }

  /** Every host in a pool or placed in an environment, with its size, pool and placements: what capacity counts. */
  sizedHosts(): SizedHost[] {
    const rows = this.db
      .prepare<[], { id: number; name: string; vcpus: number | null; memoryMb: number | null; diskGb: number | null; poolId: number | null; serviceName: string | null; stageName: string | null }>(
        `SELECT h.id, h.name, h.vcpus, h.memory_mb AS memoryMb, h.disk_gb AS diskGb, pm.pool_id AS poolId, sv.name AS serviceName, st.name AS stageName
         FROM hosts h
         LEFT JOIN pool_members pm ON pm.host_id = h.id
         LEFT JOIN environment_hosts eh ON eh.host_id = h.id
         LEFT JOIN environments e ON e.id = eh.environment_id
         LEFT JOIN services sv ON sv.id = e.service_id
         LEFT JOIN stages st ON st.id = e.stage_id
         WHERE pm.pool_id IS NOT NULL OR eh.host_id IS NOT NULL
         ORDER BY h.name`,
      )
      .all();
    const hosts = new Map<number, SizedHost>();
    for (const row of rows) {
      const host = hosts.get(row.id) ?? { id: row.id, name: row.name, vcpus: row.vcpus, memoryMb: row.memoryMb, diskGb: row.diskGb, poolId: row.poolId, placements: [] };
      if (row.serviceName !== null && row.stageName !== null && !host.placements.some((p) => p.serviceName === row.serviceName && p.stageName === row.stageName)) {
        host.placements.push({ serviceName: row.serviceName, stageName: row.stageName });
      }
      hosts.set(row.id, host);
    }
    return [...hosts.values()];
  }

  // ---- leases ---------------------------------------------------------------------------------

  private leaseQuery(where: string) {
    return `SELECT l.stage_id AS stageId, l.owner, l.expires_on AS expiresOn, l.time_zone AS timeZone, l.reason, l.state, l.updated_at AS updatedAt,
                   st.service_id AS serviceId, sv.name AS serviceName, st.name AS stageName
            FROM leases l JOIN stages st ON st.id = l.stage_id JOIN services sv ON sv.id = st.service_id ${where}`;
  }

  listLeases(): LeaseRecord[] {
    return this.db.prepare<[], LeaseRecord>(`${this.leaseQuery('')} ORDER BY l.expires_on, sv.name, st.position`).all();
  }

  lease(stageId: number): LeaseRecord | null {
    return this.db.prepare<[number], LeaseRecord>(this.leaseQuery('WHERE l.stage_id = ?')).get(stageId) ?? null;
  }

  setLease(lease: Lease, state: LeaseRecordState, at: string): void {
    this.db
      .prepare(
        `INSERT INTO leases (stage_id, owner, expires_on, time_zone, reason, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (stage_id) DO UPDATE SET owner = excluded.owner, expires_on = excluded.expires_on, time_zone = excluded.time_zone,
           reason = excluded.reason, state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(lease.stageId, lease.owner, lease.expiresOn, lease.timeZone, lease.reason, state, at);
  }

  setLeaseState(stageId: number, state: LeaseRecordState, at: string): void {
    this.db.prepare('UPDATE leases SET state = ?, updated_at = ? WHERE stage_id = ?').run(state, at, stageId);
  }

  addLeaseEvent(event: Omit<LeaseEvent, 'id'>): void {
    this.db
      .prepare('INSERT INTO lease_history (stage_id, at, actor, event, expires_before, expires_after, reason) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(event.stageId, event.at, event.actor, event.event, event.expiresBefore, event.expiresAfter, event.reason);
  }

  leaseHistory(stageId: number): LeaseEvent[] {
    return this.db
      .prepare<[number], LeaseEvent>(
        'SELECT id, stage_id AS stageId, at, actor, event, expires_before AS expiresBefore, expires_after AS expiresAfter, reason FROM lease_history WHERE stage_id = ? ORDER BY id',
      )
      .all(stageId);
  }

  // ---- archives -------------------------------------------------------------------------------

  /** Takes every host out of the stage's environment and out of its pool: the hosts and their snapshots stay in the inventory. */
  releaseEnvironment(stageId: number, hostIds: readonly number[]): void {
    const environment = this.db.prepare<[number], { id: number }>('SELECT id FROM environments WHERE stage_id = ?').get(stageId);
    if (!environment) throw new StagecraftError('not-found', `Stage ${stageId} has no environment.`);
    const unplace = this.db.prepare('DELETE FROM environment_hosts WHERE environment_id = ? AND host_id = ?');
    const unpool = this.db.prepare('DELETE FROM pool_members WHERE host_id = ?');
    for (const hostId of hostIds) {
      unplace.run(environment.id, hostId);
      unpool.run(hostId);
    }
  }


  addArchive(archive: Omit<ArchiveRecord, 'id'>): number {
    return Number(
      this.db
        .prepare('INSERT INTO environment_archives (stage_id, at, actor, image_id, hosts_json, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(archive.stageId, archive.at, archive.actor, archive.imageId, JSON.stringify(archive.hosts), archive.reason).lastInsertRowid,
    );
  }

  archives(stageId: number): ArchiveRecord[] {
    return this.db
      .prepare<[number], Omit<ArchiveRecord, 'hosts'> & { hostsJson: string }>(
        'SELECT id, stage_id AS stageId, at, actor, image_id AS imageId, hosts_json AS hostsJson, reason FROM environment_archives WHERE stage_id = ? ORDER BY id',
      )
      .all(stageId)
      .map(({ hostsJson, ...row }) => ({ ...row, hosts: JSON.parse(hostsJson) as ArchivedHost[] }));
  }

  // ---- reclaim runs ---------------------------------------------------------------------------

  private static readonly RUN_COLUMNS = `id, stage_id AS stageId, created_at AS createdAt, created_by AS createdBy, keep, image_id AS imageId, grace_hours AS graceHours,
    force, powered_off_at AS poweredOffAt, state, finished_at AS finishedAt`;

  createReclaimRun(run: Omit<ReclaimRunRecord, 'id' | 'poweredOffAt' | 'state' | 'finishedAt'>, vms: Omit<ReclaimVmRecord, 'runId' | 'step' | 'snapshotName' | 'lastError' | 'updatedAt'>[]): ReclaimRunRecord {
    const id = Number(
      this.db
        .prepare("INSERT INTO reclaim_runs (stage_id, created_at, created_by, keep, image_id, grace_hours, force, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'powering-off')")
        .run(run.stageId, run.createdAt, run.createdBy, run.keep, run.imageId, run.graceHours, run.force ? 1 : 0).lastInsertRowid,
    );
    const insert = this.db.prepare("INSERT INTO reclaim_vms (run_id, hypervisor_id, domain, host_id, host_name, step, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)");
    for (const vm of vms) insert.run(id, vm.hypervisorId, vm.domain, vm.hostId, vm.hostName, run.createdAt);
    return this.reclaimRun(id);
  }

  reclaimRun(id: number): ReclaimRunRecord {
    const row = this.db.prepare<[number], Omit<ReclaimRunRecord, 'force'> & { force: number }>(`SELECT ${AssetRepository.RUN_COLUMNS} FROM reclaim_runs WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Reclaim run ${id} does not exist.`);
    return { ...row, force: row.force === 1 };
  }

  /** The stage's latest reclaim that is not done, if any. */
  openReclaimRun(stageId: number): ReclaimRunRecord | null {
    const row = this.db.prepare<[number], { id: number }>("SELECT id FROM reclaim_runs WHERE stage_id = ? AND state <> 'done' ORDER BY id DESC LIMIT 1").get(stageId);
    return row ? this.reclaimRun(row.id) : null;
  }

  latestReclaimRun(stageId: number): ReclaimRunRecord | null {
    const row = this.db.prepare<[number], { id: number }>('SELECT id FROM reclaim_runs WHERE stage_id = ? ORDER BY id DESC LIMIT 1').get(stageId);
    return row ? this.reclaimRun(row.id) : null;
  }

  updateReclaimRun(id: number, changes: Partial<Pick<ReclaimRunRecord, 'state' | 'poweredOffAt' | 'finishedAt'>>): void {
    const run = { ...this.reclaimRun(id), ...changes };
    this.db.prepare('UPDATE reclaim_runs SET state = ?, powered_off_at = ?, finished_at = ? WHERE id = ?').run(run.state, run.poweredOffAt, run.finishedAt, id);
  }

  reclaimVms(runId: number): ReclaimVmRecord[] {
    return this.db
      .prepare<[number], ReclaimVmRecord>(
        `SELECT run_id AS runId, hypervisor_id AS hypervisorId, domain, host_id AS hostId, host_name AS hostName, step, snapshot_name AS snapshotName,
                last_error AS lastError, updated_at AS updatedAt FROM reclaim_vms WHERE run_id = ? ORDER BY host_name, domain`,
      )
      .all(runId);
  }

  updateReclaimVm(runId: number, hypervisorId: number, domain: string, changes: Partial<Pick<ReclaimVmRecord, 'step' | 'snapshotName' | 'lastError'>>, at: string): void {
    const vm = this.reclaimVms(runId).find((v) => v.hypervisorId === hypervisorId && v.domain === domain);
    if (!vm) throw new StagecraftError('not-found', `Reclaim run ${runId} has no VM ${domain}.`);
    const next = { ...vm, ...changes };
    this.db
      .prepare('UPDATE reclaim_vms SET step = ?, snapshot_name = ?, last_error = ?, updated_at = ? WHERE run_id = ? AND hypervisor_id = ? AND domain = ?')
      .run(next.step, next.snapshotName, next.lastError, at, runId, hypervisorId, domain);
  }

  // ---- clone runs -----------------------------------------------------------------------------

  createCloneRun(run: Omit<CloneRunRecord, 'id' | 'state' | 'finishedAt'>, vms: readonly NewCloneVm[]): CloneRunRecord {
    const id = Number(
      this.db
        .prepare(
          "INSERT INTO clone_runs (service_id, from_stage_id, image_id, to_stage_id, hypervisor_id, archive_id, created_at, created_by, scan, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')",
        )
        .run(run.serviceId, run.fromStageId, run.imageId, run.toStageId, run.hypervisorId, run.archiveId, run.createdAt, run.createdBy, run.scan ? 1 : 0).lastInsertRowid,
    );
    const insert = this.db.prepare(
      "INSERT INTO clone_vms (run_id, role, source_domain, source_snapshot, production_host, new_name, address, macs_json, vcpus, memory_mb, disk_gb, pool_id, step, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)",
    );
    for (const vm of vms) insert.run(id, vm.role, vm.sourceDomain, vm.sourceSnapshot, vm.productionHost, vm.newName, vm.address, JSON.stringify(vm.macs), vm.size?.vcpus ?? null, vm.size?.memoryMb ?? null, vm.size?.diskGb ?? null, vm.poolId, run.createdAt);
    return this.cloneRun(id);
  }

  cloneRun(id: number): CloneRunRecord {
    const row = this.db.prepare<[number], Omit<CloneRunRecord, 'scan'> & { scan: number }>(`SELECT ${CLONE_RUN_COLUMNS} FROM clone_runs WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Clone run ${id} does not exist.`, 'See the stage\'s clone runs with clone.status.');
    return { ...row, scan: row.scan === 1 };
  }

  /** The stage's latest clone run, or null. */
  latestCloneRun(stageId: number): CloneRunRecord | null {
    const row = this.db.prepare<[number], { id: number }>('SELECT id FROM clone_runs WHERE to_stage_id = ? ORDER BY id DESC LIMIT 1').get(stageId);
    return row ? this.cloneRun(row.id) : null;
  }

  updateCloneRun(id: number, state: CloneRunRecord['state'], finishedAt: string | null): void {
    this.db.prepare('UPDATE clone_runs SET state = ?, finished_at = ? WHERE id = ?').run(state, finishedAt, id);
  }

  cloneVms(runId: number): CloneVmRecord[] {
    return this.db
      .prepare<[number], CloneVmRow>(
        `SELECT run_id AS runId, role, source_domain AS sourceDomain, source_snapshot AS sourceSnapshot, production_host AS productionHost, new_name AS newName, address,
                macs_json AS macsJson, vcpus, memory_mb AS memoryMb, disk_gb AS diskGb, pool_id AS poolId, host_id AS hostId, step,
                scan_status AS scanStatus, scan_message AS scanMessage, last_error AS lastError, updated_at AS updatedAt FROM clone_vms WHERE run_id = ? ORDER BY rowid`,
      )
      .all(runId)
      .map(({ macsJson, vcpus, memoryMb, diskGb, scanStatus, scanMessage, ...row }) => ({
        ...row,
        macs: JSON.parse(macsJson) as string[],
        size: vcpus === null ? null : { vcpus, memoryMb: memoryMb ?? 0, diskGb: diskGb ?? 0 },
        scan: scanStatus === null ? null : { status: scanStatus, message: scanMessage ?? '' },
      }));
  }

  updateCloneVm(runId: number, newName: string, changes: Partial<Pick<CloneVmRecord, 'step' | 'hostId' | 'lastError' | 'scan'>>, at: string): void {
    const vm = this.cloneVms(runId).find((v) => v.newName === newName);
    if (!vm) throw new StagecraftError('not-found', `Clone run ${runId} has no VM ${newName}.`);
    const next = { ...vm, ...changes };
    this.db
      .prepare('UPDATE clone_vms SET step = ?, host_id = ?, last_error = ?, scan_status = ?, scan_message = ?, updated_at = ? WHERE run_id = ? AND new_name = ?')
      .run(next.step, next.hostId, next.lastError, next.scan?.status ?? null, next.scan?.message ?? null, at, runId, newName);
  }
}
