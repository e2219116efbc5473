/** Per-VM progress of clone and reclaim jobs, folded from their assets.progress events. Pure. */
import type { EventPayload } from '../../../core/contract/index';

export type AssetProgress = EventPayload<'assets.progress'>;

/** Per job, the latest event of each VM: as many entries as VMs seen, however many events came. */
export type LatestSteps = ReadonlyMap<string, ReadonlyMap<string, AssetProgress>>;

/** The steps with this event folded in (a new map: React state). A VM keeps the place it first appeared in. */
export function withLatestStep(latest: LatestSteps, event: AssetProgress): LatestSteps {
  const ofJob = new Map(latest.get(event.jobId));
  ofJob.set(event.vm, event);
  return new Map(latest).set(event.jobId, ofJob);
}

/** The latest event of each VM of a job, in the order the VMs first appeared. */
export const latestPerVm = (latest: LatestSteps, jobId: string): AssetProgress[] => [...(latest.get(jobId)?.values() ?? [])];
