import type { Handlers } from '../contract/dispatch';
import { StagecraftError } from '../domain/errors';
import type { WorkspaceStore } from '../store/workspace-store';
import { applyStatus, dryRunApply, resumeApply, startApply, type ApplyOptions, type ApplyOutcome } from './apply';
import type { ServiceContext } from './context';
import { currentPerson } from './current-person';
import type { JobHandle, Jobs } from './jobs';
import { readCollectorScript } from './scan';
import type { Session } from './session';

type ApplyHandlers = Pick<Handlers, 'apply.dryRun' | 'apply.start' | 'apply.abort' | 'apply.status' | 'apply.resume'>;

const FINISHED = new Set(['done', 'rolled-back', 'failed', 'in-doubt']);

export function applyHandlers(ctx: ServiceContext, session: Session, jobs: Jobs): ApplyHandlers {
  /** The job applying each change, for apply.abort. */
  const running = new Map<number, string>();

  const acting = (store: WorkspaceStore) => {
    const person = currentPerson(ctx, store);
    if (!person) throw new StagecraftError('refused', 'Nobody is chosen as the current person of this workspace.', 'Choose who you are first: applying a change is done by a release manager.');
    return person;
  };

  /**
   * Starts or resumes (refusals come back at once, nothing run), then follows the run as a job:
   * progress per host and command; cancelling the job aborts the run.
   */
  const asJob = (store: WorkspaceStore, changeId: number, begin: (options: ApplyOptions) => { runId: number; done: Promise<ApplyOutcome> }, title: string) => {
    if (running.has(changeId)) throw new StagecraftError('conflict', `Change ${changeId} is being applied already.`, 'Wait for it, or abort it.');
    const abort = new AbortController();
    let job: JobHandle | null = null;
    let finished = 0;
    const { runId, done } = begin({
      actorId: acting(store).id,
      collectorScript: readCollectorScript(ctx.resourcesDir),
      // Hosts and hypervisors reached over SSH use the same identity files and known_hosts.
      ...(ctx.ssh && { ssh: ctx.ssh, hypervisor: { ssh: ctx.ssh } }),
      signal: abort.signal,
      onProgress: (event) => {
        ctx.emit('apply.progress', { jobId: job?.id ?? '', ...event });
        if (!event.command && FINISHED.has(event.state)) job?.progress(++finished, `${event.host}: ${event.state}`);
      },
    });
    const jobId = jobs.start(title, store.apply.hosts(runId).length, async (handle) => {
      job = handle;
      handle.signal.addEventListener('abort', () => abort.abort(), { once: true });
      try {
        const outcome = await done;
        return { state: outcome.run.state === 'succeeded' ? 'succeeded' : 'failed', message: `${outcome.run.state}: ${outcome.run.message}` };
      } finally {
        running.delete(changeId);
        // Even when the run threw: whatever it recorded before is news to every view.
        ctx.emit('workspace.changed', { reason: 'apply' });
      }
    });
    running.set(changeId, jobId);
    return { jobId, runId };
  };

  return {
    'apply.dryRun': ({ changeId, concurrency, canary }) => {
      const store = session.require();
      return dryRunApply(store, changeId, { actorId: acting(store).id, ...(concurrency !== undefined && { concurrency }), ...(canary !== undefined && { canary }), ...(ctx.ssh && { ssh: ctx.ssh }) });
    },
    'apply.start': ({ changeId, concurrency, canary }) => {
      const store = session.require();
      return asJob(store, changeId, (options) => startApply(store, changeId, { ...options, ...(concurrency !== undefined && { concurrency }), ...(canary !== undefined && { canary }) }), `Applying change ${changeId}`);
    },
    'apply.resume': ({ changeId, mode }) => {
      const store = session.require();
      return asJob(store, changeId, (options) => resumeApply(store, changeId, { ...options, mode }), `Resuming change ${changeId} (${mode})`);
    },
    'apply.abort': ({ changeId }) => {
      const jobId = running.get(changeId);
      if (!jobId) throw new StagecraftError('not-found', `Change ${changeId} is not being applied.`);
      return { aborted: jobs.cancel(jobId) };
    },
    'apply.status': ({ changeId }) => applyStatus(session.require(), changeId),
  };
}
