/**
 * Pools, leases, archive and the clone dry run through the contract, on the demo workspace (real
 * SQLite file) and, for cloning, libvirt's test:/// driver with the fixture inventory (virsh).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virshMissing } from '../connectors/libvirt/test-support';
import type { CallOutput } from '../contract/index';
import { addHypervisor } from './hypervisors';
import { createApp } from './app';

let app: ReturnType<typeof createApp>;
const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
  const result = await app.dispatch(name, input);
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.message}`), result.error);
  return result.value as T;
};
type Report = CallOutput<'assets.report'>;
type Service = { id: number; name: string; stages: { id: number; name: string; isProduction: boolean }[] };
let services: Service[];
const stageOf = (service: string, stage: string) => services.find((s) => s.name === service)!.stages.find((s) => s.name === stage)!;
const noVirsh = virshMissing();
if (noVirsh) console.log(`SKIP clone dry runs on libvirt's test driver: ${noVirsh}`);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-assets-'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'carol' });
  await call('workspace.openDemo', {});
  services = await call<Service[]>('services.list', {});
});
afterAll(() => app.session.close());

describe('assets of the demo workspace', () => {
  it('reports capacity, allocation, free room and cost per stage and service, and leases expiring or expired', async () => {
    const report = await call<Report>('assets.report', {});
    const integration = report.stages.find((s) => s.stageName === 'integration')!;
    expect(integration.pools.map((p) => p.pool.name)).toEqual(['kvm-int']);
    // 11 hosts: 8 of 4 vCPU / 8 GiB / 60 GB and 3 databases of 8 vCPU / 32 GiB / 500 GB.
    expect(integration.allocated).toEqual({ vcpus: 56, memoryMb: 163840, diskGb: 1980 });
    expect(integration.free).toEqual({ vcpus: 8, memoryMb: 32768, diskGb: 1020 });
    expect(integration.monthlyCost).toEqual({ EUR: 64 * 9 + 192 * 3.5 + 3000 * 0.04 });
    expect(integration.services.find((s) => s.serviceName === 'payments-api')).toMatchObject({ hosts: 3, monthlyCost: { EUR: 16 * 9 + 48 * 3.5 + 620 * 0.04 } });
    expect(integration.outsidePools).toEqual([]);
    const statuses = Object.fromEntries(report.leases.map((l) => [`${l.serviceName} ${l.stageName}`, l.status]));
    expect(statuses).toEqual({ 'storefront-web testing': 'expired', 'payments-api integration': 'expiring', 'identity uat': 'expiring', 'reporting-db integration': 'active', 'payments-api staging': 'active' });
    expect((await call<Report>('assets.report', { stageName: 'testing' })).leases.map((l) => l.serviceName)).toEqual(['storefront-web']);
    await expect(call('assets.report', { stageName: 'qa' })).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/No stage is named "qa"/) });
  });

  it('adds, resizes and removes pools and their members, each audited; bad input is refused whole', async () => {
    type Pool = CallOutput<'pools.list'>[number];
    await expect(call('pools.add', { name: 'gpu', stageName: 'uat', kind: 'host-group', capacity: { vcpus: 8, memoryMb: 65536, diskGb: 100 }, rate: { currency: 'euro', perVcpu: 1, perMemoryGb: 1, perDiskGb: 1 } })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(call('pools.add', { name: 'gpu', stageName: 'uat', kind: 'host-group', capacity: null, rate: null })).rejects.toMatchObject({ message: expect.stringMatching(/needs its capacity/) });
    const gpu = await call<Pool>('pools.add', { name: 'gpu', stageName: 'uat', kind: 'host-group', capacity: { vcpus: 8, memoryMb: 65536, diskGb: 100 }, rate: null });
    const uatHosts = app.session.require().inventory.environment(stageOf('identity', 'uat').id).hosts.map((h) => h.id);
    await call('pools.members', { poolId: gpu.id, hostIds: uatHosts.slice(0, 1) });
    let uat = (await call<Report>('assets.report', { stageName: 'uat' })).stages[0]!;
    expect(uat.pools.find((p) => p.pool.name === 'gpu')).toMatchObject({ allocatedHosts: 1, monthlyCost: {} });
    await call('pools.update', { id: gpu.id, changes: { capacity: { vcpus: 2, memoryMb: 1024, diskGb: 10 } } });
    uat = (await call<Report>('assets.report', { stageName: 'uat' })).stages[0]!;
    expect(uat.pools.find((p) => p.pool.name === 'gpu')!.overcommitted).toBe(true);
    await call('pools.remove', { id: gpu.id });
    await call('pools.members', { poolId: (await call<Pool[]>('pools.list', {})).find((p) => p.name === 'uat-rack')!.id, hostIds: uatHosts.slice(0, 1) });
    expect((await call<Report>('assets.report', { stageName: 'uat' })).stages[0]!.pools.map((p) => p.pool.name)).toEqual(['uat-rack']);
    expect(app.session.require().audit.entries(5).map((e) => e.action)).toEqual(['pool.members', 'pool.remove', 'pool.update', 'pool.members', 'pool.add']);
  });

  it('says which pool takes a new environment, or why none can', async () => {
    expect(await call('pools.place', { stageName: 'integration', required: { vcpus: 8, memoryMb: 16384, diskGb: 100 } })).toMatchObject({ chosen: { poolName: 'kvm-int' } });
    expect(await call('pools.place', { stageName: 'integration', required: { vcpus: 12, memoryMb: 16384, diskGb: 100 } })).toMatchObject({ chosen: null, reason: 'No pool of integration has room: kvm-int (vCPUs: 12 needed, 8 free).' });
  });

  it('extends a lease only with a reason and a later day, audited, with its history', async () => {
    const stage = stageOf('storefront-web', 'testing');
    const before = (await call<Report>('assets.report', {})).leases.find((l) => l.stageId === stage.id)!;
    const entries = app.session.require().audit.verify().entries;
    await expect(call('leases.extend', { stageId: stage.id, expiresOn: '2099-01-01', reason: '' })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(call('leases.extend', { stageId: stage.id, expiresOn: before.expiresOn, reason: 'more load tests' })).rejects.toMatchObject({ message: expect.stringMatching(/not after the current expiry/) });
    await expect(call('leases.extend', { stageId: stage.id, expiresOn: '2099-02-30', reason: 'more load tests' })).rejects.toMatchObject({ message: expect.stringMatching(/not a calendar date/) });
    expect(app.session.require().audit.verify().entries).toBe(entries);
    const extended = await call<Report['leases'][number]>('leases.extend', { stageId: stage.id, expiresOn: '2099-01-01', reason: 'Black Friday rerun' });
    expect(extended).toMatchObject({ expiresOn: '2099-01-01', status: 'active', owner: 'li.wei', timeZone: 'Asia/Shanghai' });
    const entry = app.session.require().audit.entries(1)[0]!;
    expect(entry).toMatchObject({ action: 'lease.extend', actor: 'carol', subject: 'storefront-web testing' });
    expect(JSON.parse(entry.afterJson!)).toMatchObject({ expiresOn: '2099-01-01', reason: 'Black Friday rerun' });
    expect((await call<{ event: string; reason: string }[]>('leases.history', { stageId: stage.id })).map((e) => [e.event, e.reason])).toEqual([
      ['set', 'Checkout load test'],
      ['extend', 'Black Friday rerun'],
    ]);
  });

  it('refuses a lease on production, and an owner-less one', async () => {
    await expect(call('leases.set', { stageId: stageOf('identity', 'production').id, owner: 'x', expiresOn: '2099-01-01', timeZone: 'UTC' })).rejects.toMatchObject({ code: 'refused' });
    await expect(call('leases.set', { stageId: stageOf('identity', 'testing').id, owner: ' ', expiresOn: '2099-01-01', timeZone: 'UTC' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('archives an environment: its hosts leave the stage and the pool, their snapshots and the image stay', async () => {
    const stage = stageOf('payments-api', 'integration');
    const store = app.session.require();
    const snapshots = store.summary().counts.snapshots;
    const archived = await call<{ hosts: { name: string }[]; imageId: number | null }>('leases.archive', { stageId: stage.id, reason: 'sprint over' });
    expect(archived.hosts.map((h) => h.name).sort()).toEqual(['pay-app-int-01', 'pay-db-int-01', 'pay-web-int-01']);
    expect(store.inventory.environment(stage.id).hosts).toEqual([]);
    expect(store.summary().counts.snapshots).toBe(snapshots);
    const report = await call<Report>('assets.report', { stageName: 'integration' });
    expect(report.stages[0]!.allocated).toEqual({ vcpus: 40, memoryMb: 114688, diskGb: 1360 });
    expect(report.leases.find((l) => l.stageId === stage.id)!.state).toBe('archived');
    await expect(call('leases.archive', { stageId: stage.id, reason: 'again' })).rejects.toMatchObject({ message: expect.stringMatching(/holds no hosts/) });
    expect(store.audit.verify().ok).toBe(true);
  });

  it("puts each lease's last day on the change calendar, midnight to midnight in the owner's zone", async () => {
    const now = Date.now();
    const events = await call<{ kind: string; key: string; title: string; start: string; end: string; timeZone: string | null }[]>('calendar.events', { from: new Date(now).toISOString(), to: new Date(now + 30 * 86_400_000).toISOString() });
    const uat = events.find((e) => e.key === `lease-${stageOf('identity', 'uat').id}`)!;
    expect(uat).toMatchObject({ kind: 'lease', title: 'Lease ends: identity uat (sam.r)', timeZone: 'America/New_York' });
    expect([23, 24, 25]).toContain((Date.parse(uat.end) - Date.parse(uat.start)) / 3_600_000);
    expect(new Date(uat.start).toLocaleString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' })).toBe('00:00');
    expect(events.filter((e) => e.kind === 'lease').some((e) => e.title.includes('payments-api staging'))).toBe(false); // 40 days out
  });

  it('a reclaim needs VMs of a registered hypervisor, and a run needs the token of its dry run', async () => {
    await expect(call('reclaim.plan', { stageId: stageOf('identity', 'uat').id, keep: 'snapshot', graceHours: 24 })).rejects.toMatchObject({ code: 'conflict', message: expect.stringMatching(/holds no VM of a registered hypervisor/) });
    const store = app.session.require();
    const bare = store.inventory.getService(store.inventory.createService({ name: 'bare', stages: ['sandbox', 'production'], roles: ['app'] })).stages[0]!;
    await expect(call('reclaim.plan', { stageId: bare.id, keep: 'image', graceHours: 24 })).rejects.toMatchObject({ message: expect.stringMatching(/has no image, so deleting its disks would leave no way to rebuild it/) });
    await expect(call('reclaim.run', { token: 'made-up' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await call('reclaim.status', { stageId: stageOf('identity', 'uat').id })).toEqual({ run: null, vms: [], left: [] });
  });
});

describe.skipIf(noVirsh !== null)('the clone dry run against the libvirt test driver', () => {
  it('lists every operation, flags NICs on production network, and blocks running or missing sources', async () => {
    const store = app.session.require();
    const hypervisorId = addHypervisor(store, 'carol', { name: 'kvm-fixture', uri: `test://${join(process.cwd(), 'resources', 'libvirt-fixtures', 'inventory.xml')}` }).id;
    const serviceId = store.inventory.createService({ name: 'legacy', stages: ['lab', 'production'], roles: ['db', 'web'] });
    const [testing, production] = store.inventory.getService(serviceId).stages;
    store.inventory.placeHost(production!.id, store.inventory.addHost({ name: 'db-legacy', address: '10.0.0.9' }), 'db');
    store.inventory.placeHost(production!.id, store.inventory.addHost({ name: 'legacy-web-01', address: '10.0.0.10' }), 'web');
    type Plan = CallOutput<'clone.plan'>;
    const blocked = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId });
    expect(blocked.blockers).toEqual(['legacy-web-01 (web) is not a VM of kvm-fixture: give a template VM for role web.']);
    const plan = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId, templates: { web: 'tmpl-debian12' }, naming: { name: '{service}-{role}-t{n}', address: '{name}.test.invalid' } });
    expect(plan.blockers).toEqual([]);
    expect(plan.vms.map((vm) => [vm.source, vm.newName, vm.address])).toEqual([
      ['db-legacy', 'legacy-db-t1', 'legacy-db-t1.test.invalid'],
      ['tmpl-debian12', 'legacy-web-t1', 'legacy-web-t1.test.invalid'],
    ]);
    expect(plan.vms.every((vm) => vm.operation.commands.some((c) => c.includes('vol-clone')) && vm.operation.commands.at(-1)!.includes('define'))).toBe(true);
    // The domain XML `define` reads is shown with the commands: the clone's name, no UUID, its new MAC.
    const documents = plan.vms[0]!.operation.documents;
    expect(documents).toEqual([{ commandIndex: plan.vms[0]!.operation.commands.length - 1, title: 'Domain XML of legacy-db-t1', content: expect.stringContaining('<name>legacy-db-t1</name>') }]);
    expect(documents[0]!.content).not.toContain('<uuid>');
    expect(plan.vms[0]!.isolation[0]).toMatch(/^legacy-db-t1: NIC 52:54:00:[0-9a-f:]+ is on production's network stagecraft-int/);
    expect(plan.warnings.join(' ')).toMatch(/Stage lab has no resource pools/);
    expect(plan.token).toMatch(/-/);
    const running = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId, templates: { web: 'pay-web-int-01' } });
    expect(running.blockers[0]).toMatch(/pay-web-int-01 \(role web\) is running: a VM is cloned shut off/);
    await expect(call('clone.run', { token: running.token })).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/cannot run/) });
    await expect(call('clone.run', { token: running.token })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('clone.plan', { serviceId, toStageId: production!.id, hypervisorId })).rejects.toMatchObject({ code: 'refused' });

    // From a snapshot a running VM may be the source, but the test driver has no disk files to copy: the dry run says so.
    const fromSnapshot = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId, templates: { web: 'pay-web-int-01' }, snapshots: { web: { kind: 'latest' } } });
    expect(fromSnapshot.blockers).toEqual([expect.stringMatching(/^legacy-web-lab-1: .*a clone from a snapshot copies disk files with qemu-img on the hypervisor's host, and test:\/\/.* is libvirt's test driver: its disks are not real files$/)]);
    const unknown = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId, templates: { web: 'pay-web-int-01' }, snapshot: { kind: 'named', name: 'v9' } });
    expect(unknown.blockers).toContain('pay-web-int-01 has no snapshot "v9"; it has "baseline", "pre-release-2.4". (role web)');
    const none = await call<Plan>('clone.plan', { serviceId, toStageId: testing!.id, hypervisorId, templates: { web: 'tmpl-debian12' }, snapshots: { web: { kind: 'latest' } } });
    expect(none.blockers).toContain('tmpl-debian12 has no snapshot to clone from: take one (it may keep running), or clone it shut off. (role web)');
    // No clone run yet: the status says so offline; an unknown run cannot be resumed.
    expect(await call('clone.status', { stageId: testing!.id })).toEqual({ run: null, vms: [], left: [], parity: null });
    await expect(call('clone.resumePlan', { runId: 9999 })).rejects.toMatchObject({ code: 'not-found', message: 'Clone run 9999 does not exist.' });
    await expect(call('clone.resume', { token: 'made-up' })).rejects.toMatchObject({ code: 'not-found' });
  });
});
