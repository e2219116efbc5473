import type { CallInput, CallName, CallOutput, EventPayload } from '../contract/index';
import { actAs } from './change';
import { jobFollower, type OnEvent } from './follow-job';
import { UsageError } from './main';

type Invoke = <N extends CallName>(name: N, input: CallInput<N>) => Promise<CallOutput<N>>;

/** Exit codes of `stagecraft apply`. */
export const APPLY_EXIT = { succeeded: 0, error: 2, rolledBack: 4 } as const;

function dryRunLines(dry: CallOutput<'apply.dryRun'>): string[] {
  const lines = [`Change #${dry.changeId}: ${dry.hosts.length} host(s), ${dry.concurrency} at a time${dry.allowed ? '' : `; NOT applicable now: ${dry.reason}`}`];
  for (const host of dry.hosts) {
    const safeguard = host.safeguard.kind === 'vm-snapshot' ? `snapshot VM ${host.safeguard.domain} on ${host.safeguard.hypervisor} first` : `back up on the host in ${host.safeguard.backupDir}`;
    lines.push(`${host.host} (${host.role}, ${host.endpoint}): ${safeguard}`);
    for (const command of host.commands) lines.push(`  ${command.phase === 'backup' ? 'backup' : `step ${command.step! + 1}`}: ${command.label}`, `    $ ${command.command}${command.stdinBytes ? `  < ${command.stdinBytes} bytes` : ''}`);
    for (const file of host.files) {
      if (!file.diff || file.diff.identical) continue;
      lines.push(`  ${file.path}: +${file.diff.added} -${file.diff.removed}`);
      for (const row of file.diff.hunks.flatMap((h) => h.rows)) {
        if (row.kind === 'same') lines.push(`      ${row.left?.text ?? ''}`);
        if (row.kind === 'removed' || row.kind === 'changed') lines.push(`    - ${row.left?.text ?? ''}`);
        if (row.kind === 'added' || row.kind === 'changed') lines.push(`    + ${row.right?.text ?? ''}`);
      }
    }
    lines.push(`  on failure: ${host.rollback.map((r) => r.label).join('; ') || 'nothing to undo'}`);
  }
  return lines;
}

/**
 * stagecraft apply WORKSPACE --change ID [--dry-run] [--concurrency N] [--canary HOST] [--resume complete|roll-back] [--as PERSON]
 * Exit 0 applied and verified on every host, 4 rolled back, 2 anything else (refused, failed, in doubt).
 */
export async function runApplyCommand(options: Map<string, string>, invoke: Invoke, onEvent: OnEvent, out: (line: string) => void): Promise<number> {
  const raw = options.get('change')?.replace(/^#/, '');
  if (!raw || !/^\d+$/.test(raw)) throw new UsageError('--change needs the ID of a change, such as 12.');
  const changeId = Number(raw);
  const concurrency = options.has('concurrency') ? Number(options.get('concurrency')) : undefined;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new UsageError('--concurrency needs a whole number of at least 1.');
  const resume = options.get('resume');
  if (resume !== undefined && resume !== 'complete' && resume !== 'roll-back') throw new UsageError('--resume takes complete or roll-back.');
  await actAs(options, invoke);
  const shape = { changeId, ...(concurrency !== undefined && { concurrency }), ...(options.has('canary') && { canary: options.get('canary')! }) };
  if (options.has('dry-run')) {
    const dry = await invoke('apply.dryRun', shape);
    for (const line of dryRunLines(dry)) out(line);
    return dry.allowed ? APPLY_EXIT.succeeded : APPLY_EXIT.error;
  }

  const jobs = jobFollower(onEvent);
  onEvent((name, payload) => {
    if (name !== 'apply.progress') return;
    const p = payload as EventPayload<'apply.progress'>;
    if (p.command) {
      if (p.command.status !== 'running') out(`${p.host}: ${p.command.phase} ${p.command.label}: ${p.command.status}`);
    } else out(`${p.host}: ${p.state.toUpperCase()} ${p.message}`);
  });
  // Ctrl-C aborts: the host being changed is rolled back, the others stay untouched.
  const abort = () => {
    out('Aborting: rolling back the host being changed…');
    void invoke('apply.abort', { changeId }).catch(() => undefined);
  };
  process.once('SIGINT', abort);
  try {
    const started = resume ? await invoke('apply.resume', { changeId, mode: resume }) : await invoke('apply.start', shape);
    await jobs.ended(started.jobId);
  } finally {
    process.removeListener('SIGINT', abort);
  }
  const status = await invoke('apply.status', { changeId });
  out(`Run ${status.run?.id}: ${status.run?.state}; change #${changeId} is ${status.changeState}. ${status.run?.message ?? ''}`);
  if (status.run?.state === 'succeeded') return APPLY_EXIT.succeeded;
  if (status.run?.state === 'rolled-back' || (status.run?.state === 'aborted' && status.hosts.every((h) => h.state === 'rolled-back' || h.state === 'pending' || h.state === 'done'))) return APPLY_EXIT.rolledBack;
  return APPLY_EXIT.error;
}
