/**
 * Parses what resources/collector/collect.sh prints (the sectioned text stream, or the JSON wrapper
 * its --json mode writes for air-gapped hosts) into a normalised Snapshot.
 *
 * Structure errors (not collector output at all, an unknown format version, a stray directive)
 * throw; problems inside a section (a malformed line, a missing tool, a cut stream) become
 * warnings, and the facts that could be read are kept. Pure: no I/O, no Node APIs.
 */

import { StagecraftError } from './errors';
import {
  SNAPSHOT_FORMAT,
  SNAPSHOT_FORMAT_VERSION,
  type CronFact,
  type FileFact,
  type GroupFact,
  type MountFact,
  type OsFacts,
  type PackageFact,
  type PortFact,
  type ServiceFact,
  type Snapshot,
  type SnapshotSource,
  type UnitActiveState,
  type UnitEnabledState,
  type UserFact,
} from './facts';

export const COLLECTOR_FORMAT = 'stagecraft.collector';
export const COLLECTOR_FORMAT_VERSION = 1;

const MARK = '@@stagecraft';
const HEADER_PATTERN = /^@@stagecraft collector (\d+)$/;

export interface CollectorParseOptions {
  capturedAt: string;
  source: SnapshotSource;
}

export interface CollectorParseResult {
  snapshot: Snapshot;
  /** Same list as snapshot.warnings: what could not be collected or parsed. */
  warnings: string[];
  /** True when the stream was cut (no end marker): some facts may be missing. */
  partial: boolean;
  /** The collector's own clock (UTC) when it ran, if it said so. */
  collectedAt?: string;
}

/** One source line kept with its 1-based line number, for messages that point at it. */
interface Line {
  no: number;
  text: string;
}

interface Section {
  name: string; // e.g. "packages"
  variant: string; // e.g. "dpkg"; "" when the marker has none
  lines: Line[];
}

interface Stream {
  sections: Section[];
  ended: boolean;
  lastLine: number;
  collectorWarnings: string[];
}

