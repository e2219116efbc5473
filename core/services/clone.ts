/**
 * Clone production (or an image) into another stage: for each role, copy production's VM (shut
 * off, or running from one of its snapshots) or a template through the hypervisor, under names and addresses from a naming rule and
 * with new MACs, register the clones as the target stage's hosts, then scan them where reachable
 * and show their parity against production. The dry run lists every hypervisor operation, the
 * pool that takes the new environment (or why none can), and every NIC that would sit on
 * production's network. Rebuild is the same with the stage's current environment archived first.
 *
 * A run records each VM's step before and after every hypervisor call, registration and scan, so a
 * run cut short (daemon gone, app closed) is resumed by clone-runs.ts without cloning anything twice.
 */
import type { DomainInfo, DomainSnapshotInfo, HypervisorInventory, OperationPlan } from '../connectors/libvirt/index';
import type { Capacity, Placement } from '../domain/assets';
import { DEFAULT_NAMING_RULE, isolationWarnings, nameClone, nameCollisions, type NamingRule } from '../domain/clone';
import { StagecraftError } from '../domain/errors';
import type { ParitySummary } from '../domain/parity';
import type { CloneRunRecord, CloneStep, CloneVmRecord } from '../store/asset-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { archiveEnvironment, placeNewEnvironment } from './assets';
import { driftServiceFor } from './drift-service';
import { approvedCommands, describeHypervisorFailure, diskBytesOf, executeHypervisorOperation, matchCandidates, matchDomains, planHypervisorOperation, refreshInventory, startWithConnections, withConnections, type ConnectOptions, type SharedConnections } from './hypervisors';
import { readCollectorScript, scanHosts, type HostScanResult, type ScanHostsOptions } from './scan';
import { recordParityOfSaved, scanTargets } from './scan-targets';

export interface CloneRequest {
  serviceId: number;
  toStageId: number;
  hypervisorId: number;
  /** Clone production's environment (its VMs, or the templates given per role), or build an image's roles from templates. */
  from: { kind: 'production' } | { kind: 'image'; imageId: number };
  /** Role → a shut-off template VM to clone instead of production's VM (required per role when cloning an image). */
  templates?: Record<string, string>;
  naming?: NamingRule;
  /** Rebuild: archive the stage's current environment and replace it. */
  replace?: boolean;
  /** Copy every source VM's disks from a snapshot (the VM may run; it is never stopped or changed). */
  snapshot?: SnapshotChoice;
  /** Per role, overriding `snapshot`. */
  snapshots?: Record<string, SnapshotChoice>;
}

export type SnapshotChoice = { kind: 'latest' } | { kind: 'named'; name: string };

export interface CloneVmPlan {
  role: string;
  /** The VM copied: production's VM or a template. */
  source: string;
  /** The snapshot of the source its disks are copied from, or null (the source is shut off). */
  snapshot: Pick<DomainSnapshotInfo, 'name' | 'createdAt' | 'state'> | null;
  /** The production host it stands in for (none when built from an image). */
  productionHost: string | null;
  newName: string;
  address: string;
  size: Capacity;
  operation: OperationPlan;
  isolation: string[];
}

export interface ClonePlan {
  request: CloneRequest;
  serviceName: string;
  fromStage: string | null;
  toStage: string;
  hypervisorName: string;
  vms: CloneVmPlan[];
  placement: Placement;
  /** Hosts the rebuild archives (release from the stage). */
  replaces: string[];
  /** Why the clone cannot run: each with what to do. Empty when it can. */
  blockers: string[];
  warnings: string[];
}

export interface CloneResult {
  runId: number;
  archiveId: number | null;
  hosts: { hostId: number; name: string; address: string; role: string; domain: string }[];
  /** Clones not made or not registered, with the error: nothing else is left behind untracked. */
  failed: { name: string; error: string }[];
  scans: { host: string; status: 'saved' | 'failed'; message: string }[];
  /** The target stage against production after the clone (and scan). */
  parity: ParitySummary | null;
}

