import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot } from '../core/domain/facts';
import { DriftService } from '../core/services/drift-service';
import { WorkspaceStore } from '../core/store/workspace-store';
import { benchHosts, generateWorkspace, type GeneratedWorkspace } from './generate-workspace';
import { collectGarbage, compare, peakRssMb, print, resetPeakRss, timingOf, type Comparison } from './harness';

/**
 * Facts, images, drift and parity at scale: a generated workspace of BENCH_HOSTS hosts (default
 * 5,000: 200 services × 5 stages × 5 hosts, ~2,000 packages and ~200 watched files each). In one
 * process it measures, each against the floor of merely reading the same latest snapshots back from
 * SQLite in this run:
 *   full         a fresh DriftService computing serviceDrift (parity, edges, images) of every service;
 *   incremental  one production host gets a new snapshot; its service is recomputed;
 *   storage      the workspace file (vacuumed, WAL checkpointed) against the same snapshots as plain JSON.
 * Every timed run opens the workspace afresh, so no cache (parsed parts, snapshots, comparisons)
 * carries from one run or phase to the next: floor and subject both start cold, the OS page cache
 * warm. BENCH_RUNS sets runs per phase (default 3); BENCH_WORKSPACE keeps the generated file (and
 * reuses it on the next run when present).
 */
export async function driftBenchmark(): Promise<Comparison[]> {
  const hosts = benchHosts();
  const runs = Number(process.env['BENCH_RUNS'] ?? 3);
  const kept = process.env['BENCH_WORKSPACE'];
  const path = kept ?? join(mkdtempSync(join(tmpdir(), 'stagecraft-drift-bench-')), 'bench.stagecraft');
  const generated = prepareWorkspace(path, hosts, kept !== undefined);
  const results: Comparison[] = [];
  try {
    const fileBytes = compact(path);
    const open = () => WorkspaceStore.open(path);
    const serviceIds = (() => {
      const store = open();
      try {
        return store.inventory.listServices().map((s) => s.id);
      } finally {
        store.close();
      }
    })();

    // Floor and full recompute, run alternately so changes in the machine's load hit both alike. Each
    // phase runs in its own function: nothing it made stays reachable from this frame afterwards.
    const floorSamples: number[] = [];
    const fullSamples: number[] = [];
    const floorMemory = new PhaseMemory();
    const fullMemory = new PhaseMemory();
    let snapshotsRead = 0;
    for (let run = 0; run < runs; run++) {
      const read = floorRun(open, floorMemory);
      floorSamples.push(read.ms);
      snapshotsRead = read.snapshots;
      progress(`floor run ${run + 1}: ${read.ms.toFixed(0)} ms`);
      fullSamples.push(fullRun(open, serviceIds, fullMemory));
      progress(`full run ${run + 1}: ${fullSamples.at(-1)!.toFixed(0)} ms`);
    }
    const floor = timingOf(floorSamples);
    const full = timingOf(fullSamples);
    const withContent = withContentRun(open); // once: it is only context
    const incrementalMemory = new PhaseMemory();
    const scans = incrementalRuns(open, serviceIds, incrementalMemory);
    const incremental = scans.production;
    const serviceFloor = timingOf(Array.from({ length: runs }, () => serviceFloorRun(open, scans.hostIds)));
    const service = scans.service;

    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    results.push(
      {
        ...compare('drift: full recompute of every service', `serviceDrift × ${serviceIds.length} services, ${snapshotsRead} hosts, fresh DriftService`, full, 'reading every latest snapshot back (floor)', floor, 'within 3x'),
        notes: [
          `runs: ${runs} each, alternating; min full ${full.minMs.toFixed(0)} ms, min floor ${floor.minMs.toFixed(0)} ms`,
          `memory, full: ${fullMemory.describe()}`,
          `memory, floor: ${floorMemory.describe()}`,
          `reading the snapshots with every file's content instead: ${withContent.toFixed(0)} ms (${(withContent / floor.medianMs).toFixed(1)}x the floor)`,
        ],
      },
      {
        ...compare('drift: incremental recompute after one new snapshot', `save a production host's snapshot + serviceDrift of its service (${service.name})`, incremental, 'reading every latest snapshot back (floor)', floor, 'under 50 ms'),
        notes: [
          `median ${incremental.medianMs.toFixed(1)} ms, min ${incremental.minMs.toFixed(1)} ms over ${incremental.runs} scans (after one untimed); a production host is the worst case: every comparison of its service changes`,
          `a preproduction host (${scans.preproductionStage}) instead: median ${scans.preproduction.medianMs.toFixed(1)} ms`,
          `against reading just that service's ${scans.hostIds.length} snapshots back cold (${serviceFloor.medianMs.toFixed(1)} ms): ${(incremental.medianMs / serviceFloor.medianMs).toFixed(2)}x`,
          `memory: ${incrementalMemory.describe()}`,
        ],
      },
      {
        benchmark: 'drift: storage',
        subject: 'workspace file without its images (vacuumed copy: snapshots, inventory, audit)',
        subjectMs: fileBytes.withoutImages,
        peer: `the same ${generated.hosts} snapshots as plain JSON (JSON.stringify, summed)`,
        peerMs: generated.plainJsonBytes,
        ratio: fileBytes.withoutImages / generated.plainJsonBytes,
        aim: 'at least 10x smaller (ratio under 0.1)',
        unit: 'bytes',
        notes: [
          `${mb(fileBytes.withoutImages)} vs ${mb(generated.plainJsonBytes)}: ${(generated.plainJsonBytes / fileBytes.withoutImages).toFixed(1)}x smaller`,
          `the whole file, with its ${generated.images} images (${mb(fileBytes.imageBlobs)} of image blobs, each holding its roles' file contents whole): ${mb(fileBytes.total)}, ${(generated.plainJsonBytes / fileBytes.total).toFixed(1)}x smaller`,
          `snapshot blobs alone: ${mb(fileBytes.snapshotBlobs)} (${fileBytes.blobCount} blobs in the file), ${(generated.plainJsonBytes / fileBytes.snapshotBlobs).toFixed(1)}x smaller than the JSON`,
        ],
      },
    );
  } finally {
    if (kept === undefined) rmSync(path, { force: true });
  }
  results.forEach(print);
  return results;
}

