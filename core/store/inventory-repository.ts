import { StagecraftError } from '../domain/errors';
import type { EnvironmentHost, EnvironmentView, HostRecord, NewHost, ServiceSummary, StageSummary } from '../domain/inventory';
import type { Lifecycle, LifecycleEdge } from '../domain/lifecycle';
import type { Db } from './database';

interface HostRow {
  id: number;
  name: string;
  address: string;
  port: number;
  sshUser: string;
  kind: HostRecord['kind'];
  vcpus: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  owner: string;
  notes: string;
}

const HOST_COLUMNS = 'h.id, h.name, h.address, h.port, h.ssh_user AS sshUser, h.kind, h.vcpus, h.memory_mb AS memoryMb, h.disk_gb AS diskGb, h.owner, h.notes';

export interface NewService {
  name: string;
  description?: string;
  stages: readonly string[];
  productionStage?: string;
  roles: readonly string[];
}

/** Services, their lifecycles and environments, and the hosts that play their roles. */
export class InventoryRepository {
  constructor(private readonly db: Db) {}

  createService(service: NewService, at = new Date().toISOString()): number {
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO services (name, description, created_at) VALUES (?, ?, ?)')
      .run(service.name, service.description ?? '', at);
    const serviceId = Number(lastInsertRowid);
    const production = service.productionStage ?? service.stages[service.stages.length - 1];
    const insertStage = this.db.prepare('INSERT INTO stages (service_id, name, position, is_production) VALUES (?, ?, ?, ?)');
    const insertEnvironment = this.db.prepare('INSERT INTO environments (service_id, stage_id) VALUES (?, ?)');
    const insertEdge = this.db.prepare('INSERT INTO lifecycle_edges (service_id, from_stage_id, to_stage_id) VALUES (?, ?, ?)');
    let previous: number | null = null;
    service.stages.forEach((name, position) => {
      const stageId = Number(insertStage.run(serviceId, name, position, name === production ? 1 : 0).lastInsertRowid);
      insertEnvironment.run(serviceId, stageId);
      if (previous !== null) insertEdge.run(serviceId, previous, stageId);
      previous = stageId;
    });
    const insertRole = this.db.prepare('INSERT INTO roles (service_id, name) VALUES (?, ?)');
    for (const role of service.roles) insertRole.run(serviceId, role);
    return serviceId;
  }

  /** A new stage row (and its environment) for a lifecycle edit; saveLifecycle then places it. */
  insertStage(serviceId: number, name: string, position: number): number {
    const stageId = Number(this.db.prepare('INSERT INTO stages (service_id, name, position, is_production) VALUES (?, ?, ?, 0)').run(serviceId, name, position).lastInsertRowid);
    this.db.prepare('INSERT INTO environments (service_id, stage_id) VALUES (?, ?)').run(serviceId, stageId);
    return stageId;
  }

  /** Writes a service's lifecycle as given: stage names and positions, removed stages, and all its edges. */
  saveLifecycle(serviceId: number, lifecycle: Lifecycle): void {
    const keep = new Set(lifecycle.stages.map((s) => s.id));
    for (const { id } of this.db.prepare<[number], { id: number }>('SELECT id FROM stages WHERE service_id = ?').all(serviceId)) {
      if (!keep.has(id)) this.db.prepare('DELETE FROM stages WHERE id = ?').run(id);
    }
    // Positions and names are unique per service only in the end state: move everything aside first.
    this.db.prepare("UPDATE stages SET position = -1 - position, name = name || ' ' || id WHERE service_id = ?").run(serviceId);
    const update = this.db.prepare('UPDATE stages SET name = ?, position = ?, is_production = ? WHERE id = ? AND service_id = ?');
    for (const stage of lifecycle.stages) update.run(stage.name, stage.position, stage.isProduction ? 1 : 0, stage.id, serviceId);
    this.db.prepare('DELETE FROM lifecycle_edges WHERE service_id = ?').run(serviceId);
    const insert = this.db.prepare('INSERT INTO lifecycle_edges (service_id, from_stage_id, to_stage_id) VALUES (?, ?, ?)');
    for (const edge of lifecycle.edges) insert.run(serviceId, edge.from, edge.to);
  }

