/**
 * What a clone run does when the world moves under it, against the shared REAL libvirtd of
 * scripts/libvirt/up.sh (never stopped here): a clone whose host name is taken before it is
 * registered, a rebuild whose stage gains hosts after its dry run, a clone whose pool fills up after
 * its dry run, a resume blocked by a leftover
 * volume in a pool whose name needs quoting. Fixtures are named fx<pid>-… and removed afterwards.
 * Skips, saying why, without root, libvirtd or qemu.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { WorkspaceStore } from '../store/workspace-store';
import { planClone, runClone } from './clone';
import { cloneStatus, planCloneResume, startCloneResume } from './clone-runs';
import { addPool, updatePool } from './assets';
import { addHypervisor } from './hypervisors';
import { SHARED_LIBVIRT_DIR, TestLibvirtd } from './test-support/test-libvirtd';

const skipReason = libvirtdMissing();
if (skipReason) console.log(`SKIP clone failures on a real libvirtd: ${skipReason}`);

const daemon = new TestLibvirtd(SHARED_LIBVIRT_DIR);
const SERVICE = `fx${process.pid}`;
/** A pool name with a space and a `$`: every command shown for it must be quoted to work. */
const POOL = `fx ${process.pid} $pool`;
const PROD = { app: `${SERVICE}-prod-app`, db: `${SERVICE}-prod-db` };
const RESOURCES = join(process.cwd(), 'resources');
const clonesOf = (stage: string) => [`${SERVICE}-app-${stage}-1`, `${SERVICE}-db-${stage}-1`];
const STAGES = ['integration', 'testing', 'staging', 'qa'];

let dir: string;
let store: WorkspaceStore;
let hypervisorId: number;
let serviceId: number;
const stages: Record<string, number> = {};

