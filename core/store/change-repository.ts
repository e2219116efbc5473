import type { ChangeCategory, ChangeState, ChangeWindow, PersonRole } from '../domain/change-workflow';
import { StagecraftError } from '../domain/errors';
import type { RiskLevel } from '../domain/promotion-risk';
import type { Db } from './database';

export interface PersonRecord {
  id: number;
  name: string;
  roles: PersonRole[];
  publicKeyPem: string | null;
  createdAt: string;
}

/** What a change request records beyond its promotion (change_requests holds the promotion itself). */
export interface ChangeDetails {
  changeId: number;
  description: string;
  justification: string;
  category: ChangeCategory;
  impact: string;
  window: ChangeWindow | null;
  implementationPlan: string;
  backoutPlan: string;
  testPlan: string;
  riskOverride: { level: RiskLevel; reason: string; byPersonId: number | null } | null;
  requesterId: number | null;
  requiredApproverIds: number[];
  revision: number;
}

export interface DecisionRecord {
  id: number;
  changeId: number;
  personId: number;
  decision: 'approve' | 'reject';
  at: string;
  comment: string | null;
  revision: number;
  payloadJson: string;
  signature: string | null;
  keyFingerprint: string | null;
  droppedAt: string | null;
}

export interface HistoryRecord {
  id: number;
  changeId: number;
  at: string;
  actor: string;
  action: string;
  fromState: ChangeState | null;
  toState: ChangeState | null;
  detail: string;
}

export interface ExternalEventRecord {
  id: number;
  uid: string;
  summary: string;
  startsAt: string;
  endsAt: string;
  allDay: boolean;
  location: string;
  description: string;
  source: string;
  importedAt: string;
}

const PERSON_COLUMNS = 'id, name, roles_json AS rolesJson, public_key_pem AS publicKeyPem, created_at AS createdAt';
type RawPerson = Omit<PersonRecord, 'roles'> & { rolesJson: string };
const personFromRaw = ({ rolesJson, ...row }: RawPerson): PersonRecord => ({ ...row, roles: JSON.parse(rolesJson) as PersonRole[] });

const DETAIL_COLUMNS = `change_id AS changeId, description, justification, category, impact, window_start AS windowStart, window_end AS windowEnd,
  window_time_zone AS windowTimeZone, implementation_plan AS implementationPlan, backout_plan AS backoutPlan, test_plan AS testPlan,
  risk_override_level AS riskLevel, risk_override_reason AS riskReason, risk_override_by AS riskBy, requester_id AS requesterId,
  required_approvers AS requiredApprovers, revision`;
interface RawDetails {
  changeId: number;
  description: string;
  justification: string;
  category: ChangeCategory;
  impact: string;
  windowStart: string | null;
  windowEnd: string | null;
  windowTimeZone: string | null;
  implementationPlan: string;
  backoutPlan: string;
  testPlan: string;
  riskLevel: RiskLevel | null;
  riskReason: string | null;
  riskBy: number | null;
  requesterId: number | null;
  requiredApprovers: string;
  revision: number;
}
const detailsFromRaw = (raw: RawDetails): ChangeDetails => ({
  changeId: raw.changeId,
  description: raw.description,
  justification: raw.justification,
  category: raw.category,
  impact: raw.impact,
  window: raw.windowStart !== null && raw.windowEnd !== null && raw.windowTimeZone !== null ? { start: raw.windowStart, end: raw.windowEnd, timeZone: raw.windowTimeZone } : null,
  implementationPlan: raw.implementationPlan,
  backoutPlan: raw.backoutPlan,
  testPlan: raw.testPlan,
  riskOverride: raw.riskLevel !== null && raw.riskReason !== null ? { level: raw.riskLevel, reason: raw.riskReason, byPersonId: raw.riskBy } : null,
  requesterId: raw.requesterId,
  requiredApproverIds: JSON.parse(raw.requiredApprovers) as number[],
  revision: raw.revision,
});

const DECISION_COLUMNS = `id, change_id AS changeId, person_id AS personId, decision, at, comment, revision, payload_json AS payloadJson, signature,
  key_fingerprint AS keyFingerprint, dropped_at AS droppedAt`;
const EVENT_COLUMNS = 'id, uid, summary, starts_at AS startsAt, ends_at AS endsAt, all_day AS allDay, location, description, source, imported_at AS importedAt';
const eventFromRaw = (row: Omit<ExternalEventRecord, 'allDay'> & { allDay: number }): ExternalEventRecord => ({ ...row, allDay: row.allDay === 1 });

/**
 * People, change-control fields, signed decisions, per-change history and imported calendar events.
 * Writes run inside WorkspaceStore.write; the workflow rules live in core/domain and core/services.
 */
