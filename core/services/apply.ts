/**
 * Applying an approved change to its hosts, the way the CAB approved it: only a scheduled change
 * whose window is open (change control's own `implement` check decides); a dry run first; then
 * host by host in the plan's order (a canary first when asked), each host safeguarded (its VM
 * snapshotted through its hypervisor, otherwise its files and package versions backed up on the
 * host), its steps run, verified by a rescan against the image, and rolled back by itself when a
 * step or the verification fails. Every host state and every command is written before and after
 * it happens, so a run cut short by a dead link or a dead app says which host is in doubt, and
 * `resumeApply` completes or rolls it back without running a finished command twice.
 */
import type { CallOutput, EventPayload } from '../contract/index';
import { hostApplyScript, rollbackCommands, type HostApplyScript, type HostCommand } from '../domain/apply-plan';
import { driftAgainstImage } from '../domain/drift';
import type { ApplyPhase, ApplyRunState } from '../domain/apply-states';
import { applySnapshotName } from '../domain/change-record';
import { isStagecraftError, StagecraftError } from '../domain/errors';
import type { Snapshot } from '../domain/facts';
import type { ImageContent } from '../domain/image';
import type { HostRecord } from '../domain/inventory';
import { factsMatch, factsOf, splitFactKey } from '../domain/normalise';
import type { HostPlan } from '../domain/promotion-plan';
import { textDiff } from '../domain/textdiff';
import { isLibvirtFailure } from '../connectors/libvirt/index';
import { isSshFailure, RemoteShell, shellCommand, type RemoteShellOptions } from '../connectors/ssh/index';
import type { ApplyHostRecord, ApplyRunRecord, VmSafeguard } from '../store/apply-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { allowedActions, transitionChange, vmsOf, type HostVm, type StoredPlan } from './change-control';
import { driftServiceFor } from './drift-service';
import { connectHypervisor, executeHypervisorOperation, planHypervisorOperation, withConnections, type ConnectOptions, type SharedConnections } from './hypervisors';
import { collectSnapshot, targetOfHost, workspaceTrustStore } from './scan';
import { recordParityOf, scanTargets, type ScanTarget } from './scan-targets';

export const DEFAULT_PRODUCTION_CONCURRENCY = 1;
export const DEFAULT_CONCURRENCY = 4;
/** Fact categories a plan can change: what "the host is back to its previous facts" compares. */
const RESTORABLE_CATEGORIES = new Set(['packages', 'files', 'services', 'sysctl']);

/** A host moved to another state, or one of its commands started or ended (the apply.progress event, without its job). */
export type ApplyProgress = Omit<EventPayload<'apply.progress'>, 'jobId'>;
type CommandStatus = NonNullable<ApplyProgress['command']>['status'];

export interface ApplyOptions {
  /** The person applying (people.id): change control checks they may implement the change. */
  actorId: number;
  /** resources/collector/collect.sh: verification rescans each host. */
  collectorScript: string;
  /** SSH settings beyond the hosts' own (identity files, known_hosts, ssh_config). */
  ssh?: Omit<RemoteShellOptions, 'trustStore'>;
  /** How virsh reaches the hypervisors (tests: a private libvirtd socket). */
  hypervisor?: ConnectOptions;
  /** Hosts applied at once; default 1 for production, 4 elsewhere. */
  concurrency?: number;
  /** A host applied (and verified) alone first; the others only if it succeeds. */
  canary?: string;
  now?: () => Date;
  onProgress?: (event: ApplyProgress) => void;
  /** Abort: the current host is rolled back, hosts not started stay untouched. */
  signal?: AbortSignal;
}

// ---- dry run ------------------------------------------------------------------------------------------

/** What apply.dryRun answers: whether change control lets this person apply the change now (and why not), and each host's commands. */
export type ApplyDryRun = CallOutput<'apply.dryRun'>;
export type DryRunHost = ApplyDryRun['hosts'][number];

interface ChangeContext {
  changeId: number;
  stored: StoredPlan;
  image: ImageContent;
  serviceName: string;
  isProduction: boolean;
  hosts: Map<string, HostRecord>;
  /** The plan's hosts that are VMs of a registered hypervisor: snapshotted rather than backed up. */
  vms: Map<string, HostVm>;
  /** What a rescan collects on each host: the files of every role it plays, as a scan does. */
  scanTargets: Map<number, ScanTarget>;
}

