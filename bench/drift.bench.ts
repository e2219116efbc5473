import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftService } from '../core/services/drift-service';
import { WorkspaceStore } from '../core/store/workspace-store';
import { generateWorkspace } from './generate-workspace';
import { compare, peakRssMb, print, time, type Comparison } from './harness';

/**
 * Drift and parity at scale (200 services × 5 stages × 5 hosts by default; BENCH_SERVICES to change):
 * full recompute, incremental recompute after one new snapshot, and storage, each against the floor
 * of merely reading the same snapshots back from SQLite in this run.
 */
export async function driftBenchmark(): Promise<Comparison[]> {
  const services = Number(process.env['BENCH_SERVICES'] ?? 200);
  const path = join(mkdtempSync(join(tmpdir(), 'stagecraft-drift-bench-')), 'bench.stagecraft');
  const started = performance.now();
  const generated = generateWorkspace(path, { services, hostsPerStage: 5 });
  generated.store.close();
  console.log(`generated ${generated.hosts} hosts in ${services} services in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const store = WorkspaceStore.open(path);
  const serviceIds = store.inventory.listServices().map((s) => s.id);
  const floor = time(
    () => {
      for (const row of store.snapshots.latestByHost().values()) store.snapshots.load(row.id);
    },
    { runs: 3, warmup: 0 },
  );
  const floorRss = peakRssMb();
  const full = time(
    () => {
      const drift = new DriftService(store); // cold: no snapshot cached
      for (const id of serviceIds) drift.serviceDrift(id);
    },
    { runs: 3, warmup: 0 },
  );
  const fullRss = peakRssMb();

  // Incremental: one host gets a new snapshot; only its service is recomputed, the rest stays cached.
  const warm = new DriftService(store);
  for (const id of serviceIds) warm.serviceDrift(id);
  const [row] = store.snapshots.latestByHost().values();
  const host = store.inventory.host(row!.hostId);
  const serviceOf = store.inventory.placements({ hostIds: [host.id] })[0]!.serviceId;
  const snapshot = store.snapshots.load(row!.id);
  let n = 0;
  const incremental = time(
    () => {
      store.write({ actor: 'bench', action: 'snapshot.import', subject: host.name }, () =>
        store.snapshots.save(host.id, { ...snapshot, capturedAt: new Date(Date.now() + ++n * 1000).toISOString() }),
      );
      warm.serviceDrift(serviceOf);
    },
    { runs: 9, warmup: 1 },
  );
  store.close();
  const checkpointed = WorkspaceStore.open(path);
  checkpointed.close(); // closing checkpoints the WAL into the main file
  const fileBytes = statSync(path).size;

  const results = [
    { ...compare('drift: full recompute of every service', `${serviceIds.length} services, ${generated.hosts} hosts`, full, 'reading the snapshots back (floor)', floor, 'within 3x'), notes: [`peak RSS ${fullRss.toFixed(0)} MB (after the floor: ${floorRss.toFixed(0)} MB)`] },
    {
      ...compare('drift: incremental recompute after one new snapshot', 'save + recompute its service', incremental, 'full recompute', full, 'under 50 ms'),
      notes: [`median ${incremental.medianMs.toFixed(1)} ms`],
    },
    {
      benchmark: 'drift: storage',
      subject: 'workspace file',
      subjectMs: fileBytes,
      peer: 'plain JSON of the same snapshots',
      peerMs: generated.plainJsonBytes,
      ratio: fileBytes / generated.plainJsonBytes,
      aim: 'at least 10x smaller (ratio under 0.1)',
      unit: 'bytes',
      notes: [`${(generated.plainJsonBytes / fileBytes).toFixed(1)}x smaller than plain JSON`],
    },
  ];
  results.forEach(print);
  return results;
}