export function parseCollectorOutput(text: string, opts: CollectorParseOptions): CollectorParseResult {
  const stream = splitStream(looksLikeJson(text) ? linesFromJson(text) : linesFromText(text));
  const warnings: string[] = [...stream.collectorWarnings];
  const partial = !stream.ended;
  if (partial) {
    warnings.push(`output is truncated after line ${stream.lastLine} (no end marker): facts may be missing`);
  }
  const find = (name: string): Section[] => stream.sections.filter((s) => s.name === name);
  const first = (name: string): Section | undefined => find(name)[0];
  const requireSection = (name: string): Section | undefined => {
    const section = first(name);
    if (!section) warnings.push(`section "${name}" is missing: its facts were not collected`);
    return section;
  };

  const meta = keyValues(first('meta')?.lines ?? []);
  const os = parseOs(requireSection('os'), requireSection('kernel'), warnings);
  const hostValues = keyValues(requireSection('host')?.lines ?? []);

  const addresses = new Set<string>();
  for (const section of find('addresses')) parseAddresses(section, addresses, warnings);
  const macs = new Set<string>();
  for (const section of find('links')) parseLinks(section, macs);

  const packageSections = find('packages');
  if (packageSections.length === 0) warnings.push('section "packages" is missing: its facts were not collected');
  const packages = packageSections.flatMap((section) => parsePackages(section, warnings));

  const services = parseServices(stream.sections, warnings);

  const portSection = requireSection('ports');
  const ports = portSection ? parsePorts(portSection, warnings) : [];

  const sysctlSection = first('sysctl');
  const sysctl = sysctlSection ? parseSysctl(sysctlSection, warnings) : {};
  if (!sysctlSection) warnings.push('section "sysctl" is missing: its facts were not collected');

  const usersSection = requireSection('users');
  const users = usersSection ? parseUsers(usersSection, warnings) : [];
  const groupsSection = requireSection('groups');
  const groups = groupsSection ? parseGroups(groupsSection, warnings) : [];
  const mountsSection = requireSection('mounts');
  const mounts = mountsSection ? parseMounts(mountsSection, warnings) : [];

  const cronSections = find('cron');
  if (cronSections.length === 0) warnings.push('section "cron" is missing: its facts were not collected');
  const cron = cronSections.flatMap((section) => parseCron(section, warnings));

  const filesSection = requireSection('files');
  const files = filesSection ? parseFiles(filesSection, warnings) : [];

  const fqdn = hostValues.get('fqdn');
  const machineId = hostValues.get('machine_id');
  const hostname = hostValues.get('hostname') ?? '';
  if (!hostname) warnings.push('hostname was not reported');

  const snapshot: Snapshot = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    capturedAt: opts.capturedAt,
    source: opts.source,
    host: {
      hostname,
      // `hostname -f` falls back to the short name when there is no domain: that is no FQDN.
      ...(fqdn && fqdn.includes('.') && fqdn !== 'localhost' ? { fqdn } : {}),
      ...(machineId ? { machineId } : {}),
      addresses: [...addresses].sort(compareText),
      macs: [...macs].sort(compareText),
    },
    os,
    packages: dedupeSorted(packages, (p) => [p.manager, p.name, p.arch, p.version]),
    services: dedupeSorted(services, (s) => [s.name]),
    ports: dedupeSorted(ports, (p) => [p.proto, p.address, String(p.port).padStart(5, '0')]),
    sysctl,
    users: dedupeSorted(users, (u) => [u.name]),
    groups: dedupeSorted(groups, (g) => [g.name]),
    mounts: dedupeSorted(mounts, (m) => [m.target, m.source, m.fstype]),
    cron: dedupeSorted(cron, (c) => [c.source, c.schedule, c.user ?? '', c.command]),
    files: dedupeSorted(files, (f) => [f.path]),
    warnings,
  };
  const collectedAt = meta.get('collected_at');
  return { snapshot, warnings, partial, ...(collectedAt ? { collectedAt } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Stream structure

function looksLikeJson(text: string): boolean {
  return stripBom(text).trimStart().startsWith('{');
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function linesFromText(text: string): string[] {
  const lines = stripBom(text).split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The --json wrapper back into the text stream, so both go through one parser. */
function linesFromJson(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(text));
  } catch (error) {
    throw new StagecraftError(
      'invalid-input',
      `collector JSON is not valid JSON (${(error as Error).message}); was the file cut short?`,
      'Run `sh collect.sh --json … > host.json` again on the host and import the new file.',
    );
  }
  if (!isRecord(doc) || doc.format !== COLLECTOR_FORMAT) {
    throw new StagecraftError('invalid-input', `JSON is not collector output: "format" must be "${COLLECTOR_FORMAT}"`);
  }
  if (doc.version !== COLLECTOR_FORMAT_VERSION) {
    throw unsupportedVersion(String(doc.version));
  }
  if (!isRecord(doc.sections)) {
    throw new StagecraftError('invalid-input', 'collector JSON has no "sections" object');
  }
  const lines = [`${MARK} collector ${COLLECTOR_FORMAT_VERSION}`];
  for (const [name, sectionLines] of Object.entries(doc.sections)) {
    if (!Array.isArray(sectionLines) || !sectionLines.every((l) => typeof l === 'string' && !/[\r\n]/.test(l))) {
      throw new StagecraftError('invalid-input', `collector JSON section "${name}" must be an array of single-line strings`);
    }
    // The wrapper has no marker for text before the first section; the collector never prints any.
    if (name !== 'preamble') lines.push(`${MARK} section ${name}`);
    lines.push(...(sectionLines as string[]));
  }
  return lines;
}

function splitStream(lines: string[]): Stream {
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (firstIndex < 0) {
    throw new StagecraftError('invalid-input', 'collector output is empty', 'Did collect.sh run? Look at its error output.');
  }
  const header = (lines[firstIndex] ?? '').trim();
  const headerMatch = HEADER_PATTERN.exec(header);
  if (!headerMatch) {
    throw new StagecraftError(
      'invalid-input',
      `line ${firstIndex + 1} is not collector output: expected "${MARK} collector ${COLLECTOR_FORMAT_VERSION}", got "${excerpt(header)}"`,
      'Import the output of resources/collector/collect.sh (text or --json), unmodified.',
    );
  }
  if (Number(headerMatch[1]) !== COLLECTOR_FORMAT_VERSION) throw unsupportedVersion(headerMatch[1] ?? '');

  const stream: Stream = { sections: [], ended: false, lastLine: firstIndex + 1, collectorWarnings: [] };
  let current: Section | undefined;
  for (let i = firstIndex + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const no = i + 1;
    stream.lastLine = no;
    if (stream.ended) {
      if (text.trim() !== '') stream.collectorWarnings.push(`line ${no}: ignored text after the end marker`);
      continue;
    }
    if (text.startsWith(MARK)) {
      const directive = text.slice(MARK.length);
      if (directive.startsWith(' section ')) {
        const [name = '', variant = ''] = directive.slice(' section '.length).trim().split(/\s+/, 2);
        if (!/^[a-z][a-z0-9-]*$/.test(name)) {
          throw new StagecraftError('invalid-input', `line ${no}: malformed section marker "${excerpt(text)}"`);
        }
        current = { name, variant, lines: [] };
        stream.sections.push(current);
      } else if (directive.startsWith(' warning ')) {
        stream.collectorWarnings.push(`collector: ${directive.slice(' warning '.length).trim()}`);
      } else if (directive.trim() === 'end') {
        stream.ended = true;
      } else {
        throw new StagecraftError('invalid-input', `line ${no}: unknown collector directive "${excerpt(text)}"`);
      }
      continue;
    }
    if (!current) {
      if (text.trim() === '') continue;
      throw new StagecraftError('invalid-input', `line ${no}: text outside any section: "${excerpt(text)}"`);
    }
    current.lines.push({ no, text });
  }
  return stream;
}

function unsupportedVersion(version: string): StagecraftError {
  return new StagecraftError(
    'unsupported',
    `collector output format version ${version} is not supported (this Stagecraft reads version ${COLLECTOR_FORMAT_VERSION})`,
    'Use the collect.sh shipped with this version of Stagecraft.',
  );
}

function excerpt(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}

// ---------------------------------------------------------------------------------------------
// Identity and OS

function keyValues(lines: Line[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const { text } of lines) {
    const eq = text.indexOf('=');
    if (eq > 0) values.set(text.slice(0, eq).trim(), text.slice(eq + 1).trim());
  }
  return values;
}

/** os-release values: unquoted, 'single' or "double" quoted with backslash escapes. */
function parseOsRelease(lines: Line[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const { text } of lines) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(text);
    if (!match) continue;
    const key = match[1] ?? '';
    let value = (match[2] ?? '').trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    } else if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1);
    }
    values.set(key, value);
  }
  return values;
}