type Open = () => WorkspaceStore;

/** The floor: every latest snapshot read back as the recompute reads it (without file contents), kept in memory. */
function floorRun(open: Open, memory: PhaseMemory): { ms: number; snapshots: number } {
  const store = open();
  try {
    memory.start();
    const started = performance.now();
    const read: Snapshot[] = [];
    for (const row of store.snapshots.latestByHost().values()) read.push(store.snapshots.load(row.id, { withContent: false }));
    const ms = performance.now() - started;
    memory.stop(read);
    return { ms, snapshots: read.length };
  } finally {
    store.close();
  }
}

/** The subject: a fresh DriftService (nothing cached) computing every service's drift and parity. */
function fullRun(open: Open, serviceIds: readonly number[], memory: PhaseMemory): number {
  const store = open();
  try {
    memory.start();
    const started = performance.now();
    const drift = new DriftService(store);
    for (const id of serviceIds) drift.serviceDrift(id);
    const ms = performance.now() - started;
    memory.stop(drift);
    return ms;
  } finally {
    store.close();
  }
}

/** What reading every snapshot with every file's content would cost. */
function withContentRun(open: Open): number {
  const store = open();
  try {
    const started = performance.now();
    for (const row of store.snapshots.latestByHost().values()) store.snapshots.load(row.id, { withContent: true });
    return performance.now() - started;
  } finally {
    store.close();
  }
}

/**
 * Incremental: the overview is computed (as the app does when it opens), then a host of a service in
 * the middle gets a new snapshot with one package upgraded, and its service is recomputed; first a
 * production host (10 scans), then a preproduction one (5).
 */
function incrementalRuns(open: Open, serviceIds: readonly number[], memory: PhaseMemory) {
  const store = open();
  try {
    const drift = new DriftService(store);
    for (const id of serviceIds) drift.serviceDrift(id);
    progress('overview computed for the incremental runs');
    const service = store.inventory.getService(serviceIds[Math.floor(serviceIds.length / 2)]!);
    const hostIds = service.stages.flatMap((s) => store.inventory.environment(s.id).hosts.map((h) => h.id));
    const production = service.stages.find((s) => s.isProduction)!;
    const preproduction = service.stages.find((s) => !s.isProduction) ?? production;
    const scan = (stageId: number, count: number): number[] => {
      const host = store.inventory.environment(stageId).hosts[0]!;
      const base = store.snapshots.load(store.snapshots.latestByHost(undefined, [host.id]).get(host.id)!.id);
      const upgraded = Math.floor(base.packages.length / 2);
      const samples: number[] = [];
      for (let n = 1; n <= count + 1; n++) {
        const next: Snapshot = {
          ...base,
          capturedAt: new Date(Date.parse(base.capturedAt) + n * 60_000).toISOString(),
          packages: base.packages.map((p, i) => (i === upgraded ? { ...p, version: `${p.version}+bench${n}` } : p)),
        };
        const started = performance.now();
        store.write({ actor: 'bench', action: 'snapshot.import', subject: host.name }, () => store.snapshots.save(host.id, next));
        const result = drift.serviceDrift(service.id);
        const ms = performance.now() - started;
        if (n > 1) samples.push(ms); // the first one warms the statements
        if (result.stages.length !== service.stages.length) throw new Error('incremental recompute lost stages');
      }
      return samples;
    };
    memory.start();
    const onProduction = scan(production.id, 9);
    memory.stop(drift);
    const onPreproduction = scan(preproduction.id, 5);
    return { service, hostIds, production: timingOf(onProduction), preproduction: timingOf(onPreproduction), preproductionStage: preproduction.name };
  } finally {
    store.close();
  }
}

