import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandHostRange, parseAnsibleIni, parseAnsibleYaml } from './ansible-inventory';
import type { ParsedImport } from './model';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** `ansible-inventory -i FILE --list` of ansible-core 2.14, stored beside the inventory: the ground truth. */
interface AnsibleList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | AnsibleList['_meta'];
}

function expectSameAsAnsible(parsed: ParsedImport, list: AnsibleList) {
  const hostvars = list._meta.hostvars;
  expect(parsed.hosts.map((h) => h.name).sort()).toEqual(Object.keys(hostvars).sort());
  for (const host of parsed.hosts) {
    const vars = hostvars[host.name]!;
    expect(host.address, host.name).toBe(vars['ansible_host']);
    expect(host.port, host.name).toBe(vars['ansible_port']);
    expect(host.user, host.name).toBe(vars['ansible_user']);
    // Every variable Ansible sees, as text.
    expect(host.vars).toEqual(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  }
  for (const [name, group] of Object.entries(list)) {
    if (name === '_meta' || name === 'all' || name === 'ungrouped') continue;
    const ours = parsed.groups.find((g) => g.name === name);
    expect(ours, name).toBeDefined();
    const g = group as { hosts?: string[]; children?: string[] };
    expect([...ours!.hosts].sort(), name).toEqual([...(g.hosts ?? [])].sort());
    expect([...ours!.children].sort(), name).toEqual([...(g.children ?? [])].sort());
  }
}

describe('host ranges', () => {
  it('expands like ansible-core', () => {
    expect(expandHostRange('web[01:03].example.com')).toEqual(['web01.example.com', 'web02.example.com', 'web03.example.com']);
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
    expect(expandHostRange('n[0:10:5]')).toEqual(['n0', 'n5', 'n10']);
    expect(expandHostRange('r[1:2]-u[1:2]')).toEqual(['r1-u1', 'r1-u2', 'r2-u1', 'r2-u2']);
    expect(expandHostRange('plain.example.com')).toEqual(['plain.example.com']);
  });

  it('refuses ranges that cannot be meant', () => {
    expect(() => expandHostRange('web[3:1]')).toThrow(/runs backwards/);
    expect(() => expandHostRange('web[01:100]')).toThrow(/same number of digits/);
    expect(() => expandHostRange('web[1:]')).toThrow(/no end value/);
    expect(() => expandHostRange('web[0:99999999]')).toThrow(/more than 10000 hosts/);
  });
});

describe('INI inventories', () => {
  it('reads a realistic inventory exactly as ansible-inventory does', () => {
    const parsed = parseAnsibleIni(fixture('platform.ini'), 'platform.ini');
    expectSameAsAnsible(parsed, JSON.parse(fixture('platform.ini.ansible-inventory.json')) as AnsibleList);
    const db = parsed.hosts.find((h) => h.name === 'pay-db01.prod.example.com')!;
    expect(db).toMatchObject({ address: '10.20.1.18', port: 2222, user: 'ops', groups: ['payments_db_prod'], origin: { file: 'platform.ini' } });
    expect(db.origin.line).toBeGreaterThan(1);
  });

  it('reads host:port, quoted values, comments and hosts before any section', () => {
    const parsed = parseAnsibleIni('lonely.example.com:2200\n; comment\n[web]\nw1 ansible_user="a b" note=\'x # y\' # trailing\n[web:vars]\nansible_port = 2201 # inline\n', 'inv');
    expect(parsed.hosts).toMatchObject([
      { name: 'lonely.example.com', port: 2200, groups: [] },
      { name: 'w1', port: 2201, user: 'a b', vars: { note: 'x # y' }, groups: ['web'] },
    ]);
  });

  it('names the file and line of a malformed line', () => {
    expect(() => parseAnsibleIni(fixture('bad/malformed.ini'), 'bad/malformed.ini')).toThrow(/^bad\/malformed\.ini line 3: host "pay-web02\.prod\.example\.com": "ansible_host" is not key=value\./);
    expect(() => parseAnsibleIni('[web\nw1\n', 'inv')).toThrow(/inv line 1: "\[web" is not a section header/);
    expect(() => parseAnsibleIni('[web:hosts]\n', 'inv')).toThrow(/inv line 1: section \[web:hosts\] has an unknown type/);
    expect(() => parseAnsibleIni('[web:vars]\njust-a-word\n', 'inv')).toThrow(/inv line 2: .* holds key=value lines/);
    expect(() => parseAnsibleIni('[web]\nw1 ansible_port=ssh\n', 'inv')).toThrow(/inv line 2: host "w1": ansible_port "ssh" is not a port number/);
    expect(() => parseAnsibleIni('[a:children]\nb\n[b:children]\na\n', 'inv')).toThrow(/groups form a cycle/);
    expect(() => parseAnsibleIni('[web]\nw1 x="open\n', 'inv')).toThrow(/inv line 2: unbalanced quotes/);
  });
});

describe('YAML inventories', () => {
  it('reads a realistic inventory exactly as ansible-inventory does', () => {
    const parsed = parseAnsibleYaml(fixture('platform.yml'), 'platform.yml');
    expectSameAsAnsible(parsed, JSON.parse(fixture('platform.yml.ansible-inventory.json')) as AnsibleList);
    expect(parsed.hosts.find((h) => h.name === 'reporting-worker2.prod.example.net')).toMatchObject({ user: 'ops', vars: { backup: 'true' }, groups: ['reporting_production_worker'] });
  });

  it('names the line of a syntax error', () => {
    expect(() => parseAnsibleYaml(fixture('bad/syntax-error.yml'), 'bad/syntax-error.yml')).toThrow(/^bad\/syntax-error\.yml line \d+: YAML syntax error/);
    try {
      parseAnsibleYaml(fixture('bad/syntax-error.yml'), 'x.yml');
    } catch (error) {
      expect((error as Error).message).toMatch(/x\.yml line (5|6)/);
    }
  });

  it('names the line and path of a wrong structure', () => {
    expect(() => parseAnsibleYaml('all:\n  children:\n    web:\n      host:\n        w1:\n', 'inv.yml')).toThrow(/inv\.yml line 4: all\.children\.web has an unknown key "host"/);
    expect(() => parseAnsibleYaml('all:\n  hosts:\n    - w1\n', 'inv.yml')).toThrow(/inv\.yml line 3: all\.hosts must be a mapping of host names/);
    expect(() => parseAnsibleYaml('- a\n- b\n', 'inv.yml')).toThrow(/must be a mapping of groups/);
    expect(parseAnsibleYaml('', 'empty.yml').hosts).toEqual([]);
  });
});