const sizeOf = (domain: DomainInfo): Capacity => ({
  vcpus: domain.vcpus,
  memoryMb: domain.memoryMb,
  diskGb: Math.round(diskBytesOf(domain) / 1024 ** 3),
});

/** The source's snapshot the choice names (its newest for "latest"), or why there is none. */
function chooseSnapshot(domain: DomainInfo, choice: SnapshotChoice): DomainSnapshotInfo | string {
  if (domain.snapshots.length === 0) return `${domain.name} has no snapshot to clone from: take one (it may keep running), or clone it shut off.`;
  if (choice.kind === 'latest') return [...domain.snapshots].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))[0]!;
  return domain.snapshots.find((s) => s.name === choice.name) ?? `${domain.name} has no snapshot "${choice.name}"; it has ${domain.snapshots.map((s) => `"${s.name}"`).join(', ')}.`;
}

function productionStage(store: WorkspaceStore, serviceId: number) {
  const service = store.inventory.getService(serviceId);
  const production = service.stages.find((s) => s.isProduction);
  if (!production) throw new StagecraftError('conflict', `${service.name} has no production stage to clone.`, 'Mark a stage as production in its lifecycle.');
  return { service, production };
}

/** The dry run: every hypervisor operation, names, placement and isolation, and what blocks it. Changes nothing but the cached inventory. */
export async function planClone(store: WorkspaceStore, request: CloneRequest, connect: ConnectOptions = {}): Promise<ClonePlan> {
  return withConnections(store, connect, (connections) => planOver(store, request, connections.for(request.hypervisorId)));
}

