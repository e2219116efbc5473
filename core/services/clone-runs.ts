/**
 * A clone run after the fact: what it did and has left, from the workspace alone (offline), and
 * its resume. Resuming reads the hypervisor first: a VM whose clone was started (or only planned)
 * and that the hypervisor has with the MACs the run recorded is adopted, never cloned twice; one
 * it does not have is cloned with the very operation recorded (same name, MACs, snapshot); a VM
 * of that name with other MACs, or disk volumes an interrupted copy left behind, stop that VM with
 * the exact command that clears the way. Like a clone, a resume is a dry run first, then confirmed.
 */
import type { HypervisorInventory } from '../connectors/libvirt/index';
import { StagecraftError } from '../domain/errors';
import { escapeRegExp } from '../domain/glob';
import type { ParitySummary } from '../domain/parity';
import type { CloneRunRecord, CloneStep, CloneVmRecord } from '../store/asset-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { claimCloneRun, continueClone, isCloneRunLive, registrationBlocker, releaseCloneRun, type CloneResult, type CloneRunOptions, type CloneWork } from './clone';
import { driftServiceFor } from './drift-service';
import { approvedCommands, describeHypervisorFailure, planHypervisorOperation, refreshInventory, startWithConnections, withConnections, type ConnectOptions, type SharedConnections } from './hypervisors';

export interface CloneRunView extends CloneRunRecord {
  serviceName: string;
  fromStage: string | null;
  toStage: string;
  hypervisorName: string;
  /** True while this process runs it; a "running" run that is not live was cut short. */
  live: boolean;
}

export interface CloneStatus {
  run: CloneRunView | null;
  vms: (Omit<CloneVmRecord, 'runId' | 'sourceDomain' | 'sourceSnapshot' | 'productionHost' | 'size' | 'poolId'> & { source: string; snapshot: string | null })[];
  /** Each VM's remaining work, in words. */
  left: string[];
  parity: ParitySummary | null;
}

function describeLeft(vm: CloneVmRecord, scan: boolean): string | null {
  const then = scan ? ', register, scan' : ', register';
  const what: Record<CloneStep, string | null> = {
    planned: `clone${then}`,
    cloning: `its clone was started; resume checks whether ${vm.newName} is on the hypervisor (then adopts it) or clones it${then}`,
    cloned: `register${scan ? ', scan' : ''}`,
    registered: scan ? 'scan' : null,
    scanned: null,
  };
  const left = what[vm.step];
  return left === null ? null : `${vm.newName} (${vm.role}, from ${vm.sourceDomain}${vm.sourceSnapshot ? ` snapshot ${vm.sourceSnapshot}` : ''}): ${left}${vm.lastError ? ` — last error: ${vm.lastError}` : ''}`;
}

function runView(store: WorkspaceStore, run: CloneRunRecord): CloneRunView {
  const service = store.inventory.getService(run.serviceId);
  const stageName = (id: number | null) => service.stages.find((s) => s.id === id)?.name ?? null;
  return { ...run, serviceName: service.name, fromStage: stageName(run.fromStageId), toStage: stageName(run.toStageId) ?? `stage ${run.toStageId}`, hypervisorName: store.hypervisors.get(run.hypervisorId).name, live: isCloneRunLive(run.id) };
}

/** What a clone run into the stage (its latest, or the one given) did and has left, from the workspace (offline). */
export function cloneStatus(store: WorkspaceStore, stageId: number, runId?: number): CloneStatus {
  const run = runId === undefined ? store.assets.latestCloneRun(stageId) : store.assets.cloneRun(runId);
  if (!run) return { run: null, vms: [], left: [], parity: null };
  if (run.toStageId !== stageId) throw new StagecraftError('invalid-input', `Clone run ${run.id} cloned into another stage.`, 'Ask with the stage it cloned into.');
  const records = store.assets.cloneVms(run.id);
  const parity = driftServiceFor(store).serviceDrift(run.serviceId).stages.find((s) => s.stageId === run.toStageId)?.production ?? null;
  return {
    run: runView(store, run),
    vms: records.map(({ runId: _run, sourceDomain, sourceSnapshot, productionHost: _host, size: _size, poolId: _pool, ...vm }) => ({ ...vm, source: sourceDomain, snapshot: sourceSnapshot })),
    left: records.map((vm) => describeLeft(vm, run.scan)).filter((s): s is string => s !== null),
    parity,
  };
}

