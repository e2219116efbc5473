import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceStore } from './workspace-store';

let path: string;

beforeEach(() => {
  path = join(mkdtempSync(join(tmpdir(), 'stagecraft-audit-')), 'audit.stagecraft');
  const store = WorkspaceStore.create(path, 'Audit');
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
    store.write({ actor: 'ana', action: 'service.create', subject: name, after: (id) => ({ id }) }, () => store.inventory.createService({ name, stages: ['production'], roles: [] }));
  }
  store.close();
});

/** Tampering as an attacker with the file would: straight SQL, the append-only triggers dropped. */
function tamper(sql: string): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER audit_is_append_only_update; DROP TRIGGER audit_is_append_only_delete;');
  db.exec(sql);
  db.close();
}

const verify = () => {
  const store = WorkspaceStore.open(path);
  try {
    return store.audit.verify();
  } finally {
    store.close();
  }
};

describe('audit chain', () => {
  it('verifies an untouched log and refuses updates and deletes through SQLite', () => {
    expect(verify()).toMatchObject({ ok: true, entries: 4 });
    const db = new Database(path);
    expect(() => db.exec("UPDATE audit_entries SET actor = 'eve' WHERE seq = 2")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_entries WHERE seq = 2')).toThrow(/append-only/);
    db.close();
  });

  it('names an altered entry', () => {
    tamper("UPDATE audit_entries SET actor = 'eve' WHERE seq = 2");
    expect(verify()).toEqual({ ok: false, entries: 4, firstBadSeq: 2, reason: 'its content was altered' });
  });

  it('names the gap where an entry was removed', () => {
    tamper('DELETE FROM audit_entries WHERE seq = 3');
    expect(verify()).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'entry 3 is missing' });
  });

  it('notices entries swapped into another order, even with renumbered sequence', () => {
    tamper(`
      UPDATE audit_entries SET seq = 100 WHERE seq = 2;
      UPDATE audit_entries SET seq = 2 WHERE seq = 3;
      UPDATE audit_entries SET seq = 3 WHERE seq = 100;`);
    expect(verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it('notices an entry whose stored hash was replaced', () => {
    const db = new Database(path);
    const row = db.prepare('SELECT * FROM audit_entries WHERE seq = 2').get() as Record<string, string>;
    db.close();
    tamper(`UPDATE audit_entries SET hash = '${'f'.repeat(64)}' WHERE seq = 2`);
    expect(row['hash']).not.toBe('f'.repeat(64));
    expect(verify()).toMatchObject({ ok: false, firstBadSeq: 2 });
  });
});
