/**
 * Preproduction assets as use cases: pools per stage and the capacity/cost report, leases (set,
 * extend with a reason), archive (release an environment's hosts, keep their snapshots and its
 * image) and reclaim (power off, keep a way back, wait for the grace period, delete the VMs).
 *
 * A reclaim touches hypervisors, so each of its two phases is a dry run first and runs only when
 * confirmed with the very plan shown. Every VM's step is written to the workspace before and after
 * each hypervisor call: a run stopped half-way (daemon gone, app closed) reconciles what it had
 * started with what the hypervisor shows, and says exactly which VM still needs what.
 */
import type { HypervisorInventory, HypervisorOperation, OperationPlan } from '../connectors/libvirt/index';
import { placeEnvironment, stageUsage, type Capacity, type Placement, type StageUsage } from '../domain/assets';
import { StagecraftError } from '../domain/errors';
import type { EnvironmentHost } from '../domain/inventory';
import { addDays, checkExtension, checkLease, DEFAULT_LEASE_HORIZON_DAYS, leaseEnd, leaseState, type Lease, type LeaseState } from '../domain/leases';
import type { ArchivedHost, LeaseRecord, NewPool, PoolRecord, ReclaimRunRecord, ReclaimStep, ReclaimVmRecord } from '../store/asset-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { approvedCommands, describeHypervisorFailure, executeHypervisorOperation, matchCandidates, matchDomains, planHypervisorOperation, refreshInventory, startWithConnections, withConnections, type ConnectOptions, type SharedConnections } from './hypervisors';

export type { NewPool, PoolRecord } from '../store/asset-repository';

// ---- report ---------------------------------------------------------------------------------------

export interface LeaseView extends LeaseRecord, LeaseState {}

export interface AssetsReport {
  generatedAt: string;
  horizonDays: number;
  stages: StageUsage[];
  leases: LeaseView[];
}

export function leaseViews(store: WorkspaceStore, now: number, horizonDays = DEFAULT_LEASE_HORIZON_DAYS): LeaseView[] {
  // Leases share days and zones: each pair goes through the zone's rules once.
  const states = new Map<string, LeaseState>();
  return store.assets.listLeases().map((lease) => {
    const key = `${lease.expiresOn}|${lease.timeZone}`;
    const state = states.get(key) ?? leaseState(lease, now, horizonDays);
    states.set(key, state);
    return { ...lease, ...state };
  });
}

/** Capacity, allocation, free room and cost per stage and service, and the leases (all, or one stage's by name). */
export function assetsReport(store: WorkspaceStore, options: { now?: number; horizonDays?: number; stageName?: string } = {}): AssetsReport {
  const now = options.now ?? Date.now();
  const horizonDays = options.horizonDays ?? DEFAULT_LEASE_HORIZON_DAYS;
  return store.read(() => {
    const wanted = options.stageName?.toLowerCase();
    // Stages in lifecycle order: by their earliest position in any service.
    const position = new Map<string, number>();
    for (const stage of store.inventory.listServices().flatMap((s) => s.stages)) position.set(stage.name.toLowerCase(), Math.min(stage.position, position.get(stage.name.toLowerCase()) ?? Infinity));
    const stages = stageUsage(store.assets.listPools(), store.assets.sizedHosts())
      .filter((s) => wanted === undefined || s.stageName.toLowerCase() === wanted)
      .sort((a, b) => (position.get(a.stageName.toLowerCase()) ?? Infinity) - (position.get(b.stageName.toLowerCase()) ?? Infinity) || a.stageName.localeCompare(b.stageName));
    if (wanted !== undefined && stages.length === 0) {
      const names = [...new Set(store.inventory.listServices().flatMap((s) => s.stages.map((st) => st.name)))];
      if (!names.some((n) => n.toLowerCase() === wanted)) throw new StagecraftError('not-found', `No stage is named "${options.stageName}".`, `Stages: ${names.join(', ')}.`);
    }
    const leases = leaseViews(store, now, horizonDays).filter((l) => wanted === undefined || l.stageName.toLowerCase() === wanted);
    return { generatedAt: new Date(now).toISOString(), horizonDays, stages, leases };
  });
}

