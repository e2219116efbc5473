import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from './facts';
import { factsMatch, factsOf, normaliseSnapshot, splitFactKey } from './normalise';
import { arbitrarySnapshot, debianHost, dpkg, textFile, withChanges } from './test-support';

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('normaliseSnapshot', () => {
  it('orders, dedupes and trims every list', () => {
    const host = debianHost('web-01');
    const messy: Snapshot = {
      ...host,
      host: { ...host.host, hostname: ' web-01 ', macs: ['52:54:00:AB:00:01', '52:54:00:ab:00:01'] },
      packages: [dpkg('openssl ', '3.0.15-1~deb12u1'), dpkg('curl', '7.88.1-10+deb12u8'), dpkg('openssl', '3.0.15-1~deb12u1')],
      services: [
        { name: 'ssh.service', enabled: 'enabled', active: 'active' },
        { name: 'cron.service', enabled: 'enabled', active: 'active' },
      ],
      sysctl: { 'vm.swappiness': ' 60 ', 'net.ipv4.tcp_rmem': '4096\t131072\t6291456' },
      groups: [{ name: 'sudo', gid: 27, members: ['zoe', 'deploy', 'zoe'] }],
      files: [textFile('/etc/sudoers', 'x', '440'), textFile('/etc/hosts', 'y'), textFile('/etc/hosts', 'z')],
      warnings: ['b', ' a', 'b'],
    };
    const normal = normaliseSnapshot(messy);
    expect(normal.host.hostname).toBe('web-01');
    expect(normal.host.macs).toEqual(['52:54:00:ab:00:01']);
    expect(normal.packages.map((p) => `${p.name}=${p.version}`)).toEqual(['curl=7.88.1-10+deb12u8', 'openssl=3.0.15-1~deb12u1']);
    expect(normal.services.map((s) => s.name)).toEqual(['cron.service', 'ssh.service']);
    expect(normal.sysctl).toEqual({ 'net.ipv4.tcp_rmem': '4096 131072 6291456', 'vm.swappiness': '60' });
    expect(Object.keys(normal.sysctl)).toEqual(['net.ipv4.tcp_rmem', 'vm.swappiness']);
    expect(normal.groups[0]!.members).toEqual(['deploy', 'zoe']);
    expect(normal.files.map((f) => [f.path, f.content, f.mode])).toEqual([
      ['/etc/hosts', 'y', '0644'],
      ['/etc/sudoers', 'x', '0440'],
    ]);
    expect(normal.warnings).toEqual(['a', 'b']);
  });

  it('keeps parallel versions of one package, as rpm installs kernels', () => {
    const host = withChanges(debianHost('app-01'), {
      packages: [
        { manager: 'rpm', name: 'kernel-core', version: '5.14.0-503.21.1.el9_5', arch: 'x86_64' },
        { manager: 'rpm', name: 'kernel-core', version: '5.14.0-427.13.1.el9_4', arch: 'x86_64' },
      ],
    });
    expect(host.packages).toHaveLength(2);
    expect(factsOf(host).values.get('packages:rpm:kernel-core:x86_64')).toBe('5.14.0-427.13.1.el9_4 | 5.14.0-503.21.1.el9_5');
  });

  it('is idempotent and ignores the order facts were collected in', () => {
    fc.assert(
      fc.property(arbitrarySnapshot, fc.integer({ min: 1, max: 1_000_000 }), (snapshot, seed) => {
        const once = normaliseSnapshot(snapshot);
        expect(normaliseSnapshot(once)).toEqual(once);
        const reordered = normaliseSnapshot({
          ...snapshot,
          packages: shuffled(snapshot.packages, seed),
          services: shuffled(snapshot.services, seed + 1),
          files: shuffled(snapshot.files, seed + 2),
          ports: shuffled(snapshot.ports, seed + 3),
        });
        expect(JSON.stringify(reordered)).toBe(JSON.stringify(once));
      }),
    );
  });
});

