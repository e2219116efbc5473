import { describe, expect, it } from 'vitest';
import { stageParity } from './drift';
import { ignoreMatcher, ruleApplies, suggestIgnoreRules, type IgnoreRule } from './ignore';
import { debianHost, replacePackage, withChanges } from './test-support';

const web = [1, 2, 3].map((i) => debianHost(`web-0${i}`, { index: i }));

describe('ignore rules', () => {
  const rules: IgnoreRule[] = [
    { scope: {}, category: 'files', key: '/etc/ssh/ssh_host_*', reason: 'host keys are per host' },
    { scope: { service: 'payments-api' }, category: 'sysctl', key: 'vm.swappiness' },
    { scope: { service: 'payments-api', role: 'db' }, key: '*:postgresql-*:*' },
  ];

  it('apply to their scope: workspace, service, role of a service', () => {
    expect(ruleApplies(rules[0]!, { service: 'billing', role: 'web' })).toBe(true);
    expect(ruleApplies(rules[1]!, { service: 'billing' })).toBe(false);
    expect(ruleApplies(rules[2]!, { service: 'payments-api', role: 'web' })).toBe(false);
    expect(ruleApplies(rules[2]!, { service: 'payments-api', role: 'db' })).toBe(true);
  });

  it('match by category and key glob', () => {
    const ignored = ignoreMatcher(rules, { service: 'payments-api', role: 'db' });
    expect(ignored('files:/etc/ssh/ssh_host_ed25519_key.pub')).toBe(true);
    expect(ignored('files:/etc/ssh/sshd_config')).toBe(false);
    expect(ignored('sysctl:vm.swappiness')).toBe(true);
    expect(ignored('packages:dpkg:postgresql-15:amd64')).toBe(true);
    expect(ignored('packages:dpkg:openssl:amd64')).toBe(false);
  });

  it('silence drift on the facts they name, and only those', () => {
    const staging = [replacePackage(debianHost('stg-web-01', { index: 7 }), 'openssl', '3.0.11-1~deb12u2')];
    const keys = (ignore: IgnoreRule[]) => stageParity({ web }, { web: staging }, { service: 'payments-api', ignore }).items.map((i) => i.key);
    expect(keys([])).toEqual(['dpkg:openssl:amd64', '/etc/ssh/ssh_host_ed25519_key.pub']);
    expect(keys(rules)).toEqual(['dpkg:openssl:amd64']);
  });
});

describe('suggestIgnoreRules', () => {
  it('offers the facts that differ on every host of a role, and not those that merely differ on some', () => {
    const hosts = web.map((host, i) =>
      withChanges(host, {
        // A per-host UUID in a mount source, and one host lagging on curl (real drift, not noise).
        mounts: host.mounts.map((m) => (m.target === '/' ? { ...m, source: `UUID=0b6f2e1c-3a4d-4c8e-9f0${i}-${i}a1b2c3d4e5f` } : m)),
        packages: i === 2 ? host.packages.map((p) => (p.name === 'curl' ? { ...p, version: '7.88.1-10+deb12u5' } : p)) : host.packages,
      }),
    );
    const suggestions = suggestIgnoreRules(hosts, { scope: { service: 'payments-api', role: 'web' } });
    expect(suggestions).toEqual([
      { scope: { service: 'payments-api', role: 'web' }, category: 'files', key: '/etc/ssh/ssh_host_ed25519_key.pub', reason: "differs on every one of the role's 3 hosts" },
      { scope: { service: 'payments-api', role: 'web' }, category: 'mounts', key: '/', reason: "differs on every one of the role's 3 hosts" },
    ]);
  });

  it('does not offer what identity normalisation already handles, nor what is already ignored', () => {
    const existing: IgnoreRule[] = [{ scope: {}, key: '/etc/ssh/**' }];
    expect(suggestIgnoreRules(web, { existing })).toEqual([]);
  });

  it('has nothing to say about a single host', () => {
    expect(suggestIgnoreRules([web[0]!])).toEqual([]);
  });
});