/** planClone over one connection to the hypervisor. */
async function planOver(store: WorkspaceStore, request: CloneRequest, connect: ConnectOptions): Promise<ClonePlan> {
  const { service, production } = productionStage(store, request.serviceId);
  const target = service.stages.find((s) => s.id === request.toStageId);
  if (!target) throw new StagecraftError('not-found', `${service.name} has no stage ${request.toStageId}.`);
  if (target.isProduction) throw new StagecraftError('refused', `${target.name} is production: clones go into preproduction stages only.`);
  const hypervisor = store.hypervisors.get(request.hypervisorId);
  const inventory: HypervisorInventory = (await refreshInventory(store, hypervisor.id, connect)).inventory;
  const blockers: string[] = [];
  const warnings = [...inventory.warnings];
  const templates = request.templates ?? {};
  const naming = request.naming ?? DEFAULT_NAMING_RULE;
  const domainNamed = (name: string) => inventory.domains.find((d) => d.name === name);

  const productionEnv = store.inventory.environment(production.id);
  const matched = matchDomains(inventory, matchCandidates(store, productionEnv.hosts.map((h) => h.id))).matched;
  const productionDomains = matched.map((m) => domainNamed(m.domain)!);

  // What to copy, role by role: [role, source VM name, production host].
  const sources: [string, string | null, string | null][] = [];
  if (request.from.kind === 'production') {
    if (productionEnv.hosts.length === 0) blockers.push(`${service.name} production holds no hosts: there is nothing to clone.`);
    for (const host of productionEnv.hosts) {
      for (const role of host.roles) {
        const vm = templates[role] ?? matched.find((m) => m.hostId === host.id)?.domain ?? null;
        if (vm === null) blockers.push(`${host.name} (${role}) is not a VM of ${hypervisor.name}: give a template VM for role ${role}.`);
        sources.push([role, vm, host.name]);
      }
    }
  } else {
    const image = store.images.get(request.from.imageId);
    if (image.serviceId !== service.id) throw new StagecraftError('invalid-input', `Image ${image.label} belongs to another service.`);
    for (const role of Object.keys(store.images.content(image.id).roles)) {
      const vm = templates[role] ?? null;
      if (vm === null) blockers.push(`Role ${role} of image ${image.label} needs a template VM to clone.`);
      sources.push([role, vm, null]);
    }
  }

  const existingNames = new Set([...inventory.domains.map((d) => d.name.toLowerCase()), ...[...store.assets.sizedHosts().map((h) => h.name.toLowerCase())]]);
  const perRole = new Map<string, number>();
  const vms: CloneVmPlan[] = [];
  for (const [role, source, productionHost] of sources) {
    const n = (perRole.get(role) ?? 0) + 1;
    perRole.set(role, n);
    if (source === null) continue;
    const domain = domainNamed(source);
    if (!domain) {
      blockers.push(`${hypervisor.name} has no VM "${source}" (role ${role}).`);
      continue;
    }
    const choice = request.snapshots?.[role] ?? request.snapshot;
    const snapshot = choice ? chooseSnapshot(domain, choice) : null;
    if (typeof snapshot === 'string') {
      blockers.push(`${snapshot} (role ${role})`);
      continue;
    }
    if (domain.state !== 'shutoff' && !snapshot) {
      blockers.push(`${source} (role ${role}) is ${domain.state}: a VM is cloned shut off or from one of its snapshots. Clone it from a snapshot (it keeps running), shut it down in a maintenance window, or give a shut-off template for role ${role}.`);
      continue;
    }
    const { name, address } = nameClone(naming, { service: service.name, stage: target.name, role, n, source });
    if (store.inventory.findHostByName(name)) existingNames.add(name);
    let operation: OperationPlan;
    try {
      operation = await planHypervisorOperation(store, hypervisor.id, { kind: 'clone', template: source, newName: name, ...(snapshot && { snapshot: snapshot.name }) }, connect);
    } catch (error) {
      blockers.push(`${name}: ${describeHypervisorFailure(error).message}`);
      continue;
    }
    const macs = operation.op.kind === 'clone' ? (operation.op.macs ?? []) : [];
    const nics = domain.nics.map((nic, i) => ({ ...nic, mac: macs[i] ?? nic.mac }));
    vms.push({ role, source, snapshot: snapshot && { name: snapshot.name, createdAt: snapshot.createdAt, state: snapshot.state }, productionHost, newName: name, address, size: sizeOf(domain), operation, isolation: isolationWarnings(name, nics, productionDomains.flatMap((d) => d.nics)) });
  }
  const collisions = nameCollisions(
    vms.map((vm) => vm.newName),
    existingNames,
  );
  for (const name of collisions) blockers.push(`The name ${name} is already taken (a host or a VM): change the naming rule.`);

  const current = store.inventory.environment(target.id);
  if (current.hosts.length > 0 && !request.replace) blockers.push(`${service.name} ${target.name} already holds ${current.hosts.length} host(s): rebuild it (replace) to archive them first.`);
  const required = vms.reduce<Capacity>((sum, vm) => ({ vcpus: sum.vcpus + vm.size.vcpus, memoryMb: sum.memoryMb + vm.size.memoryMb, diskGb: sum.diskGb + vm.size.diskGb }), { vcpus: 0, memoryMb: 0, diskGb: 0 });
  const placement = placeNewEnvironment(store, target.name, required, request.replace ? current.hosts.map((h) => h.id) : []);
  if (placement.chosen === null) {
    if (placement.candidates.length === 0) warnings.push(`${placement.reason} The clones are not counted against any capacity.`);
    else blockers.push(placement.reason ?? 'No pool has room.');
  }
  return {
    request,
    serviceName: service.name,
    fromStage: request.from.kind === 'production' ? production.name : null,
    toStage: target.name,
    hypervisorName: hypervisor.name,
    vms,
    placement,
    // Sorted: the confirmed dry run is compared with the plan made again at run time.
    replaces: request.replace ? current.hosts.map((h) => h.name).sort() : [],
    blockers,
    warnings,
  };
}

