/** Clone runs in the store: what a resume needs kept per VM, and a workspace of schema 8 upgraded with its clone runs intact. */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { APPLICATION_ID } from './database';
import { migrations } from './migrations/index';
import { WorkspaceStore } from './workspace-store';

let store: WorkspaceStore | undefined;
afterEach(() => store?.close());
const fresh = () => join(mkdtempSync(join(tmpdir(), 'stagecraft-clone-runs-')), 'w.stagecraft');

describe('clone runs', () => {
  it("keep each VM's snapshot, size, production host, step and scan; the stage's latest run is found", () => {
    store = WorkspaceStore.create(fresh(), 'clones');
    const serviceId = store.inventory.createService({ name: 'pay', stages: ['integration', 'production'], roles: ['web'] });
    const [integration, production] = store.inventory.getService(serviceId).stages;
    const hypervisorId = store.hypervisors.add({ name: 'kvm', uri: 'test:///default' }).id;
    const base = { serviceId, fromStageId: production!.id, imageId: null, toStageId: integration!.id, hypervisorId, archiveId: null, createdAt: '2026-11-26T10:00:00Z', createdBy: 'alice' };
    const vm = { role: 'web', sourceDomain: 'web-prd', sourceSnapshot: 'nightly', productionHost: 'web-prd', newName: 'pay-web-integration-1', address: '10.0.0.5', macs: ['52:54:00:00:00:01'], size: { vcpus: 2, memoryMb: 2048, diskGb: 20 }, poolId: null };
    expect(store.assets.latestCloneRun(integration!.id)).toBeNull();
    const first = store.assets.createCloneRun({ ...base, scan: false }, [vm]);
    const second = store.assets.createCloneRun({ ...base, scan: true }, [{ ...vm, sourceSnapshot: null, size: null }]);
    expect(store.assets.latestCloneRun(integration!.id)).toMatchObject({ id: second.id, scan: true, state: 'running' });
    expect(store.assets.cloneRun(first.id).scan).toBe(false);
    store.assets.updateCloneVm(second.id, vm.newName, { step: 'scanned', scan: { status: 'failed', message: 'no route' } }, 'later');
    expect(store.assets.cloneVms(first.id)).toEqual([{ runId: first.id, ...vm, hostId: null, step: 'planned', scan: null, lastError: null, updatedAt: base.createdAt }]);
    expect(store.assets.cloneVms(second.id)[0]).toMatchObject({ sourceSnapshot: null, size: null, step: 'scanned', scan: { status: 'failed', message: 'no route' }, updatedAt: 'later' });
    expect(() => store!.assets.updateCloneVm(second.id, 'nope', { step: 'cloned' }, 'x')).toThrow(/has no VM nope/);
    expect(() => store!.assets.cloneRun(999)).toThrow(/Clone run 999 does not exist/);
  });

  it('upgrades a workspace of schema 8: its clone runs and VMs stay, with no size or snapshot, resumable', () => {
    const path = fresh();
    const raw = new Database(path);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    for (const migration of migrations.filter((m) => m.version <= 8)) raw.exec(migration.sql);
    raw.pragma('user_version = 8');
    raw.prepare("INSERT INTO workspace_meta VALUES ('name', 'Old')").run();
    raw.prepare("INSERT INTO services (id, name, created_at) VALUES (1, 'pay', '2025-01-01')").run();
    raw.prepare("INSERT INTO stages (id, service_id, name, position, is_production) VALUES (1, 1, 'integration', 0, 0)").run();
    raw.prepare("INSERT INTO hypervisors (id, name, uri, created_at) VALUES (1, 'kvm', 'test:///default', '2025-01-01')").run();
    raw.prepare("INSERT INTO clone_runs (id, service_id, to_stage_id, hypervisor_id, created_at, created_by, state) VALUES (7, 1, 1, 1, '2025-02-01', 'bob', 'running')").run();
    raw.prepare("INSERT INTO clone_vms (run_id, role, source_domain, new_name, address, macs_json, step, updated_at) VALUES (7, 'web', 'web-prd', 'pay-web-1', '10.0.0.5', '[\"52:54:00:00:00:09\"]', 'cloning', '2025-02-01')").run();
    raw.close();
    store = WorkspaceStore.open(path);
    expect(store.assets.latestCloneRun(1)).toMatchObject({ id: 7, scan: false, state: 'running', createdBy: 'bob' });
    expect(store.assets.cloneVms(7)).toEqual([{ runId: 7, role: 'web', sourceDomain: 'web-prd', sourceSnapshot: null, productionHost: null, newName: 'pay-web-1', address: '10.0.0.5', macs: ['52:54:00:00:00:09'], size: null, poolId: null, hostId: null, step: 'cloning', scan: null, lastError: null, updatedAt: '2025-02-01' }]);
  });
});
