/**
 * Applying a change to farm scratch hosts (sudo scripts/farm/farm.sh scratch, hosts 65–69):
 * Stagecraft's apply (safeguard, steps, every command recorded before and after, verification by
 * rescan) against the floor: the very same commands that make the change, sent over one SSH
 * session, nothing backed up, recorded or verified. Then a failing change (a missing version)
 * rolled back, against the same commands up to the failure followed by the same undo commands.
 *
 * Fair by construction: each sample is one host, freshly reset, with its own workspace prepared
 * before the clock starts; each round resets hosts 65–68 and runs both sides on two hosts each,
 * the side going first and the host each side gets alternating from round to round (boot
 * activity, page cache and host differences fall on both); one warm-up of each side on host 69
 * first (module loading, JIT, the first SSH handshakes).
 *
 * The shared commands are the very same argument vectors on equally fresh hosts, yet under the
 * shared machine's load their time alone spreads over seconds (apt-get's 1.7–7 s for one and the
 * same upgrade), more than what safety adds: a ratio of raw totals then says more about the load
 * than about Stagecraft (single runs gave 0.64x). So each side is timed as its own work (its
 * total minus the shared commands, median) plus the shared commands at their median over both
 * sides; the raw medians are printed beside it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteShell, type SshTarget } from '../core/connectors/ssh/index';
import { hostApplyScript, rollbackCommands, type HostCommand } from '../core/domain/apply-plan';
import type { ImageEdit } from '../core/domain/image';
import { applyChange } from '../core/services/apply';
import type { StoredPlan } from '../core/services/change-control';
import { KeyRing } from '../core/services/signing';
import { scratch, scratchUnavailable } from '../core/connectors/ssh/test-support/farm';
import { v2Edits, workbench, type Workbench } from '../core/services/test-support/apply-bench';
import { compare, print, timingOf, type Comparison, type Timing } from './harness';

const HOSTS = [65, 66, 67, 68];
const WARM_UP_HOST = 69;
const ROUNDS = 6;

type Side = 'stagecraft' | 'floor';

interface Sample {
  ms: number;
  /** Time spent in the commands themselves (on the host and the link), per phase (backup, step, rollback). */
  commandsMs: Record<string, number>;
}

/** The floor: the plan's commands in order until one fails, then the undo commands of the steps that ran. */
async function floor(bench: Workbench): Promise<Sample> {
  const started = performance.now();
  const [hostPlan] = bench.store.promotion.plan<StoredPlan>(bench.changeId).plan.hosts;
  const host = bench.hosts[0]!;
  const target: SshTarget = { host: host.address, port: host.port, user: host.sshUser };
  const shell = await RemoteShell.connect(target, bench.options().ssh!);
  const commandsMs: Record<string, number> = { step: 0, rollback: 0 };
  const run = async (phase: 'step' | 'rollback', command: HostCommand) => {
    const result = await shell.run(command.argv, { timeoutMs: command.timeoutMs, ...(command.stdin !== undefined && { stdin: command.stdin }) });
    commandsMs[phase]! += result.durationMs;
    return result.exitCode === 0;
  };
  try {
    const script = hostApplyScript(hostPlan!.steps, { host: host.name, user: shell.user, backupDir: '/tmp/unused' });
    const ran = new Set<number>();
    const steps = async () => {
      for (const step of script.steps) {
        ran.add(step.index);
        for (const command of step.commands.filter((c) => !c.safeguard)) if (!(await run('step', command))) return false;
      }
      return true;
    };
    if (!(await steps())) for (const command of rollbackCommands(script, ran).filter((c) => !c.safeguard)) await run('rollback', command);
  } finally {
    shell.close();
  }
  return { ms: performance.now() - started, commandsMs };
}

async function stagecraft(bench: Workbench): Promise<Sample> {
  const started = performance.now();
  const outcome = await applyChange(bench.store, bench.changeId, bench.options({ concurrency: 1 }));
  const ms = performance.now() - started;
  const commandsMs: Record<string, number> = { backup: 0, step: 0, rollback: 0 };
  for (const c of bench.store.apply.commands(outcome.hosts[0]!.id)) commandsMs[c.phase]! += Date.parse(c.endedAt!) - Date.parse(c.startedAt);
  return { ms, commandsMs };
}