  /** Services and placed hosts matching `text` (case-insensitive substring of names and addresses). */
  search(text: string, limit: number): { kind: 'service' | 'host'; name: string; serviceId: number; stageId: number | null; detail: string }[] {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const services = this.db
      .prepare<[string, number], { name: string; serviceId: number; description: string }>("SELECT name, id AS serviceId, description FROM services WHERE name LIKE ? ESCAPE '\\' ORDER BY name LIMIT ?")
      .all(pattern, limit)
      .map((s) => ({ kind: 'service' as const, name: s.name, serviceId: s.serviceId, stageId: null, detail: s.description }));
    const hosts = this.db
      .prepare<[string, string, number], { name: string; serviceId: number; stageId: number; detail: string }>(
        `SELECT h.name, e.service_id AS serviceId, e.stage_id AS stageId, sv.name || ' · ' || st.name || ' · ' || h.address AS detail
         FROM hosts h JOIN environment_hosts eh ON eh.host_id = h.id JOIN environments e ON e.id = eh.environment_id
         JOIN services sv ON sv.id = e.service_id JOIN stages st ON st.id = e.stage_id
         WHERE h.name LIKE ? ESCAPE '\\' OR h.address LIKE ? ESCAPE '\\' GROUP BY h.id ORDER BY h.name LIMIT ?`,
      )
      .all(pattern, pattern, limit)
      .map((h) => ({ kind: 'host' as const, ...h }));
    return [...services, ...hosts].slice(0, limit);
  }

  /** How many hosts a stage holds (a stage with hosts cannot be removed). */
  stageHostCount(stageId: number): number {
    return (
      this.db
        .prepare<[number], { n: number }>('SELECT COUNT(DISTINCT eh.host_id) AS n FROM environments e JOIN environment_hosts eh ON eh.environment_id = e.id WHERE e.stage_id = ?')
        .get(stageId)?.n ?? 0
    );
  }

