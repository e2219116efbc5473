/** Released: never edit. The workspace's own trust store of SSH host keys (next to the users' known_hosts). */
export const sql = /* sql */ `
CREATE TABLE host_keys (
  id          INTEGER PRIMARY KEY,
  host        TEXT NOT NULL COLLATE NOCASE,
  port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
  key_type    TEXT NOT NULL,
  key_base64  TEXT NOT NULL,
  fingerprint TEXT NOT NULL, -- SHA256:… as ssh-keygen -l prints it
  accepted_at TEXT NOT NULL,
  accepted_by TEXT NOT NULL,
  UNIQUE (host, port, key_type, key_base64)
) STRICT;
CREATE INDEX host_keys_by_endpoint ON host_keys(host, port);
`;
