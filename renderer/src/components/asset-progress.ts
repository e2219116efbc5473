/** Per-VM progress of a clone or reclaim job, folded from its assets.progress events. Pure. */
import type { EventPayload } from '../../../core/contract/index';

export type AssetProgress = EventPayload<'assets.progress'>;

/** The latest event of each VM of a job, in the order the VMs first appeared; other jobs' events are ignored. */
export function latestPerVm(events: readonly AssetProgress[], jobId: string): AssetProgress[] {
  const latest = new Map<string, AssetProgress>();
  for (const event of events) if (event.jobId === jobId) latest.set(event.vm, event);
  return [...latest.values()];
}