export class ChangeRepository {
  constructor(private readonly db: Db) {}

  // ---- people ---------------------------------------------------------------------------------

  people(): PersonRecord[] {
    return this.db.prepare<[], RawPerson>(`SELECT ${PERSON_COLUMNS} FROM people ORDER BY name`).all().map(personFromRaw);
  }

  person(id: number): PersonRecord {
    const row = this.db.prepare<[number], RawPerson>(`SELECT ${PERSON_COLUMNS} FROM people WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Person ${id} does not exist.`);
    return personFromRaw(row);
  }

  personByName(name: string): PersonRecord | undefined {
    const row = this.db.prepare<[string], RawPerson>(`SELECT ${PERSON_COLUMNS} FROM people WHERE name = ?`).get(name.trim());
    return row ? personFromRaw(row) : undefined;
  }

  addPerson(person: { name: string; roles: readonly PersonRole[]; publicKeyPem?: string | null }, at = new Date().toISOString()): PersonRecord {
    const name = person.name.trim();
    if (name === '') throw new StagecraftError('invalid-input', 'A person needs a name.');
    if (this.personByName(name)) throw new StagecraftError('conflict', `A person named "${name}" already exists.`, 'Choose another name, or edit that person.');
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO people (name, roles_json, public_key_pem, created_at) VALUES (?, ?, ?, ?)')
      .run(name, JSON.stringify([...new Set(person.roles)]), person.publicKeyPem ?? null, at);
    return this.person(Number(lastInsertRowid));
  }

  updatePerson(id: number, changes: { name?: string; roles?: readonly PersonRole[]; publicKeyPem?: string | null }): PersonRecord {
    const current = this.person(id);
    const name = changes.name?.trim() ?? current.name;
    if (name === '') throw new StagecraftError('invalid-input', 'A person needs a name.');
    const taken = this.personByName(name);
    if (taken && taken.id !== id) throw new StagecraftError('conflict', `A person named "${name}" already exists.`, 'Choose another name.');
    const roles = changes.roles ? [...new Set(changes.roles)] : current.roles;
    const key = changes.publicKeyPem === undefined ? current.publicKeyPem : changes.publicKeyPem;
    this.db.prepare('UPDATE people SET name = ?, roles_json = ?, public_key_pem = ? WHERE id = ?').run(name, JSON.stringify(roles), key, id);
    return this.person(id);
  }

  /** Records a key of a person (the fingerprint is computed by the caller: the store knows no crypto). */
  addKey(personId: number, fingerprint: string, publicKeyPem: string, at = new Date().toISOString()): void {
    this.db.prepare('INSERT OR IGNORE INTO person_keys (fingerprint, person_id, public_key_pem, added_at) VALUES (?, ?, ?, ?)').run(fingerprint, personId, publicKeyPem, at);
  }

  /** The public key a person had under `fingerprint`, current or earlier. */
  keyOf(personId: number, fingerprint: string): string | null {
    return this.db.prepare<[number, string], { pem: string }>('SELECT public_key_pem AS pem FROM person_keys WHERE person_id = ? AND fingerprint = ?').get(personId, fingerprint)?.pem ?? null;
  }

  // ---- change details -------------------------------------------------------------------------

  details(changeId: number): ChangeDetails | null {
    const row = this.db.prepare<[number], RawDetails>(`SELECT ${DETAIL_COLUMNS} FROM change_details WHERE change_id = ?`).get(changeId);
    return row ? detailsFromRaw(row) : null;
  }

  /** Inserts or replaces the details of a change (the caller bumps `revision` on edits). */
  saveDetails(details: ChangeDetails): void {
    this.db
      .prepare(
        `INSERT INTO change_details (change_id, description, justification, category, impact, window_start, window_end, window_time_zone,
           implementation_plan, backout_plan, test_plan, risk_override_level, risk_override_reason, risk_override_by, requester_id, required_approvers, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (change_id) DO UPDATE SET description = excluded.description, justification = excluded.justification, category = excluded.category,
           impact = excluded.impact, window_start = excluded.window_start, window_end = excluded.window_end, window_time_zone = excluded.window_time_zone,
           implementation_plan = excluded.implementation_plan, backout_plan = excluded.backout_plan, test_plan = excluded.test_plan,
           risk_override_level = excluded.risk_override_level, risk_override_reason = excluded.risk_override_reason, risk_override_by = excluded.risk_override_by,
           requester_id = excluded.requester_id, required_approvers = excluded.required_approvers, revision = excluded.revision`,
      )
      .run(
        details.changeId,
        details.description,
        details.justification,
        details.category,
        details.impact,
        details.window?.start ?? null,
        details.window?.end ?? null,
        details.window?.timeZone ?? null,
        details.implementationPlan,
        details.backoutPlan,
        details.testPlan,
        details.riskOverride?.level ?? null,
        details.riskOverride?.reason ?? null,
        details.riskOverride?.byPersonId ?? null,
        details.requesterId,
        JSON.stringify(details.requiredApproverIds),
        details.revision,
      );
  }

