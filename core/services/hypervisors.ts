/**
 * Hypervisors as use cases: register libvirt connections, read and cache their inventory (shown
 * offline from the cache), match their VMs to inventory hosts, import unmatched VMs as hosts, and
 * run changes (snapshot, revert, power, clone) only as confirmed plans, each recorded in the
 * audit log whether it succeeded or not.
 */
import {
  isLibvirtFailure,
  LIBVIRT_REMEDIES,
  LibvirtHypervisor,
  LocalVirshRunner,
  OperationFailure,
  SshVirshRunner,
  type DomainInfo,
  type ExecuteOptions,
  type Hypervisor,
  type HypervisorInventory,
  type HypervisorOperation,
  type LibvirtFailureKind,
  type LibvirtHypervisorOptions,
  type OperationPlan,
  type OperationResult,
  type SshVirshOptions,
  type VirshRunner,
} from '../connectors/libvirt/index';
import { parseSshTarget } from '../connectors/ssh/index';
import { StagecraftError } from '../domain/errors';
import type { HostIdentity } from '../domain/facts';
import type { CachedInventory, HypervisorRecord, NewHypervisor } from '../store/hypervisor-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { targetOfHost, workspaceTrustStore } from './scan';

export type { HypervisorRecord, NewHypervisor } from '../store/hypervisor-repository';

// ---- connections ------------------------------------------------------------------------------

export function addHypervisor(store: WorkspaceStore, actor: string, hypervisor: NewHypervisor): HypervisorRecord {
  return store.write({ actor, action: 'hypervisor.add', subject: `hypervisor ${hypervisor.name}`, after: (r) => r }, () => store.hypervisors.add(hypervisor));
}

export function updateHypervisor(store: WorkspaceStore, actor: string, id: number, changes: Partial<NewHypervisor>): HypervisorRecord {
  const before = store.hypervisors.get(id);
  return store.write({ actor, action: 'hypervisor.update', subject: `hypervisor ${before.name}`, before, after: (r) => r }, () => store.hypervisors.update(id, changes));
}

export function removeHypervisor(store: WorkspaceStore, actor: string, id: number): void {
  const before = store.hypervisors.get(id);
  store.write({ actor, action: 'hypervisor.remove', subject: `hypervisor ${before.name}`, before }, () => store.hypervisors.remove(id));
}

export interface ConnectOptions extends LibvirtHypervisorOptions {
  /** SSH settings when virsh runs on a remote host (identity files, known_hosts, agent…). */
  ssh?: Omit<SshVirshOptions, 'trustStore'>;
  /** Who accepts new host keys (recorded in the workspace's trust store). */
  actor?: string;
  /** A runner of this hypervisor that the caller keeps open (one connection for a whole plan or run, see withConnections) and closes. */
  runner?: VirshRunner;
}

/** How virsh reaches a registered hypervisor: here, or on its SSH host with the workspace's host keys. */
function runnerFor(store: WorkspaceStore, record: HypervisorRecord, options: ConnectOptions): VirshRunner {
  const { ssh, actor = 'stagecraft' } = options;
  const sshHost =
    record.viaHostId !== null ? targetOfHost(store.inventory.host(record.viaHostId)) : record.sshTarget !== null ? parseSshTarget(record.sshTarget.includes('://') ? record.sshTarget : `ssh://${record.sshTarget}`) : null;
  return sshHost ? new SshVirshRunner(sshHost, record.uri, { ...ssh, trustStore: workspaceTrustStore(store, actor) }) : new LocalVirshRunner(record.uri);
}

/** A connector for a registered hypervisor; with `options.runner`, over that connection (left open when the connector closes). */
export function connectHypervisor(store: WorkspaceStore, record: HypervisorRecord, options: ConnectOptions = {}): Hypervisor {
  const { ssh: _ssh, actor: _actor, runner: given, ...hypervisorOptions } = options;
  return given ? new LibvirtHypervisor(given, hypervisorOptions, true) : new LibvirtHypervisor(runnerFor(store, record, options), hypervisorOptions);
}

/**
 * One connection per hypervisor for a whole plan or run instead of one per call (over SSH, one
 * session rather than a handshake per VM): the options `for(id)` gives make every call reuse it.
 */
export class SharedConnections {
  private readonly runners = new Map<number, VirshRunner>();

  constructor(
    private readonly store: WorkspaceStore,
    private readonly options: ConnectOptions,
  ) {}

  runner(id: number): VirshRunner {
    let runner = this.runners.get(id);
    if (!runner) this.runners.set(id, (runner = runnerFor(this.store, this.store.hypervisors.get(id), this.options)));
    return runner;
  }