  addHost(host: NewHost, at = new Date().toISOString()): number {
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO hosts (name, address, port, ssh_user, kind, vcpus, memory_mb, disk_gb, owner, notes, created_at)
         VALUES (@name, @address, @port, @sshUser, @kind, @vcpus, @memoryMb, @diskGb, @owner, @notes, @at)`,
      )
      .run({
        name: host.name,
        address: host.address,
        port: host.port ?? 22,
        sshUser: host.sshUser ?? '',
        kind: host.kind ?? 'vm',
        vcpus: host.vcpus ?? null,
        memoryMb: host.memoryMb ?? null,
        diskGb: host.diskGb ?? null,
        owner: host.owner ?? '',
        notes: host.notes ?? '',
        at,
      });
    return Number(lastInsertRowid);
  }

  /** Makes `hostId` play `role` in the service's environment of `stageId`. */
  placeHost(stageId: number, hostId: number, role: string): void {
    const env = this.db
      .prepare<[number], { environmentId: number; serviceId: number }>('SELECT id AS environmentId, service_id AS serviceId FROM environments WHERE stage_id = ?')
      .get(stageId);
    if (!env) throw new StagecraftError('not-found', `Stage ${stageId} has no environment.`);
    const roleRow = this.db.prepare<[number, string], { id: number }>('SELECT id FROM roles WHERE service_id = ? AND name = ?').get(env.serviceId, role);
    if (!roleRow) throw new StagecraftError('not-found', `The service has no role "${role}".`, 'Add the role to the service first.');
    this.db.prepare('INSERT OR IGNORE INTO environment_hosts (environment_id, host_id, role_id) VALUES (?, ?, ?)').run(env.environmentId, hostId, roleRow.id);
  }

  host(hostId: number): HostRecord {
    const row = this.db.prepare<[number], HostRow>(`SELECT ${HOST_COLUMNS} FROM hosts h WHERE h.id = ?`).get(hostId);
    if (!row) throw new StagecraftError('not-found', `Host ${hostId} does not exist.`);
    return row;
  }

  /** Hosts placed in a stage or a service (or named by id), each with the roles it plays there and the service it belongs to. */
  placements(filter: { stageId?: number; serviceId?: number; hostIds?: readonly number[] }): (HostRecord & { serviceId: number; role: string })[] {
    const rows = this.db
      .prepare<[], HostRow & { serviceId: number; stageId: number; role: string }>(
        `SELECT ${HOST_COLUMNS}, e.service_id AS serviceId, e.stage_id AS stageId, r.name AS role
         FROM environment_hosts eh JOIN environments e ON e.id = eh.environment_id JOIN hosts h ON h.id = eh.host_id JOIN roles r ON r.id = eh.role_id
         ORDER BY h.name, r.id`,
      )
      .all();
    const ids = filter.hostIds ? new Set(filter.hostIds) : null;
    return rows
      .filter((r) => (filter.stageId === undefined || r.stageId === filter.stageId) && (filter.serviceId === undefined || r.serviceId === filter.serviceId) && (ids === null || ids.has(r.id)))
      .map(({ stageId: _stage, ...row }) => row);
  }

  /** Every service (or just `onlyId`) with its roles, stages and lifecycle edges. */
  listServices(onlyId?: number): ServiceSummary[] {
    const where = (column: string) => (onlyId === undefined ? '' : `WHERE ${column} = ${Number(onlyId)}`);
    const services = this.db.prepare<[], { id: number; name: string; description: string }>(`SELECT id, name, description FROM services ${where('id')} ORDER BY name`).all();
    const stages = this.db
      .prepare<[], StageRow>(
        `SELECT s.id, s.service_id AS serviceId, s.name, s.position, s.is_production AS isProduction,
                i.id AS imageId, i.label AS imageLabel,
                (SELECT COUNT(DISTINCT eh.host_id) FROM environments e JOIN environment_hosts eh ON eh.environment_id = e.id WHERE e.stage_id = s.id) AS hostCount
         FROM stages s LEFT JOIN images i ON i.id = s.image_id ${where('s.service_id')} ORDER BY s.service_id, s.position`,
      )
      .all();
    const edges = this.db
      .prepare<[], LifecycleEdge & { serviceId: number }>(`SELECT service_id AS serviceId, from_stage_id AS "from", to_stage_id AS "to" FROM lifecycle_edges ${where('service_id')} ORDER BY rowid`)
      .all();
    const roles = this.db.prepare<[], { serviceId: number; name: string }>(`SELECT service_id AS serviceId, name FROM roles ${where('service_id')} ORDER BY id`).all();
    const byService = <T extends { serviceId: number }>(rows: T[]) => {
      const grouped = new Map<number, T[]>();
      for (const row of rows) grouped.set(row.serviceId, [...(grouped.get(row.serviceId) ?? []), row]);
      return grouped;
    };
    const stagesOf = byService(stages);
    const edgesOf = byService(edges);
    const rolesOf = byService(roles);
    return services.map((service) => ({
      ...service,
      roles: (rolesOf.get(service.id) ?? []).map((r) => r.name),
      stages: (stagesOf.get(service.id) ?? []).map(toStageSummary),
      edges: (edgesOf.get(service.id) ?? []).map(({ from, to }) => ({ from, to })),
    }));
  }

  getService(serviceId: number): ServiceSummary {
    const [service] = this.listServices(serviceId);
    if (!service) throw new StagecraftError('not-found', `Service ${serviceId} does not exist.`);
    return service;
  }

  environment(stageId: number): EnvironmentView {
    const stage = this.db
      .prepare<[number], StageRow & { serviceName: string }>(
        `SELECT s.id, s.service_id AS serviceId, sv.name AS serviceName, s.name, s.position, s.is_production AS isProduction,
                i.id AS imageId, i.label AS imageLabel, 0 AS hostCount
         FROM stages s JOIN services sv ON sv.id = s.service_id LEFT JOIN images i ON i.id = s.image_id WHERE s.id = ?`,
      )
      .get(stageId);
    if (!stage) throw new StagecraftError('not-found', `Stage ${stageId} does not exist.`);
    const rows = this.db
      .prepare<[number], HostRow & { role: string; lastSnapshotAt: string | null }>(
        `SELECT ${HOST_COLUMNS}, r.name AS role,
                (SELECT MAX(captured_at) FROM snapshots sn WHERE sn.host_id = h.id) AS lastSnapshotAt
         FROM environments e
         JOIN environment_hosts eh ON eh.environment_id = e.id
         JOIN hosts h ON h.id = eh.host_id
         JOIN roles r ON r.id = eh.role_id
         WHERE e.stage_id = ? ORDER BY r.id, h.name`,
      )
      .all(stageId);
    const hosts = new Map<number, EnvironmentHost>();
    for (const { role, ...row } of rows) {
      const existing = hosts.get(row.id);
      if (existing) existing.roles.push(role);
      else hosts.set(row.id, { ...row, roles: [role] });
    }
    const summary = toStageSummary(stage);
    return {
      serviceId: stage.serviceId,
      serviceName: stage.serviceName,
      stageId: stage.id,
      stageName: stage.name,
      isProduction: summary.isProduction,
      image: summary.image,
      hosts: [...hosts.values()],
    };
  }

  /** The host of this name (names compare case-insensitively), if any. */
  findHostByName(name: string): HostRecord | undefined {
    return this.db.prepare<[string], HostRow>(`SELECT ${HOST_COLUMNS} FROM hosts h WHERE h.name = ? COLLATE NOCASE`).get(name);
  }

  /** The service of this name (case-insensitive), if any. */
  findServiceByName(name: string): ServiceSummary | undefined {
    const row = this.db.prepare<[string], { id: number }>('SELECT id FROM services WHERE name = ? COLLATE NOCASE').get(name);
    return row === undefined ? undefined : this.getService(row.id);
  }

  /** Adds `role` to the service unless it has it; returns the role's id. */
  ensureRole(serviceId: number, role: string): number {
    this.db.prepare('INSERT OR IGNORE INTO roles (service_id, name) VALUES (?, ?)').run(serviceId, role);
    return this.db.prepare<[number, string], { id: number }>('SELECT id FROM roles WHERE service_id = ? AND name = ?').get(serviceId, role)!.id;
  }

  /** Changes the given fields of a host (its name stays). */
  updateHost(hostId: number, patch: Partial<Omit<HostRecord, 'id' | 'name'>>): void {
    const columns: Record<keyof Omit<HostRecord, 'id' | 'name'>, string> = {
      address: 'address',
      port: 'port',
      sshUser: 'ssh_user',
      kind: 'kind',
      vcpus: 'vcpus',
      memoryMb: 'memory_mb',
      diskGb: 'disk_gb',
      owner: 'owner',
      notes: 'notes',
    };
    const fields = (Object.keys(patch) as (keyof typeof columns)[]).filter((field) => columns[field] !== undefined && patch[field] !== undefined);
    if (fields.length === 0) return;
    const { changes } = this.db
      .prepare(`UPDATE hosts SET ${fields.map((field) => `${columns[field]} = @${field}`).join(', ')} WHERE id = @id`)
      .run({ ...Object.fromEntries(fields.map((field) => [field, patch[field]])), id: hostId });
    if (changes === 0) throw new StagecraftError('not-found', `Host ${hostId} does not exist.`);
  }

  /** Where a host is placed: each service, stage and role it plays. */
  hostPlacements(hostId: number): { serviceId: number; stageId: number; role: string }[] {
    return this.db
      .prepare<[number], { serviceId: number; stageId: number; role: string }>(
        `SELECT e.service_id AS serviceId, e.stage_id AS stageId, r.name AS role
         FROM environment_hosts eh JOIN environments e ON e.id = eh.environment_id JOIN roles r ON r.id = eh.role_id
         WHERE eh.host_id = ? ORDER BY e.service_id, e.stage_id, r.id`,
      )
      .all(hostId);
  }

  counts(): { services: number; hosts: number; snapshots: number; images: number } {
    const count = (table: string) => (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { services: count('services'), hosts: count('hosts'), snapshots: count('snapshots'), images: count('images') };
  }
}

interface StageRow {
  id: number;
  serviceId: number;
  name: string;
  position: number;
  isProduction: number;
  imageId: number | null;
  imageLabel: string | null;
  hostCount: number;
}

function toStageSummary(row: StageRow): StageSummary {
  return {
    id: row.id,
    name: row.name,
    position: row.position,
    isProduction: row.isProduction === 1,
    hostCount: row.hostCount,
    image: row.imageId === null ? null : { id: row.imageId, label: row.imageLabel ?? '' },
  };
}