describe('factsOf', () => {
  const web1 = debianHost('web-01', { index: 1 });
  const web2 = debianHost('web-02', { index: 2 });

  it('flattens a host into category-prefixed keys', () => {
    const facts = factsOf(web1);
    expect(facts.values.get('packages:dpkg:openssh-server:amd64')).toBe('1:9.2p1-2+deb12u5');
    expect(facts.values.get('services:nginx.service:enabled')).toBe('enabled');
    expect(facts.values.get('services:nginx.service:active')).toBe('active');
    expect(facts.values.get('ports:tcp:0.0.0.0:80')).toBe('nginx');
    expect(facts.values.get('ports:tcp6:[::]:22')).toBe('sshd');
    expect(facts.values.get('sysctl:net.ipv4.ip_forward')).toBe('0');
    expect(facts.values.get('users:www-data')).toBe('uid=33 gid=33 home=/var/www shell=/usr/sbin/nologin');
    expect(facts.values.get('groups:sudo')).toBe('gid=27 members=deploy');
    expect(facts.values.get('mounts:/')).toBe('/dev/vda1 ext4 rw,relatime,errors=remount-ro');
    expect(facts.values.get('os:kernel')).toBe('6.1.0-28-amd64');
    expect(facts.values.get('files:/etc/ssh/sshd_config')).toMatch(/^[0-9a-f]{64} 0644 root:root$/);
    expect(facts.display('files:/etc/sudoers')).toMatch(/^0440 root:root sha256:[0-9a-f]{64}$/);
    expect(splitFactKey('packages:dpkg:openssh-server:amd64')).toEqual({ category: 'packages', key: 'dpkg:openssh-server:amd64' });
  });

  it("replaces a host's own identity by placeholders in small facts", () => {
    expect(factsOf(web1).values.get('sysctl:kernel.hostname')).toBe('{{hostname}}');
    expect(factsOf(web1).values.get('cron:crontab:deploy::/usr/local/bin/healthcheck --host {{fqdn}}')).toBe('*/5 * * * *');
    const db = debianHost('db-01', { role: 'db' });
    expect(factsOf(db).values.get('ports:tcp:{{ip}}:5432')).toBe('postgres');
  });

  it('compares files by hash first and by normalised content only when the hashes differ', () => {
    const a = factsOf(web1);
    const b = factsOf(web2);
    expect(a.values.get('files:/etc/hostname')).not.toBe(b.values.get('files:/etc/hostname'));
    expect(factsMatch(a, b, 'files:/etc/hostname')).toBe(true);
    expect(factsMatch(a, b, 'files:/etc/hosts')).toBe(true);
    expect(a.content('files:/etc/hosts')).toBe('127.0.0.1\tlocalhost\n{{ip}}\t{{fqdn}}\t{{hostname}}\n');
    // Host keys are really different per host: normalising does not hide that.
    expect(factsMatch(a, b, 'files:/etc/ssh/ssh_host_ed25519_key.pub')).toBe(false);
  });

  it('keeps a file that names every peer literal: byte-identical files always match', () => {
    const hosts = '10.20.1.11 web-01\n10.20.1.12 web-02\n';
    const a = factsOf(withChanges(web1, { files: [textFile('/etc/hosts', hosts)] }));
    const b = factsOf(withChanges(web2, { files: [textFile('/etc/hosts', hosts)] }));
    expect(a.normalisedValue('files:/etc/hosts')).not.toBe(b.normalisedValue('files:/etc/hosts'));
    expect(factsMatch(a, b, 'files:/etc/hosts')).toBe(true);
  });

  it('normalises environment values given in the context', () => {
    const context = { identity: true, values: { domain: 'prod.example.com' } };
    const conf = (domain: string) => textFile('/etc/app.conf', `db_host = db.${domain}\n`);
    const prod = factsOf(withChanges(web1, { files: [conf('prod.example.com')] }), context);
    const staging = factsOf(withChanges(web2, { files: [conf('staging.example.com')] }), { identity: true, values: { domain: 'staging.example.com' } });
    expect(factsMatch(prod, staging, 'files:/etc/app.conf')).toBe(true);
    expect(prod.content('files:/etc/app.conf')).toBe('db_host = db.{{domain}}\n');
  });

  it('remembers the facts of a snapshot per normaliser context', () => {
    expect(factsOf(web1)).toBe(factsOf(web1));
    expect(factsOf(web1, { identity: false })).not.toBe(factsOf(web1));
    expect(factsOf(web1, { identity: false }).values.get('sysctl:kernel.hostname')).toBe('web-01');
  });
});

describe('factsOf on snapshots loaded without file contents', () => {
  const stripped = (snapshot: Snapshot) => ({ ...snapshot, files: snapshot.files.map(({ content: _content, ...file }) => file) });
  const contents = new Map([debianHost('web-01', { index: 1 }), debianHost('web-02', { index: 2 })].flatMap((s) => s.files.map((f) => [f.sha256, f.content!] as const)));
  const a = stripped(debianHost('web-01', { index: 1 }));
  const b = stripped(debianHost('web-02', { index: 2 }));

  it('compares by hash alone when no text can be had', () => {
    expect(factsMatch(factsOf(a), factsOf(b), 'files:/etc/hostname')).toBe(false);
  });

  it('loads the text, only for files whose hashes differ, when the context can', () => {
    const asked: string[] = [];
    const context = { loadContent: (file: { path: string; sha256: string }) => (asked.push(file.path), contents.get(file.sha256)) };
    expect(factsMatch(factsOf(a, context), factsOf(b, context), 'files:/etc/hostname')).toBe(true);
    expect(factsMatch(factsOf(a, context), factsOf(b, context), 'files:/etc/nginx/nginx.conf')).toBe(true);
    expect(asked).toEqual(['/etc/hostname', '/etc/hostname']);
    expect(factsOf(a, context).content('files:/etc/hostname')).toBe('{{hostname}}\n');
  });
});
