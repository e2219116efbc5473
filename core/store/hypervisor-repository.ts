import { StagecraftError } from '../domain/errors';
import type { Db } from './database';

export interface HypervisorRecord {
  id: number;
  name: string;
  kind: 'libvirt';
  /** The libvirt URI: qemu:///system, qemu+ssh://user@host/system, test:///path… */
  uri: string;
  /** virsh runs on this inventory host over SSH. */
  viaHostId: number | null;
  /** …or on this SSH target ("user@host:port" or an ssh_config alias). Both null: on this workstation. */
  sshTarget: string | null;
  createdAt: string;
}

export type NewHypervisor = Pick<HypervisorRecord, 'name' | 'uri'> & Partial<Pick<HypervisorRecord, 'viaHostId' | 'sshTarget'>>;

/** The last inventory read from a hypervisor, as stored (the connector's HypervisorInventory). */
export interface CachedInventory<T> {
  hypervisorId: number;
  fetchedAt: string;
  inventory: T;
}

const COLUMNS = 'id, name, kind, uri, via_host_id AS viaHostId, ssh_target AS sshTarget, created_at AS createdAt';

/** Hypervisor connections and the cache of their last inventory. Writes run inside WorkspaceStore.write. */
export class HypervisorRepository {
  constructor(private readonly db: Db) {}

  list(): HypervisorRecord[] {
    return this.db.prepare<[], HypervisorRecord>(`SELECT ${COLUMNS} FROM hypervisors ORDER BY name`).all();
  }

  get(id: number): HypervisorRecord {
    const row = this.db.prepare<[number], HypervisorRecord>(`SELECT ${COLUMNS} FROM hypervisors WHERE id = ?`).get(id);
    if (!row) throw new StagecraftError('not-found', `Hypervisor ${id} does not exist.`);
    return row;
  }

  byName(name: string): HypervisorRecord | undefined {
    return this.db.prepare<[string], HypervisorRecord>(`SELECT ${COLUMNS} FROM hypervisors WHERE name = ?`).get(name);
  }

  add(hypervisor: NewHypervisor, at = new Date().toISOString()): HypervisorRecord {
    if (this.byName(hypervisor.name)) throw new StagecraftError('conflict', `A hypervisor named "${hypervisor.name}" already exists.`, 'Choose another name.');
    checkRoute(hypervisor);
    const { lastInsertRowid } = this.db
      .prepare('INSERT INTO hypervisors (name, kind, uri, via_host_id, ssh_target, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hypervisor.name, 'libvirt', hypervisor.uri, hypervisor.viaHostId ?? null, hypervisor.sshTarget ?? null, at);
    return this.get(Number(lastInsertRowid));
  }

  update(id: number, changes: Partial<NewHypervisor>): HypervisorRecord {
    const current = this.get(id);
    const next = { ...current, ...changes };
    if (changes.name !== undefined && changes.name.toLowerCase() !== current.name.toLowerCase() && this.byName(changes.name)) {
      throw new StagecraftError('conflict', `A hypervisor named "${changes.name}" already exists.`, 'Choose another name.');
    }
    checkRoute(next);
    this.db.prepare('UPDATE hypervisors SET name = ?, uri = ?, via_host_id = ?, ssh_target = ? WHERE id = ?').run(next.name, next.uri, next.viaHostId ?? null, next.sshTarget ?? null, id);
    return this.get(id);
  }

  /** Removes the hypervisor and its cached inventory; returns whether it existed. Refused while reclaim or clone runs keep track of its VMs. */
  remove(id: number): boolean {
    const runs = this.db
      .prepare<[number, number], { n: number }>('SELECT (SELECT COUNT(DISTINCT run_id) FROM reclaim_vms WHERE hypervisor_id = ?) + (SELECT COUNT(*) FROM clone_runs WHERE hypervisor_id = ?) AS n')
      .get(id, id)!.n;
    if (runs > 0) {
      throw new StagecraftError('conflict', `This hypervisor is named by ${runs} reclaim or clone run${runs === 1 ? '' : 's'}: they keep track of its VMs.`, 'Keep the hypervisor while those records matter; it can be renamed instead.');
    }
    return this.db.prepare('DELETE FROM hypervisors WHERE id = ?').run(id).changes > 0;
  }

  /** Every inventory host's id, placed or not: the candidates for matching VMs (InventoryRepository has no such list yet). */
  allHostIds(): number[] {
    return this.db.prepare<[], { id: number }>('SELECT id FROM hosts ORDER BY id').all().map((r) => r.id);
  }

  /** Replaces the cached inventory of a hypervisor. */
  saveInventory(id: number, inventory: unknown, fetchedAt: string): void {
    this.get(id);
    this.db
      .prepare('INSERT INTO hypervisor_inventories (hypervisor_id, fetched_at, inventory_json) VALUES (?, ?, ?) ON CONFLICT (hypervisor_id) DO UPDATE SET fetched_at = excluded.fetched_at, inventory_json = excluded.inventory_json')
      .run(id, fetchedAt, JSON.stringify(inventory));
  }

  /** The last inventory read, or null when it was never read. */
  inventory<T>(id: number): CachedInventory<T> | null {
    const row = this.db
      .prepare<[number], { fetchedAt: string; json: string }>('SELECT fetched_at AS fetchedAt, inventory_json AS json FROM hypervisor_inventories WHERE hypervisor_id = ?')
      .get(id);
    return row ? { hypervisorId: id, fetchedAt: row.fetchedAt, inventory: JSON.parse(row.json) as T } : null;
  }
}

function checkRoute(hypervisor: NewHypervisor): void {
  if (hypervisor.name.trim() === '') throw new StagecraftError('invalid-input', 'A hypervisor needs a name.');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(hypervisor.uri)) throw new StagecraftError('invalid-input', `"${hypervisor.uri}" is not a libvirt URI.`, 'Examples: qemu:///system, qemu+ssh://root@kvm1/system.');
  if ((hypervisor.viaHostId ?? null) !== null && (hypervisor.sshTarget ?? null) !== null) {
    throw new StagecraftError('invalid-input', 'A hypervisor is reached through an inventory host or an SSH target, not both.');
  }
}
