/**
 * For tests on a REAL libvirtd (qemu driver, TCG) started by scripts/libvirt/up.sh: the shared
 * daemon (/tmp/stagecraft-libvirt, never stopped by a test) or a private one in a directory of
 * the test's own, which the test may stop half-way (its pid file and its QEMU processes' only).
 * Fixtures are tiny: 64 MiB VMs with a qcow2 disk in a directory pool and a user-mode NIC (no
 * network, no OS).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkspaceStore } from '../../store/workspace-store';
import { addHypervisor } from '../hypervisors';

export const SHARED_LIBVIRT_DIR = '/tmp/stagecraft-libvirt';

export class TestLibvirtd {
  readonly uri: string;

  constructor(readonly dir: string) {
    this.uri = `qemu+unix:///system?socket=${dir}/sock/libvirt-sock`;
  }

  virsh(...args: string[]): string {
    return execFileSync('virsh', ['-c', this.uri, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  }

  /** Starts the daemon unless it runs (up.sh is idempotent). */
  up(): void {
    execFileSync('sh', [join(process.cwd(), 'scripts', 'libvirt', 'up.sh')], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000, env: { ...process.env, STAGECRAFT_LIBVIRT_DIR: this.dir } });
  }

  /** Kills this directory's daemon and the QEMU processes it started (their pid files), then waits until its socket no longer answers. */
  stop(): void {
    if (this.dir === SHARED_LIBVIRT_DIR) throw new Error('the shared test daemon is never stopped by a test');
    const qemu = join(this.dir, 'run', 'qemu');
    const pids = [join(this.dir, 'libvirtd.pid'), ...(existsSync(qemu) ? execFileSync('sh', ['-c', 'ls "$1"/*.pid 2>/dev/null || true', 'sh', qemu], { encoding: 'utf8' }).split('\n').filter(Boolean) : [])];
    for (const file of pids) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (let i = 0; i < 100; i++) {
      try {
        this.virsh('version');
      } catch {
        return;
      }
      execFileSync('sleep', ['0.1']);
    }
    throw new Error('the test daemon did not stop');
  }

  /** A persistent directory pool under the daemon's images directory; returns its path. */
  definePool(pool: string): string {
    const images = join(this.dir, 'images', pool);
    mkdirSync(images, { recursive: true });
    this.virsh('pool-define-as', '--name', pool, '--type', 'dir', '--target', images);
    this.virsh('pool-start', '--pool', pool);
    return images;
  }

  /** A shut-off 64 MiB VM whose disk is `NAME.qcow2` (64 MiB, empty) in the pool. */
  defineTinyVm(pool: string, name: string): void {
    this.virsh('vol-create-as', '--pool', pool, '--name', `${name}.qcow2`, '--capacity', '64M', '--format', 'qcow2');
    const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='${pool}' volume='${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <interface type='user'><model type='virtio'/></interface>
  </devices></domain>`;
    // Outside the pool's directory, so the pool lists only disks.
    const file = join(this.dir, `${name}.xml`);
    writeFileSync(file, xml);
    this.virsh('define', '--file', file);
  }

  /** Removes the domains (running or not, with their snapshots and disks) and the pool a test made; what is already gone is skipped. */
  removeFixtures(pool: string, domains: readonly string[]): void {
    const quietly = (...args: string[]) => {
      try {
        this.virsh(...args);
      } catch {
        /* not there */
      }
    };
    for (const domain of domains) {
      quietly('destroy', '--domain', domain);
      quietly('undefine', '--domain', domain, '--snapshots-metadata', '--remove-all-storage');
      rmSync(join(this.dir, `${domain}.xml`), { force: true });
    }
    quietly('pool-destroy', '--pool', pool);
    quietly('pool-undefine', '--pool', pool);
  }
}

/** A workspace file with one service whose production holds the given VMs (by role) and a hypervisor to clone them on. */
export function createCloneWorkspace(path: string, service: { name: string; stages: string[]; production: Record<string, string> }, hypervisor: { name: string; uri: string }): void {
  const store = WorkspaceStore.create(path, `${service.name} clones`);
  try {
    const serviceId = store.inventory.createService({ name: service.name, stages: service.stages, roles: Object.keys(service.production) });
    const production = store.inventory.getService(serviceId).stages.find((s) => s.isProduction)!;
    for (const [role, vm] of Object.entries(service.production)) store.inventory.placeHost(production.id, store.inventory.addHost({ name: vm, address: '127.0.0.1' }), role);
    addHypervisor(store, 'alice', hypervisor);
  } finally {
    store.close();
  }
}
