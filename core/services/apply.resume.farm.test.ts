/**
 * Resuming apply runs cut short, on farm scratch hosts 74–78 (scripts/farm/farm.sh scratch N) and a
 * real libvirtd: a canary resumed alone, a roll-back resume that never applies, a VM snapshot taken
 * just before the app died adopted rather than taken again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { nftUnavailable, portDropper } from '../connectors/ssh/test-support/nft';
import { applySnapshotName } from '../domain/change-record';
import { resumeApply, startApply, type ApplyProgress } from './apply';
import { addHypervisor, refreshInventory } from './hypervisors';
import { KeyRing } from './signing';
import { SHARED_LIBVIRT_DIR, TestLibvirtd } from './test-support/test-libvirtd';
import { scratch, scratchUnavailable } from '../connectors/ssh/test-support/farm';
import { FIXTURE_CONF, FIXTURE_STATE, onHost, v2Edits, workbench, type Workbench } from './test-support/apply-bench';

const TABLE = `stagecraft_apply_resume_${process.pid}`;
const UNCHANGED = '1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n';

const reason = scratchUnavailable() ?? nftUnavailable();
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

  it('a roll-back resume of a run whose canary never started applies nothing: every host stays as it was, the run did nothing, the change stays scheduled', async () => {
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
    expect([outcome.run.state, outcome.run.message]).toEqual(['aborted', 'no host had started: nothing to roll back']);
    expect(outcome.changeState).toBe('scheduled');
    expect(onHost(77, FIXTURE_STATE)).toBe(UNCHANGED);
    expect(onHost(76, FIXTURE_STATE)).toBe(UNCHANGED);
    bench.store.close();
  }, 300_000);
});

const libvirtReason = reason ?? libvirtdMissing();
const VM = `apply-resume-${process.pid}`;
const POOL = `apply-resume-${process.pid}`;
const daemon = new TestLibvirtd(SHARED_LIBVIRT_DIR);

describe.skipIf(libvirtReason !== null)('resuming an apply run whose VM snapshot was taken just before the app died (scratch hosts 78, 81, 82, real libvirtd)', () => {
  beforeAll(() => {
    daemon.up();
    daemon.definePool(POOL);
    daemon.defineTinyVm(POOL, VM);
  });
  afterAll(() => daemon.removeFixtures(POOL, [VM]));
  const snapshotsOfVm = () => daemon.virsh('snapshot-list', '--domain', VM, '--name').split('\n').filter(Boolean);
  // Every workspace's first change and run are numbered 1: each test starts from a VM without snapshots.
  afterEach(() => {
    for (const snapshot of snapshotsOfVm()) daemon.virsh('snapshot-delete', '--domain', VM, '--snapshotname', snapshot);
  });

  /** A workspace whose one host (scratch n) is the VM, and the run a dead app left with that host being safeguarded. */
  async function cutWhileSafeguarding(name: string, n: number) {
    scratch(n);
    const bench = await workbench(dir, keys, name, [n], v2Edits(`mode = ${name}\n`), {}, () => VM);
    const hypervisorId = addHypervisor(bench.store, 'tester', { name: 'test-libvirtd', uri: daemon.uri }).id;
    await refreshInventory(bench.store, hypervisorId);
    const run = runLeftByADeadApp(bench, null);
    const [record] = bench.store.apply.hosts(run.id);
    bench.store.apply.updateHost(record!.id, { state: 'snapshotting', startedAt: new Date().toISOString(), message: 'safeguarding' });
    return { bench, run, hypervisorId, snapshot: applySnapshotName(bench.changeId, run.id), description: `before change ${bench.changeId} (apply run ${run.id})` };
  }

  it('refuses a snapshot of the same name that this run did not take (another workspace on the same hypervisor): the host fails untouched, the snapshot is neither used nor reverted', async () => {
    // Another workspace's change 1, run 1 snapshotted this VM before this run started: same name, same description.
    const foreign = applySnapshotName(1, 1);
    daemon.virsh('snapshot-create-as', '--domain', VM, '--name', foreign, '--description', 'before change 1 (apply run 1)');
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // libvirt dates snapshots to the second
    const { bench, run, snapshot } = await cutWhileSafeguarding('vm-foreign', 81);
    expect([run.id, snapshot]).toEqual([1, foreign]);

    const outcome = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'complete' }).done;
    expect(outcome.hosts.map((h) => [h.state, h.safeguard])).toEqual([['failed', null]]);
    expect(outcome.hosts[0]!.message).toMatch(new RegExp(`^nothing was changed: VM ${VM} on test-libvirtd already has a snapshot named ${snapshot} that this run did not take .*virsh snapshot-delete ${VM} ${snapshot}`));
    expect(bench.store.apply.commands(outcome.hosts[0]!.id)).toEqual([]);
    expect(snapshotsOfVm()).toEqual([foreign]);
    const actions = bench.store.audit.entries(1000).map((e: { action: string }) => e.action);
    expect(actions.filter((a) => a.startsWith('hypervisor.snapshot'))).toEqual([]);
    expect(onHost(81, FIXTURE_STATE)).toBe(UNCHANGED);

    // Another description under this run's name is refused the same way, even when it is newer than the run.
    bench.store.close();
    const second = await cutWhileSafeguarding('vm-foreign-described', 81);
    daemon.virsh('snapshot-delete', '--domain', VM, '--snapshotname', foreign);
    daemon.virsh('snapshot-create-as', '--domain', VM, '--name', second.snapshot, '--description', 'taken by hand');
    const refused = await resumeApply(second.bench.store, second.bench.changeId, { ...second.bench.options(), mode: 'complete' }).done;
    expect(refused.hosts[0]!.message).toMatch(/that this run did not take \("taken by hand", created /);
    second.bench.store.close();
  }, 300_000);

  it('a roll-back resume of a VM host cut while safeguarding records the snapshot the run had taken and keeps it (nothing to revert)', async () => {
    const { bench, hypervisorId, snapshot, description } = await cutWhileSafeguarding('vm-rollback', 82);
    daemon.virsh('snapshot-create-as', '--domain', VM, '--name', snapshot, '--description', description);

    const outcome = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'roll-back' }).done;
    expect(outcome.hosts.map((h) => [h.state, h.message])).toEqual([['rolled-back', `nothing was changed (resumed to roll back); VM ${VM}'s snapshot ${snapshot} is kept`]]);
    expect(outcome.hosts[0]).toMatchObject({ safeguard: 'vm-snapshot', vm: { hypervisorId, domain: VM, snapshot } });
    expect(snapshotsOfVm()).toEqual([snapshot]);
    const actions = bench.store.audit.entries(1000).map((e: { action: string }) => e.action);
    expect(actions.filter((a) => a.startsWith('hypervisor.snapshot'))).toEqual([]);
    expect(onHost(82, FIXTURE_STATE)).toBe(UNCHANGED);
    bench.store.close();
  }, 300_000);


  it('adopts the snapshot of that run on that domain instead of taking it again, then completes the host', async () => {
    scratch(78);
    const bench = await workbench(dir, keys, 'vm-resume', [78], v2Edits('mode = vm resumed\n'), {}, () => VM);
    const hypervisorId = addHypervisor(bench.store, 'tester', { name: 'test-libvirtd', uri: daemon.uri }).id;
    await refreshInventory(bench.store, hypervisorId);
    // The app recorded the host as being safeguarded, had libvirt take the snapshot, and died before recording it.
    const run = runLeftByADeadApp(bench, null);
    const [record] = bench.store.apply.hosts(run.id);
    bench.store.apply.updateHost(record!.id, { state: 'snapshotting', startedAt: new Date().toISOString(), message: 'safeguarding' });
    const snapshot = applySnapshotName(bench.changeId, run.id);
    daemon.virsh('snapshot-create-as', VM, snapshot, `before change ${bench.changeId} (apply run ${run.id})`);

    const outcome = await resumeApply(bench.store, bench.changeId, { ...bench.options(), mode: 'complete' }).done;
    expect(outcome.hosts.map((h) => [h.state, h.message])).toEqual([['done', 'done: zero drift against the image']]);
    expect(outcome.hosts[0]).toMatchObject({ safeguard: 'vm-snapshot', vm: { hypervisorId, domain: VM, snapshot } });
    expect(daemon.virsh('snapshot-list', '--name', VM).split('\n').filter(Boolean)).toEqual([snapshot]);
    const actions = bench.store.audit.entries(1000).map((e: { action: string }) => e.action);
    expect(actions).not.toContain('hypervisor.snapshot-create');
    expect(onHost(78, FIXTURE_STATE)).toBe('2.0-1\nactive\nmode = vm resumed\n');
    expect(outcome.changeState).toBe('implemented');
    bench.store.close();
  }, 300_000);
});
