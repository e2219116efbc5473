/**
 * Ansible facts into snapshots (source "ansible"): the JSON files of a jsonfile fact cache
 * (`fact_caching = jsonfile`: one file per host, named by its inventory name, holding the
 * `ansible_*` facts plus `packages` from package_facts and `services` from service_facts), and
 * the output of `ansible HOST -m setup --tree DIR` (`{"ansible_facts": {…}}`).
 *
 * What Ansible's facts do not give (listening ports, sysctl, users, groups, cron, watched files)
 * is named in the snapshot's warnings, so the snapshot is marked incomplete rather than clean.
 */
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type MountFact, type PackageFact, type PackageManager, type ServiceFact, type Snapshot, type UnitActiveState, type UnitEnabledState } from '../../domain/facts';
import { parseSnapshotDocument } from '../snapshot-io';
import type { ImportedSnapshot, ImportOrigin } from './model';
import { invalidInput } from './model';

/** Fact categories an Ansible fact cache never holds, and why. */
export const ANSIBLE_MISSING_CATEGORIES: readonly string[] = [
  'ports: Ansible facts do not include listening ports',
  'sysctl: Ansible facts do not include kernel parameters',
  'users: Ansible facts do not include local users (ansible.builtin.getent is not a fact)',
  'groups: Ansible facts do not include local groups',
  'cron: Ansible facts do not include cron jobs',
  'files: Ansible facts do not include file contents or hashes',
];

/** os-release IDs of the distributions `ansible_distribution` names differently. */
const OS_IDS: Record<string, string> = {
  redhat: 'rhel',
  'red hat enterprise linux': 'rhel',
  oraclelinux: 'ol',
  amazon: 'amzn',
  archlinux: 'arch',
  sles: 'sles',
  sles_sap: 'sles_sap',
  'opensuse leap': 'opensuse-leap',
  'opensuse tumbleweed': 'opensuse-tumbleweed',
  almalinux: 'almalinux',
  rocky: 'rocky',
  kali: 'kali',
  linuxmint: 'linuxmint',
};

const PACKAGE_MANAGERS: Record<string, PackageManager> = { apt: 'dpkg', rpm: 'rpm', apk: 'apk' };

const ENABLED_STATES = new Set<UnitEnabledState>(['enabled', 'disabled', 'static', 'masked', 'indirect', 'generated', 'alias', 'unknown']);

function enabledState(status: unknown): UnitEnabledState {
  if (typeof status !== 'string') return 'unknown';
  if (status === 'enabled-runtime') return 'enabled';
  if (status === 'masked-runtime') return 'masked';
  return ENABLED_STATES.has(status as UnitEnabledState) ? (status as UnitEnabledState) : 'unknown';
}

function activeState(state: unknown): UnitActiveState {
  switch (state) {
    case 'running':
    case 'active':
      return 'active';
    case 'stopped':
    case 'inactive':
    case 'dead':
      return 'inactive';
    case 'failed':
    case 'activating':
    case 'deactivating':
      return state;
    default:
      return 'unknown';
  }
}

const isLoopbackOrLinkLocal = (address: string): boolean => {
  const lower = address.toLowerCase();
  return lower.startsWith('127.') || lower === '::1' || /^fe[89ab][0-9a-f]:/.test(lower);
};

type FactDoc = Record<string, unknown>;

/** Reads facts with or without their `ansible_` prefix, checking each field's type by name. */
class Facts {
  constructor(
    private readonly doc: FactDoc,
    private readonly origin: ImportOrigin,
  ) {}

  private raw(key: string): { key: string; value: unknown } {
    const prefixed = `ansible_${key}`;
    if (this.doc[prefixed] !== undefined) return { key: prefixed, value: this.doc[prefixed] };
    return { key, value: this.doc[key] };
  }

  private wrong(key: string, expected: string): Error {
    return invalidInput(this.origin, `field ${key}: expected ${expected}.`, 'Gather the facts again with ansible.builtin.setup; the cache file may have been edited.');
  }

