/**
 * Clone and reclaim against a REAL libvirtd (qemu driver, TCG). This test starts its OWN daemon
 * with scripts/libvirt/up.sh in a private directory (its own sockets, config and state), because
 * it stops and restarts that daemon in the middle of a reclaim; the shared daemon of other tests
 * is never touched. Tiny 64 MiB VMs with empty qcow2 disks and user-mode NICs (no network).
 * Skips, saying why, without root, libvirtd or qemu.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { WorkspaceStore } from '../store/workspace-store';
import { addPool, assetsReport, planReclaim, reclaimStatus, runReclaim, setLease } from './assets';
import { planClone, runClone } from './clone';
import { addHypervisor, executeHypervisorOperation, planHypervisorOperation } from './hypervisors';
import { TestLibvirtd } from './test-support/test-libvirtd';

const skipReason = libvirtdMissing();
if (skipReason) console.log(`SKIP assets on a real libvirtd: ${skipReason}`);

const daemon = new TestLibvirtd(`/tmp/sc-assets-${process.pid}`);
const DIR = daemon.dir;
const URI = daemon.uri;
const POOL = `assets-test-${process.pid}`;
const PROD = { app: `assets-test-${process.pid}-prod-app`, db: `assets-test-${process.pid}-prod-db` };
const virsh = (...args: string[]) => daemon.virsh(...args);
const up = () => daemon.up();
const stopOwnDaemon = () => daemon.stop();

let store: WorkspaceStore;
let hypervisorId: number;
let serviceId: number;
let integrationId: number;
const timings: Record<string, number> = {};

describe.skipIf(skipReason !== null)('clone a VM into a stage and reclaim it, on a real libvirtd', () => {
  beforeAll(() => {
    const t0 = performance.now();
    up();
    timings['up.sh'] = Math.round(performance.now() - t0);
    daemon.definePool(POOL);
    for (const name of Object.values(PROD)) daemon.defineTinyVm(POOL, name);
    store = WorkspaceStore.create(join(DIR, 'w.stagecraft'), 'assets');
    serviceId = store.inventory.createService({ name: 'pay', stages: ['integration', 'production'], roles: ['app', 'db'] });
    const [integration, production] = store.inventory.getService(serviceId).stages;
    integrationId = integration!.id;
    for (const [role, name] of Object.entries(PROD)) store.inventory.placeHost(production!.id, store.inventory.addHost({ name, address: '127.0.0.1', vcpus: 1, memoryMb: 64, diskGb: 0 }), role);
    hypervisorId = addHypervisor(store, 'alice', { name: 'kvm-test', uri: URI }).id;
    addPool(store, 'alice', { name: 'int-kvm', stageName: 'integration', kind: 'hypervisor', hypervisorId, libvirtPool: POOL, capacity: { vcpus: 4, memoryMb: 1024, diskGb: 10 }, rate: { currency: 'EUR', perVcpu: 10, perMemoryGb: 4, perDiskGb: 0.1 } });
  }, 120_000);

  afterAll(() => {
    store?.close();
    if (!skipReason) {
      stopOwnDaemon();
      rmSync(DIR, { recursive: true, force: true });
    }
    console.log(`assets on a real libvirtd, timings (ms): ${JSON.stringify(timings)}`);
  }, 60_000);

  it('clones production into integration: dry run first, then the VMs, registered as hosts of the stage and its pool, all audited', async () => {
    const request = { serviceId, toStageId: integrationId, hypervisorId, from: { kind: 'production' as const } };
    const plan = await planClone(store, request);
    expect(plan.blockers).toEqual([]);
    expect(plan.vms.map((vm) => [vm.role, vm.source, vm.newName])).toEqual([
      ['app', PROD.app, 'pay-app-integration-1'],
      ['db', PROD.db, 'pay-db-integration-1'],
    ]);
    expect(plan.vms[0]!.operation.commands[0]).toBe(`virsh -c '${URI}' vol-clone --pool ${POOL} --vol ${PROD.app}.qcow2 --newname pay-app-integration-1.qcow2`);
    expect(plan.vms.flatMap((vm) => vm.isolation)).toEqual([]); // user-mode NICs share no segment with production
    expect(plan.placement.chosen).toMatchObject({ poolName: 'int-kvm', monthlyCost: { EUR: 20.5 } });
    const audited = store.audit.verify().entries;
    await expect(runClone(store, 'alice', join(process.cwd(), 'resources'), { plan, confirmed: false })).rejects.toThrow(/not confirmed/);
    expect(store.audit.verify().entries).toBe(audited);

    const t0 = performance.now();
    const result = await runClone(store, 'alice', join(process.cwd(), 'resources'), { plan, confirmed: true });
    timings['clone 2 VMs'] = Math.round(performance.now() - t0);
    expect(result.failed).toEqual([]);
    expect(store.inventory.environment(integrationId).hosts.map((h) => [h.name, h.roles, h.memoryMb])).toEqual([
      ['pay-app-integration-1', ['app'], 64],
      ['pay-db-integration-1', ['db'], 64],
    ]);
    const domains = virsh('list', '--all', '--name');
    expect(domains).toContain('pay-app-integration-1');
    const macs = plan.vms.map((vm) => (vm.operation.op.kind === 'clone' ? vm.operation.op.macs![0] : ''));
    expect(virsh('domiflist', '--domain', 'pay-app-integration-1')).toContain(macs[0]);
    expect(store.assets.cloneVms(result.runId).map((vm) => vm.step)).toEqual(['registered', 'registered']);
    const actions = store.audit.entries(50).map((e) => e.action);
    expect(actions.filter((a) => a === 'hypervisor.clone')).toHaveLength(2);
    expect(actions.filter((a) => a === 'clone.register')).toHaveLength(2);
    expect(actions).toContain('clone.start');

    const report = assetsReport(store, { stageName: 'integration' });
    expect(report.stages[0]!.pools[0]).toMatchObject({ allocated: { vcpus: 2, memoryMb: 128, diskGb: 0 }, free: { vcpus: 2, memoryMb: 896, diskGb: 10 }, allocatedHosts: 2 });

    // The names are taken now: a second clone is refused before any hypervisor call.
    const again = await planClone(store, request);
    expect(again.blockers.join(' ')).toMatch(/already holds 2 host/);

    // Rebuild: the stage's clones are archived (their VMs stay until reclaimed), fresh ones take their place and are scanned where they answer.
    const rebuild = await planClone(store, { ...request, replace: true, naming: { name: '{service}-{role}-{stage}-r{n}', address: '127.0.0.1' } });
    expect(rebuild.blockers).toEqual([]);
    expect(rebuild.replaces).toEqual(['pay-app-integration-1', 'pay-db-integration-1']);
    const rebuilt = await runClone(store, 'alice', join(process.cwd(), 'resources'), { plan: rebuild, confirmed: true, scan: true });
    expect(rebuilt.archiveId).not.toBeNull();
    expect(store.inventory.environment(integrationId).hosts.map((h) => h.name)).toEqual(['pay-app-integration-r1', 'pay-db-integration-r1']);
    expect(store.assets.archives(integrationId)[0]!.hosts.map((h) => h.name)).toEqual(['pay-app-integration-1', 'pay-db-integration-1']);
    // The guests have no OS: nothing answers SSH, and the clone says so per host instead of failing.
    expect(rebuilt.scans.map((scan) => [scan.host, scan.status])).toEqual([
      ['pay-app-integration-r1', 'failed'],
      ['pay-db-integration-r1', 'failed'],
    ]);
    expect(virsh('list', '--all', '--name')).toContain('pay-app-integration-1');
  }, 180_000);

  it('reclaims: power off and snapshot, wait for the grace period, delete; interrupted half-way it says exactly what is left, then resumes', async () => {
    setLease(store, 'alice', { stageId: integrationId, owner: 'bob', expiresOn: '2026-01-31', timeZone: 'Europe/Berlin', reason: 'load tests' });
    expect(assetsReport(store).leases[0]).toMatchObject({ stageName: 'integration', status: 'expired' });
    // The clones run, as an environment in use would.
    for (const name of ['pay-app-integration-r1', 'pay-db-integration-r1']) {
      await executeHypervisorOperation(store, 'alice', hypervisorId, await planHypervisorOperation(store, hypervisorId, { kind: 'start', domain: name }), { confirmed: true });
    }
    const options = { keep: 'snapshot' as const, graceHours: 24, force: true };
    const t = Date.parse('2026-11-26T12:00:00Z');
    // A graceful power-off only asks the guests; these have no OS to obey, so they stay "powering off"…
    const graceful = await planReclaim(store, 'alice', integrationId, { ...options, force: false }, {}, t);
    expect(graceful.vms[0]!.operations[0]!.commands[0]).toBe(`virsh -c '${URI}' shutdown --domain pay-app-integration-r1`);
    const asked = await runReclaim(store, 'alice', integrationId, { plan: graceful, confirmed: true, now: () => t });
    expect(asked.vms.map((vm) => vm.step)).toEqual(['powering-off', 'powering-off']);
    expect(asked.left[0]).toMatch(/power-off was started; its outcome is checked on resume/);
    // …and the next dry run sees them still running: back to pending, and this time powered off at once.
    const powerOff = await planReclaim(store, 'alice', integrationId, options, {}, t);
    expect(powerOff.warnings.join(' ')).toMatch(/pay-app-integration-r1: recorded as powering-off when the run stopped; the hypervisor shows it running, so it is now pending/);
    expect(powerOff.phase).toBe('power-off');
    expect(powerOff.vms.map((vm) => vm.operations.map((op) => op.op.kind))).toEqual([
      ['shutdown', 'snapshot-create'],
      ['shutdown', 'snapshot-create'],
    ]);
    expect(powerOff.vms[0]!.operations[0]!.commands[0]).toBe(`virsh -c '${URI}' destroy --domain pay-app-integration-r1`);
    await expect(runReclaim(store, 'alice', integrationId, { plan: powerOff, confirmed: false })).rejects.toThrow(/not confirmed/);
    const off = await runReclaim(store, 'alice', integrationId, { plan: powerOff, confirmed: true, now: () => t });
    expect(off.vms.map((vm) => vm.step)).toEqual(['kept', 'kept']);
    expect(off.run).toMatchObject({ state: 'waiting', poweredOffAt: '2026-11-26T12:00:00.000Z' });
    expect(virsh('domstate', '--domain', 'pay-app-integration-r1').trim()).toBe('shut off');
    expect(virsh('snapshot-list', '--domain', 'pay-app-integration-r1', '--name')).toContain('stagecraft-reclaim-2026-11-26');

    // The grace period holds the delete back.
    const early = await planReclaim(store, 'alice', integrationId, options, {}, t + 3_600_000);
    expect(early.phase).toBe('wait');
    await expect(runReclaim(store, 'alice', integrationId, { plan: early, confirmed: true, now: () => t + 3_600_000 })).rejects.toThrow(/grace period is not over/);

    const later = t + 25 * 3_600_000;
    const deletion = await planReclaim(store, 'alice', integrationId, options, {}, later);
    expect(deletion.phase).toBe('delete');
    expect(deletion.vms.map((vm) => vm.operations[0]!.commands[0])).toEqual([
      `virsh -c '${URI}' undefine --domain pay-app-integration-r1 --snapshots-metadata`,
      `virsh -c '${URI}' undefine --domain pay-db-integration-r1 --snapshots-metadata`,
    ]);
    // The daemon dies right after the second VM's delete is recorded as started.
    const t0 = performance.now();
    const interrupted = await runReclaim(store, 'alice', integrationId, {
      plan: deletion,
      confirmed: true,
      now: () => later,
      onStep: ({ domain, step }) => {
        if (domain === 'pay-db-integration-r1' && step === 'deleting') stopOwnDaemon();
      },
    });
    timings['delete phase until the daemon stopped'] = Math.round(performance.now() - t0);
    expect(interrupted.vms.map((vm) => [vm.domain, vm.step])).toEqual([
      ['pay-app-integration-r1', 'deleted'],
      ['pay-db-integration-r1', 'deleting'],
    ]);
    expect(interrupted.run!.state).toBe('deleting');
    // Offline, from the workspace alone: exactly the one VM, and what it still needs.
    const status = reclaimStatus(store, integrationId);
    expect(status.left).toHaveLength(1);
    expect(status.left[0]).toMatch(/^pay-db-integration-r1 \(pay-db-integration-r1\): delete was started; whether it ran is checked on resume — last error: .*(connect|socket|reach)/i);

    // Without the daemon, planning says which hypervisor is missing, and nothing is lost.
    const blind = await planReclaim(store, 'alice', integrationId, options, {}, later);
    expect(blind.warnings.join(' ')).toMatch(/kvm-test: not reachable/);
    expect(blind.vms.find((vm) => vm.domain === 'pay-db-integration-r1')!.operations).toEqual([]);

    up();
    const resumed = await planReclaim(store, 'alice', integrationId, options, {}, later);
    expect(resumed.warnings.join(' ')).toMatch(/pay-db-integration-r1: recorded as deleting when the run stopped; the hypervisor shows it shutoff with snapshot stagecraft-reclaim-2026-11-26, so it is now kept/);
    expect(resumed.vms.map((vm) => [vm.domain, vm.step, vm.operations.length])).toEqual([
      ['pay-app-integration-r1', 'deleted', 0],
      ['pay-db-integration-r1', 'kept', 1],
    ]);
    const done = await runReclaim(store, 'alice', integrationId, { plan: resumed, confirmed: true, now: () => later });
    expect(done.run!.state).toBe('done');
    expect(done.left).toEqual([]);
    expect(virsh('list', '--all', '--name')).not.toContain('integration-r1');
    expect(virsh('list', '--all', '--name')).toContain('pay-app-integration-1'); // archived by the rebuild, not part of this reclaim
    // What was kept: each clone's disk, with the reclaim snapshot inside it.
    const volume = join(DIR, 'images', POOL, 'pay-db-integration-r1.qcow2');
    expect(execFileSync('qemu-img', ['snapshot', '-l', '-U', volume], { encoding: 'utf8' })).toContain('stagecraft-reclaim-2026-11-26');
    expect(store.inventory.environment(integrationId).hosts).toEqual([]);
    expect(store.assets.lease(integrationId)!.state).toBe('reclaimed');
    expect(store.assets.archives(integrationId).map((a) => a.hosts.map((h) => h.name))).toEqual([
      ['pay-app-integration-1', 'pay-db-integration-1'],
      ['pay-app-integration-r1', 'pay-db-integration-r1'],
    ]);
    const actions = store.audit.entries(60).map((e) => e.action);
    expect(actions.filter((a) => a === 'hypervisor.delete')).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining(['reclaim.start', 'reclaim.step', 'reclaim.reconcile', 'reclaim.done', 'hypervisor.shutdown', 'hypervisor.snapshot-create']));
    expect(store.audit.verify().ok).toBe(true);
  }, 240_000);
});
