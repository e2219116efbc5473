import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftAgainstImage, environmentAgainstImage } from './drift';
import { isStagecraftError } from './errors';
import type { Snapshot } from './facts';
import type { IgnoreRule } from './ignore';
import { canonicalJson } from './canonical-json';
import { captureImage, deriveImage, imageHash, type ImageEdit, type ImageGovernance } from './image';
import { renderPlaceholders } from './placeholders';
import { arbitraryRole, arbitrarySnapshot, debianHost, NGINX_CONF, replaceFile, replacePackage } from './test-support';

const EVERYTHING: ImageGovernance = {
  categories: ['os', 'packages', 'services', 'ports', 'sysctl', 'users', 'groups', 'mounts', 'cron', 'files'],
  paths: ['/**'],
};
const web = [debianHost('web-01', { index: 1 }), debianHost('web-02', { index: 2 })];
const db = [debianHost('db-01', { index: 1, role: 'db' })];

const capture = (snapshotsByRole: Record<string, readonly Snapshot[]>, governs = EVERYTHING, ignore: IgnoreRule[] = []) =>
  captureImage({ service: 'payments-api', label: 'prod 2025-01-15', stage: 'production', snapshotsByRole, governs, ignore, at: '2025-01-15T10:00:00+01:00' });

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('captureImage', () => {
  const image = capture({ web, db });

  it('captures what the hosts of each role agree on, host identities as placeholders', () => {
    const role = image.roles.web!;
    expect(role.packages.find((p) => p.name === 'openssh-server')?.version).toBe('1:9.2p1-2+deb12u5');
    expect(role.services.find((s) => s.name === 'nginx.service')).toEqual({ name: 'nginx.service', enabled: 'enabled', active: 'active' });
    expect(role.sysctl['kernel.hostname']).toBe('{{hostname}}');
    expect(role.files.find((f) => f.path === '/etc/hostname')?.content).toBe('{{hostname}}\n');
    expect(role.files.find((f) => f.path === '/etc/nginx/nginx.conf')?.content).toBe(NGINX_CONF);
    expect(role.os).toEqual({ id: 'debian', versionId: '12', kernel: '6.1.0-28-amd64', arch: 'x86_64' });
    expect(image.lineage).toEqual({ capturedFrom: { stage: 'production', hosts: ['db-01', 'web-01', 'web-02'], at: '2025-01-15T10:00:00+01:00' } });
  });

  it('leaves out, and lists as ungoverned, what peers disagree on', () => {
    expect(image.roles.web!.ungoverned).toEqual(['files:/etc/ssh/ssh_host_ed25519_key.pub']);
    expect(image.roles.web!.files.map((f) => f.path)).not.toContain('/etc/ssh/ssh_host_ed25519_key.pub');
    // A single host agrees with itself on everything.
    expect(image.roles.db!.ungoverned).toEqual([]);
  });

  it('governs only the categories and paths it is told to', () => {
    const narrow = capture({ web }, { categories: ['packages', 'files'], paths: ['/etc/nginx/**'] });
    const role = narrow.roles.web!;
    expect(role.files.map((f) => f.path)).toEqual(['/etc/nginx/nginx.conf']);
    expect(role.services).toEqual([]);
    expect(role.sysctl).toEqual({});
    expect(role.os).toBeUndefined();
    expect(role.packages.length).toBeGreaterThan(10);
  });

  it('renders its templates back into each host’s own files', () => {
    const hostsTemplate = image.roles.web!.files.find((f) => f.path === '/etc/hosts')!.content!;
    for (const host of web) expect(renderPlaceholders(hostsTemplate, host.host)).toBe(host.files.find((f) => f.path === '/etc/hosts')!.content);
  });

  it('is deterministic: the same hosts in another order give the same bytes', () => {
    const again = capture({ db, web: [...web].reverse() });
    expect(canonicalJson(again)).toBe(canonicalJson(image));
    expect(imageHash(again)).toBe(imageHash(image));
    expect(imageHash(image)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a role without hosts', () => {
    expect(() => capture({ web: [] })).toThrowError(/no host to capture/);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, drops undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: true, y: null }], c: 'é"' }, u: undefined })).toBe('{"a":{"c":"é\\"","d":[3,1,{"y":null,"z":true}]},"b":1}');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});

