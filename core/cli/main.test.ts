import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseArgs } from './main';
import { cliSession } from './test-support/cli-session';

let dir: string;
const { run, lines } = cliSession();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-'));
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
});

describe('stagecraft CLI', () => {
  it('prints help and version', async () => {
    expect((await run('--help')).code).toBe(0);
    expect(lines.join('\n')).toMatch(/stagecraft workspace create PATH/);
    expect((await run('--version')).code).toBe(0);
    expect(lines[0]).toMatch(/^(dev|\d+\.\d+\.\d+)$/);
  });

  it('creates a workspace and describes it', async () => {
    const path = join(dir, 'team.stagecraft');
    expect((await run('workspace', 'create', path, '--name', 'Platform team')).code).toBe(0);
    expect(lines[0]).toContain('Created workspace "Platform team"');
    expect((await run('workspace', 'info', path, '--format', 'json')).code).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ name: 'Platform team', counts: { services: 0 } });
  });

  it('exits 2 with a clear message on a bad workspace or bad usage', async () => {
    const notWorkspace = join(dir, 'notes.txt');
    writeFileSync(notWorkspace, 'hello');
    expect(await run('workspace', 'info', notWorkspace)).toMatchObject({ code: 2, stderr: expect.stringMatching(/not a Stagecraft workspace/) });
    expect((await run('workspace', 'create')).code).toBe(2);
    expect(await run('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringMatching(/Unknown command/) });
  });

  it('parses options with and without =', () => {
    expect(parseArgs(['a', '--name', 'x y', '--format=json'])).toEqual({ positional: ['a'], options: new Map([['name', 'x y'], ['format', 'json']]) });
    expect(() => parseArgs(['--name'])).toThrow(/needs a value/);
  });
});

describe('stagecraft diff and drift', () => {
  const captures = join(process.cwd(), 'resources/demo/captures');

  it('diff exits 0 for equal snapshots, 1 with drift, 2 on a bad file', async () => {
    expect((await run('diff', join(captures, 'web.json'), join(captures, 'web.json'))).code).toBe(0);
    expect((await run('diff', join(captures, 'web.json'), join(captures, 'web.older.json'), '--format', 'json')).code).toBe(1);
    const items = JSON.parse(lines.join('\n'));
    expect(items.map((i: { key: string }) => i.key)).toContain('dpkg:libssl3:amd64');
    expect(items[0]).toMatchObject({ category: 'packages', kind: 'changed', severity: 'high' });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": "stagecraft.snapshot", "version": 2}');
    expect(await run('diff', bad, join(captures, 'web.json'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/version 2/) });
  });

  it('drift prints every stage of the demo with its parity', async () => {
    const path = join(dir, 'demo.stagecraft');
    expect((await run('demo', path)).code).toBe(0);
    expect((await run('drift', path, '--service', 'payments-api', '--stage', 'staging')).code).toBe(0);
    expect(lines.join('\n')).toMatch(/HIGH\s+packages:dpkg:libssl3:amd64/);
    expect((await run('drift', path, '--format', 'json')).code).toBe(0);
    const drift = JSON.parse(lines.join('\n'));
    expect(drift).toHaveLength(4);
    expect(drift[0].stages).toHaveLength(5);
  });
});