function changeContext(store: WorkspaceStore, changeId: number): ChangeContext {
  const row = store.promotion.change(changeId);
  const stored = store.promotion.plan<StoredPlan>(changeId);
  const service = store.inventory.getService(row.serviceId);
  const stage = service.stages.find((s) => s.id === row.toStageId);
  const hosts = new Map<string, HostRecord>();
  for (const plan of stored.plan.hosts) {
    const host = store.inventory.findHostByName(plan.host);
    if (!host) throw new StagecraftError('not-found', `Host ${plan.host} of change ${changeId} is no longer in the inventory.`, 'Plan the change again.');
    hosts.set(plan.host, host);
  }
  const vms = new Map(vmsOf(store, [...hosts.keys()]).map((vm) => [vm.host, vm]));
  const targets = new Map(scanTargets(store, { hostIds: [...hosts.values()].map((h) => h.id) }).map((t) => [t.id, t]));
  return { changeId, stored, image: store.images.content(row.imageId), serviceName: service.name, isProduction: stage?.isProduction ?? false, hosts, vms, scanTargets: targets };
}

/** Hosts in apply order: the plan's, with the canary moved first. */
function orderedHosts(context: ChangeContext, canary: string | undefined): HostPlan[] {
  const hosts = context.stored.plan.hosts;
  if (canary === undefined) return hosts;
  const first = hosts.find((h) => h.host === canary);
  if (!first) throw new StagecraftError('invalid-input', `The canary ${canary} is not a host this change touches.`, `Choose one of: ${hosts.map((h) => h.host).join(', ')}.`);
  return [first, ...hosts.filter((h) => h !== first)];
}

const backupDirOf = (changeId: number, runId: number | 'N') => `/var/backups/stagecraft/change-${changeId}/run-${runId}`;

const latestSnapshotId = (store: WorkspaceStore, hostId: number): number | null => store.snapshots.latestByHost(undefined, [hostId]).get(hostId)?.id ?? null;

const scriptFor = (plan: HostPlan, user: string, backupDir: string): HostApplyScript => hostApplyScript(plan.steps, { host: plan.host, user, backupDir });

/** The exact commands per host, in order, and the files with their diff. Nothing is sent anywhere. */
export function dryRunApply(store: WorkspaceStore, changeId: number, options: Pick<ApplyOptions, 'actorId' | 'concurrency' | 'canary' | 'now' | 'ssh'>): ApplyDryRun {
  const context = changeContext(store, changeId);
  const now = (options.now?.() ?? new Date()).toISOString();
  const implement = allowedActions(store, changeId, options.actorId, now).find((a) => a.action === 'implement')!;
  const hosts = orderedHosts(context, options.canary).map((plan): DryRunHost => {
    const host = context.hosts.get(plan.host)!;
    const user = RemoteShell.userFor(targetOfHost(host), options.ssh ?? {});
    const backupDir = backupDirOf(changeId, 'N');
    const script = scriptFor(plan, user, backupDir);
    const vm = context.vms.get(plan.host);
    return {
      host: plan.host,
      role: plan.role,
      endpoint: `${user}@${host.address}:${host.port}`,
      safeguard: vm ? { kind: 'vm-snapshot', hypervisor: vm.hypervisor, domain: vm.domain } : { kind: 'host-backup', backupDir },
      commands: [
        ...(vm ? [] : script.backup.map((c) => ({ phase: 'backup' as const, label: c.label, command: shellCommand(c.argv), stdinBytes: 0 }))),
        ...script.steps.flatMap((s) => s.commands.map((c) => ({ phase: 'step' as const, step: s.index, label: c.label, command: shellCommand(c.argv), stdinBytes: Buffer.byteLength(c.stdin ?? '') }))),
      ],
      rollback: vm ? [{ label: `revert ${vm.domain} to its snapshot`, command: `virsh snapshot-revert ${vm.domain} (through hypervisor ${vm.hypervisor})` }] : rollbackCommands(script, new Set(script.steps.map((s) => s.index))).map((c) => ({ label: c.label, command: shellCommand(c.argv) })),
      files: plan.steps.flatMap((step) =>
        step.kind === 'file' ? [{ path: step.path, action: step.action, diff: step.action === 'write' && step.content !== undefined ? textDiff(step.previous ?? '', step.content) : null }] : [],
      ),
    };
  });
  return { changeId, allowed: implement.allowed, reason: implement.reason, concurrency: options.concurrency ?? (context.isProduction ? DEFAULT_PRODUCTION_CONCURRENCY : DEFAULT_CONCURRENCY), hosts };
}

// ---- the run ------------------------------------------------------------------------------------------

export interface ApplyOutcome {
  run: ApplyRunRecord;
  hosts: ApplyHostRecord[];
  changeState: string;
}

/** Runs in this process: a "running" run not among them was cut short (the app died). */
const active = new Set<number>();

class HostFailure extends Error {}

