import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeGlob, globMatch } from './glob';

describe('globMatch', () => {
  it.each([
    ['/etc/ssh/**', '/etc/ssh/sshd_config', true],
    ['/etc/ssh/**', '/etc/ssh/sshd_config.d/50-cloud-init.conf', true],
    ['/etc/ssh/**', '/etc/sshd', false],
    ['/etc/*', '/etc/hosts', true],
    ['/etc/*', '/etc/ssh/sshd_config', false],
    ['/etc/**/*.conf', '/etc/nginx.conf', true],
    ['/etc/**/*.conf', '/etc/nginx/conf.d/default.conf', true],
    ['/etc/sudoers', '/etc/sudoers.d/90-cloud-init-users', false],
    ['*:openssh*:*', 'dpkg:openssh-server:amd64', true],
    ['*:{openssl,libssl*}:*', 'dpkg:libssl3:amd64', true],
    ['*:{openssl,libssl*}:*', 'dpkg:python3-openssl:all', false],
    ['*:libc6:*', 'dpkg:libc6-dev:amd64', false],
    ['net.ipv4.conf.*.rp_filter', 'net.ipv4.conf.eth0.rp_filter', true],
    ['ssh_host_?sa_key.pub', 'ssh_host_rsa_key.pub', true],
    ['/dev/vd[a-c]1', '/dev/vdb1', true],
    ['/dev/vd[!a-c]1', '/dev/vdb1', false],
    ['/dev/vd[!a-c]1', '/dev/vdd1', true],
    ['{a,b{c,d}}', 'bd', true],
    ['{a,b{c,d}}', 'b', false],
    ['literal.with(parens)+$', 'literal.with(parens)+$', true],
  ])('%s matches %s: %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected);
  });

  it('treats an unclosed class or brace as literal text', () => {
    expect(globMatch('a[b', 'a[b')).toBe(true);
    expect(globMatch('a{b', 'a{b')).toBe(true);
    expect(globMatch('{single}', '{single}')).toBe(true);
  });

  it('escapes any text into a pattern that matches exactly that text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, other) => {
        const pattern = escapeGlob(text);
        expect(globMatch(pattern, text)).toBe(true);
        if (other !== text) expect(globMatch(pattern, other)).toBe(false);
      }),
    );
  });
});
