/**
 * Released: never edit. Change control: the people of a workspace (with their public keys), what a
 * change request records beyond its promotion, signed decisions, each change's history, and events
 * imported from the organisation's own change calendar.
 */
export const sql = /* sql */ `
CREATE TABLE people (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
  roles_json     TEXT NOT NULL CHECK (json_valid(roles_json)),
  -- Ed25519 public key (SPKI PEM); the private key never enters the workspace.
  public_key_pem TEXT,
  created_at     TEXT NOT NULL
) STRICT;

-- Every key a person ever had (the current one is people.public_key_pem): a new key must not
-- make the approvals signed with the old one unverifiable.
CREATE TABLE person_keys (
  fingerprint    TEXT PRIMARY KEY,
  person_id      INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  public_key_pem TEXT NOT NULL,
  added_at       TEXT NOT NULL
) STRICT;
CREATE TRIGGER person_keys_are_immutable BEFORE UPDATE ON person_keys
BEGIN SELECT RAISE(ABORT, 'person keys are immutable'); END;

-- One row per change request, written when the draft is saved (older drafts get theirs on first edit).
CREATE TABLE change_details (
  change_id             INTEGER PRIMARY KEY REFERENCES change_requests(id) ON DELETE CASCADE,
  description           TEXT NOT NULL DEFAULT '',
  justification         TEXT NOT NULL DEFAULT '',
  category              TEXT NOT NULL DEFAULT 'normal' CHECK (category IN ('standard', 'normal', 'emergency')),
  impact                TEXT NOT NULL DEFAULT '',
  window_start          TEXT,
  window_end            TEXT,
  window_time_zone      TEXT,
  implementation_plan   TEXT NOT NULL,
  backout_plan          TEXT NOT NULL,
  test_plan             TEXT NOT NULL,
  risk_override_level   TEXT CHECK (risk_override_level IN ('low', 'medium', 'high', 'critical')),
  risk_override_reason  TEXT,
  risk_override_by      INTEGER REFERENCES people(id),
  requester_id          INTEGER REFERENCES people(id),
  required_approvers    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(required_approvers)),
  -- Bumped by every edit: a decision is about one revision.
  revision              INTEGER NOT NULL DEFAULT 1,
  CHECK ((window_start IS NULL) = (window_end IS NULL) AND (window_end IS NULL) = (window_time_zone IS NULL)),
  CHECK ((risk_override_level IS NULL) = (risk_override_reason IS NULL))
) STRICT;

-- Approvals and rejections, each signed by its approver's key over the canonical JSON of what was decided.
CREATE TABLE change_decisions (
  id              INTEGER PRIMARY KEY,
  change_id       INTEGER NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  person_id       INTEGER NOT NULL REFERENCES people(id),
  decision        TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
  at              TEXT NOT NULL,
  comment         TEXT,
  revision        INTEGER NOT NULL,
  payload_json    TEXT NOT NULL,
  signature       TEXT,
  key_fingerprint TEXT,
  -- Set when an edit after submission dropped it: kept for the record, no longer counted.
  dropped_at      TEXT
) STRICT;
CREATE INDEX change_decisions_by_change ON change_decisions(change_id, id);

-- Append-only: what happened to each change, by whom, with the state before and after.
CREATE TABLE change_history (
  id         INTEGER PRIMARY KEY,
  change_id  INTEGER NOT NULL REFERENCES change_requests(id) ON DELETE CASCADE,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT,
  detail     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX change_history_by_change ON change_history(change_id, id);
CREATE TRIGGER change_history_is_append_only BEFORE UPDATE ON change_history
BEGIN SELECT RAISE(ABORT, 'change history is append-only'); END;

-- Events of the organisation's change calendar, imported from .ics to find conflicts.
CREATE TABLE external_events (
  id         INTEGER PRIMARY KEY,
  uid        TEXT NOT NULL UNIQUE,
  summary    TEXT NOT NULL,
  starts_at  TEXT NOT NULL,
  ends_at    TEXT NOT NULL,
  all_day    INTEGER NOT NULL DEFAULT 0 CHECK (all_day IN (0, 1)),
  location   TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  source     TEXT NOT NULL,
  imported_at TEXT NOT NULL
) STRICT;
CREATE INDEX external_events_by_time ON external_events(starts_at, ends_at);
`;
