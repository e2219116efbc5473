import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkspaceStore } from './workspace-store';

let store: WorkspaceStore;
afterEach(() => store?.close());
const open = () => (store = WorkspaceStore.create(join(mkdtempSync(join(tmpdir(), 'stagecraft-assets-repo-')), 'w.stagecraft'), 'assets'));

describe('asset repository', () => {
  it('stores pools with capacity and rates; physical pools without capacity; refuses bad ones and loses nothing', () => {
    open();
    const rate = { currency: 'EUR', perVcpu: 10, perMemoryGb: 2.5, perDiskGb: 0.05 };
    const kvm = store.assets.addPool({ name: 'kvm-int', stageName: 'integration', kind: 'hypervisor', capacity: { vcpus: 16, memoryMb: 32768, diskGb: 500 }, rate });
    store.assets.addPool({ name: 'racks', stageName: 'staging', kind: 'physical', capacity: null, rate: null });
    expect(() => store.assets.addPool({ name: 'KVM-INT', stageName: 'integration', kind: 'hypervisor', capacity: { vcpus: 1, memoryMb: 1, diskGb: 1 }, rate: null })).toThrow(/already exists/);
    expect(() => store.assets.addPool({ name: 'x', stageName: 'integration', kind: 'hypervisor', capacity: null, rate: null })).toThrow(/needs its capacity/);
    expect(() => store.assets.addPool({ name: 'x', stageName: 'integration', kind: 'host-group', capacity: { vcpus: -1, memoryMb: 1, diskGb: 1 }, rate: null })).toThrow(/0 or more/);
    expect(() => store.assets.updatePool(kvm.id, { rate: { ...rate, currency: 'euro' } })).toThrow(/currency code/);
    expect(store.assets.listPools().map((p) => [p.name, p.stageName, p.capacity, p.rate])).toEqual([
      ['kvm-int', 'integration', { vcpus: 16, memoryMb: 32768, diskGb: 500 }, rate],
      ['racks', 'staging', null, null],
    ]);
  });

  it('keeps leases with their history, and reclaim VMs with their steps', () => {
    open();
    const serviceId = store.inventory.createService({ name: 'pay', stages: ['integration', 'production'], roles: ['web'] });
    const stage = store.inventory.getService(serviceId).stages[0]!;
    store.assets.setLease({ stageId: stage.id, owner: 'alice', expiresOn: '2026-12-04', timeZone: 'Europe/Berlin', reason: 'tests' }, 'active', '2026-11-26T10:00:00Z');
    expect(store.assets.lease(stage.id)).toMatchObject({ serviceName: 'pay', stageName: 'integration', owner: 'alice', state: 'active' });
    store.assets.addLeaseEvent({ stageId: stage.id, at: 'now', actor: 'alice', event: 'extend', expiresBefore: '2026-12-04', expiresAfter: '2026-12-11', reason: 'more tests' });
    expect(store.assets.leaseHistory(stage.id)).toMatchObject([{ event: 'extend', expiresAfter: '2026-12-11' }]);
    const hypervisorId = store.hypervisors.add({ name: 'kvm', uri: 'test:///default' }).id;
    const run = store.assets.createReclaimRun({ stageId: stage.id, createdAt: 'now', createdBy: 'alice', keep: 'snapshot', imageId: null, graceHours: 24, force: true }, [
      { hypervisorId, domain: 'vm-a', hostId: null, hostName: 'vm-a' },
    ]);
    store.assets.updateReclaimVm(run.id, hypervisorId, 'vm-a', { step: 'powering-off' }, 'later');
    expect(store.assets.openReclaimRun(stage.id)).toMatchObject({ id: run.id, state: 'powering-off', force: true });
    expect(store.assets.reclaimVms(run.id)).toMatchObject([{ domain: 'vm-a', step: 'powering-off', updatedAt: 'later' }]);
    expect(() => store.hypervisors.remove(hypervisorId)).toThrow(/named by 1 reclaim or clone run: they keep track of its VMs/);
    expect(store.hypervisors.get(hypervisorId).name).toBe('kvm');
  });
});
