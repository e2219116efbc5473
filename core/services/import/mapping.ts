/**
 * From inventory groups to Stagecraft placements: which groups name a service, a stage, a role.
 *
 * `suggestMapping` proposes a mapping by reading group names (the UI shows it and lets the user
 * edit it); `resolvePlacements` applies a mapping to every host. Pure.
 *
 * The heuristic, per group name (split into words at `_`, `-`, `.`):
 *  - a stage word (prod, production, prd, live → production; staging, stage, stg, preprod →
 *    staging; uat, acceptance, acc → uat; test, testing, tst, qa → testing; int, integration, ci,
 *    dev, development → integration) gives the stage — or the word itself when an existing
 *    service of that name has a stage called so;
 *  - a role word (web, app, api, db, cache, lb, worker, queue, search… and their plurals and
 *    `webservers`-style forms) as the last of the other words gives the role;
 *  - the remaining words, joined with `-`, give the service: `payments_web_prod` → service
 *    payments, role web, stage production; `payments_prod` → payments, production;
 *    if `payments-api` is itself a service (another group or the workspace says so),
 *    `payments_api_prod` is service payments-api, not role api of payments;
 *  - a group of other words only (`kafka`, `payments`) is a service when it has child groups or
 *    other groups name it as their service; a leaf group whose hosts already have a service from
 *    another group is a role of that service; otherwise a service;
 *  - `all`, `ungrouped` and groups of only platform/location words (linux, debian, aws, eu…) map
 *    to nothing.
 */
import type { ImportedHost, ImportOrigin, ParsedImport } from './model';

export interface GroupMapping {
  service?: string;
  stage?: string;
  role?: string;
}

/** What the UI edits: each group's service, stage and role (an empty object: the group means nothing). */
export interface ImportMapping {
  groups: Record<string, GroupMapping>;
  /** Service of hosts whose groups give a stage or role but no service (and of CSV rows without one). */
  defaultService?: string;
  /** Role of a placed host when no group gives one. Default `DEFAULT_ROLE`. */
  defaultRole?: string;
  /** Snapshot imports: the host every snapshot of the import belongs to, instead of matching by name. */
  snapshotHost?: string;
}

export const DEFAULT_ROLE = 'app';

/** Stage words in group names, to Stagecraft's standard stage names. */
export const STAGE_WORDS: Readonly<Record<string, string>> = {
  prod: 'production',
  production: 'production',
  prd: 'production',
  live: 'production',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  preprod: 'staging',
  uat: 'uat',
  acceptance: 'uat',
  acc: 'uat',
  test: 'testing',
  testing: 'testing',
  tst: 'testing',
  qa: 'testing',
  int: 'integration',
  integration: 'integration',
  ci: 'integration',
  dev: 'integration',
  development: 'integration',
};

/** Role words in group names, to the role name used. */
export const ROLE_WORDS: Readonly<Record<string, string>> = {
  web: 'web',
  webs: 'web',
  www: 'web',
  webserver: 'web',
  webservers: 'web',
  frontend: 'frontend',
  frontends: 'frontend',
  nginx: 'nginx',
  apache: 'apache',
  httpd: 'httpd',
  lb: 'lb',
  lbs: 'lb',
  loadbalancer: 'lb',
  loadbalancers: 'lb',
  haproxy: 'haproxy',
  proxy: 'proxy',
  proxies: 'proxy',
  app: 'app',
  apps: 'app',
  appserver: 'app',
  appservers: 'app',
  application: 'app',
  api: 'api',
  backend: 'backend',
  backends: 'backend',
  worker: 'worker',
  workers: 'worker',
  db: 'db',
  dbs: 'db',
  dbserver: 'db',
  dbservers: 'db',
  database: 'db',
  databases: 'db',
  postgres: 'postgres',
  postgresql: 'postgres',
  pg: 'postgres',
  mysql: 'mysql',
  mariadb: 'mariadb',
  mongo: 'mongodb',
  mongodb: 'mongodb',
  redis: 'redis',
  cache: 'cache',
  caches: 'cache',
  memcached: 'memcached',
  mq: 'mq',
  rabbitmq: 'rabbitmq',
  kafka: 'kafka',
  queue: 'queue',
  queues: 'queue',
  broker: 'broker',
  brokers: 'broker',
  search: 'search',
  elasticsearch: 'elasticsearch',
  batch: 'batch',
  scheduler: 'scheduler',
  storage: 'storage',
  nfs: 'nfs',
};

/** Words of groups that describe platform or place, not a service: such groups map to nothing. */
export const IGNORED_GROUP_WORDS: ReadonlySet<string> = new Set([
  'all',
  'ungrouped',
  'linux',
  'windows',
  'unix',
  'debian',
  'ubuntu',
  'centos',
  'rhel',
  'redhat',
  'rocky',
  'alma',
  'almalinux',
  'fedora',
  'suse',
  'sles',
  'alpine',
  'physical',
  'virtual',
  'vm',
  'vms',
  'baremetal',
  'metal',
  'vmware',
  'kvm',
  'libvirt',
  'aws',
  'azure',
  'gcp',
  'cloud',
  'onprem',
  'dc',
  'dc1',
  'dc2',
  'datacenter',
  'site',
  'region',
  'zone',
  'eu',
  'us',
  'emea',
  'apac',
  'servers',
  'hosts',
  'nodes',
]);

