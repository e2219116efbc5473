/**
 * From virsh's output to the inventory types. Structured data comes from XML (dumpxml,
 * snapshot-dumpxml, pool-dumpxml, net-dumpxml): it is libvirt's stable, documented format, exact
 * (bytes, KiB) and free of locale. Tables are parsed in two places only: `--name` lists (one name a
 * line, no table) and `vol-list --details` (the only call that lists a pool's volumes with path
 * and sizes in one process; columns are found from the header's offsets, so names with spaces
 * survive, and sizes are read back from their units with virsh's two-decimal rounding).
 */
import { LibvirtFailure } from './failures';
import type { DomainDisk, DomainInfo, DomainNic, DomainSnapshotInfo, DomainState, NetworkInfo, StoragePoolInfo, StorageVolumeInfo } from './types';
import { child, childElements, childText, parseXml, serializeXml, XmlError, type XmlElement } from './xml';

/** Parses virsh's XML output, or says which command printed something else. */
export function parseVirshXml(text: string, what: string, rootName: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (error) {
    throw new LibvirtFailure('invalid-output', `${what}: virsh printed XML that cannot be read: ${error instanceof XmlError ? error.message : String(error)}`);
  }
  if (root.name !== rootName) throw new LibvirtFailure('invalid-output', `${what}: expected <${rootName}>, virsh printed <${root.name}>`);
  return root;
}

/**
 * One name a line (`list --name`, `snapshot-list --name`…); blank lines dropped. `pool-list --name`
 * and `net-list --name` pad names to the longest with spaces: trailing blanks are cut (a libvirt
 * name ending in a space would be lost; none of the drivers Stagecraft knows create one).
 */
export function parseNameList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .filter((line) => line.trim() !== '');
}

const UNIT_FACTORS: Readonly<Record<string, number>> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
  p: 1024 ** 5,
  pib: 1024 ** 5,
  pb: 1000 ** 5,
  e: 1024 ** 6,
  eib: 1024 ** 6,
  eb: 1000 ** 6,
};

/** A libvirt scaled integer (<memory unit='KiB'>…) in bytes; `defaultUnit` when no unit is given. */
export function scaledBytes(element: XmlElement | undefined, defaultUnit: string): number | null {
  const text = element ? childText(element) : undefined;
  if (text === undefined || text === '') return null;
  const value = Number(text);
  const factor = UNIT_FACTORS[(element?.attrs['unit'] ?? defaultUnit).toLowerCase()];
  if (!Number.isFinite(value) || factor === undefined) return null;
  return value * factor;
}

/** "7.50 GiB" → bytes (virsh's vshPrettyCapacity); null when not a size. */
export function parsePrettySize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text.trim());
  if (!match) return null;
  const factor = UNIT_FACTORS[match[2]!.toLowerCase()];
  return factor === undefined ? null : Math.round(Number(match[1]) * factor);
}

/**
 * `vol-list --details`: " Name  Path  Type  Capacity  Allocation", a dashed line, then rows padded
 * to the header's columns. Columns are cut at the header's offsets.
 */
export function parseVolumeTable(stdout: string, what: string): StorageVolumeInfo[] {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  const headerIndex = lines.findIndex((l) => /^\s*Name\s+Path\s+Type\s+Capacity\s+Allocation\s*$/.test(l));
  if (headerIndex < 0) {
    if (stdout.trim() === '') return [];
    throw new LibvirtFailure('invalid-output', `${what}: the volume table has no "Name Path Type Capacity Allocation" header`);
  }
  const header = lines[headerIndex]!;
  const starts = ['Name', 'Path', 'Type', 'Capacity', 'Allocation'].map((label) => header.search(new RegExp(`\\b${label}\\b`)));
  const volumes: StorageVolumeInfo[] = [];
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '' || /^-+$/.test(line.trim())) continue;
    // A cell ends where the next column starts; a name wider than its column cannot happen (virsh pads to the widest).
    const cells = starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim());
    const [name, path, type, capacity, allocation] = cells as [string, string, string, string, string];
    const capacityBytes = parsePrettySize(capacity);
    const allocationBytes = parsePrettySize(allocation);
    if (!name || capacityBytes === null || allocationBytes === null) throw new LibvirtFailure('invalid-output', `${what}: cannot read the volume row "${line.trim()}"`);
    volumes.push({ name, path, type, capacityBytes, allocationBytes });
  }
  return volumes;
}

const DOMAIN_MEMORY_UNIT = 'KiB';
const MIB = 1024 * 1024;