/** What confirming a clone approves: the hosts a rebuild archives, the pool the clones join, and each clone's name, address, role and commands. */
const approvedOf = (plan: ClonePlan) => approvedCommands({ archives: plan.replaces, pool: plan.placement.chosen?.poolId ?? null }, plan.vms.map((vm) => ({ what: [vm.newName, vm.address, vm.role], operations: [vm.operation] })));

/** What changed between the confirmed dry run and the plan made again, for people. */
function planChange(shown: ClonePlan, again: ClonePlan): string {
  const poolName = (plan: ClonePlan) => (plan.placement.chosen ? `pool ${plan.placement.chosen.poolName}` : 'no pool');
  if (again.replaces.join() !== shown.replaces.join()) return `the rebuild would now archive ${again.replaces.join(', ') || 'no host'}, the dry run ${shown.replaces.join(', ') || 'no host'}`;
  if (again.placement.chosen?.poolId !== shown.placement.chosen?.poolId) {
    const full = shown.placement.chosen && again.placement.candidates.find((c) => c.poolId === shown.placement.chosen!.poolId);
    return `the clones would now go into ${poolName(again)}, the dry run chose ${poolName(shown)}${full && !full.fits ? ` (it has no room now: ${full.shortfalls.join('; ')})` : ''}`;
  }
  return 'the hypervisor or the inventory changed the clones or their commands';
}

/** One VM reaching a step of a clone run (after it is recorded), or failing at it. */
export interface CloneProgress {
  runId: number;
  vm: string;
  step: CloneStep;
  message: string;
  state: 'running' | 'done' | 'failed';
}

export interface CloneRunOptions {
  /** The dry run the user confirmed; each clone runs with exactly its operation (and MACs). */
  plan: ClonePlan;
  confirmed: boolean;
  /** Scan the clones once registered (they must answer SSH; failures are reported, not fatal). */
  scan?: boolean;
  ssh?: Omit<ScanHostsOptions, 'actor' | 'collectorScript'>;
  onProgress?: (event: CloneProgress) => void;
  /** Stops before the next VM (the rest stay planned, to resume). */
  signal?: AbortSignal;
}

/** Runs this process holds (running, or a resume being checked): any other "running" run was cut short. */
const liveRuns = new Set<number>();
export const isCloneRunLive = (runId: number) => liveRuns.has(runId);

/**
 * Takes a run for one caller, or refuses when this process holds it already (another window runs or
 * resumes it). continueClone lets it go when it ends; a caller that does not get that far lets it go itself.
 */
export function claimCloneRun(runId: number): void {
  if (liveRuns.has(runId)) throw new StagecraftError('conflict', `Clone run ${runId} is running now: nothing was done.`, 'Wait for it to end.');
  liveRuns.add(runId);
}

export const releaseCloneRun = (runId: number): void => void liveRuns.delete(runId);

/** What is left for one VM of a run: what continueClone does with it. */
export interface CloneWork {
  record: CloneVmRecord;
  /** clone: run `operation`; adopt: the hypervisor has its clone (recorded MACs), only record it; register, scan: from there on; none: finished. */
  action: 'clone' | 'adopt' | 'register' | 'scan' | 'none';
  operation: OperationPlan | null;
}

/**
 * Validates the confirmed plan against the hypervisor again, archives the stage (rebuild), records
 * the run and its VMs, and starts it: refusals come back at once, the run then goes on in `done`.
 */
export async function startClone(store: WorkspaceStore, actor: string, resourcesDir: string, options: CloneRunOptions, connect: ConnectOptions = {}): Promise<{ runId: number; done: Promise<CloneResult> }> {
  if (options.confirmed !== true) throw new StagecraftError('refused', 'The clone was not confirmed: nothing was done.', 'Review the dry run and confirm it.');
  const shown = options.plan;
  if (shown.blockers.length > 0) throw new StagecraftError('refused', `The clone cannot run: ${shown.blockers.join(' ')}`);
  return startWithConnections(store, connect, (connections) => startOver(store, actor, resourcesDir, options, connections));
}

