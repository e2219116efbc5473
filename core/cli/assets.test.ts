import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { virshMissing } from '../connectors/libvirt/test-support';
import { cliSession } from './test-support/cli-session';

let dir: string;
let path: string;
const { run, lines } = cliSession();
const noVirsh = virshMissing();
if (noVirsh) console.log(`SKIP clone dry runs on libvirt's test driver: ${noVirsh}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-assets-'));
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
  path = join(dir, 'demo.stagecraft');
  expect((await run('demo', path)).code).toBe(0);
});

describe('stagecraft assets', () => {
  it('prints capacity, allocation, cost per stage, pool and service, and the leases', async () => {
    expect((await run('assets', path)).code).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('integration: capacity 64 vCPU, 192 GiB, 3000 GB; allocated 56 vCPU, 160 GiB, 1980 GB; free 8 vCPU, 32 GiB, 1020 GB; EUR 1368.00 a month');
    expect(text).toContain('  pool kvm-int (hypervisor): 11 hosts, allocated 56 vCPU, 160 GiB, 1980 GB of 64 vCPU, 192 GiB, 3000 GB; EUR 1368.00 a month, idle EUR 224.80');
    expect(text).toMatch(/EXPIRED +storefront-web testing +li\.wei, until \d{4}-\d{2}-\d{2} \(Asia\/Shanghai\), ended .* — Checkout load test/);
    expect(text).toMatch(/EXPIRING +payments-api integration +dana\.k, until .* \(Europe\/Berlin\), [12] day\(s\) left/);
  });

  it('narrows to a stage, and prints JSON', async () => {
    expect((await run('assets', path, '--stage', 'uat', '--format', 'json')).code).toBe(0);
    const report = JSON.parse(lines.join('\n')) as { stages: { stageName: string }[]; leases: { serviceName: string }[] };
    expect(report.stages.map((s) => s.stageName)).toEqual(['uat']);
    expect(report.leases.map((l) => l.serviceName)).toEqual(['identity']);
  });

  it('says what is wrong with a bad stage or format, exit 2', async () => {
    expect(await run('assets', path, '--stage', 'qa')).toMatchObject({ code: 2, stderr: expect.stringMatching(/No stage is named "qa"[\s\S]*Stages: integration, testing/) });
    expect(await run('assets', path, '--format', 'yaml')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--format/) });
    expect(await run('clone', path, '--to', 'uat', '--service', 'nope')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--service must name a service: identity, payments-api/) });
  });
});

describe.skipIf(noVirsh !== null)('stagecraft clone', () => {
  it('--dry-run shows what blocks the clone, exit 3', async () => {
    expect((await run('hypervisor', 'add', path, '--name', 'kvm-fixture', '--uri', `test://${join(process.cwd(), 'resources', 'libvirt-fixtures', 'inventory.xml')}`)).code).toBe(0);
    expect((await run('clone', path, '--from', 'production', '--to', 'uat', '--service', 'reporting-db', '--dry-run')).code).toBe(3);
    expect(lines).toContain('Clone production of reporting-db into uat on kvm-fixture: 0 VM(s)');
    expect(lines.filter((l) => l.startsWith('BLOCKED: '))).toEqual(expect.arrayContaining([expect.stringMatching(/^BLOCKED: rpt-db-prd-01 \(db\) is not a VM of kvm-fixture: give a template VM for role db\.$/), expect.stringMatching(/already holds \d+ host\(s\): rebuild it \(replace\)/)]));
  }, 60_000);
});
