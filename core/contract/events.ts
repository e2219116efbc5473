import { z } from 'zod';

/** Pushed from the main process to the renderer. */
export const events = {
  'workspace.changed': z.object({ reason: z.string() }),
  'job.progress': z.object({
    jobId: z.string(),
    title: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    message: z.string(),
    state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  }),
};

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>;
export const eventNames = Object.keys(events) as EventName[];
