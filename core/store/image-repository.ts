import { StagecraftError } from '../domain/errors';
import { canonicalJson } from '../domain/canonical-json';
import type { ImageContent } from '../domain/image';
import type { BlobStore } from './blobs';
import type { Db } from './database';

export interface ImageRecord {
  id: number;
  serviceId: number;
  label: string;
  contentHash: string;
  parentId: number | null;
  sourceStageId: number | null;
  createdAt: string;
  createdBy: string;
  note: string;
  /** Stages this image is assigned to. */
  assignedTo: number[];
}

const COLUMNS = `id, service_id AS serviceId, label, content_hash AS contentHash, parent_id AS parentId,
  source_stage_id AS sourceStageId, created_at AS createdAt, created_by AS createdBy, note`;

/** Images: immutable, content-addressed (the blob of their canonical JSON), labelled per service. */
export class ImageRepository {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
  ) {}

  save(input: { serviceId: number; content: ImageContent; parentId?: number | null; sourceStageId?: number | null; createdBy: string; note?: string; at?: string }): ImageRecord {
    const contentHash = this.blobs.put(canonicalJson(input.content));
    const same = this.db.prepare<[number, string], { label: string }>('SELECT label FROM images WHERE service_id = ? AND content_hash = ?').get(input.serviceId, contentHash);
    if (same) throw new StagecraftError('conflict', `This configuration is already image ${same.label}.`, 'Assign that image instead of saving a copy.');
    const taken = this.db.prepare<[number, string], { id: number }>('SELECT id FROM images WHERE service_id = ? AND label = ?').get(input.serviceId, input.content.label);
    if (taken) throw new StagecraftError('conflict', `The service already has an image labelled ${input.content.label}.`, 'Choose another label.');
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO images (service_id, label, content_hash, parent_id, source_stage_id, created_at, created_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(input.serviceId, input.content.label, contentHash, input.parentId ?? null, input.sourceStageId ?? null, input.at ?? new Date().toISOString(), input.createdBy, input.note ?? '');
    return this.get(Number(lastInsertRowid));
  }

  get(imageId: number): ImageRecord {
    const row = this.db.prepare<[number], Omit<ImageRecord, 'assignedTo'>>(`SELECT ${COLUMNS} FROM images WHERE id = ?`).get(imageId);
    if (!row) throw new StagecraftError('not-found', `Image ${imageId} does not exist.`);
    return { ...row, assignedTo: this.assignedStages(imageId) };
  }

  content(imageId: number): ImageContent {
    return this.blobs.getJson<ImageContent>(this.get(imageId).contentHash);
  }

  list(serviceId: number): ImageRecord[] {
    return this.db
      .prepare<[number], Omit<ImageRecord, 'assignedTo'>>(`SELECT ${COLUMNS} FROM images WHERE service_id = ? ORDER BY created_at, id`)
      .all(serviceId)
      .map((row) => ({ ...row, assignedTo: this.assignedStages(row.id) }));
  }

  nextLabel(serviceId: number): string {
    const labels = this.db.prepare<[number], { label: string }>('SELECT label FROM images WHERE service_id = ?').all(serviceId);
    const highest = Math.max(0, ...labels.map((l) => /^v(\d+)$/.exec(l.label)?.[1]).filter((n): n is string => n !== undefined).map(Number));
    return `v${highest + 1}`;
  }

  /** Puts `imageId` (or nothing) on a stage of the same service, recording when; returns the image it replaced. */
  assign(stageId: number, imageId: number | null, by: string, at = new Date().toISOString()): number | null {
    const stage = this.db.prepare<[number], { serviceId: number; imageId: number | null }>('SELECT service_id AS serviceId, image_id AS imageId FROM stages WHERE id = ?').get(stageId);
    if (!stage) throw new StagecraftError('not-found', `Stage ${stageId} does not exist.`);
    if (imageId !== null && this.get(imageId).serviceId !== stage.serviceId) {
      throw new StagecraftError('invalid-input', 'An image can only be assigned to a stage of its own service.');
    }
    this.db.prepare('UPDATE stages SET image_id = ? WHERE id = ?').run(imageId, stageId);
    this.db.prepare('INSERT INTO image_assignments (stage_id, image_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?)').run(stageId, imageId, at, by);
    return stage.imageId;
  }

  /** When an image reached each stage it was ever assigned to (the first time), oldest first. */
  history(imageId: number): { stageId: number; assignedAt: string }[] {
    return this.db
      .prepare<[number], { stageId: number; assignedAt: string }>(
        'SELECT stage_id AS stageId, MIN(assigned_at) AS assignedAt FROM image_assignments WHERE image_id = ? GROUP BY stage_id ORDER BY assignedAt',
      )
      .all(imageId);
  }

  private assignedStages(imageId: number): number[] {
    return this.db.prepare<[number], { id: number }>('SELECT id FROM stages WHERE image_id = ? ORDER BY position').all(imageId).map((r) => r.id);
  }
}
