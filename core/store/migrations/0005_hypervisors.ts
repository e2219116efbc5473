/** Released: never edit. Hypervisor connections (libvirt URIs) and the last inventory of each, for offline use. */
export const sql = /* sql */ `
CREATE TABLE hypervisors (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
  kind        TEXT NOT NULL DEFAULT 'libvirt' CHECK (kind IN ('libvirt')),
  uri         TEXT NOT NULL,
  -- virsh runs on this inventory host over SSH (its address, port and user), or on ssh_target
  -- ("user@host:port" or an ssh_config alias); both NULL: virsh runs on this workstation.
  via_host_id INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
  ssh_target  TEXT,
  created_at  TEXT NOT NULL,
  CHECK (via_host_id IS NULL OR ssh_target IS NULL)
) STRICT;

-- The last inventory read from each hypervisor (HypervisorInventory as JSON): replaced on refresh.
CREATE TABLE hypervisor_inventories (
  hypervisor_id  INTEGER PRIMARY KEY REFERENCES hypervisors(id) ON DELETE CASCADE,
  fetched_at     TEXT NOT NULL,
  inventory_json TEXT NOT NULL CHECK (json_valid(inventory_json))
) STRICT;
`;