  for(id: number): ConnectOptions {
    return { ...this.options, runner: this.runner(id) };
  }

  close(): void {
    for (const runner of this.runners.values()) runner.close();
    this.runners.clear();
  }
}

/** Runs `work` with one connection per hypervisor, closed when it ends. */
export async function withConnections<T>(store: WorkspaceStore, options: ConnectOptions, work: (connections: SharedConnections) => Promise<T>): Promise<T> {
  const connections = new SharedConnections(store, options);
  try {
    return await work(connections);
  } finally {
    connections.close();
  }
}

/**
 * withConnections for a check that starts a run (a confirmed clone, resume or reclaim): the run goes
 * on over the connections the check used, closed when its `done` settles, or at once when the check refuses.
 */
export async function startWithConnections<T extends { done: Promise<unknown> }>(store: WorkspaceStore, options: ConnectOptions, start: (connections: SharedConnections) => Promise<T>): Promise<T> {
  const connections = new SharedConnections(store, options);
  let started: T;
  try {
    started = await start(connections);
  } catch (error) {
    connections.close();
    throw error;
  }
  // The caller handles the run's outcome; this only ends its connections.
  started.done.then(
    () => connections.close(),
    () => connections.close(),
  );
  return started;
}

// ---- inventory --------------------------------------------------------------------------------

export interface HypervisorFailure {
  kind: LibvirtFailureKind | 'internal' | string;
  message: string;
  remedy: string;
}

export function describeHypervisorFailure(error: unknown): HypervisorFailure {
  if (isLibvirtFailure(error)) return { kind: error.kind, message: error.message, remedy: error.hint ?? LIBVIRT_REMEDIES[error.kind] };
  if (error instanceof StagecraftError) return { kind: error.code, message: error.message, remedy: error.hint ?? '' };
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error), remedy: 'This is a bug in Stagecraft: report it with the message.' };
}

/** Reads the hypervisor's inventory and replaces the cached one; on failure or cancellation the cache is left as it was. */
export async function refreshInventory(store: WorkspaceStore, id: number, options: ConnectOptions & { signal?: AbortSignal } = {}): Promise<CachedInventory<HypervisorInventory>> {
  const record = store.hypervisors.get(id);
  const { signal, ...connect } = options;
  const hypervisor = connectHypervisor(store, record, connect);
  try {
    const inventory = await hypervisor.inventory();
    if (signal?.aborted) throw new StagecraftError('cancelled', `Reading ${record.name} was cancelled: the last inventory is kept.`);
    store.hypervisors.saveInventory(id, inventory, inventory.fetchedAt);
    return { hypervisorId: id, fetchedAt: inventory.fetchedAt, inventory };
  } finally {
    hypervisor.close();
  }
}

/** The last inventory read (works offline), or null. */
export function cachedInventory(store: WorkspaceStore, id: number): CachedInventory<HypervisorInventory> | null {
  return store.hypervisors.inventory<HypervisorInventory>(id);
}

// ---- changes ----------------------------------------------------------------------------------

export async function planHypervisorOperation(store: WorkspaceStore, id: number, op: HypervisorOperation, options: ConnectOptions = {}): Promise<OperationPlan> {
  const hypervisor = connectHypervisor(store, store.hypervisors.get(id), options);
  try {
    return await hypervisor.planOperation(op);
  } finally {
    hypervisor.close();
  }
}

/** A planned operation as the contract shows it for confirmation (the plan itself stays in the main process). */
export const operationView = (plan: OperationPlan) => ({ kind: plan.op.kind, description: plan.description, commands: plan.commands, documents: plan.documents, warnings: plan.warnings });

/**
 * A dry run as its confirmation approves it, to hold the run to: its scope (what else it changes) and
 * each entry's identity with the exact commands of its operations. A plan made again draws new MACs,
 * which show only in the documents, never in the commands.
 */
export function approvedCommands(scope: unknown, entries: readonly { what: unknown; operations: readonly (OperationPlan | null)[] }[]): string {
  return JSON.stringify([scope, entries.map((entry) => [entry.what, entry.operations.map((op) => op?.commands ?? null)])]);
}

const subjectOf = (record: HypervisorRecord, op: HypervisorOperation) => `hypervisor ${record.name}: ${op.kind === 'clone' ? `${op.template} → ${op.newName}` : op.domain}`;

/**
 * Runs a plan the user confirmed. Refused (nothing run, nothing recorded) when not confirmed or
 * when the hypervisor changed since the plan; otherwise recorded in the audit log with its
 * commands and outcome, also when it fails part-way (what did run is listed).
 */
