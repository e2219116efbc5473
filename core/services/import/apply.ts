/**
 * An import taken into a workspace: `previewImport` says what would be created and updated, and
 * what is wrong, without writing; `applyImport` writes exactly that in one transaction with one
 * audit entry, or nothing at all.
 */
import { StagecraftError } from '../../domain/errors';
import type { Snapshot } from '../../domain/facts';
import type { HostRecord, ServiceSummary } from '../../domain/inventory';
import { DEFAULT_STAGE_NAMES } from '../../domain/lifecycle';
import type { WorkspaceStore } from '../../store/workspace-store';
import type { ImportProblem, ImportMapping } from './mapping';
import { resolvePlacements, serviceKey, STAGE_WORDS, suggestMapping } from './mapping';
import type { ImportedHost, ImportFormat, ImportOrigin, ParsedImport } from './model';
import { where } from './model';

export interface PreviewService {
  name: string;
  action: 'create' | 'existing';
  /** Its stages: the standard five for a service to be created. */
  stages: string[];
  /** Roles the import adds to it. */
  rolesToAdd: string[];
}

type HostField = 'address' | 'port' | 'sshUser' | 'kind' | 'owner' | 'vcpus' | 'memoryMb' | 'diskGb' | 'notes';

export interface HostChange {
  field: HostField;
  before: string | number | null;
  after: string | number | null;
}

export interface PreviewHost {
  name: string;
  action: 'create' | 'update' | 'unchanged';
  /** The host as it will be after the import. */
  address: string;
  port: number;
  sshUser: string;
  /** For an update: the fields that change. */
  changes: HostChange[];
  origin: ImportOrigin;
}

export interface PreviewPlacement {
  host: string;
  service: string;
  stage: string;
  role: string;
  action: 'create' | 'existing';
  via: string[];
}

export interface PreviewSnapshot {
  host: string;
  capturedAt: string;
  source: Snapshot['source'];
  /** `existing`: the host already has a snapshot from that source at that time; it is skipped. */
  action: 'create' | 'existing';
  /** What the snapshot lacks (Ansible gives no ports, files…). */
  warnings: string[];
  origin: ImportOrigin;
}

export interface ImportCounts {
  servicesCreated: number;
  rolesCreated: number;
  hostsCreated: number;
  hostsUpdated: number;
  hostsUnchanged: number;
  placementsCreated: number;
  snapshotsCreated: number;
  snapshotsSkipped: number;
}

export interface ImportPreview {
  format: ImportFormat;
  source: string;
  mapping: ImportMapping;
  services: PreviewService[];
  hosts: PreviewHost[];
  placements: PreviewPlacement[];
  snapshots: PreviewSnapshot[];
  /** Errors stop `applyImport`; warnings say what will not be imported and why. */
  problems: ImportProblem[];
  /** Parser notes (ignored columns, unsupported keywords). */
  notes: string[];
  counts: ImportCounts;
  canApply: boolean;
}

export interface ImportResult extends ImportPreview {
  /** Ids of the hosts of the import, by name. */
  hostIds: Record<string, number>;
  snapshotIds: number[];
}

const FIELDS: { field: HostField; of: (h: ImportedHost) => string | number | undefined }[] = [
  { field: 'address', of: (h) => h.address },
  { field: 'port', of: (h) => h.port },
  { field: 'sshUser', of: (h) => h.user },
  { field: 'kind', of: (h) => h.kind },
  { field: 'owner', of: (h) => h.owner },
  { field: 'vcpus', of: (h) => h.vcpus },
  { field: 'memoryMb', of: (h) => h.memoryMb },
  { field: 'diskGb', of: (h) => h.diskGb },
  { field: 'notes', of: (h) => h.notes },
];

