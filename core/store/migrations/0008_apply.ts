/** Released: never edit. Applying a change to its hosts: runs, each host's state, each command as it ran. */
export const sql = /* sql */ `
-- One attempt at applying a change (a resume continues the same run).
CREATE TABLE apply_runs (
  id          INTEGER PRIMARY KEY,
  change_id   INTEGER NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  state       TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'rolled-back', 'failed', 'aborted', 'interrupted')),
  concurrency INTEGER NOT NULL CHECK (concurrency >= 1),
  canary      TEXT,
  actor       TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  ended_at    TEXT,
  message     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX apply_runs_change ON apply_runs(change_id);

-- Each host of the run, in apply order. Written before and after every phase, so a run cut short
-- says which hosts are done, which one is in doubt and which were never touched.
CREATE TABLE apply_hosts (
  id                    INTEGER PRIMARY KEY,
  run_id                INTEGER NOT NULL REFERENCES apply_runs(id) ON DELETE CASCADE,
  host_id               INTEGER NOT NULL REFERENCES hosts(id),
  host_name             TEXT NOT NULL,
  position              INTEGER NOT NULL,
  state                 TEXT NOT NULL CHECK (state IN ('pending', 'snapshotting', 'applying', 'verifying', 'done', 'rolling-back', 'rolled-back', 'failed', 'in-doubt')),
  -- vm-snapshot: reverted through its hypervisor; host-backup: files and versions kept on the host.
  safeguard             TEXT CHECK (safeguard IN ('vm-snapshot', 'host-backup')),
  vm_json               TEXT CHECK (vm_json IS NULL OR json_valid(vm_json)),
  backup_dir            TEXT,
  backups_json          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(backups_json)),
  -- Where a cut-short host was: the phase it was in when it became in doubt.
  interrupted_in        TEXT,
  before_snapshot_id    INTEGER REFERENCES snapshots(id),
  after_snapshot_id     INTEGER REFERENCES snapshots(id),
  -- The rescan after verification or rollback (a blob), saved as the host's snapshot once the
  -- change's state is settled: saved earlier, it would make the change look re-planned half-way.
  rescan_hash           TEXT,
  message               TEXT NOT NULL DEFAULT '',
  started_at            TEXT,
  ended_at              TEXT,
  UNIQUE (run_id, host_id)
) STRICT;

-- Every command sent to a host, recorded before it is sent (state running) and after it ends.
CREATE TABLE apply_commands (
  id             INTEGER PRIMARY KEY,
  apply_host_id  INTEGER NOT NULL REFERENCES apply_hosts(id) ON DELETE CASCADE,
  phase          TEXT NOT NULL CHECK (phase IN ('backup', 'step', 'rollback')),
  step_index     INTEGER,
  label          TEXT NOT NULL,
  command        TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('running', 'ok', 'failed', 'in-doubt')),
  exit_code      INTEGER,
  output         TEXT NOT NULL DEFAULT '',
  truncated      INTEGER NOT NULL DEFAULT 0,
  started_at     TEXT NOT NULL,
  ended_at       TEXT
) STRICT;
CREATE INDEX apply_commands_host ON apply_commands(apply_host_id);
`;
