import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotFromAnsibleFacts } from './ansible-facts';
import { readImportFile } from './read';

const CACHE = join(import.meta.dirname, 'fixtures/ansible-fact-cache');
/** A real jsonfile fact cache entry: setup + package_facts + service_facts of ansible-core 2.14 on Debian 12 (trimmed). */
const facts = () => JSON.parse(readFileSync(join(CACHE, 'localhost'), 'utf8')) as Record<string, unknown>;

describe('Ansible fact caches', () => {
  it('turns a real fact cache into an incomplete "ansible" snapshot', () => {
    const parsed = readImportFile(CACHE, 'ansible-facts');
    expect(parsed.snapshots).toHaveLength(1);
    const [{ snapshot, hostName }] = parsed.snapshots as [(typeof parsed.snapshots)[number]];
    expect(hostName).toBe('localhost');
    const raw = facts();
    expect(snapshot.source).toBe('ansible');
    expect(snapshot.capturedAt).toBe((raw['ansible_date_time'] as { iso8601: string }).iso8601);
    expect(snapshot.host.hostname).toBe(raw['ansible_hostname']);
    expect(snapshot.host.machineId).toBe(raw['ansible_machine_id']);
    expect(snapshot.host.addresses).toContain((raw['ansible_default_ipv4'] as { address: string }).address);
    expect(snapshot.host.macs).toContain((raw['ansible_eth0'] as { macaddress: string }).macaddress);
    expect(snapshot.os).toMatchObject({ id: 'debian', versionId: raw['ansible_distribution_major_version'], kernel: raw['ansible_kernel'], arch: raw['ansible_architecture'] });
    const packages = raw['packages'] as Record<string, { version: string; arch: string }[]>;
    expect(snapshot.packages).toHaveLength(Object.values(packages).flat().length);
    expect(snapshot.packages.find((p) => p.name === 'bash')).toEqual({ manager: 'dpkg', name: 'bash', version: packages['bash']![0]!.version, arch: packages['bash']![0]!.arch });
    expect(snapshot.services.map((s) => s.name)).toEqual(Object.keys(raw['services'] as object).sort());
    expect(snapshot.mounts.find((m) => m.target === '/')).toBeDefined();
    expect(snapshot.warnings.map((w) => w.split(':')[0])).toEqual(['cron', 'files', 'groups', 'ports', 'sysctl', 'users']);
  });

  it('reads `--tree` output, rpm packages and systemd services', () => {
    const raw = facts();
    raw['packages'] = { kernel: [{ name: 'kernel', version: '5.14.0', release: '362.el9', epoch: null, arch: 'x86_64', source: 'rpm' }], bash: [{ name: 'bash', version: '5.1.8', release: '6.el9', epoch: 1, arch: 'x86_64', source: 'rpm' }] };
    raw['services'] = { 'nginx.service': { name: 'nginx.service', state: 'running', status: 'enabled', source: 'systemd' }, 'kdump.service': { name: 'kdump.service', state: 'stopped', status: 'enabled-runtime', source: 'systemd' } };
    raw['ansible_distribution'] = 'RedHat';
    raw['ansible_distribution_version'] = '9.3';
    const snapshot = snapshotFromAnsibleFacts({ ansible_facts: raw, changed: false }, { file: 'tree/web01' });
    expect(snapshot.os).toMatchObject({ id: 'rhel', versionId: '9.3' });
    expect(snapshot.packages.map((p) => `${p.manager}:${p.name}=${p.version}`)).toEqual(['rpm:bash=1:5.1.8-6.el9', 'rpm:kernel=5.14.0-362.el9']);
    expect(snapshot.services).toEqual([
      { name: 'kdump.service', enabled: 'enabled', active: 'inactive' },
      { name: 'nginx.service', enabled: 'enabled', active: 'active' },
    ]);
  });

  it('says what is missing when package_facts and service_facts did not run', () => {
    const raw = facts();
    delete raw['packages'];
    delete raw['services'];
    const snapshot = snapshotFromAnsibleFacts(raw, { file: 'cache/web01' });
    expect(snapshot.warnings).toContain('packages: the facts hold no package list (run ansible.builtin.package_facts)');
    expect(snapshot.warnings).toContain('services: the facts hold no service list (run ansible.builtin.service_facts)');
  });

  it('names the file and line of a cache file that is not JSON', () => {
    expect(() => readImportFile(join(import.meta.dirname, 'fixtures/bad/fact-cache-not-json'), 'ansible-facts')).toThrow(/fact-cache-not-json\/web01 line 2: is not a JSON fact file/);
  });

  it('names the field of a wrong fact and refuses a file of other facts', () => {
    const raw = facts();
    raw['ansible_all_ipv4_addresses'] = '10.0.0.1';
    expect(() => snapshotFromAnsibleFacts(raw, { file: 'cache/web01' })).toThrow(/cache\/web01: field ansible_all_ipv4_addresses: expected a list/);
    expect(() => snapshotFromAnsibleFacts({ hello: 'world' }, { file: 'cache/x' })).toThrow(/not an Ansible fact file/);
    expect(() => snapshotFromAnsibleFacts([], { file: 'cache/x' })).toThrow(/not an Ansible fact file/);
  });
});