export async function executeHypervisorOperation(
  store: WorkspaceStore,
  actor: string,
  id: number,
  plan: OperationPlan,
  options: ConnectOptions & ExecuteOptions,
): Promise<OperationResult> {
  const record = store.hypervisors.get(id);
  const { confirmed, onCommand, ...connect } = options;
  const hypervisor = connectHypervisor(store, record, { ...connect, actor });
  const action = `hypervisor.${plan.op.kind}`;
  try {
    const result = await hypervisor.execute(plan, { confirmed, ...(onCommand && { onCommand }) });
    store.write({ actor, action, subject: subjectOf(record, result.op), after: () => ({ uri: record.uri, op: result.op, commands: result.commands, outcome: 'done', durationMs: result.durationMs }) }, () => undefined);
    return result;
  } catch (error) {
    if (error instanceof OperationFailure) {
      store.write(
        { actor, action, subject: subjectOf(record, plan.op), after: () => ({ uri: record.uri, op: plan.op, commands: plan.commands, outcome: 'failed', ran: error.completedCommands, failed: error.failedCommand, error: error.message }) },
        () => undefined,
      );
    }
    throw error;
  } finally {
    hypervisor.close();
  }
}

// ---- matching VMs to inventory hosts --------------------------------------------------------------

export type MatchReason = 'mac' | 'address' | 'name';

export interface MatchCandidateHost {
  id: number;
  name: string;
  address: string;
  /** From the host's latest snapshot, when it has one. */
  identity?: Pick<HostIdentity, 'hostname' | 'fqdn' | 'addresses' | 'macs'>;
}

export interface DomainMatch {
  domain: string;
  uuid: string;
  hostId: number;
  hostName: string;
  reason: MatchReason;
  /** What matched, for people: "MAC 52:54:00:00:01:10". */
  detail: string;
}

export interface DomainMatching {
  matched: DomainMatch[];
  /** VMs no host claims: offered for import. */
  unmatched: DomainInfo[];
  /** Hosts of the inventory no VM of this hypervisor matched. */
  unmatchedHostIds: number[];
}

const shortName = (name: string) => name.toLowerCase().replace(/\.$/, '').split('.')[0] ?? '';

/**
 * Pairs each VM with at most one host and each host with at most one VM, strongest evidence
 * first: a MAC (from the host's snapshot), then an address (the VM's DHCP reservation vs the host's
 * address or snapshot addresses), then a name (domain name or title vs host name, snapshot
 * hostname and FQDN; case-insensitive, FQDNs also by their first label).
 */
export function matchDomains(inventory: Pick<HypervisorInventory, 'domains'>, hosts: readonly MatchCandidateHost[]): DomainMatching {
  const matched: DomainMatch[] = [];
  const takenDomains = new Set<string>();
  const takenHosts = new Set<number>();

  const claim = (domain: DomainInfo, host: MatchCandidateHost, reason: MatchReason, detail: string) => {
    takenDomains.add(domain.uuid || domain.name);
    takenHosts.add(host.id);
    matched.push({ domain: domain.name, uuid: domain.uuid, hostId: host.id, hostName: host.name, reason, detail });
  };
  const free = (domain: DomainInfo) => !takenDomains.has(domain.uuid || domain.name);

  // By MAC.
  const byMac = new Map<string, MatchCandidateHost>();
  for (const host of hosts) for (const mac of host.identity?.macs ?? []) if (!byMac.has(mac.toLowerCase())) byMac.set(mac.toLowerCase(), host);
  for (const domain of inventory.domains) {
    for (const nic of domain.nics) {
      const host = byMac.get(nic.mac.toLowerCase());
      if (host && free(domain) && !takenHosts.has(host.id)) claim(domain, host, 'mac', `MAC ${nic.mac}`);
    }
  }
  // By address.
  const byAddress = new Map<string, MatchCandidateHost>();
  for (const host of hosts) {
    for (const address of [host.address, ...(host.identity?.addresses ?? [])]) {
      const key = address.toLowerCase().replace(/\/\d+$/, '');
      if (key && !byAddress.has(key)) byAddress.set(key, host);
    }
  }
  for (const domain of inventory.domains) {
    for (const address of domain.nics.flatMap((n) => n.addresses)) {
      const host = byAddress.get(address.toLowerCase());
      if (host && free(domain) && !takenHosts.has(host.id)) claim(domain, host, 'address', `address ${address}`);
    }
  }
  // By name: exact (case-insensitive) before short names.
  const nameKeys = (host: MatchCandidateHost) => [host.name, host.identity?.hostname, host.identity?.fqdn].filter((n): n is string => !!n);
  for (const exact of [true, false]) {
    for (const domain of inventory.domains) {
      if (!free(domain)) continue;
      const domainNames = [domain.name, domain.title].filter((n) => n.trim() !== '');
      const host = hosts.find(
        (h) => !takenHosts.has(h.id) && nameKeys(h).some((key) => domainNames.some((n) => (exact ? n.toLowerCase() === key.toLowerCase() : shortName(n) === shortName(key) && shortName(n) !== ''))),
      );
      if (host) claim(domain, host, 'name', `name ${domain.name} ~ ${host.name}`);
    }
  }
  return {
    matched,
    unmatched: inventory.domains.filter(free),
    unmatchedHostIds: hosts.filter((h) => !takenHosts.has(h.id)).map((h) => h.id),
  };
}