/** startClone over the connections its run keeps. */
async function startOver(store: WorkspaceStore, actor: string, resourcesDir: string, options: CloneRunOptions, connections: SharedConnections): Promise<{ runId: number; done: Promise<CloneResult> }> {
  const shown = options.plan;
  const again = await planOver(store, shown.request, connections.for(shown.request.hypervisorId));
  if (again.blockers.length > 0) throw new StagecraftError('conflict', `Since the dry run, the clone became impossible: ${again.blockers.join(' ')}`, 'Review the new dry run.');
  if (approvedOf(again) !== approvedOf(shown)) throw new StagecraftError('conflict', `The plan changed since the dry run (${planChange(shown, again)}): nothing was done.`, 'Make the dry run again and confirm it.');
  const request = shown.request;
  const at = new Date().toISOString();
  const poolId = shown.placement.chosen?.poolId ?? null;
  const run = store.write(
    { actor, action: 'clone.start', subject: `${shown.serviceName} ${shown.toStage}`, after: (r) => ({ run: r.id, from: shown.fromStage, vms: shown.vms.map((vm) => `${vm.source}${vm.snapshot ? ` (snapshot ${vm.snapshot.name})` : ''} → ${vm.newName}`), pool: shown.placement.chosen?.poolName ?? null, isolation: shown.vms.flatMap((vm) => vm.isolation) }) },
    () => {
      // One transaction with the run's record: a rebuild never leaves its stage archived with no run to resume.
      const archiveId = request.replace && shown.replaces.length > 0 ? archiveEnvironment(store, actor, request.toStageId, `rebuilt by fresh clones of ${shown.fromStage ?? 'an image'}`).archiveId : null;
      return store.assets.createCloneRun(
        { serviceId: request.serviceId, fromStageId: request.from.kind === 'production' ? (store.inventory.getService(request.serviceId).stages.find((s) => s.isProduction)?.id ?? null) : null, imageId: request.from.kind === 'image' ? request.from.imageId : null, toStageId: request.toStageId, hypervisorId: request.hypervisorId, archiveId, createdAt: at, createdBy: actor, scan: options.scan === true },
        shown.vms.map((vm) => ({ role: vm.role, sourceDomain: vm.source, sourceSnapshot: vm.snapshot?.name ?? null, productionHost: vm.productionHost, newName: vm.newName, address: vm.address, macs: vm.operation.op.kind === 'clone' ? (vm.operation.op.macs ?? []) : [], size: vm.size, poolId })),
      );
    },
  );
  const records = store.assets.cloneVms(run.id);
  const work: CloneWork[] = shown.vms.map((vm) => ({ record: records.find((r) => r.newName === vm.newName)!, action: 'clone', operation: vm.operation }));
  claimCloneRun(run.id);
  return { runId: run.id, done: continueClone(store, actor, resourcesDir, run, work, options, connections) };
}

/** Runs a confirmed clone to its end: archive (rebuild), clone each VM, register it, refresh, scan, parity. */
export async function runClone(store: WorkspaceStore, actor: string, resourcesDir: string, options: CloneRunOptions, connect: ConnectOptions = {}): Promise<CloneResult> {
  return (await startClone(store, actor, resourcesDir, options, connect)).done;
}

/** Takes each VM of a claimed run from where it stands to registered (and scanned when the run scans), every step recorded first, over the caller's connections; then lets the run go. */
export async function continueClone(
  store: WorkspaceStore,
  actor: string,
  resourcesDir: string,
  run: CloneRunRecord,
  work: readonly CloneWork[],
  options: Pick<CloneRunOptions, 'ssh' | 'onProgress' | 'signal'>,
  connections: SharedConnections,
): Promise<CloneResult> {
  try {
    return await carryOut(store, actor, resourcesDir, run, work, options, connections.for(run.hypervisorId));
  } finally {
    releaseCloneRun(run.id);
  }
}

