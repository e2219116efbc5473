import type { EventName, EventPayload } from '../contract/index';

export type OnEvent = (listener: <N extends EventName>(name: N, payload: EventPayload<N>) => void) => void;

export interface JobFollower {
  /** The job's end: its last job.progress message, also when it came before this call. */
  ended(jobId: string): Promise<string>;
}

/**
 * Follows the jobs a command starts, listening from before the first starts: a job can end
 * before the call that started it returns its id, and its end is kept, so the command never waits
 * for an event that came already.
 */
export function jobFollower(onEvent: OnEvent): JobFollower {
  const ends = new Map<string, string>();
  const waiting = new Map<string, (message: string) => void>();
  onEvent((name, payload) => {
    if (name !== 'job.progress') return;
    const job = payload as EventPayload<'job.progress'>;
    if (job.state === 'running') return;
    ends.set(job.jobId, job.message);
    waiting.get(job.jobId)?.(job.message);
  });
  return {
    async ended(jobId) {
      const message = ends.get(jobId) ?? (await new Promise<string>((resolve) => waiting.set(jobId, resolve)));
      waiting.delete(jobId);
      return message;
    },
  };
}
