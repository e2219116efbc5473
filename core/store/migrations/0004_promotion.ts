/** Released: never edit. Stage policies, when each image reached each stage, lifecycle templates, and change requests. */
export const sql = /* sql */ `
CREATE TABLE stage_policies (
  stage_id    INTEGER PRIMARY KEY REFERENCES stages(id) ON DELETE CASCADE,
  policy_json TEXT NOT NULL
) STRICT;

-- Append-only history of assignments: soak time is measured from here.
CREATE TABLE image_assignments (
  id          INTEGER PRIMARY KEY,
  stage_id    INTEGER NOT NULL REFERENCES stages(id) ON DELETE CASCADE,
  image_id    INTEGER REFERENCES images(id),
  assigned_at TEXT NOT NULL,
  assigned_by TEXT NOT NULL
) STRICT;
CREATE INDEX image_assignments_by_image ON image_assignments(image_id, assigned_at);
INSERT INTO image_assignments (stage_id, image_id, assigned_at, assigned_by)
  SELECT s.id, s.image_id, i.created_at, i.created_by FROM stages s JOIN images i ON i.id = s.image_id;

CREATE TABLE lifecycle_templates (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
  template_json TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL
) STRICT;

CREATE TABLE change_requests (
  id            INTEGER PRIMARY KEY,
  title         TEXT NOT NULL,
  service_id    INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  image_id      INTEGER NOT NULL REFERENCES images(id),
  from_stage_id INTEGER REFERENCES stages(id) ON DELETE SET NULL,
  to_stage_id   INTEGER NOT NULL REFERENCES stages(id),
  state         TEXT NOT NULL DEFAULT 'draft'
                CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'scheduled', 'implemented', 'closed', 'cancelled', 'rolled-back', 'failed')),
  plan_hash     TEXT NOT NULL REFERENCES blobs(hash),
  verdict_json  TEXT NOT NULL,
  risk_json     TEXT NOT NULL,
  earliest_at   TEXT,
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL
) STRICT;
CREATE INDEX change_requests_by_target ON change_requests(to_stage_id, state);
`;
