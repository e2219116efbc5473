import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { backoutPlanOf, implementationPlanOf, testPlanOf } from './change-record';
import type { PromotionPlan } from './promotion-plan';

const plan: PromotionPlan = {
  image: 'v2',
  hosts: [
    { host: 'web-01', role: 'web', rebootNeeded: false, steps: [{ kind: 'file', action: 'write', path: '/etc/ssh/sshd_config', severity: 'high' }, { kind: 'service', action: 'restart', name: 'ssh.service', because: 'its configuration changed', severity: 'medium' }] },
    { host: 'web-02', role: 'web', rebootNeeded: false, steps: [{ kind: 'file', action: 'write', path: '/etc/ssh/sshd_config', severity: 'high' }, { kind: 'service', action: 'restart', name: 'ssh.service', because: 'its configuration changed', severity: 'medium' }] },
    { host: 'db-01', role: 'db', rebootNeeded: true, steps: [{ kind: 'package', action: 'upgrade', manager: 'dpkg', name: 'linux-image-amd64', arch: 'amd64', from: '6.1.1', to: '6.1.2', severity: 'high' }] },
    { host: 'db-02', role: 'db', rebootNeeded: false, steps: [] },
  ],
  unscanned: ['db-03'],
  summary: { hostsAffected: 3, steps: 5, byKind: { file: 2, service: 2, package: 1 }, highSeverity: 3, rebootNeeded: 1 },
};

describe('generated change plans', () => {
  it('lists the steps once per group of hosts that get the same ones, with reboots and unscanned hosts', () => {
    expect(implementationPlanOf(plan, 'staging')).toBe(
      [
        'Bring staging to image v2.',
        '1. On web-01, web-02 (web):',
        '   - write /etc/ssh/sshd_config',
        '   - restart ssh.service (its configuration changed)',
        '2. On db-01 (db):',
        '   - upgrade package linux-image-amd64 6.1.1 → 6.1.2',
        '   - reboot (kernel, libc or systemd changed)',
        'Not planned (never scanned): db-03. Scan them and re-plan before implementing.',
      ].join('\n'),
    );
  });

  it('backs out VMs by reverting a snapshot taken before the change, and other hosts by the previous image', () => {
    const backout = backoutPlanOf(plan, { changeId: 7, targetStage: 'staging', previousImage: 'v1', vms: [{ host: 'web-01', hypervisor: 'kvm-01', domain: 'web-01.stg' }, { host: 'db-02', hypervisor: 'kvm-01', domain: 'db-02' }] });
    expect(backout).toBe(
      [
        'Before implementing, snapshot each VM as "stagecraft-change-7-run-R" (R: the number of the apply run); to back out, revert it:',
        '   - web-01: revert domain web-01.stg on hypervisor kvm-01 to snapshot stagecraft-change-7-run-R',
        'Return web-02, db-01 to the previous image of staging, v1: plan a promotion of v1 onto staging and apply it.',
        'Then rescan staging and expect its drift to be what it was before the change.',
      ].join('\n'),
    );
    expect(backoutPlanOf(plan, { changeId: 7, targetStage: 'staging', previousImage: null, vms: [] })).toMatch(/^staging had no image before: restore web-01, web-02, db-01 to the state of their last snapshot/);
  });

  it('words package and sysctl steps as apply labels their commands, with the sysctl value they replace', () => {
    const steps: PromotionPlan['hosts'][number]['steps'] = [
      { kind: 'package', action: 'install', manager: 'dpkg', name: 'jq', arch: 'amd64', to: '1.6-2', severity: 'low' },
      { kind: 'package', action: 'remove', manager: 'dpkg', name: 'telnet', arch: 'amd64', from: '0.17-44', severity: 'low' },
      { kind: 'sysctl', key: 'vm.swappiness', from: '60', to: '10', severity: 'low' },
    ];
    const lines = implementationPlanOf({ ...plan, hosts: [{ host: 'app-01', role: 'app', rebootNeeded: false, steps }], unscanned: [] }, 'staging').split('\n');
    expect(lines.slice(2)).toEqual(['   - install package jq 1.6-2', '   - remove package telnet 0.17-44', '   - set sysctl vm.swappiness = 10 (was 60)']);
  });

  it('tests by rescanning for zero drift and checking the restarted services and rebooted hosts', () => {
    expect(testPlanOf(plan, 'staging')).toBe('Rescan every host of staging and expect zero drift against image v2.\nCheck that ssh.service is active on the hosts that changed.\nCheck that rebooted hosts came back and run the new kernel.');
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level, drops undefined, and is independent of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 'x' }, z: undefined })).toBe('{"a":{"c":"x","d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});