function parseOs(osSection: Section | undefined, kernelSection: Section | undefined, warnings: string[]): OsFacts {
  const release = parseOsRelease(osSection?.lines ?? []);
  const [kernel = '', arch = ''] = (kernelSection?.lines.find((l) => l.text.trim() !== '')?.text ?? '').trim().split(/\s+/);
  if (osSection && !release.get('ID')) warnings.push('os-release has no ID');
  if (kernelSection && (!kernel || !arch)) warnings.push('kernel release or machine architecture was not reported');
  const prettyName = release.get('PRETTY_NAME');
  return {
    id: release.get('ID') || 'unknown',
    // Rolling releases (Debian testing, Arch) have no VERSION_ID.
    versionId: release.get('VERSION_ID') ?? release.get('VERSION_CODENAME') ?? '',
    ...(prettyName ? { prettyName } : {}),
    kernel,
    arch,
  };
}

function isLoopbackOrLinkLocal(address: string): boolean {
  const lower = address.toLowerCase();
  return lower.startsWith('127.') || lower === '::1' || /^fe[89ab][0-9a-f]:/.test(lower);
}

function parseAddresses(section: Section, addresses: Set<string>, warnings: string[]): void {
  for (const { no, text } of section.lines) {
    if (section.variant === 'hostname') {
      for (const address of text.trim().split(/\s+/)) {
        if (address && !isLoopbackOrLinkLocal(address)) addresses.add(address);
      }
      continue;
    }
    // ip -o addr: "4: eth0    inet 192.0.2.2/24 brd … scope global eth0\ …"
    const match = /^\d+:\s+(\S+)\s+inet6?\s+([0-9A-Fa-f.:]+)(?:\/\d+)?\s/.exec(text);
    if (!match) {
      if (text.trim()) warnings.push(`line ${no}: unrecognised address line`);
      continue;
    }
    const address = match[2] ?? '';
    if (match[1] !== 'lo' && !isLoopbackOrLinkLocal(address)) addresses.add(address);
  }
}

function parseLinks(section: Section, macs: Set<string>): void {
  for (const { text } of section.lines) {
    let name = '';
    let mac = '';
    if (section.variant === 'ip') {
      const match = /^\d+:\s+([^:@\s]+)[^]*?link\/\S+\s+([0-9a-fA-F:]+)/.exec(text);
      name = match?.[1] ?? '';
      mac = match?.[2] ?? '';
    } else {
      [name = '', mac = ''] = text.trim().split(/\s+/);
    }
    mac = mac.toLowerCase();
    // Loopback and tunnels have no real hardware address.
    if (name === 'lo' || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac) || mac === '00:00:00:00:00:00') continue;
    macs.add(mac);
  }
}

// ---------------------------------------------------------------------------------------------
// Packages

const DPKG_STATUS_NAMES: Record<string, string> = {
  U: 'unpacked',
  F: 'half-configured',
  H: 'half-installed',
  W: 'triggers-awaited',
  t: 'triggers-pending',
};

function parsePackages(section: Section, warnings: string[]): PackageFact[] {
  switch (section.variant) {
    case 'dpkg':
      return parseDpkg(section.lines, warnings);
    case 'rpm':
      return parseRpm(section.lines, warnings);
    case 'apk-db':
      return parseApkDatabase(section.lines);
    case 'apk-info':
      return parseApkInfo(section.lines, warnings);
    default:
      warnings.push(`packages from an unknown tool "${section.variant}" were ignored`);
      return [];
  }
}

