/**
 * Snapshots put into one canonical form, and flattened into comparable facts.
 *
 * A fact key is `category:key`, e.g. `packages:dpkg:openssl:amd64`, `files:/etc/ssh/sshd_config`,
 * `services:nginx.service:enabled`, `ports:tcp:0.0.0.0:80`, `sysctl:net.ipv4.ip_forward`,
 * `users:postgres`, `os:kernel`. Its value is a plain string compared with `===`; only file facts
 * need more (see `FactSet.normalisedValue`).
 */
import type {
  CronFact,
  FactCategory,
  FileFact,
  GroupFact,
  HostIdentity,
  MountFact,
  OsFacts,
  PackageFact,
  PortFact,
  Snapshot,
  UnitActiveState,
  UnitEnabledState,
  UserFact,
} from './facts';
import { FACT_CATEGORIES } from './facts';
import { applySubstitutions, DEFAULT_NORMALISER, substitutionsFor, type NormaliserContext, type Substitution } from './placeholders';
import { sha256Hex, utf8Length } from './sha256';

// ---------------------------------------------------------------------------------------------
// Canonical snapshots

type Comparator<T> = (a: T, b: T) => number;

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Orders by each field in turn; code-unit order, so the result never depends on the locale. */
function byFields<T>(...fields: ((item: T) => string | number | undefined)[]): Comparator<T> {
  return (a, b) => {
    for (const field of fields) {
      const x = field(a) ?? '';
      const y = field(b) ?? '';
      if (x !== y) return typeof x === 'number' && typeof y === 'number' ? x - y : compareStrings(String(x), String(y));
    }
    return 0;
  };
}

/** Sorted, keeping only the first of items the comparator calls equal. */
function sortedUnique<T>(items: readonly T[], compare: Comparator<T>): T[] {
  const sorted = [...items].sort(compare);
  return sorted.filter((item, i) => i === 0 || compare(sorted[i - 1]!, item) !== 0);
}

const trimmed = (text: string | undefined): string | undefined => {
  const value = text?.trim();
  return value === undefined || value === '' ? undefined : value;
};

/** `644` and `0644` are the same mode; keep four digits so they compare equal. */
const canonicalMode = (mode: string) => {
  const value = mode.trim();
  return /^[0-7]{1,4}$/.test(value) ? value.padStart(4, '0') : value;
};

function canonicalHost(host: HostIdentity): HostIdentity {
  const fqdn = trimmed(host.fqdn);
  const machineId = trimmed(host.machineId);
  return {
    hostname: host.hostname.trim(),
    ...(fqdn !== undefined && { fqdn }),
    ...(machineId !== undefined && { machineId }),
    addresses: [...new Set(host.addresses.map((a) => a.trim()).filter(Boolean))].sort(compareStrings),
    macs: [...new Set(host.macs.map((m) => m.trim().toLowerCase()).filter(Boolean))].sort(compareStrings),
  };
}

function canonicalOs(os: OsFacts): OsFacts {
  const prettyName = trimmed(os.prettyName);
  return { id: os.id.trim(), versionId: os.versionId.trim(), ...(prettyName !== undefined && { prettyName }), kernel: os.kernel.trim(), arch: os.arch.trim() };
}

