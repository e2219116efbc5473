import type { Db } from './database';
import { sha256Hex } from './blobs';

export interface AuditInput {
  actor: string;
  action: string;
  subject: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  beforeJson: string | null;
  afterJson: string | null;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/** The hash covers every field and the previous hash, so altering, removing or reordering breaks the chain. */
function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(JSON.stringify([e.seq, e.at, e.actor, e.action, e.subject, e.beforeJson, e.afterJson, e.prevHash]));
}

export type AuditVerdict = { ok: true; entries: number; head: string } | { ok: false; entries: number; firstBadSeq: number; reason: string };

export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Must run inside the transaction of the change it records. */
  append(input: AuditInput, at = new Date().toISOString()): AuditEntry {
    const last = this.db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1').get();
    const partial = {
      seq: (last?.seq ?? 0) + 1,
      at,
      actor: input.actor,
      action: input.action,
      subject: input.subject,
      beforeJson: input.before === undefined ? null : JSON.stringify(input.before),
      afterJson: input.after === undefined ? null : JSON.stringify(input.after),
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const entry = { ...partial, hash: entryHash(partial) };
    this.db
      .prepare('INSERT INTO audit_entries (seq, at, actor, action, subject, before_json, after_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.beforeJson, entry.afterJson, entry.prevHash, entry.hash);
    return entry;
  }

  entries(limit = 200): AuditEntry[] {
    return this.db
      .prepare<[number], AuditEntry>(
        'SELECT seq, at, actor, action, subject, before_json AS beforeJson, after_json AS afterJson, prev_hash AS prevHash, hash FROM audit_entries ORDER BY seq DESC LIMIT ?',
      )
      .all(limit);
  }

  verify(): AuditVerdict {
    const rows = this.db
      .prepare<[], AuditEntry>(
        'SELECT seq, at, actor, action, subject, before_json AS beforeJson, after_json AS afterJson, prev_hash AS prevHash, hash FROM audit_entries ORDER BY seq',
      )
      .all();
    let prev = GENESIS_HASH;
    let expectedSeq = 1;
    for (const row of rows) {
      if (row.seq !== expectedSeq) return { ok: false, entries: rows.length, firstBadSeq: row.seq, reason: `entry ${expectedSeq} is missing` };
      if (row.prevHash !== prev) return { ok: false, entries: rows.length, firstBadSeq: row.seq, reason: 'it does not follow the entry before it' };
      if (entryHash(row) !== row.hash) return { ok: false, entries: rows.length, firstBadSeq: row.seq, reason: 'its content was altered' };
      prev = row.hash;
      expectedSeq += 1;
    }
    return { ok: true, entries: rows.length, head: prev };
  }
}
