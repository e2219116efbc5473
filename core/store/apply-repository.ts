import type { ApplyCommandState, ApplyHostState, ApplyPhase, ApplyRunState, ApplySafeguard } from '../domain/apply-states';
import { StagecraftError } from '../domain/errors';
import type { Db } from './database';


export interface ApplyRunRecord {
  id: number;
  changeId: number;
  state: ApplyRunState;
  concurrency: number;
  canary: string | null;
  actor: string;
  startedAt: string;
  endedAt: string | null;
  message: string;
}

/** The VM snapshot taken before a host was touched. */
export interface VmSafeguard {
  hypervisorId: number;
  domain: string;
  snapshot: string;
}

export interface ApplyHostRecord {
  id: number;
  runId: number;
  hostId: number;
  hostName: string;
  position: number;
  state: ApplyHostState;
  safeguard: ApplySafeguard | null;
  vm: VmSafeguard | null;
  backupDir: string | null;
  backups: { path: string; backupPath: string }[];
  interruptedIn: ApplyHostState | null;
  beforeSnapshotId: number | null;
  afterSnapshotId: number | null;
  rescanHash: string | null;
  message: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ApplyCommandRecord {
  id: number;
  applyHostId: number;
  phase: ApplyPhase;
  stepIndex: number | null;
  label: string;
  command: string;
  state: ApplyCommandState;
  exitCode: number | null;
  output: string;
  truncated: boolean;
  startedAt: string;
  endedAt: string | null;
}

const RUN_COLUMNS = 'id, change_id AS changeId, state, concurrency, canary, actor, started_at AS startedAt, ended_at AS endedAt, message';
const HOST_COLUMNS = `id, run_id AS runId, host_id AS hostId, host_name AS hostName, position, state, safeguard, vm_json AS vmJson, backup_dir AS backupDir,
  backups_json AS backupsJson, interrupted_in AS interruptedIn, before_snapshot_id AS beforeSnapshotId, after_snapshot_id AS afterSnapshotId, rescan_hash AS rescanHash, message,
  started_at AS startedAt, ended_at AS endedAt`;
const COMMAND_COLUMNS = `id, apply_host_id AS applyHostId, phase, step_index AS stepIndex, label, command, state, exit_code AS exitCode, output, truncated,
  started_at AS startedAt, ended_at AS endedAt`;

type RawHost = Omit<ApplyHostRecord, 'vm' | 'backups'> & { vmJson: string | null; backupsJson: string };
const hostFromRaw = ({ vmJson, backupsJson, ...row }: RawHost): ApplyHostRecord => ({ ...row, vm: vmJson ? (JSON.parse(vmJson) as VmSafeguard) : null, backups: JSON.parse(backupsJson) as ApplyHostRecord['backups'] });
type RawCommand = Omit<ApplyCommandRecord, 'truncated'> & { truncated: number };
const commandFromRaw = (row: RawCommand): ApplyCommandRecord => ({ ...row, truncated: row.truncated === 1 });

export type ApplyHostPatch = Partial<Pick<ApplyHostRecord, 'state' | 'safeguard' | 'vm' | 'backupDir' | 'backups' | 'interruptedIn' | 'beforeSnapshotId' | 'afterSnapshotId' | 'rescanHash' | 'message' | 'startedAt' | 'endedAt'>>;

/**
 * Apply runs, their hosts and every command sent. Callers write through store.write so each state
 * change is audited; command rows are written before the command is sent and after it returns.
 */
export class ApplyRepository {
  constructor(private readonly db: Db) {}

  createRun(run: { changeId: number; concurrency: number; canary: string | null; actor: string; at: string; hosts: { hostId: number; hostName: string }[] }): ApplyRunRecord {
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO apply_runs (change_id, state, concurrency, canary, actor, started_at) VALUES (?, 'running', ?, ?, ?, ?)")
      .run(run.changeId, run.concurrency, run.canary, run.actor, run.at);
    const runId = Number(lastInsertRowid);
    const insert = this.db.prepare("INSERT INTO apply_hosts (run_id, host_id, host_name, position, state) VALUES (?, ?, ?, ?, 'pending')");
    run.hosts.forEach((host, position) => insert.run(runId, host.hostId, host.hostName, position));
    return this.run(runId);
  }

