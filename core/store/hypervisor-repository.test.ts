import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkspaceStore } from './workspace-store';

const store = WorkspaceStore.create(join(mkdtempSync(join(tmpdir(), 'stagecraft-hvrepo-')), 'w.stagecraft'), 'w');
afterAll(() => store.close());

describe('HypervisorRepository', () => {
  it('adds, reads, updates and removes hypervisors with their cached inventory', () => {
    const hostId = store.inventory.addHost({ name: 'kvm1', address: '127.0.0.1' });
    const local = store.hypervisors.add({ name: 'local', uri: 'qemu:///system' });
    const remote = store.hypervisors.add({ name: 'kvm1', uri: 'qemu:///system', viaHostId: hostId });
    expect(remote).toMatchObject({ kind: 'libvirt', viaHostId: hostId, sshTarget: null });
    expect(() => store.hypervisors.add({ name: 'x', uri: 'qemu:///system', viaHostId: hostId, sshTarget: 'root@h' })).toThrow(/not both/);
    expect(store.hypervisors.allHostIds()).toEqual([hostId]);

    expect(store.hypervisors.inventory(local.id)).toBeNull();
    store.hypervisors.saveInventory(local.id, { domains: [{ name: 'a' }] }, '2026-01-01T00:00:00.000Z');
    store.hypervisors.saveInventory(local.id, { domains: [{ name: 'b' }] }, '2026-01-02T00:00:00.000Z');
    expect(store.hypervisors.inventory(local.id)).toEqual({ hypervisorId: local.id, fetchedAt: '2026-01-02T00:00:00.000Z', inventory: { domains: [{ name: 'b' }] } });

    expect(store.hypervisors.update(local.id, { name: 'workstation' }).name).toBe('workstation');
    expect(store.hypervisors.remove(local.id)).toBe(true);
    expect(store.hypervisors.inventory(local.id)).toBeNull();
    expect(() => store.hypervisors.get(local.id)).toThrow(/does not exist/);
    // A host that goes away leaves the hypervisor reachable only through its own settings.
    expect(store.hypervisors.list().map((h) => h.name)).toEqual(['kvm1']);
  });
});
