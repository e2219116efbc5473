/**
 * `stagecraft apply --identity --known-hosts` uses those SSH settings for a VM host's hypervisor
 * too, not only for the host: farm scratch host 83 is the VM host and the hypervisor's SSH host
 * (it has no virsh, so the snapshot fails there once logged in; without the settings the login
 * itself fails, as the machine has no key of its own for it). Nothing is changed on the host.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { libvirtdMissing } from '../connectors/libvirt/test-support';
import { farmEnv, scratch, scratchUnavailable } from '../connectors/ssh/test-support/farm';
import { addHypervisor, cachedInventory, refreshInventory, removeHypervisor } from '../services/hypervisors';
import { KeyRing } from '../services/signing';
import { FIXTURE_STATE, onHost, v2Edits, workbench } from '../services/test-support/apply-bench';
import { SHARED_LIBVIRT_DIR, TestLibvirtd } from '../services/test-support/test-libvirtd';
import { cliSession } from './test-support/cli-session';

const HOST = 83;
const reason = scratchUnavailable() ?? libvirtdMissing();
if (reason) console.log(`stagecraft apply to a VM whose hypervisor is reached over SSH: skipped, ${reason}`);
const dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-ssh-hypervisor-'));
const keys = new KeyRing(dir);
const daemon = new TestLibvirtd(SHARED_LIBVIRT_DIR);
const VM = `apply-ssh-hv-${process.pid}`;
const POOL = `apply-ssh-hv-${process.pid}`;
afterAll(() => {
  if (!reason) daemon.removeFixtures(POOL, [VM]);
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(reason !== null)('stagecraft apply to a VM whose hypervisor is reached over SSH', () => {
  it('logs in to the hypervisor with --identity and --known-hosts (there the snapshot fails: no virsh) and leaves the host untouched', async () => {
    daemon.up();
    daemon.definePool(POOL);
    daemon.defineTinyVm(POOL, VM);
    scratch(HOST);
    const env = farmEnv();
    const bench = await workbench(dir, keys, 'ssh-hypervisor', [HOST], v2Edits('mode = ssh hypervisor\n'), {}, () => VM);
    // The VM's inventory as a real libvirtd reports it, cached for a hypervisor on the scratch host over SSH.
    const local = addHypervisor(bench.store, 'tester', { name: 'local', uri: daemon.uri });
    await refreshInventory(bench.store, local.id);
    const cached = cachedInventory(bench.store, local.id)!;
    const remote = addHypervisor(bench.store, 'tester', { name: 'kvm-over-ssh', uri: 'qemu:///system', sshTarget: `root@127.0.0.1:${env.portBase + HOST}` });
    bench.store.hypervisors.saveInventory(remote.id, cached.inventory, cached.fetchedAt);
    removeHypervisor(bench.store, 'tester', local.id);
    const [path, changeId] = [bench.store.path, bench.changeId];
    bench.store.close();

    process.env['STAGECRAFT_DATA_DIR'] = dir;
    const { run, lines } = cliSession();
    const { code } = await run('apply', path, '--change', String(changeId), '--as', 'Rita Release', '--identity', env.key, '--known-hosts', env.knownHosts);
    expect(code).toBe(2);
    // Logged in to the hypervisor's host with the farm key (checked against the farm's known_hosts): virsh is what is missing there.
    // virsh's definite no is a failure with nothing changed, not a host in doubt.
    expect(lines).toContain(`${VM}: FAILED nothing was changed: VM ${VM} could not be snapshotted on kvm-over-ssh: root@127.0.0.1:${env.portBase + HOST}: virsh is not installed there`);
    expect(onHost(HOST, FIXTURE_STATE)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
  }, 300_000);
});
