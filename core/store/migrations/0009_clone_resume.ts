/**
 * Released: never edit. Clone runs that can be resumed: each VM keeps what registering it needs
 * (its size, the production host it stands in for, the snapshot it was copied from), a scanned
 * step with the scan's outcome, and the run whether it scans.
 */
export const sql = /* sql */ `
ALTER TABLE clone_runs ADD COLUMN scan INTEGER NOT NULL DEFAULT 0 CHECK (scan IN (0, 1));

CREATE TABLE clone_vms_new (
  run_id          INTEGER NOT NULL REFERENCES clone_runs(id) ON DELETE CASCADE,
  role            TEXT NOT NULL,
  source_domain   TEXT NOT NULL,
  source_snapshot TEXT,
  production_host TEXT,
  new_name        TEXT NOT NULL,
  address         TEXT NOT NULL,
  macs_json       TEXT NOT NULL CHECK (json_valid(macs_json)),
  vcpus           INTEGER,
  memory_mb       INTEGER,
  disk_gb         INTEGER,
  pool_id         INTEGER REFERENCES resource_pools(id) ON DELETE SET NULL,
  host_id         INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
  step            TEXT NOT NULL CHECK (step IN ('planned', 'cloning', 'cloned', 'registered', 'scanned')),
  scan_status     TEXT CHECK (scan_status IN ('saved', 'failed')),
  scan_message    TEXT,
  last_error      TEXT,
  updated_at      TEXT NOT NULL,
  PRIMARY KEY (run_id, new_name)
) STRICT;
INSERT INTO clone_vms_new (run_id, role, source_domain, new_name, address, macs_json, pool_id, host_id, step, last_error, updated_at)
  SELECT run_id, role, source_domain, new_name, address, macs_json, pool_id, host_id, step, last_error, updated_at FROM clone_vms;
DROP TABLE clone_vms;
ALTER TABLE clone_vms_new RENAME TO clone_vms;
CREATE INDEX clone_runs_stage ON clone_runs(to_stage_id);
`;