  run(runId: number): ApplyRunRecord {
    const row = this.db.prepare<[number], ApplyRunRecord>(`SELECT ${RUN_COLUMNS} FROM apply_runs WHERE id = ?`).get(runId);
    if (!row) throw new StagecraftError('not-found', `Apply run ${runId} does not exist.`);
    return row;
  }

  runs(changeId: number): ApplyRunRecord[] {
    return this.db.prepare<[number], ApplyRunRecord>(`SELECT ${RUN_COLUMNS} FROM apply_runs WHERE change_id = ? ORDER BY id DESC`).all(changeId);
  }

  latestRun(changeId: number): ApplyRunRecord | null {
    return this.db.prepare<[number], ApplyRunRecord>(`SELECT ${RUN_COLUMNS} FROM apply_runs WHERE change_id = ? ORDER BY id DESC LIMIT 1`).get(changeId) ?? null;
  }

  setRunState(runId: number, state: ApplyRunState, message: string, endedAt: string | null): void {
    this.db.prepare('UPDATE apply_runs SET state = ?, message = ?, ended_at = ? WHERE id = ?').run(state, message, endedAt, runId);
  }

  hosts(runId: number): ApplyHostRecord[] {
    return this.db.prepare<[number], RawHost>(`SELECT ${HOST_COLUMNS} FROM apply_hosts WHERE run_id = ? ORDER BY position`).all(runId).map(hostFromRaw);
  }

  host(applyHostId: number): ApplyHostRecord {
    const row = this.db.prepare<[number], RawHost>(`SELECT ${HOST_COLUMNS} FROM apply_hosts WHERE id = ?`).get(applyHostId);
    if (!row) throw new StagecraftError('not-found', `Apply host ${applyHostId} does not exist.`);
    return hostFromRaw(row);
  }

  updateHost(applyHostId: number, patch: ApplyHostPatch): ApplyHostRecord {
    const columns: Record<keyof ApplyHostPatch, string> = {
      state: 'state',
      safeguard: 'safeguard',
      vm: 'vm_json',
      backupDir: 'backup_dir',
      backups: 'backups_json',
      interruptedIn: 'interrupted_in',
      beforeSnapshotId: 'before_snapshot_id',
      afterSnapshotId: 'after_snapshot_id',
      rescanHash: 'rescan_hash',
      message: 'message',
      startedAt: 'started_at',
      endedAt: 'ended_at',
    };
    const entries = Object.entries(patch) as [keyof ApplyHostPatch, unknown][];
    if (entries.length > 0) {
      const values = entries.map(([key, value]) => (key === 'vm' ? (value ? JSON.stringify(value) : null) : key === 'backups' ? JSON.stringify(value) : value));
      this.db.prepare(`UPDATE apply_hosts SET ${entries.map(([key]) => `${columns[key]} = ?`).join(', ')} WHERE id = ?`).run(...values, applyHostId);
    }
    return this.host(applyHostId);
  }

  /** Recorded before the command is sent: if nothing follows, the command may or may not have run. */
  startCommand(command: { applyHostId: number; phase: ApplyPhase; stepIndex: number | null; label: string; command: string; at: string }): number {
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO apply_commands (apply_host_id, phase, step_index, label, command, state, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?)")
      .run(command.applyHostId, command.phase, command.stepIndex, command.label, command.command, command.at);
    return Number(lastInsertRowid);
  }

  finishCommand(commandId: number, result: { state: Exclude<ApplyCommandState, 'running'>; exitCode: number | null; output: string; truncated: boolean; at: string }): void {
    this.db
      .prepare('UPDATE apply_commands SET state = ?, exit_code = ?, output = ?, truncated = ?, ended_at = ? WHERE id = ?')
      .run(result.state, result.exitCode, result.output, result.truncated ? 1 : 0, result.at, commandId);
  }

  /** Commands a dead process left running: whether they ran is unknown. */
  markRunningInDoubt(applyHostId: number, note: string, at: string): void {
    this.db.prepare("UPDATE apply_commands SET state = 'in-doubt', output = ?, ended_at = ? WHERE apply_host_id = ? AND state = 'running'").run(note, at, applyHostId);
  }

  commands(applyHostId: number): ApplyCommandRecord[] {
    return this.db.prepare<[number], RawCommand>(`SELECT ${COMMAND_COLUMNS} FROM apply_commands WHERE apply_host_id = ? ORDER BY id`).all(applyHostId).map(commandFromRaw);
  }
}
