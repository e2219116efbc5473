/** What Stagecraft knows about a libvirt hypervisor: plain JSON, cached in the workspace for offline use. */

export type DomainState = 'running' | 'paused' | 'shutoff' | 'other';

export interface DomainDisk {
  /** disk, cdrom, floppy, lun */
  device: string;
  /** file, block, volume, network */
  type: string;
  /** qcow2, raw… (driver type) */
  format: string | null;
  /** vda, sda… */
  target: string;
  bus: string | null;
  /** The file or block device path, when there is one (for type volume: resolved through the pool's volume list). */
  path: string | null;
  /** The pool and volume holding the disk, given in the XML or found by path in the pools. */
  pool: string | null;
  volume: string | null;
  readonly: boolean;
  /** From the pool's volume list, when the disk is a known volume. */
  capacityBytes: number | null;
}

export interface DomainNic {
  mac: string;
  /** network, bridge, user, direct… */
  type: string;
  network: string | null;
  bridge: string | null;
  model: string | null;
  /** Addresses known for this MAC: the network's DHCP reservations. */
  addresses: string[];
}

export interface DomainSnapshotInfo {
  name: string;
  description: string;
  /** The domain's state when the snapshot was taken: running, shutoff, disk-snapshot… */
  state: string;
  /** ISO 8601. */
  createdAt: string | null;
  parent: string | null;
  current: boolean;
}

export interface DomainInfo {
  name: string;
  uuid: string;
  state: DomainState;
  /** The running domain's id, or null. */
  id: number | null;
  vcpus: number;
  memoryMb: number;
  currentMemoryMb: number;
  autostart: boolean;
  persistent: boolean;
  title: string;
  description: string;
  /** The inner XML of <metadata> (applications' own elements), '' when none. */
  metadataXml: string;
  osType: string | null;
  arch: string | null;
  disks: DomainDisk[];
  nics: DomainNic[];
  snapshots: DomainSnapshotInfo[];
}

export interface StorageVolumeInfo {
  name: string;
  path: string;
  type: string;
  /** From `vol-list --details`, which rounds to two decimals of its unit (e.g. 7.50 GiB). */
  capacityBytes: number;
  allocationBytes: number;
}

export interface StoragePoolInfo {
  name: string;
  uuid: string;
  type: string;
  active: boolean;
  autostart: boolean;
  capacityBytes: number;
  allocationBytes: number;
  availableBytes: number;
  targetPath: string | null;
  volumes: StorageVolumeInfo[];
}

export interface NetworkInfo {
  name: string;
  uuid: string;
  active: boolean;
  autostart: boolean;
  bridge: string | null;
  /** nat, route, bridge, open…; null when isolated (no <forward>). */
  forwardMode: string | null;
  ips: { address: string; prefix: number | null; family: string }[];
  dhcpRanges: { start: string; end: string }[];
  reservations: { mac: string; ip: string; name: string | null }[];
}

export interface HypervisorInventory {
  uri: string;
  hostname: string | null;
  /** ISO 8601. */
  fetchedAt: string;
  domains: DomainInfo[];
  pools: StoragePoolInfo[];
  networks: NetworkInfo[];
  /** What could not be read (a domain's snapshots, an inactive pool's volumes…); the rest is complete. */
  warnings: string[];
}
