/** The states an apply run, each of its hosts and each command sent go through: one list for the store, the contract and the service. */
export const APPLY_RUN_STATES = ['running', 'succeeded', 'rolled-back', 'failed', 'aborted', 'interrupted'] as const;
export type ApplyRunState = (typeof APPLY_RUN_STATES)[number];

export const APPLY_HOST_STATES = ['pending', 'snapshotting', 'applying', 'verifying', 'done', 'rolling-back', 'rolled-back', 'failed', 'in-doubt'] as const;
export type ApplyHostState = (typeof APPLY_HOST_STATES)[number];

/** What a command sent to a host is for: backing it up, a step of the plan, or undoing steps. */
export const APPLY_PHASES = ['backup', 'step', 'rollback'] as const;
export type ApplyPhase = (typeof APPLY_PHASES)[number];

export const APPLY_COMMAND_STATES = ['running', 'ok', 'failed', 'in-doubt'] as const;
export type ApplyCommandState = (typeof APPLY_COMMAND_STATES)[number];

export const APPLY_SAFEGUARDS = ['vm-snapshot', 'host-backup'] as const;
export type ApplySafeguard = (typeof APPLY_SAFEGUARDS)[number];
