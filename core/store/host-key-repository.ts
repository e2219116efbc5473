import type { Db } from './database';

export interface HostKeyRecord {
  id: number;
  host: string;
  port: number;
  keyType: string;
  keyBase64: string;
  fingerprint: string;
  acceptedAt: string;
  acceptedBy: string;
}

export type NewHostKey = Omit<HostKeyRecord, 'id' | 'acceptedAt' | 'acceptedBy'>;

const COLUMNS = 'id, host, port, key_type AS keyType, key_base64 AS keyBase64, fingerprint, accepted_at AS acceptedAt, accepted_by AS acceptedBy';

/** The workspace's trust store of SSH host keys: who accepted which key of which host, and when. */
export class HostKeyRepository {
  constructor(private readonly db: Db) {}

  trustedKeys(host: string, port: number): HostKeyRecord[] {
    return this.db.prepare<[string, number], HostKeyRecord>(`SELECT ${COLUMNS} FROM host_keys WHERE host = ? AND port = ? ORDER BY id`).all(host, port);
  }

  list(): HostKeyRecord[] {
    return this.db.prepare<[], HostKeyRecord>(`SELECT ${COLUMNS} FROM host_keys ORDER BY host, port, id`).all();
  }

  /** Records an accepted key; accepting the same key again changes nothing. Run inside WorkspaceStore.write. */
  trust(key: NewHostKey, acceptedBy: string, at = new Date().toISOString()): void {
    this.db
      .prepare('INSERT OR IGNORE INTO host_keys (host, port, key_type, key_base64, fingerprint, accepted_at, accepted_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(key.host, key.port, key.keyType, key.keyBase64, key.fingerprint, at, acceptedBy);
  }

  /** Forgets every key of host:port: what a user does, deliberately, after a verified key change. Returns how many. */
  forget(host: string, port: number): number {
    return this.db.prepare('DELETE FROM host_keys WHERE host = ? AND port = ?').run(host, port).changes;
  }
}
