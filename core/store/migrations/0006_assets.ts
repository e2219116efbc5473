/** Released: never edit. Preproduction assets: resource pools per stage, leases, archives, reclaim and clone runs. */
export const sql = /* sql */ `
-- A pool serves the environments of one stage (by name, across services): a hypervisor, a libvirt
-- storage pool, a host group, or physical hosts (then its capacity is its members' sizes).
CREATE TABLE resource_pools (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  stage_name     TEXT NOT NULL COLLATE NOCASE,
  kind           TEXT NOT NULL CHECK (kind IN ('hypervisor', 'storage-pool', 'host-group', 'physical')),
  hypervisor_id  INTEGER REFERENCES hypervisors(id) ON DELETE SET NULL,
  libvirt_pool   TEXT,
  vcpus          INTEGER CHECK (vcpus >= 0),
  memory_mb      INTEGER CHECK (memory_mb >= 0),
  disk_gb        INTEGER CHECK (disk_gb >= 0),
  currency       TEXT,
  rate_vcpu      REAL CHECK (rate_vcpu >= 0),
  rate_memory_gb REAL CHECK (rate_memory_gb >= 0),
  rate_disk_gb   REAL CHECK (rate_disk_gb >= 0),
  created_at     TEXT NOT NULL,
  CHECK ((vcpus IS NULL) = (memory_mb IS NULL) AND (memory_mb IS NULL) = (disk_gb IS NULL)),
  CHECK (kind = 'physical' OR vcpus IS NOT NULL),
  CHECK ((currency IS NULL) = (rate_vcpu IS NULL) AND (rate_vcpu IS NULL) = (rate_memory_gb IS NULL) AND (rate_memory_gb IS NULL) = (rate_disk_gb IS NULL))
) STRICT;

-- Which pool a host or VM draws on (at most one).
CREATE TABLE pool_members (
  host_id INTEGER PRIMARY KEY REFERENCES hosts(id) ON DELETE CASCADE,
  pool_id INTEGER NOT NULL REFERENCES resource_pools(id) ON DELETE CASCADE
) STRICT;
CREATE INDEX pool_members_by_pool ON pool_members(pool_id);

-- expires_on is the last day (YYYY-MM-DD) in the owner's time_zone.
CREATE TABLE leases (
  stage_id   INTEGER PRIMARY KEY REFERENCES stages(id) ON DELETE CASCADE,
  owner      TEXT NOT NULL,
  expires_on TEXT NOT NULL,
  time_zone  TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'archived', 'reclaimed')),
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE lease_history (
  id             INTEGER PRIMARY KEY,
  stage_id       INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  at             TEXT NOT NULL,
  actor          TEXT NOT NULL,
  event          TEXT NOT NULL CHECK (event IN ('set', 'extend', 'archive', 'reclaim')),
  expires_before TEXT,
  expires_after  TEXT,
  reason         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX lease_history_by_stage ON lease_history(stage_id, id);

-- An environment released from its stage: the hosts it held (their snapshots stay) and its image.
CREATE TABLE environment_archives (
  id         INTEGER PRIMARY KEY,
  stage_id   INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  image_id   INTEGER REFERENCES images(id),
  hosts_json TEXT NOT NULL CHECK (json_valid(hosts_json)),
  reason     TEXT NOT NULL DEFAULT ''
) STRICT;

-- A reclaim: power off, keep a way back, wait for the grace period, delete. Each VM's step is
-- written before and after every hypervisor call, so an interrupted run knows what is left.
CREATE TABLE reclaim_runs (
  id             INTEGER PRIMARY KEY,
  stage_id       INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  created_at     TEXT NOT NULL,
  created_by     TEXT NOT NULL,
  keep           TEXT NOT NULL CHECK (keep IN ('snapshot', 'image')),
  image_id       INTEGER REFERENCES images(id),
  grace_hours    REAL NOT NULL CHECK (grace_hours >= 0),
  force          INTEGER NOT NULL CHECK (force IN (0, 1)),
  powered_off_at TEXT,
  state          TEXT NOT NULL CHECK (state IN ('powering-off', 'waiting', 'deleting', 'done')),
  finished_at    TEXT
) STRICT;
CREATE INDEX reclaim_runs_by_stage ON reclaim_runs(stage_id, id);

CREATE TABLE reclaim_vms (
  run_id        INTEGER NOT NULL REFERENCES reclaim_runs(id) ON DELETE CASCADE,
  hypervisor_id INTEGER NOT NULL REFERENCES hypervisors(id),
  domain        TEXT NOT NULL,
  host_id       INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
  host_name     TEXT NOT NULL,
  step          TEXT NOT NULL CHECK (step IN ('pending', 'powering-off', 'powered-off', 'snapshotting', 'kept', 'deleting', 'deleted')),
  snapshot_name TEXT,
  last_error    TEXT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (run_id, hypervisor_id, domain)
) STRICT;

CREATE TABLE clone_runs (
  id            INTEGER PRIMARY KEY,
  service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  from_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL,
  image_id      INTEGER REFERENCES images(id),
  to_stage_id   INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  hypervisor_id INTEGER NOT NULL REFERENCES hypervisors(id),
  archive_id    INTEGER REFERENCES environment_archives(id),
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  finished_at   TEXT
) STRICT;

CREATE TABLE clone_vms (
  run_id        INTEGER NOT NULL REFERENCES clone_runs(id) ON DELETE CASCADE,
  role          TEXT NOT NULL,
  source_domain TEXT NOT NULL,
  new_name      TEXT NOT NULL,
  address       TEXT NOT NULL,
  macs_json     TEXT NOT NULL CHECK (json_valid(macs_json)),
  pool_id       INTEGER REFERENCES resource_pools(id) ON DELETE SET NULL,
  host_id       INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
  step          TEXT NOT NULL CHECK (step IN ('planned', 'cloning', 'cloned', 'registered')),
  last_error    TEXT,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (run_id, new_name)
) STRICT;
`;
