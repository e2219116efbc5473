import type { CallOutput, EventPayload } from '../../../core/contract/index';

/** Pure views of an apply run for the Apply view: which screen it needs, hosts grouped, events folded in. */
export type ApplyStatus = CallOutput<'apply.status'>;
export type ApplyHostView = ApplyStatus['hosts'][number];
export type ApplyHostState = ApplyHostView['state'];
export type ApplyRunState = NonNullable<ApplyStatus['run']>['state'];
export type ApplyEvent = EventPayload<'apply.progress'>;

/**
 * plan: no run yet (the dry run and Start); running: this process is applying it now;
 * interrupted: a run cut short (the app or a link died) or a host left in doubt, to be resumed;
 * finished: the outcome of the last run.
 */
export type ApplyMode = 'plan' | 'running' | 'interrupted' | 'finished';

export function applyMode(status: ApplyStatus): ApplyMode {
  const { run } = status;
  if (!run) return 'plan';
  if (run.live) return 'running';
  if (run.state === 'running' || run.state === 'interrupted' || status.hosts.some((h) => h.state === 'in-doubt')) return 'interrupted';
  return 'finished';
}

/** Hosts of a cut-short run by what is known of them, in apply order. */
export interface HostGroups {
  done: ApplyHostView[];
  /** In doubt, or caught mid-way by a dead app (its state still says what it was doing). */
  inDoubt: ApplyHostView[];
  /** Never started: nothing was sent to them. */
  untouched: ApplyHostView[];
  rolledBack: ApplyHostView[];
  failed: ApplyHostView[];
}

export function hostGroups(hosts: readonly ApplyHostView[]): HostGroups {
  const groups: HostGroups = { done: [], inDoubt: [], untouched: [], rolledBack: [], failed: [] };
  for (const host of [...hosts].sort((a, b) => a.position - b.position)) {
    if (host.state === 'done') groups.done.push(host);
    else if (host.state === 'pending') groups.untouched.push(host);
    else if (host.state === 'rolled-back') groups.rolledBack.push(host);
    else if (host.state === 'failed') groups.failed.push(host);
    else groups.inDoubt.push(host);
  }
  return groups;
}

/** An event of a run later than the status read (none then, or an older one): the status must be read again to show it. */
export function isOfLaterRun(status: ApplyStatus, event: ApplyEvent): boolean {
  return status.run === null || event.runId > status.run.id;
}

/** A progress event folded into the status: the host's state and message at once, before the next status read. */
export function withEvent(status: ApplyStatus, event: ApplyEvent): ApplyStatus {
  if (status.run?.id !== event.runId) return status;
  return { ...status, hosts: status.hosts.map((h) => (h.hostName === event.host ? { ...h, state: event.state, message: event.message } : h)) };
}

/**
 * How many of a host's plan steps have finished (every command of the step ran ok), of how many:
 * the step commands come from the host's dry run.
 */
export function stepsDone(host: ApplyHostView, planned: readonly { phase: 'backup' | 'step'; step?: number }[]): { done: number; total: number } {
  const commandsOf = new Map<number, number>();
  for (const command of planned) if (command.phase === 'step' && command.step !== undefined) commandsOf.set(command.step, (commandsOf.get(command.step) ?? 0) + 1);
  const ok = new Map<number, number>();
  for (const command of host.commands) if (command.phase === 'step' && command.state === 'ok' && command.stepIndex !== null) ok.set(command.stepIndex, (ok.get(command.stepIndex) ?? 0) + 1);
  return { done: [...commandsOf].filter(([step, count]) => (ok.get(step) ?? 0) >= count).length, total: commandsOf.size };
}

export const HOST_STATE_HEALTH: Record<ApplyHostState, 'ok' | 'warn' | 'bad' | 'unknown'> = {
  pending: 'unknown',
  snapshotting: 'warn',
  applying: 'warn',
  verifying: 'warn',
  done: 'ok',
  'rolling-back': 'bad',
  'rolled-back': 'bad',
  failed: 'bad',
  'in-doubt': 'bad',
};

export const RUN_STATE_HEALTH: Record<ApplyRunState, 'ok' | 'warn' | 'bad' | 'unknown'> = {
  running: 'warn',
  succeeded: 'ok',
  'rolled-back': 'bad',
  failed: 'bad',
  aborted: 'bad',
  interrupted: 'bad',
};

/**
 * A command's output as a terminal showed it: progress meters (apt's "Reading database ... 5%")
 * rewrite their line after a carriage return, so each line keeps what its last rewrite left.
 */
export function asTerminalShows(output: string): string {
  return output
    .split('\n')
    .map((line) => line.split('\r').reduce((shown, rewrite) => rewrite + shown.slice(rewrite.length)))
    .join('\n');
}