export interface CloneResumeVm extends Omit<CloneWork, 'action'> {
  /** blocked: nothing can be done for it now (note says why and what to do). */
  action: CloneWork['action'] | 'blocked';
  note: string;
}

export interface CloneResumePlan {
  runId: number;
  serviceName: string;
  toStage: string;
  hypervisorName: string;
  vms: CloneResumeVm[];
  /** Why the run cannot be resumed at all. */
  blockers: string[];
  warnings: string[];
}

const sameMacs = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((mac, i) => mac.toLowerCase() === b[i]!.toLowerCase());

/** Volumes named as the clone's disks are (NAME.ext for the first, NAME-vdb.ext…) that an interrupted copy left in a pool. */
function leftoverVolumes(inventory: HypervisorInventory, name: string) {
  const disk = new RegExp(`^${escapeRegExp(name)}(-[a-z]{2,4})?(\\.[A-Za-z0-9]+)?$`);
  return inventory.pools.flatMap((pool) => pool.volumes.filter((v) => disk.test(v.name)).map((v) => ({ pool: pool.name, volume: v.name })));
}

async function resumeVm(store: WorkspaceStore, run: CloneRunView, vm: CloneVmRecord, inventory: HypervisorInventory, connections: SharedConnections): Promise<CloneResumeVm> {
  const base = { record: vm, operation: null };
  const domain = inventory.domains.find((d) => d.name === vm.newName);
  switch (vm.step) {
    case 'scanned':
      return { ...base, action: 'none', note: 'done' };
    case 'registered':
      return run.scan ? { ...base, action: 'scan', note: 'registered; to be scanned' } : { ...base, action: 'none', note: 'done' };
    case 'cloned': {
      if (!domain) return { ...base, action: 'blocked', note: `recorded as cloned, but ${inventory.uri} has no VM ${vm.newName} any more (removed outside Stagecraft?): it is not registered. Clone the stage again for it.` };
      const blocker = registrationBlocker(store, run, vm, run.hypervisorName);
      return blocker ? { ...base, action: 'blocked', note: blocker } : { ...base, action: 'register', note: 'cloned; to be registered' };
    }
    case 'planned':
    case 'cloning': {
      if (domain) {
        const macs = domain.nics.map((n) => n.mac);
        if (sameMacs(macs, vm.macs)) return { ...base, action: 'adopt', note: `${vm.newName} is on the hypervisor with the recorded MAC(s) ${vm.macs.join(', ') || '(no NIC)'}: its clone had run; adopted, not cloned again` };
        return { ...base, action: 'blocked', note: `a VM named ${vm.newName} is on the hypervisor with other MAC(s) (${macs.join(', ') || 'none'}, recorded ${vm.macs.join(', ') || 'none'}): it is not this run's clone. Rename or remove it, then resume.` };
      }
      const leftovers = leftoverVolumes(inventory, vm.newName);
      if (leftovers.length > 0) {
        // Shown by the run's runner: quoted as its shell needs, over SSH when virsh runs there.
        const commands = leftovers.map((l) => connections.runner(run.hypervisorId).display(['vol-delete', '--pool', l.pool, '--vol', l.volume])).join('; ');
        return { ...base, action: 'blocked', note: `the interrupted copy left ${leftovers.map((l) => `${l.pool}/${l.volume}`).join(', ')} but no VM ${vm.newName}: check and delete it (${commands}), then resume.` };
      }
      try {
        const operation = await planHypervisorOperation(store, run.hypervisorId, { kind: 'clone', template: vm.sourceDomain, newName: vm.newName, macs: vm.macs, ...(vm.sourceSnapshot !== null && { snapshot: vm.sourceSnapshot }) }, connections.for(run.hypervisorId));
        return { record: vm, operation, action: 'clone', note: vm.step === 'cloning' ? 'its clone was started but the hypervisor has no such VM: cloned now' : 'not cloned yet' };
      } catch (error) {
        return { ...base, action: 'blocked', note: `it cannot be cloned now: ${describeHypervisorFailure(error).message}` };
      }
    }
  }
}

/** The dry run of a resume: per VM what is left and the exact operation; reads the hypervisor. */
export async function planCloneResume(store: WorkspaceStore, runId: number, connect: ConnectOptions = {}): Promise<CloneResumePlan> {
  const run = store.assets.cloneRun(runId);
  return withConnections(store, connect, (connections) => planResumeOver(store, run, connections, isCloneRunLive(runId)));
}

