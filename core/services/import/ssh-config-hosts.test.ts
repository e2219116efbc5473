import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSshConfigHosts } from './ssh-config-hosts';

describe('~/.ssh/config hosts', () => {
  it('lists every alias without wildcards with the settings `ssh -G` gives it', () => {
    const parsed = parseSshConfigHosts(readFileSync(join(import.meta.dirname, 'fixtures/ssh_config'), 'utf8'), 'ssh_config');
    // Expected values are those of OpenSSH's `ssh -G -F fixtures/ssh_config ALIAS` (port 22 is its default, not the file's).
    expect(parsed.hosts.map(({ name, address, port, user }) => ({ name, address, port, user }))).toEqual([
      { name: 'bastion', address: '203.0.113.10', port: undefined, user: 'ops' },
      { name: 'pay-db01.prod.example.com', address: '10.20.1.18', port: 2222, user: 'fallback' },
      { name: 'idp-web01', address: 'idp-web01.prod.example.com', port: undefined, user: 'deploy' },
      { name: 'idp-web02', address: 'idp-web02.prod.example.com', port: undefined, user: 'deploy' },
      { name: 'legacy', address: '192.0.2.44', port: 2200, user: 'fallback' },
    ]);
    expect(parsed.hosts[0]!.origin).toEqual({ file: 'ssh_config', line: 2 });
    expect(parsed.warnings.some((w) => w.includes('"pay-db01.prod.example.com" is reached through ProxyJump bastion'))).toBe(true);
  });
});