/** Which pool of the stage can take an environment of this size, or why none can. */
export function placeNewEnvironment(store: WorkspaceStore, stageName: string, required: Capacity, releasing: readonly number[] = []): Placement {
  const released = new Set(releasing);
  const hosts = store.assets.sizedHosts().map((h) => (released.has(h.id) ? { ...h, placements: [] } : h));
  return placeEnvironment(stageName, required, stageUsage(store.assets.listPools(), hosts));
}

/**
 * Entries of the change calendar: a lease's last day, from the owner's midnight to the next (leases
 * that ended or end in [from, to)), each with the lease it shows.
 */
export function leaseCalendarEntries(store: WorkspaceStore, from: string, to: string, now = Date.now()) {
  const [start, end] = [Date.parse(from), Date.parse(to)];
  return leaseViews(store, now)
    .filter((lease) => lease.state === 'active')
    .map((lease) => ({ lease, dayStart: leaseEnd({ expiresOn: addDays(lease.expiresOn, -1), timeZone: lease.timeZone }), dayEnd: Date.parse(lease.endsAt) }))
    .filter(({ dayStart, dayEnd }) => dayStart < end && dayEnd > start)
    .map(({ lease, dayStart }) => ({
      lease,
      entry: {
        kind: 'lease' as const,
        key: `lease-${lease.stageId}`,
        title: `Lease ${lease.status === 'expired' ? 'ended' : 'ends'}: ${lease.serviceName} ${lease.stageName} (${lease.owner})`,
        start: new Date(dayStart).toISOString(),
        end: lease.endsAt,
        timeZone: lease.timeZone,
        changeId: null,
        state: null,
        service: lease.serviceName,
        stage: lease.stageName,
        conflicts: 0,
      },
    }));
}

// ---- pools ----------------------------------------------------------------------------------------

export function addPool(store: WorkspaceStore, actor: string, pool: NewPool): PoolRecord {
  return store.write({ actor, action: 'pool.add', subject: `pool ${pool.name}`, after: (p) => p }, () => store.assets.addPool(pool));
}

export function updatePool(store: WorkspaceStore, actor: string, id: number, changes: Partial<NewPool>): PoolRecord {
  const before = store.assets.pool(id);
  return store.write({ actor, action: 'pool.update', subject: `pool ${before.name}`, before, after: (p) => p }, () => store.assets.updatePool(id, changes));
}

export function removePool(store: WorkspaceStore, actor: string, id: number): void {
  const before = store.assets.pool(id);
  store.write({ actor, action: 'pool.remove', subject: `pool ${before.name}`, before }, () => store.assets.removePool(id));
}

/** Puts hosts in a pool (or takes them out with null). */
export function setPoolMembers(store: WorkspaceStore, actor: string, poolId: number | null, hostIds: readonly number[]): void {
  if (hostIds.length === 0) throw new StagecraftError('invalid-input', 'Choose at least one host.');
  const subject = poolId === null ? 'no pool' : `pool ${store.assets.pool(poolId).name}`;
  const names = hostIds.map((id) => store.inventory.host(id).name);
  store.write({ actor, action: 'pool.members', subject, after: () => ({ poolId, hosts: names }) }, () => {
    for (const hostId of hostIds) store.assets.setMember(hostId, poolId);
  });
}

// ---- leases ---------------------------------------------------------------------------------------

function preproductionStage(store: WorkspaceStore, stageId: number) {
  const environment = store.inventory.environment(stageId);
  if (environment.isProduction) throw new StagecraftError('refused', `${environment.serviceName} ${environment.stageName} is production: production environments carry no lease and are never archived or reclaimed here.`);
  return environment;
}

export function setLease(store: WorkspaceStore, actor: string, lease: Lease, at = new Date().toISOString()): LeaseRecord {
  const environment = preproductionStage(store, lease.stageId);
  const checked = checkLease(lease);
  const before = store.assets.lease(lease.stageId);
  return store.write({ actor, action: 'lease.set', subject: `${environment.serviceName} ${environment.stageName}`, before, after: (l) => l }, () => {
    store.assets.setLease(checked, 'active', at);
    store.assets.addLeaseEvent({ stageId: lease.stageId, at, actor, event: 'set', expiresBefore: before?.expiresOn ?? null, expiresAfter: checked.expiresOn, reason: checked.reason });
    return store.assets.lease(lease.stageId)!;
  });
}

