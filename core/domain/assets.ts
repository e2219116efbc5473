/**
 * Preproduction assets, pure: resource pools owned by a stage (every service's environment of that
 * stage draws on them), what the environments hold, what is free, what it costs, and where a new
 * environment fits. Sizes a host does not record are counted as unknown, never as zero.
 */

export const POOL_KINDS = ['hypervisor', 'storage-pool', 'host-group', 'physical'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

export interface Capacity {
  vcpus: number;
  memoryMb: number;
  diskGb: number;
}

/** What one unit costs per month: a vCPU, a GiB of memory, a GiB of disk. */
export interface CostRate {
  currency: string;
  perVcpu: number;
  perMemoryGb: number;
  perDiskGb: number;
}

export interface ResourcePool {
  id: number;
  name: string;
  /** The stage (by name, across services) whose environments draw on this pool. */
  stageName: string;
  kind: PoolKind;
  /**
   * Declared capacity. Null for a physical pool: its capacity is then the sum of its member hosts'
   * sizes (the servers themselves are the capacity).
   */
  capacity: Capacity | null;
  rate: CostRate | null;
}

/** A host or VM as capacity sees it: its size, whether it belongs to a pool, which environments hold it. */
export interface SizedHost {
  id: number;
  name: string;
  vcpus: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  poolId: number | null;
  /** The environments that hold it (service and stage names); empty when unplaced. */
  placements: { serviceName: string; stageName: string }[];
}

export const ZERO: Capacity = { vcpus: 0, memoryMb: 0, diskGb: 0 };

export const add = (a: Capacity, b: Capacity): Capacity => ({ vcpus: a.vcpus + b.vcpus, memoryMb: a.memoryMb + b.memoryMb, diskGb: a.diskGb + b.diskGb });
export const subtract = (a: Capacity, b: Capacity): Capacity => ({ vcpus: a.vcpus - b.vcpus, memoryMb: a.memoryMb - b.memoryMb, diskGb: a.diskGb - b.diskGb });
const sum = (list: readonly Capacity[]): Capacity => list.reduce(add, ZERO);

/** A host's size, with unknown dimensions as 0, and whether any was unknown. */
export function sizeOf(host: Pick<SizedHost, 'vcpus' | 'memoryMb' | 'diskGb'>): { size: Capacity; complete: boolean } {
  return {
    size: { vcpus: host.vcpus ?? 0, memoryMb: host.memoryMb ?? 0, diskGb: host.diskGb ?? 0 },
    complete: host.vcpus !== null && host.memoryMb !== null && host.diskGb !== null,
  };
}

/** Monthly cost of `amount` at `rate`, rounded to cents. */
export function monthlyCost(amount: Capacity, rate: CostRate): number {
  return Math.round((amount.vcpus * rate.perVcpu + (amount.memoryMb / 1024) * rate.perMemoryGb + amount.diskGb * rate.perDiskGb) * 100) / 100;
}

/** Costs in several currencies add up per currency. */
export type Costs = Record<string, number>;
const addCost = (costs: Costs, currency: string, amount: number): Costs => ({ ...costs, [currency]: Math.round(((costs[currency] ?? 0) + amount) * 100) / 100 });

export interface PoolUsage {
  pool: ResourcePool;
  capacity: Capacity;
  /** What the pool's members placed in an environment of its stage hold. */
  allocated: Capacity;
  free: Capacity;
  /** Members placed in an environment, and members whose size is not (fully) recorded. */
  allocatedHosts: number;
  unsizedHosts: string[];
  /** Capacity × rate: what the pool costs a month, used or not; and the part nobody uses. */
  monthlyCost: Costs;
  idleCost: Costs;
  /** Allocation beyond capacity: the stage is overcommitted. */
  overcommitted: boolean;
}

export interface ServiceUsage {
  serviceName: string;
  allocated: Capacity;
  hosts: number;
  unsizedHosts: string[];
  /** The service's allocation at the rate of the pool each host is in; hosts outside pools cost nothing known. */
  monthlyCost: Costs;
}

export interface StageUsage {
  stageName: string;
  pools: PoolUsage[];
  capacity: Capacity;
  allocated: Capacity;
  free: Capacity;
  monthlyCost: Costs;
  services: ServiceUsage[];
  /** Hosts the stage's environments hold that belong to none of its pools (capacity unaccounted for). */
  outsidePools: string[];
}

function poolUsage(pool: ResourcePool, members: readonly SizedHost[]): PoolUsage {
  const placed = members.filter((h) => h.placements.some((p) => p.stageName === pool.stageName));
  const capacity = pool.capacity ?? sum(members.map((h) => sizeOf(h).size));
  const allocated = sum(placed.map((h) => sizeOf(h).size));
  const free = subtract(capacity, allocated);
  const rate = pool.rate;
  const unsized = (pool.capacity === null ? members : placed).filter((h) => !sizeOf(h).complete).map((h) => h.name);
  const clamp = (c: Capacity): Capacity => ({ vcpus: Math.max(0, c.vcpus), memoryMb: Math.max(0, c.memoryMb), diskGb: Math.max(0, c.diskGb) });
  return {
    pool,
    capacity,
    allocated,
    free,
    allocatedHosts: placed.length,
    unsizedHosts: unsized,
    monthlyCost: rate ? { [rate.currency]: monthlyCost(capacity, rate) } : {},
    idleCost: rate ? { [rate.currency]: monthlyCost(clamp(free), rate) } : {},
    overcommitted: free.vcpus < 0 || free.memoryMb < 0 || free.diskGb < 0,
  };
}

/** Capacity, allocation, free room and cost of every stage that has pools or environments holding hosts. */
export function stageUsage(pools: readonly ResourcePool[], hosts: readonly SizedHost[]): StageUsage[] {
  const poolById = new Map(pools.map((p) => [p.id, p]));
  // One pass over the hosts: by pool, and by stage then service (a host in two services counts in both).
  const byPool = new Map<number, SizedHost[]>();
  const byStage = new Map<string, { hosts: SizedHost[]; services: Map<string, SizedHost[]> }>();
  for (const pool of pools) if (!byStage.has(pool.stageName)) byStage.set(pool.stageName, { hosts: [], services: new Map() });
  for (const host of hosts) {
    if (host.poolId !== null) {
      const members = byPool.get(host.poolId) ?? [];
      members.push(host);
      byPool.set(host.poolId, members);
    }
    const stagesSeen = new Set<string>();
    for (const { stageName, serviceName } of host.placements) {
      const stage = byStage.get(stageName) ?? { hosts: [], services: new Map<string, SizedHost[]>() };
      byStage.set(stageName, stage);
      if (!stagesSeen.has(stageName)) stage.hosts.push(host);
      stagesSeen.add(stageName);
      const held = stage.services.get(serviceName) ?? [];
      if (!held.includes(host)) held.push(host);
      stage.services.set(serviceName, held);
    }
  }
  return [...byStage.entries()].map(([stageName, { hosts: inStage, services: heldBy }]) => {
    const stagePools = pools.filter((p) => p.stageName === stageName);
    const usages = stagePools.map((pool) => poolUsage(pool, byPool.get(pool.id) ?? []));
    const serviceNames = [...heldBy.keys()].sort();
    const services: ServiceUsage[] = serviceNames.map((serviceName) => {
      const held = heldBy.get(serviceName)!;
      let costs: Costs = {};
      for (const host of held) {
        const rate = host.poolId !== null ? poolById.get(host.poolId)?.rate : undefined;
        if (rate && poolById.get(host.poolId!)!.stageName === stageName) costs = addCost(costs, rate.currency, monthlyCost(sizeOf(host).size, rate));
      }
      return {
        serviceName,
        allocated: sum(held.map((h) => sizeOf(h).size)),
        hosts: held.length,
        unsizedHosts: held.filter((h) => !sizeOf(h).complete).map((h) => h.name),
        monthlyCost: costs,
      };
    });
    const stagePoolIds = new Set(stagePools.map((p) => p.id));
    const capacity = sum(usages.map((u) => u.capacity));
    const allocated = sum(inStage.map((h) => sizeOf(h).size));
    return {
      stageName,
      pools: usages,
      capacity,
      allocated,
      free: subtract(capacity, allocated),
      monthlyCost: usages.reduce((costs, u) => Object.entries(u.monthlyCost).reduce((c, [currency, amount]) => addCost(c, currency, amount), costs), {} as Costs),
      services,
      outsidePools: inStage.filter((h) => h.poolId === null || !stagePoolIds.has(h.poolId)).map((h) => h.name),
    };
  });
}

export interface PlacementCandidate {
  poolId: number;
  poolName: string;
  fits: boolean;
  /** Why it does not fit, one line per short dimension ("memory: 4096 MB needed, 1024 MB free"). */
  shortfalls: string[];
  /** What the new environment would cost a month in this pool. */
  monthlyCost: Costs;
  freeAfter: Capacity;
}

export interface Placement {
  stageName: string;
  required: Capacity;
  /** The chosen pool: the cheapest that fits, then the one left with the most free memory. */
  chosen: PlacementCandidate | null;
  candidates: PlacementCandidate[];
  /** Why nothing fits, in one sentence, when nothing does. */
  reason: string | null;
}

/** Which of the stage's pools can take an environment of `required` size, or why none can. */
export function placeEnvironment(stageName: string, required: Capacity, usages: readonly StageUsage[]): Placement {
  const stage = usages.find((u) => u.stageName === stageName);
  if (!stage || stage.pools.length === 0) return { stageName, required, chosen: null, candidates: [], reason: `Stage ${stageName} has no resource pools: add one (a hypervisor, a storage pool, a host group or physical hosts) first.` };
  const candidates = stage.pools.map((usage): PlacementCandidate => {
    const shortfalls: string[] = [];
    if (required.vcpus > usage.free.vcpus) shortfalls.push(`vCPUs: ${required.vcpus} needed, ${Math.max(0, usage.free.vcpus)} free`);
    if (required.memoryMb > usage.free.memoryMb) shortfalls.push(`memory: ${required.memoryMb} MB needed, ${Math.max(0, usage.free.memoryMb)} MB free`);
    if (required.diskGb > usage.free.diskGb) shortfalls.push(`disk: ${required.diskGb} GB needed, ${Math.max(0, usage.free.diskGb)} GB free`);
    const rate = usage.pool.rate;
    return { poolId: usage.pool.id, poolName: usage.pool.name, fits: shortfalls.length === 0, shortfalls, monthlyCost: rate ? { [rate.currency]: monthlyCost(required, rate) } : {}, freeAfter: subtract(usage.free, required) };
  });
  const costOf = (c: PlacementCandidate) => Object.values(c.monthlyCost).reduce((a, b) => a + b, 0);
  const fitting = candidates.filter((c) => c.fits).sort((a, b) => costOf(a) - costOf(b) || b.freeAfter.memoryMb - a.freeAfter.memoryMb);
  const chosen = fitting[0] ?? null;
  return {
    stageName,
    required,
    chosen,
    candidates,
    reason: chosen ? null : `No pool of ${stageName} has room: ${candidates.map((c) => `${c.poolName} (${c.shortfalls.join('; ')})`).join(', ')}.`,
  };
}
