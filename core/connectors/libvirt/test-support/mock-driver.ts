/** libvirt's mock driver for tests: a realistic hypervisor in one XML file, read by `virsh -c test:///…`. */
import { join } from 'node:path';
import { virshMissing } from '../test-support';

export const MOCK_INVENTORY_FILE = join(process.cwd(), 'resources', 'libvirt-fixtures', 'inventory.xml');
export const MOCK_INVENTORY_URI = `test://${MOCK_INVENTORY_FILE}`;

/** Whether virsh can run here; when not, says so for `suite` (its tests then skip). */
export function virshAvailable(suite: string): boolean {
  const missing = virshMissing();
  if (missing) console.log(`SKIP ${suite}: ${missing}`);
  return missing === null;
}
