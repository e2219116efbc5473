import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roleConsistency, stageParity, type DriftItem, type DriftReport } from './drift';
import type { FactCategory, Snapshot } from './facts';
import type { IgnoreRule } from './ignore';
import {
  arbitraryRole,
  arbitrarySnapshot,
  debianHost,
  dpkg,
  NGINX_CONF,
  replaceFile,
  replacePackage,
  withChanges,
} from './test-support';

const prodWeb = [debianHost('web-01', { index: 1 }), debianHost('web-02', { index: 2 })];
const prodDb = [debianHost('db-01', { index: 1, role: 'db' })];

/** A staging web host as it drifts in real life: an older openssh, a hand-edited nginx.conf, telnet left behind, curl gone. */
function driftedStagingWeb(name: string, index: number) {
  let host = debianHost(name, { index });
  host = replacePackage(host, 'openssh-server', '1:9.2p1-2+deb12u3');
  host = replaceFile(host, '/etc/nginx/nginx.conf', NGINX_CONF.replace('server_tokens off;', 'server_tokens on;'));
  return withChanges(host, {
    packages: [...host.packages.filter((p) => p.name !== 'curl'), dpkg('telnet', '0.17+2.4-2')],
  });
}

const itemSummary = (item: DriftItem) => `${item.severity} ${item.kind} ${item.category}:${item.key} ${item.expected ?? '∅'} → ${item.actual ?? '∅'} @${item.hosts.join(',')}`;

describe('stageParity', () => {
  it('finds what a staging host lacks, has extra and has changed — and nothing that differs only by identity', () => {
    const report = stageParity({ web: prodWeb, db: prodDb }, { web: [driftedStagingWeb('stg-web-01', 7)], db: [debianHost('stg-db-01', { index: 9, role: 'db' })] });
    const nginxItem = report.items.find((i) => i.key === '/etc/nginx/nginx.conf')!;
    expect(report.items.map(itemSummary)).toEqual([
      'high changed packages:dpkg:openssh-server:amd64 1:9.2p1-2+deb12u5 → 1:9.2p1-2+deb12u3 @stg-web-01',
      // Host keys differ on every host: real, but noise until an ignore rule says so (see ignore.test.ts).
      expect.stringMatching(/^high changed files:\/etc\/ssh\/ssh_host_ed25519_key.pub .* @stg-db-01$/),
      expect.stringMatching(/^high changed files:\/etc\/ssh\/ssh_host_ed25519_key.pub .* @stg-web-01$/),
      'medium missing packages:dpkg:curl:amd64 7.88.1-10+deb12u8 → ∅ @stg-web-01',
      'medium extra packages:dpkg:telnet:amd64 ∅ → 0.17+2.4-2 @stg-web-01',
      `medium changed files:/etc/nginx/nginx.conf ${nginxItem.expected} → ${nginxItem.actual} @stg-web-01`,
    ]);
    expect(nginxItem.expected).toMatch(/^0644 root:root sha256:[0-9a-f]{64}$/);
    expect(report.items.every((i) => i.role !== undefined)).toBe(true);
    expect(report.compared).toBeGreaterThan(50);
    expect(report.matching).toBe(report.compared - report.items.length);
    expect(report.parity).toBeCloseTo(report.matching / report.compared, 12);
    expect(report.roles.map((r) => [r.role, r.productionHosts, r.stageHosts])).toEqual([
      ['db', 1, 1],
      ['web', 2, 1],
    ]);
    expect(report.unpairedRoles).toEqual([]);
  });

  it('merges hosts that drift the same way into one item', () => {
    const report = stageParity({ web: prodWeb }, { web: [driftedStagingWeb('stg-web-01', 7), driftedStagingWeb('stg-web-02', 8)] });
    const openssh = report.items.filter((i) => i.key === 'dpkg:openssh-server:amd64');
    expect(openssh).toHaveLength(1);
    expect(openssh[0]!.hosts).toEqual(['stg-web-01', 'stg-web-02']);
  });

  it("takes production's plurality as the reference", () => {
    const lagging = replacePackage(debianHost('web-03', { index: 3 }), 'openssl', '3.0.11-1~deb12u2');
    const report = stageParity({ web: [...prodWeb, lagging] }, { web: [lagging] });
    expect(report.items.filter((i) => i.category === 'packages').map(itemSummary)).toEqual([
      'high changed packages:dpkg:openssl:amd64 3.0.15-1~deb12u1 → 3.0.11-1~deb12u2 @web-03',
    ]);
  });

  it('reports roles that exist on one side only, and counts nothing for them', () => {
    const report = stageParity({ web: prodWeb, db: prodDb }, { web: prodWeb, cache: [debianHost('stg-cache-01')] });
    expect(report.unpairedRoles).toEqual([
      { role: 'cache', onlyIn: 'stage' },
      { role: 'db', onlyIn: 'production' },
    ]);
    expect(report.roles.map((r) => r.role)).toEqual(['web']);
  });

  it('has 100 % parity with nothing to compare', () => {
    expect(stageParity({}, {})).toMatchObject({ items: [], compared: 0, matching: 0, parity: 1 });
  });
});

