/**
 * The promotion planner: what each host of the target stage must do to run an image, step by step,
 * in a safe order. Pure: it reads the image and each host's latest snapshot, changes nothing.
 *
 * Scope: only what the image governs (its categories and file paths, minus the keys its role left
 * ungoverned, minus ignore rules). A host that already matches has no steps.
 *
 * Order of the steps on a host (decided here):
 *   1. packages — installs and upgrades first (alphabetical), then downgrades, then removals. New
 *      and newer packages go in before anything is taken away, so a replacement (mariadb for mysql)
 *      is in place before its predecessor leaves, and nothing the image needs disappears midway.
 *      A package that conflicts with one being installed is removed by the package manager itself
 *      (apt resolves Conflicts); the explicit removals last are the extras the image does not have.
 *   2. files — writes (alphabetical), then removals; then `daemon-reload` when a unit file changed.
 *   3. sysctl — `sysctl --system` when a sysctl.d file changed, then each value set live.
 *   4. services — enable, disable, mask (boot state), then stop, then start.
 *   5. restarts — active services reading a file that changed and not already (re)started above.
 *   6. manual — governed differences the planner cannot apply by itself (users, groups, mounts,
 *      cron, ports, OS fields, unit states like `static`, extra services): listed, never dropped.
 * A reboot is not a step but a flag with its reasons (kernel, libc, systemd changed; or the running
 * kernel differs from the image's).
 *
 * Extras: a governed package or file the host has and the image lacks is removed (drift calls it
 * "extra"; zero entropy means it goes); `removeExtras: false` turns that off. Extra services are
 * listed as manual steps rather than disabled: they usually leave with their package.
 */
import type { FactCategory, FileFact, PackageFact, PackageManager, Snapshot } from './facts';
import { FACT_CATEGORIES } from './facts';
import { globMatch } from './glob';
import { ignoreMatcher, type IgnoreRule } from './ignore';
import { governanceFilter, imageRoleFacts, type ImageContent, type RoleFacts } from './image';
import { factsMatch, factsOf, fileKey, packageKey, serviceActiveKey, serviceEnabledKey, splitFactKey, sysctlKey, type FactSet } from './normalise';
import { DEFAULT_NORMALISER, renderPlaceholders, type NormaliserContext } from './placeholders';
import { severityClassifier, severityRank, type Severity, type SeverityRule } from './severity';
import { debianVersionChange, type VersionChange } from './versions';

// ---------------------------------------------------------------------------------------------
// Steps

/** How two versions were ordered: dpkg's own rules, or a plain segment-by-segment comparison (rpm, apk). */
export type VersionComparison = 'dpkg' | 'plain';

export interface PackageStep {
  kind: 'package';
  action: 'install' | 'upgrade' | 'downgrade' | 'remove';
  manager: PackageManager;
  name: string;
  arch: string;
  from?: string;
  to?: string;
  /** For upgrades and downgrades. */
  comparison?: VersionComparison;
  severity: Severity;
  /** Anything the reader should know, e.g. that rpm versions were compared approximately. */
  note?: string;
}

export type FileChange = 'created' | 'content' | 'mode' | 'owner';

export interface FileStep {
  kind: 'file';
  action: 'write' | 'remove';
  path: string;
  mode?: string;
  owner?: string;
  group?: string;
  /** The new text, placeholders rendered for this host; absent when the image knows the file by hash only. */
  content?: string;
  sha256?: string;
  /** The current text: null when the file does not exist on the host, absent when it is not known (binary, or loaded without content). */
  previous?: string | null;
  previousMode?: string;
  previousOwner?: string;
  /** What differs (for writes). */
  changes: FileChange[];
  severity: Severity;
  note?: string;
}

export interface DaemonReloadStep {
  kind: 'daemon-reload';
  /** The unit files that changed. */
  because: string[];
  severity: Severity;
}