export function extendLease(store: WorkspaceStore, actor: string, stageId: number, expiresOn: string, reason: string, now = Date.now()): LeaseRecord {
  const before = store.assets.lease(stageId);
  if (!before) throw new StagecraftError('not-found', `Stage ${stageId} has no lease to extend.`, 'Set a lease first.');
  if (before.state !== 'active') throw new StagecraftError('conflict', `The lease of ${before.serviceName} ${before.stageName} is ${before.state}: there is nothing to extend.`, 'Set a new lease when the environment is rebuilt.');
  checkExtension(before, expiresOn, reason, now);
  const at = new Date(now).toISOString();
  return store.write({ actor, action: 'lease.extend', subject: `${before.serviceName} ${before.stageName}`, before, after: (l) => ({ ...l, reason: reason.trim() }) }, () => {
    store.assets.setLease({ ...before, expiresOn }, 'active', at);
    store.assets.addLeaseEvent({ stageId, at, actor, event: 'extend', expiresBefore: before.expiresOn, expiresAfter: expiresOn, reason: reason.trim() });
    return store.assets.lease(stageId)!;
  });
}

// ---- archive --------------------------------------------------------------------------------------

export interface ArchiveResult {
  archiveId: number;
  stageId: number;
  hosts: ArchivedHost[];
  imageId: number | null;
}

/** What an archive records of hosts leaving a stage: each role they played and their pool. */
const archivedHosts = (store: WorkspaceStore, hosts: readonly EnvironmentHost[]): ArchivedHost[] => hosts.flatMap((h) => h.roles.map((role) => ({ hostId: h.id, name: h.name, role, poolId: store.assets.poolOf(h.id) })));

/** Ends the stage's lease, if it has one, as archive or reclaim ends it (inside the caller's write). */
function endLease(store: WorkspaceStore, actor: string, stageId: number, event: 'archive' | 'reclaim', reason: string, at: string): void {
  const lease = store.assets.lease(stageId);
  if (!lease) return;
  store.assets.setLeaseState(stageId, event === 'archive' ? 'archived' : 'reclaimed', at);
  store.assets.addLeaseEvent({ stageId, at, actor, event, expiresBefore: lease.expiresOn, expiresAfter: null, reason });
}

/** Releases the environment's hosts from the stage and their pools; their snapshots and the stage's image stay. */
export function archiveEnvironment(store: WorkspaceStore, actor: string, stageId: number, reason: string, at = new Date().toISOString()): ArchiveResult {
  const environment = preproductionStage(store, stageId);
  if (environment.hosts.length === 0) throw new StagecraftError('conflict', `${environment.serviceName} ${environment.stageName} holds no hosts: there is nothing to archive.`);
  const hosts = archivedHosts(store, environment.hosts);
  const imageId = environment.image?.id ?? null;
  return store.write({ actor, action: 'environment.archive', subject: `${environment.serviceName} ${environment.stageName}`, after: (r) => ({ ...r, reason }) }, () => {
    const archiveId = store.assets.addArchive({ stageId, at, actor, imageId, hosts, reason });
    store.assets.releaseEnvironment(stageId, [...new Set(hosts.map((h) => h.hostId))]);
    endLease(store, actor, stageId, 'archive', reason, at);
    return { archiveId, stageId, hosts, imageId };
  });
}

// ---- reclaim --------------------------------------------------------------------------------------

export interface ReclaimOptions {
  /** What stays so the environment can be rebuilt: a hypervisor snapshot kept in each VM's disks, or the stage's image (then the disks go too). */
  keep: 'snapshot' | 'image';
  /** Hours between powering off and deleting. */
  graceHours: number;
  /** Power off at once (destroy) rather than asking the guest (ACPI). */
  force: boolean;
}

export type ReclaimPhase = 'power-off' | 'wait' | 'delete' | 'done';

export interface ReclaimVmPlan {
  hostName: string;
  hostId: number | null;
  hypervisorId: number;
  hypervisorName: string;
  domain: string;
  step: ReclaimStep;
  /** The hypervisor operations this phase runs on the VM, in order (exact commands inside). */
  operations: OperationPlan[];
  lastError: string | null;
}