describe('roleConsistency', () => {
  it('shows the host that strays from its peers, against their majority value', () => {
    const stray = replacePackage(debianHost('web-03', { index: 3 }), 'libssl3', '3.0.11-1~deb12u2');
    const report = roleConsistency([...prodWeb, stray], { role: 'web' });
    expect(report.items.filter((i) => i.category !== 'files').map(itemSummary)).toEqual([
      'high changed packages:dpkg:libssl3:amd64 3.0.15-1~deb12u1 → 3.0.11-1~deb12u2 @web-03',
    ]);
    expect(report.items[0]!.role).toBe('web');
  });

  it('breaks a tie in favour of the host listed first', () => {
    const [a, b] = [debianHost('web-01', { index: 1 }), replacePackage(debianHost('web-02', { index: 2 }), 'curl', '7.88.1-10+deb12u12')];
    const curl = (report: DriftReport) => report.items.find((i) => i.key === 'dpkg:curl:amd64')!;
    expect(curl(roleConsistency([a, b])).hosts).toEqual(['web-02']);
    expect(curl(roleConsistency([b, a])).hosts).toEqual(['web-01']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const oneRole = (hosts: readonly Snapshot[]) => ({ web: hosts });
const withoutHosts = ({ hosts: _hosts, ...rest }: DriftItem) => rest;
const swapSides = (item: DriftItem): Omit<DriftItem, 'hosts'> => {
  const { hosts: _hosts, expected, actual, kind, ...rest } = item;
  return {
    ...rest,
    kind: kind === 'missing' ? 'extra' : kind === 'extra' ? 'missing' : 'changed',
    ...(actual !== undefined && { expected: actual }),
    ...(expected !== undefined && { actual: expected }),
  };
};
const byIdentity = (a: Omit<DriftItem, 'hosts'>, b: Omit<DriftItem, 'hosts'>) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

const CATEGORIES: FactCategory[] = ['packages', 'files', 'services', 'sysctl', 'ports', 'os'];
const arbitraryIgnoreRule: fc.Arbitrary<IgnoreRule> = fc.record({
  scope: fc.constantFrom({}, { role: 'web' }, { role: 'db' }, { service: 'payments-api' }, { service: 'other' }),
  category: fc.option(fc.constantFrom(...CATEGORIES), { nil: undefined }),
  key: fc.constantFrom('**', '*:openssl:*', '/etc/**', '/etc/ssh/*', 'nginx.service:*', 'vm.swappiness', 'kernel', 'tcp:*'),
});

describe('drift properties', () => {
  it('a snapshot compared with itself has no drift', () => {
    fc.assert(
      fc.property(arbitrarySnapshot, (snapshot) => {
        const report = stageParity(oneRole([snapshot]), oneRole([snapshot]));
        expect(report.items).toEqual([]);
        expect(report.parity).toBe(1);
        expect(roleConsistency([snapshot, snapshot]).items).toEqual([]);
      }),
    );
  });

  it('swapping sides swaps missing and extra, and expected and actual', () => {
    fc.assert(
      fc.property(arbitrarySnapshot, arbitrarySnapshot, (a, b) => {
        const forward = stageParity(oneRole([a]), oneRole([b]));
        const backward = stageParity(oneRole([b]), oneRole([a]));
        expect(backward.items.map(withoutHosts).sort(byIdentity)).toEqual(forward.items.map(swapSides).sort(byIdentity));
        expect([backward.compared, backward.matching]).toEqual([forward.compared, forward.matching]);
      }),
    );
  });

  it('ignore rules only ever remove items, never add or change one', () => {
    fc.assert(
      fc.property(arbitraryRole(1, 3), arbitraryRole(1, 3), fc.array(arbitraryIgnoreRule, { maxLength: 3 }), (production, stage, ignore) => {
        const options = { service: 'payments-api' };
        const all = stageParity(oneRole(production), oneRole(stage), options);
        const fewer = stageParity(oneRole(production), oneRole(stage), { ...options, ignore });
        const identity = (i: DriftItem) => JSON.stringify(withoutHosts(i));
        const before = new Map(all.items.map((i) => [identity(i), i]));
        for (const item of fewer.items) {
          const same = before.get(identity(item));
          expect(same).toBeDefined();
          expect(same!.hosts).toEqual(expect.arrayContaining(item.hosts));
        }
        expect(fewer.compared).toBeLessThanOrEqual(all.compared);
        expect(fewer.compared - fewer.matching).toBeLessThanOrEqual(all.compared - all.matching);
      }),
    );
  });

  it('parity is 100 % exactly when nothing drifts', () => {
    fc.assert(
      fc.property(arbitraryRole(1, 3), fc.oneof(arbitraryRole(1, 3), fc.constant(null)), (production, stage) => {
        for (const report of [stageParity(oneRole(production), oneRole(stage ?? production)), roleConsistency(production)]) {
          expect(report.parity === 1).toBe(report.items.length === 0);
          expect(report.parity).toBeGreaterThanOrEqual(0);
          expect(report.parity).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
