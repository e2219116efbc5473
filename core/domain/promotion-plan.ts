/**
 * The promotion planner: what each host of the target stage must do to run an image — packages,
 * files, sysctl, services, and the restarts that changed files imply — in a safe order. Only what
 * the image governs is touched; a host that already matches has nothing to do.
 */
import type { PackageFact, Snapshot } from './facts';
import { governanceFilter, imageRoleFacts, type ImageContent } from './image';
import { factsMatch, factsOf, fileKey, packageKey, serviceActiveKey, serviceEnabledKey, sysctlKey } from './normalise';
import { renderPlaceholders } from './placeholders';
import { severityClassifier, type Severity, type SeverityRule } from './severity';
import { debianVersionChange } from './versions';

export type PlanStep =
  | { kind: 'package'; action: 'install' | 'upgrade' | 'downgrade' | 'remove'; manager: PackageFact['manager']; name: string; arch: string; from?: string; to?: string; severity: Severity }
  | { kind: 'file'; action: 'write' | 'remove'; path: string; mode?: string; owner?: string; group?: string; content?: string; previous?: string | null; severity: Severity }
  | { kind: 'sysctl'; key: string; from?: string; to: string; severity: Severity }
  | { kind: 'service'; action: 'enable' | 'disable' | 'start' | 'stop' | 'restart'; name: string; because?: string; severity: Severity };

export interface HostPlan {
  host: string;
  role: string;
  steps: PlanStep[];
  /** A kernel, libc or systemd change: the host should be rebooted to run it. */
  rebootNeeded: boolean;
}

export interface PromotionPlan {
  image: string;
  hosts: HostPlan[];
  /** Hosts of the target with no snapshot: nothing can be planned for them until they are scanned. */
  unscanned: string[];
  summary: { hostsAffected: number; steps: number; byKind: Record<string, number>; highSeverity: number; rebootNeeded: number };
}

export interface PlanTarget {
  host: string;
  role: string;
  snapshot: Snapshot | null;
}

/** Packages whose change wants a reboot to take effect. */
const REBOOT_PACKAGES = /^(linux-image|linux-modules|kernel|kernel-core|libc6|glibc|systemd|libsystemd0|dbus)(-|$)/;

/** Files known to belong to a service that must restart to read them, beyond the /etc/NAME/ convention. */
const FILE_SERVICES: readonly [RegExp, readonly string[]][] = [
  [/^\/etc\/ssh\/sshd_config(\.d\/.*)?$/, ['ssh.service', 'sshd.service']],
  [/^\/etc\/sysctl\.(conf|d\/.*)$/, ['systemd-sysctl.service']],
  [/^\/etc\/(crontab|cron\.d\/.*)$/, ['cron.service', 'crond.service']],
  [/^\/etc\/systemd\/system\/([^/]+\.service)$/, []],
];

/** Which of the host's services should restart after `path` changes. */
function servicesReading(path: string, units: ReadonlySet<string>): string[] {
  for (const [pattern, candidates] of FILE_SERVICES) {
    const match = pattern.exec(path);
    if (!match) continue;
    // A unit file changed: that very unit restarts (after a daemon-reload, which restart implies here).
    if (candidates.length === 0 && match[1]) return units.has(match[1]) ? [match[1]] : [];
    return candidates.filter((unit) => units.has(unit));
  }
  const folder = /^\/etc\/([^/]+)\//.exec(path)?.[1];
  if (!folder) return [];
  return [`${folder}.service`, `${folder}-server.service`, `${folder.replace(/\d+$/, '')}.service`].filter((unit, i, all) => all.indexOf(unit) === i && units.has(unit));
}

const PACKAGE_ORDER = { install: 0, upgrade: 0, downgrade: 1, remove: 2 } as const;
const SERVICE_ORDER = { enable: 0, disable: 1, start: 2, stop: 3, restart: 4 } as const;

