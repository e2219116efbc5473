/** Released: never edit. The inventory, snapshots, images and the audit chain of one team. */
export const sql = /* sql */ `
CREATE TABLE workspace_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Content-addressed storage: file contents and large fact lists, stored once by sha256.
CREATE TABLE blobs (
  hash     TEXT PRIMARY KEY,
  size     INTEGER NOT NULL,
  encoding TEXT NOT NULL CHECK (encoding IN ('raw', 'deflate')),
  data     BLOB NOT NULL
) STRICT;

CREATE TABLE services (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE roles (
  id         INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  UNIQUE (service_id, name)
) STRICT;

CREATE TABLE images (
  id              INTEGER PRIMARY KEY,
  service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  label           TEXT NOT NULL,
  content_hash    TEXT NOT NULL REFERENCES blobs(hash),
  parent_id       INTEGER REFERENCES images(id),
  source_stage_id INTEGER,
  created_at      TEXT NOT NULL,
  created_by      TEXT NOT NULL,
  note            TEXT NOT NULL DEFAULT '',
  UNIQUE (service_id, label),
  UNIQUE (service_id, content_hash)
) STRICT;

CREATE TABLE stages (
  id            INTEGER PRIMARY KEY,
  service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  position      INTEGER NOT NULL,
  is_production INTEGER NOT NULL DEFAULT 0 CHECK (is_production IN (0, 1)),
  image_id      INTEGER REFERENCES images(id),
  UNIQUE (service_id, name)
) STRICT;

CREATE TABLE lifecycle_edges (
  service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  from_stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  to_stage_id   INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  PRIMARY KEY (from_stage_id, to_stage_id),
  CHECK (from_stage_id <> to_stage_id)
) STRICT;

CREATE TABLE hosts (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  address    TEXT NOT NULL,
  port       INTEGER NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
  ssh_user   TEXT NOT NULL DEFAULT '',
  kind       TEXT NOT NULL DEFAULT 'vm' CHECK (kind IN ('vm', 'server', 'storage', 'network')),
  vcpus      INTEGER,
  memory_mb  INTEGER,
  disk_gb    INTEGER,
  owner      TEXT NOT NULL DEFAULT '',
  notes      TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
) STRICT;

-- A service in one stage: the hosts that play its roles there.
CREATE TABLE environments (
  id         INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  stage_id   INTEGER NOT NULL UNIQUE REFERENCES stages(id) ON DELETE CASCADE
) STRICT;

CREATE TABLE environment_hosts (
  environment_id INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  host_id        INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  role_id        INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
  PRIMARY KEY (environment_id, host_id, role_id)
) STRICT;
CREATE INDEX environment_hosts_by_host ON environment_hosts(host_id);

-- Immutable: one row per capture; the facts live in blobs (a manifest pointing at part blobs).
CREATE TABLE snapshots (
  id            INTEGER PRIMARY KEY,
  host_id       INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
  captured_at   TEXT NOT NULL,
  source        TEXT NOT NULL,
  complete      INTEGER NOT NULL CHECK (complete IN (0, 1)),
  manifest_hash TEXT NOT NULL REFERENCES blobs(hash)
) STRICT;
CREATE INDEX snapshots_by_host ON snapshots(host_id, captured_at);

CREATE TRIGGER snapshots_are_immutable BEFORE UPDATE ON snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END;
CREATE TRIGGER images_are_immutable BEFORE UPDATE OF content_hash, parent_id, label ON images
BEGIN SELECT RAISE(ABORT, 'images are immutable'); END;

-- Append-only, hash-chained.
CREATE TABLE audit_entries (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  before_json TEXT,
  after_json  TEXT,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL UNIQUE
) STRICT;
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;
