/**
 * Resuming apply runs cut short, on farm scratch hosts 74–77 (scripts/farm/farm.sh scratch N): a
 * canary resumed alone, a roll-back resume that never applies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { portDropper } from '../connectors/ssh/test-support/nft';
import { resumeApply, startApply, type ApplyProgress } from './apply';
import { KeyRing } from './signing';
import { FIXTURE_CONF, FIXTURE_STATE, onHost, scratch, scratchUnavailable, v2Edits, workbench, type Workbench } from './test-support/apply-bench';

const TABLE = `stagecraft_apply_resume_${process.pid}`;
const UNCHANGED = '1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n';

const reason = scratchUnavailable();
if (reason) console.log(`apply resume on the farm: skipped, ${reason}`);
const { drop: dropPort, remove: removeTable } = portDropper(TABLE);

let dir: string;
let keys: KeyRing;
beforeAll(() => {
  if (reason) return;
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-resume-'));
  keys = new KeyRing(dir);
});
afterEach(removeTable);
afterAll(() => {
  removeTable();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What startApply has written when the app dies before its first host is touched: the run, every host pending, the canary first. */
function runLeftByADeadApp(bench: Workbench, canary: string | null) {
  const hosts = [...bench.hosts].sort((a, b) => Number(b.name === canary) - Number(a.name === canary));
  return bench.store.apply.createRun({ changeId: bench.changeId, concurrency: 2, canary, actor: bench.rita.name, at: new Date().toISOString(), hosts: hosts.map((h) => ({ hostId: h.id, hostName: h.name })) });
}

describe.skipIf(reason !== null)('resuming an apply run (scratch hosts 74–77)', () => {
  it('a canary left in doubt is resumed alone: the other host starts only once the canary is done', async () => {
    const env = scratch(74, 75);
    const bench = await workbench(dir, keys, 'canary-in-doubt', [74, 75], v2Edits('mode = canary\n'));
    let cut = false;
    const interrupted = await startApply(bench.store, bench.changeId, {
      ...bench.options({ concurrency: 2, canary: 'scratch75' }),
      onProgress: (e) => {
        if (!cut && e.host === 'scratch75' && e.command?.label === `write file ${FIXTURE_CONF}` && e.command.status === 'running') {
          cut = true;
          dropPort(env.portBase + 75);
        }
      },
    }).done;
    expect(interrupted.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch75', 'in-doubt'],
      ['scratch74', 'pending'],
    ]);
    removeTable();

    const events: ApplyProgress[] = [];
    const resumed = await resumeApply(bench.store, bench.changeId, { ...bench.options({ concurrency: 2, onProgress: (e) => events.push(e) }), mode: 'complete' }).done;
    expect(resumed.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch75', 'done'],
      ['scratch74', 'done'],
    ]);
    const canaryDone = events.findIndex((e) => e.host === 'scratch75' && e.state === 'done');
    const otherStarted = events.findIndex((e) => e.host === 'scratch74');
    expect(canaryDone).toBeGreaterThanOrEqual(0);
    expect(otherStarted).toBeGreaterThan(canaryDone);
    expect(resumed.changeState).toBe('implemented');
    bench.store.close();
  }, 300_000);

  it('a roll-back resume of a run whose canary never started applies nothing: every host stays as it was', async () => {
    scratch(76, 77);
    const bench = await workbench(dir, keys, 'canary-pending', [76, 77], v2Edits('mode = never\n'));
    const run = runLeftByADeadApp(bench, 'scratch77');
    const events: ApplyProgress[] = [];
    const outcome = await resumeApply(bench.store, bench.changeId, { ...bench.options({ onProgress: (e) => events.push(e) }), mode: 'roll-back' }).done;
    expect(outcome.run.id).toBe(run.id);
    expect(outcome.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['scratch77', 'pending'],
      ['scratch76', 'pending'],
    ]);
    expect(events).toEqual([]);
    for (const host of outcome.hosts) expect(bench.store.apply.commands(host.id)).toEqual([]);
    expect(outcome.changeState).not.toBe('implemented');
    expect(onHost(77, FIXTURE_STATE)).toBe(UNCHANGED);
    expect(onHost(76, FIXTURE_STATE)).toBe(UNCHANGED);
    bench.store.close();
  }, 300_000);
});