/** One run's work: shared by start and resume. */
class ApplyRunner {
  private stopped: ApplyRunState | null = null;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly context: ChangeContext,
    private readonly runId: number,
    private readonly options: ApplyOptions,
    private readonly actor: string,
    /** One connection per hypervisor for the run (over SSH, one session, not one per snapshot call). */
    private readonly hypervisors: SharedConnections,
  ) {}

  private now = () => (this.options.now?.() ?? new Date()).toISOString();

  private setHost(record: ApplyHostRecord, patch: Parameters<WorkspaceStore['apply']['updateHost']>[1], message: string): ApplyHostRecord {
    const updated = this.store.write(
      { actor: this.actor, action: 'apply.host', subject: `change ${this.context.changeId} host ${record.hostName}`, after: (r) => ({ run: this.runId, state: r.state, message }) },
      () => this.store.apply.updateHost(record.id, { ...patch, message }),
    );
    this.options.onProgress?.({ changeId: this.context.changeId, runId: this.runId, host: record.hostName, state: updated.state, message });
    return updated;
  }

  /** Sends one command, recorded before and after; a non-zero exit is a HostFailure, a dead link an SshFailure. */
  private async send(shell: RemoteShell, record: ApplyHostRecord, phase: ApplyPhase, stepIndex: number | null, command: HostCommand): Promise<string> {
    const text = shellCommand(command.argv);
    const id = this.store.write({ actor: this.actor, action: 'apply.command', subject: `change ${this.context.changeId} host ${record.hostName}`, after: () => ({ phase, stepIndex, label: command.label }) }, () =>
      this.store.apply.startCommand({ applyHostId: record.id, phase, stepIndex, label: command.label, command: text, at: this.now() }),
    );
    const progress = (status: CommandStatus, message: string) =>
      this.options.onProgress?.({ changeId: this.context.changeId, runId: this.runId, host: record.hostName, state: record.state, command: { label: command.label, phase, status }, message });
    progress('running', command.label);
    try {
      const result = await shell.run(command.argv, { timeoutMs: command.timeoutMs, ...(command.stdin !== undefined && { stdin: command.stdin }) });
      const ok = result.exitCode === 0;
      this.store.write({ actor: this.actor, action: 'apply.command', subject: `change ${this.context.changeId} host ${record.hostName}`, after: () => ({ label: command.label, exitCode: result.exitCode }) }, () =>
        this.store.apply.finishCommand(id, { state: ok ? 'ok' : 'failed', exitCode: result.exitCode, output: result.output, truncated: result.truncated, at: this.now() }),
      );
      progress(ok ? 'ok' : 'failed', `${command.label}: ${ok ? 'ok' : `exit ${result.exitCode ?? result.exitSignal}`}`);
      if (!ok) throw new HostFailure(`${command.label} failed (exit ${result.exitCode ?? `signal ${result.exitSignal}`}): ${lastLines(result.output)}`);
      return result.output;
    } catch (error) {
      if (!(error instanceof HostFailure)) {
        const message = error instanceof Error ? error.message : String(error);
        this.store.write({ actor: this.actor, action: 'apply.command', subject: `change ${this.context.changeId} host ${record.hostName}`, after: () => ({ label: command.label, inDoubt: message }) }, () =>
          this.store.apply.finishCommand(id, { state: 'in-doubt', exitCode: null, output: message, truncated: false, at: this.now() }),
        );
      }
      throw error;
    }
  }

  private connect(host: HostRecord): Promise<RemoteShell> {
    return RemoteShell.connect(targetOfHost(host), { ...this.options.ssh, trustStore: workspaceTrustStore(this.store, this.actor) });
  }

  /** Rescans the host as a scan would (nothing saved yet) and keeps the snapshot as a blob on the host's record. */
  private async rescan(host: HostRecord): Promise<{ snapshot: Snapshot; hash: string }> {
    const globs = this.context.scanTargets.get(host.id)?.watchGlobs ?? [];
    const collected = await collectSnapshot(targetOfHost(host), { ...this.options.ssh, collectorScript: this.options.collectorScript, watchGlobs: globs, workspace: { store: this.store, actor: this.actor } });
    return { snapshot: collected.snapshot, hash: this.store.write({ actor: this.actor, action: 'apply.rescan', subject: `host ${host.name}` }, () => this.store.blobs.putJson(collected.snapshot)) };
  }

  private verify(plan: HostPlan, snapshot: Snapshot): string[] {
    const drift = driftServiceFor(this.store).options(this.context.serviceName);
    return driftAgainstImage(this.context.image, plan.role, snapshot, drift).items.map((i) => `${i.kind} ${i.category} ${i.key}${i.expected !== undefined ? ` (expected ${i.expected}, found ${i.actual ?? 'nothing'})` : ''}`);
  }

  /**
   * This run's snapshot of the VM if libvirt has it (taken just before the app stopped), else null.
   * A snapshot by that name that this run did not write (another description, or older than the
   * run: another workspace or a restored copy on the same hypervisor) is refused, never adopted: a
   * rollback would revert the VM to someone else's state.
   */
  private async snapshotOfThisRun(vm: HostVm): Promise<VmSafeguard | null> {
    const name = applySnapshotName(this.context.changeId, this.runId);
    const hypervisor = connectHypervisor(this.store, this.store.hypervisors.get(vm.hypervisorId), this.hypervisors.for(vm.hypervisorId));
    let found;
    try {
      found = (await hypervisor.snapshots(vm.domain)).find((s) => s.name === name);
    } finally {
      hypervisor.close();
    }
    if (!found) return null;
    const { startedAt } = this.store.apply.run(this.runId);
    // libvirt keeps the creation time in whole seconds.
    const runStarted = Math.floor(Date.parse(startedAt) / 1000) * 1000;
    const createdAt = found.createdAt === null ? NaN : Date.parse(found.createdAt);
    if (found.description !== this.snapshotDescription() || !(createdAt >= runStarted)) {
      throw new HostFailure(
        `VM ${vm.domain} on ${vm.hypervisor} already has a snapshot named ${name} that this run did not take ("${found.description}", created ${found.createdAt ?? 'at an unknown time'}; this run started ${startedAt}), so it is not used as this host's safeguard. ` +
          `If it is not this host's, rename or delete it on ${vm.hypervisor} (virsh snapshot-delete ${vm.domain} ${name}) and plan and apply the change again.`,
      );
    }
    return { hypervisorId: vm.hypervisorId, domain: vm.domain, snapshot: name };
  }

  private snapshotDescription(): string {
    return `before change ${this.context.changeId} (apply run ${this.runId})`;
  }

  /** Snapshots the host's VM (adopting the one this run took if the app stopped just after), or backs its files and versions up on the host. */
  private async safeguard(shell: RemoteShell, record: ApplyHostRecord, script: HostApplyScript, host: HostRecord): Promise<ApplyHostRecord> {
    const vm = this.context.vms.get(host.name);
    if (vm) {
      try {
        return await this.snapshotVm(record, vm);
      } catch (error) {
        // virsh answered no (not a lost link, not a timeout): no snapshot was taken, nothing on the host changed.
        if (isLibvirtFailure(error) && error.kind !== 'unreachable' && error.kind !== 'timeout') throw new HostFailure(`VM ${vm.domain} could not be snapshotted on ${vm.hypervisor}: ${error.message}`);
        throw error;
      }
    }
    record = this.setHost(record, { safeguard: 'host-backup', backupDir: script.backupDir, backups: script.backups }, `backing up to ${script.backupDir}`);
    for (const command of script.backup) await this.send(shell, record, 'backup', null, command);
    return record;
  }

  /** Takes this run's snapshot of the host's VM, or adopts it when the run took it before it stopped. */
  private async snapshotVm(record: ApplyHostRecord, vm: HostVm): Promise<ApplyHostRecord> {
    const taken = await this.snapshotOfThisRun(vm);
    if (taken) {
      // Nothing is changed before the snapshot is taken, so this run's is the host before this run.
      return this.setHost(record, { safeguard: 'vm-snapshot', vm: taken }, `VM ${vm.domain} was snapshotted as ${taken.snapshot} on ${vm.hypervisor} before the run stopped: that snapshot is kept`);
    }
    const snapshot = applySnapshotName(this.context.changeId, this.runId);
    const plan = await planHypervisorOperation(this.store, vm.hypervisorId, { kind: 'snapshot-create', domain: vm.domain, name: snapshot, description: this.snapshotDescription() }, this.hypervisors.for(vm.hypervisorId));
    // The approved, scheduled change is the confirmation the connector asks for.
    await executeHypervisorOperation(this.store, this.actor, vm.hypervisorId, plan, { ...this.hypervisors.for(vm.hypervisorId), confirmed: true });
    return this.setHost(record, { safeguard: 'vm-snapshot', vm: { hypervisorId: vm.hypervisorId, domain: vm.domain, snapshot } }, `VM ${vm.domain} snapshotted as ${snapshot} on ${vm.hypervisor}`);
  }

  /** Puts the host back: its VM snapshot, or its files and previous versions; then rescans it. */
  private async rollBack(shell: RemoteShell | null, record: ApplyHostRecord, script: HostApplyScript, host: HostRecord, why: string): Promise<ApplyHostRecord> {
    record = this.setHost(record, { state: 'rolling-back' }, `rolling back: ${why}`);
    try {
      // Only steps change a host: with none started (cut or aborted before the first), there is nothing to undo.
      const started = new Set(this.store.apply.commands(record.id).filter((c) => c.phase === 'step').map((c) => c.stepIndex!));
      if (record.safeguard === 'vm-snapshot' && record.vm) {
        if (started.size === 0) return this.setHost(record, { state: 'rolled-back', endedAt: this.now() }, `nothing was changed (${why}); VM ${record.vm.domain}'s snapshot ${record.vm.snapshot} is kept`);
        const revert = await planHypervisorOperation(this.store, record.vm.hypervisorId, { kind: 'snapshot-revert', domain: record.vm.domain, name: record.vm.snapshot }, this.hypervisors.for(record.vm.hypervisorId));
        await executeHypervisorOperation(this.store, this.actor, record.vm.hypervisorId, revert, { ...this.hypervisors.for(record.vm.hypervisorId), confirmed: true });
      } else {
        shell ??= await this.connect(host);
        for (const command of rollbackCommands(script, started)) await this.send(shell, record, 'rollback', null, command);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isSshFailure(error)) return this.setHost(record, { state: 'in-doubt', interruptedIn: 'rolling-back' }, `rollback cut short: ${message}; resume to roll back again`);
      return this.setHost(record, { state: 'failed', endedAt: this.now() }, `rollback failed: ${message}; ${why}`);
    }
    const after = await this.rescan(host).catch((error: unknown) => error as Error);
    if (after instanceof Error) return this.setHost(record, { state: 'rolled-back', endedAt: this.now() }, `rolled back (${why}); the rescan failed: ${after.message}`);
    const differences = record.beforeSnapshotId !== null ? factDifferences(this.store.snapshots.load(record.beforeSnapshotId), after.snapshot) : [];
    const restored = differences.length === 0 ? 'back to its previous facts' : `${differences.length} fact(s) differ from before: ${differences.slice(0, 5).join('; ')}`;
    return this.setHost(record, { state: 'rolled-back', rescanHash: after.hash, endedAt: this.now() }, `rolled back (${why}); rescan: ${restored}`);
  }

  /** Applies one host from where its record says it is. */
  async host(record: ApplyHostRecord, mode: 'complete' | 'roll-back' = 'complete'): Promise<ApplyHostRecord> {
    const plan = this.context.stored.plan.hosts.find((h) => h.host === record.hostName)!;
    const host = this.context.hosts.get(record.hostName)!;
    let shell: RemoteShell | null = null;
    let script: HostApplyScript | null = null;
    try {
      if (record.state === 'pending') {
        record = this.setHost(record, { state: 'snapshotting', startedAt: this.now(), beforeSnapshotId: latestSnapshotId(this.store, host.id) }, 'safeguarding');
      }
      shell = await this.connect(host);
      script = scriptFor(plan, shell.user, record.backupDir ?? backupDirOf(this.context.changeId, this.runId));
      const resumedFrom = record.interruptedIn;
      if (record.state === 'in-doubt' && (mode === 'roll-back' || resumedFrom === 'rolling-back')) {
        // Cut while safeguarding: the VM snapshot may have been taken without being recorded; it is recorded now (and kept).
        const vm = this.context.vms.get(host.name);
        if (vm && record.safeguard === null) {
          const taken = await this.snapshotOfThisRun(vm);
          if (taken) record = this.setHost(record, { safeguard: 'vm-snapshot', vm: taken }, `VM ${vm.domain} was snapshotted as ${taken.snapshot} on ${vm.hypervisor} before the run stopped`);
        }
        return await this.rollBack(shell, record, script, host, 'resumed to roll back');
      }
      if (record.state === 'snapshotting' || (record.state === 'in-doubt' && resumedFrom === 'snapshotting')) {
        // Nothing has been changed yet: safeguarding again is safe.
        if (record.state === 'in-doubt') record = this.setHost(record, { state: 'snapshotting', interruptedIn: null }, 'safeguarding');
        record = await this.safeguard(shell, record, script, host);
        record = this.setHost(record, { state: 'applying' }, 'applying');
      }
      if (record.state === 'applying' || (record.state === 'in-doubt' && resumedFrom === 'applying')) {
        record = this.setHost(record, { state: 'applying', interruptedIn: null }, 'applying');
        // A command that finished ok is never run again; an in-doubt one runs again (each is idempotent).
        const finished = finishedCommands(this.store, record.id);
        for (const step of script.steps) {
          if (step.commands.every((c) => finished.has(commandKey(step.index, c.label)))) continue;
          if (this.options.signal?.aborted) {
            this.stopped = 'aborted';
            return await this.rollBack(shell, record, script, host, 'aborted by the user');
          }
          try {
            for (const command of step.commands) if (!finished.has(commandKey(step.index, command.label))) await this.send(shell, record, 'step', step.index, command);
          } catch (error) {
            if (error instanceof HostFailure) return await this.rollBack(shell, record, script, host, error.message);
            throw error;
          }
        }
        record = this.setHost(record, { state: 'verifying' }, 'verifying');
      }
      if (record.state === 'verifying' || (record.state === 'in-doubt' && resumedFrom === 'verifying')) {
        record = this.setHost(record, { state: 'verifying', interruptedIn: null }, 'verifying');
        const after = await this.rescan(host);
        const drift = this.verify(plan, after.snapshot);
        record = this.setHost(record, { rescanHash: after.hash }, drift.length === 0 ? 'verified: zero drift against the image' : `verification found ${drift.length} difference(s)`);
        if (drift.length > 0) return await this.rollBack(shell, record, script, host, `verification failed: ${drift.slice(0, 5).join('; ')}`);
        return this.setHost(record, { state: 'done', endedAt: this.now() }, 'done: zero drift against the image');
      }
      return record;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const current = this.store.apply.host(record.id);
      if (error instanceof HostFailure && current.state === 'snapshotting') return this.setHost(current, { state: 'failed', endedAt: this.now() }, `nothing was changed: ${message}`);
      if (isSshFailure(error) || current.state === 'applying' || current.state === 'verifying' || current.state === 'snapshotting') {
        return this.setHost(current, { state: 'in-doubt', interruptedIn: current.state === 'in-doubt' ? current.interruptedIn : current.state }, `in doubt: ${message}. Resume to complete it or to roll it back.`);
      }
      return this.setHost(current, { state: 'failed', endedAt: this.now() }, message);
    } finally {
      shell?.close();
    }
  }

  /** Hosts in order with the concurrency bound; stops starting hosts after a failure, an abort or a cut. */
  async all(records: ApplyHostRecord[], mode: 'complete' | 'roll-back'): Promise<void> {
    // Rolling back touches only the hosts that were started (it never applies anything); the others stay as they are.
    let queue = records.filter((r) => !['done', 'rolled-back', 'failed'].includes(r.state) && (mode === 'complete' || r.state !== 'pending'));
    const { concurrency, canary } = this.store.apply.run(this.runId);
    const settled = (r: ApplyHostRecord) => {
      if (r.state === 'in-doubt') this.stopped ??= 'interrupted';
      else if (r.state !== 'done') this.stopped ??= r.state === 'rolled-back' ? 'rolled-back' : 'failed';
    };
    // The canary, pending or in doubt, runs alone; the others start only once it is done.
    const first = queue.find((r) => r.hostName === canary);
    if (first) {
      settled(await this.host(first, mode));
      queue = queue.filter((r) => r !== first);
    }
    let next = 0;
    const worker = async () => {
      while (next < queue.length && (this.stopped === null || mode === 'roll-back')) {
        const record = queue[next++]!;
        if (this.options.signal?.aborted && record.state === 'pending') {
          this.stopped ??= 'aborted';
          break;
        }
        settled(await this.host(record, mode));
      }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, concurrency), Math.max(1, queue.length)) }, worker));
  }

  get stoppedAs(): ApplyRunState | null {
    return this.stopped;
  }
}

