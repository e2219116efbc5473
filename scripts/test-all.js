#!/usr/bin/env node
// `npm test`: typecheck, lint, unit and integration tests (vitest), build, end-to-end tests
// (Playwright in Chromium). Ends with one line, "N passed, N failed", counting every suite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = [];
mkdirSync('test-results', { recursive: true });

function step(name, command, args, env = {}) {
  console.log(`\n── ${name}: ${command} ${args.join(' ')}`);
  const run = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return run.status === 0;
}

/** A check without its own test counts (typecheck, lint, build) counts as one test. */
function check(name, command, args) {
  const ok = step(name, command, args);
  results.push({ suite: name, passed: ok ? 1 : 0, failed: ok ? 0 : 1 });
  return ok;
}

/** A suite with its own report: its counts, and the names of its failing tests for the summary. */
function counted(name, report, parse, command, args, env) {
  rmSync(report, { force: true });
  const ok = step(name, command, args, env);
  let counts = { passed: 0, failed: ok ? 0 : 1, failures: [] };
  if (existsSync(report)) counts = parse(JSON.parse(readFileSync(report, 'utf8')));
  // A runner that died before writing its report, or failed without a failing test, still fails.
  if (!ok && counts.failed === 0) counts.failed = 1;
  results.push({ suite: name, ...counts });
}

function vitestFailures(report) {
  return report.testResults.flatMap((file) =>
    file.assertionResults.filter((test) => test.status === 'failed').map((test) => `${file.name.replace(`${process.cwd()}/`, '')} › ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`),
  );
}

function playwrightFailures(suite) {
  const own = (suite.specs ?? []).flatMap((spec) =>
    spec.tests.filter((test) => test.status === 'unexpected').map((test) => `${spec.file}:${spec.line} › ${spec.title}: ${firstLine(test.results.at(-1)?.error?.message)}`),
  );
  return [...own, ...(suite.suites ?? []).flatMap(playwrightFailures)];
}

// ANSI colours stripped: the summary is read in CI logs.
const firstLine = (message = '') => message.replace(/\u001b\[[0-9;]*m/g, '').split('\n').find((line) => line.trim()) ?? '';

check('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
check('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
counted(
  'unit and integration (vitest)',
  'test-results/vitest.json',
  (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, failures: vitestFailures(r) }),
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=test-results/vitest.json'],
);
if (check('build', 'node', ['scripts/build.js'])) {
  counted(
    'end-to-end (playwright)',
    'test-results/e2e-results.json',
    (r) => ({ passed: (r.stats?.expected ?? 0) + (r.stats?.flaky ?? 0), failed: r.stats?.unexpected ?? 0, failures: (r.suites ?? []).flatMap(playwrightFailures) }),
    'npx',
    ['playwright', 'test'],
  );
}

console.log('\nSuites:');
for (const r of results) {
  console.log(`  ${r.failed === 0 ? 'ok  ' : 'FAIL'} ${r.suite}: ${r.passed} passed, ${r.failed} failed`);
  for (const failure of r.failures ?? []) console.log(`       ✗ ${failure.slice(0, 300)}`);
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