async function carryOut(store: WorkspaceStore, actor: string, resourcesDir: string, run: CloneRunRecord, work: readonly CloneWork[], options: Pick<CloneRunOptions, 'ssh' | 'onProgress' | 'signal'>, connect: ConnectOptions): Promise<CloneResult> {
  const at = () => new Date().toISOString();
  const hypervisorName = store.hypervisors.get(run.hypervisorId).name;
  const report = (vm: string, step: CloneStep, message: string, state: CloneProgress['state'] = 'running') => options.onProgress?.({ runId: run.id, vm, step, message, state });
  const step = (vm: CloneVmRecord, changes: Parameters<WorkspaceStore['assets']['updateCloneVm']>[2], message: string) => {
    store.assets.updateCloneVm(run.id, vm.newName, { lastError: null, ...changes }, at());
    if (changes.step) report(vm.newName, changes.step, message, changes.step === 'scanned' ? 'done' : 'running');
  };
  const failed = (vm: CloneVmRecord, error: unknown) => {
    const failure = describeHypervisorFailure(error);
    const message = `${failure.message} ${failure.remedy}`.trim();
    store.assets.updateCloneVm(run.id, vm.newName, { lastError: message }, at());
    report(vm.newName, store.assets.cloneVms(run.id).find((v) => v.newName === vm.newName)!.step, message, 'failed');
  };

  for (const item of work) {
    if (options.signal?.aborted) break;
    const vm = item.record;
    let current = vm.step;
    if (item.action === 'clone' && item.operation) {
      step(vm, { step: 'cloning' }, item.operation.description);
      try {
        await executeHypervisorOperation(store, actor, run.hypervisorId, item.operation, { ...connect, confirmed: true });
      } catch (error) {
        failed(vm, error);
        continue;
      }
      step(vm, { step: 'cloned' }, `${vm.newName} defined on ${hypervisorName}`);
      current = 'cloned';
    } else if (item.action === 'adopt') {
      store.write({ actor, action: 'clone.adopt', subject: `clone run ${run.id}: ${vm.newName}`, after: () => ({ domain: vm.newName, macs: vm.macs, recorded: vm.step }) }, () => step(vm, { step: 'cloned' }, `${vm.newName} is on ${hypervisorName} with its recorded MAC(s): adopted, not cloned again`));
      current = 'cloned';
    }
    if (current === 'cloned') {
      try {
        register(store, actor, run, vm, hypervisorName, at());
      } catch (error) {
        // This VM's failure (its name taken, anything the inventory refuses), recorded with it (it stays "cloned", to resume); the others go on.
        failed(vm, error);
        continue;
      }
      report(vm.newName, 'registered', `${vm.newName} is a host of the stage (role ${vm.role})`, run.scan ? 'running' : 'done');
    }
  }

  const records = store.assets.cloneVms(run.id);
  const registered = records.filter((r) => r.hostId !== null && (r.step === 'registered' || r.step === 'scanned'));
  if (run.imageId !== null && registered.length > 0 && store.inventory.environment(run.toStageId).image?.id !== run.imageId) {
    const imageId = run.imageId;
    store.write({ actor, action: 'image.assign', subject: `stage ${run.toStageId}`, after: (previous) => ({ imageId, previous }) }, () => store.images.assign(run.toStageId, imageId, actor));
  }
  try {
    await refreshInventory(store, run.hypervisorId, connect);
  } catch {
    // The clones are registered either way; the cached inventory catches up on the next refresh.
  }
  const toScan = records.filter((r) => r.step === 'registered' && r.hostId !== null);
  if (run.scan && toScan.length > 0 && !options.signal?.aborted) {
    // Each clone is scanned as a scan of its stage would: its role's watched files, parity recorded after.
    const targets = scanTargets(store, { hostIds: toScan.map((r) => r.hostId!) });
    const results: HostScanResult[] = await scanHosts(store, targets, { ...options.ssh, actor, collectorScript: readCollectorScript(resourcesDir) });
    recordParityOfSaved(store, actor, targets, results, at());
    for (const result of results) {
      const vm = toScan.find((r) => r.hostId === result.hostId)!;
      const scan = { status: result.status, message: result.status === 'saved' ? `snapshot ${result.snapshotId}` : `${result.failure.message} ${result.failure.remedy}` };
      step(vm, { step: 'scanned', scan }, `scan ${scan.status}: ${scan.message}`);
    }
  }
  const final = store.assets.cloneVms(run.id);
  const finished = (r: CloneVmRecord) => r.step === 'scanned' || (r.step === 'registered' && !run.scan);
  const state = final.every(finished) ? 'done' : 'failed';
  const failures = final.filter((r) => r.lastError !== null).map((r) => ({ name: r.newName, error: r.lastError! }));
  store.write({ actor, action: 'clone.finish', subject: `clone run ${run.id}`, after: () => ({ run: run.id, state, cloned: final.filter((r) => r.hostId !== null).map((r) => r.newName), failed: failures }) }, () =>
    store.assets.updateCloneRun(run.id, state, state === 'done' ? at() : null),
  );
  const parity = driftServiceFor(store).serviceDrift(run.serviceId).stages.find((s) => s.stageId === run.toStageId)?.production ?? null;
  return {
    runId: run.id,
    archiveId: run.archiveId,
    hosts: final.filter((r) => r.hostId !== null).map((r) => ({ hostId: r.hostId!, name: r.newName, address: r.address, role: r.role, domain: r.newName })),
    failed: failures,
    scans: final.filter((r) => r.scan !== null).map((r) => ({ host: r.newName, status: r.scan!.status, message: r.scan!.message })),
    parity,
  };
}