function lastLines(output: string): string {
  return output.trim().split('\n').slice(-3).join(' / ').slice(0, 500);
}

const commandKey = (stepIndex: number, label: string) => `${stepIndex} ${label}`;

/** The step commands recorded ok for a host (in this run), by step and label. */
function finishedCommands(store: WorkspaceStore, applyHostId: number): Set<string> {
  return new Set(store.apply.commands(applyHostId).flatMap((c) => (c.phase === 'step' && c.state === 'ok' ? [commandKey(c.stepIndex!, c.label)] : [])));
}

/** Facts a plan can change (packages, files, services, sysctl) that differ between two snapshots. */
export function factDifferences(before: Snapshot, after: Snapshot): string[] {
  const a = factsOf(before);
  const b = factsOf(after);
  const keys = [...new Set([...a.values.keys(), ...b.values.keys()])].filter((k) => RESTORABLE_CATEGORIES.has(splitFactKey(k).category)).sort();
  // As drift compares: a file whose content differs only in host-specific text (templated) has not changed.
  return keys.filter((k) => !factsMatch(a, b, k)).map((k) => `${k}: ${a.display(k) ?? 'absent'} → ${b.display(k) ?? 'absent'}`);
}

/**
 * Saves the run's rescans as the hosts' snapshots and moves the change: implemented when every
 * host is done; rolled back when none is and at least one was rolled back; failed otherwise. A run
 * cut short leaves the change scheduled, so it can be resumed; so does a run that started no host.
 */