export interface DomainRuntime {
  state: DomainState;
  autostart: boolean;
  persistent: boolean;
  snapshots: DomainSnapshotInfo[];
}

/** Where each pool keeps its volumes, to name the pool and volume of a disk given by path. */
export type VolumeIndex = ReadonlyMap<string, { pool: string; volume: StorageVolumeInfo }>;

export function volumeIndex(pools: readonly StoragePoolInfo[]): VolumeIndex {
  const index = new Map<string, { pool: string; volume: StorageVolumeInfo }>();
  for (const pool of pools) for (const volume of pool.volumes) if (volume.path) index.set(volume.path, { pool: pool.name, volume });
  return index;
}

/** Static DHCP reservations of every network: MAC (lower case) → addresses. */
export function reservationIndex(networks: readonly NetworkInfo[]): ReadonlyMap<string, string[]> {
  const index = new Map<string, string[]>();
  for (const network of networks) {
    for (const r of network.reservations) index.set(r.mac.toLowerCase(), [...(index.get(r.mac.toLowerCase()) ?? []), r.ip]);
  }
  return index;
}

/** A domain from `dumpxml` (live or inactive XML) and what the other calls said about it. */
export function parseDomainXml(xml: string, runtime: DomainRuntime, volumes: VolumeIndex = new Map(), reservations: ReadonlyMap<string, string[]> = new Map()): DomainInfo {
  const root = parseVirshXml(xml, 'dumpxml', 'domain');
  const name = childText(root, 'name');
  if (!name) throw new LibvirtFailure('invalid-output', 'dumpxml: the domain has no name');
  const devices = child(root, 'devices');
  const memory = scaledBytes(child(root, 'memory'), DOMAIN_MEMORY_UNIT) ?? 0;
  const current = scaledBytes(child(root, 'currentMemory'), DOMAIN_MEMORY_UNIT) ?? memory;
  const vcpu = child(root, 'vcpu');
  const metadata = child(root, 'metadata');
  const id = root.attrs['id'];
  return {
    name,
    uuid: childText(root, 'uuid') ?? '',
    state: runtime.state,
    id: id !== undefined && /^\d+$/.test(id) ? Number(id) : null,
    vcpus: Number(vcpu?.attrs['current'] ?? childText(vcpu)) || 0,
    memoryMb: Math.round(memory / MIB),
    currentMemoryMb: Math.round(current / MIB),
    autostart: runtime.autostart,
    persistent: runtime.persistent,
    title: childText(root, 'title') ?? '',
    description: childText(root, 'description') ?? '',
    metadataXml: metadata ? childElements(metadata).map(serializeXml).join('\n') : '',
    osType: childText(root, 'os', 'type') ?? null,
    arch: child(root, 'os', 'type')?.attrs['arch'] ?? null,
    disks: devices ? childElements(devices, 'disk').map((d) => parseDisk(d, volumes)) : [],
    nics: devices ? childElements(devices, 'interface').map((i) => parseNic(i, reservations)) : [],
    snapshots: runtime.snapshots,
  };
}

function parseDisk(disk: XmlElement, volumes: VolumeIndex): DomainDisk {
  const source = child(disk, 'source');
  const type = disk.attrs['type'] ?? 'file';
  let path = source?.attrs['file'] ?? source?.attrs['dev'] ?? source?.attrs['name'] ?? null;
  let pool = source?.attrs['pool'] ?? null;
  let volume = source?.attrs['volume'] ?? null;
  let capacityBytes: number | null = null;
  if (pool && volume) {
    for (const [volumePath, entry] of volumes) {
      if (entry.pool === pool && entry.volume.name === volume) {
        path = volumePath;
        capacityBytes = entry.volume.capacityBytes;
      }
    }
  } else if (path) {
    const entry = volumes.get(path);
    if (entry) {
      pool = entry.pool;
      volume = entry.volume.name;
      capacityBytes = entry.volume.capacityBytes;
    }
  }
  return {
    device: disk.attrs['device'] ?? 'disk',
    type,
    format: child(disk, 'driver')?.attrs['type'] ?? null,
    target: child(disk, 'target')?.attrs['dev'] ?? '',
    bus: child(disk, 'target')?.attrs['bus'] ?? null,
    path,
    pool,
    volume,
    readonly: child(disk, 'readonly') !== undefined,
    capacityBytes,
  };
}