function parseDpkg(lines: Line[], warnings: string[]): PackageFact[] {
  const packages: PackageFact[] = [];
  for (const { no, text } of lines) {
    const [name = '', version = '', arch = '', status = ''] = text.split('\t');
    if (!name || !version || status.length < 2) {
      if (text.trim()) warnings.push(`line ${no}: malformed dpkg-query line`);
      continue;
    }
    const state = status[1] ?? '';
    // "n" (not installed) and "c" (only configuration files left) are not installed packages.
    if (state === 'n' || state === 'c') continue;
    if (state !== 'i') warnings.push(`package ${name} is ${DPKG_STATUS_NAMES[state] ?? `in dpkg state "${status.trim()}"`}`);
    packages.push({ manager: 'dpkg', name, version, arch });
  }
  return packages;
}

function parseRpm(lines: Line[], warnings: string[]): PackageFact[] {
  const packages: PackageFact[] = [];
  for (const { no, text } of lines) {
    const [name = '', version = '', arch = ''] = text.split('\t');
    if (!name || !version) {
      if (text.trim()) warnings.push(`line ${no}: malformed rpm line`);
      continue;
    }
    // gpg-pubkey pseudo-packages have no architecture: rpm prints "(none)".
    packages.push({ manager: 'rpm', name, version, arch: arch === '(none)' ? '' : arch });
  }
  return packages;
}

function parseApkDatabase(lines: Line[]): PackageFact[] {
  const packages: PackageFact[] = [];
  let current: PackageFact | undefined;
  for (const { text } of lines) {
    const key = text.slice(0, 2);
    const value = text.slice(2).trim();
    if (key === 'P:') {
      current = { manager: 'apk', name: value, version: '', arch: '' };
      packages.push(current);
    } else if (current && key === 'V:') {
      current.version = value;
    } else if (current && key === 'A:') {
      current.arch = value;
    }
  }
  return packages.filter((p) => p.name && p.version);
}

function parseApkInfo(lines: Line[], warnings: string[]): PackageFact[] {
  const packages: PackageFact[] = [];
  for (const { no, text } of lines) {
    // "musl-1.2.4-r2": the version is the last two dash-separated parts (version and -rN).
    const match = /^(.+)-([^-]+-r\d+)$/.exec(text.trim());
    if (!match) {
      if (text.trim()) warnings.push(`line ${no}: malformed apk line`);
      continue;
    }
    packages.push({ manager: 'apk', name: match[1] ?? '', version: match[2] ?? '', arch: '' });
  }
  return packages;
}

// ---------------------------------------------------------------------------------------------
// Services

const ACTIVE_STATES: Record<string, UnitActiveState> = {
  active: 'active',
  reloading: 'active',
  refreshing: 'active',
  inactive: 'inactive',
  failed: 'failed',
  activating: 'activating',
  deactivating: 'deactivating',
};

