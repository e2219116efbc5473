import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ID } from './database';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations/index';
import { WorkspaceStore } from './workspace-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-db-'));
});
const open: WorkspaceStore[] = [];
afterEach(() => open.splice(0).forEach((s) => s.close()));
const track = (s: WorkspaceStore) => (open.push(s), s);

describe('workspace file', () => {
  it('is created from empty with every migration, WAL and foreign keys', () => {
    const store = track(WorkspaceStore.create(join(dir, 'a.stagecraft'), 'Team A'));
    const summary = store.summary();
    expect(summary.name).toBe('Team A');
    expect(summary.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    const raw = new Database(join(dir, 'a.stagecraft'), { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    raw.close();
    expect(() => store.inventory.placeHost(999, 1, 'web')).toThrow(/no environment/);
  });

  it('refuses to create over an existing file', () => {
    const path = join(dir, 'taken.stagecraft');
    writeFileSync(path, 'precious');
    expect(() => WorkspaceStore.create(path, 'x')).toThrow(/already exists/);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('reopens with its data and enforces foreign keys', () => {
    const path = join(dir, 'b.stagecraft');
    const first = WorkspaceStore.create(path, 'B');
    first.write({ actor: 'ana', action: 'service.create', subject: 'payments-api' }, () =>
      first.inventory.createService({ name: 'payments-api', stages: ['testing', 'production'], roles: ['web'] }),
    );
    first.close();
    const again = track(WorkspaceStore.open(path));
    const [service] = again.inventory.listServices();
    expect(service?.stages.map((s) => [s.name, s.isProduction])).toEqual([
      ['testing', false],
      ['production', true],
    ]);
    expect(service?.edges).toHaveLength(1);
    expect(again.audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });

  it('upgrades a workspace written by an older schema, keeping its data', () => {
    const path = join(dir, 'old.stagecraft');
    const raw = new Database(path);
    raw.pragma(`application_id = ${APPLICATION_ID}`);
    raw.exec(migrations[0]!.sql);
    raw.pragma('user_version = 1');
    raw.prepare("INSERT INTO workspace_meta VALUES ('name', 'Old')").run();
    raw.prepare("INSERT INTO services (name, created_at) VALUES ('legacy', '2025-01-01')").run();
    raw.close();
    const store = track(WorkspaceStore.open(path));
    expect(store.summary()).toMatchObject({ name: 'Old', schemaVersion: LATEST_SCHEMA_VERSION, counts: { services: 1 } });
  });

  it('refuses a workspace written by a newer schema, without touching it', () => {
    const path = join(dir, 'future.stagecraft');
    WorkspaceStore.create(path, 'F').close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    const before = readFileSync(path);
    expect(() => WorkspaceStore.open(path)).toThrow(/newer Stagecraft/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a SQLite file that is not a workspace, without touching it', () => {
    const path = join(dir, 'other.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1);');
    raw.close();
    const before = readFileSync(path);
    expect(() => WorkspaceStore.open(path)).toThrow(/not a Stagecraft workspace; it was left untouched/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file that is not SQLite at all, or is empty, without touching it', () => {
    for (const [name, content] of [
      ['notes.txt', 'hello, not a database'],
      ['empty.stagecraft', ''],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, content);
      expect(() => WorkspaceStore.open(path)).toThrow(/not a Stagecraft workspace/);
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
  });

  it('says so when the file does not exist', () => {
    expect(() => WorkspaceStore.open(join(dir, 'missing.stagecraft'))).toThrow(/does not exist/);
  });

  it('rolls back a failed write together with its audit entry', () => {
    const store = track(WorkspaceStore.create(join(dir, 'c.stagecraft'), 'C'));
    expect(() =>
      store.write({ actor: 'ana', action: 'service.create', subject: 'dup' }, () => {
        store.inventory.createService({ name: 'dup', stages: ['production'], roles: [] });
        store.inventory.createService({ name: 'DUP', stages: ['production'], roles: [] }); // names are case-insensitive
      }),
    ).toThrow(/UNIQUE/);
    expect(store.inventory.listServices()).toEqual([]);
    expect(store.audit.verify()).toMatchObject({ ok: true, entries: 0 });
  });

  it('keeps the last committed state when the process dies in the middle of a write', async () => {
    const path = join(dir, 'crash.stagecraft');
    const store = WorkspaceStore.create(path, 'Crash');
    store.write({ actor: 'ana', action: 'service.create', subject: 'kept' }, () => store.inventory.createService({ name: 'kept', stages: ['production'], roles: ['web'] }));
    store.close();
    // A child process opens the file, starts a large write, and is killed with SIGKILL before it commits.
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(${JSON.stringify(path)});
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN');
      const insert = db.prepare("INSERT INTO hosts (name, address, created_at) VALUES (?, 'x', 'now')");
      for (let i = 0; i < 20000; i++) insert.run('host-' + i);
      process.stdout.write('written\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const reopened = track(WorkspaceStore.open(path));
    expect(reopened.inventory.listServices().map((s) => s.name)).toEqual(['kept']);
    expect(reopened.summary().counts.hosts).toBe(0);
    expect(reopened.audit.verify()).toMatchObject({ ok: true, entries: 1 });
  });
});

describe('blob store', () => {
  it('stores equal content once and reads it back exactly', () => {
    const store = track(WorkspaceStore.create(join(dir, 'blobs.stagecraft'), 'Blobs'));
    const big = 'server_tokens off;\n'.repeat(500);
    const a = store.write({ actor: 't', action: 'blob', subject: 'a' }, () => store.blobs.put(big));
    const b = store.write({ actor: 't', action: 'blob', subject: 'b' }, () => store.blobs.put(big));
    expect(a).toBe(b);
    expect(store.blobs.getText(a)).toBe(big);
    const binary = new Uint8Array([0, 255, 254, 1, 2, 3]);
    const h = store.write({ actor: 't', action: 'blob', subject: 'bin' }, () => store.blobs.put(binary));
    expect([...store.blobs.getBytes(h)]).toEqual([...binary]);
    expect(() => store.blobs.getText('0'.repeat(64))).toThrow(/missing/);
  });
});
