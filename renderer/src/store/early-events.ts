/**
 * Events of a job can arrive before the call that started it has answered (a dead host fails at
 * once). They wait here, per job, until the slice that started the job takes them. Bounded: when
 * more jobs are waiting than the limit, the oldest job's events go first, so events of jobs another
 * slice started (or no one follows) can never crowd out those of the job about to be followed.
 */
export class EarlyEvents<E extends { jobId: string }> {
  private readonly byJob = new Map<string, E[]>();

  constructor(
    private readonly maxJobs = 50,
    private readonly maxPerJob = 10_000,
  ) {}

  hold(event: E): void {
    const events = this.byJob.get(event.jobId);
    if (events) {
      if (events.length < this.maxPerJob) events.push(event);
      return;
    }
    this.byJob.set(event.jobId, [event]);
    if (this.byJob.size > this.maxJobs) this.byJob.delete(this.byJob.keys().next().value!);
  }

  /** The job's held events in arrival order; they are no longer held. */
  take(jobId: string): E[] {
    const events = this.byJob.get(jobId) ?? [];
    this.byJob.delete(jobId);
    return events;
  }
}
