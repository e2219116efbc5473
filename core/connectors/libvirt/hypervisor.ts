/**
 * The libvirt hypervisor connector, driven by virsh. Reading (inventory, snapshots) changes
 * nothing. Every change is planned first: planOperation() returns the exact virsh commands (and
 * any document given on stdin) for the user to review; execute() runs them only when handed that
 * plan back with `confirmed: true`, and only when planning it again gives the very same commands
 * (otherwise the hypervisor changed in between and the user must review again).
 */
import { randomBytes } from 'node:crypto';
import { isLibvirtFailure, LibvirtFailure } from './failures';
import { parseDomainXml, parseNameList, parseNetworkXml, parsePoolXml, parseSnapshotXml, parseVirshXml, parseVolumeTable, reservationIndex, volumeIndex, type DomainRuntime } from './parse';
import { VIRSH_DEFAULTS, type VirshRunner } from './runner';
import type { DomainSnapshotInfo, DomainState, HypervisorInventory, NetworkInfo, StoragePoolInfo } from './types';
import { child, childElements, childText, serializeXml, type XmlElement } from './xml';

export type HypervisorOperation =
  | { kind: 'snapshot-create'; domain: string; name: string; description: string }
  | { kind: 'snapshot-revert'; domain: string; name: string }
  | { kind: 'snapshot-delete'; domain: string; name: string }
  | { kind: 'start'; domain: string }
  | { kind: 'shutdown'; domain: string; force: boolean }
  /**
   * `macs`: one per NIC of the template, in order; planning fills in random 52:54:00:… ones when absent.
   * `snapshot`: copy the disks as they were in this internal snapshot of the template (which may be
   * running: it is never stopped or changed) instead of cloning the shut-off template.
   */
  | { kind: 'clone'; template: string; newName: string; macs?: string[]; snapshot?: string }
  /** Removes a shut-off domain's definition, its snapshot metadata and, with removeStorage, its pool volumes. */
  | { kind: 'delete'; domain: string; removeStorage: boolean };

export type HypervisorOperationKind = HypervisorOperation['kind'];

/** A document a command reads on stdin, shown to the user with the commands. */
export interface PlanDocument {
  /** The command (index into `commands`) that reads it. */
  commandIndex: number;
  title: string;
  content: string;
}

/** A dry run: what will be done, exactly. Plain JSON: it may cross the contract and come back. */
export interface OperationPlan {
  /** The operation with everything resolved (e.g. the clone's MACs): executing plans this again. */
  op: HypervisorOperation;
  hypervisor: string;
  description: string;
  /** The exact virsh invocations, in order, quoted for display. */
  commands: string[];
  documents: PlanDocument[];
  /** What the user should know before confirming (data lost by a revert, a graceful shutdown that may be ignored…). */
  warnings: string[];
}

export interface Approval {
  plan: OperationPlan;
  confirmed: boolean;
}

export interface OperationResult {
  op: HypervisorOperation;
  hypervisor: string;
  commands: string[];
  durationMs: number;
  /** What virsh printed, trimmed (e.g. "Domain 'x' started"). */
  output: string;
}

/** A failure in the middle of an operation: which commands had already run. */
export class OperationFailure extends LibvirtFailure {
  constructor(
    cause: LibvirtFailure,
    readonly completedCommands: string[],
    readonly failedCommand: string,
  ) {
    super(cause.kind, completedCommands.length ? `${cause.message} (after ${completedCommands.length} of the planned commands had run)` : cause.message, cause.detail);
    this.name = 'OperationFailure';
  }
}

export interface Hypervisor {
  inventory(): Promise<HypervisorInventory>;
  snapshots(domain: string): Promise<DomainSnapshotInfo[]>;
  planOperation(op: HypervisorOperation): Promise<OperationPlan>;
  execute(plan: OperationPlan, options: ExecuteOptions): Promise<OperationResult>;
  createSnapshot(domain: string, name: string, description: string, approval: Approval): Promise<OperationResult>;
  revertSnapshot(domain: string, name: string, approval: Approval): Promise<OperationResult>;
  deleteSnapshot(domain: string, name: string, approval: Approval): Promise<OperationResult>;
  start(domain: string, approval: Approval): Promise<OperationResult>;
  shutdown(domain: string, options: { force: boolean }, approval: Approval): Promise<OperationResult>;
  clone(template: string, newName: string, options: { macs?: string[]; snapshot?: string }, approval: Approval): Promise<OperationResult>;
  close(): void;
}