export interface ReclaimPlan {
  stageId: number;
  serviceName: string;
  stageName: string;
  runId: number | null;
  phase: ReclaimPhase;
  options: ReclaimOptions;
  /** When the delete phase may run (ISO 8601), once the VMs are off. */
  deleteAfter: string | null;
  vms: ReclaimVmPlan[];
  /** Hosts of the environment that are not VMs of any registered hypervisor: left as they are. */
  notVms: string[];
  warnings: string[];
}

export interface ReclaimStatus {
  run: ReclaimRunRecord | null;
  vms: ReclaimVmRecord[];
  /** Each VM's remaining work, in words: what an interrupted run still has to do. */
  left: string[];
}

const INTENT_STEPS: readonly ReclaimStep[] = ['powering-off', 'snapshotting', 'deleting'];
/** The snapshot kept in each VM's disks, named by the day the reclaim was planned. */
const snapshotNameOf = (now: number) => `stagecraft-reclaim-${new Date(now).toISOString().slice(0, 10)}`;
const HOUR = 3_600_000;

function describeLeft(vm: ReclaimVmRecord, keep: 'snapshot' | 'image'): string | null {
  const what: Record<ReclaimStep, string | null> = {
    pending: keep === 'snapshot' ? 'power off, snapshot, delete' : 'power off, delete',
    'powering-off': 'power-off was started; its outcome is checked on resume, then the rest',
    'powered-off': keep === 'snapshot' ? 'snapshot, delete' : 'delete',
    snapshotting: 'snapshot was started; its outcome is checked on resume, then delete',
    kept: 'delete (its snapshot is kept in its disks)',
    deleting: 'delete was started; whether it ran is checked on resume',
    deleted: null,
  };
  const left = what[vm.step];
  return left === null ? null : `${vm.hostName} (${vm.domain}): ${left}${vm.lastError ? ` — last error: ${vm.lastError}` : ''}`;
}

/** What a reclaim of the stage has done and still has to do, from the workspace alone (offline). */
export function reclaimStatus(store: WorkspaceStore, stageId: number): ReclaimStatus {
  const run = store.assets.latestReclaimRun(stageId);
  if (!run) return { run: null, vms: [], left: [] };
  const vms = store.assets.reclaimVms(run.id);
  return { run, vms, left: vms.map((vm) => describeLeft(vm, run.keep)).filter((s): s is string => s !== null) };
}

interface ReclaimTarget {
  hostId: number | null;
  hostName: string;
  hypervisorId: number;
  domain: string;
}

/** The environment's hosts that are VMs of a registered hypervisor (fresh inventories), and the rest. */
async function findVms(store: WorkspaceStore, stageId: number, connections: SharedConnections): Promise<{ targets: ReclaimTarget[]; notVms: string[]; warnings: string[]; inventories: Map<number, HypervisorInventory> }> {
  const environment = store.inventory.environment(stageId);
  const lease = store.assets.lease(stageId);
  const archived = lease?.state === 'archived' ? (store.assets.archives(stageId).at(-1)?.hosts ?? []) : [];
  const hostIds = new Set([...environment.hosts.map((h) => h.id), ...archived.map((h) => h.hostId)]);
  const candidates = matchCandidates(store, hostIds);
  const inventories = new Map<number, HypervisorInventory>();
  const warnings: string[] = [];
  const targets: ReclaimTarget[] = [];
  const claimed = new Set<number>();
  for (const hypervisor of store.hypervisors.list()) {
    try {
      inventories.set(hypervisor.id, (await refreshInventory(store, hypervisor.id, connections.for(hypervisor.id))).inventory);
    } catch (error) {
      warnings.push(`${hypervisor.name}: not reachable, its VMs are not in this plan: ${describeHypervisorFailure(error).message}`);
      continue;
    }
    const matching = matchDomains(inventories.get(hypervisor.id)!, candidates.filter((c) => !claimed.has(c.id)));
    for (const match of matching.matched) {
      claimed.add(match.hostId);
      targets.push({ hostId: match.hostId, hostName: match.hostName, hypervisorId: hypervisor.id, domain: match.domain });
    }
  }
  const notVms = candidates.filter((c) => !claimed.has(c.id)).map((c) => c.name);
  return { targets, notVms, warnings, inventories };
}

