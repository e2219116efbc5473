import { OPEN_STATES, type ChangeState } from '../domain/change-workflow';
import { StagecraftError } from '../domain/errors';
import type { BlobStore } from './blobs';
import type { Db } from './database';

export interface ChangeRequestRow<Verdict = unknown, Risk = unknown> {
  id: number;
  title: string;
  serviceId: number;
  imageId: number;
  fromStageId: number | null;
  toStageId: number;
  state: ChangeState;
  planHash: string;
  verdict: Verdict;
  risk: Risk;
  earliestAt: string | null;
  createdAt: string;
  createdBy: string;
}

const CHANGE_COLUMNS = `id, title, service_id AS serviceId, image_id AS imageId, from_stage_id AS fromStageId, to_stage_id AS toStageId, state,
  plan_hash AS planHash, verdict_json AS verdictJson, risk_json AS riskJson, earliest_at AS earliestAt, created_at AS createdAt, created_by AS createdBy`;

type RawChange = Omit<ChangeRequestRow, 'verdict' | 'risk'> & { verdictJson: string; riskJson: string };
const fromRaw = <V, R>({ verdictJson, riskJson, ...row }: RawChange): ChangeRequestRow<V, R> => ({ ...row, verdict: JSON.parse(verdictJson) as V, risk: JSON.parse(riskJson) as R });

/** Stage policies, lifecycle templates and change requests. Policies and plans are opaque JSON here: the domain owns their shape. */
export class PromotionRepository {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
  ) {}

  policy<P>(stageId: number): P | null {
    const row = this.db.prepare<[number], { json: string }>('SELECT policy_json AS json FROM stage_policies WHERE stage_id = ?').get(stageId);
    return row ? (JSON.parse(row.json) as P) : null;
  }

  setPolicy(stageId: number, policy: unknown): void {
    this.db.prepare('INSERT INTO stage_policies (stage_id, policy_json) VALUES (?, ?) ON CONFLICT (stage_id) DO UPDATE SET policy_json = excluded.policy_json').run(stageId, JSON.stringify(policy));
  }

  templates<T>(): { id: number; name: string; template: T; createdAt: string; createdBy: string }[] {
    return this.db
      .prepare<[], { id: number; name: string; json: string; createdAt: string; createdBy: string }>('SELECT id, name, template_json AS json, created_at AS createdAt, created_by AS createdBy FROM lifecycle_templates ORDER BY name')
      .all()
      .map(({ json, ...row }) => ({ ...row, template: JSON.parse(json) as T }));
  }

  saveTemplate(name: string, template: unknown, by: string, at = new Date().toISOString()): number {
    const taken = this.db.prepare<[string], { id: number }>('SELECT id FROM lifecycle_templates WHERE name = ?').get(name);
    if (taken) throw new StagecraftError('conflict', `A lifecycle template named "${name}" already exists.`, 'Choose another name.');
    return Number(this.db.prepare('INSERT INTO lifecycle_templates (name, template_json, created_at, created_by) VALUES (?, ?, ?, ?)').run(name, JSON.stringify(template), at, by).lastInsertRowid);
  }

  createChange(change: Omit<ChangeRequestRow, 'id' | 'state' | 'planHash'> & { plan: unknown }): ChangeRequestRow {
    const planHash = this.blobs.putJson(change.plan);
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO change_requests (title, service_id, image_id, from_stage_id, to_stage_id, plan_hash, verdict_json, risk_json, earliest_at, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(change.title, change.serviceId, change.imageId, change.fromStageId, change.toStageId, planHash, JSON.stringify(change.verdict), JSON.stringify(change.risk), change.earliestAt, change.createdAt, change.createdBy);
    return this.change(Number(lastInsertRowid));
  }

  change<V = unknown, R = unknown>(id: number): ChangeRequestRow<V, R> {
    const row = this.db.prepare<[number], RawChange>(`SELECT ${CHANGE_COLUMNS} FROM change_requests WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Change ${id} does not exist.`);
    return fromRaw<V, R>(row);
  }

  plan<P>(id: number): P {
    return this.blobs.getJson<P>(this.change(id).planHash);
  }

  changes<V = unknown, R = unknown>(filter: { serviceId?: number } = {}): ChangeRequestRow<V, R>[] {
    const rows =
      filter.serviceId === undefined
        ? this.db.prepare<[], RawChange>(`SELECT ${CHANGE_COLUMNS} FROM change_requests ORDER BY id DESC`).all()
        : this.db.prepare<[number], RawChange>(`SELECT ${CHANGE_COLUMNS} FROM change_requests WHERE service_id = ? ORDER BY id DESC`).all(filter.serviceId);
    return rows.map((row) => fromRaw<V, R>(row));
  }

  /** Deletes a change that never left draft (the undo of saving it); true when one was deleted. */
  discardDraft(id: number): boolean {
    return this.db.prepare("DELETE FROM change_requests WHERE id = ? AND state = 'draft'").run(id).changes > 0;
  }

  /** Changes that still intend to touch a stage: a stage with any cannot be removed. */
  openChangesTouching(stageId: number): number {
    const placeholders = OPEN_STATES.map(() => '?').join(', ');
    return (
      this.db
        .prepare<unknown[], { n: number }>(`SELECT COUNT(*) AS n FROM change_requests WHERE (to_stage_id = ? OR from_stage_id = ?) AND state IN (${placeholders})`)
        .get(stageId, stageId, ...OPEN_STATES)?.n ?? 0
    );
  }
}
