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

export const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
