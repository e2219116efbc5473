import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkspaceStore } from '../../store/workspace-store';
import { applyImport, previewImport } from './apply';
import { suggestMapping } from './mapping';
import { mergeImports, type ImportFormat, type ParsedImport } from './model';
import { readImportFile } from './read';

const FIXTURES = join(import.meta.dirname, 'fixtures');
let dir: string;
let store: WorkspaceStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-import-'));
  store = WorkspaceStore.create(join(dir, 'w.stagecraft'), 'Import test');
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Everything an import could change, to compare before and after a refused one. */
const state = () => ({
  counts: store.inventory.counts(),
  services: store.inventory.listServices(),
  audit: store.audit.verify(),
  hosts: store.inventory.placements({}),
});

const read = (path: string, format: ImportFormat) => readImportFile(join(FIXTURES, path), format);

describe('applyImport', () => {
  it('imports a realistic INI inventory: 3 services × 5 stages, hosts placed, one audit entry', () => {
    const parsed = read('platform.ini', 'ansible-ini');
    const preview = previewImport(store, parsed);
    expect(store.inventory.counts().hosts).toBe(0); // a preview writes nothing
    expect(preview.canApply).toBe(true);
    expect(preview.services.map((s) => [s.name, s.action, s.rolesToAdd])).toEqual([
      ['payments', 'create', ['web', 'app', 'db']],
      ['catalog', 'create', ['api', 'redis']],
      ['identity', 'create', ['web', 'db']],
    ]);
    expect(preview.counts).toEqual({ servicesCreated: 3, rolesCreated: 7, hostsCreated: 38, hostsUpdated: 0, hostsUnchanged: 0, placementsCreated: 37, snapshotsCreated: 0, snapshotsSkipped: 0 });
    expect(preview.problems).toEqual([expect.objectContaining({ severity: 'warning', host: 'mon01.example.com' })]);

    const result = applyImport(store, parsed, preview.mapping, 'alice');
    expect(result.counts).toEqual(preview.counts);
    const services = store.inventory.listServices();
    expect(services.map((s) => s.name)).toEqual(['catalog', 'identity', 'payments']);
    for (const service of services) {
      expect(service.stages.map((s) => s.name)).toEqual(['integration', 'testing', 'staging', 'uat', 'production']);
      expect(service.stages.every((s) => s.hostCount > 0)).toBe(true);
      expect(service.stages.find((s) => s.isProduction)?.name).toBe('production');
    }
    const production = store.inventory.environment(services.find((s) => s.name === 'payments')!.stages.find((s) => s.name === 'production')!.id);
    expect(production.hosts.map((h) => [h.name, h.roles, h.address, h.port, h.sshUser])).toEqual([
      ['pay-web01.prod.example.com', ['web'], 'pay-web01.prod.example.com', 22, 'ops'],
      ['pay-web02.prod.example.com', ['web'], 'pay-web02.prod.example.com', 22, 'ops'],
      ['pay-app01.prod.example.com', ['app'], 'pay-app01.prod.example.com', 22, 'ops'],
      ['pay-db01.prod.example.com', ['db'], '10.20.1.18', 2222, 'ops'],
    ]);
    const [entry] = store.audit.entries(1);
    expect(entry).toMatchObject({ actor: 'alice', action: 'inventory.import', subject: expect.stringContaining('ansible-ini') });
    expect(JSON.parse(entry!.afterJson!)).toMatchObject({ hostsCreated: 38, placementsCreated: 37, servicesCreated: 3 });
    expect(store.audit.verify()).toMatchObject({ ok: true, entries: 1 });

    // The same file again changes nothing.
    const again = previewImport(store, parsed);
    expect(again.counts).toMatchObject({ servicesCreated: 0, rolesCreated: 0, hostsCreated: 0, hostsUpdated: 0, hostsUnchanged: 38, placementsCreated: 0 });
  });

  it('imports a YAML inventory, then its fact cache as a snapshot of the matching host', () => {
    applyImport(store, read('platform.yml', 'ansible-yaml'), undefined, 'alice');
    expect(store.inventory.counts()).toMatchObject({ services: 3, hosts: 33 });
    // The cache file of a host is named by its inventory name: copy the real one under a host's name.
    const cache = join(dir, 'cache');
    rmSync(cache, { recursive: true, force: true });
    const facts = readFileSync(join(FIXTURES, 'ansible-fact-cache/localhost'), 'utf8');
    mkdirSync(cache);
    writeFileSync(join(cache, 'shop-db1.prod.example.net'), facts);
    const parsed = readImportFile(cache, 'ansible-facts');
    const preview = previewImport(store, parsed);
    expect(preview.snapshots).toEqual([expect.objectContaining({ host: 'shop-db1.prod.example.net', action: 'create', source: 'ansible' })]);
    const result = applyImport(store, parsed, undefined, 'alice');
    expect(result.snapshotIds).toHaveLength(1);
    const host = store.inventory.findHostByName('shop-db1.prod.example.net')!;
    const [row] = store.snapshots.history(host.id);
    expect(row).toMatchObject({ source: 'ansible', complete: false });
    expect(store.snapshots.load(row!.id).packages.length).toBeGreaterThan(50);
    // Importing the same cache again skips the snapshot it already has.
    expect(previewImport(store, parsed).counts).toMatchObject({ snapshotsCreated: 0, snapshotsSkipped: 1 });
  });

  it('updates existing hosts only where the file says so, and adds roles to existing services', () => {
    applyImport(store, read('platform.ini', 'ansible-ini'), undefined, 'alice');
    const before = store.inventory.findHostByName('pay-web01.prod.example.com')!;
    const parsed = read('hosts.csv', 'csv');
    const preview = previewImport(store, parsed);
    expect(preview.hosts.find((h) => h.name === 'pay-web01.prod.example.com')).toMatchObject({
      action: 'update',
      changes: [
        { field: 'address', before: 'pay-web01.prod.example.com', after: '10.20.1.11' },
        { field: 'owner', before: '', after: 'team-payments' },
        { field: 'vcpus', before: null, after: 4 },
        { field: 'memoryMb', before: null, after: 8192 },
        { field: 'diskGb', before: null, after: 40 },
      ],
    });
    expect(preview.services).toEqual([{ name: 'payments', action: 'existing', stages: ['integration', 'testing', 'staging', 'uat', 'production'], rolesToAdd: [] }]);
    applyImport(store, parsed, undefined, 'bob');
    const after = store.inventory.findHostByName('pay-web01.prod.example.com')!;
    expect(after).toEqual({ ...before, address: '10.20.1.11', owner: 'team-payments', vcpus: 4, memoryMb: 8192, diskGb: 40 });
    // The staging row has no port: the host keeps its own.
    expect(store.inventory.findHostByName('pay-web01.stg.example.com')).toMatchObject({ address: '10.12.1.11', port: 22, sshUser: 'deploy' });
    expect(store.inventory.findHostByName('backup01.example.com')).toMatchObject({ kind: 'storage', owner: 'infra' });
    const staging = store.inventory.environment(store.inventory.findServiceByName('payments')!.stages.find((s) => s.name === 'staging')!.id);
    expect(staging.hosts.find((h) => h.name === 'pay-web01.stg.example.com')?.roles).toEqual(['web', 'app']);
  });

  it('reads hosts from an SSH configuration, and a snapshot file matched by host name', () => {
    applyImport(store, read('ssh_config', 'ssh-config'), undefined, 'alice');
    expect(store.inventory.findHostByName('legacy')).toMatchObject({ address: '192.0.2.44', port: 2200, sshUser: 'fallback' });
    const snapshot = readImportFile(join(process.cwd(), 'resources/demo/captures/web.json'), 'snapshot');
    expect(previewImport(store, snapshot).problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringMatching(/no host is named "web-01" or "web-01\.farm\.test"/) })]);
    const result = applyImport(store, snapshot, { groups: {}, snapshotHost: 'legacy' }, 'alice');
    expect(result.snapshots).toEqual([expect.objectContaining({ host: 'legacy', action: 'create', source: 'collector' })]);
    expect(store.snapshots.history(store.inventory.findHostByName('legacy')!.id)).toHaveLength(1);
  });

  it('leaves nothing half-imported when the second half fails', () => {
    applyImport(store, read('ssh_config', 'ssh-config'), undefined, 'alice');
    const before = state();
    const inventory = read('platform.ini', 'ansible-ini');
    const facts = readImportFile(join(FIXTURES, 'ansible-fact-cache'), 'ansible-facts');
    facts.snapshots[0]!.hostName = 'pay-db01.prod.example.com';
    const both = mergeImports(inventory, facts);
    expect(previewImport(store, both).counts).toMatchObject({ servicesCreated: 3, hostsCreated: 37, hostsUpdated: 1, snapshotsCreated: 1 });
    // Services, hosts and placements are written; then saving the snapshot fails.
    const save = vi.spyOn(store.snapshots, 'save').mockImplementation(() => {
      throw new Error('disk full');
    });
    expect(() => applyImport(store, both, undefined, 'alice')).toThrow(/disk full/);
    save.mockRestore();
    expect(state()).toEqual(before);
    // And a host row the database refuses half-way (port out of range) rolls back the hosts before it.
    const broken: ParsedImport = { ...inventory, hosts: inventory.hosts.map((h, i) => (i === 20 ? { ...h, port: 70000 } : h)) };
    expect(() => applyImport(store, broken, undefined, 'alice')).toThrow(/CHECK constraint failed/);
    expect(state()).toEqual(before);
    // The whole import then works.
    applyImport(store, both, undefined, 'alice');
    expect(store.inventory.counts()).toMatchObject({ services: 3, hosts: before.counts.hosts + 37, snapshots: 1 });
  });

  it('refuses an import with errors whole, naming the problem', () => {
    const before = state();
    const parsed = read('platform.ini', 'ansible-ini');
    const mapping = suggestMapping(parsed);
    mapping.groups['payments_db_prod'] = { service: 'payments', stage: 'perf', role: 'db' };
    mapping.groups['payments_prod'] = { service: 'payments' };
    mapping.groups['production'] = {};
    expect(() => applyImport(store, parsed, mapping, 'alice')).toThrow(/Nothing was imported: host "pay-db01\.prod\.example\.com": service "payments" has no stage "perf" \(its stages: integration, testing, staging, uat, production\)/);
    expect(state()).toEqual(before);
  });

  it.each([
    ['bad/malformed.ini', 'ansible-ini', /malformed\.ini line 3: /],
    ['bad/syntax-error.yml', 'ansible-yaml', /syntax-error\.yml line \d+: YAML syntax error/],
    ['bad/too-many-fields.csv', 'csv', /too-many-fields\.csv line 3: the row has 7 fields/],
    ['bad/missing-name-column.csv', 'csv', /missing-name-column\.csv line 1: the header has no "name" column/],
    ['bad/fact-cache-not-json', 'ansible-facts', /web01 line 2: is not a JSON fact file/],
    ['bad/snapshot-v2.json', 'snapshot', /snapshot-v2\.json is snapshot format version 2; this Stagecraft reads version 1/],
  ] as const)('%s: a clear error, and the workspace is unchanged', (file, format, message) => {
    applyImport(store, read('platform.yml', 'ansible-yaml'), undefined, 'alice');
    const before = state();
    expect(() => applyImport(store, readImportFile(join(FIXTURES, file), format), undefined, 'alice')).toThrow(message);
    expect(state()).toEqual(before);
    expect(before.audit).toMatchObject({ ok: true, entries: 1 });
  });
});
