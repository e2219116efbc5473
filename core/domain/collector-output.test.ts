/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeUtf8Text, parseCollectorOutput } from './collector-output';
import { StagecraftError } from './errors';

// Fixtures are real collect.sh outputs (scripts/farm/capture-fixtures.sh) except the Alpine one,
// which is hand-written in the collector's format (no Alpine system is reachable here). Loaded as
// raw strings by Vite: core/domain may not import Node built-ins, not even in tests.
const fixtures = import.meta.glob<string>('./fixtures/collector/*', { query: '?raw', import: 'default', eager: true });
const fixture = (name: string): string => {
  const text = fixtures[`./fixtures/collector/${name}`];
  if (text === undefined) throw new Error(`missing fixture ${name}`);
  return text;
};
const opts = { capturedAt: '2026-11-26T17:40:00Z', source: 'collector' } as const;
const parse = (text: string) => parseCollectorOutput(text, opts);

const rootText = fixture('debian12-farm03-root.txt');

/** The --json wrapper of a text stream, built like collect.sh's awk does. */
function wrapAsJson(text: string): string {
  const sections: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of text.split('\n').slice(1)) {
    if (line === '') continue;
    if (line.startsWith('@@stagecraft section ')) {
      current = [];
      sections[line.slice('@@stagecraft section '.length)] = current;
    } else current?.push(line);
  }
  return JSON.stringify({ format: 'stagecraft.collector', version: 1, sections });
}

/** The stream without the named sections (marker and lines). */
function withoutSections(text: string, names: string[]): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('@@stagecraft section ') || line === '@@stagecraft end') {
      skipping = names.some((n) => line === `@@stagecraft section ${n}` || line.startsWith(`@@stagecraft section ${n} `));
    }
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}