/** The same host named twice (an inventory and an SSH config read together): one host, settings must agree. */
function mergeHosts(hosts: readonly ImportedHost[], problems: ImportProblem[]): ImportedHost[] {
  const byName = new Map<string, ImportedHost>();
  for (const host of hosts) {
    const key = host.name.toLowerCase();
    const existing = byName.get(key);
    if (!existing) {
      byName.set(key, { ...host, groups: [...host.groups], placements: [...host.placements] });
      continue;
    }
    for (const { field, of } of FIELDS) {
      const before = of(existing);
      const after = of(host);
      if (before !== undefined && after !== undefined && before !== after) {
        problems.push({ severity: 'error', host: host.name, origin: host.origin, message: `host "${host.name}" has ${field} "${String(before)}" in ${where(existing.origin)} and "${String(after)}" in ${where(host.origin)}.`, hint: 'Make the files agree, or import them one at a time.' });
      }
    }
    const merged: ImportedHost = { ...host, ...existing, groups: [...new Set([...existing.groups, ...host.groups])], placements: [...existing.placements, ...host.placements], vars: { ...host.vars, ...existing.vars } };
    for (const { field, of } of FIELDS) if (of(existing) === undefined && of(host) !== undefined) Object.assign(merged, { [field === 'sshUser' ? 'user' : field]: of(host) });
    byName.set(key, merged);
  }
  return [...byName.values()];
}

/** The stage of `service` that `wanted` names: the same name, or the standard name of a stage word (prod → production). */
function matchStage(stages: readonly string[], wanted: string): string | undefined {
  const lower = wanted.trim().toLowerCase();
  return stages.find((s) => s.toLowerCase() === lower) ?? stages.find((s) => s.toLowerCase() === STAGE_WORDS[lower]);
}

/** What `applyImport` would do, and what stops it. Reads the workspace; writes nothing. */
export function previewImport(store: WorkspaceStore, parsed: ParsedImport, mapping?: ImportMapping): ImportPreview {
  return store.read(() => plan(store, parsed, mapping));
}

interface Plan extends ImportPreview {
  existingHosts: Map<string, HostRecord>;
  existingServices: Map<string, ServiceSummary>;
  snapshotItems: { host: string; snapshot: Snapshot; action: 'create' | 'existing' }[];
}

