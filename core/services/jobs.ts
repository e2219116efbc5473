import { randomUUID } from 'node:crypto';
import { StagecraftError } from '../domain/errors';
import type { ServiceContext } from './context';

export type JobState = 'running' | 'succeeded' | 'failed' | 'cancelled';

interface Job {
  id: string;
  title: string;
  controller: AbortController;
  done: number;
  total: number;
  state: JobState;
  /** Why it cannot be cancelled (a change half-run would be worse than finished), or null. */
  uncancellable: string | null;
}

export interface JobHandle {
  id: string;
  signal: AbortSignal;
  /** Reports progress to every shell listening (job.progress). */
  progress(done: number, message: string): void;
}

/**
 * Long tasks (scans, imports) run in the background with progress pushed to the renderer and can be
 * cancelled. A job's outcome is also pushed when it ends; a failure never escapes as an exception.
 */
export class Jobs {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly ctx: ServiceContext) {}

  start(
    title: string,
    total: number,
    run: (job: JobHandle) => Promise<{ state: Exclude<JobState, 'running'>; message: string }>,
    options: { uncancellable?: string } = {},
  ): string {
    const job: Job = { id: randomUUID(), title, controller: new AbortController(), done: 0, total, state: 'running', uncancellable: options.uncancellable ?? null };
    this.jobs.set(job.id, job);
    const emit = (message: string) =>
      this.ctx.emit('job.progress', { jobId: job.id, title: job.title, done: job.done, total: job.total, message, state: job.state });
    const handle: JobHandle = {
      id: job.id,
      signal: job.controller.signal,
      progress: (done, message) => {
        job.done = done;
        emit(message);
      },
    };
    emit('started');
    void run(handle)
      .then(({ state, message }) => {
        job.state = job.controller.signal.aborted ? 'cancelled' : state;
        emit(message);
      })
      .catch((error: unknown) => {
        job.state = 'failed';
        emit(error instanceof Error ? error.message : String(error));
      })
      .finally(() => setTimeout(() => this.jobs.delete(job.id), 60_000).unref?.());
    return job.id;
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) throw new StagecraftError('not-found', `There is no job ${jobId}; it may have finished.`);
    if (job.state !== 'running') return false;
    if (job.uncancellable) throw new StagecraftError('refused', `${job.title}: it cannot be cancelled: ${job.uncancellable}`, 'Wait for it to finish; its outcome is shown and recorded.');
    job.controller.abort();
    return true;
  }
}

/** Questions a background job asks the person at the screen (a key passphrase, a password), answered through the contract. */
export class Prompts {
  private readonly pending = new Map<string, (answer: string | null) => void>();

  constructor(private readonly ctx: ServiceContext) {}

  ask(request: { kind: 'passphrase' | 'password'; subject: string; retry: boolean }, signal?: AbortSignal, timeoutMs = 300_000): Promise<string | null> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const finish = (answer: string | null) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(answer);
      };
      const timer = setTimeout(() => finish(null), timeoutMs);
      signal?.addEventListener('abort', () => finish(null), { once: true });
      this.pending.set(requestId, finish);
      this.ctx.emit('credential.request', { requestId, ...request });
    });
  }

  answer(requestId: string, secret: string | null): boolean {
    const finish = this.pending.get(requestId);
    if (!finish) return false;
    finish(secret);
    return true;
  }
}
