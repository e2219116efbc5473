import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseArgs, runCli } from './main';

let dir: string;
let lines: string[];
const out = (line: string) => lines.push(line);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-'));
  lines = [];
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
});

describe('stagecraft CLI', () => {
  it('prints help and version', async () => {
    expect(await runCli(['--help'], out)).toBe(0);
    expect(lines.join('\n')).toMatch(/stagecraft workspace create PATH/);
    lines = [];
    expect(await runCli(['--version'], out)).toBe(0);
    expect(lines[0]).toMatch(/^(dev|\d+\.\d+\.\d+)$/);
  });

  it('creates a workspace and describes it', async () => {
    const path = join(dir, 'team.stagecraft');
    expect(await runCli(['workspace', 'create', path, '--name', 'Platform team'], out)).toBe(0);
    expect(lines[0]).toContain('Created workspace "Platform team"');
    lines = [];
    expect(await runCli(['workspace', 'info', path, '--format', 'json'], out)).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ name: 'Platform team', counts: { services: 0 } });
  });

  it('exits 2 with a clear message on a bad workspace or bad usage', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const notWorkspace = join(dir, 'notes.txt');
    writeFileSync(notWorkspace, 'hello');
    expect(await runCli(['workspace', 'info', notWorkspace], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/not a Stagecraft workspace/);
    expect(await runCli(['workspace', 'create'], out)).toBe(2);
    expect(await runCli(['frobnicate'], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/Unknown command/);
    errors.mockRestore();
  });

  it('parses options with and without =', () => {
    expect(parseArgs(['a', '--name', 'x y', '--format=json'])).toEqual({ positional: ['a'], options: new Map([['name', 'x y'], ['format', 'json']]) });
    expect(() => parseArgs(['--name'])).toThrow(/needs a value/);
  });
});

describe('stagecraft diff and drift', () => {
  const captures = join(process.cwd(), 'resources/demo/captures');

  it('diff exits 0 for equal snapshots, 1 with drift, 2 on a bad file', async () => {
    expect(await runCli(['diff', join(captures, 'web.json'), join(captures, 'web.json')], out)).toBe(0);
    lines = [];
    expect(await runCli(['diff', join(captures, 'web.json'), join(captures, 'web.older.json'), '--format', 'json'], out)).toBe(1);
    const items = JSON.parse(lines.join('\n'));
    expect(items.map((i: { key: string }) => i.key)).toContain('dpkg:libssl3:amd64');
    expect(items[0]).toMatchObject({ category: 'packages', kind: 'changed', severity: 'high' });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "stagecraft.snapshot", "version": 2}');
    expect(await runCli(['diff', bad, join(captures, 'web.json')], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/version 2/);
    errors.mockRestore();
  });

  it('drift prints every stage of the demo with its parity', async () => {
    const path = join(dir, 'demo.stagecraft');
    expect(await runCli(['demo', path], out)).toBe(0);
    lines = [];
    expect(await runCli(['drift', path, '--service', 'payments-api', '--stage', 'staging'], out)).toBe(0);
    expect(lines.join('\n')).toMatch(/HIGH\s+packages:dpkg:libssl3:amd64/);
    lines = [];
    expect(await runCli(['drift', path, '--format', 'json'], out)).toBe(0);
    const drift = JSON.parse(lines.join('\n'));
    expect(drift).toHaveLength(4);
    expect(drift[0].stages).toHaveLength(5);
  });
});

describe('stagecraft audit verify', () => {
  it('exits 0 on an intact log and 1 naming the first bad entry', async () => {
    const path = join(dir, 'audited.stagecraft');
    expect(await runCli(['demo', path], out)).toBe(0);
    lines = [];
    expect(await runCli(['audit', 'verify', path], out)).toBe(0);
    expect(lines[0]).toMatch(/intact: \d+ entries/);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path);
    db.exec("DROP TRIGGER audit_is_append_only_update; UPDATE audit_entries SET actor = 'mallory' WHERE seq = 1;");
    db.close();
    lines = [];
    expect(await runCli(['audit', 'verify', path], out)).toBe(1);
    expect(lines[0]).toMatch(/entry 1 — its content was altered/);
  });
});

