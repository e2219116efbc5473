/** libvirt's mock driver for tests: a realistic hypervisor in one XML file, read by `virsh -c test:///…`. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const MOCK_INVENTORY_FILE = join(process.cwd(), 'resources', 'libvirt-fixtures', 'inventory.xml');
export const MOCK_INVENTORY_URI = `test://${MOCK_INVENTORY_FILE}`;

/** Whether virsh can run here; when not, says so once for `suite` (tests then skip). */
export function virshAvailable(suite: string): boolean {
  try {
    execFileSync('virsh', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.log(`SKIP ${suite}: virsh is not installed (apt-get install libvirt-clients)`);
    return false;
  }
}
