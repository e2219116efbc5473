import type { EventPayload } from '../../../core/contract/index';
import { EarlyEvents } from './early-events';

export type JobEvent = EventPayload<'job.progress'>;

/**
 * job.progress of jobs no slice follows yet (the call that started the job has not answered): one
 * buffer for every slice, which takes its job's events from it once it knows the job id.
 */
export const heldJobEvents = new EarlyEvents<JobEvent>();
