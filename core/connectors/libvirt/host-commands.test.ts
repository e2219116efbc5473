/**
 * Commands on the hypervisor's host (qemu-img for a clone from a snapshot): which runner can reach
 * the disk files, and how the exact command is shown, quoted, in a dry run. Nothing runs here but a
 * refused call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { farmEndpoint, readFarm } from '../ssh/test-support/farm';
import { LibvirtHypervisor, type HypervisorOperation, type OperationPlan } from './hypervisor';
import { hostCommandAccess, LocalVirshRunner, SshVirshRunner, type VirshRunner } from './runner';

const fromSnapshot: HypervisorOperation = { kind: 'clone', template: 'web', newName: 'web-2', snapshot: 'release 2.4' };

/** Plans and executes (a plan made where it could run) a clone from a snapshot through `runner`: both refused with `reason`, and nothing asked of the runner. */
async function expectRefused(runner: VirshRunner, reason: RegExp) {
  const asked: string[] = [];
  for (const method of ['run', 'runOnHost'] as const) {
    const original = runner[method].bind(runner);
    runner[method] = (argv: readonly string[], options?: object) => (asked.push(argv.join(' ')), original(argv, options));
  }
  const hypervisor = new LibvirtHypervisor(runner);
  const refusal = { kind: 'operation-failed', message: expect.stringMatching(reason) };
  await expect(hypervisor.planOperation(fromSnapshot)).rejects.toMatchObject(refusal);
  const plan: OperationPlan = { op: fromSnapshot, hypervisor: runner.uri, description: 'Clone web from snapshot "release 2.4"', commands: [runner.displayOnHost(['qemu-img', 'convert'])], documents: [], warnings: [] };
  await expect(hypervisor.execute(plan, { confirmed: true })).rejects.toMatchObject(refusal);
  expect(asked).toEqual([]);
}

describe('host commands of a runner', () => {
  it('reach the disks of a daemon on this machine only', () => {
    expect(hostCommandAccess('qemu:///system')).toBeNull();
    expect(hostCommandAccess('qemu+unix:///system?socket=/tmp/stagecraft-libvirt/sock/libvirt-sock')).toBeNull();
    expect(hostCommandAccess('qemu+ssh://admin@kvm-01/system')).toBe('qemu+ssh://admin@kvm-01/system reaches another host through virsh only: register the hypervisor with an SSH target so disk files can be copied there');
    expect(hostCommandAccess('qemu+tcp://kvm-01/system')).toMatch(/reaches another host/);
    expect(hostCommandAccess('test:///default')).toBe("test:///default is libvirt's test driver: its disks are not real files");
    expect(hostCommandAccess('nonsense')).toBe('nonsense is not a libvirt URI this runner understands');
  });

  it('are shown quoted, here or over SSH, and refused before anything runs where they cannot reach the disks', async () => {
    const argv = ['qemu-img', 'convert', '-U', '-n', '-l', 'snapshot.name=release 2.4', '-f', 'qcow2', '-O', 'qcow2', '/var/lib/libvirt/images/web.qcow2', "/var/lib/libvirt/images/it's.qcow2"];
    expect(new LocalVirshRunner('qemu:///system').displayOnHost(argv)).toBe(`qemu-img convert -U -n -l 'snapshot.name=release 2.4' -f qcow2 -O qcow2 /var/lib/libvirt/images/web.qcow2 '/var/lib/libvirt/images/it'\\''s.qcow2'`);
    const ssh = new SshVirshRunner({ host: 'kvm-01.test.invalid', user: 'admin' }, 'qemu:///system');
    expect(ssh.hostAccess()).toBeNull();
    expect(ssh.displayOnHost(argv)).toMatch(/^ssh admin@kvm-01\.test\.invalid(:22)? 'env' 'LC_ALL=C' 'qemu-img' 'convert' .*'snapshot\.name=release 2\.4'/);
    await expectRefused(new LocalVirshRunner('test:///default'), /a clone from a snapshot copies disk files with qemu-img on the hypervisor's host, and test:\/\/\/default is libvirt's test driver/);
  });

  it('over SSH, reach the disks only of a daemon on the SSH host itself, and are refused before connecting anywhere else', async () => {
    const via = (uri: string) => new SshVirshRunner({ host: 'kvm-01.test.invalid', user: 'admin' }, uri);
    expect(via('qemu+unix:///system?socket=/run/libvirt/libvirt-sock').hostAccess()).toBeNull();
    expect(via('test:///default').hostAccess()).toBe("test:///default is libvirt's test driver: its disks are not real files");
    expect(via('qemu+ssh://kvm-02/system').hostAccess()).toMatch(/^qemu\+ssh:\/\/kvm-02\/system reaches another host than admin@kvm-01\.test\.invalid(:22)?, where the host commands run: register the hypervisor with its own host as SSH target and a local URI \(qemu:\/\/\/system\)$/);
    // Refused with the reason, not "unreachable": no connection to the (never resolving) host was tried.
    await expectRefused(via('test:///default'), /test driver/);
    await expectRefused(via('qemu+tcp://kvm-02/system'), /reaches another host than/);
  });
});

const farm = readFarm(1, 'host commands over SSH');

describe.skipIf(farm === null)('host commands over SSH (farm host 1, nothing changed there)', () => {
  const { address, port } = farm ? farmEndpoint(farm.hosts[0]!) : { address: '', port: 0 };
  const runner = new SshVirshRunner({ host: address, port, user: 'stagecraft' }, 'qemu:///system', { identityFiles: farm ? [farm.key] : [], knownHostsFiles: farm ? [farm.knownHosts] : [], sshConfigFile: null, agentSocket: null });
  afterAll(() => runner.close());

  it('arrive word for word, never read by the remote shell', async () => {
    expect(await runner.runOnHost(['printf', '%s|', 'snapshot.name=release 2.4', "it's", '$HOME', '; echo no'])).toBe("snapshot.name=release 2.4|it's|$HOME|; echo no|");
  });

  it('say what failed, and when the tool is not there', async () => {
    await expect(runner.runOnHost(['ls', '/nonexistent-stagecraft-h3'])).rejects.toMatchObject({ kind: 'operation-failed', message: expect.stringMatching(/ls \/nonexistent-stagecraft-h3 failed: .*No such file or directory/) });
    await expect(runner.runOnHost(['qemu-img-h3-missing', 'info'])).rejects.toMatchObject({ kind: 'operation-failed', message: expect.stringMatching(/qemu-img-h3-missing is not installed there/) });
  });
});