function settle(store: WorkspaceStore, context: ChangeContext, runId: number, actorId: number, stopped: ApplyRunState | null, now: string): ApplyOutcome {
  const actor = store.changes.person(actorId).name;
  const hosts = store.apply.hosts(runId);
  const inDoubt = hosts.filter((h) => h.state === 'in-doubt');
  const done = hosts.filter((h) => h.state === 'done');
  let state: ApplyRunState;
  let message: string;
  // Nothing was done (aborted before the first host, or a roll-back resume with none started): the change stays as it was, to be applied later.
  const untouched = hosts.every((h) => h.state === 'pending');
  if (untouched) {
    state = 'aborted';
    message = stopped === 'aborted' ? 'aborted before any host had started: nothing was changed' : 'no host had started: nothing to roll back';
  } else if (inDoubt.length > 0) {
    state = 'interrupted';
    message = `${inDoubt.map((h) => h.hostName).join(', ')} in doubt; ${done.length} host(s) done. Resume to complete or roll back.`;
  } else if (done.length === hosts.length) {
    state = 'succeeded';
    message = `${done.length} host(s) applied and verified`;
  } else {
    state = stopped === 'aborted' ? 'aborted' : hosts.some((h) => h.state === 'failed') ? 'failed' : 'rolled-back';
    message = hosts.filter((h) => h.state !== 'done' && h.state !== 'pending').map((h) => `${h.hostName}: ${h.state} (${h.message})`).join('; ');
  }
  let settled = state !== 'interrupted' && !untouched;
  if (settled) {
    const reason = `apply run ${runId}: ${message}`.slice(0, 2000);
    try {
      if (state === 'succeeded') transitionChange(store, { changeId: context.changeId, action: 'implement', actorId, reason, now });
      else {
        transitionChange(store, { changeId: context.changeId, action: 'fail', actorId, reason, now });
        if (done.length === 0 && hosts.some((h) => h.state === 'rolled-back')) transitionChange(store, { changeId: context.changeId, action: 'roll-back', actorId, reason, now });
      }
    } catch (error) {
      // e.g. the window closed while the hosts were applied: the hosts are as recorded; the change waits for a person.
      if (!isStagecraftError(error)) throw error;
      settled = false;
      message += `; the change's state was not moved: ${error.message}`;
    }
  }
  if (settled) {
    // The change's state is settled: its rescans become the hosts' snapshots, and parity is recorded as after a scan.
    const touched = new Set<number>();
    for (const host of hosts) {
      if (!host.rescanHash || host.afterSnapshotId !== null) continue;
      const snapshot = store.blobs.getJson<Snapshot>(host.rescanHash);
      store.write({ actor, action: 'snapshot.collect', subject: `host ${host.hostName}`, after: (row) => ({ snapshotId: row.id, applyRun: runId }) }, () => {
        const row = store.snapshots.save(host.hostId, snapshot);
        store.apply.updateHost(host.id, { afterSnapshotId: row.id });
        return row;
      });
      for (const id of context.scanTargets.get(host.hostId)?.serviceIds ?? []) touched.add(id);
    }
    recordParityOf(store, actor, touched, now);
  }
  store.write({ actor, action: `apply.${state}`, subject: `change ${context.changeId}`, after: () => ({ run: runId, message }) }, () => store.apply.setRunState(runId, state, message, state === 'interrupted' ? null : now));
  return { run: store.apply.run(runId), hosts: store.apply.hosts(runId), changeState: store.promotion.change(context.changeId).state };
}

