import { z } from 'zod';
import { APPLY_COMMAND_STATES, APPLY_HOST_STATES, APPLY_PHASES, APPLY_RUN_STATES, APPLY_SAFEGUARDS } from '../domain/apply-states';
import { call } from './define';
import { textDiffSchema } from './drift';
import { id } from './schemas';

/** Shared with the apply.progress event. */
export const applyHostState = z.enum(APPLY_HOST_STATES);
export const applyCommandPhase = z.enum(APPLY_PHASES);
const runState = z.enum(APPLY_RUN_STATES);

const dryRunHost = z.object({
  host: z.string(),
  role: z.string(),
  endpoint: z.string(),
  safeguard: z.discriminatedUnion('kind', [z.object({ kind: z.literal('vm-snapshot'), hypervisor: z.string(), domain: z.string() }), z.object({ kind: z.literal('host-backup'), backupDir: z.string() })]),
  commands: z.array(z.object({ phase: z.enum(['backup', 'step']), step: z.number().int().optional(), label: z.string(), command: z.string(), stdinBytes: z.number().int() })),
  rollback: z.array(z.object({ label: z.string(), command: z.string() })),
  files: z.array(z.object({ path: z.string(), action: z.enum(['write', 'remove']), diff: textDiffSchema.nullable() })),
});

export const applyRun = z.object({
  id,
  changeId: id,
  state: runState,
  concurrency: z.number().int(),
  canary: z.string().nullable(),
  actor: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  message: z.string(),
  /** True while this process is running it; a "running" run that is not live was cut short. */
  live: z.boolean(),
});

export const applyHost = z.object({
  id,
  hostId: id,
  hostName: z.string(),
  position: z.number().int(),
  state: applyHostState,
  safeguard: z.enum(APPLY_SAFEGUARDS).nullable(),
  vm: z.object({ hypervisorId: id, domain: z.string(), snapshot: z.string() }).nullable(),
  backupDir: z.string().nullable(),
  backups: z.array(z.object({ path: z.string(), backupPath: z.string() })),
  interruptedIn: applyHostState.nullable(),
  beforeSnapshotId: id.nullable(),
  afterSnapshotId: id.nullable(),
  message: z.string(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  commands: z.array(
    z.object({
      phase: applyCommandPhase,
      stepIndex: z.number().int().nullable(),
      label: z.string(),
      command: z.string(),
      state: z.enum(APPLY_COMMAND_STATES),
      exitCode: z.number().int().nullable(),
      output: z.string(),
      truncated: z.boolean(),
      startedAt: z.string(),
      endedAt: z.string().nullable(),
    }),
  ),
});

const started = z.object({ jobId: z.string(), runId: id });

export const applyCalls = {
  'apply.dryRun': call(
    'What applying a change would run, host by host in order (exact commands, files with their diff), and whether the current person may apply it now',
    z.object({ changeId: id, concurrency: z.number().int().min(1).max(64).optional(), canary: z.string().optional() }),
    z.object({
      changeId: id,
      allowed: z.boolean(),
      reason: z.string().nullable(),
      concurrency: z.number().int(),
      hosts: z.array(dryRunHost),
    }),
  ),
  'apply.start': call(
    'Apply an approved change whose window is open, as a job: snapshot or back up each host, run its steps, verify, roll back by itself on failure',
    z.object({ changeId: id, concurrency: z.number().int().min(1).max(64).optional(), canary: z.string().optional() }),
    started,
  ),
  'apply.abort': call('Abort a running apply: the host being changed is rolled back, hosts not started stay untouched', z.object({ changeId: id }), z.object({ aborted: z.boolean() })),
  'apply.status': call('The latest apply run of a change: each host (done, in doubt, rolled back…) and every command with its output', z.object({ changeId: id }), z.object({ run: applyRun.nullable(), hosts: z.array(applyHost), changeState: z.string() })),
  'apply.resume': call(
    'Resume an interrupted apply: complete it (the step in doubt runs again, finished ones never) or roll the host in doubt back',
    z.object({ changeId: id, mode: z.enum(['complete', 'roll-back']) }),
    started,
  ),
};
