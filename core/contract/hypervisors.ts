import { z } from 'zod';
import { call } from './define';
import { id } from './schemas';

const bytes = z.number().nonnegative();

export const hypervisorRecord = z.object({
  id,
  name: z.string(),
  kind: z.literal('libvirt'),
  uri: z.string(),
  viaHostId: id.nullable(),
  sshTarget: z.string().nullable(),
  createdAt: z.string(),
});

const domainSnapshot = z.object({
  name: z.string(),
  description: z.string(),
  state: z.string(),
  createdAt: z.string().nullable(),
  parent: z.string().nullable(),
  current: z.boolean(),
});

const domain = z.object({
  name: z.string(),
  uuid: z.string(),
  state: z.enum(['running', 'paused', 'shutoff', 'other']),
  vcpus: z.number().int(),
  memoryMb: z.number(),
  autostart: z.boolean(),
  persistent: z.boolean(),
  title: z.string(),
  description: z.string(),
  osType: z.string().nullable(),
  arch: z.string().nullable(),
  disks: z.array(
    z.object({
      device: z.string(),
      type: z.string(),
      format: z.string().nullable(),
      target: z.string(),
      path: z.string().nullable(),
      pool: z.string().nullable(),
      volume: z.string().nullable(),
      readonly: z.boolean(),
      capacityBytes: bytes.nullable(),
    }),
  ),
  nics: z.array(z.object({ mac: z.string(), type: z.string(), network: z.string().nullable(), bridge: z.string().nullable(), model: z.string().nullable(), addresses: z.array(z.string()) })),
  snapshots: z.array(domainSnapshot),
});

const pool = z.object({
  name: z.string(),
  type: z.string(),
  active: z.boolean(),
  autostart: z.boolean(),
  capacityBytes: bytes,
  allocationBytes: bytes,
  availableBytes: bytes,
  targetPath: z.string().nullable(),
  volumes: z.array(z.object({ name: z.string(), path: z.string(), type: z.string(), capacityBytes: bytes, allocationBytes: bytes })),
});

const domainMatch = z.object({
  domain: z.string(),
  hostId: id,
  hostName: z.string(),
  reason: z.enum(['mac', 'address', 'name']),
  detail: z.string(),
});

/** What the user may ask a hypervisor to do; each is planned (dry run) before it can run. */
export const hypervisorOperation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('start'), domain: z.string().min(1) }),
  z.object({ kind: z.literal('shutdown'), domain: z.string().min(1), force: z.boolean().default(false) }),
  z.object({ kind: z.literal('snapshot-create'), domain: z.string().min(1), name: z.string().trim().min(1).max(200), description: z.string().max(2000).default('') }),
  z.object({ kind: z.literal('snapshot-revert'), domain: z.string().min(1), name: z.string().min(1) }),
  z.object({ kind: z.literal('snapshot-delete'), domain: z.string().min(1), name: z.string().min(1) }),
  z.object({ kind: z.literal('clone'), template: z.string().min(1), newName: z.string().trim().min(1).max(200) }),
]);

/** A dry run of one hypervisor operation, as shown for confirmation. */
export const operationPlan = z.object({
  /** The operation's kind (start, snapshot-create, clone…). */
  kind: z.string(),
  description: z.string(),
  commands: z.array(z.string()),
  /** What a command reads on stdin (the clone's domain XML for `define --file /dev/stdin`), by command index. */
  documents: z.array(z.object({ commandIndex: z.number().int(), title: z.string(), content: z.string() })),
  warnings: z.array(z.string()),
});
export type OperationPlanView = z.infer<typeof operationPlan>;

/** What confirms exactly one dry run (once, before it expires). */
export const confirmationToken = z.object({ token: z.string(), expiresAt: z.string() });

export const hypervisorCalls = {
  'hypervisors.list': call(
    'Hypervisor connections with when their inventory was last read',
    z.object({}),
    z.array(hypervisorRecord.extend({ fetchedAt: z.string().nullable(), domainCount: z.number().int().nullable() })),
  ),
  'hypervisors.add': call(
    'Register a libvirt connection (virsh here, or on an SSH target)',
    z.object({ name: z.string().trim().min(1).max(100), uri: z.string().trim().min(1).max(1000), sshTarget: z.string().trim().min(1).max(300).optional() }),
    hypervisorRecord,
  ),
  'hypervisors.remove': call('Forget a hypervisor connection and its cached inventory (nothing changes on the hypervisor)', z.object({ id }), z.object({ removed: z.boolean() })),
  'hypervisors.refresh': call(
    "Read a hypervisor's domains, pools and snapshots in the background (job.progress); a failure keeps the last inventory",
    z.object({ id }),
    z.object({ jobId: z.string() }),
  ),
  'hypervisors.inventory': call(
    'The last inventory read (offline) with each VM matched to an inventory host by MAC, address or name',
    z.object({ id }),
    z.object({
      hypervisor: hypervisorRecord,
      fetchedAt: z.string().nullable(),
      hostname: z.string().nullable(),
      domains: z.array(domain),
      pools: z.array(pool),
      warnings: z.array(z.string()),
      matches: z.array(domainMatch),
      /** Names of VMs no inventory host claims: offered for import. */
      unmatched: z.array(z.string()),
    }),
  ),
  'hypervisors.importDomains': call(
    'Add unmatched VMs as inventory hosts placed in a stage under a role (all or nothing)',
    z.object({ id, domains: z.array(z.string().min(1)).min(1).max(500), stageId: id, role: z.string().trim().min(1).max(100) }),
    z.array(z.object({ hostId: id, name: z.string(), domain: z.string() })),
  ),
  'hypervisors.plan': call(
    'Dry run of a change: what it will do and the exact virsh commands, with the token that confirms exactly this plan',
    z.object({ id, op: hypervisorOperation }),
    operationPlan.merge(confirmationToken),
  ),
  'hypervisors.execute': call(
    'Run a planned change, confirmed by its token (once), in the background (job.progress); recorded in the audit log',
    z.object({ id, token: z.string().min(1) }),
    z.object({ jobId: z.string() }),
  ),
};