export interface SysctlReloadStep {
  kind: 'sysctl-reload';
  /** The sysctl.conf / sysctl.d files that changed. */
  because: string[];
  severity: Severity;
}

export interface SysctlStep {
  kind: 'sysctl';
  key: string;
  from?: string;
  to: string;
  severity: Severity;
}

export interface ServiceStep {
  kind: 'service';
  action: 'enable' | 'disable' | 'mask' | 'stop' | 'start' | 'restart';
  name: string;
  /** For restarts: the changed files it reads. */
  because?: string[];
  severity: Severity;
}

export interface ManualStep {
  kind: 'manual';
  category: FactCategory;
  key: string;
  expected?: string;
  actual?: string;
  why: string;
  severity: Severity;
}

export type PlanStep = PackageStep | FileStep | DaemonReloadStep | SysctlReloadStep | SysctlStep | ServiceStep | ManualStep;

/** A short label for counting, e.g. "package upgrade", "file write", "service restart", "sysctl". */
export function stepLabel(step: PlanStep): string {
  switch (step.kind) {
    case 'package':
    case 'file':
    case 'service':
      return `${step.kind} ${step.action}`;
    default:
      return step.kind;
  }
}

/** One line a person reads. */
export function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'package': {
      const what = `${step.name}${step.arch && step.arch !== 'all' && step.arch !== 'noarch' ? `:${step.arch}` : ''}`;
      if (step.action === 'install') return `install ${what} ${step.to}`;
      if (step.action === 'remove') return `remove ${what} ${step.from}`;
      return `${step.action} ${what} ${step.from} → ${step.to}`;
    }
    case 'file':
      return step.action === 'remove' ? `remove ${step.path}` : `write ${step.path} (${step.changes.join(', ')})`;
    case 'daemon-reload':
      return `systemctl daemon-reload (${step.because.join(', ')} changed)`;
    case 'sysctl-reload':
      return `sysctl --system (${step.because.join(', ')} changed)`;
    case 'sysctl':
      return `sysctl ${step.key} = ${step.to}${step.from === undefined ? '' : ` (was ${step.from})`}`;
    case 'service':
      return `${step.action} ${step.name}${step.because ? ` (${step.because.join(', ')} changed)` : ''}`;
    case 'manual':
      return `by hand: ${step.category} ${step.key}: ${step.why}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Versions

/**
 * A plain ordering for managers whose own rules are not implemented (rpm, apk): runs of digits
 * compared as numbers, runs of letters as text, separators ignored; a `~` sorts first. Close to
 * rpmvercmp for ordinary versions, not exact for every corner (epochs are compared when written).
 */
export function comparePlainVersions(a: string, b: string): number {
  const epoch = (v: string) => {
    const m = /^(\d+):(.*)$/.exec(v);
    return m ? [Number(m[1]), m[2]!] as const : ([0, v] as const);
  };
  const [ea, ra] = epoch(a.trim());
  const [eb, rb] = epoch(b.trim());
  if (ea !== eb) return ea < eb ? -1 : 1;
  const tokens = (v: string) => v.match(/~|\d+|[a-zA-Z]+/g) ?? [];
  const x = tokens(ra);
  const y = tokens(rb);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (p === '~') return -1;
    if (q === '~') return 1;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pNum = /^\d/.test(p);
    const qNum = /^\d/.test(q);
    if (pNum && qNum) {
      const diff = Number(p.replace(/^0+/, '') || '0') - Number(q.replace(/^0+/, '') || '0');
      if (diff !== 0) return diff < 0 ? -1 : 1;
      if (p.replace(/^0+/, '').length !== q.replace(/^0+/, '').length) return p.replace(/^0+/, '').length < q.replace(/^0+/, '').length ? -1 : 1;
      continue;
    }
    if (pNum !== qNum) return pNum ? 1 : -1; // a number is newer than letters, as in rpm
    return p < q ? -1 : 1;
  }
  return 0;
}

/** Upgrade, downgrade or same, with how it was decided. */
export function versionChange(manager: PackageManager, from: string, to: string): { change: VersionChange; comparison: VersionComparison } {
  if (manager === 'dpkg') return { change: debianVersionChange(from, to), comparison: 'dpkg' };
  const order = comparePlainVersions(from, to);
  return { change: order < 0 ? 'upgrade' : order > 0 ? 'downgrade' : from === to ? 'same' : 'upgrade', comparison: 'plain' };
}

// ---------------------------------------------------------------------------------------------
// Which services read which files

export interface RestartRule {
  /** Glob on the file path (see glob.ts). */
  path: string;
  /** Units to restart, the first that exists on the host… */
  units?: string[];
  /** …or what the change needs instead of a restart. */
  action?: 'sysctl-reload' | 'daemon-reload' | 'none';
}

/**
 * Known pairs, checked before the /etc/NAME/ → NAME.service convention. `none`: the program
 * re-reads the file by itself (cron) or reads it per login (PAM, sudoers, limits).
 */
export const DEFAULT_RESTART_RULES: readonly RestartRule[] = Object.freeze([
  { path: '/etc/ssh/sshd_config', units: ['ssh.service', 'sshd.service'] },
  { path: '/etc/ssh/sshd_config.d/**', units: ['ssh.service', 'sshd.service'] },
  { path: '/etc/ssh/**', action: 'none' },
  { path: '/etc/sysctl.conf', action: 'sysctl-reload' },
  { path: '/etc/sysctl.d/**', action: 'sysctl-reload' },
  { path: '/etc/systemd/system/**', action: 'daemon-reload' },
  { path: '/etc/systemd/journald.conf', units: ['systemd-journald.service'] },
  { path: '/etc/systemd/timesyncd.conf', units: ['systemd-timesyncd.service'] },
  { path: '/etc/systemd/resolved.conf', units: ['systemd-resolved.service'] },
  { path: '/etc/{crontab,cron.d/**,cron.daily/**,cron.hourly/**,cron.weekly/**,cron.monthly/**}', action: 'none' },
  { path: '/etc/{pam.d,security,sudoers.d}/**', action: 'none' },
  { path: '/etc/{sudoers,passwd,group,shadow,gshadow,hosts,hostname,motd,issue,fstab}', action: 'none' },
  { path: '/etc/rsyslog.conf', units: ['rsyslog.service'] },
  { path: '/etc/rsyslog.d/**', units: ['rsyslog.service'] },
  { path: '/etc/mysql/**', units: ['mariadb.service', 'mysql.service'] },
  { path: '/etc/redis/**', units: ['redis-server.service', 'redis.service'] },
  { path: '/etc/chrony/**', units: ['chrony.service', 'chronyd.service'] },
  { path: '/etc/chrony.conf', units: ['chronyd.service', 'chrony.service'] },
  { path: '/etc/httpd/**', units: ['httpd.service'] },
]);

interface FileEffect {
  units: string[];
  action?: 'sysctl-reload' | 'daemon-reload';
}

/** What a change to `path` needs on a host with these units. */
export function fileEffect(path: string, units: ReadonlySet<string>, rules: readonly RestartRule[] = DEFAULT_RESTART_RULES): FileEffect {
  for (const rule of rules) {
    if (!globMatch(rule.path, path)) continue;
    if (rule.action === 'sysctl-reload') return { units: [], action: 'sysctl-reload' };
    if (rule.action === 'none') return { units: [] };
    if (rule.action === 'daemon-reload') {
      // A unit file (or drop-in) changed: reload systemd, then restart that unit if it runs.
      const unit = /^\/etc\/systemd\/system\/([^/]+?\.(?:service|socket|timer))(?:\.d\/.*)?$/.exec(path)?.[1];
      return { units: unit && units.has(unit) ? [unit] : [], action: 'daemon-reload' };
    }
    const found = (rule.units ?? []).find((u) => units.has(u));
    return { units: found ? [found] : [] };
  }
  // Convention: /etc/NAME/… and /etc/default/NAME belong to NAME.service (or NAME-server, NAMEd).
  const name = /^\/etc\/default\/([^/]+)$/.exec(path)?.[1] ?? /^\/etc\/([^/]+)\/./.exec(path)?.[1];
  if (!name) return { units: [] };
  const base = name.replace(/\d+(\.\d+)*$/, '');
  const candidates = [`${name}.service`, `${name}-server.service`, `${name}d.service`, `${base}.service`];
  const found = candidates.find((u) => units.has(u));
  if (found) return { units: [found] };
  // Templated units of that name, e.g. postgresql@15-main.service for /etc/postgresql/15/main/…
  const templated = [...units].filter((u) => u.startsWith(`${name}@`) || u.startsWith(`${base}@`)).sort();
  return { units: templated };
}

// ---------------------------------------------------------------------------------------------
// Planning

export interface PlanTarget {
  host: string;
  role: string;
  /** The host's latest snapshot; null when it has never been scanned. */
  snapshot: Snapshot | null;
}

export interface PlanOptions {
  severityRules?: readonly SeverityRule[];
  ignore?: readonly IgnoreRule[];
  /** How host-specific text is normalised and rendered (identity, extra values such as {{domain}}). */
  normaliser?: NormaliserContext;
  /** Remove governed packages and files the image does not have (default true). */
  removeExtras?: boolean;
  restartRules?: readonly RestartRule[];
}

export interface HostPlan {
  host: string;
  role: string;
  steps: PlanStep[];
  rebootNeeded: boolean;
  rebootReasons: string[];
}

export interface HighSeverityChange {
  host: string;
  role: string;
  step: PlanStep;
  description: string;
}

export interface PlanSummary {
  hostsAffected: number;
  hostsUnchanged: number;
  steps: number;
  /** Steps by stepLabel, e.g. { 'package upgrade': 4, 'file write': 2 }. */
  byKind: Record<string, number>;
  rebootNeeded: number;
  highSeverity: number;
}

export interface PromotionPlan {
  image: string;
  service: string;
  /** Hosts with something to do, in target order. */
  hosts: HostPlan[];
  /** Hosts that already match. */
  unchanged: string[];
  /** Hosts never scanned: nothing can be planned for them. */
  unscanned: string[];
  /** Hosts whose role the image does not have. */
  roleless: { host: string; role: string }[];
  summary: PlanSummary;
  highSeverityChanges: HighSeverityChange[];
}

/** Packages whose change needs a reboot to take effect. */
const REBOOT_PACKAGE = /^(linux-image|kernel|kernel-core|libc6|libc-bin|glibc|musl|systemd|libsystemd0)(-|$)/;

const PACKAGE_ORDER: Record<PackageStep['action'], number> = { install: 0, upgrade: 0, downgrade: 1, remove: 2 };
const SERVICE_ORDER: Record<ServiceStep['action'], number> = { enable: 0, disable: 1, mask: 2, stop: 3, start: 4, restart: 5 };
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const normaliseSpace = (v: string) => v.trim().replace(/\s+/g, ' ');

function versionsByKey(packages: readonly PackageFact[]): Map<string, { pkg: PackageFact; versions: string[] }> {
  const out = new Map<string, { pkg: PackageFact; versions: string[] }>();
  for (const p of packages) {
    const key = packageKey(p);
    const entry = out.get(key);
    if (entry) {
      if (!entry.versions.includes(p.version)) entry.versions.push(p.version);
    } else out.set(key, { pkg: p, versions: [p.version] });
  }
  return out;
}

function planPackages(role: RoleFacts, snapshot: Snapshot, include: (key: string) => boolean, severity: (key: string) => Severity, removeExtras: boolean): PackageStep[] {
  const steps: PackageStep[] = [];
  const desired = versionsByKey(role.packages);
  const actual = versionsByKey(snapshot.packages);
  const plainNote = (manager: PackageManager) => `${manager} versions compared segment by segment, not by ${manager}'s own rules: check the direction.`;
  for (const [key, { pkg, versions }] of desired) {
    if (!include(key)) continue;
    const base = { kind: 'package' as const, manager: pkg.manager, name: pkg.name, arch: pkg.arch, severity: severity(key) };
    const current = actual.get(key)?.versions ?? [];
    if (current.length === 0) {
      for (const to of versions) steps.push({ ...base, action: 'install', to });
      continue;
    }
    if (versions.length === 1 && current.length === 1) {
      const from = current[0]!;
      const to = versions[0]!;
      if (from === to) continue;
      const { change, comparison } = versionChange(pkg.manager, from, to);
      if (change === 'same') continue;
      steps.push({ ...base, action: change, from, to, comparison, ...(comparison === 'plain' && { note: plainNote(pkg.manager) }) });
      continue;
    }
    // Several versions side by side (rpm kernels): install what is missing, remove what is not wanted.
    for (const to of versions) if (!current.includes(to)) steps.push({ ...base, action: 'install', to, note: 'installed alongside the other versions' });
    for (const from of current) if (!versions.includes(from)) steps.push({ ...base, action: 'remove', from, note: 'one of several installed versions' });
  }
  if (removeExtras) {
    for (const [key, { pkg, versions }] of actual) {
      if (desired.has(key) || !include(key)) continue;
      for (const from of versions) steps.push({ kind: 'package', action: 'remove', manager: pkg.manager, name: pkg.name, arch: pkg.arch, from, severity: severity(key) });
    }
  }
  return steps.sort((a, b) => PACKAGE_ORDER[a.action] - PACKAGE_ORDER[b.action] || byText(a.name, b.name) || byText(a.arch, b.arch));
}