describe('driftAgainstImage', () => {
  const image = capture({ web, db });

  it('finds nothing on the hosts it was captured from', () => {
    for (const host of web) expect(driftAgainstImage(image, 'web', host).items).toEqual([]);
  });

  it('finds what a staging host does differently, within what the image governs', () => {
    let staging = replacePackage(debianHost('stg-web-01', { index: 7 }), 'openssh-server', '1:9.2p1-2+deb12u3');
    staging = replaceFile(staging, '/etc/nginx/nginx.conf', NGINX_CONF.replace('worker_connections 768;', 'worker_connections 4096;'));
    const report = driftAgainstImage(image, 'web', staging);
    expect(report.items.map((i) => `${i.severity} ${i.kind} ${i.category}:${i.key}`)).toEqual([
      'high changed packages:dpkg:openssh-server:amd64',
      'medium changed files:/etc/nginx/nginx.conf',
    ]);
    expect(report.items[0]).toMatchObject({ expected: '1:9.2p1-2+deb12u5', actual: '1:9.2p1-2+deb12u3', hosts: ['stg-web-01'], role: 'web' });
  });

  it('merges an environment’s hosts into one report', () => {
    const staging = [1, 2].map((i) => replacePackage(debianHost(`stg-web-0${i}`, { index: 6 + i }), 'sudo', '1.9.13p3-1'));
    const report = environmentAgainstImage(image, { web: staging });
    expect(report.items).toEqual([expect.objectContaining({ key: 'dpkg:sudo:amd64', kind: 'changed', severity: 'high', hosts: ['stg-web-01', 'stg-web-02'] })]);
  });

  it('says which roles an image has when asked for another', () => {
    try {
      driftAgainstImage(image, 'cache', web[0]!);
      expect.unreachable();
    } catch (error) {
      expect(isStagecraftError(error) && error.code === 'not-found' && error.hint).toBe('Its roles are: db, web.');
    }
  });
});