/** The steps that bring one host to the image's role, in order. */
export function planHost(image: ImageContent, target: PlanTarget & { snapshot: Snapshot }, severityRules?: readonly SeverityRule[]): HostPlan {
  const role = image.roles[target.role];
  if (!role) return { host: target.host, role: target.role, steps: [], rebootNeeded: false };
  const severityOf = severityClassifier(severityRules);
  const governed = governanceFilter(image.governs, role.ungoverned);
  const desired = imageRoleFacts(image, target.role);
  const actual = factsOf(target.snapshot);
  const packages: Extract<PlanStep, { kind: 'package' }>[] = [];
  const files: Extract<PlanStep, { kind: 'file' }>[] = [];
  const sysctl: Extract<PlanStep, { kind: 'sysctl' }>[] = [];
  const services: Extract<PlanStep, { kind: 'service' }>[] = [];

  const wanted = new Set<string>();
  for (const p of role.packages) {
    const key = packageKey(p);
    wanted.add(key);
    if (!governed(key)) continue;
    const current = actual.values.get(key);
    if (current === p.version) continue;
    const change = current === undefined ? 'install' : p.manager === 'dpkg' ? debianVersionChange(current, p.version) : current < p.version ? 'upgrade' : 'downgrade';
    if (change === 'same') continue;
    packages.push({ kind: 'package', action: change, manager: p.manager, name: p.name, arch: p.arch, ...(current !== undefined && { from: current }), to: p.version, severity: severityOf(key) });
  }
  for (const p of target.snapshot.packages) {
    const key = packageKey(p);
    if (!wanted.has(key) && governed(key)) packages.push({ kind: 'package', action: 'remove', manager: p.manager, name: p.name, arch: p.arch, from: p.version, severity: severityOf(key) });
  }

  const identity = target.snapshot.host;
  const wantedFiles = new Set<string>();
  for (const file of role.files) {
    const key = fileKey(file.path);
    wantedFiles.add(key);
    if (!governed(key) || factsMatch(desired, actual, key)) continue;
    const previous = actual.values.has(key) ? (target.snapshot.files.find((f) => f.path === file.path)?.content ?? null) : null;
    files.push({
      kind: 'file',
      action: 'write',
      path: file.path,
      mode: file.mode,
      owner: file.owner,
      group: file.group,
      ...(file.content !== undefined && { content: renderPlaceholders(file.content, identity) }),
      previous,
      severity: severityOf(key),
    });
  }
  for (const file of target.snapshot.files) {
    const key = fileKey(file.path);
    if (!wantedFiles.has(key) && governed(key)) files.push({ kind: 'file', action: 'remove', path: file.path, previous: file.content ?? null, severity: severityOf(key) });
  }

  for (const [name, value] of Object.entries(role.sysctl)) {
    const key = sysctlKey(name);
    const rendered = renderPlaceholders(value, identity);
    const current = target.snapshot.sysctl[name];
    if (governed(key) && current !== rendered) sysctl.push({ kind: 'sysctl', key: name, ...(current !== undefined && { from: current }), to: rendered, severity: severityOf(key) });
  }

  const units = new Set(target.snapshot.services.map((s) => s.name));
  const touched = new Set<string>();
  for (const service of role.services) {
    const current = target.snapshot.services.find((s) => s.name === service.name);
    if (service.enabled !== undefined && governed(serviceEnabledKey(service.name)) && current?.enabled !== service.enabled) {
      const action = service.enabled === 'enabled' ? 'enable' : service.enabled === 'disabled' || service.enabled === 'masked' ? 'disable' : null;
      if (action) services.push({ kind: 'service', action, name: service.name, severity: severityOf(serviceEnabledKey(service.name)) });
    }
    if (service.active !== undefined && governed(serviceActiveKey(service.name)) && current?.active !== service.active) {
      const action = service.active === 'active' ? 'start' : service.active === 'inactive' ? 'stop' : null;
      if (action) {
        services.push({ kind: 'service', action, name: service.name, severity: severityOf(serviceActiveKey(service.name)) });
        touched.add(service.name);
      }
    }
  }
  for (const file of files) {
    for (const unit of servicesReading(file.path, units)) {
      if (touched.has(unit) || target.snapshot.services.find((s) => s.name === unit)?.active !== 'active') continue;
      touched.add(unit);
      services.push({ kind: 'service', action: 'restart', name: unit, because: `${file.path} changed`, severity: file.severity });
    }
  }

  packages.sort((a, b) => PACKAGE_ORDER[a.action] - PACKAGE_ORDER[b.action] || a.name.localeCompare(b.name));
  files.sort((a, b) => (a.action === b.action ? a.path.localeCompare(b.path) : a.action === 'write' ? -1 : 1));
  services.sort((a, b) => SERVICE_ORDER[a.action] - SERVICE_ORDER[b.action] || a.name.localeCompare(b.name));
  return {
    host: target.host,
    role: target.role,
    steps: [...packages, ...files, ...sysctl, ...services],
    rebootNeeded: packages.some((p) => REBOOT_PACKAGES.test(p.name)),
  };
}

/** Plans every host of the target; hosts with nothing to do are left out of `hosts`. */
export function planPromotion(image: ImageContent, targets: readonly PlanTarget[], severityRules?: readonly SeverityRule[]): PromotionPlan {
  const hosts: HostPlan[] = [];
  const unscanned: string[] = [];
  for (const target of targets) {
    if (!target.snapshot) {
      unscanned.push(target.host);
      continue;
    }
    const plan = planHost(image, { ...target, snapshot: target.snapshot }, severityRules);
    if (plan.steps.length > 0) hosts.push(plan);
  }
  const steps = hosts.flatMap((h) => h.steps);
  const byKind: Record<string, number> = {};
  for (const step of steps) {
    const label = step.kind === 'sysctl' ? 'sysctl' : `${step.kind} ${step.action}`;
    byKind[label] = (byKind[label] ?? 0) + 1;
  }
  return {
    image: image.label,
    hosts,
    unscanned: unscanned.sort(),
    summary: { hostsAffected: hosts.length, steps: steps.length, byKind, highSeverity: steps.filter((s) => s.severity === 'high').length, rebootNeeded: hosts.filter((h) => h.rebootNeeded).length },
  };
}