const canonicalPackage = (p: PackageFact): PackageFact => ({ manager: p.manager, name: p.name.trim(), version: p.version.trim(), arch: p.arch.trim() });
const canonicalService = <S extends ServiceState>(s: S): S => ({ ...s, name: s.name.trim() });
function canonicalPort(p: PortFact): PortFact {
  const process = trimmed(p.process);
  return { proto: p.proto, address: p.address.trim(), port: p.port, ...(process !== undefined && { process }) };
}
const canonicalUser = (u: UserFact): UserFact => ({ name: u.name.trim(), uid: u.uid, gid: u.gid, home: u.home.trim(), shell: u.shell.trim() });
const canonicalGroup = (g: GroupFact): GroupFact => ({
  name: g.name.trim(),
  gid: g.gid,
  members: [...new Set(g.members.map((m) => m.trim()).filter(Boolean))].sort(compareStrings),
});
const canonicalMount = (m: MountFact): MountFact => ({ target: m.target.trim(), source: m.source.trim(), fstype: m.fstype.trim(), options: m.options.trim() });
function canonicalCron(c: CronFact): CronFact {
  const user = trimmed(c.user);
  return { source: c.source.trim(), schedule: c.schedule.trim().replace(/\s+/g, ' '), ...(user !== undefined && { user }), command: c.command.trim() };
}
/** File content is never trimmed: it is what the hash names. */
function canonicalFile(f: FileFact): FileFact {
  return {
    path: f.path.trim(),
    sha256: f.sha256.trim().toLowerCase(),
    size: f.size,
    mode: canonicalMode(f.mode),
    owner: f.owner.trim(),
    group: f.group.trim(),
    ...(f.content !== undefined && { content: f.content }),
    ...(f.binary === true && { binary: true }),
    ...(f.truncated === true && { truncated: true }),
  };
}

/** sysctl -a separates multi-value settings with tabs, other collectors with spaces. */
function canonicalSysctl(sysctl: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(sysctl).map(([k, v]) => [k.trim(), v.trim().replace(/\s+/g, ' ')] as const);
  return Object.fromEntries(sortedUnique(entries, ([a], [b]) => compareStrings(a, b)));
}

/** The fact lists of a snapshot or an image role, each canonical (see normaliseSnapshot). */
export interface CanonicalFactLists<S extends ServiceState = ServiceState> {
  packages: PackageFact[];
  services: S[];
  ports: PortFact[];
  sysctl: Record<string, string>;
  users: UserFact[];
  groups: GroupFact[];
  mounts: MountFact[];
  cron: CronFact[];
  files: FileFact[];
}

export function canonicalFactLists<S extends ServiceState>(source: FactSource<S>): CanonicalFactLists<S> {
  return {
    packages: sortedUnique(
      source.packages.map(canonicalPackage),
      byFields((p) => p.manager, (p) => p.name, (p) => p.arch, (p) => p.version),
    ),
    services: sortedUnique(source.services.map(canonicalService), byFields((s) => s.name)),
    ports: sortedUnique(
      source.ports.map(canonicalPort),
      byFields((p) => p.proto, (p) => p.address, (p) => p.port, (p) => p.process),
    ),
    sysctl: canonicalSysctl(source.sysctl),
    users: sortedUnique(source.users.map(canonicalUser), byFields((u) => u.name)),
    groups: sortedUnique(source.groups.map(canonicalGroup), byFields((g) => g.name)),
    mounts: sortedUnique(
      source.mounts.map(canonicalMount),
      byFields((m) => m.target, (m) => m.source, (m) => m.fstype, (m) => m.options),
    ),
    cron: sortedUnique(
      source.cron.map(canonicalCron),
      byFields((c) => c.source, (c) => c.user, (c) => c.command, (c) => c.schedule),
    ),
    files: sortedUnique(source.files.map(canonicalFile), byFields((f) => f.path)),
  };
}

/**
 * The canonical form of a snapshot: every list in a fixed order without duplicates, strings trimmed,
 * modes four octal digits, MACs lower case. Equal state gives deep-equal snapshots and so equal hashes.
 * Of two entries with the same identity (two users named alike, one path twice) the first is kept;
 * packages are kept per version, because rpm installs several kernels side by side.
 */
export function normaliseSnapshot(snapshot: Snapshot): Snapshot {
  return {
    format: snapshot.format,
    version: snapshot.version,
    capturedAt: snapshot.capturedAt.trim(),
    source: snapshot.source,
    host: canonicalHost(snapshot.host),
    os: canonicalOs(snapshot.os),
    ...canonicalFactLists(snapshot),
    warnings: [...new Set(snapshot.warnings.map((w) => w.trim()).filter(Boolean))].sort(compareStrings),
  };
}