const median = (values: number[]) => timingOf(values).medianMs.toFixed(0);
/** The commands both sides send (the steps and the undo), as opposed to what only one side does. */
const sharedMs = (s: Sample) => (s.commandsMs.step ?? 0) + (s.commandsMs.rollback ?? 0);
const spread = (samples: Sample[]) => `${Math.min(...samples.map((s) => s.ms)).toFixed(0)}–${Math.max(...samples.map((s) => s.ms)).toFixed(0)} ms`;
/** Where a side's time went: the shared commands, its own commands, and everything around them. */
const breakdown = (samples: Sample[]) =>
  [
    `spread ${spread(samples)}`,
    `the shared commands ${median(samples.map(sharedMs))} ms`,
    ...(samples[0]!.commandsMs.backup !== undefined ? [`backup commands ${median(samples.map((s) => s.commandsMs.backup!))} ms`] : []),
    `everything but the shared commands ${median(samples.map((s) => s.ms - sharedMs(s)))} ms`,
  ].join('; ');

/** ROUNDS rounds of fresh hosts, each side on two of them per round, interleaved. */
async function samplesOf(dir: string, keys: KeyRing, name: string, edits: (role: string) => ImageEdit[]): Promise<Record<Side, Sample[]>> {
  const samples: Record<Side, Sample[]> = { stagecraft: [], floor: [] };
  const sides = { stagecraft, floor };
  for (let round = 0; round < ROUNDS; round++) {
    scratch(...HOSTS);
    const benches: Workbench[] = [];
    for (const n of HOSTS) benches.push(await workbench(dir, keys, `${name}-${round}-${n}`, [n], edits));
    for (const [i, bench] of benches.entries()) {
      const side: Side = (i + round) % 2 === 0 ? 'stagecraft' : 'floor';
      try {
        samples[side].push(await sides[side](bench));
      } finally {
        bench.store.close();
      }
    }
  }
  return samples;
}

async function warmUp(dir: string, keys: KeyRing): Promise<void> {
  scratch(WARM_UP_HOST);
  const first = await workbench(dir, keys, 'warm-up-stagecraft', [WARM_UP_HOST], v2Edits('mode = warm\n'));
  const second = await workbench(dir, keys, 'warm-up-floor', [WARM_UP_HOST], v2Edits('mode = warm\n'));
  try {
    await stagecraft(first);
    await floor(second);
  } finally {
    first.store.close();
    second.store.close();
  }
}

export async function applyBenchmark(): Promise<Comparison[]> {
  const reason = scratchUnavailable();
  if (reason) {
    console.log(`apply: skipped, ${reason}`);
    return [];
  }
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-apply-'));
  const keys = new KeyRing(dir);
  await warmUp(dir, keys);
  const comparison = (title: string, subject: string, peer: string, samples: Record<Side, Sample[]>, aim?: string): Comparison => {
    const shared = timingOf([...samples.stagecraft, ...samples.floor].map(sharedMs)).medianMs;
    const ownPlusShared = (side: Sample[]): Timing => {
      const own = timingOf(side.map((s) => s.ms - sharedMs(s)));
      return { medianMs: own.medianMs + shared, minMs: own.minMs + shared, runs: own.runs };
    };
    const raw = { stagecraft: timingOf(samples.stagecraft.map((s) => s.ms)).medianMs, floor: timingOf(samples.floor.map((s) => s.ms)).medianMs };
    const result = compare(title, subject, ownPlusShared(samples.stagecraft), peer, ownPlusShared(samples.floor), aim);
    return {
      ...result,
      notes: [
        `${samples.stagecraft.length} samples a side (${ROUNDS} rounds of fresh hosts, sides interleaved, after a warm-up of each); each side: its own work + the shared commands at their median over both sides, ${shared.toFixed(0)} ms`,
        `raw medians: Stagecraft ${raw.stagecraft.toFixed(0)} ms, floor ${raw.floor.toFixed(0)} ms (${(raw.stagecraft / raw.floor).toFixed(2)}x)`,
        `Stagecraft (medians per host): ${breakdown(samples.stagecraft)} (backup, rescan, records, connections)`,
        `floor (medians per host): ${breakdown(samples.floor)} (the connection)`,
      ],
    };
  };
  const applied = comparison(
    'apply: one change on a fresh scratch host, per host',
    'Stagecraft apply (safeguard, recorded steps, verify)',
    'the same step commands over SSH, nothing else',
    await samplesOf(dir, keys, 'apply', v2Edits('mode = bench\n')),
    'safety costs a rescan and a backup per host, not a multiple',
  );
  const failing = v2Edits('mode = bench\n', [{ kind: 'set-package', role: 'app', name: 'stagecraft-fixture', version: '0.0-missing', manager: 'dpkg', arch: 'all' }]);
  const rolledBack = comparison(
    'apply: a failing change rolled back on a fresh scratch host, per host',
    'Stagecraft apply + rollback + rescan',
    'the same commands up to the failure, then the same undo commands',
    await samplesOf(dir, keys, 'rollback', failing),
  );
  for (const c of [applied, rolledBack]) print(c);
  return [applied, rolledBack];
}
