import type { Handlers } from '../contract/dispatch';
import type { EventPayload } from '../contract/index';
import { StagecraftError } from '../domain/errors';
import type { WorkspaceStore } from '../store/workspace-store';
import {
  addPool,
  archiveEnvironment,
  assetsReport,
  extendLease,
  leaseViews,
  placeNewEnvironment,
  planReclaim,
  reclaimStatus,
  removePool,
  setLease,
  startReclaim,
  setPoolMembers,
  updatePool,
  type ReclaimPlan,
} from './assets';
import { planClone, startClone, type CloneProgress, type CloneResult, type ClonePlan } from './clone';
import { cloneStatus, planCloneResume, startCloneResume, type CloneResumePlan } from './clone-runs';
import type { ServiceContext } from './context';
import { describeHypervisorFailure, operationView } from './hypervisors';
import type { JobHandle, Jobs } from './jobs';
import { PendingPlans } from './pending-plans';
import type { Session } from './session';

type AssetHandlers = Pick<
  Handlers,
  | 'assets.report'
  | 'pools.list'
  | 'pools.add'
  | 'pools.update'
  | 'pools.remove'
  | 'pools.members'
  | 'pools.place'
  | 'leases.list'
  | 'leases.set'
  | 'leases.extend'
  | 'leases.archive'
  | 'leases.history'
  | 'reclaim.plan'
  | 'reclaim.run'
  | 'reclaim.status'
  | 'clone.plan'
  | 'clone.run'
  | 'clone.status'
  | 'clone.resumePlan'
  | 'clone.resume'
>;

/** Hypervisor failures (unreachable daemon, refused command) cross the contract with their remedy. */
async function hypervisorCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StagecraftError) throw error;
    const failure = describeHypervisorFailure(error);
    if (failure.kind === 'internal') throw error;
    throw new StagecraftError('io', failure.message, failure.remedy);
  }
}

type Progress = Omit<EventPayload<'assets.progress'>, 'jobId'>;

/**
 * Runs a started clone or reclaim as a job: each VM step goes out as assets.progress (and job.progress
 * counts finished VMs); cancelling stops before the next VM, leaving the rest recorded to resume.
 */
function asJob(ctx: ServiceContext, jobs: Jobs, title: string, total: number, begin: (report: (event: Progress) => void, signal: AbortSignal) => Promise<{ runId: number; done: Promise<{ ok: boolean; message: string }> }>) {
  const abort = new AbortController();
  let job: JobHandle | null = null;
  const early: Progress[] = [];
  let finished = 0;
  const report = (event: Progress) => {
    if (!job) return void early.push(event);
    ctx.emit('assets.progress', { jobId: job.id, ...event });
    if (event.state !== 'running') job.progress(Math.min(total, ++finished), `${event.vm}: ${event.message}`);
  };
  return begin(report, abort.signal).then(({ runId, done }) => {
    const jobId = jobs.start(title, total, async (handle) => {
      job = handle;
      handle.signal.addEventListener('abort', () => abort.abort(), { once: true });
      early.splice(0).forEach(report);
      try {
        const outcome = await done;
        return { state: outcome.ok ? 'succeeded' : 'failed', message: outcome.message };
      } finally {
        ctx.emit('workspace.changed', { reason: 'assets' });
      }
    });
    return { jobId, runId };
  });
}

const cloneOutcome = (result: CloneResult) => ({ ok: result.failed.length === 0, message: `${result.hosts.length} VM(s) cloned and registered${result.failed.length ? `; ${result.failed.length} failed: ${result.failed.map((f) => f.name).join(', ')}` : ''}` });