function plan(store: WorkspaceStore, parsed: ParsedImport, mappingIn?: ImportMapping): Plan {
  const serviceList = store.inventory.listServices();
  const mapping = mappingIn ?? suggestMapping(parsed, { services: serviceList.map((s) => ({ name: s.name, stages: s.stages.map((x) => x.name) })) });
  const problems: ImportProblem[] = [];
  const hostsIn = mergeHosts(parsed.hosts, problems);
  const merged: ParsedImport = { ...parsed, hosts: hostsIn };
  const existingServices = new Map(serviceList.map((s) => [serviceKey(s.name), s]));
  const existingHosts = new Map<string, HostRecord>();

  // Hosts: new, updated where the file says so, or unchanged.
  const hosts: PreviewHost[] = hostsIn.map((host) => {
    const existing = store.inventory.findHostByName(host.name);
    if (!existing) {
      return { name: host.name, action: 'create', address: host.address ?? host.name, port: host.port ?? 22, sshUser: host.user ?? '', changes: [], origin: host.origin };
    }
    existingHosts.set(host.name.toLowerCase(), existing);
    const changes: HostChange[] = [];
    for (const { field, of } of FIELDS) {
      const after = of(host);
      if (after !== undefined && after !== existing[field]) changes.push({ field, before: existing[field], after });
    }
    const patched = { ...existing, ...Object.fromEntries(changes.map((c) => [c.field, c.after])) } as HostRecord;
    return { name: existing.name, action: changes.length > 0 ? 'update' : 'unchanged', address: patched.address, port: patched.port, sshUser: patched.sshUser, changes, origin: host.origin };
  });

  // Placements, their services, stages and roles.
  const resolved = resolvePlacements(merged, mapping);
  problems.push(...resolved.problems);
  const services = new Map<string, PreviewService>();
  const placements: PreviewPlacement[] = [];
  const placementKeys = new Set<string>();
  for (const p of resolved.placements) {
    const key = serviceKey(p.service);
    const existing = existingServices.get(key);
    let service = services.get(key);
    if (!service) {
      service = existing
        ? { name: existing.name, action: 'existing', stages: existing.stages.map((s) => s.name), rolesToAdd: [] }
        : { name: p.service.trim(), action: 'create', stages: [...DEFAULT_STAGE_NAMES], rolesToAdd: [] };
      services.set(key, service);
    }
    const stage = matchStage(service.stages, p.stage);
    if (stage === undefined) {
      const host = hostsIn.find((h) => h.name === p.host);
      problems.push({
        severity: 'error',
        host: p.host,
        ...(host && { origin: host.origin }),
        message: `host "${p.host}": service "${service.name}" has no stage "${p.stage}" (its stages: ${service.stages.join(', ')}).`,
        hint: service.action === 'create' ? 'New services get the standard five stages: map the group to one of them.' : 'Map the group to one of its stages, or add the stage in the lifecycle editor first.',
      });
      continue;
    }
    const role = p.role.trim();
    const roles = existing?.roles ?? [];
    if (!roles.some((r) => r === role) && !service.rolesToAdd.includes(role)) service.rolesToAdd.push(role);
    const dedupe = `${p.host.toLowerCase()}\u0000${service.name}\u0000${stage}\u0000${role}`;
    if (placementKeys.has(dedupe)) continue;
    placementKeys.add(dedupe);
    let action: PreviewPlacement['action'] = 'create';
    const host = existingHosts.get(p.host.toLowerCase());
    if (host && existing) {
      const stageId = existing.stages.find((s) => s.name === stage)?.id;
      const current = store.inventory.hostPlacements(host.id);
      if (current.some((c) => c.stageId === stageId && c.role === role)) action = 'existing';
      const elsewhere = current.filter((c) => c.serviceId === existing.id && c.stageId !== stageId);
      if (action === 'create' && elsewhere.length > 0) {
        const names = [...new Set(elsewhere.map((c) => existing.stages.find((s) => s.id === c.stageId)?.name ?? String(c.stageId)))];
        problems.push({ severity: 'warning', host: p.host, message: `host "${p.host}" is already in ${names.join(', ')} of "${existing.name}"; the import adds it to ${stage}, it moves nothing.` });
      }
    }
    placements.push({ host: hosts.find((h) => h.name.toLowerCase() === p.host.toLowerCase())?.name ?? p.host, service: service.name, stage, role, action, via: p.via });
  }

  // Snapshots, matched to a host of the import or of the workspace.
  const snapshotItems: Plan['snapshotItems'] = [];
  const snapshots: PreviewSnapshot[] = [];
  const explicitHost = mapping.snapshotHost?.trim() || undefined;
  for (const item of parsed.snapshots) {
    const { snapshot } = item;
    const candidates = explicitHost !== undefined ? [explicitHost] : [item.hostName, snapshot.host.hostname, snapshot.host.fqdn].filter((c): c is string => c !== undefined && c !== '');
    let hostName: string | undefined;
    let existing: HostRecord | undefined;
    for (const candidate of candidates) {
      const inImport = hosts.find((h) => h.name.toLowerCase() === candidate.toLowerCase());
      if (inImport) {
        hostName = inImport.name;
        existing = existingHosts.get(inImport.name.toLowerCase());
        break;
      }
      existing = store.inventory.findHostByName(candidate);
      if (existing) {
        hostName = existing.name;
        break;
      }
    }
    if (hostName === undefined) {
      problems.push({
        severity: 'error',
        origin: item.origin,
        message: `${where(item.origin)}: no host is named ${[...new Set(candidates)].map((c) => `"${c}"`).join(' or ')}.`,
        hint: explicitHost !== undefined ? 'Choose a host of the workspace.' : 'Import the inventory first (or with it), or name the host the snapshot belongs to.',
      });
      continue;
    }
    const seen = existing ? store.snapshots.history(existing.id).some((r) => r.capturedAt === snapshot.capturedAt && r.source === snapshot.source) : false;
    const duplicate = snapshotItems.some((s) => s.host === hostName && s.snapshot.capturedAt === snapshot.capturedAt && s.snapshot.source === snapshot.source);
    const action = seen || duplicate ? 'existing' : 'create';
    snapshotItems.push({ host: hostName, snapshot, action });
    snapshots.push({ host: hostName, capturedAt: snapshot.capturedAt, source: snapshot.source, action, warnings: snapshot.warnings, origin: item.origin });
  }
  if (explicitHost !== undefined && new Set(parsed.snapshots.map((s) => s.snapshot.host.hostname)).size > 1) {
    problems.push({ severity: 'warning', message: `the snapshots come from ${new Set(parsed.snapshots.map((s) => s.snapshot.host.hostname)).size} different hosts, yet all go to "${explicitHost}".` });
  }

  const serviceList2 = [...services.values()];
  const counts: ImportCounts = {
    servicesCreated: serviceList2.filter((s) => s.action === 'create').length,
    rolesCreated: serviceList2.reduce((n, s) => n + s.rolesToAdd.length, 0),
    hostsCreated: hosts.filter((h) => h.action === 'create').length,
    hostsUpdated: hosts.filter((h) => h.action === 'update').length,
    hostsUnchanged: hosts.filter((h) => h.action === 'unchanged').length,
    placementsCreated: placements.filter((p) => p.action === 'create').length,
    snapshotsCreated: snapshots.filter((s) => s.action === 'create').length,
    snapshotsSkipped: snapshots.filter((s) => s.action === 'existing').length,
  };
  return {
    format: parsed.format,
    source: parsed.source,
    mapping,
    services: serviceList2,
    hosts,
    placements,
    snapshots,
    problems,
    notes: parsed.warnings,
    counts,
    canApply: !problems.some((p) => p.severity === 'error'),
    existingHosts,
    existingServices,
    snapshotItems,
  };
}