export interface ExecuteOptions {
  confirmed: boolean;
  /** Called after each command ran (progress of a long clone or revert). */
  onCommand?: (done: number, command: string) => void;
}

export interface LibvirtHypervisorOptions {
  /** virsh calls at once during an inventory; default 4. */
  concurrency?: number;
  /** Per read call; default 30 s. */
  timeoutMs?: number;
  /** Per change call; default 300 s. */
  changeTimeoutMs?: number;
  now?: () => Date;
}

interface PlannedStep {
  args: string[];
  /** args is a command of the hypervisor's host (qemu-img), not virsh arguments. */
  onHost?: true;
  stdin?: string;
  documentTitle?: string;
}

const STATE_NAMES: Readonly<Record<string, DomainState>> = { running: 'running', paused: 'paused', 'shut off': 'shutoff', idle: 'running', 'in shutdown': 'running', blocked: 'running', pmsuspended: 'paused' };

export function checkName(label: string, value: string): string {
  if (value.trim() === '' || /[\u0000-\u001f\u007f]/.test(value)) throw new LibvirtFailure('invalid-input', `${label} "${value.replace(/[^\x20-\x7e]/g, '?')}" is empty or contains control characters`);
  return value;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** A locally administered MAC in QEMU's 52:54:00 range. */
export function randomMac(): string {
  return ['52', '54', '00', ...[...randomBytes(3)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

const present = <T>(items: readonly (T | null)[]): T[] => items.filter((item): item is T => item !== null);

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

export class LibvirtHypervisor implements Hypervisor {
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly changeTimeoutMs: number;

  /** `borrowed`: the runner belongs to the caller, who shares it between calls and closes it: close() leaves it open. */
  constructor(
    private readonly runner: VirshRunner,
    private readonly options: LibvirtHypervisorOptions = {},
    private readonly borrowed = false,
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.timeoutMs = options.timeoutMs ?? VIRSH_DEFAULTS.timeoutMs;
    this.changeTimeoutMs = options.changeTimeoutMs ?? VIRSH_DEFAULTS.changeTimeoutMs;
  }

  get uri(): string {
    return this.runner.uri;
  }

  private read(args: string[], what?: string): Promise<string> {
    return this.runner.run(args, { timeoutMs: this.timeoutMs, what: what ?? args.join(' ') });
  }

  private async names(args: string[]): Promise<string[]> {
    return parseNameList(await this.read(args));
  }

  /**
   * Reads an object listed a moment ago; null, with a warning, when it was deleted since (another
   * client removed it between the listing and this read: the rest of the inventory still counts).
   */
  private async readUnlessGone(args: string[], what: string, warnings: string[]): Promise<string | null> {
    try {
      return await this.read(args);
    } catch (error) {
      if (!isLibvirtFailure(error) || error.kind !== 'not-found') throw error;
      warnings.push(`${what} was deleted while the inventory was read: left out`);
      return null;
    }
  }

  // ---- reading ----------------------------------------------------------------------------

  async inventory(): Promise<HypervisorInventory> {
    const fetchedAt = (this.options.now?.() ?? new Date()).toISOString();
    const warnings: string[] = [];
    const hostname = await this.read(['hostname']).then(
      (out) => out.trim() || null,
      (error: unknown) => {
        if (isLibvirtFailure(error) && (error.kind === 'unreachable' || error.kind === 'virsh-missing' || error.kind === 'timeout')) throw error;
        return null;
      },
    );
    const [domains, running, paused, shutoff, autostart, transient, pools, inactivePools, autostartPools, networks, inactiveNetworks, autostartNetworks] = await Promise.all([
      this.names(['list', '--all', '--name']),
      this.names(['list', '--name', '--state-running']),
      this.names(['list', '--name', '--state-paused']),
      this.names(['list', '--all', '--name', '--state-shutoff']),
      this.names(['list', '--all', '--name', '--autostart']),
      this.names(['list', '--all', '--name', '--transient']),
      this.names(['pool-list', '--all', '--name']),
      this.names(['pool-list', '--name', '--inactive']),
      this.names(['pool-list', '--all', '--name', '--autostart']),
      this.names(['net-list', '--all', '--name']),
      this.names(['net-list', '--name', '--inactive']),
      this.names(['net-list', '--all', '--name', '--autostart']),
    ]);
    const sets = { running: new Set(running), paused: new Set(paused), shutoff: new Set(shutoff), autostart: new Set(autostart), transient: new Set(transient) };

    const poolInfos: StoragePoolInfo[] = await mapLimit(pools, this.concurrency, async (pool) => {
      // Its XML first: a pool deleted since the listing is left out with one warning, its volumes not asked for.
      const xml = await this.readUnlessGone(['pool-dumpxml', '--pool', pool], `pool ${pool}`, warnings);
      if (xml === null) return null;
      const active = !inactivePools.includes(pool);
      let volumes: StoragePoolInfo['volumes'] = [];
      if (active) {
        try {
          volumes = parseVolumeTable(await this.read(['vol-list', '--pool', pool, '--details']), `vol-list ${pool}`);
        } catch (error) {
          if (!isLibvirtFailure(error) || error.kind === 'unreachable') throw error;
          warnings.push(`pool ${pool}: volumes not listed: ${error.message}`);
        }
      } else {
        warnings.push(`pool ${pool} is inactive: its volumes are not listed`);
      }
      return parsePoolXml(xml, { active, autostart: autostartPools.includes(pool), volumes });
    }).then(present);

    const networkInfos: NetworkInfo[] = await mapLimit(networks, this.concurrency, async (network) => {
      const xml = await this.readUnlessGone(['net-dumpxml', '--network', network], `network ${network}`, warnings);
      return xml === null ? null : parseNetworkXml(xml, { active: !inactiveNetworks.includes(network), autostart: autostartNetworks.includes(network) });
    }).then(present);

    const volumes = volumeIndex(poolInfos);
    const reservations = reservationIndex(networkInfos);
    const domainInfos = await mapLimit(domains, this.concurrency, async (domain) => {
      const xml = await this.readUnlessGone(['dumpxml', '--domain', domain], `domain ${domain}`, warnings);
      if (xml === null) return null;
      let snapshots: DomainSnapshotInfo[] = [];
      try {
        snapshots = await this.snapshots(domain);
      } catch (error) {
        if (!isLibvirtFailure(error) || error.kind === 'unreachable') throw error;
        warnings.push(`domain ${domain}: snapshots not listed: ${error.message}`);
      }
      const state: DomainState = sets.running.has(domain) ? 'running' : sets.paused.has(domain) ? 'paused' : sets.shutoff.has(domain) ? 'shutoff' : 'other';
      const runtime: DomainRuntime = { state, autostart: sets.autostart.has(domain), persistent: !sets.transient.has(domain), snapshots };
      return parseDomainXml(xml, runtime, volumes, reservations);
    }).then(present);
    return { uri: this.runner.uri, hostname, fetchedAt, domains: domainInfos, pools: poolInfos, networks: networkInfos, warnings };
  }

  async snapshots(domain: string): Promise<DomainSnapshotInfo[]> {
    checkName('domain', domain);
    const names = await this.names(['snapshot-list', '--domain', domain, '--name']);
    if (names.length === 0) return [];
    const current = await this.read(['snapshot-current', '--domain', domain, '--name']).then(
      (out) => out.replace(/\n$/, ''),
      (error: unknown) => {
        if (isLibvirtFailure(error) && error.kind === 'not-found') return null;
        throw error;
      },
    );
    return mapLimit(names, this.concurrency, async (name) => parseSnapshotXml(await this.read(['snapshot-dumpxml', '--domain', domain, '--snapshotname', name]), name === current));
  }

  private async domainState(domain: string): Promise<DomainState> {
    const text = (await this.read(['domstate', '--domain', domain])).trim();
    return STATE_NAMES[text] ?? 'other';
  }

  // ---- planning ---------------------------------------------------------------------------

  async planOperation(op: HypervisorOperation): Promise<OperationPlan> {
    const { plan } = await this.plan(op);
    return plan;
  }

  private async plan(op: HypervisorOperation): Promise<{ plan: OperationPlan; steps: PlannedStep[] }> {
    const warnings: string[] = [];
    let steps: PlannedStep[];
    let description: string;
    let resolved: HypervisorOperation = op;
    switch (op.kind) {
      case 'snapshot-create': {
        checkName('domain', op.domain);
        checkName('snapshot name', op.name);
        const state = await this.domainState(op.domain);
        description = `Take snapshot "${op.name}" of ${op.domain} (${state === 'running' ? 'running: disks and memory' : state})`;
        if (state === 'running') warnings.push(`${op.domain} is running: the snapshot saves its memory too and may pause it briefly.`);
        steps = [{ args: ['snapshot-create-as', '--domain', op.domain, '--name', op.name, '--description', op.description, '--atomic'] }];
        break;
      }
      case 'snapshot-revert': {
        checkName('domain', op.domain);
        checkName('snapshot name', op.name);
        await this.requireSnapshot(op.domain, op.name);
        description = `Revert ${op.domain} to snapshot "${op.name}"`;
        warnings.push(`Everything ${op.domain} changed since "${op.name}" is lost (disks, and memory when the snapshot has it).`);
        steps = [{ args: ['snapshot-revert', '--domain', op.domain, '--snapshotname', op.name] }];
        break;
      }
      case 'snapshot-delete': {
        checkName('domain', op.domain);
        checkName('snapshot name', op.name);
        await this.requireSnapshot(op.domain, op.name);
        description = `Delete snapshot "${op.name}" of ${op.domain}`;
        warnings.push(`The domain can no longer be reverted to "${op.name}".`);
        steps = [{ args: ['snapshot-delete', '--domain', op.domain, '--snapshotname', op.name] }];
        break;
      }
      case 'start': {
        checkName('domain', op.domain);
        const state = await this.domainState(op.domain);
        if (state !== 'shutoff') throw new LibvirtFailure('operation-failed', `${this.runner.where}: ${op.domain} is ${state}, not shut off: it cannot be started`);
        description = `Start ${op.domain}`;
        steps = [{ args: ['start', '--domain', op.domain] }];
        break;
      }
      case 'shutdown': {
        checkName('domain', op.domain);
        const state = await this.domainState(op.domain);
        if (state === 'shutoff') throw new LibvirtFailure('operation-failed', `${this.runner.where}: ${op.domain} is already shut off`);
        if (op.force) {
          description = `Power off ${op.domain} at once (destroy)`;
          warnings.push(`${op.domain} stops like a pulled plug: unsaved data in the guest is lost.`);
          steps = [{ args: ['destroy', '--domain', op.domain] }];
        } else {
          description = `Ask ${op.domain} to shut down (ACPI)`;
          warnings.push('The guest decides: it may take a while, or ignore the request if it has no ACPI support.');
          steps = [{ args: ['shutdown', '--domain', op.domain] }];
        }
        break;
      }
      case 'delete': {
        checkName('domain', op.domain);
        const state = await this.domainState(op.domain);
        if (state !== 'shutoff') throw new LibvirtFailure('operation-failed', `${this.runner.where}: ${op.domain} is ${state}: shut it off before deleting it`);
        description = `Delete the domain ${op.domain}${op.removeStorage ? ' and its storage volumes' : ' (its disks stay)'}`;
        warnings.push(op.removeStorage ? `The disks of ${op.domain} in storage pools are deleted too: this cannot be undone.` : `The definition and snapshot metadata of ${op.domain} are removed.`);
        steps = [{ args: ['undefine', '--domain', op.domain, '--snapshots-metadata', ...(op.removeStorage ? ['--remove-all-storage'] : [])] }];
        break;
      }
      case 'clone': {
        const cloned = await this.planClone(op, warnings);
        resolved = cloned.op;
        steps = cloned.steps;
        description = cloned.description;
        break;
      }
    }
    const commands = steps.map((s) => (s.onHost ? this.runner.displayOnHost(s.args) : this.runner.display(s.args)) + (s.stdin !== undefined ? '  < (document below)' : ''));
    const documents: PlanDocument[] = steps.flatMap((s, i) => (s.stdin !== undefined ? [{ commandIndex: i, title: s.documentTitle ?? 'stdin', content: s.stdin }] : []));
    return { plan: { op: resolved, hypervisor: this.runner.where, description, commands, documents, warnings }, steps };
  }

  /** The target devices a snapshot holds internally (qcow2); not-found when the domain has no such snapshot. */
  private async internalSnapshotDisks(domain: string, name: string): Promise<Set<string>> {
    await this.requireSnapshot(domain, name);
    const xml = parseVirshXml(await this.read(['snapshot-dumpxml', '--domain', domain, '--snapshotname', name]), `snapshot-dumpxml ${domain}`, 'domainsnapshot');
    const disks = childElements(child(xml, 'disks') ?? { name: 'disks', attrs: {}, children: [] }, 'disk');
    return new Set(disks.filter((d) => d.attrs['snapshot'] === 'internal').map((d) => d.attrs['name'] ?? ''));
  }

  /** A directory pool's target path, without a trailing slash. */
  private async poolDirectory(pool: string, disk: string): Promise<string> {
    const poolXml = parseVirshXml(await this.read(['pool-dumpxml', '--pool', pool]), `pool-dumpxml ${pool}`, 'pool');
    const dir = childText(poolXml, 'target', 'path') ?? '';
    if (!dir) throw new LibvirtFailure('operation-failed', `${this.runner.where}: pool ${pool} has no target path; the copy of ${disk} cannot be located`);
    return dir.replace(/\/$/, '');
  }

  private async requireSnapshot(domain: string, name: string): Promise<void> {
    const names = await this.names(['snapshot-list', '--domain', domain, '--name']);
    if (!names.includes(name)) throw new LibvirtFailure('not-found', `${this.runner.where}: ${domain} has no snapshot "${name}"`);
  }

  private async planClone(op: Extract<HypervisorOperation, { kind: 'clone' }>, warnings: string[]): Promise<{ op: HypervisorOperation; steps: PlannedStep[]; description: string }> {
    checkName('template', op.template);
    checkName('new name', op.newName);
    const where = this.runner.where;
    if (op.snapshot !== undefined) {
      // The one check of host commands, before anything is read: execute plans again, so it refuses there too before any step.
      const refused = this.runner.hostAccess();
      if (refused) throw new LibvirtFailure('operation-failed', `${where}: a clone from a snapshot copies disk files with qemu-img on the hypervisor's host, and ${refused}`);
    }
    const existing = await this.names(['list', '--all', '--name']);
    if (!existing.includes(op.template)) throw new LibvirtFailure('not-found', `${where}: there is no domain "${op.template}" to clone`);
    if (existing.includes(op.newName)) throw new LibvirtFailure('operation-failed', `${where}: a domain named "${op.newName}" already exists`);
    const state = await this.domainState(op.template);
    const fromSnapshot = op.snapshot === undefined ? null : await this.internalSnapshotDisks(op.template, checkName('snapshot name', op.snapshot));
    if (state !== 'shutoff' && !fromSnapshot) throw new LibvirtFailure('operation-failed', `${where}: ${op.template} is ${state}: a template must be shut off to be cloned (its disks must not change while copied)`, 'Clone it from one of its snapshots instead.');

    const xml = parseVirshXml(await this.read(['dumpxml', '--inactive', '--domain', op.template]), `dumpxml ${op.template}`, 'domain');
    if (child(xml, 'os', 'nvram')) throw new LibvirtFailure('operation-failed', `${where}: ${op.template} boots with UEFI variables (nvram), which this clone does not copy`, 'use virt-clone for UEFI templates');
    const setText = (element: XmlElement, text: string) => (element.children = [text]);
    const name = child(xml, 'name');
    if (!name) throw new LibvirtFailure('invalid-output', `dumpxml ${op.template}: no <name>`);
    setText(name, op.newName);
    xml.children = xml.children.filter((c) => typeof c === 'string' || c.name !== 'uuid'); // libvirt assigns a new one

    const devices = child(xml, 'devices');
    const interfaces = devices ? childElements(devices, 'interface') : [];
    const macs = op.macs ?? interfaces.map(() => randomMac());
    if (macs.length !== interfaces.length) throw new LibvirtFailure('invalid-input', `${op.template} has ${interfaces.length} network interface(s), ${macs.length} MAC address(es) were given`);
    macs.forEach((mac, i) => {
      if (!MAC.test(mac.toLowerCase())) throw new LibvirtFailure('invalid-input', `"${mac}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
      const nic = interfaces[i]!;
      nic.children = nic.children.filter((c) => typeof c === 'string' || (c.name !== 'mac' && c.name !== 'target'));
      nic.children.unshift({ name: 'mac', attrs: { address: mac.toLowerCase() }, children: [] });
    });

    const steps: PlannedStep[] = [];
    const disks = devices ? childElements(devices, 'disk') : [];
    let copied = 0;
    for (const disk of disks) {
      const source = child(disk, 'source');
      const device = disk.attrs['device'] ?? 'disk';
      const target = child(disk, 'target')?.attrs['dev'] ?? '?';
      if (!source || device === 'cdrom' || device === 'floppy' || child(disk, 'readonly') || child(disk, 'shareable')) {
        if (source) warnings.push(`${target} (${device}${child(disk, 'readonly') ? ', read-only' : ''}) is shared with the template, not copied.`);
        continue;
      }
      if (fromSnapshot) {
        if (!fromSnapshot.has(target)) throw new LibvirtFailure('operation-failed', `${where}: disk ${target} of ${op.template} is not in snapshot "${op.snapshot}" as an internal qcow2 snapshot, so its state then cannot be copied`, 'Choose a snapshot taken with every disk internal (virsh snapshot-create-as without --disk-only).');
        const format = child(disk, 'driver')?.attrs['type'];
        if (format !== 'qcow2') throw new LibvirtFailure('operation-failed', `${where}: disk ${target} of ${op.template} is ${format ?? 'of unknown format'}, and only qcow2 disks hold internal snapshots`);
      }
      let pool = source.attrs['pool'];
      let volume = source.attrs['volume'];
      const path = source.attrs['file'] ?? source.attrs['dev'];
      if (!(pool && volume)) {
        if (!path) throw new LibvirtFailure('operation-failed', `${where}: disk ${target} of ${op.template} is neither a file, a block device nor a pool volume; it cannot be copied with vol-clone`);
        try {
          pool = (await this.read(['vol-pool', '--vol', path])).trim();
          volume = (await this.read(['vol-name', '--vol', path])).trim();
        } catch (error) {
          if (isLibvirtFailure(error) && (error.kind === 'not-found' || error.kind === 'operation-failed'))
            throw new LibvirtFailure('operation-failed', `${where}: disk ${target} of ${op.template} (${path}) is in no storage pool, so it cannot be copied with vol-clone`, 'Define a storage pool over its directory (virsh pool-define-as … dir --target DIR), or use virt-clone.');
          throw error;
        }
      }
      const dot = volume.lastIndexOf('.');
      const extension = dot > 0 ? volume.slice(dot) : '';
      const newVolume = `${op.newName}${copied === 0 ? '' : `-${target}`}${extension}`;
      copied += 1;
      const byPath = !(source.attrs['pool'] && source.attrs['volume']);
      const newPath = byPath || fromSnapshot ? `${await this.poolDirectory(pool, target)}/${newVolume}` : null;
      if (fromSnapshot) {
        // qemu-img reads the snapshot's clusters, which the running guest never writes (copy-on-write); -U because qemu holds the image.
        const sourcePath = path ?? (await this.read(['vol-path', '--pool', pool, '--vol', volume])).trim();
        const capacity = /Capacity:\s*(\d+)\s*bytes/.exec(await this.read(['vol-info', '--pool', pool, '--vol', volume, '--bytes']))?.[1];
        if (!capacity) throw new LibvirtFailure('invalid-output', `vol-info ${volume}: no capacity in bytes`);
        steps.push({ args: ['vol-create-as', '--pool', pool, '--name', newVolume, '--capacity', capacity, '--format', 'qcow2'] });
        steps.push({ onHost: true, args: ['qemu-img', 'convert', '-U', '-n', '-l', `snapshot.name=${op.snapshot}`, '-f', 'qcow2', '-O', 'qcow2', sourcePath, newPath!] });
      } else {
        steps.push({ args: ['vol-clone', '--pool', pool, '--vol', volume, '--newname', newVolume] });
      }
      if (!byPath) source.attrs['volume'] = newVolume;
      else if (source.attrs['file'] !== undefined) source.attrs['file'] = newPath!;
      else source.attrs['dev'] = newPath!;
    }
    const document = serializeXml(xml);
    steps.push({ args: ['define', '--file', '/dev/stdin'], stdin: document, documentTitle: `Domain XML of ${op.newName}` });
    const resolved: HypervisorOperation = { kind: 'clone', template: op.template, newName: op.newName, macs: macs.map((m) => m.toLowerCase()), ...(op.snapshot !== undefined && { snapshot: op.snapshot }) };
    const from = op.snapshot === undefined ? op.template : `${op.template} as it was in snapshot "${op.snapshot}" (${op.template} itself is not stopped or changed)`;
    const description = `Clone ${from} into a new shut-off domain ${op.newName}: copy ${copied} disk volume(s), new MAC address(es) ${macs.join(', ') || '(no NIC)'}`;
    if (op.snapshot !== undefined && state !== 'shutoff') warnings.push(`${op.newName} starts from the disks of snapshot "${op.snapshot}" alone, as after a power cut at that moment (the snapshot's memory is not copied).`);
    return { op: resolved, steps, description };
  }

  // ---- executing --------------------------------------------------------------------------

  async execute(plan: OperationPlan, options: ExecuteOptions): Promise<OperationResult> {
    if (options.confirmed !== true) throw new LibvirtFailure('not-confirmed', `${plan.description}: not run, the plan was not confirmed`);
    const again = await this.plan(plan.op);
    const same =
      again.plan.commands.length === plan.commands.length &&
      again.plan.commands.every((c, i) => c === plan.commands[i]) &&
      JSON.stringify(again.plan.documents) === JSON.stringify(plan.documents) &&
      again.plan.hypervisor === plan.hypervisor;
    if (!same) throw new LibvirtFailure('plan-stale', `${plan.description}: not run, planning it again gives different commands`);
    const started = performance.now();
    const completed: string[] = [];
    const output: string[] = [];
    for (const [i, step] of again.steps.entries()) {
      const command = again.plan.commands[i]!;
      try {
        const ran = step.onHost
          ? this.runner.runOnHost(step.args, { timeoutMs: this.changeTimeoutMs, what: step.args.slice(0, 2).join(' ') })
          : this.runner.run(step.args, { timeoutMs: this.changeTimeoutMs, what: step.args[0]!, ...(step.stdin !== undefined ? { stdin: step.stdin } : {}) });
        output.push((await ran).trim());
      } catch (error) {
        if (isLibvirtFailure(error)) throw new OperationFailure(error, completed, command);
        throw error;
      }
      completed.push(command);
      options.onCommand?.(completed.length, command);
    }
    return { op: again.plan.op, hypervisor: again.plan.hypervisor, commands: again.plan.commands, durationMs: Math.round(performance.now() - started), output: output.filter(Boolean).join('\n') };
  }

  private async approved(op: HypervisorOperation, approval: Approval): Promise<OperationResult> {
    const { plan } = approval;
    const given = plan.op;
    const matches =
      given.kind === op.kind &&
      Object.entries(op).every(([key, value]) => value === undefined || JSON.stringify((given as Record<string, unknown>)[key]) === JSON.stringify(value));
    if (!matches) throw new LibvirtFailure('plan-stale', `the approved plan is for another operation (${plan.description})`);
    return this.execute(plan, { confirmed: approval.confirmed });
  }

  createSnapshot(domain: string, name: string, description: string, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'snapshot-create', domain, name, description }, approval);
  }

  revertSnapshot(domain: string, name: string, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'snapshot-revert', domain, name }, approval);
  }

  deleteSnapshot(domain: string, name: string, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'snapshot-delete', domain, name }, approval);
  }

  start(domain: string, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'start', domain }, approval);
  }

  shutdown(domain: string, options: { force: boolean }, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'shutdown', domain, force: options.force }, approval);
  }

  clone(template: string, newName: string, options: { macs?: string[]; snapshot?: string }, approval: Approval): Promise<OperationResult> {
    return this.approved({ kind: 'clone', template, newName, ...(options.macs ? { macs: options.macs } : {}), ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}) }, approval);
  }

  close(): void {
    if (!this.borrowed) this.runner.close();
  }
}
