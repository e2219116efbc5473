/**
 * The connector against libvirt's mock driver: `virsh -c test:///…/inventory.xml`. Each virsh
 * process starts again from the file, so state changes are checked against the real daemon
 * (real-daemon.test.ts); here: parsing, plans, confirmation, staleness and failure kinds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LibvirtHypervisor, type OperationPlan } from './hypervisor';
import { LocalVirshRunner } from './runner';
import { isLibvirtFailure, type LibvirtFailure } from './failures';
import { MOCK_INVENTORY_URI, virshAvailable } from './test-support/mock-driver';

const URI = MOCK_INVENTORY_URI;
const hasVirsh = virshAvailable('libvirt mock-driver tests');

const hypervisor = () => new LibvirtHypervisor(new LocalVirshRunner(URI));
const failureOf = async (promise: Promise<unknown>): Promise<LibvirtFailure> => {
  try {
    await promise;
  } catch (error) {
    if (isLibvirtFailure(error)) return error;
    throw error;
  }
  throw new Error('expected a LibvirtFailure');
};

describe.skipIf(!hasVirsh)('libvirt inventory through virsh (mock driver)', () => {
  it('reads domains, disks, NICs, snapshots, pools, volumes and networks', async () => {
    const inventory = await hypervisor().inventory();
    expect(inventory.warnings).toEqual([]);
    expect(inventory.uri).toBe(URI);
    expect(inventory.domains.map((d) => d.name).sort()).toEqual(
      ['PAY-APP-INT-01.corp.example', 'ci-runner-07', 'db-legacy', 'pay-web-int-01', 'pay-web-tst-01', 'sandbox-alice', 'shop-web-int-01', 'tmpl-debian12'].sort(),
    );
    const web = inventory.domains.find((d) => d.name === 'pay-web-int-01')!;
    expect(web).toMatchObject({
      uuid: 'c0ffee00-0000-4000-8000-000000000001',
      state: 'running',
      vcpus: 2,
      memoryMb: 4096,
      title: 'payments-api web, integration',
      description: 'Front end of payments-api in integration. Owner: payments team.',
      persistent: true,
      autostart: false,
    });
    expect(web.metadataXml).toContain('<sc:stage>integration</sc:stage>');
    expect(web.disks).toEqual([
      expect.objectContaining({ device: 'disk', format: 'qcow2', target: 'vda', path: '/var/lib/libvirt/images/stagecraft/pay-web-int-01.qcow2', pool: 'vmpool', volume: 'pay-web-int-01.qcow2', capacityBytes: 60 * 1024 ** 3 }),
    ]);
    expect(web.nics).toEqual([{ mac: '52:54:00:00:01:10', type: 'network', network: 'stagecraft-int', bridge: null, model: 'virtio', addresses: ['10.20.1.11'] }]);
    expect(web.snapshots).toEqual([
      { name: 'baseline', description: 'Fresh install, before any release', state: 'shutoff', createdAt: '2026-01-01T00:00:00.000Z', parent: null, current: false },
      { name: 'pre-release-2.4', description: 'Before promoting payments-api 2.4 to integration', state: 'running', createdAt: '2026-01-08T00:00:00.000Z', parent: 'baseline', current: true },
    ]);
    expect(inventory.domains.find((d) => d.name === 'pay-web-tst-01')).toMatchObject({ state: 'paused', nics: [expect.objectContaining({ network: 'stagecraft-int' }), expect.objectContaining({ type: 'bridge', bridge: 'br-mgmt', model: 'e1000' })] });
    expect(inventory.domains.find((d) => d.name === 'tmpl-debian12')).toMatchObject({ state: 'shutoff', title: 'Debian 12 template' });
    // A disk given as pool/volume gets its path; a file disk with a space in its name is found in its pool.
    expect(inventory.domains.find((d) => d.name === 'PAY-APP-INT-01.corp.example')!.disks[0]).toMatchObject({ type: 'volume', pool: 'vmpool', path: '/var/lib/libvirt/images/stagecraft/pay-app-int-01.qcow2' });
    const legacy = inventory.domains.find((d) => d.name === 'db-legacy')!;
    expect(legacy.disks.map((d) => [d.device, d.pool, d.readonly])).toEqual([
      ['disk', 'vmpool', false],
      ['cdrom', null, true],
    ]);
    expect(inventory.domains.find((d) => d.name === 'shop-web-int-01')!.snapshots[0]!.name).toBe('before & after "cart" fix');

    expect(inventory.pools.map((p) => [p.name, p.type, p.active, p.targetPath, p.volumes.length])).toEqual([
      ['scratch', 'dir', true, '/srv/scratch', 2],
      ['vmpool', 'dir', true, '/var/lib/libvirt/images/stagecraft', 6],
    ]);
    expect(inventory.pools[1]!.volumes.find((v) => v.name === 'shop-web-int-01.qcow2')).toMatchObject({ capacityBytes: 40 * 1024 ** 3, allocationBytes: 7.5 * 1024 ** 3 });
    const network = inventory.networks.find((n) => n.name === 'stagecraft-int')!;
    expect(network).toMatchObject({ bridge: 'virbr-int', forwardMode: 'nat', ips: [{ address: '10.20.0.1', prefix: 16, family: 'ipv4' }] });
    expect(network.reservations).toHaveLength(3);
    expect(inventory.networks.find((n) => n.name === 'mgmt-isolated')).toMatchObject({ forwardMode: null, ips: [{ prefix: 24 }] });
  });
});

describe.skipIf(!hasVirsh)('changes are plans first, run only when confirmed', () => {
  it('shows the exact virsh commands, quoted, for every kind of change', async () => {
    const h = hypervisor();
    const snap = await h.planOperation({ kind: 'snapshot-create', domain: 'shop-web-int-01', name: "it's $(rm -rf /)", description: 'a; b' });
    expect(snap.commands).toEqual([`virsh -c ${URI} snapshot-create-as --domain shop-web-int-01 --name 'it'\\''s $(rm -rf /)' --description 'a; b' --atomic`]);
    expect(snap.warnings.join(' ')).toMatch(/running/);
    expect((await h.planOperation({ kind: 'snapshot-revert', domain: 'pay-web-int-01', name: 'baseline' })).commands).toEqual([`virsh -c ${URI} snapshot-revert --domain pay-web-int-01 --snapshotname baseline`]);
    expect((await h.planOperation({ kind: 'snapshot-delete', domain: 'shop-web-int-01', name: 'before & after "cart" fix' })).commands).toEqual([
      `virsh -c ${URI} snapshot-delete --domain shop-web-int-01 --snapshotname 'before & after "cart" fix'`,
    ]);
    expect((await h.planOperation({ kind: 'start', domain: 'db-legacy' })).commands).toEqual([`virsh -c ${URI} start --domain db-legacy`]);
    expect((await h.planOperation({ kind: 'shutdown', domain: 'ci-runner-07', force: false })).commands).toEqual([`virsh -c ${URI} shutdown --domain ci-runner-07`]);
    expect((await h.planOperation({ kind: 'shutdown', domain: 'ci-runner-07', force: true })).commands).toEqual([`virsh -c ${URI} destroy --domain ci-runner-07`]);
  });

  it('plans a clone: volume copies in their pools, then define with new name, no UUID and new MACs', async () => {
    const plan = await hypervisor().planOperation({ kind: 'clone', template: 'tmpl-debian12', newName: 'pay-web-int-02', macs: ['52:54:00:00:99:01'] });
    expect(plan.commands).toEqual([
      `virsh -c ${URI} vol-clone --pool vmpool --vol tmpl-debian12.qcow2 --newname pay-web-int-02.qcow2`,
      `virsh -c ${URI} define --file /dev/stdin  < (document below)`,
    ]);
    const xml = plan.documents[0]!.content;
    expect(plan.documents[0]).toMatchObject({ commandIndex: 1, title: 'Domain XML of pay-web-int-02' });
    expect(xml).toContain('<name>pay-web-int-02</name>');
    expect(xml).not.toContain('<uuid>');
    expect(xml).toContain("<mac address='52:54:00:00:99:01'/>");
    expect(xml).toContain("file='/var/lib/libvirt/images/stagecraft/pay-web-int-02.qcow2'");
    // Random MACs are fixed in the plan, so running it again plans the same commands.
    const random = await hypervisor().planOperation({ kind: 'clone', template: 'tmpl-debian12', newName: 'x' });
    expect(random.op).toMatchObject({ kind: 'clone', macs: [expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/)] });
  });

  it('refuses what cannot be done, at plan time, with a kind and a remedy', async () => {
    const h = hypervisor();
    expect((await failureOf(h.planOperation({ kind: 'start', domain: 'pay-web-int-01' }))).kind).toBe('operation-failed');
    expect((await failureOf(h.planOperation({ kind: 'clone', template: 'pay-web-int-01', newName: 'y' }))).message).toMatch(/must be shut off/);
    expect((await failureOf(h.planOperation({ kind: 'clone', template: 'tmpl-debian12', newName: 'db-legacy' }))).message).toMatch(/already exists/);
    expect((await failureOf(h.planOperation({ kind: 'snapshot-revert', domain: 'pay-web-int-01', name: 'nope' }))).kind).toBe('not-found');
    const missing = await failureOf(h.planOperation({ kind: 'start', domain: 'no-such-vm' }));
    expect(missing.kind).toBe('not-found');
    expect(missing.hint).toMatch(/refresh the inventory/i);
    expect((await failureOf(h.planOperation({ kind: 'start', domain: 'bad\nname' }))).kind).toBe('invalid-input');
  });

  it('runs a plan only when confirmed and unchanged', async () => {
    const h = hypervisor();
    const plan = await h.planOperation({ kind: 'start', domain: 'db-legacy' });
    expect((await failureOf(h.execute(plan, { confirmed: false }))).kind).toBe('not-confirmed');
    const tampered: OperationPlan = { ...plan, commands: ['virsh -c test:///default destroy --domain db-legacy'] };
    expect((await failureOf(h.execute(tampered, { confirmed: true }))).kind).toBe('plan-stale');
    expect((await failureOf(h.shutdown('db-legacy', { force: true }, { plan, confirmed: true }))).kind).toBe('plan-stale');
    const result = await h.start('db-legacy', { plan, confirmed: true });
    expect(result).toMatchObject({ commands: plan.commands, output: "Domain 'db-legacy' started" });
    // The mock driver forgets the change when virsh exits: planning again still sees it shut off.
    expect((await h.planOperation({ kind: 'start', domain: 'db-legacy' })).commands).toEqual(plan.commands);
  });
});

describe.skipIf(!hasVirsh)('failures are classified with remedies', () => {
  it('a daemon that does not listen is unreachable', async () => {
    const failure = await failureOf(new LibvirtHypervisor(new LocalVirshRunner('qemu+unix:///system?socket=/nonexistent/stagecraft/libvirt-sock')).inventory());
    expect(failure.kind).toBe('unreachable');
    expect(failure.hint).toMatch(/libvirtd/);
  });

  it('a missing virsh says what to install', async () => {
    const failure = await failureOf(new LibvirtHypervisor(new LocalVirshRunner(URI, '/nonexistent/virsh')).inventory());
    expect(failure).toMatchObject({ kind: 'virsh-missing', code: 'unsupported' });
  });

  it('a command that hangs is cut at its timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-virsh-'));
    const hung = join(dir, 'virsh');
    writeFileSync(hung, '#!/bin/sh\nexec sleep 5\n', { mode: 0o755 });
    const failure = await failureOf(new LocalVirshRunner(URI, hung).run(['list'], { timeoutMs: 200 }));
    expect(failure.kind).toBe('timeout');
  });
});
