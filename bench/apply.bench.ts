/**
 * Applying a change to farm scratch hosts (sudo scripts/farm/farm.sh scratch, hosts 61–64, reset
 * before each side): Stagecraft's apply (safeguard, steps, every command recorded before and
 * after, verification by rescan) against the floor: the very same step commands sent over one SSH
 * session per host, nothing backed up, recorded or verified. Then a rollback (a missing version
 * after a file write) against the same floor. One host at a time, per host.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteShell, type SshTarget } from '../core/connectors/ssh/index';
import { hostApplyScript } from '../core/domain/apply-plan';
import { applyChange } from '../core/services/apply';
import type { StoredPlan } from '../core/services/change-control';
import { KeyRing } from '../core/services/signing';
import { farmEnv, scratch, scratchUnavailable, v2Edits, workbench } from '../core/services/test-support/apply-bench';
import { compare, print, type Comparison } from './harness';

const HOSTS = [61, 62, 63, 64];

/** The plan's step commands only, straight over SSH: what any tool must at least send. */
async function floor(bench: Awaited<ReturnType<typeof workbench>>): Promise<number> {
  const started = performance.now();
  const { plan } = bench.store.promotion.plan<StoredPlan>(bench.changeId);
  for (const hostPlan of plan.hosts) {
    const host = bench.hosts.find((h) => h.name === hostPlan.host)!;
    const target: SshTarget = { host: host.address, port: host.port, user: host.sshUser };
    const shell = await RemoteShell.connect(target, bench.options().ssh!);
    try {
      const script = hostApplyScript(hostPlan.steps, { host: host.name, user: shell.user, manager: 'dpkg', backupDir: '/tmp/unused' });
      for (const command of script.steps.flatMap((s) => s.commands)) await shell.run(command.argv, { timeoutMs: command.timeoutMs, ...(command.stdin !== undefined && { stdin: command.stdin }) });
    } finally {
      shell.close();
    }
  }
  return (performance.now() - started) / HOSTS.length;
}

export async function applyBenchmark(): Promise<Comparison[]> {
  const reason = scratchUnavailable();
  if (reason) {
    console.log(`apply: skipped, ${reason}`);
    return [];
  }
  farmEnv();
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-apply-'));
  const keys = new KeyRing(dir);
  const perHost = async (name: string, edits: Parameters<typeof workbench>[4], stagecraft: boolean) => {
    scratch(...HOSTS);
    const bench = await workbench(dir, keys, `${name}-${stagecraft ? 'stagecraft' : 'floor'}`, HOSTS, edits);
    try {
      if (!stagecraft) return await floor(bench);
      const started = performance.now();
      await applyChange(bench.store, bench.changeId, bench.options({ concurrency: 1 }));
      return (performance.now() - started) / HOSTS.length;
    } finally {
      bench.store.close();
    }
  };
  const timing = (ms: number) => ({ medianMs: ms, minMs: ms, runs: 1 });
  const good = v2Edits('mode = bench\n');
  const applied = compare('apply: one change on 4 scratch hosts, per host', 'Stagecraft apply (safeguard, recorded steps, verify)', timing(await perHost('apply', good, true)), 'the same step commands over SSH, nothing else', timing(await perHost('apply', good, false)), 'safety costs a rescan and a backup per host, not a multiple');
  const failing = v2Edits('mode = bench\n', [{ kind: 'set-package', role: 'app', name: 'stagecraft-fixture', version: '0.0-missing', manager: 'dpkg', arch: 'all' }]);
  const rolledBack = compare('apply: a failing change rolled back on 4 scratch hosts, per host', 'Stagecraft apply + rollback + rescan', timing(await perHost('rollback', failing, true)), 'the same step commands over SSH (failing), nothing undone', timing(await perHost('rollback', failing, false)));
  for (const c of [applied, rolledBack]) print(c);
  return [applied, rolledBack];
}