/** The workspace's hosts (or those of `hostIds`, in id order) with the identity of their latest snapshot. */
export function matchCandidates(store: WorkspaceStore, hostIds?: Iterable<number>): MatchCandidateHost[] {
  return store.read(() => {
    const ids = hostIds === undefined ? store.hypervisors.allHostIds() : [...new Set(hostIds)].sort((a, b) => a - b);
    const latest = store.snapshots.latestByHost(undefined, hostIds === undefined ? undefined : ids);
    return ids.map((id) => {
      const host = store.inventory.host(id);
      const snapshot = latest.get(id);
      const identity = snapshot ? store.snapshots.manifest(snapshot.id).host : undefined;
      return { id, name: host.name, address: host.address, ...(identity ? { identity } : {}) };
    });
  });
}

/** Matches the cached inventory of a hypervisor (offline) against the workspace's hosts. */
export function matchHypervisorDomains(store: WorkspaceStore, id: number): DomainMatching & { fetchedAt: string } {
  const cached = cachedInventory(store, id);
  if (!cached) throw new StagecraftError('not-found', `Hypervisor ${store.hypervisors.get(id).name} has no inventory yet.`, 'Refresh its inventory first.');
  return { ...matchDomains(cached.inventory, matchCandidates(store)), fetchedAt: cached.fetchedAt };
}

// ---- import ---------------------------------------------------------------------------------------

/** What a VM's disks hold, in bytes (CD-ROMs and floppies are not its disks). */
export const diskBytesOf = (domain: DomainInfo): number => domain.disks.filter((d) => d.device === 'disk').reduce((sum, d) => sum + (d.capacityBytes ?? 0), 0);

export interface ImportDomainsRequest {
  /** Names of VMs from the hypervisor's cached inventory. */
  domains: readonly string[];
  /** The stage (its environment) and role the new hosts play. */
  stageId: number;
  role: string;
  owner?: string;
}

/** Creates one inventory host per selected VM and places it, all in one transaction (all or nothing). */
export function importDomainsAsHosts(store: WorkspaceStore, actor: string, id: number, request: ImportDomainsRequest): { hostId: number; name: string; domain: string }[] {
  const record = store.hypervisors.get(id);
  const cached = cachedInventory(store, id);
  if (!cached) throw new StagecraftError('not-found', `Hypervisor ${record.name} has no inventory yet.`, 'Refresh its inventory first.');
  if (request.domains.length === 0) throw new StagecraftError('invalid-input', 'Choose at least one VM to import.');
  const domains = request.domains.map((name) => {
    const domain = cached.inventory.domains.find((d) => d.name === name);
    if (!domain) throw new StagecraftError('not-found', `${record.name} has no VM "${name}" (inventory of ${cached.fetchedAt}).`, 'Refresh the inventory and choose again.');
    return domain;
  });
  return store.write(
    { actor, action: 'hypervisor.import', subject: `hypervisor ${record.name}`, after: (hosts) => ({ stageId: request.stageId, role: request.role, hosts }) },
    () =>
      domains.map((domain) => {
        const address = domain.nics.flatMap((n) => n.addresses)[0] ?? domain.name;
        const diskBytes = diskBytesOf(domain);
        const hostId = store.inventory.addHost({
          name: domain.name,
          address,
          kind: 'vm',
          vcpus: domain.vcpus || null,
          memoryMb: domain.memoryMb || null,
          diskGb: diskBytes > 0 ? Math.round(diskBytes / 1024 ** 3) : null,
          owner: request.owner ?? '',
          notes: `Imported from hypervisor ${record.name} (${record.uri}), domain UUID ${domain.uuid}${domain.title ? `, title "${domain.title}"` : ''}.`,
        });
        store.inventory.placeHost(request.stageId, hostId, request.role);
        return { hostId, name: domain.name, domain: domain.name };
      }),
  );
}
