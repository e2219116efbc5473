import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';
import { addPerson, changeDetail, transitionChange, updatePerson } from './change-control';
import { KeyRing } from './signing';

const HOSTILE = 'Promote v2, "hardened" <script>alert(1)</script>\nsecond line';

let app: ReturnType<typeof createApp>;
let dir: string;
const changeIds: number[] = [];
type Transition = Parameters<typeof transitionChange>[1];
let move: (action: Transition['action'], who: string, extra?: Partial<Transition>) => unknown;
type Result = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; hint?: string } };
const call = async <T>(name: string, input: unknown): Promise<T> => {
  const result = (await app.dispatch(name, input)) as Result;
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.message}`), { code: result.error.code, hint: result.error.hint });
  return result.value as T;
};
type Service = { id: number; name: string; stages: { id: number; name: string; image: { id: number; label: string } | null }[] };
const exported = (name: string) => join(dir, 'out', name);
const selection = () => ({ kind: 'changes', changeIds });
/** The PDF's text in reading order, with line breaks and runs of spaces as one space (titles wrap). */
const pdfText = (path: string) => execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-reports-'));
  mkdirSync(join(dir, 'out'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'alice' });
  await call('workspace.openDemo', {});
  const store = app.session.require();
  const keys = new KeyRing(dir);
  const people = Object.fromEntries(
    (
      [
        ['dan', ['release-manager']],
        ['alice', ['requester']],
        ['bob', ['approver']],
      ] as const
    ).map(([name, roles]) => [name, addPerson(store, store.changes.people().find((p) => p.roles.includes('release-manager')) ?? null, { name, roles }, keys)]),
  );
  const payments = (await call<Service[]>('services.list', {})).find((s) => s.name === 'payments-api')!;
  const stage = (name: string) => payments.stages.find((s) => s.name === name)!;
  for (const [from, to, title] of [
    ['testing', 'staging', HOSTILE],
    ['uat', 'production', 'Promote v1 to production'],
  ] as const) {
    const draft = await call<{ id: number }>('promotion.saveDraft', { serviceId: payments.id, imageId: stage(from).image!.id, fromStageId: stage(from).id, toStageId: stage(to).id, title, acknowledgeDrift: true });
    changeIds.push(draft.id);
  }
  // The staging change goes through the board: submitted by Alice, approved (signed) by Bob.
  move = (action, who, extra = {}) => transitionChange(store, { changeId: changeIds[0]!, action, actorId: people[who]!.id, ...extra }, { keys });
  move('submit', 'alice');
  move('approve', 'bob', { reason: 'Checked the sshd diff, fine' });
}, 120_000); // builds the demo workspace: slow on a loaded machine
afterAll(() => app.session.close());

describe('CAB packs from a workspace', () => {
  it('prints a PDF with every field the board needs, read back with pdftotext', async () => {
    const written = await call<{ path: string; bytes: number }>('reports.export', { selection: selection(), format: 'pdf', path: exported('cab.pdf') });
    expect(readFileSync(written.path).subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(written.path);
    const audit = await call<{ ok: boolean; head: string }>('audit.verify', {});
    for (const required of [
      'Change Advisory Board pack',
      'Agenda',
      'Summary',
      `Change #${changeIds[0]}: Promote v2, "hardened" <script>alert(1)</script> second line`,
      `Change #${changeIds[1]}: Promote v1 to production`,
      'payments-api',
      'testing → staging',
      'uat → production (production)',
      'Configuration items',
      'pay-web-stg-01',
      'Requester',
      'alice',
      'Category normal',
      'approved',
      '1 of 1 required approvals',
      'bob approve (counts)',
      'Checked the sshd diff, fine',
      'Plan still current yes',
      'Bring staging to image v2.',
      'previous image of staging, v1',
      'expect zero drift against image v2',
      'Risk',
      'high-severity changes',
      'Policy verdict: allowed',
      'predecessors',
      'Conflicts',
      'Approvals',
      'Target before the change: staging',
      'Parity with production',
      'Implementation plan',
      'Backout plan',
      'Test plan',
      'Promotion plan: image v2',
      '/etc/ssh/sshd_config',
      '+PermitRootLogin no',
      'Audit chain head',
      audit.head,
      'Page 1 of',
    ])
      expect(text, required).toContain(required);
    expect(text).toMatch(/bob approve \(counts\) \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC valid Checked the sshd diff, fine SHA256:/);
  });

  it('writes HTML that loads nothing from outside and shows hostile titles as text', async () => {
    const { path } = await call<{ path: string }>('reports.export', { selection: selection(), format: 'html', path: exported('cab.html') });
    const html = readFileSync(path, 'utf8');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/https?:|\/\/|url\(|@import|<(link|img|iframe|object|embed|base|form)\b/i);
    expect([...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].every((m) => m[1]!.startsWith('#'))).toBe(true);
    const preview = (await call<{ html: string }>('reports.preview', { selection: selection() })).html;
    expect(preview.split('<section').length).toBe(html.split('<section').length);
  });

  it('writes a CSV a standard parser reads: one row per change, the hostile title intact', async () => {
    const { path } = await call<{ path: string }>('reports.export', { selection: selection(), format: 'csv', path: exported('cab.csv') });
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => Number(r['id'])).sort()).toEqual([...changeIds].sort());
    const hostile = rows.find((r) => Number(r['id']) === changeIds[0])!;
    expect(hostile).toMatchObject({ title: HOSTILE, service: 'payments-api', target_stage: 'staging', state: 'approved', requester: 'alice', verdict: 'allowed', category: 'normal', approvals_given: '1', approvals_required: '1', stale: 'yes' });
    expect(hostile['approvers_and_signatures']).toMatch(/^bob: approve \(counts\) at .+, signature valid$/);
    expect(hostile['implementation_plan']).toMatch(/^Bring staging to image v2\.\n1\. On /);
    expect(Number(hostile['plan_steps'])).toBeGreaterThan(0);
  });

  it('writes JSON that validates against the published schemas (CAB pack and drift report)', async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, sel, file] of [
      ['cab-pack', selection(), 'cab.json'],
      ['drift-report', { kind: 'drift' }, 'drift.json'],
    ] as const) {
      const { path } = await call<{ path: string }>('reports.export', { selection: sel, format: 'json', path: exported(file) });
      const validate = ajv.compile(JSON.parse(readFileSync(join(process.cwd(), 'resources', 'schemas', `${name}.schema.json`), 'utf8')));
      const report = JSON.parse(readFileSync(path, 'utf8'));
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
      // and the schema is not vacuous: a report missing a field fails it
      delete report.meta.audit;
      expect(validate(report)).toBe(false);
    }
  });

  it('writes Markdown with the summary as a table', async () => {
    const { path } = await call<{ path: string }>('reports.export', { selection: selection(), format: 'md', path: exported('cab.md') });
    const md = readFileSync(path, 'utf8');
    expect(md).toContain('| ID | Title | Service | Target | Risk | Window | State | Approvals |');
    expect(md).toContain('\\<script\\>');
  });

  it('shows the window a change is scheduled in, and finds it by that window', async () => {
    move('schedule', 'dan', { window: { start: '2030-03-04T21:00:00.000Z', end: '2030-03-04T22:30:00.000Z', timeZone: 'Europe/Paris' } });
    const march = await call<{ html: string }>('reports.preview', { selection: { kind: 'range', from: '2030-03-04', to: '2030-03-04' } });
    expect(march.html).toContain(`Change #${changeIds[0]}:`);
    expect(march.html).not.toContain(`Change #${changeIds[1]}:`);
    expect(march.html).toContain('2030-03-04 22:00 Europe/Paris → 2030-03-04 23:30 Europe/Paris (2030-03-04 21:00 UTC → 2030-03-04 22:30 UTC)');
    // The pack shows each signature as change control checks it now.
    const status = changeDetail(app.session.require(), changeIds[0]!).decisions[0]!.signatureStatus;
    expect(march.html).toContain(`<span class="chip sig-${status}">${status}</span>`);
  });

  it('selects by date range, and says so when a range holds no change', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const preview = await call<{ html: string }>('reports.preview', { selection: { kind: 'range', from: '2000-01-01', to: '2999-12-31' } });
    for (const id of changeIds) expect(preview.html).toContain(`Change #${id}:`);
    await expect(call('reports.preview', { selection: { kind: 'range', from: '2000-01-01', to: '2000-01-31' } })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('reports.preview', { selection: { kind: 'range', from: today, to: '2000-01-01' } })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(call('reports.preview', { selection: { kind: 'changes', changeIds: [99999] } })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('keeps the name an approver signed under apart from their name now, in JSON and in words', async () => {
    const store = app.session.require();
    const bob = store.changes.personByName('bob')!;
    updatePerson(store, store.changes.personByName('dan')!, bob.id, { name: 'Robert' });
    try {
      const { path } = await call<{ path: string }>('reports.export', { selection: selection(), format: 'json', path: exported('renamed.json') });
      const pack = JSON.parse(readFileSync(path, 'utf8')) as { changes: { id: number; approvals: { decisions: { approver: string; signedAs: string | null }[] } }[] };
      expect(pack.changes.find((c) => c.id === changeIds[0])!.approvals.decisions[0]).toMatchObject({ approver: 'Robert', signedAs: 'bob' });
      const csv = await call<{ path: string }>('reports.export', { selection: selection(), format: 'csv', path: exported('renamed.csv') });
      const row = (parse(readFileSync(csv.path, 'utf8'), { columns: true }) as Record<string, string>[]).find((r) => Number(r['id']) === changeIds[0])!;
      expect(row['approvers_and_signatures']).toMatch(/^Robert \(signed as bob\): approve \(counts\) at .+, signature valid$/);
    } finally {
      updatePerson(store, store.changes.personByName('dan')!, bob.id, { name: 'bob' });
    }
  });
});

describe('drift reports', () => {
  it('prints every service and stage with parity and the differing facts', async () => {
    const { path } = await call<{ path: string }>('reports.export', { selection: { kind: 'drift' }, format: 'pdf', path: exported('drift.pdf') });
    const text = pdfText(path);
    for (const required of ['Drift report', 'payments-api', 'storefront-web', 'identity', 'reporting-db', 'integration', 'production (production)', 'Parity with production', 'differing fact', 'Audit chain head']) expect(text, required).toContain(required);
    const csv = parse(readFileSync((await call<{ path: string }>('reports.export', { selection: { kind: 'drift' }, format: 'csv', path: exported('drift.csv') })).path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(new Set(csv.map((r) => `${r['service']}/${r['stage']}`)).size).toBe(20);
    expect(csv.some((r) => r['severity'] === 'high')).toBe(true);
  });
});

describe('exports never overwrite silently and never write elsewhere', () => {
  const leftovers = () => readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.part'));

  it('refuses an existing file unless overwrite is confirmed, leaving it untouched', async () => {
    const path = exported('keep.md');
    writeFileSync(path, 'precious');
    await expect(call('reports.export', { selection: selection(), format: 'md', path })).rejects.toMatchObject({ code: 'conflict', hint: expect.stringMatching(/Confirm/) });
    expect(readFileSync(path, 'utf8')).toBe('precious');
    await call('reports.export', { selection: selection(), format: 'md', path, overwrite: true });
    expect(readFileSync(path, 'utf8')).toContain('# Change Advisory Board pack');
    expect(leftovers()).toEqual([]);
  });

  it('refuses folders, links, relative paths and missing folders', async () => {
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'not yours');
    symlinkSync(target, exported('link.html'));
    mkdirSync(exported('folder.html'));
    for (const [path, overwrite, code] of [
      [exported('link.html'), true, 'refused'],
      [exported('link.html'), false, 'refused'],
      [exported('folder.html'), true, 'invalid-input'],
      [`${exported('folder.html')}/`, false, 'invalid-input'],
      ['relative/report.html', false, 'invalid-input'],
      [join(dir, 'missing', 'report.html'), false, 'not-found'],
    ] as const)
      await expect(call('reports.export', { selection: selection(), format: 'html', path, overwrite }), path).rejects.toMatchObject({ code });
    expect(readFileSync(target, 'utf8')).toBe('not yours');
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('says what to do when no Chromium can print a PDF, and writes nothing', async () => {
    const saved = process.env['CHROMIUM_PATH'];
    process.env['CHROMIUM_PATH'] = join(dir, 'no-chromium');
    try {
      await expect(call('reports.export', { selection: selection(), format: 'pdf', path: exported('none.pdf') })).rejects.toMatchObject({ code: 'unsupported', hint: expect.stringMatching(/apt-get install chromium/) });
    } finally {
      if (saved === undefined) delete process.env['CHROMIUM_PATH'];
      else process.env['CHROMIUM_PATH'] = saved;
    }
    expect(existsSync(exported('none.pdf'))).toBe(false);
  });

  it('has no save dialog or download in the CLI shell', async () => {
    await expect(call('reports.saveAs', { selection: selection(), format: 'md' })).rejects.toMatchObject({ code: 'unsupported' });
    await expect(call('reports.download', { selection: selection(), format: 'md' })).rejects.toMatchObject({ code: 'unsupported' });
  });
});