function parseNic(nic: XmlElement, reservations: ReadonlyMap<string, string[]>): DomainNic {
  const source = child(nic, 'source');
  const mac = (child(nic, 'mac')?.attrs['address'] ?? '').toLowerCase();
  const type = nic.attrs['type'] ?? 'network';
  return {
    mac,
    type,
    network: source?.attrs['network'] ?? null,
    bridge: source?.attrs['bridge'] ?? (type === 'direct' ? (source?.attrs['dev'] ?? null) : null),
    model: child(nic, 'model')?.attrs['type'] ?? null,
    addresses: reservations.get(mac) ?? [],
  };
}

/** `snapshot-dumpxml`; `current` comes from `snapshot-current --name`. */
export function parseSnapshotXml(xml: string, current: boolean): DomainSnapshotInfo {
  const root = parseVirshXml(xml, 'snapshot-dumpxml', 'domainsnapshot');
  const name = childText(root, 'name');
  if (!name) throw new LibvirtFailure('invalid-output', 'snapshot-dumpxml: the snapshot has no name');
  const created = Number(childText(root, 'creationTime'));
  return {
    name: textOfRaw(root, 'name') ?? name,
    description: childText(root, 'description') ?? '',
    state: childText(root, 'state') ?? 'unknown',
    createdAt: Number.isFinite(created) && created > 0 ? new Date(created * 1000).toISOString() : null,
    parent: childText(root, 'parent', 'name') ?? null,
    current,
  };
}

/** A name exactly as libvirt has it (names may begin or end with spaces). */
function textOfRaw(root: XmlElement, name: string): string | undefined {
  const element = child(root, name);
  return element ? element.children.filter((c): c is string => typeof c === 'string').join('') : undefined;
}

/** `pool-dumpxml`; active/autostart and volumes come from the other calls. */
export function parsePoolXml(xml: string, state: { active: boolean; autostart: boolean; volumes: StorageVolumeInfo[] }): StoragePoolInfo {
  const root = parseVirshXml(xml, 'pool-dumpxml', 'pool');
  return {
    name: textOfRaw(root, 'name') ?? '',
    uuid: childText(root, 'uuid') ?? '',
    type: root.attrs['type'] ?? '',
    active: state.active,
    autostart: state.autostart,
    capacityBytes: scaledBytes(child(root, 'capacity'), 'bytes') ?? 0,
    allocationBytes: scaledBytes(child(root, 'allocation'), 'bytes') ?? 0,
    availableBytes: scaledBytes(child(root, 'available'), 'bytes') ?? 0,
    targetPath: childText(root, 'target', 'path') ?? null,
    volumes: state.volumes,
  };
}

/** `net-dumpxml`. */
export function parseNetworkXml(xml: string, state: { active: boolean; autostart: boolean }): NetworkInfo {
  const root = parseVirshXml(xml, 'net-dumpxml', 'network');
  const ips = childElements(root, 'ip');
  return {
    name: textOfRaw(root, 'name') ?? '',
    uuid: childText(root, 'uuid') ?? '',
    active: state.active,
    autostart: state.autostart,
    bridge: child(root, 'bridge')?.attrs['name'] ?? null,
    forwardMode: child(root, 'forward') ? (child(root, 'forward')!.attrs['mode'] ?? 'nat') : null,
    ips: ips.map((ip) => ({
      address: ip.attrs['address'] ?? '',
      family: ip.attrs['family'] ?? 'ipv4',
      prefix: ip.attrs['prefix'] !== undefined ? Number(ip.attrs['prefix']) : ip.attrs['netmask'] !== undefined ? netmaskPrefix(ip.attrs['netmask']) : null,
    })),
    dhcpRanges: ips.flatMap((ip) => childElements(child(ip, 'dhcp') ?? { name: '', attrs: {}, children: [] }, 'range').map((r) => ({ start: r.attrs['start'] ?? '', end: r.attrs['end'] ?? '' }))),
    reservations: ips.flatMap((ip) =>
      childElements(child(ip, 'dhcp') ?? { name: '', attrs: {}, children: [] }, 'host')
        .filter((h) => h.attrs['mac'] && h.attrs['ip'])
        .map((h) => ({ mac: h.attrs['mac']!.toLowerCase(), ip: h.attrs['ip']!, name: h.attrs['name'] ?? null })),
    ),
  };
}

function netmaskPrefix(netmask: string): number | null {
  const parts = netmask.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  const bits = parts.map((p) => p.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') < 0 ? 32 : bits.indexOf('0') : null;
}