  setState(changeId: number, state: ChangeState): void {
    if (this.db.prepare('UPDATE change_requests SET state = ? WHERE id = ?').run(state, changeId).changes === 0) throw new StagecraftError('not-found', `Change ${changeId} does not exist.`);
  }

  setTitle(changeId: number, title: string): void {
    this.db.prepare('UPDATE change_requests SET title = ? WHERE id = ?').run(title, changeId);
  }

  /** A re-plan replaces the change's plan, verdict and risk (the promotion repository created them). */
  replacePlan(changeId: number, plan: { planHash: string; verdict: unknown; risk: unknown; earliestAt: string | null }): void {
    this.db
      .prepare('UPDATE change_requests SET plan_hash = ?, verdict_json = ?, risk_json = ?, earliest_at = ? WHERE id = ?')
      .run(plan.planHash, JSON.stringify(plan.verdict), JSON.stringify(plan.risk), plan.earliestAt, changeId);
  }

  // ---- decisions ------------------------------------------------------------------------------

  decisions(changeId: number): DecisionRecord[] {
    return this.db.prepare<[number], DecisionRecord>(`SELECT ${DECISION_COLUMNS} FROM change_decisions WHERE change_id = ? ORDER BY id`).all(changeId);
  }

  addDecision(decision: Omit<DecisionRecord, 'id' | 'droppedAt'>): DecisionRecord {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO change_decisions (change_id, person_id, decision, at, comment, revision, payload_json, signature, key_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(decision.changeId, decision.personId, decision.decision, decision.at, decision.comment, decision.revision, decision.payloadJson, decision.signature, decision.keyFingerprint);
    return { ...decision, id: Number(lastInsertRowid), droppedAt: null };
  }

  /** Marks every decision still counted as dropped (the change was edited after submission); returns how many. */
  dropDecisions(changeId: number, at: string): number {
    return this.db.prepare('UPDATE change_decisions SET dropped_at = ? WHERE change_id = ? AND dropped_at IS NULL').run(at, changeId).changes;
  }

  // ---- history --------------------------------------------------------------------------------

  history(changeId: number): HistoryRecord[] {
    return this.db
      .prepare<[number], HistoryRecord>('SELECT id, change_id AS changeId, at, actor, action, from_state AS fromState, to_state AS toState, detail FROM change_history WHERE change_id = ? ORDER BY id')
      .all(changeId);
  }

  appendHistory(entry: Omit<HistoryRecord, 'id'>): void {
    this.db
      .prepare('INSERT INTO change_history (change_id, at, actor, action, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(entry.changeId, entry.at, entry.actor, entry.action, entry.fromState, entry.toState, entry.detail);
  }

  // ---- external calendar events ---------------------------------------------------------------

  /** Imported events overlapping [from, to) (ISO instants). */
  externalEvents(from = '0000', to = '9999'): ExternalEventRecord[] {
    return this.db
      .prepare<[string, string], Omit<ExternalEventRecord, 'allDay'> & { allDay: number }>(`SELECT ${EVENT_COLUMNS} FROM external_events WHERE starts_at < ? AND ends_at > ? ORDER BY starts_at, id`)
      .all(to, from)
      .map(eventFromRaw);
  }

  /** Removes imported events by UID, or every event of one import source; returns how many. */
  removeExternalEvents(which: { uids: readonly string[] } | { source: string }): number {
    if ('source' in which) return this.db.prepare('DELETE FROM external_events WHERE source = ?').run(which.source).changes;
    const remove = this.db.prepare('DELETE FROM external_events WHERE uid = ?');
    return which.uids.reduce((n, uid) => n + remove.run(uid).changes, 0);
  }

  /** Adds or replaces (by UID) an imported event. */
  upsertExternalEvent(event: Omit<ExternalEventRecord, 'id'>): void {
    this.db
      .prepare(
        `INSERT INTO external_events (uid, summary, starts_at, ends_at, all_day, location, description, source, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (uid) DO UPDATE SET summary = excluded.summary, starts_at = excluded.starts_at, ends_at = excluded.ends_at, all_day = excluded.all_day,
           location = excluded.location, description = excluded.description, source = excluded.source, imported_at = excluded.imported_at`,
      )
      .run(event.uid, event.summary, event.startsAt, event.endsAt, event.allDay ? 1 : 0, event.location, event.description, event.source, event.importedAt);
  }
}
