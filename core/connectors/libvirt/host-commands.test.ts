/**
 * Commands on the hypervisor's host (qemu-img for a clone from a snapshot): which runner can reach
 * the disk files, and how the exact command is shown, quoted, in a dry run. Nothing runs here but a
 * refused call.
 */
import { describe, expect, it } from 'vitest';
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