export function assetHandlers(ctx: ServiceContext, session: Session, jobs: Jobs, now = () => Date.now()): AssetHandlers {
  const reclaims = new PendingPlans<ReclaimPlan>(now);
  const clones = new PendingPlans<ClonePlan>(now);
  const resumes = new PendingPlans<CloneResumePlan>(now);
  const cloneProgress = (report: (event: Progress) => void) => (event: CloneProgress) => report({ kind: 'clone', ...event });
  const cloneSsh = () => ({ ...(ctx.ssh && { ssh: ctx.ssh }) });
  const connect = () => ({ actor: ctx.actor(), ...(ctx.ssh && { ssh: ctx.ssh }) });
  const changed = () => ctx.emit('workspace.changed', { reason: 'updated' });
  const leaseView = (store: WorkspaceStore, stageId: number) => leaseViews(store, now()).find((l) => l.stageId === stageId)!;

  return {
    'assets.report': ({ stageName, horizonDays }) => assetsReport(session.require(), { now: now(), horizonDays, ...(stageName !== undefined && { stageName }) }),
    'pools.list': () => session.require().assets.listPools(),
    'pools.add': (pool) => {
      const record = addPool(session.require(), ctx.actor(), pool);
      changed();
      return record;
    },
    'pools.update': ({ id, changes }) => {
      const record = updatePool(session.require(), ctx.actor(), id, changes);
      changed();
      return record;
    },
    'pools.remove': ({ id }) => {
      removePool(session.require(), ctx.actor(), id);
      changed();
      return { removed: true };
    },
    'pools.members': ({ poolId, hostIds }) => {
      setPoolMembers(session.require(), ctx.actor(), poolId, hostIds);
      changed();
      return { hosts: hostIds.length };
    },
    'pools.place': ({ stageName, required }) => placeNewEnvironment(session.require(), stageName, required),
    'leases.list': ({ horizonDays }) => leaseViews(session.require(), now(), horizonDays),
    'leases.set': (lease) => {
      const store = session.require();
      setLease(store, ctx.actor(), lease, new Date(now()).toISOString());
      changed();
      return leaseView(store, lease.stageId);
    },
    'leases.extend': ({ stageId, expiresOn, reason }) => {
      const store = session.require();
      extendLease(store, ctx.actor(), stageId, expiresOn, reason, now());
      changed();
      return leaseView(store, stageId);
    },
    'leases.archive': ({ stageId, reason }) => {
      const result = archiveEnvironment(session.require(), ctx.actor(), stageId, reason, new Date(now()).toISOString());
      changed();
      return result;
    },
    'leases.history': ({ stageId }) => session.require().assets.leaseHistory(stageId),
    'reclaim.plan': ({ stageId, keep, graceHours, force }) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = await planReclaim(store, ctx.actor(), stageId, { keep, graceHours, force }, connect(), now());
        return { ...plan, vms: plan.vms.map((vm) => ({ ...vm, operations: vm.operations.map(operationView) })), ...reclaims.keep(store, plan) };
      }),
    'reclaim.run': ({ token }) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = reclaims.take(token, store);
        // The step that ends a VM's part of this phase.
        const lastStep = plan.phase === 'delete' ? 'deleted' : plan.options.keep === 'snapshot' ? 'kept' : 'powered-off';
        return asJob(ctx, jobs, `Reclaiming ${plan.serviceName} ${plan.stageName} (${plan.phase})`, plan.vms.length, async (report, signal) => {
          const started = await startReclaim(
            store,
            ctx.actor(),
            plan.stageId,
            {
              plan,
              confirmed: true,
              now,
              signal,
              // Steps are recorded only once the run exists.
              onStep: ({ domain, step, message, error }) => report({ kind: 'reclaim', runId: store.assets.latestReclaimRun(plan.stageId)!.id, vm: domain, step, message: error ?? message, state: error ? 'failed' : step === lastStep ? 'done' : 'running' }),
            },
            connect(),
          );
          return {
            runId: started.runId,
            done: started.done.then((status) => ({ ok: status.vms.every((vm) => vm.lastError === null), message: status.left.length ? `left: ${status.left.join('; ')}` : `phase ${plan.phase} done` })),
          };
        });
      }),
    'reclaim.status': ({ stageId }) => reclaimStatus(session.require(), stageId),
    'clone.plan': (request) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = await planClone(store, request, connect());
        return { ...plan, vms: plan.vms.map((vm) => ({ ...vm, operation: operationView(vm.operation) })), ...clones.keep(store, plan) };
      }),
    'clone.run': ({ token, scan }) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = clones.take(token, store);
        return asJob(ctx, jobs, `Cloning ${plan.fromStage ?? 'an image'} of ${plan.serviceName} into ${plan.toStage}`, plan.vms.length, async (report, signal) => {
          const started = await startClone(store, ctx.actor(), ctx.resourcesDir, { plan, confirmed: true, scan, ...cloneSsh(), onProgress: cloneProgress(report), signal }, connect());
          return { runId: started.runId, done: started.done.then(cloneOutcome) };
        });
      }),
    'clone.status': ({ stageId, runId }) => cloneStatus(session.require(), stageId, runId),
    'clone.resumePlan': ({ runId }) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = await planCloneResume(store, runId, connect());
        return { ...plan, vms: plan.vms.map((vm) => ({ newName: vm.record.newName, role: vm.record.role, source: vm.record.sourceDomain, snapshot: vm.record.sourceSnapshot, step: vm.record.step, action: vm.action, operation: vm.operation && operationView(vm.operation), note: vm.note })), ...resumes.keep(store, plan) };
      }),
    'clone.resume': ({ token }) =>
      hypervisorCall(async () => {
        const store = session.require();
        const plan = resumes.take(token, store);
        const left = plan.vms.filter((vm) => vm.action !== 'none' && vm.action !== 'blocked').length;
        return asJob(ctx, jobs, `Resuming clone run ${plan.runId} of ${plan.serviceName} into ${plan.toStage}`, left, async (report, signal) => {
          const started = await startCloneResume(store, ctx.actor(), ctx.resourcesDir, { plan, confirmed: true, ...cloneSsh(), onProgress: cloneProgress(report), signal }, connect());
          return { runId: started.runId, done: started.done.then(cloneOutcome) };
        });
      }),
  };
}