describe('deriveImage', () => {
  const parent = deepFreeze(capture({ web, db }));

  it('applies edits to a new image whose lineage names its parent', () => {
    const child = deriveImage(parent, [
      { kind: 'set-package', role: 'web', name: 'openssh-server', version: '1:9.2p1-2+deb12u6' },
      { kind: 'set-file', role: 'web', path: '/etc/nginx/conf.d/status.conf', content: 'server { listen 127.0.0.1:8080; location /status { stub_status; } }\n' },
      { kind: 'set-service', role: 'web', name: 'nginx.service', enabled: 'disabled' },
      { kind: 'set-sysctl', role: 'db', key: 'vm.swappiness', value: '10' },
      { kind: 'remove-package', role: 'web', name: 'curl' },
    ]);
    expect(child.lineage.parent).toBe(imageHash(parent));
    expect(child.lineage.derivedBy).toEqual([
      'web: set package openssh-server to 1:9.2p1-2+deb12u6',
      expect.stringMatching(/^web: set file \/etc\/nginx\/conf.d\/status.conf \(sha256 [0-9a-f]{12}\)$/),
      'web: set service nginx.service disabled',
      'db: set sysctl vm.swappiness = 10',
      'web: remove package curl',
    ]);
    const report = driftAgainstImage(child, 'web', web[0]!);
    expect(report.items.map((i) => `${i.kind} ${i.category}:${i.key} ${i.expected ?? '∅'} → ${i.actual ?? '∅'}`)).toEqual([
      'changed packages:dpkg:openssh-server:amd64 1:9.2p1-2+deb12u6 → 1:9.2p1-2+deb12u5',
      'changed services:nginx.service:enabled disabled → enabled',
      'extra packages:dpkg:curl:amd64 ∅ → 7.88.1-10+deb12u8',
      expect.stringMatching(/^missing files:\/etc\/nginx\/conf.d\/status.conf 0644 root:root sha256:[0-9a-f]{64} → ∅$/),
    ]);
    expect(driftAgainstImage(child, 'db', db[0]!).items.map((i) => i.key)).toEqual(['vm.swappiness']);
  });

  it('governs a newly edited category and file path', () => {
    const narrow = capture({ web }, { categories: ['packages'], paths: [] });
    const child = deriveImage(narrow, [{ kind: 'set-file', role: 'web', path: '/etc/motd[1]', content: 'Authorised use only.\n', mode: '0640' }]);
    expect(child.governs).toEqual({ categories: ['packages', 'files'], paths: ['/etc/motd\\[1\\]'] });
    expect(child.roles.web!.files).toEqual([expect.objectContaining({ path: '/etc/motd[1]', mode: '0640', size: 21 })]);
  });

  it('takes an edited fact out of the ungoverned list', () => {
    const path = '/etc/ssh/ssh_host_ed25519_key.pub';
    const content = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPinnedKeyForEveryHostOfThisRole root@web\n';
    const child = deriveImage(parent, [{ kind: 'set-file', role: 'web', path, content, mode: '0644' }]);
    expect(parent.roles.web!.ungoverned).toContain(`files:${path}`);
    expect(child.roles.web!.ungoverned).toEqual([]);
    expect(driftAgainstImage(child, 'web', web[0]!).items.map((i) => `${i.kind} ${i.key}`)).toEqual([`changed ${path}`]);
  });

  it('refuses edits that name nothing', () => {
    expect(() => deriveImage(parent, [])).toThrow(/at least one edit/);
    expect(() => deriveImage(parent, [{ kind: 'remove-package', role: 'web', name: 'telnet' }])).toThrow(/no package telnet/);
    expect(() => deriveImage(parent, [{ kind: 'set-sysctl', role: 'cache', key: 'vm.swappiness', value: '1' }])).toThrow(/no role "cache"/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const arbitraryIgnore: fc.Arbitrary<IgnoreRule[]> = fc.array(
  fc.record({
    scope: fc.constantFrom({}, { role: 'web' }, { service: 'payments-api' }),
    key: fc.constantFrom('/etc/ssh/**', '*:openssl:*', 'vm.swappiness', '**'),
  }),
  { maxLength: 2 },
);

/** An edit the host cannot already satisfy, and the one drift item it must cause. */
function editFor(host: Snapshot): fc.Arbitrary<{ edit: ImageEdit; expected: { kind: string; fullKey: string } }> {
  const options: fc.Arbitrary<{ edit: ImageEdit; expected: { kind: string; fullKey: string } }>[] = [
    fc.constantFrom('openssl', 'nginx', 'htop', 'rsyslog').map((name) => ({
      edit: { kind: 'set-package', role: 'web', name, version: '9:9.9-9', manager: 'dpkg', arch: 'amd64' } as ImageEdit,
      expected: { kind: host.packages.some((p) => p.name === name) ? 'changed' : 'missing', fullKey: `packages:dpkg:${name}:amd64` },
    })),
    fc.constantFrom('/etc/motd', '/etc/ssh/sshd_config', '/etc/sudoers').map((path) => ({
      edit: { kind: 'set-file', role: 'web', path, content: 'edited by a derivation\n' } as ImageEdit,
      expected: { kind: host.files.some((f) => f.path === path) ? 'changed' : 'missing', fullKey: `files:${path}` },
    })),
    fc.constantFrom('nginx.service', 'cron.service').map((name) => ({
      edit: { kind: 'set-service', role: 'web', name, enabled: 'masked' } as ImageEdit,
      expected: { kind: host.services.some((s) => s.name === name) ? 'changed' : 'missing', fullKey: `services:${name}:enabled` },
    })),
    fc.constantFrom('vm.swappiness', 'net.ipv4.ip_forward').map((key) => ({
      edit: { kind: 'set-sysctl', role: 'web', key, value: '12345' } as ImageEdit,
      expected: { kind: key in host.sysctl ? 'changed' : 'missing', fullKey: `sysctl:${key}` },
    })),
  ];
  if (host.packages.length > 0) {
    options.push(
      fc.constantFrom(...host.packages).map((p) => ({
        edit: { kind: 'remove-package', role: 'web', name: p.name } as ImageEdit,
        expected: { kind: 'extra', fullKey: `packages:dpkg:${p.name}:amd64` },
      })),
    );
  }
  if (host.files.length > 0) {
    options.push(
      fc.constantFrom(...host.files).map((f) => ({
        edit: { kind: 'remove-file', role: 'web', path: f.path } as ImageEdit,
        expected: { kind: 'extra', fullKey: `files:${f.path}` },
      })),
    );
  }
  return fc.oneof(...options);
}

describe('image properties', () => {
  it('captureImage then driftAgainstImage on the same hosts gives no drift', () => {
    fc.assert(
      fc.property(arbitraryRole(1, 4), arbitraryIgnore, (hosts, ignore) => {
        const image = capture({ web: hosts }, EVERYTHING, ignore);
        for (const host of hosts) {
          const report = driftAgainstImage(image, 'web', host, { ignore });
          expect(report.items).toEqual([]);
          expect(report.parity).toBe(1);
        }
      }),
    );
  });

  it('deriveImage then drift shows exactly the edit', () => {
    fc.assert(
      fc.property(
        arbitrarySnapshot.chain((host) => fc.tuple(fc.constant(host), editFor(host))),
        ([host, { edit, expected }]) => {
          const parent = deepFreeze(capture({ web: [host] }));
          const before = canonicalJson(parent);
          const child = deriveImage(parent, [edit]);
          expect(canonicalJson(parent)).toBe(before);
          const items = driftAgainstImage(child, 'web', host).items;
          expect(items.map((i) => ({ kind: i.kind, fullKey: `${i.category}:${i.key}` }))).toEqual([expected]);
        },
      ),
    );
  });
});
