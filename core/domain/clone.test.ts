import { describe, expect, it } from 'vitest';
import { DEFAULT_NAMING_RULE, isolationWarnings, nameClone, nameCollisions } from './clone';

describe('clone naming rule', () => {
  it('names clones per service, stage, role and number, lower-cased; the address follows the name', () => {
    expect(nameClone(DEFAULT_NAMING_RULE, { service: 'Payments', stage: 'uat', role: 'web', n: 2, source: 'pay-web-01' })).toEqual({ name: 'payments-web-uat-2', address: 'payments-web-uat-2' });
    expect(nameClone({ name: '{source}-{stage}', address: '{name}.uat.corp.example' }, { service: 's', stage: 'uat', role: 'db', n: 1, source: 'pay-db-01' })).toEqual({ name: 'pay-db-01-uat', address: 'pay-db-01-uat.uat.corp.example' });
  });
  it('refuses unknown placeholders and names a VM cannot have', () => {
    expect(() => nameClone({ name: '{service}-{env}', address: '{name}' }, { service: 's', stage: 't', role: 'r', n: 1, source: 'x' })).toThrow(/unknown placeholder \{env\}/);
    expect(() => nameClone({ name: '{service} {role}', address: '{name}' }, { service: 's', stage: 't', role: 'r', n: 1, source: 'x' })).toThrow(/not usable/);
    expect(() => nameClone({ name: '{role}', address: ' ' }, { service: 's', stage: 't', role: 'r', n: 1, source: 'x' })).toThrow(/not an address/);
  });
  it('finds names taken twice or already in use (case-insensitive)', () => {
    expect(nameCollisions(['a-1', 'b-1', 'A-1', 'c-1'], new Set(['c-1']))).toEqual(['A-1', 'c-1']);
  });
});

describe('network isolation of clones', () => {
  it('flags a NIC on a network or bridge production uses; user-mode NICs share nothing', () => {
    const production = [{ mac: '52:54:00:00:00:01', type: 'network', network: 'prod-net', bridge: 'virbr1' }, { mac: '52:54:00:00:00:02', type: 'bridge', network: null, bridge: 'br-prod' }];
    expect(isolationWarnings('c', [{ mac: 'm1', type: 'network', network: 'prod-net', bridge: null }, { mac: 'm2', type: 'network', network: 'lab', bridge: null }, { mac: 'm3', type: 'user', network: null, bridge: null }, { mac: 'm4', type: 'bridge', network: null, bridge: 'br-prod' }], production)).toEqual([
      "c: NIC m1 is on production's network prod-net: a clone with production's identity could reach production. Move it to an isolated network before starting it.",
      "c: NIC m4 is on production's bridge br-prod: a clone with production's identity could reach production. Move it to an isolated network before starting it.",
    ]);
  });
});
