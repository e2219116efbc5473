import { describe, expect, it } from 'vitest';
import { expandSshPath, matchPatternList, parseJumpSpec, parseSshConfig, parseUserHostPort, resolveSshHost, wildcardMatch } from './ssh-config';

const CONFIG = `
# global lines apply to every host
IdentityFile ~/.ssh/global_key

Host db-* !db-legacy
  HostName %h.prod.example
  User dba
  Port 2222
  IdentityFile ~/.ssh/%r@%h

Host db-legacy
  HostName 10.0.0.9
  ProxyJump admin@bastion:2200,jump2

Host "web?" web-extra
  User=www
  Port 22

Match exec "test -f /x"
  User nobody

Host *
  User fallback
  Port 1022
  UserKnownHostsFile ~/.ssh/known_a ~/.ssh/known_b
  ProxyJump none
`;

describe('ssh config', () => {
  const config = parseSshConfig(CONFIG);

  it('applies the first value of each keyword, specific blocks before Host *', () => {
    const db = resolveSshHost(config, 'db-1');
    expect(db).toMatchObject({ hostName: '%h.prod.example', user: 'dba', port: 2222, proxyJump: [] });
    expect(db.identityFiles).toEqual(['~/.ssh/global_key', '~/.ssh/%r@%h']);
    expect(db.userKnownHostsFiles).toEqual(['~/.ssh/known_a', '~/.ssh/known_b']);
  });

  it('honours negation, ? and several patterns per Host line, and Keyword=value', () => {
    const legacy = resolveSshHost(config, 'db-legacy');
    expect(legacy).toMatchObject({ hostName: '10.0.0.9', user: 'fallback', port: 1022 });
    expect(legacy.proxyJump).toEqual([{ host: 'bastion', port: 2200, user: 'admin' }, { host: 'jump2' }]);
    expect(resolveSshHost(config, 'web1')).toMatchObject({ user: 'www', port: 22 });
    expect(resolveSshHost(config, 'web-extra')).toMatchObject({ user: 'www' });
    expect(resolveSshHost(config, 'web12')).toMatchObject({ user: 'fallback' });
  });

  it('warns about what it does not support instead of misreading it', () => {
    expect(config.warnings.join('\n')).toMatch(/Match exec .* not supported/);
    expect(resolveSshHost(config, 'anything').user).toBe('fallback');
    expect(parseSshConfig('Include ~/.ssh/conf.d/*\nProxyCommand nc %h %p\nHost x\n  User "unbalanced').warnings).toHaveLength(3);
  });

  it('expands ~ and %-tokens', () => {
    const context = { homeDir: '/home/ann', localUser: 'ann', host: 'db-1.prod', user: 'dba', port: 2222, alias: 'db-1' };
    expect(expandSshPath('~/.ssh/%r@%h:%p', context)).toBe('/home/ann/.ssh/dba@db-1.prod:2222');
    expect(expandSshPath('%d/keys/%u-%n-100%%', context)).toBe('/home/ann/keys/ann-db-1-100%');
  });

  it('matches patterns like OpenSSH', () => {
    expect(wildcardMatch('*.example.com', 'A.Example.COM')).toBe(true);
    expect(wildcardMatch('10.0.0.?', '10.0.0.12')).toBe(false);
    expect(wildcardMatch('a.b', 'axb')).toBe(false); // dots are literal
    expect(matchPatternList(['*', '!secret*'], 'secret-db')).toBe(false);
    expect(matchPatternList(['!secret*'], 'web')).toBe(false); // negation alone matches nothing
  });

  it('parses jump specs and targets', () => {
    expect(parseJumpSpec('none')).toEqual([]);
    expect(parseJumpSpec('ssh://u@h1:22,[::1]:2200')).toEqual([{ host: 'h1', port: 22, user: 'u' }, { host: '::1', port: 2200 }]);
    expect(() => parseJumpSpec('h1:99999')).toThrow(/jump host/);
    expect(parseUserHostPort('root@[fe80::1]')).toEqual({ host: 'fe80::1', user: 'root' });
    expect(parseUserHostPort('@host')).toBeNull();
  });
});