function requireImplementable(store: WorkspaceStore, changeId: number, actorId: number, now: string): void {
  const implement = allowedActions(store, changeId, actorId, now).find((a) => a.action === 'implement')!;
  if (!implement.allowed) throw new StagecraftError('refused', `Change ${changeId} cannot be applied now: ${implement.reason}`, 'Only an approved change, scheduled into a window that is open now, is applied.');
}

/** Starts a run: creates its record (every host pending), then applies host by host. */
export function startApply(store: WorkspaceStore, changeId: number, options: ApplyOptions): { runId: number; done: Promise<ApplyOutcome> } {
  const now = (options.now?.() ?? new Date()).toISOString();
  requireImplementable(store, changeId, options.actorId, now);
  const open = store.apply.latestRun(changeId);
  if (open && (open.state === 'running' || open.state === 'interrupted')) {
    throw new StagecraftError('conflict', `Change ${changeId} has an apply run (${open.id}) that did not finish.`, active.has(open.id) ? 'Wait for it, or abort it.' : 'Resume it (apply.resume) to complete it or roll it back.');
  }
  const context = changeContext(store, changeId);
  const hosts = orderedHosts(context, options.canary);
  if (hosts.length === 0) throw new StagecraftError('conflict', `Change ${changeId} has nothing to apply: every host already matches its image.`);
  const concurrency = options.concurrency ?? (context.isProduction ? DEFAULT_PRODUCTION_CONCURRENCY : DEFAULT_CONCURRENCY);
  const actor = store.changes.person(options.actorId).name;
  const run = store.write({ actor, action: 'apply.start', subject: `change ${changeId}`, after: (r) => ({ run: r.id, hosts: hosts.map((h) => h.host), concurrency, canary: options.canary ?? null }) }, () =>
    store.apply.createRun({ changeId, concurrency, canary: options.canary ?? null, actor, at: now, hosts: hosts.map((h) => ({ hostId: context.hosts.get(h.host)!.id, hostName: h.host })) }),
  );
  return { runId: run.id, done: execute(store, context, run.id, options, 'complete') };
}

