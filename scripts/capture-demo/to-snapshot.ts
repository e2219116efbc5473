/**
 * Turns one collect.sh output into the normalised Snapshot JSON the demo workspace is built from.
 *   npx tsx scripts/capture-demo/to-snapshot.ts COLLECTOR_OUTPUT SNAPSHOT_JSON CAPTURED_AT
 * Fails (exit 1) when the parser reports the output as partial: a demo must not start from a cut capture.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCollectorOutput } from '../../core/domain/collector-output';

const [inputPath, outputPath, capturedAt] = process.argv.slice(2);
if (!inputPath || !outputPath || !capturedAt) {
  console.error('usage: to-snapshot.ts COLLECTOR_OUTPUT SNAPSHOT_JSON CAPTURED_AT');
  process.exit(2);
}
const { snapshot, warnings, partial } = parseCollectorOutput(readFileSync(inputPath, 'utf8'), {
  capturedAt,
  source: 'collector',
});
if (partial) {
  console.error(`${inputPath}: collector output is partial:\n  ${warnings.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(outputPath, `${JSON.stringify(snapshot, null, 1)}\n`);
const summary = [
  `${snapshot.packages.length} packages`,
  `${snapshot.services.length} services`,
  `${snapshot.ports.length} ports`,
  `${snapshot.files.length} files`,
  `${warnings.length} warnings`,
].join(', ');
console.log(`${outputPath}: ${summary}`);
for (const warning of warnings) console.log(`  warning: ${warning}`);
