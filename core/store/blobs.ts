import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { StagecraftError } from '../domain/errors';
import type { Db } from './database';

/** Below this size deflate rarely pays for its header and CPU. */
const COMPRESS_ABOVE_BYTES = 256;
/** zlib's smallest output chunk. */
const MIN_CHUNK_BYTES = 64;

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Content-addressed blobs: each distinct content is stored once, under its sha256. */
export class BlobStore {
  private readonly insert;
  private readonly select;
  private readonly exists;

  constructor(db: Db) {
    this.insert = db.prepare('INSERT OR IGNORE INTO blobs (hash, size, encoding, data) VALUES (?, ?, ?, ?)');
    this.select = db.prepare<[string], { encoding: string; size: number; data: Buffer }>('SELECT encoding, size, data FROM blobs WHERE hash = ?');
    this.exists = db.prepare<[string], { found: number }>('SELECT 1 AS found FROM blobs WHERE hash = ?');
  }

  /** Stores `content` (if new) and returns its sha256. */
  put(content: string | Uint8Array): string {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const hash = sha256Hex(bytes);
    if (this.exists.get(hash)) return hash;
    if (bytes.length > COMPRESS_ABOVE_BYTES) {
      const packed = deflateRawSync(bytes);
      if (packed.length < bytes.length) {
        this.insert.run(hash, bytes.length, 'deflate', packed);
        return hash;
      }
    }
    this.insert.run(hash, bytes.length, 'raw', bytes);
    return hash;
  }

  putJson(value: unknown): string {
    return this.put(JSON.stringify(value));
  }

  getBytes(hash: string): Buffer {
    const row = this.select.get(hash);
    if (!row) throw new StagecraftError('not-found', `Blob ${hash} is missing from the workspace.`, 'The workspace file may be damaged; restore it from a backup.');
    // Inflated into one buffer of the known size: no growing by 16 KiB chunks and concatenating them.
    return row.encoding === 'deflate' ? inflateRawSync(row.data, { chunkSize: Math.max(MIN_CHUNK_BYTES, row.size) }) : row.data;
  }

  getText(hash: string): string {
    return this.getBytes(hash).toString('utf8');
  }

  getJson<T>(hash: string): T {
    return JSON.parse(this.getText(hash)) as T;
  }
}