/**
 * Brings an open run's records in line with the hypervisor for every step that was started but
 * whose outcome was never written (the daemon or the app stopped in between), and notes VMs that
 * vanished outside Stagecraft. Audited when anything changes.
 */
function reconcile(store: WorkspaceStore, actor: string, run: ReclaimRunRecord, inventories: ReadonlyMap<number, HypervisorInventory>, at: string): string[] {
  const notes: string[] = [];
  const changes: { vm: ReclaimVmRecord; step: ReclaimStep; note: string }[] = [];
  for (const vm of store.assets.reclaimVms(run.id)) {
    const inventory = inventories.get(vm.hypervisorId);
    if (!inventory || vm.step === 'deleted') continue;
    const domain = inventory.domains.find((d) => d.name === vm.domain);
    const keptStep: ReclaimStep = run.keep === 'snapshot' ? 'kept' : 'powered-off';
    if (!domain) {
      changes.push({ vm, step: 'deleted', note: vm.step === 'deleting' ? `${vm.domain}: the interrupted delete had run` : `${vm.domain}: no longer on the hypervisor (removed outside this reclaim)` });
      continue;
    }
    if (!INTENT_STEPS.includes(vm.step)) continue;
    const off = domain.state === 'shutoff';
    const snapshotted = domain.snapshots.some((s) => s.name === vm.snapshotName);
    const step: ReclaimStep =
      vm.step === 'powering-off' ? (off ? 'powered-off' : 'pending')
      : vm.step === 'snapshotting' ? (snapshotted ? 'kept' : 'powered-off')
      : keptStep;
    changes.push({ vm, step, note: `${vm.domain}: recorded as ${vm.step} when the run stopped; the hypervisor shows it ${domain.state}${vm.snapshotName ? (snapshotted ? ' with' : ' without') + ` snapshot ${vm.snapshotName}` : ''}, so it is now ${step}` });
  }
  if (changes.length > 0) {
    store.write({ actor, action: 'reclaim.reconcile', subject: `reclaim run ${run.id}`, after: () => changes.map((c) => ({ domain: c.vm.domain, from: c.vm.step, to: c.step, note: c.note })) }, () => {
      for (const change of changes) store.assets.updateReclaimVm(run.id, change.vm.hypervisorId, change.vm.domain, { step: change.step, lastError: null }, at);
    });
    notes.push(...changes.map((c) => c.note));
  }
  return notes;
}

function phaseOf(run: ReclaimRunRecord | null, vms: readonly ReclaimVmRecord[], now: number): ReclaimPhase {
  if (!run) return 'power-off';
  if (vms.every((vm) => vm.step === 'deleted')) return 'done';
  const off: ReclaimStep[] = run.keep === 'snapshot' ? ['kept', 'deleting', 'deleted'] : ['powered-off', 'deleting', 'deleted'];
  if (vms.some((vm) => !off.includes(vm.step)) || run.poweredOffAt === null) return 'power-off';
  return now >= Date.parse(run.poweredOffAt) + run.graceHours * HOUR ? 'delete' : 'wait';
}

function checkOptions(options: ReclaimOptions): void {
  if (!Number.isFinite(options.graceHours) || options.graceHours < 0) throw new StagecraftError('invalid-input', `A grace period of ${options.graceHours} hours makes no sense.`, 'Give 0 or more hours.');
}

/**
 * The dry run of the reclaim's next phase: on a stage with no open run, power-off (and snapshot);
 * once the VMs are off and the grace period over, delete. Reads every hypervisor's inventory; an
 * open run is first reconciled with it.
 */
export async function planReclaim(store: WorkspaceStore, actor: string, stageId: number, requested: ReclaimOptions, connect: ConnectOptions = {}, now = Date.now()): Promise<ReclaimPlan> {
  return withConnections(store, connect, (connections) => planReclaimOver(store, actor, stageId, requested, connections, now));
}