const UNRENDERED = /\{\{[A-Za-z0-9_.-]+\}\}/g;

function planFiles(
  role: RoleFacts,
  snapshot: Snapshot,
  desired: FactSet,
  actual: FactSet,
  include: (key: string) => boolean,
  severity: (key: string) => Severity,
  context: NormaliserContext,
  removeExtras: boolean,
): FileStep[] {
  const writes: FileStep[] = [];
  const removals: FileStep[] = [];
  const onHost = new Map(snapshot.files.map((f) => [f.path, f]));
  const textOf = (file: FileFact): string | undefined => (file.binary || file.truncated ? undefined : (file.content ?? context.loadContent?.(file)));
  const wanted = new Set<string>();
  for (const file of role.files) {
    const key = fileKey(file.path);
    wanted.add(file.path);
    if (!include(key) || factsMatch(desired, actual, key)) continue;
    const current = onHost.get(file.path);
    const changes: FileChange[] = [];
    if (!current) changes.push('created');
    else {
      if (desired.normalisedFile(key)?.file.sha256 !== actual.normalisedFile(key)?.file.sha256) changes.push('content');
      if (current.mode !== file.mode) changes.push('mode');
      if (current.owner !== file.owner || current.group !== file.group) changes.push('owner');
    }
    const rendered = file.content === undefined || file.binary || file.truncated ? undefined : renderPlaceholders(file.content, snapshot.host, context);
    const left = rendered === undefined ? [] : [...new Set(rendered.match(UNRENDERED) ?? [])];
    const previous = current ? textOf(current) : null;
    const notes = [
      rendered === undefined ? `The image knows this file by its hash only (sha256 ${file.sha256.slice(0, 12)}…): copy it from a host of the source stage.` : '',
      left.length > 0 ? `${left.join(', ')} ${left.length === 1 ? 'has' : 'have'} no value for this host: set ${left.length === 1 ? 'it' : 'them'} in the normaliser values.` : '',
    ].filter(Boolean);
    writes.push({
      kind: 'file',
      action: 'write',
      path: file.path,
      mode: file.mode,
      owner: file.owner,
      group: file.group,
      ...(rendered !== undefined && { content: rendered }),
      sha256: file.sha256,
      ...(previous !== undefined && { previous }),
      ...(current && { previousMode: current.mode, previousOwner: `${current.owner}:${current.group}` }),
      changes,
      severity: severity(key),
      ...(notes.length > 0 && { note: notes.join(' ') }),
    });
  }
  if (removeExtras) {
    for (const file of snapshot.files) {
      const key = fileKey(file.path);
      if (wanted.has(file.path) || !include(key)) continue;
      const previous = textOf(file);
      removals.push({ kind: 'file', action: 'remove', path: file.path, ...(previous !== undefined && { previous }), previousMode: file.mode, previousOwner: `${file.owner}:${file.group}`, changes: [], severity: severity(key) });
    }
  }
  writes.sort((a, b) => byText(a.path, b.path));
  removals.sort((a, b) => byText(a.path, b.path));
  return [...writes, ...removals];
}