/** planCloneResume over one connection to the run's hypervisor; `heldElsewhere`: another caller runs or resumes it now. */
async function planResumeOver(store: WorkspaceStore, run: CloneRunRecord, connections: SharedConnections, heldElsewhere: boolean): Promise<CloneResumePlan> {
  const runId = run.id;
  const view = runView(store, run);
  const blockers: string[] = [];
  if (heldElsewhere) blockers.push(`Clone run ${runId} is running now: wait for it to end.`);
  const records = store.assets.cloneVms(runId);
  const inventory = (await refreshInventory(store, run.hypervisorId, connections.for(run.hypervisorId))).inventory;
  const vms: CloneResumeVm[] = [];
  for (const vm of records) vms.push(await resumeVm(store, view, vm, inventory, connections));
  const blocked = vms.filter((vm) => vm.action === 'blocked');
  if (blockers.length === 0 && vms.every((vm) => vm.action === 'none' || vm.action === 'blocked')) {
    blockers.push(blocked.length === 0 ? `Clone run ${runId} has nothing left to do.` : `Nothing of clone run ${runId} can go on now: ${blocked.map((vm) => `${vm.record.newName}: ${vm.note}`).join(' ')}`);
  }
  return { runId, serviceName: view.serviceName, toStage: view.toStage, hypervisorName: view.hypervisorName, vms, blockers, warnings: inventory.warnings };
}

const actionsOf = (plan: CloneResumePlan) => approvedCommands(plan.runId, plan.vms.map((vm) => ({ what: [vm.record.newName, vm.action], operations: [vm.operation] })));

export interface CloneResumeOptions extends Pick<CloneRunOptions, 'ssh' | 'onProgress' | 'signal'> {
  plan: CloneResumePlan;
  confirmed: boolean;
}

/** Runs a confirmed resume: the VMs not blocked go on from where they stand; the blocked ones stay as they are, in the status. */
export async function startCloneResume(store: WorkspaceStore, actor: string, resourcesDir: string, options: CloneResumeOptions, connect: ConnectOptions = {}): Promise<{ runId: number; done: Promise<CloneResult> }> {
  if (options.confirmed !== true) throw new StagecraftError('refused', 'The resume was not confirmed: nothing was done.', 'Review the dry run and confirm it.');
  const shown = options.plan;
  if (shown.blockers.length > 0) throw new StagecraftError('refused', `The clone run cannot be resumed: ${shown.blockers.join(' ')}`);
  // Claimed before the hypervisor is asked again: a second confirmation of the same resume (another
  // window) must not pass its checks on a plan read while the first was already cloning.
  claimCloneRun(shown.runId);
  try {
    return await resumeClaimed(store, actor, resourcesDir, options, connect);
  } catch (error) {
    releaseCloneRun(shown.runId);
    throw error;
  }
}

/** Checks and starts a resume of a run this caller claimed; once started, continueClone lets the run go. */
async function resumeClaimed(store: WorkspaceStore, actor: string, resourcesDir: string, options: CloneResumeOptions, connect: ConnectOptions): Promise<{ runId: number; done: Promise<CloneResult> }> {
  const shown = options.plan;
  const run = store.assets.cloneRun(shown.runId);
  return startWithConnections(store, connect, async (connections) => {
    const again = await planResumeOver(store, run, connections, false);
    if (again.blockers.length > 0) throw new StagecraftError('conflict', `Since the dry run, the resume became impossible: ${again.blockers.join(' ')}`, 'Review the new dry run.');
    if (actionsOf(again) !== actionsOf(shown)) throw new StagecraftError('conflict', 'The hypervisor or the run changed since the dry run: nothing was done.', 'Review the new dry run and confirm it.');
    const work = again.vms.flatMap((vm): CloneWork[] => (vm.action === 'blocked' ? [] : [{ record: vm.record, action: vm.action, operation: vm.operation }]));
    store.write({ actor, action: 'clone.resume', subject: `clone run ${run.id}`, after: () => ({ run: run.id, vms: again.vms.map((vm) => ({ vm: vm.record.newName, step: vm.record.step, action: vm.action, note: vm.note })) }) }, () =>
      store.assets.updateCloneRun(run.id, 'running', null),
    );
    return { runId: run.id, done: continueClone(store, actor, resourcesDir, run, work, options, connections) };
  });
}