/** The incremental recompute's own floor: reading its service's latest snapshots back, cold. */
function serviceFloorRun(open: Open, hostIds: readonly number[]): number {
  const store = open();
  try {
    const started = performance.now();
    for (const row of store.snapshots.latestByHost(undefined, hostIds).values()) store.snapshots.load(row.id, { withContent: false });
    return performance.now() - started;
  } finally {
    store.close();
  }
}

/** A line on stderr while a long run goes on. */
const progress = (line: string) => process.stderr.write(`  … ${line}\n`);

/** Generates the workspace, or reuses a kept one (its figures are kept beside it). */
function prepareWorkspace(path: string, hosts: number, keep: boolean): Omit<GeneratedWorkspace, 'store'> {
  const sidecar = `${path}.json`;
  if (keep && existsSync(path) && existsSync(sidecar)) {
    const figures = JSON.parse(readFileSync(sidecar, 'utf8')) as Omit<GeneratedWorkspace, 'store'>;
    if (figures.hosts >= hosts && figures.hosts < hosts + 25) {
      console.log(`reusing ${path}: ${figures.hosts} hosts (generated in ${figures.seconds.toFixed(1)} s)`);
      return figures;
    }
  }
  for (const suffix of ['', '-wal', '-shm', '.json']) rmSync(`${path}${suffix}`, { force: true });
  const { store, ...figures } = generateWorkspace(path, { hosts });
  store.close();
  if (keep) writeFileSync(sidecar, JSON.stringify(figures));
  console.log(
    `generated ${figures.hosts} hosts in ${figures.services} services (${figures.drifted} drifted; per host ${figures.packagesPerHost.toFixed(0)} packages, ${figures.filesPerHost.toFixed(0)} files) and ${figures.images} images in ${figures.seconds.toFixed(1)} s; peak RSS so far ${peakRssMb().toFixed(0)} MB`,
  );
  return figures;
}

/**
 * VACUUM and checkpoint the WAL into the file, then measure it and what its blobs hold; and the same
 * workspace without its images (a vacuumed copy), since the JSON peer holds only the snapshots.
 */
function compact(path: string) {
  const db = new Database(path);
  let measured;
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
    const sum = (sql: string) => db.prepare<[], { bytes: number | null }>(sql).get()?.bytes ?? 0;
    const imageBlobs = sum('SELECT SUM(LENGTH(data)) AS bytes FROM blobs WHERE hash IN (SELECT content_hash FROM images)');
    const allBlobs = sum('SELECT SUM(LENGTH(data)) AS bytes FROM blobs');
    const blobCount = sum('SELECT COUNT(*) AS bytes FROM blobs');
    measured = { total: statSync(path).size, imageBlobs, snapshotBlobs: allBlobs - imageBlobs, blobCount };
  } finally {
    db.close();
  }
  const copy = `${path}.without-images`;
  copyFileSync(path, copy);
  const stripped = new Database(copy);
  try {
    stripped.pragma('foreign_keys = OFF');
    stripped.exec('DELETE FROM blobs WHERE hash IN (SELECT content_hash FROM images); DELETE FROM image_assignments; UPDATE stages SET image_id = NULL; DELETE FROM images;');
    stripped.pragma('wal_checkpoint(TRUNCATE)');
    stripped.exec('VACUUM');
    stripped.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    stripped.close();
  }
  const withoutImages = statSync(copy).size;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  return { ...measured, withoutImages };
}

/** Peak RSS and retained heap of one phase, from a clean start (gc, fresh peak window). */
class PhaseMemory {
  private heapBefore = 0;
  private rssBefore = 0;
  private peak = 0;
  private retained = 0;

  start(): void {
    collectGarbage();
    this.heapBefore = process.memoryUsage().heapUsed;
    this.rssBefore = process.memoryUsage().rss;
    resetPeakRss();
  }

  private holding: unknown;

  /** Ends the phase; `result` (what it produced) is kept alive until its retained heap is measured. */
  stop(result: unknown): void {
    this.peak = Math.max(this.peak, peakRssMb());
    this.holding = result;
    collectGarbage();
    this.retained = Math.max(this.retained, process.memoryUsage().heapUsed - this.heapBefore);
    this.holding = undefined;
  }

  describe(): string {
    const start = this.rssBefore / 1024 / 1024;
    return `peak RSS ${this.peak.toFixed(0)} MB (+${Math.max(0, this.peak - start).toFixed(0)} MB over the ${start.toFixed(0)} MB at its start), heap retained at its end ${(this.retained / 1024 / 1024).toFixed(0)} MB`;
  }
}