/** planReclaim over one connection per hypervisor. */
async function planReclaimOver(store: WorkspaceStore, actor: string, stageId: number, requested: ReclaimOptions, connections: SharedConnections, now: number): Promise<ReclaimPlan> {
  const environment = preproductionStage(store, stageId);
  checkOptions(requested);
  const open = store.assets.openReclaimRun(stageId);
  // An open run keeps what it keeps and its grace period; how to power off may change (guests that ignore ACPI need force).
  const options: ReclaimOptions = open ? { keep: open.keep, graceHours: open.graceHours, force: requested.force } : requested;
  if (!open && options.keep === 'image' && !environment.image) {
    throw new StagecraftError('conflict', `${environment.serviceName} ${environment.stageName} has no image, so deleting its disks would leave no way to rebuild it.`, 'Capture or assign an image first, or keep a hypervisor snapshot instead.');
  }
  const found = await findVms(store, stageId, connections);
  const warnings = [...found.warnings];
  if (open) warnings.push(...reconcile(store, actor, open, found.inventories, new Date(now).toISOString()));
  if (!open && found.targets.length === 0) throw new StagecraftError('conflict', `${environment.serviceName} ${environment.stageName} holds no VM of a registered hypervisor: there is nothing to reclaim.`, found.warnings.join(' ') || undefined);
  const current = open ? store.assets.reclaimRun(open.id) : null;
  const records = open ? store.assets.reclaimVms(open.id) : [];
  const targets: ReclaimTarget[] = open ? records : found.targets;
  const phase = phaseOf(current, records, now);
  const snapshotName = current ? (records.find((r) => r.snapshotName)?.snapshotName ?? snapshotNameOf(now)) : snapshotNameOf(now);
  const vms: ReclaimVmPlan[] = [];
  for (const target of targets) {
    const record = records.find((v) => v.hypervisorId === target.hypervisorId && v.domain === target.domain);
    const step = record?.step ?? 'pending';
    const domain = found.inventories.get(target.hypervisorId)?.domains.find((d) => d.name === target.domain);
    const operations: OperationPlan[] = [];
    const plan = (op: HypervisorOperation) => planHypervisorOperation(store, target.hypervisorId, op, connections.for(target.hypervisorId));
    if (domain) {
      try {
        if (phase === 'power-off') {
          if (step === 'pending' && domain.state !== 'shutoff') operations.push(await plan({ kind: 'shutdown', domain: target.domain, force: options.force }));
          if (options.keep === 'snapshot' && (step === 'pending' || step === 'powered-off')) {
            operations.push(await plan({ kind: 'snapshot-create', domain: target.domain, name: snapshotName, description: `Kept by Stagecraft's reclaim of ${environment.serviceName} ${environment.stageName}` }));
          }
        } else if (phase === 'delete' && step !== 'deleted') {
          operations.push(await plan({ kind: 'delete', domain: target.domain, removeStorage: options.keep === 'image' }));
        }
      } catch (error) {
        warnings.push(`${target.hostName} (${target.domain}): nothing can be planned for it now: ${describeHypervisorFailure(error).message}`);
        operations.length = 0;
      }
    } else if (step !== 'deleted') warnings.push(`${target.hostName} (${target.domain}): its hypervisor did not answer; nothing is planned for it now.`);
    vms.push({ hostName: target.hostName, hostId: target.hostId, hypervisorId: target.hypervisorId, hypervisorName: store.hypervisors.get(target.hypervisorId).name, domain: target.domain, step, operations, lastError: record?.lastError ?? null });
  }
  const deleteAfter = current?.poweredOffAt ? new Date(Date.parse(current.poweredOffAt) + current.graceHours * HOUR).toISOString() : null;
  if (phase === 'wait') warnings.push(`The VMs are off; they may be deleted after ${deleteAfter} (grace period of ${current!.graceHours} h).`);
  return { stageId, serviceName: environment.serviceName, stageName: environment.stageName, runId: open?.id ?? null, phase, options, deleteAfter, vms, notVms: found.notVms, warnings };
}

const commandsOf = (plan: ReclaimPlan) => approvedCommands({ phase: plan.phase, runId: plan.runId }, plan.vms.map((vm) => ({ what: vm.domain, operations: vm.operations })));

export interface ReclaimRunOptions {
  /** The plan the user saw and confirmed: the run refuses when planning again gives other commands. */
  plan: ReclaimPlan;
  confirmed: boolean;
  /** Progress, after each VM's step is recorded (before its next hypervisor call), and a VM's failure (with its error). */
  onStep?: (vm: { domain: string; step: ReclaimStep; message: string; error?: string }) => void;
  now?: () => number;
  /** Stops before the next VM (each VM's step stays recorded; the next dry run carries on). */
  signal?: AbortSignal;
}

