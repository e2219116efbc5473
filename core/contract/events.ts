import { z } from 'zod';
import { applyCommandPhase, applyHostState } from './apply';

/** Why the workspace changed: the session opened or closed it, or a write changed its content (an edit, a clone or reclaim, an apply run). */
export const WORKSPACE_CHANGE_REASONS = ['opened', 'closed', 'updated', 'assets', 'apply'] as const;
const workspaceChangeReason = z.enum(WORKSPACE_CHANGE_REASONS);
export type WorkspaceChangeReason = (typeof WORKSPACE_CHANGE_REASONS)[number];

/** Pushed from the main process to the renderer. */
export const events = {
  'workspace.changed': z.object({ reason: workspaceChangeReason }),
  'job.progress': z.object({
    jobId: z.string(),
    title: z.string(),
    done: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    message: z.string(),
    state: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  }),
  'scan.progress': z.object({
    jobId: z.string(),
    hostId: z.number().int(),
    hostName: z.string(),
    phase: z.enum(['connecting', 'collecting', 'parsing', 'saved', 'failed']),
    snapshotId: z.number().int().optional(),
    partial: z.object({ remedy: z.string(), warnings: z.number().int() }).optional(),
    failure: z.object({ kind: z.string(), message: z.string(), remedy: z.string(), fingerprint: z.string().optional() }).optional(),
  }),
  /** Applying a change: a host moved to another state, or one of its commands started or ended. */
  'apply.progress': z.object({
    jobId: z.string(),
    changeId: z.number().int(),
    runId: z.number().int(),
    host: z.string(),
    state: applyHostState,
    command: z.object({ label: z.string(), phase: applyCommandPhase, status: z.enum(['running', 'ok', 'failed']) }).optional(),
    message: z.string(),
  }),
  /** A clone or reclaim job: one VM reached a step (before and after each hypervisor operation, registration, scan). */
  'assets.progress': z.object({
    jobId: z.string(),
    kind: z.enum(['clone', 'reclaim']),
    runId: z.number().int(),
    vm: z.string(),
    /** The VM's recorded step: clone planned|cloning|cloned|registered|scanned, reclaim pending|powering-off|…|deleted. */
    step: z.string(),
    message: z.string(),
    state: z.enum(['running', 'done', 'failed']),
  }),
  /** A background job needs a secret from the person at the screen; answer with credential.answer. Never stored. */
  'credential.request': z.object({ requestId: z.string(), kind: z.enum(['passphrase', 'password']), subject: z.string(), retry: z.boolean() }),
};

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.infer<(typeof events)[N]>;
export const eventNames = Object.keys(events) as EventName[];