const words = (name: string): string[] =>
  name
    .toLowerCase()
    .replace(/pre[-_.]?prod(uction)?/g, 'preprod')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

/** Service names compare case-insensitively, with `_`, `.` and spaces as `-`. */
export const serviceKey = (name: string): string => name.trim().toLowerCase().replace(/[\s_.]+/g, '-');

export interface KnownService {
  name: string;
  stages: readonly string[];
}

/** What one group name says by itself (no context). */
export function classifyGroupName(name: string, known: readonly KnownService[] = []): GroupMapping & { restOnly: boolean } {
  const all = words(name);
  if (all.length === 0 || all.every((w) => IGNORED_GROUP_WORDS.has(w))) return { restOnly: false };
  const stageIndex = all.findIndex((w) => STAGE_WORDS[w] !== undefined);
  const stageWord = stageIndex >= 0 ? all[stageIndex]! : undefined;
  const rest = all.filter((_, i) => i !== stageIndex);
  const knownService = (candidate: string[]) => known.find((s) => serviceKey(s.name) === candidate.join('-'));
  const stageFor = (service: string | undefined): string | undefined => {
    if (stageWord === undefined) return undefined;
    const existing = known.find((s) => service !== undefined && serviceKey(s.name) === serviceKey(service));
    return existing?.stages.find((s) => s.toLowerCase() === stageWord) ?? STAGE_WORDS[stageWord];
  };
  const wholeKnown = rest.length > 0 ? knownService(rest) : undefined;
  if (wholeKnown) return { service: wholeKnown.name, ...(stageWord !== undefined && { stage: stageFor(wholeKnown.name) }), restOnly: stageWord === undefined };
  let role: string | undefined;
  let serviceWords = rest;
  const last = rest[rest.length - 1];
  if (last !== undefined && ROLE_WORDS[last] !== undefined) {
    role = ROLE_WORDS[last];
    serviceWords = rest.slice(0, -1);
  }
  serviceWords = serviceWords.every((w) => IGNORED_GROUP_WORDS.has(w)) ? [] : serviceWords;
  const service = serviceWords.length > 0 ? (knownService(serviceWords)?.name ?? serviceWords.join('-')) : undefined;
  const stage = stageFor(service);
  return {
    ...(service !== undefined && { service }),
    ...(stage !== undefined && { stage }),
    ...(role !== undefined && { role }),
    restOnly: service !== undefined && stage === undefined && role === undefined,
  };
}

/** Every group a host is in: its own and their ancestors (through `children`). */
export function hostGroups(parsed: ParsedImport, host: ImportedHost): string[] {
  const parents = new Map<string, string[]>();
  for (const group of parsed.groups) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
  const seen = new Set<string>();
  const stack = [...host.groups];
  while (stack.length > 0) {
    const group = stack.pop()!;
    if (seen.has(group)) continue;
    seen.add(group);
    stack.push(...(parents.get(group) ?? []));
  }
  return [...seen].filter((g) => g !== 'all' && g !== 'ungrouped').sort();
}

/** A proposed mapping of every group of the import (see the module comment for the rules). */
export function suggestMapping(parsed: ParsedImport, options: { services?: readonly KnownService[] } = {}): ImportMapping {
  const known = options.services ?? [];
  const names = [...new Set([...parsed.groups.map((g) => g.name), ...parsed.hosts.flatMap((h) => h.groups)])].filter((g) => g !== 'all' && g !== 'ungrouped');
  const first = new Map(names.map((name) => [name, classifyGroupName(name, known)]));
  const services = new Set([...first.values()].filter((m) => !m.restOnly && m.service !== undefined).map((m) => serviceKey(m.service!)));
  for (const s of known) services.add(serviceKey(s.name));
  // `payments_api_prod` when payments-api is a service: the "role" word belongs to the service name.
  for (const [name, m] of first) {
    if (m.service !== undefined && m.role !== undefined && services.has(`${serviceKey(m.service)}-${serviceKey(m.role)}`)) {
      const service = known.find((s) => serviceKey(s.name) === `${serviceKey(m.service!)}-${serviceKey(m.role!)}`)?.name ?? `${m.service}-${m.role}`;
      first.set(name, { service, ...(m.stage !== undefined && { stage: m.stage }), restOnly: false });
    }
  }
  const groupByName = new Map(parsed.groups.map((g) => [g.name, g]));
  const groups: Record<string, GroupMapping> = {};
  for (const name of names) {
    const m = first.get(name)!;
    const { restOnly, ...mapping } = m;
    if (!restOnly) {
      groups[name] = mapping;
      continue;
    }
    const group = groupByName.get(name);
    const hasChildren = (group?.children.length ?? 0) > 0;
    const namedByOthers = services.has(serviceKey(m.service!));
    if (hasChildren || namedByOthers) {
      groups[name] = mapping;
      continue;
    }
    // A leaf group of a name only: a role when its hosts get a service elsewhere, else a service.
    const members = parsed.hosts.filter((h) => h.groups.includes(name));
    const serviceElsewhere = members.some((h) =>
      hostGroups(parsed, h).some((g) => {
        const other = first.get(g);
        return g !== name && other !== undefined && !other.restOnly && other.service !== undefined;
      }),
    );
    groups[name] = serviceElsewhere ? { role: words(name).join('-') } : mapping;
  }
  return { groups };
}