/**
 * Writes the import: services (with the standard five stages) and roles, hosts (new, or updated
 * where the file says so), placements and snapshots — in one transaction with one audit entry
 * carrying the counts. Refused whole, before anything is written, when the preview has errors;
 * any failure while writing rolls everything back.
 */
export function applyImport(store: WorkspaceStore, parsed: ParsedImport, mapping: ImportMapping | undefined, actor: string): ImportResult {
  return store.write(
    { actor, action: 'inventory.import', subject: `${parsed.format} ${parsed.source}`, after: (result: ImportResult) => ({ format: result.format, source: result.source, ...result.counts }) },
    () => {
      const p = plan(store, parsed, mapping);
      const errors = p.problems.filter((x) => x.severity === 'error');
      if (errors.length > 0) {
        const first = errors[0]!;
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : '';
        throw new StagecraftError('invalid-input', `Nothing was imported: ${first.message}${more}`, first.hint);
      }
      const at = new Date().toISOString();
      const serviceIds = new Map<string, ServiceSummary>();
      for (const service of p.services) {
        const key = serviceKey(service.name);
        if (service.action === 'create') {
          const id = store.inventory.createService({ name: service.name, stages: DEFAULT_STAGE_NAMES, productionStage: 'production', roles: service.rolesToAdd }, at);
          serviceIds.set(key, store.inventory.getService(id));
        } else {
          const existing = p.existingServices.get(key)!;
          for (const role of service.rolesToAdd) store.inventory.ensureRole(existing.id, role);
          serviceIds.set(key, existing);
        }
      }
      const hostIds: Record<string, number> = {};
      const byName = new Map(mergeHosts(parsed.hosts, []).map((h) => [h.name.toLowerCase(), h]));
      for (const host of p.hosts) {
        const source = byName.get(host.name.toLowerCase())!;
        const existing = p.existingHosts.get(host.name.toLowerCase());
        if (existing) {
          if (host.changes.length > 0) store.inventory.updateHost(existing.id, Object.fromEntries(host.changes.map((c) => [c.field, c.after])));
          hostIds[host.name] = existing.id;
        } else {
          hostIds[host.name] = store.inventory.addHost(
            {
              name: source.name,
              address: source.address ?? source.name,
              ...(source.port !== undefined && { port: source.port }),
              ...(source.user !== undefined && { sshUser: source.user }),
              ...(source.kind !== undefined && { kind: source.kind }),
              ...(source.owner !== undefined && { owner: source.owner }),
              ...(source.vcpus !== undefined && { vcpus: source.vcpus }),
              ...(source.memoryMb !== undefined && { memoryMb: source.memoryMb }),
              ...(source.diskGb !== undefined && { diskGb: source.diskGb }),
              ...(source.notes !== undefined && { notes: source.notes }),
            },
            at,
          );
        }
      }
      for (const placement of p.placements) {
        if (placement.action !== 'create') continue;
        const service = serviceIds.get(serviceKey(placement.service))!;
        const stage = service.stages.find((s) => s.name === placement.stage)!;
        store.inventory.placeHost(stage.id, hostIds[placement.host]!, placement.role);
      }
      const snapshotIds: number[] = [];
      for (const item of p.snapshotItems) {
        if (item.action !== 'create') continue;
        snapshotIds.push(store.snapshots.save(hostIds[item.host] ?? p.existingHosts.get(item.host.toLowerCase())?.id ?? store.inventory.findHostByName(item.host)!.id, item.snapshot).id);
      }
      const { existingHosts: _h, existingServices: _s, snapshotItems: _i, ...preview } = p;
      return { ...preview, hostIds, snapshotIds };
    },
  );
}