const OPENRC_STATES: Record<string, UnitActiveState> = {
  started: 'active',
  stopped: 'inactive',
  crashed: 'failed',
  starting: 'activating',
  stopping: 'deactivating',
  inactive: 'inactive',
};

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirName(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** "getty@tty1.service" → "getty@.service"; undefined for a non-instance. */
function templateOf(unit: string): string | undefined {
  const match = /^([^@]+)@[^@]+(\.[a-z]+)$/.exec(unit);
  return match ? `${match[1]}@${match[2]}` : undefined;
}

function parseServices(sections: Section[], warnings: string[]): ServiceFact[] {
  const byName = (name: string, variant: string) =>
    sections.filter((s) => s.name === name && s.variant === variant).flatMap((s) => s.lines);
  if (sections.some((s) => s.name === 'units' && s.variant === 'systemd')) {
    return parseSystemdServices(byName('units', 'systemd'), byName('unit-files', 'systemd'), byName('unit-install', 'systemd'), warnings);
  }
  if (sections.some((s) => s.name === 'services' && s.variant === 'openrc')) {
    return parseOpenrcServices(byName('services', 'openrc'), byName('service-scripts', 'openrc'));
  }
  if (sections.some((s) => s.name === 'service-scripts' && s.variant === 'sysv')) {
    return parseSysvServices(byName('service-scripts', 'sysv'));
  }
  warnings.push('services were not collected (no systemd, openrc or init.d section)');
  return [];
}

type UnitFileKind = 'file' | 'link' | 'masked';

function parseSystemdServices(unitLines: Line[], fileLines: Line[], installLines: Line[], warnings: string[]): ServiceFact[] {
  // First directory wins, as on systemd's search path (the collector lists /etc first).
  const unitFiles = new Map<string, { kind: UnitFileKind; path: string }>();
  const wanted = new Set<string>();
  for (const { no, text } of fileLines) {
    const [kind = '', path = ''] = text.split('\t');
    if (!path) {
      warnings.push(`line ${no}: malformed unit file line`);
      continue;
    }
    const name = baseName(path);
    if (kind === 'wants') wanted.add(name);
    else if ((kind === 'file' || kind === 'link' || kind === 'masked') && !unitFiles.has(name)) unitFiles.set(name, { kind, path });
  }
  const withInstallSection = new Set(installLines.map((l) => l.text.trim()).filter(Boolean));

  const enabledState = (name: string): UnitEnabledState => {
    const template = templateOf(name);
    const file = unitFiles.get(name) ?? (template ? unitFiles.get(template) : undefined);
    if (file?.kind === 'masked') return 'masked';
    if (wanted.has(name)) return 'enabled';
    if (!file) return 'unknown';
    if (file.kind === 'link') return 'alias';
    if (dirName(file.path).startsWith('/run/systemd/generator')) return 'generated';
    return withInstallSection.has(file.path) ? 'disabled' : 'static';
  };

  const services = new Map<string, ServiceFact>();
  for (const { no, text } of unitLines) {
    // --plain drops the status bullet; old systemd versions may still print one.
    const fields = text.replace(/^[\s●*]+/, '').split(/\s+/);
    const [name = '', load = '', active = ''] = fields;
    if (!name.endsWith('.service') || !load) {
      if (text.trim()) warnings.push(`line ${no}: unrecognised systemctl line`);
      continue;
    }
    // Units referenced by others but not installed anywhere are not facts of this host.
    if (load === 'not-found') continue;
    services.set(name, {
      name,
      enabled: load === 'masked' ? 'masked' : enabledState(name),
      active: ACTIVE_STATES[active] ?? 'unknown',
    });
  }
  // Installed units that are not loaded right now are inactive services all the same.
  for (const [name, file] of unitFiles) {
    if (services.has(name) || file.kind === 'link' || name.includes('@.')) continue;
    services.set(name, { name, enabled: enabledState(name), active: 'inactive' });
  }
  return [...services.values()];
}

function initScriptName(path: string): string | undefined {
  const name = baseName(path);
  // Helpers that live in /etc/init.d but are not services.
  if (['README', 'skeleton', 'rc', 'rcS', 'functions.sh'].includes(name) || name.startsWith('.')) return undefined;
  return name;
}

function parseOpenrcServices(statusLines: Line[], scriptLines: Line[]): ServiceFact[] {
  const active = new Map<string, UnitActiveState>();
  for (const { text } of statusLines) {
    const match = /^\s*(\S+)\s+\[\s*([a-z]+)\s*\]/.exec(text);
    if (match) active.set(match[1] ?? '', OPENRC_STATES[match[2] ?? ''] ?? 'unknown');
  }
  const scripts = new Set<string>();
  const enabled = new Set<string>();
  for (const { text } of scriptLines) {
    const path = text.trim();
    const name = initScriptName(path);
    if (!name) continue;
    if (path.startsWith('/etc/runlevels/')) enabled.add(name);
    else scripts.add(name);
  }
  for (const name of active.keys()) scripts.add(name);
  return [...scripts].map((name) => ({
    name,
    enabled: enabled.has(name) ? 'enabled' : 'disabled',
    active: active.get(name) ?? 'unknown',
  }));
}

function parseSysvServices(scriptLines: Line[]): ServiceFact[] {
  const scripts = new Set<string>();
  const enabled = new Set<string>();
  for (const { text } of scriptLines) {
    const path = text.trim();
    const rcLink = /^\/etc\/rc[0-6S]\.d\/S\d*(.+)$/.exec(path);
    if (rcLink) {
      enabled.add(rcLink[1] ?? '');
      continue;
    }
    const name = initScriptName(path);
    if (name) scripts.add(name);
  }
  // Running state would need each script's "status" verb, which the collector does not run.
  return [...scripts].map((name) => ({ name, enabled: enabled.has(name) ? 'enabled' : 'disabled', active: 'unknown' }));
}

// ---------------------------------------------------------------------------------------------
// Ports

/** "0.0.0.0:22", "[::]:22", "127.0.0.53%lo:53", "*:22", ":::22" → address and port. */
function splitHostPort(endpoint: string): { address: string; port: number } | undefined {
  const colon = endpoint.lastIndexOf(':');
  if (colon < 0) return undefined;
  let address = endpoint.slice(0, colon);
  const port = Number(endpoint.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  return { address, port };
}

function protoFor(base: string, address: string): PortFact['proto'] | undefined {
  if (base !== 'tcp' && base !== 'udp') return undefined;
  const v6 = address.includes(':') || address === '*';
  return v6 ? (`${base}6` as PortFact['proto']) : base;
}

function parsePorts(section: Section, warnings: string[]): PortFact[] {
  const ports: PortFact[] = [];
  for (const { no, text } of section.lines) {
    const fields = text.trim().split(/\s+/);
    if (fields.length === 0 || fields[0] === '') continue;
    let proto: PortFact['proto'] | undefined;
    let endpoint: { address: string; port: number } | undefined;
    let process: string | undefined;
    if (section.variant === 'ss') {
      // Netid State Recv-Q Send-Q Local Peer [Process]
      if (fields[0] === 'Netid') continue;
      endpoint = splitHostPort(fields[4] ?? '');
      proto = endpoint ? protoFor(fields[0] ?? '', endpoint.address) : undefined;
      process = /users:\(\("([^"]+)"/.exec(text)?.[1];
    } else if (section.variant === 'netstat') {
      // Proto Recv-Q Send-Q Local Foreign [State] PID/Program
      const netProto = fields[0] ?? '';
      if (!/^(tcp|udp)6?$/.test(netProto)) continue;
      endpoint = splitHostPort(fields[3] ?? '');
      const program = fields[netProto.startsWith('tcp') ? 6 : 5] ?? '';
      const slash = program.indexOf('/');
      // netstat cuts long names ("sshd: /usr/sb"): keep the command name only.
      process = slash >= 0 ? program.slice(slash + 1).replace(/:$/, '') || undefined : undefined;
      proto = endpoint ? protoFor(netProto.replace('6', ''), netProto.endsWith('6') ? '::' : endpoint.address) : undefined;
    } else if (section.variant === 'proc') {
      // "tcp6 00000000000000000000000000000000:0016" from /proc/net/*
      const procProto = fields[0] ?? '';
      const [hexAddress = '', hexPort = ''] = (fields[1] ?? '').split(':');
      const address = decodeProcAddress(hexAddress);
      const port = parseInt(hexPort, 16);
      if (address !== undefined && Number.isInteger(port)) endpoint = { address, port };
      proto = /^(tcp|udp)6?$/.test(procProto) ? (procProto as PortFact['proto']) : undefined;
    } else {
      warnings.push(`ports from an unknown tool "${section.variant}" were ignored`);
      return [];
    }
    if (!proto || !endpoint) {
      warnings.push(`line ${no}: unrecognised listening socket line`);
      continue;
    }
    ports.push({ proto, address: endpoint.address, port: endpoint.port, ...(process ? { process } : {}) });
  }
  return ports;
}

/** /proc/net addresses are 32-bit words in host (little-endian) byte order. */
function decodeProcAddress(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(hex.slice(word + b, word + b + 2), 16));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}`;
}

// ---------------------------------------------------------------------------------------------
// sysctl (configured values)

const SYSCTL_DIRECTORIES = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

/**
 * The value each key gets when `sysctl --system` / systemd-sysctl applies the files: a file name in
 * an earlier directory hides the same name in later ones, files apply in name order, later
 * assignments win, and /etc/sysctl.conf applies last.
 */
function parseSysctl(section: Section, warnings: string[]): Record<string, string> {
  const linesByFile = new Map<string, Line[]>();
  for (const line of section.lines) {
    const tab = line.text.indexOf('\t');
    if (tab <= 0) {
      warnings.push(`line ${line.no}: malformed sysctl line`);
      continue;
    }
    const path = line.text.slice(0, tab);
    const list = linesByFile.get(path) ?? [];
    list.push({ no: line.no, text: line.text.slice(tab + 1) });
    linesByFile.set(path, list);
  }
  const chosenByName = new Map<string, string>();
  const rank = (path: string) => {
    const index = SYSCTL_DIRECTORIES.indexOf(dirName(path));
    return index < 0 ? SYSCTL_DIRECTORIES.length : index;
  };
  for (const path of linesByFile.keys()) {
    if (path === '/etc/sysctl.conf') continue;
    const name = baseName(path);
    const chosen = chosenByName.get(name);
    if (chosen === undefined || rank(path) < rank(chosen)) chosenByName.set(name, path);
  }
  const order = [...chosenByName.keys()].sort(compareText).map((name) => chosenByName.get(name) ?? '');
  if (linesByFile.has('/etc/sysctl.conf')) order.push('/etc/sysctl.conf');

  const values = new Map<string, string>();
  for (const path of order) {
    for (const { no, text } of linesByFile.get(path) ?? []) {
      const eq = text.indexOf('=');
      if (eq < 0) {
        warnings.push(`line ${no}: no "=" in ${path}: ${excerpt(text.trim())}`);
        continue;
      }
      // A leading "-" only tells sysctl to ignore failures; "/" may separate components.
      let key = text.slice(0, eq).trim().replace(/^-/, '');
      if (key.includes('/') && (key.indexOf('/') < key.indexOf('.') || !key.includes('.'))) {
        key = key.replace(/[/.]/g, (c) => (c === '/' ? '.' : '/'));
      }
      if (key) values.set(key, text.slice(eq + 1).trim());
    }
  }
  const sorted: Record<string, string> = {};
  for (const key of [...values.keys()].sort(compareText)) sorted[key] = values.get(key) ?? '';
  return sorted;
}

// ---------------------------------------------------------------------------------------------
// Accounts, mounts, cron

function parseUsers(section: Section, warnings: string[]): UserFact[] {
  const users: UserFact[] = [];
  for (const { no, text } of section.lines) {
    const fields = text.split(':');
    const [name = '', uid = '', gid = ''] = fields;
    if (fields.length !== 5 || !name || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) {
      if (text.trim()) warnings.push(`line ${no}: malformed passwd entry`);
      continue;
    }
    users.push({ name, uid: Number(uid), gid: Number(gid), home: fields[3] ?? '', shell: fields[4] ?? '' });
  }
  return users;
}

function parseGroups(section: Section, warnings: string[]): GroupFact[] {
  const groups: GroupFact[] = [];
  for (const { no, text } of section.lines) {
    const fields = text.split(':');
    const [name = '', gid = '', members = ''] = fields;
    if (fields.length !== 3 || !name || !/^\d+$/.test(gid)) {
      if (text.trim()) warnings.push(`line ${no}: malformed group entry`);
      continue;
    }
    groups.push({ name, gid: Number(gid), members: members.split(',').filter(Boolean).sort(compareText) });
  }
  return groups;
}

/** /proc/mounts escapes space, tab, newline and backslash as \040, \011, \012, \134. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * An overlay's lowerdir/upperdir/workdir are paths on the machine that runs the container, not
 * configuration of the host: every container would differ from every other by them alone.
 */
function withoutOverlayLayers(options: string): string {
  return options
    .split(',')
    .filter((option) => !/^(lowerdir|upperdir|workdir)=/.test(option))
    .join(',');
}

function parseMounts(section: Section, warnings: string[]): MountFact[] {
  const mounts: MountFact[] = [];
  for (const { no, text } of section.lines) {
    const fields = text.trim().split(/\s+/);
    if (fields.length < 4) {
      if (text.trim()) warnings.push(`line ${no}: malformed mount line`);
      continue;
    }
    const [source = '', target = '', fstype = '', options = ''] = fields.map(unescapeMountField);
    mounts.push({ source, target, fstype, options: fstype === 'overlay' ? withoutOverlayLayers(options) : options });
  }
  return mounts;
}

const PERIODIC_SCHEDULES: Record<string, string> = {
  '/etc/cron.hourly': '@hourly',
  '/etc/cron.daily': '@daily',
  '/etc/cron.weekly': '@weekly',
  '/etc/cron.monthly': '@monthly',
};

function parseCron(section: Section, warnings: string[]): CronFact[] {
  const jobs: CronFact[] = [];
  for (const { no, text } of section.lines) {
    if (section.variant === 'periodic') {
      const path = text.trim();
      const schedule = PERIODIC_SCHEDULES[dirName(path)];
      if (schedule) jobs.push({ source: dirName(path), schedule, user: 'root', command: path });
      continue;
    }
    const tab = text.indexOf('\t');
    if (tab <= 0) {
      warnings.push(`line ${no}: malformed crontab line`);
      continue;
    }
    const path = text.slice(0, tab);
    const entry = text.slice(tab + 1).trim();
    // Environment assignments (SHELL=, PATH=, MAILTO=) are not jobs.
    if (/^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(entry)) continue;
    const withUser = section.variant !== 'user';
    const fields = entry.split(/\s+/);
    const scheduleFields = fields[0]?.startsWith('@') ? 1 : 5;
    const commandStart = scheduleFields + (withUser ? 1 : 0);
    if (fields.length <= commandStart) {
      warnings.push(`line ${no}: incomplete cron entry in ${path}`);
      continue;
    }
    const user = withUser ? (fields[scheduleFields] ?? '') : baseName(path);
    jobs.push({
      source: withUser ? path : `crontab:${user}`,
      schedule: fields.slice(0, scheduleFields).join(' '),
      user,
      command: fields.slice(commandStart).join(' '),
    });
  }
  return jobs;
}

// ---------------------------------------------------------------------------------------------
// Watched files

interface FileRecord {
  path: string;
  size?: number;
  mode?: string;
  owner?: string;
  group?: string;
  sha256?: string;
  contentSize?: number;
  contentBase64?: string[];
  skipped?: string;
}

/** sha256sum escapes a name containing "\" or a newline and marks the line with a leading "\". */
function parseHashLine(line: string): { sha256: string; path: string } | undefined {
  const escaped = line.startsWith('\\');
  const match = /^([0-9a-f]{64}) [ *](.*)$/.exec(escaped ? line.slice(1) : line);
  if (!match) return undefined;
  let path = match[2] ?? '';
  if (escaped) path = path.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
  return { sha256: match[1] ?? '', path };
}

function parseFiles(section: Section, warnings: string[]): FileFact[] {
  const records = new Map<string, FileRecord>();
  const record = (path: string): FileRecord => {
    let r = records.get(path);
    if (!r) {
      r = { path };
      records.set(path, r);
    }
    return r;
  };
  let receiving: FileRecord | undefined;
  for (const { no, text } of section.lines) {
    if (!text.includes('\t')) {
      // Base64 lines of the file whose "content" header came last.
      if (receiving && /^[A-Za-z0-9+/=]*$/.test(text)) receiving.contentBase64?.push(text);
      else if (text.trim()) warnings.push(`line ${no}: unexpected text in the files section`);
      continue;
    }
    receiving = undefined;
    const fields = text.split('\t');
    const tag = fields[0];
    if (tag === 'stat' && fields.length >= 6) {
      const r = record(fields.slice(5).join('\t'));
      r.size = Number(fields[1]);
      r.mode = (fields[2] ?? '').padStart(4, '0');
      r.owner = fields[3] ?? '';
      r.group = fields[4] ?? '';
    } else if (tag === 'sha256') {
      const hash = parseHashLine(fields.slice(1).join('\t'));
      if (hash) record(hash.path).sha256 = hash.sha256;
      else warnings.push(`line ${no}: malformed sha256 line`);
    } else if (tag === 'content' && fields.length >= 3) {
      receiving = record(fields.slice(2).join('\t'));
      receiving.contentSize = Number(fields[1]);
      receiving.contentBase64 = [];
    } else if (tag === 'skipped' && fields.length >= 3) {
      const reason = fields[1] ?? '';
      const path = fields.slice(2).join('\t');
      record(path).skipped = reason;
      if (reason === 'total-limit') warnings.push(`${path}: content not captured, the total content cap was reached`);
    } else if (tag === 'capped') {
      warnings.push(`watched files capped at ${fields[2] ?? '?'} files (${fields[1] ?? 'limit'}): some matches were not collected`);
    } else if (tag === 'unreadable') {
      warnings.push(`${fields.slice(1).join('\t')}: not readable by the collecting user`);
    } else if (tag === 'excluded' || tag === 'nomatch' || tag === 'limits') {
      // excluded: password databases are never read; nomatch: a glob matched nothing.
    } else {
      warnings.push(`line ${no}: unrecognised files line "${excerpt(text)}"`);
    }
  }

  const files: FileFact[] = [];
  for (const r of records.values()) {
    if (r.sha256 === undefined || r.size === undefined || !Number.isFinite(r.size)) {
      warnings.push(`${r.path}: metadata or hash missing, file left out`);
      continue;
    }
    const fact: FileFact = {
      path: r.path,
      sha256: r.sha256,
      size: r.size,
      mode: r.mode ?? '',
      owner: r.owner ?? '',
      group: r.group ?? '',
    };
    if (r.skipped) {
      // Over the per-file or total limit, or a private key: compared by hash only.
      fact.truncated = true;
    } else if (r.contentBase64) {
      const bytes = decodeBase64(r.contentBase64.join(''));
      if (!bytes || bytes.length !== r.contentSize || bytes.length !== r.size) {
        warnings.push(`${r.path}: captured content is incomplete, compared by hash only`);
        fact.truncated = true;
      } else {
        const content = decodeUtf8Text(bytes);
        if (content === undefined) fact.binary = true;
        else fact.content = content;
      }
    } else {
      warnings.push(`${r.path}: content missing from the output, compared by hash only`);
      fact.truncated = true;
    }
    files.push(fact);
  }
  return files;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES: Record<string, number> = Object.fromEntries([...BASE64_ALPHABET].map((c, i) => [c, i]));

/** Strict base64 (padding required) to bytes; undefined when malformed. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let out = 0;
  for (let i = 0; i < text.length; i += 4) {
    let chunk = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j] ?? '';
      const isPad = c === '=' && i + 4 === text.length && j >= 4 - padding;
      const value = isPad ? 0 : BASE64_VALUES[c];
      if (value === undefined) return undefined;
      chunk = (chunk << 6) | value;
    }
    for (let shift = 16; shift >= 0 && out < bytes.length; shift -= 8) bytes[out++] = (chunk >> shift) & 0xff;
  }
  return bytes;
}

/** Text when the bytes are valid UTF-8 without NUL; undefined for binary content. */
export function decodeUtf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Sorting

/** Code-unit order: the same everywhere, whatever the machine's locale (unlike localeCompare). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dedupeSorted<T>(items: T[], key: (item: T) => string[]): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item).join('\u0000');
    if (!byKey.has(k)) byKey.set(k, item);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareText(a, b)).map(([, item]) => item);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
