import type { WorkspaceSummary } from '../domain/inventory';
import { ApplyRepository } from './apply-repository';
import { AssetRepository } from './asset-repository';
import { AuditLog, type AuditInput } from './audit';
import { BlobStore } from './blobs';
import { ChangeRepository } from './change-repository';
import { createWorkspaceFile, openWorkspaceFile, schemaVersion, type Db, type OpenOptions } from './database';
import { DriftRepository } from './drift-repository';
import { HostKeyRepository } from './host-key-repository';
import { HypervisorRepository } from './hypervisor-repository';
import { ImageRepository } from './image-repository';
import { InventoryRepository } from './inventory-repository';
import { PromotionRepository } from './promotion-repository';
import { SnapshotRepository } from './snapshot-repository';

/** One open workspace file and its repositories. */
export class WorkspaceStore {
  readonly blobs: BlobStore;
  readonly inventory: InventoryRepository;
  readonly audit: AuditLog;
  readonly snapshots: SnapshotRepository;
  readonly images: ImageRepository;
  readonly drift: DriftRepository;
  readonly promotion: PromotionRepository;
  readonly hostKeys: HostKeyRepository;
  readonly hypervisors: HypervisorRepository;
  readonly changes: ChangeRepository;
  readonly assets: AssetRepository;
  readonly apply: ApplyRepository;

  private constructor(
    readonly path: string,
    private readonly db: Db,
  ) {
    this.blobs = new BlobStore(db);
    this.inventory = new InventoryRepository(db);
    this.audit = new AuditLog(db);
    this.snapshots = new SnapshotRepository(db, this.blobs);
    this.images = new ImageRepository(db, this.blobs);
    this.drift = new DriftRepository(db);
    this.promotion = new PromotionRepository(db, this.blobs);
    this.hostKeys = new HostKeyRepository(db);
    this.hypervisors = new HypervisorRepository(db);
    this.changes = new ChangeRepository(db);
    this.assets = new AssetRepository(db);
    this.apply = new ApplyRepository(db);
  }

  static create(path: string, name: string, options?: OpenOptions): WorkspaceStore {
    return new WorkspaceStore(path, createWorkspaceFile(path, name, options));
  }

  static open(path: string, options?: OpenOptions): WorkspaceStore {
    return new WorkspaceStore(path, openWorkspaceFile(path, options));
  }

  /** A change the user causes: `change` and its audit entry commit together or not at all. */
  write<T>(audit: Omit<AuditInput, 'after'> & { after?: (result: T) => unknown }, change: () => T): T {
    return this.db.transaction(() => {
      const result = change();
      this.audit.append({ ...audit, after: audit.after ? audit.after(result) : undefined });
      return result;
    })();
  }

  /** Several reads that must see one consistent state. */
  read<T>(query: () => T): T {
    return this.db.transaction(query).deferred();
  }

  private meta(): Record<string, string> {
    return Object.fromEntries(
      this.db
        .prepare<[], { key: string; value: string }>('SELECT key, value FROM workspace_meta')
        .all()
        .map((r) => [r.key, r.value]),
    );
  }

  /** When the file was made: with its path, what tells this workspace from another made at the same path later. */
  createdAt(): string {
    return this.meta()['created_at'] ?? '';
  }

  summary(): WorkspaceSummary {
    const meta = this.meta();
    return {
      path: this.path,
      name: meta['name'] ?? '',
      createdAt: meta['created_at'] ?? '',
      schemaVersion: schemaVersion(this.db),
      counts: this.inventory.counts(),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