/**
 * Runs the confirmed phase. Every hypervisor call is audited (executeHypervisorOperation) and
 * surrounded by two recorded steps; a failure stops the run there, leaving each VM's state exact.
 */
export async function runReclaim(store: WorkspaceStore, actor: string, stageId: number, options: ReclaimRunOptions, connect: ConnectOptions = {}): Promise<ReclaimStatus> {
  return (await startReclaim(store, actor, stageId, options, connect)).done;
}

/** Checks the confirmed plan against the hypervisors again and records the run: refusals come back at once, the phase then runs in `done`. */
export async function startReclaim(store: WorkspaceStore, actor: string, stageId: number, options: ReclaimRunOptions, connect: ConnectOptions = {}): Promise<{ runId: number; done: Promise<ReclaimStatus> }> {
  if (options.confirmed !== true) throw new StagecraftError('refused', 'The reclaim was not confirmed: nothing was done.', 'Review the dry run and confirm it.');
  return startWithConnections(store, connect, (connections) => reclaimOver(store, actor, stageId, options, connections));
}

/** startReclaim over the connections its phase keeps. */
async function reclaimOver(store: WorkspaceStore, actor: string, stageId: number, options: ReclaimRunOptions, connections: SharedConnections): Promise<{ runId: number; done: Promise<ReclaimStatus> }> {
  const now = options.now ?? Date.now;
  const shown = options.plan;
  const again = await planReclaimOver(store, actor, stageId, shown.options, connections, now());
  if (commandsOf(again) !== commandsOf(shown)) {
    throw new StagecraftError('conflict', 'The hypervisors or the reclaim changed since the dry run: nothing was done.', 'Review the new dry run and confirm it.');
  }
  if (again.phase === 'wait') throw new StagecraftError('refused', `The grace period is not over: the VMs may be deleted after ${again.deleteAfter}.`, 'Run the delete phase then, or start a reclaim with a shorter grace period.');
  // A plan is "done" only for a run that exists (no run plans a power-off).
  if (again.phase === 'done') return { runId: again.runId!, done: Promise.resolve(reclaimStatus(store, stageId)) };
  const at = () => new Date(now()).toISOString();
  const environment = store.inventory.environment(stageId);
  const run =
    again.runId !== null
      ? store.assets.reclaimRun(again.runId)
      : store.write({ actor, action: 'reclaim.start', subject: `${again.serviceName} ${again.stageName}`, after: (r) => ({ run: r, vms: again.vms.map((vm) => vm.domain), notVms: again.notVms }) }, () =>
          store.assets.createReclaimRun(
            { stageId, createdAt: at(), createdBy: actor, keep: again.options.keep, imageId: environment.image?.id ?? null, graceHours: again.options.graceHours, force: again.options.force },
            again.vms.map((vm) => ({ hypervisorId: vm.hypervisorId, domain: vm.domain, hostId: vm.hostId, hostName: vm.hostName })),
          ),
        );
  const record = (vm: ReclaimVmPlan, changes: { step: ReclaimStep; snapshotName?: string; lastError?: string | null }) => {
    store.write({ actor, action: 'reclaim.step', subject: `reclaim run ${run.id}: ${vm.domain}`, after: () => changes }, () =>
      store.assets.updateReclaimVm(run.id, vm.hypervisorId, vm.domain, { lastError: null, ...changes }, at()),
    );
    options.onStep?.({ domain: vm.domain, step: changes.step, message: `${vm.hostName}: ${changes.step}` });
  };
  if (again.phase === 'delete') store.write({ actor, action: 'reclaim.phase', subject: `reclaim run ${run.id}`, after: () => ({ state: 'deleting' }) }, () => store.assets.updateReclaimRun(run.id, { state: 'deleting' }));

  return { runId: run.id, done: reclaimPhase(store, actor, run, again, record, options, connections) };
}

