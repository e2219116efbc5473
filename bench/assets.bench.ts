import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetsReport } from '../core/services/assets';
import { WorkspaceStore } from '../core/store/workspace-store';
import { benchHosts } from './generate-workspace';
import { compare, print, time, type Comparison } from './harness';

const STAGES = ['integration', 'testing', 'staging', 'uat', 'production'];
const ROLES = ['web', 'web', 'app', 'app', 'db'];

/**
 * The assets report (capacity, allocation, cost per stage and service; every lease's state in
 * its owner's zone) on a workspace of BENCH_HOSTS hosts (default 5,000: 200 services, 5 stages of
 * 5 hosts, a pool per stage, a lease per preproduction environment), against only reading the
 * rows it is computed from.
 */
export async function assetsBenchmark(): Promise<Comparison> {
  const store = WorkspaceStore.create(join(mkdtempSync(join(tmpdir(), 'stagecraft-bench-assets-')), 'assets.stagecraft'), 'assets bench');
  const services = Math.ceil(benchHosts() / (STAGES.length * ROLES.length));
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
  store.write({ actor: 'bench', action: 'bench.build', subject: 'workspace' }, () => {
    const pools = STAGES.map((stage) => store.assets.addPool({ name: `pool-${stage}`, stageName: stage, kind: 'hypervisor', capacity: { vcpus: 100_000, memoryMb: 400_000_000, diskGb: 10_000_000 }, rate: { currency: 'EUR', perVcpu: 9, perMemoryGb: 3.5, perDiskGb: 0.04 } }));
    for (let s = 0; s < services; s++) {
      const serviceId = store.inventory.createService({ name: `svc-${s}`, stages: STAGES, roles: [...new Set(ROLES)] });
      for (const [i, stage] of store.inventory.getService(serviceId).stages.entries()) {
        ROLES.forEach((role, n) => {
          const hostId = store.inventory.addHost({ name: `svc-${s}-${stage.name}-${n}`, address: `10.${s % 250}.${i}.${n}`, vcpus: role === 'db' ? 8 : 4, memoryMb: role === 'db' ? 32768 : 8192, diskGb: role === 'db' ? 500 : 60 });
          store.inventory.placeHost(stage.id, hostId, role);
          store.assets.setMember(hostId, pools[i]!.id);
        });
        if (!stage.isProduction) store.assets.setLease({ stageId: stage.id, owner: `owner-${s}`, expiresOn: `2027-0${1 + ((s + i) % 9)}-1${i}`, timeZone: zones[(s + i) % zones.length]!, reason: 'bench' }, 'active', '2026-11-26T00:00:00Z');
      }
    }
  });
  const now = Date.parse('2026-11-26T12:00:00Z');
  const peer = time(() => store.read(() => [store.assets.listPools(), store.assets.sizedHosts(), store.assets.listLeases(), store.inventory.listServices()]), { runs: 9, warmup: 2 });
  const subject = time(() => assetsReport(store, { now }), { runs: 9, warmup: 2 });
  const report = assetsReport(store, { now });
  store.close();
  const result = compare(`assets report: ${services * STAGES.length * ROLES.length} hosts, ${report.leases.length} leases`, 'capacity, cost and lease states', subject, 'reading the same rows', peer, 'under 2x');
  print(result);
  return result;
}