/** Why a cloned VM cannot be registered as a host of the run's stage now (what, and what to do), or null. */
export function registrationBlocker(store: WorkspaceStore, run: CloneRunRecord, vm: CloneVmRecord, hypervisorName: string): string | null {
  const taken = store.inventory.findHostByName(vm.newName);
  if (!taken) return null;
  return `${vm.newName} is cloned on ${hypervisorName} but cannot be registered: the inventory already has a host named ${taken.name} (address ${taken.address}) that clone run ${run.id} did not register. If that host is this VM (imported meanwhile), it is in the inventory already and the run leaves it as it is; otherwise delete the VM ${vm.newName} from ${hypervisorName} and clone again with another naming rule.`;
}

/** Registers a cloned VM as a host of the stage (and its pool) in the same transaction as its step. */
function register(store: WorkspaceStore, actor: string, run: CloneRunRecord, vm: CloneVmRecord, hypervisorName: string, at: string): void {
  const blocker = registrationBlocker(store, run, vm, hypervisorName);
  if (blocker) throw new StagecraftError('conflict', blocker);
  store.write({ actor, action: 'clone.register', subject: `host ${vm.newName}`, after: (id) => ({ hostId: id, stageId: run.toStageId, role: vm.role, domain: vm.newName, pool: vm.poolId }) }, () => {
    const id = store.inventory.addHost({
      name: vm.newName,
      address: vm.address,
      kind: 'vm',
      ...(vm.size && { vcpus: vm.size.vcpus, memoryMb: vm.size.memoryMb, diskGb: vm.size.diskGb }),
      notes: `Cloned from ${vm.sourceDomain}${vm.sourceSnapshot ? ` (snapshot ${vm.sourceSnapshot})` : ''}${vm.productionHost ? ` (production host ${vm.productionHost})` : ''} on hypervisor ${hypervisorName} by clone run ${run.id}.`,
    });
    store.inventory.placeHost(run.toStageId, id, vm.role);
    if (vm.poolId !== null) store.assets.setMember(id, vm.poolId);
    store.assets.updateCloneVm(run.id, vm.newName, { step: 'registered', hostId: id, lastError: null }, at);
    return id;
  });
}
