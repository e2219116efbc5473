/** `stagecraft calendar export` on the demo: lease ends are written, and --no-leases leaves them out. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseCalendar } from '../domain/icalendar';
import { runCli } from './main';

let dir: string;
let workspace: string;
const quiet = () => undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-leases-'));
  workspace = join(dir, 'demo.stagecraft');
  expect(await runCli(['demo', workspace], quiet)).toBe(0);
}, 120_000);

/** The summaries of the lease events of an export over the next 60 days. */
async function leaseSummaries(...flags: string[]): Promise<string[]> {
  const file = join(dir, `${flags.join('') || 'all'}.ics`);
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  expect(await runCli(['calendar', 'export', workspace, '--from', day(-1), '--to', day(60), '--out', file, ...flags], quiet)).toBe(0);
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
