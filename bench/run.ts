// `npm run bench [NAME…]`: runs the benchmarks (all by default) and prints each with its ratio.
import { mkdirSync, writeFileSync } from 'node:fs';
import { applyBenchmark } from './apply.bench';
import { assetsBenchmark } from './assets.bench';
import { changesBenchmark } from './changes.bench';
import { dispatchBenchmark } from './dispatch.bench';
import { driftBenchmark } from './drift.bench';
import { overviewBenchmark } from './overview.bench';
import { reportsBenchmark } from './reports.bench';
import { scanVsAnsibleBenchmark } from './scan-vs-ansible';
import type { Comparison } from './harness';

const benchmarks: Record<string, () => Promise<Comparison | Comparison[]>> = {
  apply: applyBenchmark,
  assets: assetsBenchmark,
  changes: changesBenchmark,
  dispatch: dispatchBenchmark,
  drift: driftBenchmark,
  overview: overviewBenchmark,
  reports: reportsBenchmark,
  scan: scanVsAnsibleBenchmark,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${Object.keys(benchmarks).join(', ')}.`);
  process.exit(2);
}
const results: Comparison[] = [];
for (const [name, run] of Object.entries(benchmarks)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  results.push(...[await run()].flat());
  console.log();
}
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/results.json', JSON.stringify(results, null, 2));
console.log('Figures written to bench/out/results.json');