describe('stagecraft collect and scan, against a real sshd', () => {
  it('collects one host to a file after its key is accepted, and never overwrites the file', async () => {
    const { generateKey, makeTempDir, TestSshd } = await import('../connectors/ssh/test-support/sshd');
    const keys = makeTempDir('cli-ssh');
    const key = generateKey(keys, 'client');
    const sshd = await TestSshd.start({ authorizedKeys: [key.publicLine] });
    try {
      const knownHosts = join(keys, 'known_hosts');
      const outFile = join(dir, 'local.json');
      const target = `ssh://${(await import('node:os')).userInfo().username}@127.0.0.1:${sshd.port}`;
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      expect(await runCli(['collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--out', outFile], out)).toBe(2);
      expect(errors.mock.calls.flat().join(' ')).toMatch(/SHA256:/);
      expect(await runCli(['collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', outFile], out)).toBe(0);
      const snapshot = JSON.parse((await import('node:fs')).readFileSync(outFile, 'utf8'));
      expect(snapshot).toMatchObject({ format: 'stagecraft.snapshot', version: 1 });
      expect(snapshot.packages.length).toBeGreaterThan(50);
      expect(await runCli(['collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', outFile], out)).toBe(2);
      expect(errors.mock.calls.flat().join(' ')).toMatch(/already exists/);
      errors.mockRestore();
    } finally {
      await sshd.stop();
    }
  });
});

describe('stagecraft import', () => {
  const fixtures = join(process.cwd(), 'core/services/import/fixtures');
  it('previews, then imports an Ansible inventory in one transaction; a bad file changes nothing', async () => {
    const path = join(dir, 'import.stagecraft');
    expect(await runCli(['workspace', 'create', path], out)).toBe(0);
    lines = [];
    expect(await runCli(['import', path, join(fixtures, 'platform.ini'), '--dry-run'], out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Would import from .*platform\.ini \(ansible-ini\): 3 services, \d+ new hosts/);
    lines = [];
    expect(await runCli(['workspace', 'info', path, '--format', 'json'], out)).toBe(0);
    expect(JSON.parse(lines.join('\n')).counts.hosts).toBe(0);
    lines = [];
    expect(await runCli(['import', path, join(fixtures, 'platform.ini')], out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Imported .* 3 services/);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runCli(['import', path, join(fixtures, 'bad', 'too-many-fields.csv'), '--format', 'csv'], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/line \d+/);
    errors.mockRestore();
    lines = [];
    expect(await runCli(['audit', 'verify', path], out)).toBe(0);
  });
});

describe('stagecraft promote --plan', () => {
  it('prints the plan and exits 0 when allowed, 3 when the lifecycle refuses', async () => {
    const path = join(dir, 'promote.stagecraft');
    expect(await runCli(['demo', path], out)).toBe(0);
    lines = [];
    expect(await runCli(['promote', path, '--service', 'payments-api', '--image', 'v2', '--to', 'staging', '--plan'], out)).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/from testing to staging: allowed/);
    expect(text).toMatch(/write \/etc\/ssh\/sshd_config/);
    lines = [];
    expect(await runCli(['promote', path, '--service', 'payments-api', '--image', 'v2', '--to', 'production', '--plan', '--format', 'json'], out)).toBe(3);
    expect(JSON.parse(lines.join('\n')).verdict).toMatchObject({ allowed: false, refusedOutright: true });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await runCli(['promote', path, '--service', 'payments-api', '--image', 'v9', '--to', 'staging', '--plan'], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/--image must name an image of payments-api: v1, v2/);
    errors.mockRestore();
  });
});

describe('stagecraft hypervisor', () => {
  it('adds a libvirt test:/// hypervisor, reads its VMs and matches them to the demo hosts', async () => {
    const { execFileSync } = await import('node:child_process');
    try {
      execFileSync('virsh', ['--version']);
    } catch {
      console.log('stagecraft hypervisor: skipped, virsh is not installed (apt-get install libvirt-clients)');
      return;
    }
    const path = join(dir, 'hypervisor.stagecraft');
    expect(await runCli(['demo', path], out)).toBe(0);
    const fixture = join(process.cwd(), 'resources/libvirt-fixtures/inventory.xml');
    expect(await runCli(['hypervisor', 'add', path, '--name', 'lab', '--uri', `test://${fixture}`], out)).toBe(0);
    lines = [];
    expect(await runCli(['hypervisor', 'refresh', path, '--name', 'lab'], out)).toBe(0);
    expect(lines[0]).toMatch(/^lab: \d+ VMs, 2 pools, 2 networks/);
    lines = [];
    expect(await runCli(['hypervisor', 'match', path], out)).toBe(0);
    expect(lines.some((l) => / = .+\((MAC|address|name)/i.test(l))).toBe(true);
    lines = [];
    expect(await runCli(['hypervisor', 'list', path], out)).toBe(0);
    expect(lines[0]).toMatch(/VMs, read /);
  });
});
