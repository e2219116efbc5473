import type { FactCategory } from '../domain/facts';
import type { IgnoreRule } from '../domain/ignore';
import type { SeverityCounts } from '../domain/parity';
import type { SeverityRule } from '../domain/severity';
import { StagecraftError } from '../domain/errors';
import type { Db } from './database';

export interface StoredIgnoreRule extends IgnoreRule {
  id: number;
  createdAt: string;
  createdBy: string;
}

export interface ParityPoint {
  recordedAt: string;
  parity: number;
  compared: number;
  matching: number;
  severity: SeverityCounts;
}

/** Severity and ignore rules, what each role watches, and the parity trend. */
export class DriftRepository {
  constructor(private readonly db: Db) {}

  /** The workspace's severity rules, or null when it uses the built-in defaults. */
  severityRules(): SeverityRule[] | null {
    const rows = this.db.prepare<[], { category: string; match: string; severity: SeverityRule['severity'] }>('SELECT category, match, severity FROM severity_rules ORDER BY position').all();
    if (rows.length === 0) return null;
    return rows.map((r) => ({ ...(r.category === '*' ? {} : { category: r.category as FactCategory }), match: r.match, severity: r.severity }));
  }

  setSeverityRules(rules: readonly SeverityRule[] | null): void {
    this.db.prepare('DELETE FROM severity_rules').run();
    const insert = this.db.prepare('INSERT INTO severity_rules (position, category, match, severity) VALUES (?, ?, ?, ?)');
    (rules ?? []).forEach((rule, position) => insert.run(position, rule.category ?? '*', rule.match, rule.severity));
  }

  ignoreRules(): StoredIgnoreRule[] {
    return this.db
      .prepare<[], { id: number; service: string | null; role: string | null; category: string | null; key: string; reason: string; createdAt: string; createdBy: string }>(
        `SELECT r.id, s.name AS service, r.role, r.category, r.key, r.reason, r.created_at AS createdAt, r.created_by AS createdBy
         FROM ignore_rules r LEFT JOIN services s ON s.id = r.service_id ORDER BY r.id`,
      )
      .all()
      .map((r) => ({
        id: r.id,
        scope: { ...(r.service !== null ? { service: r.service } : {}), ...(r.role !== null ? { role: r.role } : {}) },
        ...(r.category !== null ? { category: r.category as FactCategory } : {}),
        key: r.key,
        ...(r.reason ? { reason: r.reason } : {}),
        createdAt: r.createdAt,
        createdBy: r.createdBy,
      }));
  }

  addIgnoreRule(rule: IgnoreRule, createdBy: string, at = new Date().toISOString()): StoredIgnoreRule {
    let serviceId: number | null = null;
    if (rule.scope.service !== undefined) {
      const service = this.db.prepare<[string], { id: number }>('SELECT id FROM services WHERE name = ?').get(rule.scope.service);
      if (!service) throw new StagecraftError('not-found', `There is no service "${rule.scope.service}".`);
      serviceId = service.id;
    }
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO ignore_rules (service_id, role, category, key, reason, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(serviceId, rule.scope.role ?? null, rule.category ?? null, rule.key, rule.reason ?? '', at, createdBy);
    return this.ignoreRules().find((r) => r.id === Number(lastInsertRowid))!;
  }

  removeIgnoreRule(id: number): StoredIgnoreRule {
    const rule = this.ignoreRules().find((r) => r.id === id);
    if (!rule) throw new StagecraftError('not-found', `Ignore rule ${id} does not exist.`);
    this.db.prepare('DELETE FROM ignore_rules WHERE id = ?').run(id);
    return rule;
  }

  /** Each role's own watch list; an empty list means the role uses the defaults. */
  watchGlobs(serviceId: number): { role: string; globs: string[] }[] {
    return this.db
      .prepare<[number], { name: string; globs: string }>('SELECT name, watch_globs AS globs FROM roles WHERE service_id = ? ORDER BY id')
      .all(serviceId)
      .map((r) => ({ role: r.name, globs: JSON.parse(r.globs) as string[] }));
  }

  setWatchGlobs(serviceId: number, role: string, globs: readonly string[]): void {
    const { changes } = this.db.prepare('UPDATE roles SET watch_globs = ? WHERE service_id = ? AND name = ?').run(JSON.stringify(globs), serviceId, role);
    if (changes === 0) throw new StagecraftError('not-found', `The service has no role "${role}".`);
  }

  recordParity(stageId: number, at: string, figures: { parity: number; compared: number; matching: number; severity: SeverityCounts }): void {
    this.db
      .prepare('INSERT INTO parity_history (stage_id, recorded_at, parity, compared, matching, high, medium, low) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(stageId, at, figures.parity, figures.compared, figures.matching, figures.severity.high, figures.severity.medium, figures.severity.low);
  }

  parityTrend(stageId: number, limit = 200): ParityPoint[] {
    return this.db
      .prepare<[number, number], { recordedAt: string; parity: number; compared: number; matching: number; high: number; medium: number; low: number }>(
        'SELECT recorded_at AS recordedAt, parity, compared, matching, high, medium, low FROM (SELECT * FROM parity_history WHERE stage_id = ? ORDER BY recorded_at DESC, id DESC LIMIT ?) ORDER BY recorded_at, id',
      )
      .all(stageId, limit)
      .map(({ high, medium, low, ...rest }) => ({ ...rest, severity: { high, medium, low } }));
  }
}
