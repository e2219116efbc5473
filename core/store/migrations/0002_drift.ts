/** Released: never edit. What each role watches, the severity and ignore rules, and the parity trend. */
export const sql = /* sql */ `
ALTER TABLE roles ADD COLUMN watch_globs TEXT NOT NULL DEFAULT '[]';

-- Editable per workspace; first match wins, in position order. Empty means the built-in defaults.
CREATE TABLE severity_rules (
  id       INTEGER PRIMARY KEY,
  position INTEGER NOT NULL,
  category TEXT NOT NULL,
  match    TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low'))
) STRICT;

-- Scope: the whole workspace (no service), a service, or one role of a service.
CREATE TABLE ignore_rules (
  id         INTEGER PRIMARY KEY,
  service_id INTEGER REFERENCES services(id) ON DELETE CASCADE,
  role       TEXT,
  category   TEXT,
  key        TEXT NOT NULL,
  reason     TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  CHECK (role IS NULL OR service_id IS NOT NULL)
) STRICT;

-- Parity of a stage against production, recorded whenever a snapshot changes it.
CREATE TABLE parity_history (
  id          INTEGER PRIMARY KEY,
  stage_id    INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  recorded_at TEXT NOT NULL,
  parity      REAL NOT NULL,
  compared    INTEGER NOT NULL,
  matching    INTEGER NOT NULL,
  high        INTEGER NOT NULL,
  medium      INTEGER NOT NULL,
  low         INTEGER NOT NULL
) STRICT;
CREATE INDEX parity_history_by_stage ON parity_history(stage_id, recorded_at);
`;
