import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkspaceStore } from './workspace-store';

const dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the apply record in a real workspace file', () => {
  it('keeps runs, host states and every command across a reopen, so a cut-short run can be read back exactly', () => {
    const path = join(dir, 'w.stagecraft');
    let store = WorkspaceStore.create(path, 'apply');
    const serviceId = store.inventory.createService({ name: 'svc', stages: ['testing', 'staging'], roles: ['app'] });
    const [testing, staging] = store.inventory.getService(serviceId).stages;
    const hostIds = ['a', 'b'].map((name) => store.inventory.addHost({ name, address: '127.0.0.1' }));
    const image = store.images.save({ serviceId, content: { format: 'stagecraft.image', version: 1, service: 'svc', label: 'v1', governs: { categories: [], paths: [] }, roles: {}, lineage: {} }, createdBy: 't' });
    const change = store.promotion.createChange({ title: 't', serviceId, imageId: image.id, fromStageId: testing!.id, toStageId: staging!.id, plan: {}, verdict: {}, risk: {}, earliestAt: null, createdAt: '2026-01-01T00:00:00Z', createdBy: 't' });

    const run = store.apply.createRun({ changeId: change.id, concurrency: 1, canary: 'b', actor: 't', at: '2026-01-01T10:00:00Z', hosts: [{ hostId: hostIds[1]!, hostName: 'b' }, { hostId: hostIds[0]!, hostName: 'a' }] });
    const [b] = store.apply.hosts(run.id);
    store.apply.updateHost(b!.id, { state: 'applying', safeguard: 'host-backup', backupDir: '/var/backups/x', backups: [{ path: '/etc/a b', backupPath: '/var/backups/x/files/etc/a b' }], startedAt: '2026-01-01T10:00:01Z' });
    const ok = store.apply.startCommand({ applyHostId: b!.id, phase: 'step', stepIndex: 0, label: 'upgrade', command: "'apt-get' 'install' 'x=1'", at: '2026-01-01T10:00:02Z' });
    store.apply.finishCommand(ok, { state: 'ok', exitCode: 0, output: 'done', truncated: false, at: '2026-01-01T10:00:03Z' });
    store.apply.startCommand({ applyHostId: b!.id, phase: 'step', stepIndex: 1, label: 'write', command: "'sh' '-c' '…'", at: '2026-01-01T10:00:04Z' });
    store.close();

    // The process died here. A new one reads exactly where it was.
    store = WorkspaceStore.open(path);
    expect(store.apply.latestRun(change.id)).toMatchObject({ id: run.id, state: 'running', canary: 'b', endedAt: null });
    const hosts = store.apply.hosts(run.id);
    expect(hosts.map((h) => [h.hostName, h.position, h.state])).toEqual([
      ['b', 0, 'applying'],
      ['a', 1, 'pending'],
    ]);
    expect(hosts[0]!.backups).toEqual([{ path: '/etc/a b', backupPath: '/var/backups/x/files/etc/a b' }]);
    expect(store.apply.commands(hosts[0]!.id).map((c) => [c.label, c.state, c.exitCode])).toEqual([
      ['upgrade', 'ok', 0],
      ['write', 'running', null],
    ]);
    store.apply.markRunningInDoubt(hosts[0]!.id, 'the app stopped', '2026-01-01T11:00:00Z');
    expect(store.apply.commands(hosts[0]!.id).map((c) => c.state)).toEqual(['ok', 'in-doubt']);
    expect(() => store.apply.updateHost(hosts[0]!.id, { state: 'half-done' as never })).toThrow(/CHECK constraint failed/);
    expect(store.apply.host(hosts[0]!.id).state).toBe('applying');
    store.close();
  });
});
