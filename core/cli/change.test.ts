import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliSession } from './test-support/cli-session';

let dir: string;
let path: string;
const { run, lines } = cliSession();
const previousDataDir = process.env['STAGECRAFT_DATA_DIR'];
type Listed = { id: number; title: string; state: string; targetStage: string; service: string; approvals: { given: number; required: number }; conflicts: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-change-'));
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
  path = join(dir, 'demo.stagecraft');
  expect((await run('demo', path)).code).toBe(0);
}, 120_000);
afterAll(() => {
  if (previousDataDir === undefined) delete process.env['STAGECRAFT_DATA_DIR'];
  else process.env['STAGECRAFT_DATA_DIR'] = previousDataDir;
});

const listed = async () => {
  expect((await run('change', 'list', path, '--format', 'json')).code).toBe(0);
  return JSON.parse(lines.join('\n')) as Listed[];
};

describe('stagecraft change, people and calendar on the demo', () => {
  it('lists the demo people with their keys on this computer (mode 0600, outside the workspace)', async () => {
    expect((await run('people', 'list', path)).code).toBe(0);
    expect(lines.join('\n')).toMatch(/Mei Lin\s+cab, approver\s+SHA256:/);
    expect(lines.join('\n')).not.toMatch(/not on this computer/);
    const keyDir = join(dir, 'data', 'keys');
    expect(existsSync(keyDir)).toBe(true);
    expect(statSync(keyDir).mode & 0o077).toBe(0);
  });

  it('refuses a --format other than json or text with exit 2, printing nothing', async () => {
    for (const args of [['list', path], ['show', path, '1']]) {
      const refused = await run('change', ...args, '--format', 'yaml');
      expect(refused).toMatchObject({ code: 2, stdout: '', stderr: 'stagecraft: --format must be json or text, not "yaml".' });
    }
  });

  it('lists changes in several states and shows one with its signed approval', async () => {
    const changes = await listed();
    expect(new Set(changes.map((c) => c.state))).toEqual(new Set(['closed', 'scheduled', 'submitted', 'rejected', 'draft']));
    const production = changes.find((c) => c.targetStage === 'production')!;
    expect((await run('change', 'show', path, String(production.id))).code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/approvals: 1 of 2 \(cab\)/);
    expect(text).toMatch(/approved by Jonas Weber at .*: signature valid — Agreed at CAB\./);
    expect(text).toMatch(/overridden from \w+ by Priya Shah: Month-end reporting/);
    expect(text).toMatch(/Backout plan:/);
  });

  it('refuses self-approval with exit 3, approves as a second CAB member, and a field altered in SQLite breaks the signature', async () => {
    const production = (await listed()).find((c) => c.targetStage === 'production')!;
    expect((await run('change', 'approve', path, String(production.id), '--as', 'Priya Shah')).code).toBe(3);
    expect(lines.join('\n')).toMatch(/refused: Priya Shah cannot decide on this change: it needs a CAB member/);
    expect((await run('change', 'approve', path, String(production.id), '--as', 'Mei Lin', '--reason', 'OK for Thursday')).code).toBe(0);
    expect(lines[0]).toBe(`#${production.id}: submitted → approved (approvals 2 of 2)`);
    expect((await run('change', 'show', path, String(production.id))).code).toBe(0);
    expect(lines.filter((l) => l.includes('signature valid'))).toHaveLength(2);

    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path);
    db.prepare("UPDATE change_requests SET title = 'Something else entirely' WHERE id = ?").run(production.id);
    db.close();
    expect((await run('change', 'show', path, String(production.id))).code).toBe(0);
    expect(lines.filter((l) => l.includes('signature invalid'))).toHaveLength(2);
  });

  it('schedules with a wall-clock window in a zone and refuses a window already over', async () => {
    const production = (await listed()).find((c) => c.targetStage === 'production')!;
    expect((await run('change', 'schedule', path, String(production.id), '--as', 'Rosa Alvarez', '--start', '2020-01-01T10:00', '--end', '2020-01-01T11:00', '--tz', 'Europe/Berlin')).code).toBe(3);
    expect(lines.join('\n')).toMatch(/The window is already over/);
    // A Tuesday evening, outside the storefront weekend freeze (and reporting-db has none).
    expect((await run('change', 'schedule', path, String(production.id), '--as', 'Rosa Alvarez', '--start', '2031-03-04T20:00', '--end', '2031-03-04T22:00', '--tz', 'Europe/Berlin')).code).toBe(0);
    expect(lines[0]).toBe(`#${production.id}: approved → scheduled (approvals 2 of 2)`);
  });

  it('exports the calendar as .ics, never over an existing file, and imports an organisation calendar', async () => {
    const file = join(dir, 'changes.ics');
    expect((await run('calendar', 'export', path, '--from', '2031-03-01', '--to', '2031-04-01', '--out', file)).code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('DTSTART:20310304T190000Z');
    expect(text).toMatch(/SUMMARY:Freeze storefront-web production: weekend trading freeze/);
    const again = await run('calendar', 'export', path, '--from', '2031-03-01', '--to', '2031-04-01', '--out', file);
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining('already exists; add --overwrite to replace it') });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect((await run('calendar', 'export', path, '--from', '2031-05-01', '--to', '2031-05-02', '--no-freezes', '--no-leases', '--out', file, '--overwrite')).code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain('BEGIN:VEVENT');
    expect(await run('calendar', 'export', path, '--from', '2031-03-01', '--to', '2031-04-01', '--out', join(dir, 'no-such-folder', 'changes.ics'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/no-such-folder does not exist/) });

    const corp = join(dir, 'corp.ics');
    (await import('node:fs')).writeFileSync(corp, ['BEGIN:VCALENDAR', 'VERSION:2.0', 'BEGIN:VEVENT', 'UID:sap-upgrade@corp', 'DTSTART;TZID=Europe/Berlin:20310304T210000', 'DTEND;TZID=Europe/Berlin:20310304T230000', 'SUMMARY:SAP upgrade', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
    expect((await run('calendar', 'import', path, corp, '--dry-run')).code).toBe(0);
    expect(lines.at(-1)).toBe('Would import 1 events (1 new, 0 updated).');
    expect((await run('calendar', 'import', path, corp)).code).toBe(0);
    const production = (await listed()).find((c) => c.targetStage === 'production')!;
    expect(production.conflicts).toBe(1);
    expect((await run('calendar', 'remove', path, '--source', corp)).code).toBe(0);
    expect(lines).toEqual(['Removed 1 imported event.']);
    expect((await listed()).find((c) => c.id === production.id)!.conflicts).toBe(0);
    expect((await run('audit', 'verify', path)).code).toBe(0);
  });
});
