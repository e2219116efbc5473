import type { FactCategory, FileFact, Snapshot } from '../domain/facts';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION } from '../domain/facts';
import type { BlobStore } from './blobs';
import type { Db } from './database';

/** Facts that vary in size with the host: each stored as its own blob so equal lists are stored once. */
const PART_CATEGORIES = ['packages', 'services', 'ports', 'sysctl', 'users', 'groups', 'mounts', 'cron', 'files'] as const satisfies readonly FactCategory[];
type PartCategory = (typeof PART_CATEGORIES)[number];

/** A file fact as stored: its content lives in its own blob, named by `contentHash`. */
type StoredFileFact = Omit<FileFact, 'content'> & { contentHash?: string };

interface Manifest {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_FORMAT_VERSION;
  capturedAt: string;
  source: Snapshot['source'];
  host: Snapshot['host'];
  os: Snapshot['os'];
  warnings: string[];
  parts: Record<PartCategory, string>;
}

export interface SnapshotRow {
  id: number;
  hostId: number;
  capturedAt: string;
  source: string;
  complete: boolean;
  manifestHash: string;
}

/** Parsed part blobs kept in memory: content-addressed and immutable, and shared by many hosts. */
const PART_CACHE_LIMIT = 4096;

/** Immutable host snapshots, deduplicated through the blob store. */
export class SnapshotRepository {
  /** Least recently used first. */
  private readonly parts = new Map<string, unknown>();
  /** Where the content of a file loaded without contents is: its blob's hash. */
  private readonly contentHashes = new WeakMap<FileFact, string>();

  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
  ) {}

  save(hostId: number, snapshot: Snapshot): SnapshotRow {
    const files: StoredFileFact[] = snapshot.files.map(({ content, ...file }) => (content === undefined ? file : { ...file, contentHash: this.blobs.put(content) }));
    const parts = Object.fromEntries(
      PART_CATEGORIES.map((category) => [category, this.blobs.putJson(category === 'files' ? files : snapshot[category])]),
    ) as Record<PartCategory, string>;
    const manifest: Manifest = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_FORMAT_VERSION,
      capturedAt: snapshot.capturedAt,
      source: snapshot.source,
      host: snapshot.host,
      os: snapshot.os,
      warnings: snapshot.warnings,
      parts,
    };
    const manifestHash = this.blobs.putJson(manifest);
    const complete = snapshot.warnings.length === 0;
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO snapshots (host_id, captured_at, source, complete, manifest_hash) VALUES (?, ?, ?, ?, ?)')
      .run(hostId, snapshot.capturedAt, snapshot.source, complete ? 1 : 0, manifestHash);
    return { id: Number(lastInsertRowid), hostId, capturedAt: snapshot.capturedAt, source: snapshot.source, complete, manifestHash };
  }

  /** Part hashes of a snapshot: equal hashes mean equal facts, compared before any diff. */
  manifest(snapshotId: number): Manifest {
    return this.blobs.getJson<Manifest>(this.row(snapshotId).manifestHash);
  }

  /**
   * The whole snapshot; file contents are read only when asked for. Without them, `fileContent`
   * reads a file's content when it is needed after all (e.g. as a NormaliserContext's loadContent).
   * Lists are shared with other snapshots that have the same ones: never mutate them.
   */
  load(snapshotId: number, options: { withContent: boolean } = { withContent: true }): Snapshot {
    const { parts, ...head } = this.manifest(snapshotId);
    const part = <C extends PartCategory>(category: C) => this.part<Snapshot[C]>(parts[category]);
    const files: FileFact[] = options.withContent
      ? this.part<StoredFileFact[]>(parts.files).map(({ contentHash, ...file }) => (contentHash !== undefined ? { ...file, content: this.blobs.getText(contentHash) } : file))
      : this.part(parts.files, (stored: StoredFileFact[]) => this.withoutContent(stored), 'lean:');
    return {
      ...head,
      packages: part('packages'),
      services: part('services'),
      ports: part('ports'),
      sysctl: part('sysctl'),
      users: part('users'),
      groups: part('groups'),
      mounts: part('mounts'),
      cron: part('cron'),
      files,
    };
  }

  /**
   * The content of a file of a snapshot loaded by this repository: its own when loaded with contents,
   * else read from its blob now; undefined when it has none (binary, too large, hash only).
   */
  fileContent(file: FileFact): string | undefined {
    if (file.content !== undefined) return file.content;
    const hash = this.contentHashes.get(file);
    return hash === undefined ? undefined : this.blobs.getText(hash);
  }

  /** The files of a part as loaded without contents, each remembering where its content is. */
  private withoutContent(stored: readonly StoredFileFact[]): FileFact[] {
    return stored.map(({ contentHash, ...file }) => {
      if (contentHash !== undefined) this.contentHashes.set(file, contentHash);
      return file;
    });
  }

  /**
   * A part blob, parsed once per content (and shaped by `derive`, remembered under `prefix` + hash):
   * equal package lists of a thousand hosts are one object. Never mutate it. Least recently used
   * parts leave first, so the lists many hosts share stay while each host's own come and go.
   */
  private part<T>(hash: string): T;
  private part<S, T>(hash: string, derive: (parsed: S) => T, prefix: string): T;
  private part<T>(hash: string, derive?: (parsed: unknown) => T, prefix = ''): T {
    const key = prefix + hash;
    let value = this.parts.get(key);
    if (value === undefined) {
      if (this.parts.size >= PART_CACHE_LIMIT) this.parts.delete(this.parts.keys().next().value!);
      value = derive ? derive(this.blobs.getJson(hash)) : this.blobs.getJson<T>(hash);
    } else {
      this.parts.delete(key); // re-inserted below: now the most recently used
    }
    this.parts.set(key, value);
    return value as T;
  }

  row(snapshotId: number): SnapshotRow {
    const row = this.db
      .prepare<[number], Omit<SnapshotRow, 'complete'> & { complete: number }>(
        'SELECT id, host_id AS hostId, captured_at AS capturedAt, source, complete, manifest_hash AS manifestHash FROM snapshots WHERE id = ?',
      )
      .get(snapshotId);
    if (!row) throw new Error(`snapshot ${snapshotId} does not exist`);
    return { ...row, complete: row.complete === 1 };
  }

  /** The newest snapshot of each host that has one (of `hostIds` when given), or the newest taken no later than `asOf`. */
  latestByHost(asOf = '9999', hostIds?: readonly number[]): Map<number, SnapshotRow> {
    const hosts = hostIds === undefined ? '' : `AND s.host_id IN (${hostIds.map(Number).join(',') || 'NULL'})`;
    const rows = this.db
      .prepare<[string], Omit<SnapshotRow, 'complete'> & { complete: number }>(
        `SELECT s.id, s.host_id AS hostId, s.captured_at AS capturedAt, s.source, s.complete, s.manifest_hash AS manifestHash
         FROM snapshots s
         WHERE s.id = (SELECT id FROM snapshots t WHERE t.host_id = s.host_id AND t.captured_at <= ? ORDER BY captured_at DESC, id DESC LIMIT 1) ${hosts}`,
      )
      .all(asOf);
    return new Map(rows.map((r) => [r.hostId, { ...r, complete: r.complete === 1 }]));
  }

  history(hostId: number): SnapshotRow[] {
    return this.db
      .prepare<[number], Omit<SnapshotRow, 'complete'> & { complete: number }>(
        'SELECT id, host_id AS hostId, captured_at AS capturedAt, source, complete, manifest_hash AS manifestHash FROM snapshots WHERE host_id = ? ORDER BY captured_at DESC, id DESC',
      )
      .all(hostId)
      .map((r) => ({ ...r, complete: r.complete === 1 }));
  }
}
