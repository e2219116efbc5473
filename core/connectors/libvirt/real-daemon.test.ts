/**
 * The connector against a REAL libvirtd with the qemu driver under software emulation (TCG):
 * scripts/libvirt/up.sh starts a private daemon (own config, sockets and state under
 * /tmp/stagecraft-libvirt); a 64 MiB VM with an empty qcow2 disk, no graphics and a user-mode NIC
 * (no bridge, nothing reaches the network: the guest has no OS) is started, snapshotted,
 * reverted, powered off, cloned and the clone deleted, every change through a confirmed plan.
 * Skips, saying why, where libvirtd, qemu or root are missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibvirtHypervisor, type HypervisorOperation } from './hypervisor';
import { LocalVirshRunner } from './runner';

const DIR = process.env['STAGECRAFT_LIBVIRT_DIR'] ?? '/tmp/stagecraft-libvirt';
const URI = `qemu+unix:///system?socket=${DIR}/sock/libvirt-sock`;
const SCRIPTS = join(process.cwd(), 'scripts', 'libvirt');

function missing(): string | null {
  for (const tool of ['libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img']) {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients)`;
    }
  }
  if (process.getuid?.() !== 0) return 'the private libvirtd of scripts/libvirt/up.sh needs root';
  return null;
}
const skipReason = missing();
if (skipReason) console.log(`SKIP real libvirtd tests: ${skipReason}`);

const tag = `sc${process.pid}`;
const POOL = `${tag}-pool`;
const TEMPLATE = `${tag}-tiny`;
const CLONE = `${tag}-clone`;
const TEMPLATE_MAC = '52:54:00:5c:00:01';
const CLONE_MAC = '52:54:00:5c:00:02';
const virsh = (...args: string[]) => execFileSync('virsh', ['-c', URI, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
let startedDaemon = false;
const timings: Record<string, number> = {};

describe.skipIf(skipReason !== null)('a real libvirtd (qemu, TCG): every change planned, confirmed and run', () => {
  const hypervisor = new LibvirtHypervisor(new LocalVirshRunner(URI));

  beforeAll(() => {
    let running = true;
    try {
      virsh('version');
    } catch {
      running = false;
    }
    const t0 = performance.now();
    execFileSync('sh', [join(SCRIPTS, 'up.sh')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000, env: { ...process.env, STAGECRAFT_LIBVIRT_DIR: DIR } });
    timings['up.sh'] = Math.round(performance.now() - t0);
    startedDaemon = !running;
    // Test fixtures (not changes under test): a pool in our own directory, an empty qcow2, a tiny VM.
    const images = join(DIR, 'images', tag);
    mkdirSync(images, { recursive: true });
    virsh('pool-create-as', '--name', POOL, '--type', 'dir', '--target', images);
    virsh('vol-create-as', '--pool', POOL, '--name', `${TEMPLATE}.qcow2`, '--capacity', '64M', '--format', 'qcow2');
    const xml = `<domain type='qemu'>
  <name>${TEMPLATE}</name>
  <title>Stagecraft test VM</title>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='${POOL}' volume='${TEMPLATE}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='user'><mac address='${TEMPLATE_MAC}'/><model type='virtio'/></interface>
  </devices>
</domain>`;
    writeFileSync(join(images, 'template.xml'), xml);
    virsh('define', '--file', join(images, 'template.xml'));
  }, 90_000);

  afterAll(() => {
    for (const domain of [CLONE, TEMPLATE]) {
      try {
        virsh('destroy', '--domain', domain);
      } catch {
        /* not running */
      }
      try {
        virsh('undefine', '--domain', domain, '--snapshots-metadata', '--remove-all-storage');
      } catch {
        /* not defined */
      }
    }
    try {
      virsh('pool-destroy', '--pool', POOL);
    } catch {
      /* gone */
    }
    if (startedDaemon) execFileSync('sh', [join(SCRIPTS, 'down.sh')], { stdio: 'ignore', timeout: 60_000 });
    console.log(`real libvirtd timings (ms): ${JSON.stringify(timings)}`);
  }, 90_000);

  const run = async (op: HypervisorOperation) => {
    const plan = await hypervisor.planOperation(op);
    expect(plan.commands.length).toBeGreaterThan(0);
    await expect(hypervisor.execute(plan, { confirmed: false })).rejects.toMatchObject({ kind: 'not-confirmed' });
    const t0 = performance.now();
    const result = await hypervisor.execute(plan, { confirmed: true });
    timings[op.kind] = Math.round(performance.now() - t0);
    return { plan, result };
  };
  const domain = async (name: string) => (await hypervisor.inventory()).domains.find((d) => d.name === name);

  it('starts, snapshots, reverts, deletes the snapshot and powers off the VM', async () => {
    expect(await domain(TEMPLATE)).toMatchObject({ state: 'shutoff', memoryMb: 64, nics: [{ mac: TEMPLATE_MAC, type: 'user' }], disks: [{ pool: POOL, volume: `${TEMPLATE}.qcow2` }] });

    const { plan } = await run({ kind: 'start', domain: TEMPLATE });
    expect(plan.commands).toEqual([`virsh -c '${URI}' start --domain ${TEMPLATE}`]);
    expect((await domain(TEMPLATE))!.state).toBe('running');

    await run({ kind: 'snapshot-create', domain: TEMPLATE, name: 'before change', description: "Stagecraft's test: it's quoted" });
    expect(await hypervisor.snapshots(TEMPLATE)).toEqual([expect.objectContaining({ name: 'before change', description: "Stagecraft's test: it's quoted", state: 'running', current: true })]);

    await run({ kind: 'snapshot-revert', domain: TEMPLATE, name: 'before change' });
    expect((await domain(TEMPLATE))!.state).toBe('running');

    await run({ kind: 'snapshot-delete', domain: TEMPLATE, name: 'before change' });
    expect(await hypervisor.snapshots(TEMPLATE)).toEqual([]);

    const graceful = await hypervisor.planOperation({ kind: 'shutdown', domain: TEMPLATE, force: false });
    expect(graceful.warnings.join(' ')).toMatch(/ACPI/);
    await run({ kind: 'shutdown', domain: TEMPLATE, force: true }); // no OS in the guest to obey ACPI
    expect((await domain(TEMPLATE))!.state).toBe('shutoff');
  }, 120_000);

  it('clones the shut-off template (volume copy, new name, UUID and MAC), then deletes the clone with its disk', async () => {
    const { plan } = await run({ kind: 'clone', template: TEMPLATE, newName: CLONE, macs: [CLONE_MAC] });
    expect(plan.commands[0]).toBe(`virsh -c '${URI}' vol-clone --pool ${POOL} --vol ${TEMPLATE}.qcow2 --newname ${CLONE}.qcow2`);
    const inventory = await hypervisor.inventory();
    const clone = inventory.domains.find((d) => d.name === CLONE)!;
    const template = inventory.domains.find((d) => d.name === TEMPLATE)!;
    expect(clone).toMatchObject({ state: 'shutoff', memoryMb: 64, title: 'Stagecraft test VM', nics: [{ mac: CLONE_MAC }], disks: [{ pool: POOL, volume: `${CLONE}.qcow2` }] });
    expect(clone.uuid).not.toBe(template.uuid);
    expect(inventory.pools.find((p) => p.name === POOL)!.volumes.map((v) => v.name).sort()).toEqual([`${CLONE}.qcow2`, `${TEMPLATE}.qcow2`]);

    // The clone boots on its own disk.
    await run({ kind: 'start', domain: CLONE });
    await run({ kind: 'shutdown', domain: CLONE, force: true });

    await run({ kind: 'delete', domain: CLONE, removeStorage: true });
    const after = await hypervisor.inventory();
    expect(after.domains.map((d) => d.name)).not.toContain(CLONE);
    expect(after.pools.find((p) => p.name === POOL)!.volumes.map((v) => v.name)).toEqual([`${TEMPLATE}.qcow2`]);
  }, 120_000);

  it('a VM another client deletes between the listing and its reading is left out with a warning; the rest of the inventory still counts', async () => {
    const doomed = `${tag}-doomed`;
    const file = join(DIR, 'images', tag, 'doomed.xml');
    writeFileSync(file, `<domain type='qemu'><name>${doomed}</name><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>`);
    virsh('define', '--file', file);
    // Another client (here: virsh itself) undefines the VM right after our listing, before its XML is read.
    class RacedRunner extends LocalVirshRunner {
      override run(args: readonly string[], options?: Parameters<LocalVirshRunner['run']>[1]): Promise<string> {
        if (args[0] === 'dumpxml' && args.includes(doomed)) virsh('undefine', '--domain', doomed);
        return super.run(args, options);
      }
    }
    const inventory = await new LibvirtHypervisor(new RacedRunner(URI)).inventory();
    expect(inventory.domains.map((d) => d.name)).not.toContain(doomed);
    expect(inventory.domains.map((d) => d.name)).toContain(TEMPLATE);
    expect(inventory.warnings).toContain(`domain ${doomed} was deleted while the inventory was read: left out`);
  }, 60_000);

  it('a pool another client deletes before it is read is left out with one warning (its volumes are not asked for)', async () => {
    const doomed = `${tag}-doomed-pool`;
    const target = join(DIR, 'images', tag, 'doomed-pool');
    mkdirSync(target, { recursive: true });
    virsh('pool-create-as', '--name', doomed, '--type', 'dir', '--target', target);
    // Another client destroys the (transient) pool right after our listing, before the first read that names it.
    let destroyed = false;
    class RacedRunner extends LocalVirshRunner {
      override run(args: readonly string[], options?: Parameters<LocalVirshRunner['run']>[1]): Promise<string> {
        if (!destroyed && args.includes(doomed)) {
          virsh('pool-destroy', '--pool', doomed);
          destroyed = true;
        }
        return super.run(args, options);
      }
    }
    const inventory = await new LibvirtHypervisor(new RacedRunner(URI)).inventory();
    expect(inventory.pools.map((p) => p.name)).not.toContain(doomed);
    expect(inventory.pools.map((p) => p.name)).toContain(POOL);
    expect(inventory.warnings.filter((w) => w.includes(doomed))).toEqual([`pool ${doomed} was deleted while the inventory was read: left out`]);
  }, 60_000);
});