describe('parseCollectorOutput on a real Debian 12 container (root over ssh)', () => {
  const { snapshot, warnings, partial, collectedAt } = parse(rootText);

  it('is complete and says when the collector ran', () => {
    expect(partial).toBe(false);
    expect(warnings).toEqual([]);
    expect(snapshot.warnings).toEqual([]);
    expect(collectedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(snapshot).toMatchObject({ format: 'stagecraft.snapshot', version: 1, capturedAt: opts.capturedAt, source: 'collector' });
  });

  it('reads identity and OS', () => {
    expect(snapshot.host).toMatchObject({ hostname: 'farm03', fqdn: 'farm03.farm.test' });
    expect(snapshot.host.machineId).toMatch(/^[0-9a-f]{32}$/);
    expect(snapshot.host.addresses).not.toContain('127.0.0.1');
    expect(snapshot.host.addresses.some((a) => a.startsWith('fe80'))).toBe(false);
    expect(snapshot.host.macs).not.toContain('00:00:00:00:00:00');
    expect(snapshot.os).toMatchObject({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', arch: 'x86_64' });
    expect(snapshot.os.kernel).not.toBe('');
  });

  it('reads dpkg packages, including the downgraded and the fixture package', () => {
    const version = (name: string) => snapshot.packages.find((p) => p.name === name)?.version;
    expect(snapshot.packages.length).toBeGreaterThan(100);
    expect(snapshot.packages.every((p) => p.manager === 'dpkg')).toBe(true);
    expect(version('openssh-server')).toBe('1:9.2p1-2+deb12u9'); // one archive version back (farm host 3)
    expect(version('stagecraft-fixture')).toBe('1.0-1');
    expect(snapshot.packages.find((p) => p.name === 'bash')).toMatchObject({ arch: 'amd64' });
  });

  it('derives unit enablement like systemctl list-unit-files', () => {
    const service = (name: string) => snapshot.services.find((s) => s.name === name);
    expect(service('ssh.service')).toEqual({ name: 'ssh.service', enabled: 'enabled', active: 'active' });
    expect(service('stagecraft-fixture.service')).toEqual({ name: 'stagecraft-fixture.service', enabled: 'enabled', active: 'active' });
    expect(service('cryptdisks.service')?.enabled).toBe('masked');
    expect(service('dbus.service')?.enabled).toBe('static');
    expect(service('getty@tty1.service')?.enabled).toBe('enabled');
    expect(service('debug-shell.service')).toEqual({ name: 'debug-shell.service', enabled: 'disabled', active: 'inactive' });
    // Aliases (sshd.service → ssh.service) are names, not services of their own.
    expect(service('sshd.service')).toBeUndefined();
  });

  it('reads listening sockets with their process', () => {
    expect(snapshot.ports).toContainEqual({ proto: 'tcp', address: '127.0.0.1', port: 22003, process: 'sshd' });
  });

  it('applies sysctl.d precedence to configured values', () => {
    expect(snapshot.sysctl).toMatchObject({ 'vm.swappiness': '60', 'net.core.somaxconn': '1024', 'kernel.pid_max': '4194304' });
  });

  it('reads accounts, mounts and cron', () => {
    expect(snapshot.users).toContainEqual({ name: 'stagecraft', uid: 1000, gid: 1000, home: '/home/stagecraft', shell: '/bin/bash' });
    expect(snapshot.groups.find((g) => g.name === 'sudo')).toMatchObject({ gid: 27 });
    // The overlay's layer paths are the container machine's, not the host's configuration.
    expect(snapshot.mounts.find((m) => m.target === '/')).toEqual({ source: 'overlay', target: '/', fstype: 'overlay', options: 'rw,relatime,uuid=on' });
    expect(snapshot.mounts.some((m) => m.fstype === 'proc' || m.target.startsWith('/sys'))).toBe(false);
    expect(snapshot.cron).toContainEqual({ source: '/etc/crontab', schedule: '17 * * * *', user: 'root', command: 'cd / && run-parts --report /etc/cron.hourly' });
    expect(snapshot.cron).toContainEqual({ source: '/etc/cron.daily', schedule: '@daily', user: 'root', command: '/etc/cron.daily/dpkg' });
  });

  it('keeps text content, hashes secrets, binaries and large files only, never reads /etc/shadow', () => {
    const file = (path: string) => snapshot.files.find((f) => f.path === path);
    expect(file('/etc/ssh/sshd_config')?.content).toContain('MaxAuthTries 3');
    expect(file('/etc/ssh/sshd_config')).toMatchObject({ mode: '0644', owner: 'root', group: 'root', size: 3315 });
    expect(file('/etc/stagecraft-fixture/fixture.conf')?.content).toBe('# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    const key = file('/etc/ssh/ssh_host_ed25519_key');
    expect(key).toMatchObject({ mode: '0600', truncated: true });
    expect(key?.content).toBeUndefined();
    expect(key?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file('/etc/ssh/moduli')).toMatchObject({ truncated: true, size: 573928 });
    expect(file('/etc/default/stagecraft-legacy')).toMatchObject({ binary: true, size: 47 });
    expect(file('/etc/default/stagecraft-legacy')?.content).toBeUndefined();
    expect(file('/etc/sudoers.d/stagecraft')).toMatchObject({ mode: '0440', content: 'stagecraft ALL=(ALL) NOPASSWD: ALL\n' });
    expect(file('/etc/shadow')).toBeUndefined();
  });

  it('sorts every list deterministically and parses the same way twice', () => {
    const names = snapshot.packages.map((p) => p.name);
    expect(names).toEqual([...names].sort());
    const paths = snapshot.files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
    expect(Object.keys(snapshot.sysctl)).toEqual(Object.keys(snapshot.sysctl).sort());
    expect(JSON.stringify(parse(rootText).snapshot)).toBe(JSON.stringify(snapshot));
  });

  it('gives the same snapshot from the --json wrapper and from CRLF line endings', () => {
    expect(parse(wrapAsJson(rootText)).snapshot).toEqual(snapshot);
    expect(parse(rootText.replace(/\n/g, '\r\n')).snapshot).toEqual(snapshot);
  });
});

describe('parseCollectorOutput on other real hosts', () => {
  it('reports what an unprivileged user without sudo could not read', () => {
    const { snapshot, warnings, partial } = parse(fixture('debian12-farm02-user-nosudo.txt'));
    expect(partial).toBe(false);
    expect(warnings).toContain('collector: cron: per-user crontabs not readable (not root, no passwordless sudo)');
    expect(warnings).toContain('/etc/ssh/ssh_host_ed25519_key: not readable by the collecting user');
    expect(snapshot.files.find((f) => f.path === '/etc/ssh/ssh_host_ed25519_key')).toBeUndefined();
    expect(snapshot.packages.find((p) => p.name === 'stagecraft-fixture')?.version).toBe('2.0-1');
  });

  it('reads the air-gapped JSON export of a user with passwordless sudo', () => {
    const { snapshot, warnings } = parse(fixture('debian12-farm01-user-sudo.json'));
    expect(warnings).toEqual([]);
    expect(snapshot.host.hostname).toBe('farm01');
    // Root-only files were hashed through sudo -n; the private key's content still never left.
    expect(snapshot.files.find((f) => f.path === '/etc/ssh/ssh_host_ed25519_key')).toMatchObject({ truncated: true, mode: '0600' });
    expect(snapshot.files.find((f) => f.path === '/etc/sudoers.d/README')?.content).toContain('sudoers');
  });

  it('gives the same facts from text and --json collected back to back on one host', () => {
    const text = parse(fixture('debian12-farm04-root.txt'));
    const json = parse(fixture('debian12-farm04-root.json'));
    expect(json.partial).toBe(false);
    expect(json.warnings).toEqual([]);
    expect(json.snapshot).toEqual(text.snapshot);
    // farm04 runs the current security updates: newer than the base the other hosts have.
    expect(text.snapshot.packages.find((p) => p.name === 'libssl3')?.version).toBe('3.0.22-1~deb12u2');
  });

  it('falls back to /proc/net and hostname -I without ss and ip', () => {
    const { snapshot, warnings } = parse(fixture('debian12-farm05-fallbacks.txt'));
    expect(warnings).toEqual([]);
    expect(snapshot.ports).toContainEqual({ proto: 'tcp', address: '127.0.0.1', port: 22005 });
    expect(snapshot.host.addresses.length).toBeGreaterThan(0);
  });

  it('reads init.d services and netstat on a host without systemd running', () => {
    const { snapshot, warnings } = parse(fixture('debian12-sysv-netstat.txt'));
    expect(warnings).toEqual([]);
    expect(snapshot.services).toContainEqual({ name: 'ssh', enabled: 'enabled', active: 'unknown' });
    expect(snapshot.services.find((s) => s.name === 'hwclock.sh')?.enabled).toBe('disabled');
    expect(snapshot.ports.length).toBeGreaterThan(0);
    expect(snapshot.ports.every((p) => p.proto === 'tcp' && p.process === undefined)).toBe(true);
  });

  it('reads rpm packages with epochs', () => {
    const { snapshot } = parse(fixture('rpm-farm06.txt'));
    expect(snapshot.packages).toEqual([
      { manager: 'rpm', name: 'libstagecraft', version: '0.9.1-1.el9', arch: 'x86_64' },
      { manager: 'rpm', name: 'stagecraft-agent', version: '2:1.4.2-3.el9', arch: 'noarch' },
    ]);
  });

  it('reads an Alpine host: apk database, openrc, busybox netstat, busybox crontabs', () => {
    const { snapshot, warnings } = parse(fixture('alpine-openrc.handwritten.txt'));
    expect(warnings).toEqual([]);
    expect(snapshot.os).toMatchObject({ id: 'alpine', versionId: '3.20.3' });
    expect(snapshot.host.fqdn).toBeUndefined(); // hostname -f gave the short name
    expect(snapshot.packages).toHaveLength(16);
    expect(snapshot.packages).toContainEqual({ manager: 'apk', name: 'openssh-server', version: '9.7_p1-r4', arch: 'x86_64' });
    expect(snapshot.services).toContainEqual({ name: 'chronyd', enabled: 'enabled', active: 'failed' });
    expect(snapshot.services).toContainEqual({ name: 'nginx', enabled: 'disabled', active: 'unknown' });
    expect(snapshot.services.find((s) => s.name === 'functions.sh')).toBeUndefined();
    expect(snapshot.ports).toEqual([
      { proto: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' },
      { proto: 'tcp6', address: '::', port: 22, process: 'sshd' },
      { proto: 'udp', address: '0.0.0.0', port: 123, process: 'chronyd' },
    ]);
    expect(snapshot.sysctl['kernel.panic']).toBe('120');
    // /var/spool/cron/crontabs is a symlink to /etc/crontabs on Alpine: one job each, not two.
    expect(snapshot.cron).toHaveLength(3);
    expect(snapshot.files[0]?.content).toMatch(/^Welcome to Alpine!/);
  });
});

describe('parseCollectorOutput on damaged or foreign input', () => {
  const expectInvalid = (text: string, message: RegExp) => {
    let error: unknown;
    try {
      parse(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StagecraftError);
    expect((error as StagecraftError).message).toMatch(message);
  };

  it('throws on empty input and on text that is not collector output, naming the line', () => {
    expectInvalid('', /empty/);
    expectInvalid('\n\nPermission denied (publickey).\n', /^line 3 is not collector output.*Permission denied/);
    expectInvalid('<html><body>502 Bad Gateway</body></html>', /^line 1 /);
  });

  it('throws on an unsupported format version', () => {
    let error: unknown;
    try {
      parse('@@stagecraft collector 2\n@@stagecraft end\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StagecraftError);
    expect((error as StagecraftError).code).toBe('unsupported');
  });

  it('throws on stray text or unknown directives, naming the line', () => {
    expectInvalid('@@stagecraft collector 1\nhello\n', /^line 2: text outside any section/);
    expectInvalid('@@stagecraft collector 1\n@@stagecraft section os\nID=debian\n@@stagecraft explode\n', /^line 4: unknown collector directive/);
  });

  it('throws on broken or foreign JSON', () => {
    expectInvalid('{"format":"stagecraft.collector","version":1,"sections":{"os":["ID=deb', /not valid JSON/);
    expectInvalid('{"format":"something-else"}', /not collector output/);
    expectInvalid('{"format":"stagecraft.collector","version":1,"sections":{"os":[1,2]}}', /single-line strings/);
  });

  it('marks a cut stream as partial and keeps what was complete', () => {
    const cutAt = rootText.indexOf('content\t3315\t/etc/ssh/sshd_config') + 200;
    const { snapshot, warnings, partial } = parse(rootText.slice(0, cutAt));
    expect(partial).toBe(true);
    expect(warnings[0]).toMatch(/^output is truncated after line \d+/);
    expect(snapshot.packages.length).toBeGreaterThan(100);
    const sshd = snapshot.files.find((f) => f.path === '/etc/ssh/sshd_config');
    expect(sshd).toMatchObject({ truncated: true });
    expect(sshd?.content).toBeUndefined();
    expect(warnings).toContain('/etc/ssh/sshd_config: captured content is incomplete, compared by hash only');
  });

  it('warns about missing sections instead of failing', () => {
    const { snapshot, warnings, partial } = parse(withoutSections(rootText, ['packages', 'ports', 'users', 'units', 'unit-files', 'unit-install']));
    expect(partial).toBe(false);
    expect(snapshot.packages).toEqual([]);
    expect(snapshot.ports).toEqual([]);
    expect(snapshot.services).toEqual([]);
    expect(warnings).toEqual(
      expect.arrayContaining([
        'section "packages" is missing: its facts were not collected',
        'section "ports" is missing: its facts were not collected',
        'section "users" is missing: its facts were not collected',
        'services were not collected (no systemd, openrc or init.d section)',
      ]),
    );
  });

  it('skips malformed lines inside a section with a warning naming the line', () => {
    const text = '@@stagecraft collector 1\n@@stagecraft section packages dpkg\nbash\t5.2.15-2+b7\tamd64\tii \nthis is not dpkg\n@@stagecraft end\n';
    const { snapshot, warnings } = parse(text);
    expect(snapshot.packages).toEqual([{ manager: 'dpkg', name: 'bash', version: '5.2.15-2+b7', arch: 'amd64' }]);
    expect(warnings).toContain('line 4: malformed dpkg-query line');
  });

  it('drops removed packages and flags half-installed ones', () => {
    const text = [
      '@@stagecraft collector 1',
      '@@stagecraft section packages dpkg',
      'old-lib\t1.0\tamd64\trc ',
      'broken\t2.0\tamd64\tiF ',
      'zlib1g\t1:1.2.13.dfsg-1\tamd64\tii ',
      'zlib1g\t1:1.2.13.dfsg-1\ti386\tii ',
      '@@stagecraft end',
    ].join('\n');
    const { snapshot, warnings } = parse(text);
    expect(snapshot.packages.map((p) => `${p.name}:${p.arch}`)).toEqual(['broken:amd64', 'zlib1g:amd64', 'zlib1g:i386']);
    expect(warnings).toContain('package broken is half-configured');
  });

  it('sorts by code points, whatever the locale, and keeps non-ASCII text intact', () => {
    const text = [
      '@@stagecraft collector 1',
      '@@stagecraft section os',
      'ID=debian',
      'PRETTY_NAME="Débian GNU/Linux 12 (bookworm) — ç"',
      '@@stagecraft section users',
      'zoë:1001:1001:/home/zoë:/bin/bash',
      'Zed:1002:1002:/home/Zed:/bin/sh',
      'alice:1003:1003:/home/alice:/bin/sh',
      '@@stagecraft end',
    ].join('\n');
    const { snapshot } = parse(text);
    expect(snapshot.os.prettyName).toBe('Débian GNU/Linux 12 (bookworm) — ç');
    expect(snapshot.users.map((u) => u.name)).toEqual(['Zed', 'alice', 'zoë']);
  });

  it('marks a file whose base64 is corrupt as compared by hash only', () => {
    const text = [
      '@@stagecraft collector 1',
      '@@stagecraft section files',
      'stat\t3\t644\troot\troot\t/etc/x',
      `sha256\t${'a'.repeat(64)}  /etc/x`,
      'content\t3\t/etc/x',
      'eA!=',
      '@@stagecraft end',
    ].join('\n');
    const { snapshot, warnings } = parse(text);
    expect(snapshot.files).toEqual([{ path: '/etc/x', sha256: 'a'.repeat(64), size: 3, mode: '0644', owner: 'root', group: 'root', truncated: true }]);
    expect(warnings).toContain('/etc/x: captured content is incomplete, compared by hash only');
  });
});

describe('base64 and UTF-8 helpers', () => {
  it('decodes base64 strictly', () => {
    expect([...(decodeBase64('') ?? [])]).toEqual([]);
    expect([...(decodeBase64('YQ==') ?? [])]).toEqual([0x61]);
    expect([...(decodeBase64('YWI=') ?? [])]).toEqual([0x61, 0x62]);
    expect([...(decodeBase64('/+8A') ?? [])]).toEqual([0xff, 0xef, 0x00]);
    expect(decodeBase64('YQ')).toBeUndefined();
    expect(decodeBase64('Y=Q=')).toBeUndefined();
    expect(decodeBase64('YQ-=')).toBeUndefined();
  });

  it('accepts UTF-8 text and rejects Latin-1 bytes and NUL', () => {
    expect(decodeUtf8Text(new Uint8Array([0x63, 0x61, 0x66, 0xc3, 0xa9]))).toBe('café');
    expect(decodeUtf8Text(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).toBeUndefined();
    expect(decodeUtf8Text(new Uint8Array([0x61, 0x00, 0x62]))).toBeUndefined();
  });
});