// ---------------------------------------------------------------------------------------------
// Fact keys

export interface SplitFactKey {
  category: FactCategory;
  key: string;
}

const CATEGORY_SET: ReadonlySet<string> = new Set(FACT_CATEGORIES);

export const factKey = (category: FactCategory, key: string): string => `${category}:${key}`;

/** `packages:dpkg:openssl:amd64` → `{ category: 'packages', key: 'dpkg:openssl:amd64' }`. */
export function splitFactKey(fullKey: string): SplitFactKey {
  const colon = fullKey.indexOf(':');
  const category = fullKey.slice(0, colon);
  if (colon < 0 || !CATEGORY_SET.has(category)) throw new Error(`"${fullKey}" is not a fact key`);
  return { category: category as FactCategory, key: fullKey.slice(colon + 1) };
}

const FILE_PREFIX = 'files:';
export const isFileKey = (fullKey: string) => fullKey.startsWith(FILE_PREFIX);
export const fileKey = (path: string) => FILE_PREFIX + path;

export const packageKey = (p: Pick<PackageFact, 'manager' | 'name' | 'arch'>) => `packages:${p.manager}:${p.name}:${p.arch}`;
export const serviceEnabledKey = (name: string) => `services:${name}:enabled`;
export const serviceActiveKey = (name: string) => `services:${name}:active`;
export const sysctlKey = (name: string) => `sysctl:${name}`;
export const userKey = (name: string) => `users:${name}`;
export const groupKey = (name: string) => `groups:${name}`;
export const mountKey = (target: string) => `mounts:${target}`;
/** A cron job is known by where it is, whose it is and what it runs; its schedule is the value. */
export const cronKey = (source: string, user: string | undefined, command: string) => `cron:${source}:${user ?? ''}:${command}`;
/** IPv6 addresses are bracketed so the port stays readable: `ports:tcp6:[::]:22`. */
export const portKey = (proto: string, address: string, port: number) =>
  `ports:${proto}:${address.includes(':') ? `[${address}]` : address}:${port}`;

export const OS_FIELDS = ['id', 'versionId', 'kernel', 'arch'] as const;
export type OsField = (typeof OS_FIELDS)[number];
export const osKey = (field: OsField) => `os:${field}`;

// ---------------------------------------------------------------------------------------------
// Fact sets

/**
 * What can be flattened into facts: a snapshot, or the governed facts of one role of an image, where
 * a service may govern only its enabled state and the OS only some fields.
 */
export interface FactSource<S extends ServiceState = ServiceState> {
  os?: Partial<Pick<OsFacts, OsField>>;
  packages: readonly PackageFact[];
  services: readonly S[];
  ports: readonly PortFact[];
  sysctl: Readonly<Record<string, string>>;
  users: readonly UserFact[];
  groups: readonly GroupFact[];
  mounts: readonly MountFact[];
  cron: readonly CronFact[];
  files: readonly FileFact[];
}

export interface ServiceState {
  name: string;
  enabled?: UnitEnabledState;
  active?: UnitActiveState;
}

/** Several values under one key (rpm's parallel kernels, two listeners on one socket) join in sorted order. */
const MULTI_VALUE_SEPARATOR = ' | ';
function mergeValues(existing: string, value: string): string {
  if (existing === value) return existing;
  const values = new Set(existing.split(MULTI_VALUE_SEPARATOR));
  values.add(value);
  return [...values].sort(compareStrings).join(MULTI_VALUE_SEPARATOR);
}

/**
 * Fact keys interned per (manager, arch, name) and per path: thousands of hosts then share one key
 * string instead of each building its own, which saves memory and lets map lookups compare
 * pointers. Bounded, since a long-running process may meet unbounded distinct names.
 */
