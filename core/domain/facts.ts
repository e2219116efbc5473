/**
 * The facts of one host at one time, normalised. A snapshot is immutable once captured.
 * Field order and sorting are fixed by `normaliseSnapshot` so equal state hashes equally.
 */

export const SNAPSHOT_FORMAT = 'stagecraft.snapshot';
export const SNAPSHOT_FORMAT_VERSION = 1;

export type SnapshotSource = 'ssh' | 'collector' | 'import' | 'ansible' | 'demo' | 'image';

export interface HostIdentity {
  hostname: string;
  fqdn?: string;
  machineId?: string;
  addresses: string[];
  macs: string[];
}

export interface OsFacts {
  id: string; // os-release ID: debian, ubuntu, rhel, alpine…
  versionId: string;
  prettyName?: string;
  kernel: string;
  arch: string;
}

export type PackageManager = 'dpkg' | 'rpm' | 'apk';

export interface PackageFact {
  manager: PackageManager;
  name: string;
  version: string;
  arch: string;
}

export type UnitEnabledState = 'enabled' | 'disabled' | 'static' | 'masked' | 'indirect' | 'generated' | 'alias' | 'unknown';
export type UnitActiveState = 'active' | 'inactive' | 'failed' | 'activating' | 'deactivating' | 'unknown';

export interface ServiceFact {
  name: string; // unit name, e.g. nginx.service (or an init script name where there is no systemd)
  enabled: UnitEnabledState;
  active: UnitActiveState;
}

export interface PortFact {
  proto: 'tcp' | 'udp' | 'tcp6' | 'udp6';
  address: string;
  port: number;
  process?: string;
}

export interface UserFact {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupFact {
  name: string;
  gid: number;
  members: string[];
}

export interface MountFact {
  target: string;
  source: string;
  fstype: string;
  options: string;
}

export interface CronFact {
  source: string; // file it came from, e.g. /etc/cron.d/logrotate or crontab:root
  schedule: string;
  user?: string;
  command: string;
}

export interface FileFact {
  path: string;
  sha256: string;
  size: number;
  mode: string; // octal, e.g. "0644"
  owner: string;
  group: string;
  /** Text content when the file is text and no larger than the capture limit. */
  content?: string;
  /** True when the file is not valid UTF-8 text: compared by hash only. */
  binary?: boolean;
  /** True when the file exceeded the capture limit: compared by hash only. */
  truncated?: boolean;
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_FORMAT_VERSION;
  capturedAt: string; // ISO 8601 with zone
  source: SnapshotSource;
  host: HostIdentity;
  os: OsFacts;
  packages: PackageFact[];
  services: ServiceFact[];
  ports: PortFact[];
  sysctl: Record<string, string>;
  users: UserFact[];
  groups: GroupFact[];
  mounts: MountFact[];
  cron: CronFact[];
  files: FileFact[];
  /** What could not be collected and why (missing tool, permission, limit). Empty when complete. */
  warnings: string[];
}

export const FACT_CATEGORIES = [
  'os',
  'packages',
  'services',
  'ports',
  'sysctl',
  'users',
  'groups',
  'mounts',
  'cron',
  'files',
] as const;
export type FactCategory = (typeof FACT_CATEGORIES)[number];
