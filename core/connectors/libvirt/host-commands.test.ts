/**
 * Commands on the hypervisor's host (qemu-img for a clone from a snapshot): which runner can reach
 * the disk files, and how the exact command is shown, quoted, in a dry run. Nothing runs here but a
 * refused call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { farmEndpoint, readFarm } from '../ssh/test-support/farm';
import { localHostAccess, LocalVirshRunner, SshVirshRunner } from './runner';

describe('host commands of a runner', () => {
  it('reach the disks of a daemon on this machine only', () => {
    expect(localHostAccess('qemu:///system')).toBeNull();
    expect(localHostAccess('qemu+unix:///system?socket=/tmp/stagecraft-libvirt/sock/libvirt-sock')).toBeNull();
    expect(localHostAccess('qemu+ssh://admin@kvm-01/system')).toBe('qemu+ssh://admin@kvm-01/system reaches another host through virsh only: register the hypervisor with an SSH target so disk files can be copied there');
    expect(localHostAccess('qemu+tcp://kvm-01/system')).toMatch(/reaches another host/);
    expect(localHostAccess('test:///default')).toBe("test:///default is libvirt's test driver: its disks are not real files");
    expect(localHostAccess('nonsense')).toBe('nonsense is not a libvirt URI this runner understands');
  });

  it('are shown quoted, here or over SSH, and refused before anything runs where they cannot reach the disks', async () => {
    const argv = ['qemu-img', 'convert', '-U', '-n', '-l', 'snapshot.name=release 2.4', '-f', 'qcow2', '-O', 'qcow2', '/var/lib/libvirt/images/web.qcow2', "/var/lib/libvirt/images/it's.qcow2"];
    expect(new LocalVirshRunner('qemu:///system').displayOnHost(argv)).toBe(`qemu-img convert -U -n -l 'snapshot.name=release 2.4' -f qcow2 -O qcow2 /var/lib/libvirt/images/web.qcow2 '/var/lib/libvirt/images/it'\\''s.qcow2'`);
    const ssh = new SshVirshRunner({ host: 'kvm-01.test.invalid', user: 'admin' }, 'qemu:///system');
    expect(ssh.hostAccess()).toBeNull();
    expect(ssh.displayOnHost(argv)).toMatch(/^ssh admin@kvm-01\.test\.invalid(:22)? 'env' 'LC_ALL=C' 'qemu-img' 'convert' .*'snapshot\.name=release 2\.4'/);
    await expect(new LocalVirshRunner('test:///default').runOnHost(['qemu-img', '--version'])).rejects.toMatchObject({ kind: 'operation-failed', message: expect.stringMatching(/test driver/) });
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
