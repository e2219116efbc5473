import { describe, expect, it } from 'vitest';
import { defaultSeverityRules, severityClassifier, severityOf, type SeverityRule } from './severity';

describe('severityOf with the default rules', () => {
  it.each([
    ['os', 'kernel', 'high'],
    ['packages', 'dpkg:openssh-server:amd64', 'high'],
    ['packages', 'dpkg:openssl:amd64', 'high'],
    ['packages', 'dpkg:libssl3:amd64', 'high'],
    ['packages', 'dpkg:libc6:i386', 'high'],
    ['packages', 'rpm:glibc:x86_64', 'high'],
    ['packages', 'dpkg:sudo:amd64', 'high'],
    ['packages', 'dpkg:linux-image-6.1.0-28-amd64:amd64', 'high'],
    ['packages', 'dpkg:ca-certificates:all', 'high'],
    ['packages', 'dpkg:libpam-modules:amd64', 'high'],
    ['packages', 'dpkg:libc6-dev:amd64', 'medium'],
    ['packages', 'dpkg:python3-openssl:all', 'medium'],
    ['packages', 'dpkg:nginx:amd64', 'medium'],
    ['files', '/etc/ssh/sshd_config', 'high'],
    ['files', '/etc/sudoers', 'high'],
    ['files', '/etc/sudoers.d/90-cloud-init-users', 'high'],
    ['files', '/etc/pam.d/common-auth', 'high'],
    ['files', '/etc/nginx/nginx.conf', 'medium'],
    ['services', 'nginx.service:enabled', 'high'],
    ['services', 'nginx.service:active', 'low'],
    ['ports', 'tcp:0.0.0.0:80', 'high'],
    ['sysctl', 'net.ipv4.ip_forward', 'high'],
    ['sysctl', 'vm.swappiness', 'low'],
    ['users', 'root', 'high'],
    ['users', 'www-data', 'low'],
    ['groups', 'sudo', 'high'],
    ['cron', '/etc/cron.d/e2scrub_all:root:true', 'low'],
  ] as const)('%s %s is %s', (category, key, severity) => {
    expect(severityOf({ category, key })).toBe(severity);
  });
});

describe('custom severity rules', () => {
  it('are data: the first matching rule wins, no match is low', () => {
    const rules: SeverityRule[] = [
      { category: 'packages', match: '*:nginx*:*', severity: 'high' },
      { match: '**', severity: 'medium' },
      ...defaultSeverityRules,
    ];
    expect(severityOf({ category: 'packages', key: 'dpkg:nginx-common:all' }, rules)).toBe('high');
    expect(severityOf({ category: 'packages', key: 'dpkg:openssl:amd64' }, rules)).toBe('medium');
    expect(severityOf({ category: 'cron', key: 'x' }, [])).toBe('low');
  });

  it('classify full fact keys', () => {
    const classify = severityClassifier();
    expect(classify('files:/etc/ssh/sshd_config')).toBe('high');
    expect(classify('files:/etc/ssh/sshd_config')).toBe('high');
    expect(classify('mounts:/var/lib/postgresql')).toBe('low');
  });
});
