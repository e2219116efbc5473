import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../services/app';
import { cliSession } from './test-support/cli-session';

let dir: string;
let workspace: string;
const changeIds: number[] = [];
const { run } = cliSession();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-report-'));
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
  workspace = join(dir, 'demo.stagecraft');
  expect((await run('demo', workspace)).code).toBe(0);
  // Draft changes as the app saves them, through its own calls.
  const app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: join(dir, 'data'), defaultWorkspaceDir: dir });
  const call = async <T>(name: string, input: unknown) => {
    const result = await app.dispatch(name, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.value as T;
  };
  await call('workspace.open', { path: workspace });
  for (const service of await call<{ id: number; name: string; stages: { id: number; name: string; image: { id: number } | null }[] }[]>('services.list', {})) {
    const testing = service.stages.find((s) => s.name === 'testing')!;
    const staging = service.stages.find((s) => s.name === 'staging')!;
    if (!testing.image) continue;
    changeIds.push((await call<{ id: number }>('promotion.saveDraft', { serviceId: service.id, imageId: testing.image.id, fromStageId: testing.id, toStageId: staging.id, title: `Roll ${service.name}, "v2"`, acknowledgeDrift: true })).id);
  }
  app.session.close();
}, 120_000); // builds the demo workspace: slow on a loaded machine

describe('stagecraft report', () => {
  it('writes a CAB pack of chosen changes as PDF, the format taken from --out', async () => {
    const out = join(dir, 'pack.pdf');
    const result = await run('report', workspace, '--changes', changeIds.slice(0, 2).join(','), '--out', out);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/Wrote the CAB pack \(PDF, \d+ bytes\)/);
    const text = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' });
    expect(text).toContain(`Change #${changeIds[0]}:`);
    expect(text).toContain(`Change #${changeIds[1]}:`);
    expect(text).not.toContain(`Change #${changeIds[2]}:`);
  });

  it('writes the changes of a date range as CSV, one row each (the demo may hold changes of its own)', async () => {
    const out = join(dir, 'range.csv');
    expect((await run('report', workspace, '--from', '2000-01-01', '--to', '2999-12-31', '--format', 'csv', '--out', out)).code).toBe(0);
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as { id: string; title: string }[];
    expect(rows.map((r) => Number(r.id))).toEqual(expect.arrayContaining(changeIds));
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(rows.find((r) => Number(r.id) === changeIds[0])!.title).toMatch(/^Roll .+, "v2"$/);
  });

  it('writes a drift report of one service', async () => {
    const out = join(dir, 'drift.md');
    expect((await run('report', workspace, '--drift', '--service', 'payments-api', '--out', out)).code).toBe(0);
    const md = readFileSync(out, 'utf8');
    expect(md).toContain('## payments-api: preproduction parity');
    expect(md).not.toContain('storefront');
  });

  it('refuses to replace a file without --overwrite, and replaces it with it', async () => {
    const out = join(dir, 'existing.json');
    writeFileSync(out, '{}');
    const refused = await run('report', workspace, '--drift', '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists\. Add --overwrite to replace it/);
    expect(readFileSync(out, 'utf8')).toBe('{}');
    expect((await run('report', workspace, '--drift', '--out', out, '--overwrite')).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ format: 'stagecraft-drift-report' });
  });

  it('explains bad usage', async () => {
    const cases: [string[], RegExp][] = [
      [['report', workspace, '--out', join(dir, 'x.pdf')], /exactly one of --changes/],
      [['report', workspace, '--changes', '1', '--drift', '--out', join(dir, 'x.pdf')], /exactly one of/],
      [['report', workspace, '--changes', 'one,two', '--out', join(dir, 'x.pdf')], /change ids separated by commas/],
      [['report', workspace, '--from', '2026-01-01', '--out', join(dir, 'x.pdf')], /--from needs --to/],
      [['report', workspace, '--drift', '--out', join(dir, 'x.txt')], /--format must be one of pdf, html, md, csv, json/],
      [['report', workspace, '--drift'], /needs --out FILE/],
      [['report', workspace, '--drift', '--service', 'nope', '--out', join(dir, 'x.md')], /no service "nope"/],
      [['report', workspace, '--changes', '9999', '--out', join(dir, 'x.md')], /Change 9999 does not exist/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(message);
    }
  });
});