  text(key: string): string | undefined {
    const { key: name, value } = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw this.wrong(name, 'text');
  }

  list(key: string): unknown[] {
    const { key: name, value } = this.raw(key);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.wrong(name, 'a list');
    return value;
  }

  textList(key: string): string[] {
    return this.list(key).map((item, i) => {
      if (typeof item !== 'string') throw this.wrong(`${this.raw(key).key}[${i}]`, 'text');
      return item;
    });
  }

  object(key: string): FactDoc | undefined {
    const { key: name, value } = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw this.wrong(name, 'an object');
    return value as FactDoc;
  }

  has(key: string): boolean {
    return this.raw(key).value !== undefined;
  }
}

export interface AnsibleFactsOptions {
  /** Inventory name of the host: the cache file's name. Used when the facts lack ansible_hostname. */
  hostName?: string;
  /** When the facts carry no ansible_date_time (gather_subset without it): usually the file's mtime. */
  capturedAt?: string;
}

/** One host's facts (a parsed cache file or `--tree` output) as a checked, normalised snapshot. */
export function snapshotFromAnsibleFacts(document: unknown, origin: ImportOrigin, options: AnsibleFactsOptions = {}): Snapshot {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw invalidInput(origin, 'is not an Ansible fact file: expected a JSON object of facts.');
  }
  const wrapped = (document as FactDoc)['ansible_facts'];
  const doc = (typeof wrapped === 'object' && wrapped !== null && !Array.isArray(wrapped) ? wrapped : document) as FactDoc;
  const facts = new Facts(doc, origin);
  if (!facts.has('hostname') && !facts.has('distribution') && !facts.has('kernel')) {
    throw invalidInput(origin, 'is not an Ansible fact file: it has none of ansible_hostname, ansible_distribution, ansible_kernel.', 'Point at a jsonfile fact cache directory (fact_caching_connection) or at `ansible -m setup --tree DIR` output.');
  }
  const warnings: string[] = [...ANSIBLE_MISSING_CATEGORIES];

  const hostname = facts.text('hostname') ?? options.hostName;
  if (hostname === undefined || hostname === '') throw invalidInput(origin, 'field ansible_hostname is missing and no host name was given.');
  const capturedAt = (facts.object('date_time')?.['iso8601'] as string | undefined) ?? options.capturedAt;
  if (capturedAt === undefined) throw invalidInput(origin, 'field ansible_date_time.iso8601 is missing: the facts do not say when they were gathered.');

  const addresses = [...facts.textList('all_ipv4_addresses'), ...facts.textList('all_ipv6_addresses')].filter((a) => !isLoopbackOrLinkLocal(a));
  const macs: string[] = [];
  for (const iface of facts.textList('interfaces')) {
    if (iface === 'lo') continue;
    const mac = facts.object(iface.replace(/[-.:]/g, '_'))?.['macaddress'];
    if (typeof mac === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) && mac !== '00:00:00:00:00:00') macs.push(mac.toLowerCase());
  }

  const distribution = facts.text('distribution') ?? '';
  const osId = OS_IDS[distribution.toLowerCase()] ?? distribution.toLowerCase().replace(/\s+/g, '');
  const version = facts.text('distribution_version') ?? '';
  // os-release VERSION_ID of Debian is the major version only ("12"), while Ansible says "12.5".
  const versionId = osId === 'debian' ? (facts.text('distribution_major_version') ?? version) : version;
  const release = facts.text('distribution_release');
  const prettyName = [distribution, version, release && release !== 'NA' ? `(${release})` : ''].filter(Boolean).join(' ');
  if (!distribution) warnings.push('os: ansible_distribution is missing');

  const packages: PackageFact[] = [];
  const packageFacts = facts.object('packages');
  if (packageFacts === undefined) {
    warnings.push('packages: the facts hold no package list (run ansible.builtin.package_facts)');
  } else {
    const unsupported = new Set<string>();
    for (const [name, versions] of Object.entries(packageFacts)) {
      if (!Array.isArray(versions)) throw invalidInput(origin, `field packages.${name}: expected a list of installed versions.`);
      versions.forEach((entry: unknown, i) => {
        if (typeof entry !== 'object' || entry === null) throw invalidInput(origin, `field packages.${name}[${i}]: expected an object.`);
        const p = entry as Record<string, unknown>;
        const manager = PACKAGE_MANAGERS[String(p['source'])];
        if (!manager) {
          unsupported.add(String(p['source']));
          return;
        }
        const base = typeof p['version'] === 'string' ? p['version'] : String(p['version'] ?? '');
        let packageVersion = base;
        if (manager === 'rpm') {
          const epoch = p['epoch'] === null || p['epoch'] === undefined || p['epoch'] === '' ? '' : `${String(p['epoch'])}:`;
          packageVersion = `${epoch}${base}${p['release'] ? `-${String(p['release'])}` : ''}`;
        }
        packages.push({ manager, name: typeof p['name'] === 'string' ? p['name'] : name, version: packageVersion, arch: typeof p['arch'] === 'string' ? p['arch'] : '' });
      });
    }
    for (const source of unsupported) warnings.push(`packages: packages from "${source}" are not compared (Stagecraft knows dpkg, rpm and apk)`);
  }

  const services: ServiceFact[] = [];
  const serviceFacts = facts.object('services');
  if (serviceFacts === undefined) {
    warnings.push('services: the facts hold no service list (run ansible.builtin.service_facts)');
  } else {
    for (const [key, entry] of Object.entries(serviceFacts)) {
      if (typeof entry !== 'object' || entry === null) throw invalidInput(origin, `field services.${key}: expected an object.`);
      const s = entry as Record<string, unknown>;
      services.push({ name: typeof s['name'] === 'string' && s['name'] ? s['name'] : key, enabled: enabledState(s['status']), active: activeState(s['state']) });
    }
  }

  const mounts: MountFact[] = facts.list('mounts').flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const m = entry as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' ? v : '');
    return text(m['mount']) ? [{ target: text(m['mount']), source: text(m['device']), fstype: text(m['fstype']), options: text(m['options']) }] : [];
  });

  const fqdn = facts.text('fqdn');
  const machineId = facts.text('machine_id');
  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    capturedAt,
    source: 'ansible',
    host: { hostname, ...(fqdn && { fqdn }), ...(machineId && { machineId }), addresses, macs },
    os: { id: osId, versionId, ...(prettyName && { prettyName }), kernel: facts.text('kernel') ?? '', arch: facts.text('architecture') ?? facts.text('machine') ?? '' },
    packages,
    services,
    ports: [],
    sysctl: {},
    users: [],
    groups: [],
    mounts,
    cron: [],
    files: [],
    warnings,
  };
  // The same checks as a snapshot file: every field within its limits, then the canonical form.
  return parseSnapshotDocument(snapshot, origin.file);
}

/** One fact cache file's text as an imported snapshot; `hostName` is the file's name (the inventory name). */
export function parseAnsibleFactFile(text: string, file: string, hostName: string, options: Omit<AnsibleFactsOptions, 'hostName'> = {}): ImportedSnapshot {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const position = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? NaN);
    const line = Number.isNaN(position) ? undefined : text.slice(0, position).split('\n').length;
    throw invalidInput({ file, ...(line !== undefined && { line }) }, `is not a JSON fact file: ${(error as Error).message}`, 'A jsonfile fact cache holds one JSON file per host; other cache plugins (redis, memcached, yaml) are not read.');
  }
  const origin = { file };
  return { snapshot: snapshotFromAnsibleFacts(document, origin, { ...options, hostName }), hostName, origin };
}
