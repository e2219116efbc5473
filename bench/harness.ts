import { writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A small benchmark harness: every figure is printed next to a peer measured in the same run,
 * as a ratio, because absolute times on a shared 2-core machine mean little.
 */
export interface Timing {
  medianMs: number;
  minMs: number;
  runs: number;
}

export function time(fn: () => unknown, { runs = 7, warmup = 1 }: { runs?: number; warmup?: number } = {}): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs };
}

export async function timeAsync(fn: () => Promise<unknown>, { runs = 7, warmup = 1 }: { runs?: number; warmup?: number } = {}): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)]!, minMs: samples[0]!, runs };
}

export interface Comparison {
  benchmark: string;
  subject: string;
  subjectMs: number;
  peer: string;
  peerMs: number;
  ratio: number;
  aim?: string;
  notes?: string[];
  /** What subjectMs and peerMs measure when they are not milliseconds (e.g. bytes). */
  unit?: string;
}

const formatMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

export function compare(benchmark: string, subject: string, subjectTiming: Timing, peer: string, peerTiming: Timing, aim?: string): Comparison {
  return { benchmark, subject, subjectMs: subjectTiming.medianMs, peer, peerMs: peerTiming.medianMs, ratio: subjectTiming.medianMs / peerTiming.medianMs, ...(aim ? { aim } : {}) };
}

export function print(c: Comparison): void {
  console.log(`${c.benchmark}`);
  const unit = c.unit ?? 'ms (median)';
  console.log(`  ${c.subject}: ${formatMs(c.subjectMs)} ${unit}`);
  console.log(`  ${c.peer} (peer): ${formatMs(c.peerMs)} ${unit}`);
  console.log(`  ratio: ${c.ratio.toFixed(2)}x${c.aim ? `   aim: ${c.aim}` : ''}`);
  for (const note of c.notes ?? []) console.log(`  ${note}`);
}

/** Median and minimum of samples taken by the caller (when each run needs setup that is not timed). */
export function timingOf(samplesMs: readonly number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)]!, minMs: sorted[0]!, runs: sorted.length };
}

/** Peak resident set size of this process (since the last resetPeakRss, where that works), in MiB. */
export const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

/**
 * Starts a new peak-RSS window, so one process can report each phase's own peak: Linux resets the
 * high-water mark on `echo 5 > /proc/self/clear_refs`. False where that is not possible; peakRssMb
 * then keeps reporting the process's peak so far.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

let gc: (() => void) | undefined;
/** A full garbage collection (gc exposed on demand), so memory figures count live data only. */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}