const maxSeverity = (severities: readonly Severity[]): Severity => [...severities].sort((a, b) => severityRank(a) - severityRank(b))[0] ?? 'low';

/** The steps that bring one host to the role it plays in the image, in order. */
export function planHost(image: ImageContent, target: PlanTarget & { snapshot: Snapshot }, options: PlanOptions = {}): HostPlan {
  const role = image.roles[target.role];
  const empty: HostPlan = { host: target.host, role: target.role, steps: [], rebootNeeded: false, rebootReasons: [] };
  if (!role) return empty;
  const context = options.normaliser ?? DEFAULT_NORMALISER;
  const removeExtras = options.removeExtras ?? true;
  const severity = severityClassifier(options.severityRules);
  const governed = governanceFilter(image.governs, role.ungoverned);
  const ignored = ignoreMatcher(options.ignore, { service: image.service, role: target.role });
  const memo = new Map<string, boolean>();
  const include = (key: string) => {
    let answer = memo.get(key);
    if (answer === undefined) memo.set(key, (answer = governed(key) && !ignored(key)));
    return answer;
  };
  const snapshot = target.snapshot;
  const desired = imageRoleFacts(image, target.role);
  const actual = factsOf(snapshot, context);
  const handled = new Set<string>();

  // 1. packages
  const packages = planPackages(role, snapshot, include, severity, removeExtras);
  for (const p of [...role.packages, ...snapshot.packages]) handled.add(packageKey(p));

  // 2. files
  const files = planFiles(role, snapshot, desired, actual, include, severity, context, removeExtras);
  for (const f of [...role.files, ...snapshot.files]) handled.add(fileKey(f.path));

  // 3. sysctl
  const sysctl: SysctlStep[] = [];
  for (const [name, value] of Object.entries(role.sysctl)) {
    const key = sysctlKey(name);
    handled.add(key);
    if (!include(key)) continue;
    // Compared as drift compares them (host identity as placeholders), so a host that matches has no step.
    if (actual.values.get(key) === desired.values.get(key)) continue;
    const to = renderPlaceholders(value, snapshot.host, context);
    const from = snapshot.sysctl[name];
    if (from !== undefined && normaliseSpace(from) === normaliseSpace(to)) continue;
    sysctl.push({ kind: 'sysctl', key: name, ...(from !== undefined && { from }), to, severity: severity(key) });
  }
  sysctl.sort((a, b) => byText(a.key, b.key));
  for (const name of Object.keys(snapshot.sysctl)) handled.add(sysctlKey(name)); // extra kernel settings cannot be "removed"

  // 4. services
  const manual: ManualStep[] = [];
  const services: ServiceStep[] = [];
  const current = new Map(snapshot.services.map((s) => [s.name, s]));
  const startedOrStopped = new Set<string>();
  for (const service of role.services) {
    const have = current.get(service.name);
    const enabledKey = serviceEnabledKey(service.name);
    const activeKey = serviceActiveKey(service.name);
    handled.add(enabledKey);
    handled.add(activeKey);
    if (service.enabled !== undefined && include(enabledKey) && have?.enabled !== service.enabled) {
      const action = service.enabled === 'enabled' ? 'enable' : service.enabled === 'disabled' ? 'disable' : service.enabled === 'masked' ? 'mask' : null;
      if (action) services.push({ kind: 'service', action, name: service.name, severity: severity(enabledKey) });
      else {
        manual.push({
          kind: 'manual',
          category: 'services',
          key: `${service.name}:enabled`,
          expected: service.enabled,
          ...(have && { actual: have.enabled }),
          why: `"${service.enabled}" is not a state systemctl sets: it follows from the unit file and its package.`,
          severity: severity(enabledKey),
        });
      }
    }
    if (service.active !== undefined && include(activeKey) && have?.active !== service.active) {
      const action = service.active === 'active' ? 'start' : service.active === 'inactive' ? 'stop' : null;
      if (action) {
        services.push({ kind: 'service', action, name: service.name, severity: severity(activeKey) });
        startedOrStopped.add(service.name);
      }
    }
  }
  for (const service of snapshot.services) {
    for (const key of [serviceEnabledKey(service.name), serviceActiveKey(service.name)]) {
      if (handled.has(key)) continue;
      handled.add(key);
      if (!removeExtras || !include(key)) continue;
      const field = key.endsWith(':enabled') ? 'enabled' : 'active';
      manual.push({
        kind: 'manual',
        category: 'services',
        key: `${service.name}:${field}`,
        actual: service[field],
        why: `${service.name} is here but not in the image: it usually leaves with its package; otherwise decide whether to stop and disable it.`,
        severity: severity(key),
      });
    }
  }

  // 5. implied reloads and restarts
  const units = new Set(snapshot.services.map((s) => s.name));
  const restartBecause = new Map<string, string[]>();
  const sysctlFiles: string[] = [];
  const unitFiles: string[] = [];
  for (const file of files) {
    const effect = fileEffect(file.path, units, options.restartRules);
    if (effect.action === 'sysctl-reload') sysctlFiles.push(file.path);
    if (effect.action === 'daemon-reload') unitFiles.push(file.path);
    for (const unit of effect.units) {
      if (startedOrStopped.has(unit) || current.get(unit)?.active !== 'active') continue;
      restartBecause.set(unit, [...(restartBecause.get(unit) ?? []), file.path]);
    }
  }
  const severityOfFiles = (paths: readonly string[]) => maxSeverity(files.filter((f) => paths.includes(f.path)).map((f) => f.severity));
  const restarts: ServiceStep[] = [...restartBecause]
    .sort(([a], [b]) => byText(a, b))
    .map(([name, because]) => ({ kind: 'service', action: 'restart', name, because, severity: severityOfFiles(because) }));
  services.sort((a, b) => SERVICE_ORDER[a.action] - SERVICE_ORDER[b.action] || byText(a.name, b.name));

  // 6. governed differences nobody applies automatically
  for (const [key, value] of desired.values) {
    if (handled.has(key) || !include(key)) continue;
    handled.add(key);
    if (factsMatch(desired, actual, key)) continue;
    const { category, key: inner } = splitFactKey(key);
    const found = actual.display(key);
    manual.push({ kind: 'manual', category, key: inner, expected: desired.display(key) ?? value, ...(found !== undefined && { actual: found }), why: manualReason(category, found === undefined ? 'missing' : 'changed'), severity: severity(key) });
  }
  for (const key of actual.values.keys()) {
    if (handled.has(key) || !include(key) || desired.values.has(key)) continue;
    const { category, key: inner } = splitFactKey(key);
    const found = actual.display(key);
    manual.push({ kind: 'manual', category, key: inner, ...(found !== undefined && { actual: found }), why: manualReason(category, 'extra'), severity: severity(key) });
  }
  manual.sort((a, b) => FACT_CATEGORIES.indexOf(a.category) - FACT_CATEGORIES.indexOf(b.category) || byText(a.key, b.key));

  // Reboot
  const rebootReasons = packages
    .filter((p) => p.action !== 'remove' && REBOOT_PACKAGE.test(p.name))
    .map((p) => `${p.name} ${p.action === 'install' ? 'is installed' : p.action === 'upgrade' ? 'is upgraded' : 'is downgraded'}`);
  const kernel = role.os?.kernel;
  if (kernel !== undefined && include('os:kernel') && snapshot.os.kernel !== kernel) rebootReasons.push(`the host runs kernel ${snapshot.os.kernel}, the image ${kernel}`);

  const steps: PlanStep[] = [
    ...packages,
    ...files,
    ...(unitFiles.length > 0 ? [{ kind: 'daemon-reload' as const, because: unitFiles, severity: severityOfFiles(unitFiles) }] : []),
    ...(sysctlFiles.length > 0 ? [{ kind: 'sysctl-reload' as const, because: sysctlFiles, severity: severityOfFiles(sysctlFiles) }] : []),
    ...sysctl,
    ...services,
    ...restarts,
    ...manual,
  ];
  return { host: target.host, role: target.role, steps, rebootNeeded: rebootReasons.length > 0, rebootReasons };
}

