/**
 * Test data for the domain tests: realistic Debian 12 hosts and fast-check arbitraries of snapshots.
 * Test-only (imports fast-check); nothing in the application imports it.
 */
import fc from 'fast-check';
import type { FileFact, PackageFact, PortFact, ServiceFact, Snapshot } from './facts';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION } from './facts';
import { normaliseSnapshot } from './normalise';
import { sha256Hex, utf8Length } from './sha256';

export function textFile(path: string, content: string, mode = '0644', owner = 'root', group = 'root'): FileFact {
  return { path, sha256: sha256Hex(content), size: utf8Length(content), mode, owner, group, content };
}

export const dpkg = (name: string, version: string, arch = 'amd64'): PackageFact => ({ manager: 'dpkg', name, version, arch });

export const SSHD_CONFIG = `Include /etc/ssh/sshd_config.d/*.conf
Port 22
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding no
PrintMotd no
AcceptEnv LANG LC_*
Subsystem\tsftp\t/usr/lib/openssh/sftp-server
`;

export const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
\tworker_connections 768;
}

http {
\tsendfile on;
\ttcp_nopush on;
\ttypes_hash_max_size 2048;
\tserver_tokens off;

\tinclude /etc/nginx/mime.types;
\tdefault_type application/octet-stream;

\tssl_protocols TLSv1.2 TLSv1.3;
\tssl_prefer_server_ciphers on;

\taccess_log /var/log/nginx/access.log;
\tgzip on;

\tinclude /etc/nginx/conf.d/*.conf;
\tinclude /etc/nginx/sites-enabled/*;
}
`;

export const SUDOERS = `Defaults\tenv_reset
Defaults\tmail_badpass
Defaults\tsecure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
Defaults\tuse_pty

root\tALL=(ALL:ALL) ALL
%sudo\tALL=(ALL:ALL) ALL

@includedir /etc/sudoers.d
`;

export interface HostOptions {
  index?: number;
  role?: 'web' | 'db';
  packages?: PackageFact[];
  extraFiles?: FileFact[];
}

/** A Debian 12 host as a collector would capture it; its identity (name, addresses, keys) derives from `name` and `index`. */
export function debianHost(name: string, options: HostOptions = {}): Snapshot {
  const index = options.index ?? 1;
  const role = options.role ?? 'web';
  const address = `10.20.${role === 'web' ? 1 : 2}.${10 + index}`;
  const fqdn = `${name}.prod.example.com`;
  const packages = options.packages ?? [
    dpkg('bash', '5.2.15-2+b7'),
    dpkg('ca-certificates', '20230311', 'all'),
    dpkg('coreutils', '9.1-1'),
    dpkg('curl', '7.88.1-10+deb12u8'),
    dpkg('libc6', '2.36-9+deb12u9'),
    dpkg('libpam-modules', '1.5.2-6+deb12u1'),
    dpkg('libssl3', '3.0.15-1~deb12u1'),
    dpkg('linux-image-6.1.0-28-amd64', '6.1.119-1'),
    dpkg('logrotate', '3.21.0-1'),
    dpkg('openssh-client', '1:9.2p1-2+deb12u5'),
    dpkg('openssh-server', '1:9.2p1-2+deb12u5'),
    dpkg('openssl', '3.0.15-1~deb12u1'),
    dpkg('sudo', '1.9.13p3-1+deb12u1'),
    dpkg('systemd', '252.33-1~deb12u1'),
    dpkg('tzdata', '2024b-0+deb12u1', 'all'),
    dpkg('vim-tiny', '2:9.0.1378-2'),
    ...(role === 'web'
      ? [dpkg('nginx', '1.22.1-9+deb12u1'), dpkg('nginx-common', '1.22.1-9+deb12u1', 'all')]
      : [dpkg('postgresql-15', '15.10-0+deb12u1'), dpkg('postgresql-common', '248', 'all')]),
  ];
  const services: ServiceFact[] = [
    { name: 'cron.service', enabled: 'enabled', active: 'active' },
    { name: 'ssh.service', enabled: 'enabled', active: 'active' },
    { name: 'systemd-journald.service', enabled: 'static', active: 'active' },
    role === 'web' ? { name: 'nginx.service', enabled: 'enabled', active: 'active' } : { name: 'postgresql@15-main.service', enabled: 'enabled', active: 'active' },
  ];
  const ports: PortFact[] = [
    { proto: 'tcp', address: '0.0.0.0', port: 22, process: 'sshd' },
    { proto: 'tcp6', address: '::', port: 22, process: 'sshd' },
    ...(role === 'web'
      ? [
          { proto: 'tcp', address: '0.0.0.0', port: 80, process: 'nginx' } as const,
          { proto: 'tcp', address: '0.0.0.0', port: 443, process: 'nginx' } as const,
        ]
      : [{ proto: 'tcp', address: address, port: 5432, process: 'postgres' } as const]),
  ];
  const hostKey = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${sha256Hex(name).slice(0, 43)} root@${name}\n`;
  return normaliseSnapshot({
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_FORMAT_VERSION,
    capturedAt: '2025-01-15T09:30:00+01:00',
    source: 'ssh',
    host: {
      hostname: name,
      fqdn,
      machineId: sha256Hex(`machine-id:${name}`).slice(0, 32),
      addresses: [address, '127.0.0.1'],
      macs: [`52:54:00:${role === 'web' ? '01' : '02'}:00:${index.toString(16).padStart(2, '0')}`],
    },
    os: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64', arch: 'x86_64' },
    packages,
    services,
    ports,
    sysctl: {
      'kernel.hostname': name,
      'kernel.randomize_va_space': '2',
      'net.core.somaxconn': '4096',
      'net.ipv4.ip_forward': '0',
      'net.ipv4.tcp_rmem': '4096\t131072\t6291456',
      'vm.swappiness': '60',
    },
    users: [
      { name: 'root', uid: 0, gid: 0, home: '/root', shell: '/bin/bash' },
      { name: 'sshd', uid: 100, gid: 65534, home: '/run/sshd', shell: '/usr/sbin/nologin' },
      { name: 'www-data', uid: 33, gid: 33, home: '/var/www', shell: '/usr/sbin/nologin' },
      ...(role === 'db' ? [{ name: 'postgres', uid: 105, gid: 111, home: '/var/lib/postgresql', shell: '/bin/bash' }] : []),
    ],
    groups: [
      { name: 'adm', gid: 4, members: ['syslog'] },
      { name: 'sudo', gid: 27, members: ['deploy'] },
      { name: 'www-data', gid: 33, members: [] },
    ],
    mounts: [
      { target: '/', source: '/dev/vda1', fstype: 'ext4', options: 'rw,relatime,errors=remount-ro' },
      { target: '/boot/efi', source: '/dev/vda15', fstype: 'vfat', options: 'rw,relatime,fmask=0022,dmask=0022' },
    ],
    cron: [
      { source: '/etc/cron.d/e2scrub_all', schedule: '30 3 * * 0', user: 'root', command: 'test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron' },
      { source: 'crontab:deploy', schedule: '*/5 * * * *', command: `/usr/local/bin/healthcheck --host ${fqdn}` },
    ],
    files: [
      textFile('/etc/hostname', `${name}\n`),
      textFile('/etc/hosts', `127.0.0.1\tlocalhost\n${address}\t${fqdn}\t${name}\n`),
      textFile('/etc/ssh/sshd_config', SSHD_CONFIG),
      textFile('/etc/ssh/ssh_host_ed25519_key.pub', hostKey),
      textFile('/etc/sudoers', SUDOERS, '0440'),
      ...(role === 'web' ? [textFile('/etc/nginx/nginx.conf', NGINX_CONF)] : []),
      ...(options.extraFiles ?? []),
    ],
    warnings: [],
  });
}

/** A copy of a snapshot with some of its parts replaced, normalised again. */
export function withChanges(snapshot: Snapshot, changes: Partial<Snapshot>): Snapshot {
  return normaliseSnapshot({ ...snapshot, ...changes });
}

export const replacePackage = (snapshot: Snapshot, name: string, version: string) =>
  withChanges(snapshot, { packages: snapshot.packages.map((p) => (p.name === name ? { ...p, version } : p)) });

export const replaceFile = (snapshot: Snapshot, path: string, content: string) =>
  withChanges(snapshot, { files: snapshot.files.map((f) => (f.path === path ? textFile(path, content, f.mode, f.owner, f.group) : f)) });

// ---------------------------------------------------------------------------------------------
// Arbitraries: small pools, so that random hosts share most facts and differ in a few, as real ones do.

const PACKAGE_NAMES = ['openssl', 'libssl3', 'nginx', 'curl', 'openssh-server', 'sudo', 'vim-tiny', 'htop', 'tzdata', 'rsyslog'];
const VERSIONS = ['1.0-1', '1.0-2', '1:2.0-1~deb12u1', '2.36-9+deb12u9'];
const SERVICE_NAMES = ['nginx.service', 'ssh.service', 'cron.service', 'rsyslog.service'];
const SYSCTL_KEYS = ['vm.swappiness', 'net.ipv4.ip_forward', 'net.core.somaxconn', 'kernel.hostname'];
const FILE_PATHS = ['/etc/hostname', '/etc/ssh/sshd_config', '/etc/nginx/nginx.conf', '/etc/motd', '/etc/sudoers'];
const FILE_BODIES = ['', 'Port 22\n', 'Port 2222\nPermitRootLogin no\n', 'worker_processes auto;\n', '{{self}}\n', 'server_name {{self}}.example.com;\n'];

export const arbitraryIdentity = fc.record({
  hostname: fc.constantFrom('web-01', 'web-02', 'web-03', 'app-01', 'db-01'),
  index: fc.integer({ min: 1, max: 200 }),
});

/** `{{self}}` in a file body stands for the host's own name, so some files differ only by identity. */
const arbitraryFacts = fc.record({
  packages: fc.uniqueArray(fc.record({ name: fc.constantFrom(...PACKAGE_NAMES), version: fc.constantFrom(...VERSIONS) }), {
    selector: (p) => p.name,
    maxLength: 6,
  }),
  services: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom(...SERVICE_NAMES),
      enabled: fc.constantFrom('enabled' as const, 'disabled' as const),
      active: fc.constantFrom('active' as const, 'inactive' as const),
    }),
    { selector: (s) => s.name, maxLength: 3 },
  ),
  sysctl: fc.dictionary(fc.constantFrom(...SYSCTL_KEYS), fc.constantFrom('0', '1', '60', '{{self}}'), { maxKeys: 3 }),
  files: fc.uniqueArray(fc.record({ path: fc.constantFrom(...FILE_PATHS), body: fc.constantFrom(...FILE_BODIES), mode: fc.constantFrom('0644', '0600') }), {
    selector: (f) => f.path,
    maxLength: 4,
  }),
  ports: fc.uniqueArray(fc.record({ port: fc.constantFrom(22, 80, 443), process: fc.constantFrom('sshd', 'nginx') }), { selector: (p) => p.port, maxLength: 2 }),
  kernel: fc.constantFrom('6.1.0-28-amd64', '6.1.0-30-amd64'),
});

export type RandomFacts = typeof arbitraryFacts extends fc.Arbitrary<infer T> ? T : never;

export function snapshotFrom(identity: { hostname: string; index: number }, facts: RandomFacts): Snapshot {
  const self = (text: string) => text.replaceAll('{{self}}', identity.hostname);
  const base = debianHost(identity.hostname, { index: identity.index });
  return withChanges(base, {
    os: { ...base.os, kernel: facts.kernel },
    packages: facts.packages.map((p) => dpkg(p.name, p.version)),
    services: facts.services,
    sysctl: Object.fromEntries(Object.entries(facts.sysctl).map(([k, v]) => [k, self(v)])),
    files: facts.files.map((f) => textFile(f.path, self(f.body), f.mode)),
    ports: facts.ports.map((p) => ({ proto: 'tcp', address: '0.0.0.0', port: p.port, process: p.process })),
    users: [],
    groups: [],
    mounts: [],
    cron: [],
  });
}

export const arbitrarySnapshot = fc.tuple(arbitraryIdentity, arbitraryFacts).map(([identity, facts]) => snapshotFrom(identity, facts));

/** Hosts of one role: one set of facts, each host perturbed a little, each with its own identity. */
export const arbitraryRole = (minHosts = 1, maxHosts = 4) =>
  fc
    .tuple(arbitraryFacts, fc.array(fc.option(arbitraryFacts, { freq: 3 }), { minLength: minHosts, maxLength: maxHosts }))
    .map(([shared, perHost]) =>
      perHost.map((own, i) => snapshotFrom({ hostname: `node-${String(i + 1).padStart(2, '0')}`, index: i + 1 }, own ?? shared)),
    );