export interface ImportProblem {
  severity: 'error' | 'warning';
  message: string;
  hint?: string;
  host?: string;
  origin?: ImportOrigin;
}

export interface ResolvedPlacement {
  host: string;
  service: string;
  /** The stage as the mapping names it; matched to the service's stages by `previewImport`. */
  stage: string;
  role: string;
  /** Groups (or "file") that gave it: shown in the preview. */
  via: string[];
}

/** Each host's placements under `mapping`, and what stops a host from being placed. */
export function resolvePlacements(parsed: ParsedImport, mapping: ImportMapping): { placements: ResolvedPlacement[]; problems: ImportProblem[] } {
  const placements: ResolvedPlacement[] = [];
  const problems: ImportProblem[] = [];
  const defaultRole = mapping.defaultRole?.trim() || DEFAULT_ROLE;
  const defaultService = mapping.defaultService?.trim() || undefined;
  for (const host of parsed.hosts) {
    const entries = hostGroups(parsed, host)
      .map((group) => ({ group, ...(mapping.groups[group] ?? {}) }))
      .map((e) => ({ group: e.group, service: e.service?.trim() || undefined, stage: e.stage?.trim() || undefined, role: e.role?.trim() || undefined }))
      .filter((e) => e.service !== undefined || e.stage !== undefined || e.role !== undefined);
    const explicit = host.placements;
    const csvLike = host.groups.length === 0 && explicit.length > 0;
    if (csvLike) {
      for (const p of explicit) {
        const service = p.service ?? defaultService;
        if (service === undefined) {
          problems.push({ severity: 'error', host: host.name, origin: host.origin, message: `host "${host.name}" has a stage or role but no service.`, hint: 'Fill in the service column, or choose a default service.' });
        } else if (p.stage === undefined) {
          problems.push({ severity: 'error', host: host.name, origin: host.origin, message: `host "${host.name}" has service "${service}" but no stage.`, hint: 'Fill in the stage column.' });
        } else {
          placements.push({ host: host.name, service, stage: p.stage, role: p.role ?? defaultRole, via: ['file'] });
        }
      }
      continue;
    }
    // Ansible: `stagecraft_service` / `_stage` / `_role` host variables override the groups.
    const override = explicit[0];
    let services = [...new Set(entries.flatMap((e) => (e.service !== undefined ? [e.service] : [])))];
    if (override?.service !== undefined) services = [override.service];
    if (services.length === 0 && defaultService !== undefined && (entries.length > 0 || override !== undefined)) services = [defaultService];
    if (services.length === 0) {
      if (entries.length > 0 || override !== undefined) {
        problems.push({
          severity: 'warning',
          host: host.name,
          origin: host.origin,
          message: `host "${host.name}" is in ${entries.map((e) => e.group).join(', ')}, which give no service: it is imported without a placement.`,
          hint: 'Map one of its groups to a service, or choose a default service.',
        });
      }
      continue;
    }
    for (const service of services) {
      const relevant = entries.filter((e) => e.service === undefined || serviceKey(e.service) === serviceKey(service));
      const stages = override?.stage !== undefined ? [{ stage: override.stage, group: 'stagecraft_stage' }] : relevant.flatMap((e) => (e.stage !== undefined ? [{ stage: e.stage, group: e.group }] : []));
      const distinctStages = [...new Set(stages.map((s) => s.stage.toLowerCase()))];
      if (distinctStages.length === 0) {
        problems.push({
          severity: 'warning',
          host: host.name,
          origin: host.origin,
          message: `host "${host.name}" belongs to service "${service}" but none of its groups gives a stage: it is imported without a placement in it.`,
          hint: 'Map one of its groups to a stage.',
        });
        continue;
      }
      if (distinctStages.length > 1) {
        problems.push({
          severity: 'error',
          host: host.name,
          origin: host.origin,
          message: `host "${host.name}" gets different stages of service "${service}": ${stages.map((s) => `${s.stage} (from ${s.group})`).join(', ')}.`,
          hint: 'Change the mapping so that only one of its groups gives a stage.',
        });
        continue;
      }
      const roles = override?.role !== undefined ? [override.role] : [...new Set(relevant.flatMap((e) => (e.role !== undefined ? [e.role] : [])))];
      const via = relevant.map((e) => e.group);
      for (const role of roles.length > 0 ? roles : [defaultRole]) placements.push({ host: host.name, service, stage: stages[0]!.stage, role, via });
    }
  }
  return { placements, problems };
}