function manualReason(category: FactCategory, kind: 'missing' | 'changed' | 'extra'): string {
  const what = kind === 'missing' ? 'the image has it and the host does not' : kind === 'extra' ? 'the host has it and the image does not' : 'the host differs from the image';
  switch (category) {
    case 'os':
      return `${what}: an OS release or kernel is changed by an upgrade and a reboot, not by a step.`;
    case 'ports':
      return `${what}: listening ports follow from packages, services and their configuration; check after applying.`;
    case 'users':
    case 'groups':
      return `${what}: accounts are changed by hand (useradd, usermod, groupmod) or by configuration management.`;
    case 'mounts':
      return `${what}: mounts follow the disk layout; change /etc/fstab and remount by hand.`;
    case 'cron':
      return `${what}: edit the crontab by hand.`;
    default:
      return `${what}.`;
  }
}

/** Plans every host of the target stage. */
export function planPromotion(image: ImageContent, targets: readonly PlanTarget[], options: PlanOptions = {}): PromotionPlan {
  const hosts: HostPlan[] = [];
  const unchanged: string[] = [];
  const unscanned: string[] = [];
  const roleless: { host: string; role: string }[] = [];
  for (const target of targets) {
    if (!target.snapshot) {
      unscanned.push(target.host);
      continue;
    }
    if (!image.roles[target.role]) {
      roleless.push({ host: target.host, role: target.role });
      continue;
    }
    const plan = planHost(image, { ...target, snapshot: target.snapshot }, options);
    if (plan.steps.length > 0 || plan.rebootNeeded) hosts.push(plan);
    else unchanged.push(target.host);
  }
  const byKind: Record<string, number> = {};
  const highSeverityChanges: HighSeverityChange[] = [];
  let steps = 0;
  for (const host of hosts) {
    for (const step of host.steps) {
      steps++;
      const label = stepLabel(step);
      byKind[label] = (byKind[label] ?? 0) + 1;
      if (step.severity === 'high') highSeverityChanges.push({ host: host.host, role: host.role, step, description: describeStep(step) });
    }
  }
  return {
    image: image.label,
    service: image.service,
    hosts,
    unchanged,
    unscanned,
    roleless,
    summary: {
      hostsAffected: hosts.length,
      hostsUnchanged: unchanged.length,
      steps,
      byKind,
      rebootNeeded: hosts.filter((h) => h.rebootNeeded).length,
      highSeverity: highSeverityChanges.length,
    },
    highSeverityChanges,
  };
}