async function execute(store: WorkspaceStore, context: ChangeContext, runId: number, options: ApplyOptions, mode: 'complete' | 'roll-back'): Promise<ApplyOutcome> {
  active.add(runId);
  try {
    // The caller gets the run's id (and can follow it) before its first event.
    await Promise.resolve();
    const actor = store.changes.person(options.actorId).name;
    const runner = await withConnections(store, { ...options.hypervisor, actor }, async (hypervisors) => {
      const runner = new ApplyRunner(store, context, runId, options, actor, hypervisors);
      await runner.all(store.apply.hosts(runId), mode);
      return runner;
    });
    return settle(store, context, runId, options.actorId, runner.stoppedAs, (options.now?.() ?? new Date()).toISOString());
  } finally {
    active.delete(runId);
  }
}

/** Applies a change and waits for the outcome. */
export function applyChange(store: WorkspaceStore, changeId: number, options: ApplyOptions): Promise<ApplyOutcome> {
  return startApply(store, changeId, options).done;
}

/**
 * Continues a run that was cut short (a dead link, a dead app): finished hosts, steps and commands
 * are not run again; the host in doubt is completed (the commands of its step that did not finish
 * run again) or, with mode "roll-back", rolled back; with "complete", the hosts never started are
 * applied too.
 */
