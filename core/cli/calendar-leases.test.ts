/** `stagecraft calendar export` on the demo: lease ends are written, and --no-leases leaves them out. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCalendar } from '../domain/icalendar';
import { cliSession } from './test-support/cli-session';

let dir: string;
let workspace: string;
const { run } = cliSession();
const previousDataDir = process.env['STAGECRAFT_DATA_DIR'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-leases-'));
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data'); // the demo's signing keys stay in the test's folder
  workspace = join(dir, 'demo.stagecraft');
  expect((await run('demo', workspace)).code).toBe(0);
}, 120_000);
afterAll(() => {
  if (previousDataDir === undefined) delete process.env['STAGECRAFT_DATA_DIR'];
  else process.env['STAGECRAFT_DATA_DIR'] = previousDataDir;
});

/** The summaries of the lease events of an export from yesterday to 60 days ahead. */
async function leaseSummaries(...flags: string[]): Promise<string[]> {
  const file = join(dir, `${flags.join('') || 'all'}.ics`);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  expect((await run('calendar', 'export', workspace, '--from', day(-1), '--to', day(60), '--out', file, ...flags)).code).toBe(0);
  return parseCalendar(readFileSync(file, 'utf8')).events.filter((e) => e.categories.includes('LEASE')).map((e) => e.summary);
}

describe('stagecraft calendar export', () => {
  it("writes each active lease's last day, and --no-leases leaves them out", async () => {
    // The demo's leases end in 2, 5, 20 and 40 days (one ended 3 days ago: outside the span).
    expect((await leaseSummaries()).sort()).toEqual([
      'Lease ends: identity uat (sam.r)',
      'Lease ends: payments-api integration (dana.k)',
      'Lease ends: payments-api staging (release-team)',
      'Lease ends: reporting-db integration (ops)',
    ]);
    expect(await leaseSummaries('--no-leases')).toEqual([]);
  });
});
