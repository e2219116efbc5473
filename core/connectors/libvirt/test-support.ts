/** For tests: what is missing to talk to libvirt here, said so a skipped test explains itself. */
import { execFileSync } from 'node:child_process';

const installed = (tool: string) => {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why virsh (libvirt's mock test:/// driver needs nothing else) cannot run, or null. */
export function virshMissing(): string | null {
  return installed('virsh') ? null : 'virsh is not installed (apt-get install libvirt-clients)';
}

/** Why a private libvirtd with the qemu driver (scripts/libvirt/up.sh) cannot run, or null. */
export function libvirtdMissing(): string | null {
  for (const tool of ['libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'unshare']) {
    if (!installed(tool)) return `${tool} is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients)`;
  }
  if (process.getuid?.() !== 0) return 'a private libvirtd with the qemu driver needs root';
  return null;
}