describe.skipIf(skipReason !== null)('clone runs when the inventory or the hypervisor changes under them (real libvirtd)', () => {
  beforeAll(() => {
    daemon.up();
    daemon.definePool(POOL);
    for (const name of Object.values(PROD)) daemon.defineTinyVm(POOL, name);
    dir = mkdtempSync(join(tmpdir(), 'stagecraft-clone-failures-'));
    store = WorkspaceStore.create(join(dir, 'w.stagecraft'), 'clone failures');
    serviceId = store.inventory.createService({ name: SERVICE, stages: [...STAGES, 'production'], roles: ['app', 'db'] });
    for (const stage of store.inventory.getService(serviceId).stages) stages[stage.name] = stage.id;
    for (const [role, name] of Object.entries(PROD)) store.inventory.placeHost(stages['production']!, store.inventory.addHost({ name, address: '127.0.0.1', vcpus: 1, memoryMb: 64, diskGb: 0 }), role);
    hypervisorId = addHypervisor(store, 'alice', { name: 'kvm-shared', uri: daemon.uri }).id;
  }, 120_000);

  afterAll(() => {
    store?.close();
    if (!skipReason) {
      daemon.removeFixtures(POOL, [...Object.values(PROD), ...STAGES.flatMap(clonesOf)]);
      if (dir) rmSync(dir, { recursive: true, force: true });
      rmSync(join(SHARED_LIBVIRT_DIR, 'images', POOL), { recursive: true, force: true });
    }
  }, 60_000);

  it('a clone whose name another host took before it was registered fails alone, with what to do; the other VMs go on and the run ends', async () => {
    const [app, db] = clonesOf('integration') as [string, string];
    const plan = await planClone(store, { serviceId, toStageId: stages['integration']!, hypervisorId, from: { kind: 'production' } });
    expect(plan.blockers).toEqual([]);
    // While the app's disk is copied, someone imports a host of that name (the plan saw none).
    const result = await runClone(store, 'alice', RESOURCES, {
      plan,
      confirmed: true,
      onProgress: ({ vm, step, state }) => {
        if (vm === app && step === 'cloned' && state === 'running') store.inventory.addHost({ name: app, address: '10.9.9.9' });
      },
    });
    const taken = `${app} is cloned on kvm-shared but cannot be registered: the inventory already has a host named ${app} (address 10.9.9.9) that clone run ${result.runId} did not register. If that host is this VM (imported meanwhile), it is in the inventory already and the run leaves it as it is; otherwise delete the VM ${app} from kvm-shared and clone again with another naming rule.`;
    expect(result.failed).toEqual([{ name: app, error: taken }]);
    expect(result.hosts.map((h) => h.name)).toEqual([db]);
    const status = cloneStatus(store, stages['integration']!);
    expect(status.run).toMatchObject({ id: result.runId, state: 'failed', live: false });
    expect(status.vms.map((vm) => [vm.newName, vm.step, vm.lastError])).toEqual([
      [app, 'cloned', taken],
      [db, 'registered', null],
    ]);
    expect(store.inventory.environment(stages['integration']!).hosts.map((h) => h.name)).toEqual([db]);
    expect(JSON.parse(store.audit.entries(50).find((e) => e.action === 'clone.finish')!.afterJson!)).toMatchObject({ state: 'failed', failed: [{ name: app, error: taken }] });
    // Resuming says the same, and does not try to register it again.
    const resume = await planCloneResume(store, result.runId);
    expect(resume.vms.map((vm) => [vm.record.newName, vm.action, vm.note])).toEqual([
      [app, 'blocked', taken],
      [db, 'none', 'done'],
    ]);
    expect(resume.blockers).toEqual([`Nothing of clone run ${result.runId} can go on now: ${app}: ${taken}`]);
    expect(store.audit.verify().ok).toBe(true);
  }, 180_000);

  it('a rebuild whose stage gained a host after the dry run is refused: nothing archived, nothing cloned; planned again, it shows and archives both', async () => {
    const testing = stages['testing']!;
    const [oldHost, newHost] = [`${SERVICE}-old-app`, `${SERVICE}-new-db`];
    store.inventory.placeHost(testing, store.inventory.addHost({ name: oldHost, address: '10.9.9.1' }), 'app');
    const request = { serviceId, toStageId: testing, hypervisorId, from: { kind: 'production' as const }, replace: true };
    const plan = await planClone(store, request);
    expect(plan.blockers).toEqual([]);
    expect(plan.replaces).toEqual([oldHost]);
    // Someone places another host in the stage after the dry run: confirming must not archive it unseen.
    store.inventory.placeHost(testing, store.inventory.addHost({ name: newHost, address: '10.9.9.2' }), 'db');
    const audited = store.audit.verify().entries;
    await expect(runClone(store, 'alice', RESOURCES, { plan, confirmed: true })).rejects.toMatchObject({
      code: 'conflict',
      message: `The plan changed since the dry run (the rebuild would now archive ${newHost}, ${oldHost}, the dry run ${oldHost}): nothing was done.`,
      hint: 'Make the dry run again and confirm it.',
    });
    expect(store.inventory.environment(testing).hosts.map((h) => h.name).sort()).toEqual([newHost, oldHost]);
    expect(store.assets.archives(testing)).toEqual([]);
    expect(cloneStatus(store, testing).run).toBeNull();
    expect(daemon.virsh('list', '--all', '--name')).not.toContain(clonesOf('testing')[0]);
    expect(store.audit.verify().entries).toBe(audited);

    const again = await planClone(store, request);
    expect(again.replaces).toEqual([newHost, oldHost]);
    const result = await runClone(store, 'alice', RESOURCES, { plan: again, confirmed: true });
    expect(result.failed).toEqual([]);
    expect(store.assets.archives(testing).map((a) => a.hosts.map((h) => h.name).sort())).toEqual([[newHost, oldHost]]);
    expect(store.inventory.environment(testing).hosts.map((h) => h.name)).toEqual(clonesOf('testing'));
  }, 180_000);

  it('a clone whose chosen pool has no room left after the dry run is refused, naming both pools: nothing cloned, nothing registered', async () => {
    const qa = stages['qa']!;
    const big = addPool(store, 'alice', { name: 'qa-big', stageName: 'qa', kind: 'host-group', capacity: { vcpus: 8, memoryMb: 8192, diskGb: 100 }, rate: null });
    addPool(store, 'alice', { name: 'qa-small', stageName: 'qa', kind: 'host-group', capacity: { vcpus: 4, memoryMb: 1024, diskGb: 10 }, rate: null });
    const plan = await planClone(store, { serviceId, toStageId: qa, hypervisorId, from: { kind: 'production' } });
    expect(plan.blockers).toEqual([]);
    expect(plan.placement.chosen?.poolName).toBe('qa-big');
    // The pool the dry run chose shrinks before the confirmation; another pool still has room.
    updatePool(store, 'alice', big.id, { capacity: { vcpus: 1, memoryMb: 8192, diskGb: 100 } });
    const audited = store.audit.verify().entries;
    await expect(runClone(store, 'alice', RESOURCES, { plan, confirmed: true })).rejects.toMatchObject({
      code: 'conflict',
      message: 'The plan changed since the dry run (the clones would now go into pool qa-small, the dry run chose pool qa-big (it has no room now: vCPUs: 2 needed, 1 free)): nothing was done.',
      hint: 'Make the dry run again and confirm it.',
    });
    expect(cloneStatus(store, qa).run).toBeNull();
    expect(store.inventory.environment(qa).hosts).toEqual([]);
    expect(daemon.virsh('list', '--all', '--name')).not.toContain(clonesOf('qa')[0]);
    expect(store.audit.verify().entries).toBe(audited);
  }, 120_000);

  it('a resume blocked by a volume an interrupted copy left shows the command that clears the way, quoted: run as shown by a shell, it deletes that volume', async () => {
    const staging = stages['staging']!;
    const [app, db] = clonesOf('staging') as [string, string];
    const plan = await planClone(store, { serviceId, toStageId: staging, hypervisorId, from: { kind: 'production' } });
    // The app stops as the first copy starts; the copy leaves a volume of the clone's name and no VM.
    const cut = await runClone(store, 'alice', RESOURCES, {
      plan,
      confirmed: true,
      onProgress: ({ vm, step }) => {
        if (vm === app && step === 'cloning') throw new Error('the app stopped here');
      },
    }).catch((error: Error) => error);
    expect(cut).toMatchObject({ message: 'the app stopped here' });
    daemon.virsh('vol-create-as', '--pool', POOL, '--name', `${app}.qcow2`, '--capacity', '64M', '--format', 'qcow2');
    const runId = cloneStatus(store, staging).run!.id;

    const blocked = await planCloneResume(store, runId);
    const command = `virsh -c '${daemon.uri}' vol-delete --pool 'fx ${process.pid} $pool' --vol ${app}.qcow2`;
    expect(blocked.vms.map((vm) => [vm.record.newName, vm.action, vm.note])).toEqual([
      [app, 'blocked', `the interrupted copy left ${POOL}/${app}.qcow2 but no VM ${app}: check and delete it (${command}), then resume.`],
      [db, 'clone', 'not cloned yet'],
    ]);
    execFileSync('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    expect(daemon.virsh('vol-list', '--pool', POOL)).not.toContain(`${app}.qcow2`);
    const ready = await planCloneResume(store, runId);
    expect(ready.vms.map((vm) => [vm.record.newName, vm.action])).toEqual([
      [app, 'clone'],
      [db, 'clone'],
    ]);

    // The way is blocked again before the confirmation: refused, and the run is let go (not "running now").
    daemon.virsh('vol-create-as', '--pool', POOL, '--name', `${app}.qcow2`, '--capacity', '64M', '--format', 'qcow2');
    await expect(startCloneResume(store, 'alice', RESOURCES, { plan: ready, confirmed: true })).rejects.toMatchObject({ code: 'conflict', message: 'The hypervisor or the run changed since the dry run: nothing was done.' });
    expect(cloneStatus(store, staging).run).toMatchObject({ live: false });
    execFileSync('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    const resumed = await (await startCloneResume(store, 'alice', RESOURCES, { plan: ready, confirmed: true })).done;
    expect(resumed.failed).toEqual([]);
    expect(cloneStatus(store, staging)).toMatchObject({ run: { state: 'done', live: false }, left: [] });
    expect(store.inventory.environment(staging).hosts.map((h) => h.name)).toEqual([app, db]);
  }, 180_000);
});