const INTERNED_LIMIT = 500_000;
let internedCount = 0;
const internedPackageKeys = new Map<string, Map<string, Map<string, string>>>();
const internedFileKeys = new Map<string, string>();

function internedPackageKey(p: PackageFact): string {
  if (internedCount >= INTERNED_LIMIT) {
    internedPackageKeys.clear();
    internedFileKeys.clear();
    internedCount = 0;
  }
  let byArch = internedPackageKeys.get(p.manager);
  if (!byArch) internedPackageKeys.set(p.manager, (byArch = new Map()));
  let byName = byArch.get(p.arch);
  if (!byName) byArch.set(p.arch, (byName = new Map()));
  let key = byName.get(p.name);
  if (key === undefined) {
    byName.set(p.name, (key = packageKey(p)));
    internedCount++;
  }
  return key;
}

function internedFileKey(path: string): string {
  let key = internedFileKeys.get(path);
  if (key === undefined) {
    internedFileKeys.set(path, (key = fileKey(path)));
    internedCount++;
  }
  return key;
}

const fileValue = (sha256: string, f: Pick<FileFact, 'mode' | 'owner' | 'group'>) => `${sha256} ${f.mode} ${f.owner}:${f.group}`;

/** A file as compared: its content with placeholders in, and the hash of that. */
export interface NormalisedFile {
  value: string;
  file: FileFact;
}

/**
 * The flat, comparable view of one host (or image role). `values` maps fact key → value with the
 * host's identity already replaced by placeholders, except for file contents: those are compared by
 * their sha256 first, and templated (and re-hashed) only when that first comparison fails, because
 * scanning every file of every host costs more than everything else together.
 */
export class FactSet {
  readonly values = new Map<string, string>();
  private readonly files = new Map<string, FileFact>();
  private normalisedFiles: Map<string, NormalisedFile> | undefined;

  constructor(
    readonly substitutions: readonly Substitution[],
    private readonly loadContent?: (file: FileFact) => string | undefined,
  ) {}

  get size(): number {
    return this.values.size;
  }

  /** The value to compare after the raw one differed: for a file, that of its normalised content. */
  normalisedValue(fullKey: string): string | undefined {
    return this.files.has(fullKey) ? this.normalisedFile(fullKey)!.value : this.values.get(fullKey);
  }

  /** The file behind a `files:` key, its content normalised (hash and size describe that content). */
  normalisedFile(fullKey: string): NormalisedFile | undefined {
    const cached = this.normalisedFiles?.get(fullKey);
    if (cached) return cached;
    const file = this.files.get(fullKey);
    if (!file) return undefined;
    const text = file.binary || file.truncated ? undefined : (file.content ?? this.loadContent?.(file));
    const content = text === undefined ? undefined : applySubstitutions(text, this.substitutions);
    let normalised: NormalisedFile;
    if (content === undefined || content === text) {
      // Nothing host-specific in it: the raw hash stands; keep a loaded text for diffs.
      normalised = { value: this.values.get(fullKey)!, file: content === undefined || file.content !== undefined ? file : { ...file, content } };
    } else {
      const sha256 = sha256Hex(content);
      normalised = { value: fileValue(sha256, file), file: { ...file, content, sha256, size: utf8Length(content) } };
    }
    (this.normalisedFiles ??= new Map()).set(fullKey, normalised);
    return normalised;
  }

  /** Normalised text of a file, for a diff; undefined for binary, hash-only or absent files. */
  content(fullKey: string): string | undefined {
    return this.normalisedFile(fullKey)?.file.content;
  }

  /** The value as shown to a person: files as `0644 root:root sha256:…` of their normalised content. */
  display(fullKey: string): string | undefined {
    const normalised = this.normalisedFile(fullKey);
    if (!normalised) return this.values.get(fullKey);
    const { mode, owner, group, sha256 } = normalised.file;
    return `${mode} ${owner}:${group} sha256:${sha256}`;
  }

