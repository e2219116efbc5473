import { z } from 'zod';
import { POOL_KINDS } from '../domain/assets';
import { call } from './define';
import { paritySummary } from './drift';
import { confirmationToken, operationPlan } from './hypervisors';
import { id } from './schemas';

const capacity = z.object({ vcpus: z.number().int().min(0), memoryMb: z.number().int().min(0), diskGb: z.number().int().min(0) });
/** Free room may be negative: an overcommitted pool. */
const signedCapacity = z.object({ vcpus: z.number(), memoryMb: z.number(), diskGb: z.number() });
const rate = z.object({ currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code such as EUR'), perVcpu: z.number().min(0), perMemoryGb: z.number().min(0), perDiskGb: z.number().min(0) });
const costs = z.record(z.string(), z.number());
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

const pool = z.object({
  id,
  name: z.string(),
  stageName: z.string(),
  kind: z.enum(POOL_KINDS),
  hypervisorId: id.nullable(),
  libvirtPool: z.string().nullable(),
  capacity: capacity.nullable(),
  rate: rate.nullable(),
  createdAt: z.string(),
});

const newPool = z.object({
  name: z.string().trim().min(1).max(100),
  stageName: z.string().trim().min(1).max(100),
  kind: z.enum(POOL_KINDS),
  hypervisorId: id.nullable().optional(),
  libvirtPool: z.string().trim().min(1).max(200).nullable().optional(),
  capacity: capacity.nullable(),
  rate: rate.nullable(),
});

const poolUsage = z.object({
  pool: pool.pick({ id: true, name: true, stageName: true, kind: true, capacity: true, rate: true }),
  capacity: signedCapacity,
  allocated: signedCapacity,
  free: signedCapacity,
  allocatedHosts: z.number().int(),
  unsizedHosts: z.array(z.string()),
  monthlyCost: costs,
  idleCost: costs,
  overcommitted: z.boolean(),
});

const stageUsage = z.object({
  stageName: z.string(),
  pools: z.array(poolUsage),
  capacity: signedCapacity,
  allocated: signedCapacity,
  free: signedCapacity,
  monthlyCost: costs,
  services: z.array(z.object({ serviceName: z.string(), allocated: signedCapacity, hosts: z.number().int(), unsizedHosts: z.array(z.string()), monthlyCost: costs })),
  outsidePools: z.array(z.string()),
});

const lease = z.object({
  stageId: id,
  owner: z.string().trim().min(1).max(200),
  expiresOn: date,
  timeZone: z.string().trim().min(1).max(100),
  reason: z.string().max(2000).default(''),
});

const leaseView = lease.extend({
  reason: z.string(),
  serviceId: id,
  serviceName: z.string(),
  stageName: z.string(),
  state: z.enum(['active', 'archived', 'reclaimed']),
  updatedAt: z.string(),
  status: z.enum(['active', 'expiring', 'expired']),
  endsAt: z.string(),
  daysLeft: z.number().int(),
});

const placement = z.object({
  stageName: z.string(),
  required: signedCapacity,
  chosen: z.object({ poolId: id, poolName: z.string(), fits: z.boolean(), shortfalls: z.array(z.string()), monthlyCost: costs, freeAfter: signedCapacity }).nullable(),
  candidates: z.array(z.object({ poolId: id, poolName: z.string(), fits: z.boolean(), shortfalls: z.array(z.string()), monthlyCost: costs, freeAfter: signedCapacity })),
  reason: z.string().nullable(),
});

const reclaimStep = z.enum(['pending', 'powering-off', 'powered-off', 'snapshotting', 'kept', 'deleting', 'deleted']);
const reclaimOptions = z.object({ keep: z.enum(['snapshot', 'image']).default('snapshot'), graceHours: z.number().min(0).max(24 * 365).default(24), force: z.boolean().default(false) });

const reclaimStatus = z.object({
  run: z
    .object({
      id,
      stageId: id,
      createdAt: z.string(),
      createdBy: z.string(),
      keep: z.enum(['snapshot', 'image']),
      imageId: id.nullable(),
      graceHours: z.number(),
      force: z.boolean(),
      poweredOffAt: z.string().nullable(),
      state: z.enum(['powering-off', 'waiting', 'deleting', 'done']),
      finishedAt: z.string().nullable(),
    })
    .nullable(),
  vms: z.array(z.object({ runId: id, hypervisorId: id, domain: z.string(), hostId: id.nullable(), hostName: z.string(), step: reclaimStep, snapshotName: z.string().nullable(), lastError: z.string().nullable(), updatedAt: z.string() })),
  left: z.array(z.string()),
});


const namingRule = z.object({ name: z.string().trim().min(1).max(200), address: z.string().trim().min(1).max(300) });

/** Which snapshot of a source VM its disks are copied from: its newest, or one by name. */
const snapshotChoice = z.discriminatedUnion('kind', [z.object({ kind: z.literal('latest') }), z.object({ kind: z.literal('named'), name: z.string().trim().min(1).max(200) })]);

const cloneRequest = z.object({
  serviceId: id,
  toStageId: id,
  hypervisorId: id,
  from: z.discriminatedUnion('kind', [z.object({ kind: z.literal('production') }), z.object({ kind: z.literal('image'), imageId: id })]).default({ kind: 'production' }),
  templates: z.record(z.string(), z.string().min(1)).optional(),
  naming: namingRule.optional(),
  replace: z.boolean().optional(),
  /** Copy every source VM's disks from a snapshot (the VM may be running; it is never stopped or changed) rather than cloning it shut off. */
  snapshot: snapshotChoice.optional(),
  /** Per role, overriding `snapshot`. */
  snapshots: z.record(z.string(), snapshotChoice).optional(),
});

/** A snapshot a clone is copied from, as shown in the dry run. */
const sourceSnapshot = z.object({ name: z.string(), createdAt: z.string().nullable(), state: z.string() });

const cloneStep = z.enum(['planned', 'cloning', 'cloned', 'registered', 'scanned']);

const cloneStatus = z.object({
  run: z
    .object({
      id,
      serviceId: id,
      serviceName: z.string(),
      fromStage: z.string().nullable(),
      imageId: id.nullable(),
      toStageId: id,
      toStage: z.string(),
      hypervisorId: id,
      hypervisorName: z.string(),
      archiveId: id.nullable(),
      scan: z.boolean(),
      createdAt: z.string(),
      createdBy: z.string(),
      state: z.enum(['running', 'done', 'failed']),
      finishedAt: z.string().nullable(),
      /** True while this process runs it; a "running" run that is not live was cut short: resume it. */
      live: z.boolean(),
    })
    .nullable(),
  vms: z.array(
    z.object({
      role: z.string(),
      source: z.string(),
      snapshot: z.string().nullable(),
      newName: z.string(),
      address: z.string(),
      macs: z.array(z.string()),
      hostId: id.nullable(),
      step: cloneStep,
      scan: z.object({ status: z.enum(['saved', 'failed']), message: z.string() }).nullable(),
      lastError: z.string().nullable(),
      updatedAt: z.string(),
    }),
  ),
  /** Each VM's remaining work, in words. */
  left: z.array(z.string()),
  /** The target stage against production, from the workspace. */
  parity: paritySummary.nullable(),
});

/** A job started: follow it with job.progress and assets.progress, then read the run's status. */
const jobStarted = z.object({ jobId: z.string(), runId: id });

export const assetCalls = {
  'assets.report': call(
    'Capacity, allocation, free room and monthly cost per stage and service, and the leases (expiring within the horizon, expired)',
    z.object({ stageName: z.string().trim().min(1).optional(), horizonDays: z.number().int().min(0).max(365).default(7) }),
    z.object({ generatedAt: z.string(), horizonDays: z.number().int(), stages: z.array(stageUsage), leases: z.array(leaseView) }),
  ),
  'pools.list': call('Every resource pool, by stage', z.object({}), z.array(pool)),
  'pools.add': call('Add a resource pool to a stage (audited)', newPool, pool),
  'pools.update': call('Change a resource pool (audited)', z.object({ id, changes: newPool.partial() }), pool),
  'pools.remove': call('Remove a resource pool (its hosts stay; audited)', z.object({ id }), z.object({ removed: z.boolean() })),
  'pools.members': call('Put hosts in a pool, or take them out with poolId null (audited)', z.object({ poolId: id.nullable(), hostIds: z.array(id).min(1).max(10_000) }), z.object({ hosts: z.number().int() })),
  'pools.place': call('Which pool of a stage can take an environment of this size, or why none can', z.object({ stageName: z.string().trim().min(1), required: capacity }), placement),
  'leases.list': call('Every lease with its status (expiring within the horizon, expired)', z.object({ horizonDays: z.number().int().min(0).max(365).default(7) }), z.array(leaseView)),
  'leases.set': call('Give a preproduction environment a lease: owner, last day in the owner time zone, reason (audited)', lease, leaseView),
  'leases.extend': call('Extend a lease to a later day, with the reason (audited)', z.object({ stageId: id, expiresOn: date, reason: z.string().trim().min(1).max(2000) }), leaseView),
  'leases.archive': call(
    "Archive an environment: release its hosts from the stage and their pools; their snapshots and the stage's image stay (audited)",
    z.object({ stageId: id, reason: z.string().trim().min(1).max(2000) }),
    z.object({ archiveId: id, stageId: id, imageId: id.nullable(), hosts: z.array(z.object({ hostId: id, name: z.string(), role: z.string(), poolId: id.nullable() })) }),
  ),
  'leases.history': call(
    "A lease's history: set, extensions with their reasons, archive, reclaim",
    z.object({ stageId: id }),
    z.array(z.object({ id, stageId: id, at: z.string(), actor: z.string(), event: z.enum(['set', 'extend', 'archive', 'reclaim']), expiresBefore: z.string().nullable(), expiresAfter: z.string().nullable(), reason: z.string() })),
  ),
  'reclaim.plan': call(
    "Dry run of a reclaim's next phase (power off and keep a snapshot, or after the grace period delete), with the token that confirms exactly it",
    z.object({ stageId: id }).merge(reclaimOptions),
    z
      .object({
        stageId: id,
        serviceName: z.string(),
        stageName: z.string(),
        runId: id.nullable(),
        phase: z.enum(['power-off', 'wait', 'delete', 'done']),
        options: z.object({ keep: z.enum(['snapshot', 'image']), graceHours: z.number(), force: z.boolean() }),
        deleteAfter: z.string().nullable(),
        vms: z.array(z.object({ hostName: z.string(), hypervisorName: z.string(), domain: z.string(), step: reclaimStep, operations: z.array(operationPlan), lastError: z.string().nullable() })),
        notVms: z.array(z.string()),
        warnings: z.array(z.string()),
      })
      .merge(confirmationToken),
  ),
  'reclaim.run': call('Start the confirmed reclaim phase (its token, once) as a job; each VM step recorded and audited, progress pushed as assets.progress; read the outcome with reclaim.status', z.object({ token: z.string().min(1) }), jobStarted),
  'reclaim.status': call('What the latest reclaim of a stage did and has left, from the workspace (offline)', z.object({ stageId: id }), reclaimStatus),
  'clone.plan': call(
    'Dry run of cloning production (or an image) into a stage: every hypervisor operation, names, pool, network isolation, blockers; with the token that confirms it',
    cloneRequest,
    z
      .object({
        serviceName: z.string(),
        fromStage: z.string().nullable(),
        toStage: z.string(),
        hypervisorName: z.string(),
        vms: z.array(z.object({ role: z.string(), source: z.string(), snapshot: sourceSnapshot.nullable(), productionHost: z.string().nullable(), newName: z.string(), address: z.string(), size: capacity, operation: operationPlan, isolation: z.array(z.string()) })),
        placement,
        replaces: z.array(z.string()),
        blockers: z.array(z.string()),
        warnings: z.array(z.string()),
      })
      .merge(confirmationToken),
  ),
  'clone.run': call(
    'Start a confirmed clone (its token, once) as a job: clone, register, optionally scan; each VM step recorded before and after, progress pushed as assets.progress',
    z.object({ token: z.string().min(1), scan: z.boolean().default(false) }),
    jobStarted,
  ),
  'clone.status': call("What a clone run (the stage's latest, or the one given) did and has left, from the workspace (offline)", z.object({ stageId: id, runId: id.optional() }), cloneStatus),
  'clone.resumePlan': call(
    'Dry run of resuming an interrupted clone run: per VM what is left (clone, adopt a VM the hypervisor has, register, scan) with its exact operation, or why it cannot go on; with the token that confirms it',
    z.object({ runId: id }),
    z
      .object({
        runId: id,
        serviceName: z.string(),
        toStage: z.string(),
        hypervisorName: z.string(),
        vms: z.array(
          z.object({
            newName: z.string(),
            role: z.string(),
            source: z.string(),
            snapshot: z.string().nullable(),
            step: cloneStep,
            action: z.enum(['clone', 'adopt', 'register', 'scan', 'none', 'blocked']),
            operation: operationPlan.nullable(),
            note: z.string(),
          }),
        ),
        blockers: z.array(z.string()),
        warnings: z.array(z.string()),
      })
      .merge(confirmationToken),
  ),
  'clone.resume': call('Resume an interrupted clone run as confirmed (its token, once), as a job like clone.run (scanning if the run scans); nothing is cloned twice', z.object({ token: z.string().min(1) }), jobStarted),
};
