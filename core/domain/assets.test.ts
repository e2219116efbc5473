import { describe, expect, it } from 'vitest';
import { monthlyCost, placeEnvironment, stageUsage, type ResourcePool, type SizedHost } from './assets';

const rate = { currency: 'EUR', perVcpu: 10, perMemoryGb: 2.5, perDiskGb: 0.05 };
const pools: ResourcePool[] = [
  { id: 1, name: 'kvm-int', stageName: 'integration', kind: 'hypervisor', capacity: { vcpus: 16, memoryMb: 32768, diskGb: 500 }, rate },
  { id: 2, name: 'kvm-int-b', stageName: 'integration', kind: 'storage-pool', capacity: { vcpus: 4, memoryMb: 4096, diskGb: 100 }, rate: { ...rate, perVcpu: 5 } },
  { id: 3, name: 'racks-stg', stageName: 'staging', kind: 'physical', capacity: null, rate: { currency: 'USD', perVcpu: 1, perMemoryGb: 1, perDiskGb: 0 } },
];
const host = (id: number, name: string, size: [number | null, number | null, number | null], poolId: number | null, placements: [string, string][]): SizedHost => ({
  id,
  name,
  vcpus: size[0],
  memoryMb: size[1],
  diskGb: size[2],
  poolId,
  placements: placements.map(([serviceName, stageName]) => ({ serviceName, stageName })),
});
const hosts = [
  host(1, 'pay-web-int', [2, 4096, 40], 1, [['payments', 'integration']]),
  host(2, 'pay-db-int', [4, 8192, 200], 1, [['payments', 'integration']]),
  host(3, 'shop-web-int', [2, 2048, null], 1, [['shop', 'integration']]),
  host(4, 'stray-int', [1, 1024, 10], null, [['shop', 'integration']]),
  host(5, 'rack-01', [32, 131072, 2000], 3, [['payments', 'staging']]),
  host(6, 'rack-02', [32, 131072, 2000], 3, []),
];

describe('capacity, allocation, free room and cost', () => {
  const usage = stageUsage(pools, hosts);
  const integration = usage.find((s) => s.stageName === 'integration')!;
  const staging = usage.find((s) => s.stageName === 'staging')!;

  it('allocates what the environments hold, per pool and per stage; sizes not recorded are named', () => {
    const kvm = integration.pools.find((p) => p.pool.name === 'kvm-int')!;
    expect(kvm.allocated).toEqual({ vcpus: 8, memoryMb: 14336, diskGb: 240 });
    expect(kvm.free).toEqual({ vcpus: 8, memoryMb: 18432, diskGb: 260 });
    expect(kvm.unsizedHosts).toEqual(['shop-web-int']);
    expect(integration.capacity).toEqual({ vcpus: 20, memoryMb: 36864, diskGb: 600 });
    expect(integration.allocated).toEqual({ vcpus: 9, memoryMb: 15360, diskGb: 250 });
    expect(integration.free).toEqual({ vcpus: 11, memoryMb: 21504, diskGb: 350 });
    expect(integration.outsidePools).toEqual(['stray-int']);
  });

  it('a physical pool is as big as its servers, and an unplaced server is free room', () => {
    expect(staging.pools[0]!.capacity).toEqual({ vcpus: 64, memoryMb: 262144, diskGb: 4000 });
    expect(staging.pools[0]!.allocated).toEqual({ vcpus: 32, memoryMb: 131072, diskGb: 2000 });
    expect(staging.pools[0]!.monthlyCost).toEqual({ USD: 64 + 256 });
    expect(staging.pools[0]!.idleCost).toEqual({ USD: 32 + 128 });
  });

  it('costs capacity at the rate per unit and month, per stage and per service', () => {
    // 16 × 10 + 32 GiB × 2.5 + 500 × 0.05 = 160 + 80 + 25; 4 × 5 + 4 × 2.5 + 100 × 0.05 = 20 + 10 + 5
    expect(monthlyCost({ vcpus: 16, memoryMb: 32768, diskGb: 500 }, rate)).toBe(265);
    expect(integration.monthlyCost).toEqual({ EUR: 300 });
    const payments = integration.services.find((s) => s.serviceName === 'payments')!;
    // (2+4) × 10 + 12 GiB × 2.5 + 240 × 0.05 = 60 + 30 + 12
    expect(payments).toMatchObject({ hosts: 2, allocated: { vcpus: 6, memoryMb: 12288, diskGb: 240 }, monthlyCost: { EUR: 102 }, unsizedHosts: [] });
    const shop = integration.services.find((s) => s.serviceName === 'shop')!;
    expect(shop).toMatchObject({ hosts: 2, monthlyCost: { EUR: 25 }, unsizedHosts: ['shop-web-int'] });
    expect(integration.pools[0]!.idleCost).toEqual({ EUR: Math.round((8 * 10 + 18 * 2.5 + 260 * 0.05) * 100) / 100 });
  });

  it('flags a pool holding more than its capacity', () => {
    const tight = stageUsage([{ ...pools[1]!, stageName: 'integration' }], [host(9, 'big', [8, 1024, 10], 2, [['payments', 'integration']])]);
    expect(tight[0]!.pools[0]).toMatchObject({ overcommitted: true, free: { vcpus: -4 } });
  });
});

describe('placing a new environment', () => {
  const usage = stageUsage(pools, hosts);
  it('chooses the cheapest pool that fits', () => {
    const placement = placeEnvironment('integration', { vcpus: 2, memoryMb: 2048, diskGb: 20 }, usage);
    expect(placement.chosen).toMatchObject({ poolName: 'kvm-int-b', fits: true, monthlyCost: { EUR: 16 } });
    expect(placement.reason).toBeNull();
  });
  it('falls back to a dearer pool when the cheap one is short, naming the shortfall', () => {
    const placement = placeEnvironment('integration', { vcpus: 6, memoryMb: 8192, diskGb: 50 }, usage);
    expect(placement.chosen?.poolName).toBe('kvm-int');
    expect(placement.candidates.find((c) => c.poolName === 'kvm-int-b')!.shortfalls).toEqual(['vCPUs: 6 needed, 4 free', 'memory: 8192 MB needed, 4096 MB free']);
  });
  it('says why nothing fits, or that the stage has no pools', () => {
    const none = placeEnvironment('integration', { vcpus: 12, memoryMb: 1024, diskGb: 1 }, usage);
    expect(none.chosen).toBeNull();
    expect(none.reason).toBe('No pool of integration has room: kvm-int (vCPUs: 12 needed, 8 free), kvm-int-b (vCPUs: 12 needed, 4 free).');
    expect(placeEnvironment('uat', { vcpus: 1, memoryMb: 1, diskGb: 1 }, usage).reason).toMatch(/Stage uat has no resource pools/);
  });
});