  /** Adds a fact while building; a repeated key merges its values. */
  add(fullKey: string, value: string): void {
    const existing = this.values.get(fullKey);
    this.values.set(fullKey, existing === undefined ? value : mergeValues(existing, value));
  }

  addFile(file: FileFact): void {
    const key = internedFileKey(file.path);
    if (this.files.has(key)) return; // one path, one file: the first wins, as in normaliseSnapshot
    this.files.set(key, file);
    this.values.set(key, fileValue(file.sha256, file));
  }
}

/** Whether two fact sets agree on a key: same value, or (for files) same content once normalised. */
export function factsMatch(a: FactSet, b: FactSet, fullKey: string): boolean {
  const left = a.values.get(fullKey);
  const right = b.values.get(fullKey);
  if (left === right) return true;
  if (left === undefined || right === undefined || !isFileKey(fullKey)) return false;
  return a.normalisedValue(fullKey) === b.normalisedValue(fullKey);
}

/** Flattens any fact source; `substitutions` say which host-specific text becomes placeholders. */
export function factSetOf(
  source: FactSource,
  substitutions: readonly Substitution[] = [],
  loadContent?: (file: FileFact) => string | undefined,
): FactSet {
  const facts = new FactSet(substitutions, loadContent);
  const normalise = (text: string) => (substitutions.length === 0 ? text : applySubstitutions(text, substitutions));
  const values = facts.values;

  if (source.os) for (const field of OS_FIELDS) if (source.os[field] !== undefined) values.set(osKey(field), source.os[field]);

  // The hot loop (thousands of packages per host): no merge lookup unless the previous package
  // had the same identity, which in a canonical snapshot is where a duplicate would be.
  let previous: PackageFact | undefined;
  let previousKey = '';
  for (const p of source.packages) {
    if (previous && previous.name === p.name && previous.manager === p.manager && previous.arch === p.arch) {
      facts.add(previousKey, p.version);
    } else {
      previousKey = internedPackageKey(p);
      values.set(previousKey, p.version);
    }
    previous = p;
  }

  for (const s of source.services) {
    if (s.enabled !== undefined) values.set(serviceEnabledKey(s.name), s.enabled);
    if (s.active !== undefined) values.set(serviceActiveKey(s.name), s.active);
  }
  for (const p of source.ports) facts.add(portKey(p.proto, normalise(p.address), p.port), p.process ?? 'listening');
  for (const name in source.sysctl) values.set(sysctlKey(name), normalise(source.sysctl[name]!));
  for (const u of source.users) values.set(userKey(u.name), `uid=${u.uid} gid=${u.gid} home=${u.home} shell=${u.shell}`);
  for (const g of source.groups) values.set(groupKey(g.name), `gid=${g.gid} members=${g.members.join(',')}`);
  for (const m of source.mounts) facts.add(mountKey(m.target), `${normalise(m.source)} ${m.fstype} ${normalise(m.options)}`);
  for (const c of source.cron) facts.add(cronKey(c.source, c.user, normalise(c.command)), c.schedule);
  for (const f of source.files) facts.addFile(f);
  return facts;
}

const factsCache = new WeakMap<Snapshot, WeakMap<NormaliserContext, FactSet>>();

/**
 * The facts of a snapshot, with the host's own identity (and any context values) normalised to
 * placeholders. Snapshots are immutable, so the result is remembered per snapshot and context object.
 * Expects a canonical snapshot (`normaliseSnapshot`), as the store keeps them.
 */
export function factsOf(snapshot: Snapshot, context: NormaliserContext = DEFAULT_NORMALISER): FactSet {
  let byContext = factsCache.get(snapshot);
  let facts = byContext?.get(context);
  if (facts) return facts;
  facts = factSetOf(snapshot, substitutionsFor(snapshot.host, context), context.loadContent);
  if (!byContext) factsCache.set(snapshot, (byContext = new WeakMap()));
  byContext.set(context, facts);
  return facts;
}