async function reclaimPhase(
  store: WorkspaceStore,
  actor: string,
  run: ReclaimRunRecord,
  again: ReclaimPlan,
  record: (vm: ReclaimVmPlan, changes: { step: ReclaimStep; snapshotName?: string; lastError?: string | null }) => void,
  options: ReclaimRunOptions,
  connections: SharedConnections,
): Promise<ReclaimStatus> {
  const stageId = again.stageId;
  const now = options.now ?? Date.now;
  const at = () => new Date(now()).toISOString();
  for (const vm of again.vms) {
    if (options.signal?.aborted) break;
    for (const op of vm.operations) {
      const [intent, done]: [ReclaimStep, ReclaimStep] = op.op.kind === 'shutdown' ? ['powering-off', 'powered-off'] : op.op.kind === 'snapshot-create' ? ['snapshotting', 'kept'] : ['deleting', 'deleted'];
      record(vm, { step: intent, ...(op.op.kind === 'snapshot-create' && { snapshotName: op.op.name }) });
      try {
        await executeHypervisorOperation(store, actor, vm.hypervisorId, op, { ...connections.for(vm.hypervisorId), confirmed: true });
      } catch (error) {
        const failure = describeHypervisorFailure(error);
        const lastError = `${failure.message} ${failure.remedy}`.trim();
        store.write({ actor, action: 'reclaim.step', subject: `reclaim run ${run.id}: ${vm.domain}`, after: () => ({ step: intent, error: failure.message }) }, () =>
          store.assets.updateReclaimVm(run.id, vm.hypervisorId, vm.domain, { lastError }, at()),
        );
        options.onStep?.({ domain: vm.domain, step: intent, message: `${vm.hostName}: ${op.description} failed`, error: lastError });
        return reclaimStatus(store, stageId);
      }
      // A graceful shutdown only asks the guest: the VM stays "powering off" until a later plan sees it off.
      if (op.op.kind === 'shutdown' && !op.op.force) break;
      record(vm, { step: done });
    }
    if (again.phase === 'power-off' && vm.operations.length === 0 && vm.step === 'pending') record(vm, { step: again.options.keep === 'snapshot' ? 'kept' : 'powered-off' });
  }
  const vms = store.assets.reclaimVms(run.id);
  const phase = phaseOf(store.assets.reclaimRun(run.id), vms, now());
  if (again.phase === 'power-off' && vms.every((vm) => vm.step === (again.options.keep === 'snapshot' ? 'kept' : 'powered-off') || vm.step === 'deleted')) {
    store.write({ actor, action: 'reclaim.phase', subject: `reclaim run ${run.id}`, after: () => ({ state: 'waiting', graceHours: run.graceHours }) }, () => store.assets.updateReclaimRun(run.id, { state: 'waiting', poweredOffAt: at() }));
  }
  if (phase === 'done') finishReclaim(store, actor, run, vms, at());
  return reclaimStatus(store, stageId);
}

/** All VMs gone: the environment is released (archived), its lease marked reclaimed. */
function finishReclaim(store: WorkspaceStore, actor: string, run: ReclaimRunRecord, vms: readonly ReclaimVmRecord[], at: string): void {
  const environment = store.inventory.environment(run.stageId);
  const deleted = new Set(vms.map((vm) => vm.hostId).filter((id): id is number => id !== null));
  const hosts = archivedHosts(store, environment.hosts.filter((h) => deleted.has(h.id)));
  store.write({ actor, action: 'reclaim.done', subject: `${environment.serviceName} ${environment.stageName}`, after: () => ({ run: run.id, released: hosts.map((h) => h.name), kept: run.keep === 'snapshot' ? 'a hypervisor snapshot in each VM\'s disks' : `image ${run.imageId}` }) }, () => {
    if (hosts.length > 0) store.assets.addArchive({ stageId: run.stageId, at, actor, imageId: run.imageId, hosts, reason: `reclaim run ${run.id}` });
    store.assets.releaseEnvironment(run.stageId, [...deleted]);
    for (const hostId of deleted) {
      const host = store.inventory.host(hostId);
      store.inventory.updateHost(hostId, { notes: `${host.notes}${host.notes ? '\n' : ''}VM deleted by reclaim run ${run.id} on ${at}.`.trim() });
    }
    store.assets.updateReclaimRun(run.id, { state: 'done', finishedAt: at });
    endLease(store, actor, run.stageId, 'reclaim', `reclaim run ${run.id}`, at);
  });
}
