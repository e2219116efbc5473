import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { MAX_SNAPSHOT_FILE_BYTES, readFactDocument, readSnapshotFile } from './snapshot-io';

const capture = join(process.cwd(), 'resources/demo/captures/web.json');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-io-'));
});
const write = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('snapshot files', () => {
  it('reads a real captured snapshot, normalised', () => {
    const snapshot = readSnapshotFile(capture);
    expect(snapshot.packages.length).toBeGreaterThan(100);
    expect(snapshot.packages.map((p) => p.name)).toEqual([...snapshot.packages.map((p) => p.name)].sort());
  });

  it('names the line of a syntax error and says when a file looks truncated', () => {
    const text = readFileSync(capture, 'utf8');
    const path = write('cut.json', text.slice(0, Math.floor(text.length / 2)));
    expect(() => readSnapshotFile(path)).toThrow(/not valid JSON at line \d+ \(it looks truncated\)/);
  });

  it('refuses an unknown format version and a foreign document', () => {
    const document = JSON.parse(readFileSync(capture, 'utf8'));
    expect(() => readSnapshotFile(write('v9.json', JSON.stringify({ ...document, version: 9 })))).toThrow(/format version 9; this Stagecraft reads version 1/);
    expect(() => readSnapshotFile(write('other.json', JSON.stringify({ hello: 'world' })))).toThrow(/not a Stagecraft snapshot/);
  });

  it('names the first wrong field', () => {
    const document = JSON.parse(readFileSync(capture, 'utf8'));
    document.files[0].sha256 = 'not-a-hash';
    expect(() => readSnapshotFile(write('field.json', JSON.stringify(document)))).toThrow(/field files\.0\.sha256: a sha256 is 64 lowercase hex digits/);
  });

  it('refuses a file that is not UTF-8', () => {
    expect(() => readSnapshotFile(write('latin1.json', Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])))).toThrow(/not UTF-8/);
  });

  it('refuses a file over the size limit before reading it', () => {
    const path = write('huge.json', '');
    truncateSync(path, MAX_SNAPSHOT_FILE_BYTES + 1);
    expect(() => readSnapshotFile(path)).toThrow(/documents are limited to 64 MB/);
  });

  it('tells images from snapshots', () => {
    expect(readFactDocument(capture).kind).toBe('snapshot');
  });
});

describe('snapshot import through the contract', () => {
  it('stores a good file, refuses a bad one, and loses nothing already stored', async () => {
    const app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
    const opened = await app.dispatch('workspace.openDemo', {});
    expect(opened.ok).toBe(true);
    const store = app.session.require();
    const stage = store.inventory.listServices()[0]!.stages[0]!;
    const host = store.inventory.environment(stage.id).hosts[0]!;
    const before = store.snapshots.history(host.id).length;

    const bad = await app.dispatch('snapshot.import', { hostId: host.id, path: write('bad.json', '{"format":"stagecraft.snapshot","version":1,') });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(store.snapshots.history(host.id)).toHaveLength(before);

    const good = await app.dispatch('snapshot.import', { hostId: host.id, path: capture });
    expect(good).toMatchObject({ ok: true });
    expect(store.snapshots.history(host.id)).toHaveLength(before + 1);

    const exported = await app.dispatch('snapshot.export', { hostId: host.id });
    expect(exported).toMatchObject({ ok: true, value: { format: 'stagecraft.snapshot', version: 1 } });
    expect(store.audit.verify()).toMatchObject({ ok: true });
    app.session.close();
  });
});