describe('stagecraft audit verify', () => {
  it('exits 0 on an intact log and 1 naming the first bad entry', async () => {
    const path = join(dir, 'audited.stagecraft');
    expect((await run('demo', path)).code).toBe(0);
    expect((await run('audit', 'verify', path)).code).toBe(0);
    expect(lines[0]).toMatch(/intact: \d+ entries/);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path);
    db.exec("DROP TRIGGER audit_is_append_only_update; UPDATE audit_entries SET actor = 'mallory' WHERE seq = 1;");
    db.close();
    expect((await run('audit', 'verify', path)).code).toBe(1);
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
      expect(await run('collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--out', outFile)).toMatchObject({ code: 2, stderr: expect.stringMatching(/SHA256:/) });
      expect((await run('collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', outFile)).code).toBe(0);
      const snapshot = JSON.parse((await import('node:fs')).readFileSync(outFile, 'utf8'));
      expect(snapshot).toMatchObject({ format: 'stagecraft.snapshot', version: 1 });
      expect(snapshot.packages.length).toBeGreaterThan(50);
      const { readFileSync, writeFileSync: write } = await import('node:fs');
      write(outFile, 'kept');
      expect(await run('collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', outFile)).toMatchObject({ code: 2, stderr: expect.stringMatching(/already exists; add --overwrite/) });
      expect(readFileSync(outFile, 'utf8')).toBe('kept');
      expect((await run('collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', outFile, '--overwrite')).code).toBe(0);
      expect(JSON.parse(readFileSync(outFile, 'utf8'))).toMatchObject({ format: 'stagecraft.snapshot' });
      const missing = join(dir, 'no-such-folder', 'local.json');
      expect(await run('collect', target, '--identity', key.privateFile, '--known-hosts', knownHosts, '--accept-new', '--out', missing)).toMatchObject({ code: 2, stderr: expect.stringMatching(/folder .*no-such-folder does not exist/) });
    } finally {
      await sshd.stop();
    }
  });
});

describe('stagecraft import', () => {
  const fixtures = join(process.cwd(), 'core/services/import/fixtures');
  it('previews, then imports an Ansible inventory in one transaction; a bad file changes nothing', async () => {
    const path = join(dir, 'import.stagecraft');
    expect((await run('workspace', 'create', path)).code).toBe(0);
    expect((await run('import', path, join(fixtures, 'platform.ini'), '--dry-run')).code).toBe(0);
    expect(lines.at(-1)).toMatch(/^Would import from .*platform\.ini \(ansible-ini\): 3 services, \d+ new hosts/);
    expect((await run('workspace', 'info', path, '--format', 'json')).code).toBe(0);
    expect(JSON.parse(lines.join('\n')).counts.hosts).toBe(0);
    expect((await run('import', path, join(fixtures, 'platform.ini'))).code).toBe(0);
    expect(lines.at(-1)).toMatch(/^Imported .* 3 services/);
    expect(await run('import', path, join(fixtures, 'bad', 'too-many-fields.csv'), '--format', 'csv')).toMatchObject({ code: 2, stderr: expect.stringMatching(/line \d+/) });
    expect((await run('audit', 'verify', path)).code).toBe(0);
  });
});

describe('stagecraft promote --plan', () => {
  it('prints the plan and exits 0 when allowed, 3 when the lifecycle refuses', async () => {
    const path = join(dir, 'promote.stagecraft');
    expect((await run('demo', path)).code).toBe(0);
    expect((await run('promote', path, '--service', 'payments-api', '--image', 'v2', '--to', 'staging', '--plan')).code).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/from testing to staging: allowed/);
    expect(text).toMatch(/write \/etc\/ssh\/sshd_config/);
    expect((await run('promote', path, '--service', 'payments-api', '--image', 'v2', '--to', 'production', '--plan', '--format', 'json')).code).toBe(3);
    expect(JSON.parse(lines.join('\n')).verdict).toMatchObject({ allowed: false, refusedOutright: true });
    expect(await run('promote', path, '--service', 'payments-api', '--image', 'v9', '--to', 'staging', '--plan')).toMatchObject({ code: 2, stderr: expect.stringMatching(/--image must name an image of payments-api: v1, v2/) });
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
    expect((await run('demo', path)).code).toBe(0);
    const fixture = join(process.cwd(), 'resources/libvirt-fixtures/inventory.xml');
    expect((await run('hypervisor', 'add', path, '--name', 'lab', '--uri', `test://${fixture}`)).code).toBe(0);
    expect((await run('hypervisor', 'refresh', path, '--name', 'lab')).code).toBe(0);
    expect(lines[0]).toMatch(/^lab: \d+ VMs, 2 pools, 2 networks/);
    expect((await run('hypervisor', 'match', path)).code).toBe(0);
    expect(lines.some((l) => / = .+\((MAC|address|name)/i.test(l))).toBe(true);
    expect((await run('hypervisor', 'list', path)).code).toBe(0);
    expect(lines[0]).toMatch(/VMs, read /);
  });
});