export function resumeApply(store: WorkspaceStore, changeId: number, options: ApplyOptions & { mode: 'complete' | 'roll-back' }): { runId: number; done: Promise<ApplyOutcome> } {
  const run = store.apply.latestRun(changeId);
  if (!run || !(run.state === 'interrupted' || (run.state === 'running' && !active.has(run.id)))) {
    throw new StagecraftError('conflict', `Change ${changeId} has no interrupted apply run to resume.`, run ? `Its last run is ${run.state}.` : 'Start one with apply.start.');
  }
  const now = (options.now?.() ?? new Date()).toISOString();
  if (options.mode === 'complete') requireImplementable(store, changeId, options.actorId, now);
  const context = changeContext(store, changeId);
  const actor = store.changes.person(options.actorId).name;
  store.write({ actor, action: 'apply.resume', subject: `change ${changeId}`, after: () => ({ run: run.id, mode: options.mode }) }, () => {
    // Hosts caught mid-way by a dead app have no in-doubt mark yet: they get it now, with where they were.
    for (const host of store.apply.hosts(run.id)) {
      if (['snapshotting', 'applying', 'verifying', 'rolling-back'].includes(host.state)) {
        store.apply.updateHost(host.id, { state: 'in-doubt', interruptedIn: host.state, message: `cut short while ${host.state}` });
        store.apply.markRunningInDoubt(host.id, 'the app stopped while this command ran', now);
      }
    }
    store.apply.setRunState(run.id, 'running', `resumed (${options.mode})`, null);
  });
  return { runId: run.id, done: execute(store, context, run.id, options, options.mode) };
}

export interface ApplyStatus {
  run: (ApplyRunRecord & { live: boolean }) | null;
  hosts: (ApplyHostRecord & { commands: ReturnType<WorkspaceStore['apply']['commands']> })[];
  changeState: string;
}

/** The latest run of a change with every host and command: what was done, what is in doubt. */
export function applyStatus(store: WorkspaceStore, changeId: number): ApplyStatus {
  const run = store.apply.latestRun(changeId);
  return {
    run: run ? { ...run, live: active.has(run.id) } : null,
    hosts: run ? store.apply.hosts(run.id).map((h) => ({ ...h, commands: store.apply.commands(h.id) })) : [],
    changeState: store.promotion.change(changeId).state,
  };
}

