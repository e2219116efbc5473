import { describe, expect, it } from 'vitest';
import { backupPathOf, hostApplyScript, rollbackCommands, sysctlFile } from './apply-plan';
import type { PlanStep } from './promotion-plan';

const steps: PlanStep[] = [
  { kind: 'package', action: 'upgrade', manager: 'dpkg', name: 'nginx', arch: 'amd64', from: '1.22-1', to: '1.24-1', severity: 'medium' },
  { kind: 'package', action: 'install', manager: 'dpkg', name: 'jq', arch: 'amd64', to: '1.6-2', severity: 'low' },
  { kind: 'file', action: 'write', path: '/etc/nginx/nginx.conf', mode: '0640', owner: 'root', group: 'www-data', content: 'worker_processes 4;\n', previous: 'worker_processes 2;\n', severity: 'medium' },
  { kind: 'sysctl', key: 'vm.swappiness', from: '60', to: '10', severity: 'low' },
  { kind: 'service', action: 'restart', name: 'nginx.service', because: '/etc/nginx/nginx.conf changed', severity: 'medium' },
];
const options = { host: 'web1', user: 'deploy', backupDir: '/var/backups/stagecraft/change-7/run-2' };

describe('the commands that apply a host plan', () => {
  it('pins versions, runs through sudo -n for a non-root account, keeps the plan order, and sends file content on stdin', () => {
    const script = hostApplyScript(steps, options);
    const argv = script.steps.flatMap((s) => s.commands.map((c) => c.argv));
    expect(argv.every((words) => words.slice(0, 3).join(' ') === 'sudo -n --')).toBe(true);
    expect(script.steps.slice(0, 2).map((s) => s.commands.map((c) => c.label))).toEqual([
      ['record configuration-file copies there before', 'upgrade package nginx 1.22-1 → 1.24-1'],
      ['install package jq 1.6-2', 'remove configuration-file copies this apply left; put back those there before'],
    ]);
    expect(argv[1]!.slice(3)).toEqual(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-y', '-q', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--allow-downgrades', '--no-remove', 'install', 'nginx=1.24-1']);
    const write = script.steps[2]!.commands[0]!;
    expect(write.argv.slice(3, 5)).toEqual(['sh', '-c']);
    expect(write.argv.slice(-5)).toEqual(['stagecraft-apply', '/etc/nginx/nginx.conf', '0640', 'root', 'www-data']);
    expect(write.stdin).toBe('worker_processes 4;\n');
    expect(write.argv[5]).toMatch(/mktemp -- "\$dir\/\.stagecraft-XXXXXX"[\s\S]*sync -- "\$tmp"[\s\S]*mv -f -- "\$tmp" "\$1"/);
    expect(script.steps[3]!.commands[0]!.stdin).toBe('vm.swappiness = 10\n');
    expect(script.steps[3]!.commands[0]!.argv.at(-4)).toBe(sysctlFile('vm.swappiness'));
    expect(script.steps[4]!.commands.map((c) => c.argv.slice(3))).toEqual([['systemctl', 'daemon-reload'], ['systemctl', 'restart', '--', 'nginx.service']]);
    expect(script.steps.flatMap((s) => s.commands).every((c) => c.timeoutMs > 0)).toBe(true);
  });

  it('as root, no sudo; dnf and apk pin their own way', () => {
    const root = hostApplyScript([{ ...steps[0]!, manager: 'rpm' } as PlanStep, { kind: 'package', action: 'downgrade', manager: 'apk', name: 'curl', arch: 'x86_64', from: '8.5.0-r0', to: '8.4.0-r0', severity: 'low' }], { ...options, user: 'root' });
    expect(root.steps.map((s) => s.commands.find((c) => c.label === s.label)!.argv)).toEqual([
      ['dnf', '-y', 'install', 'nginx-1.24-1'],
      ['apk', 'add', 'curl=8.4.0-r0'],
    ]);
  });

  it('backs up versions and every file it will write first, each at a recorded path', () => {
    const script = hostApplyScript(steps, options);
    expect(script.backup.map((c) => c.label)).toEqual(['record package versions', 'back up /etc/nginx/nginx.conf', `back up ${sysctlFile('vm.swappiness')}`, 'record the live value of vm.swappiness']);
    expect(script.backups).toEqual([
      { path: '/etc/nginx/nginx.conf', backupPath: '/var/backups/stagecraft/change-7/run-2/files/etc/nginx/nginx.conf' },
      { path: sysctlFile('vm.swappiness'), backupPath: backupPathOf(options.backupDir, sysctlFile('vm.swappiness')) },
    ]);
    expect(script.backup[0]!.argv.slice(-3)).toEqual(['dpkg', 'nginx', 'jq']);
    // A new file's first missing folder is recorded in a tree of its own, never beside a backed-up file.
    expect(script.backup[1]!.argv.slice(-3)).toEqual(['/etc/nginx/nginx.conf', backupPathOf(options.backupDir, '/etc/nginx/nginx.conf'), `${options.backupDir}/created-dirs/etc/nginx/nginx.conf`]);
    expect(script.backup[3]!.argv.slice(-2)).toEqual(['vm.swappiness', `${options.backupDir}/sysctl/vm.swappiness`]);
  });

  it('rolls back only the steps that started: files first, then previous versions, then services', () => {
    const script = hostApplyScript(steps, options);
    expect(rollbackCommands(script, new Set([0, 1, 2, 3, 4])).map((c) => c.label)).toEqual([
      'restore /etc/nginx/nginx.conf',
      `restore ${sysctlFile('vm.swappiness')}`,
      'put back the live value of vm.swappiness',
      'reinstall nginx 1.22-1',
      'remove jq if installed',
      'remove configuration-file copies this apply left; put back those there before',
      'reload systemd units',
      'restart service nginx.service',
    ]);
    expect(rollbackCommands(script, new Set([0])).map((c) => c.label)).toEqual(['reinstall nginx 1.22-1', 'remove configuration-file copies this apply left; put back those there before']);
    expect(rollbackCommands(hostApplyScript(steps.slice(2), options), new Set([0, 1, 2])).map((c) => c.label)).not.toContain('remove configuration-file copies this apply left; put back those there before');
    expect(rollbackCommands(script, new Set())).toEqual([]);
  });

  it('keeps hostile values as single words: nothing the plan carries becomes shell syntax', () => {
    const path = `/etc/app/it's; rm -rf / $(reboot) \`id\`.conf`;
    const script = hostApplyScript([{ kind: 'file', action: 'write', path, content: '$(x)\n', previous: null, severity: 'low' }], options);
    const write = script.steps[0]!.commands[0]!;
    expect(write.argv.at(-4)).toBe(path);
    expect(write.argv[5]).not.toContain(path);
  });

  it('refuses what cannot be done safely, saying what to do', () => {
    expect(() => hostApplyScript([{ kind: 'package', action: 'install', manager: 'dpkg', name: '--force-all', arch: 'all', to: '1', severity: 'low' }], options)).toThrow(/is not a package name/);
    expect(() => hostApplyScript([{ kind: 'file', action: 'write', path: '/etc/blob', previous: null, severity: 'low' }], options)).toThrow(/no text content for \/etc\/blob/);
    // A key is a file name too: one that would reach another folder is refused before anything is built.
    expect(() => hostApplyScript([{ kind: 'sysctl', key: 'x/../../../etc/passwd', to: '1', severity: 'low' }], options)).toThrow(/is not a sysctl key this apply can set/);
  });
});
