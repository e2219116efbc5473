import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import olderCapture from '../../resources/demo/captures/web.older.json';
import webCapture from '../../resources/demo/captures/web.json';
import type { Snapshot } from './facts';
import { captureImage, deriveImage } from './image';
import { DEFAULT_GOVERNANCE } from './image-defaults';
import { normaliseSnapshot } from './normalise';
import { planHost, planPromotion } from './promotion-plan';
import { assessRisk } from './promotion-risk';

/** Real captured Debian web hosts, given their own identities. */
const host = (capture: unknown, hostname: string, address: string): Snapshot => {
  const snapshot = normaliseSnapshot(capture as Snapshot);
  return { ...snapshot, host: { ...snapshot.host, hostname, fqdn: `${hostname}.example.com`, addresses: [address] } };
};
const current = host(webCapture, 'web-prd-01', '10.1.0.11');
const lagging = host(olderCapture, 'web-stg-01', '10.2.0.11');
const image = captureImage({ service: 'shop', label: 'v1', stage: 'production', snapshotsByRole: { web: [current] }, governs: DEFAULT_GOVERNANCE, at: '2026-11-01T00:00:00Z' });

describe('promotion planner', () => {
  it('plans nothing for a host that already matches the image', () => {
    expect(planHost(image, { host: 'web-prd-01', role: 'web', snapshot: current }).steps).toEqual([]);
  });

  it('upgrades the packages a lagging host is behind on, with real versions, before anything else', () => {
    const plan = planHost(image, { host: 'web-stg-01', role: 'web', snapshot: lagging });
    const upgrades = plan.steps.filter((s) => s.kind === 'package');
    expect(upgrades.map((s) => s.kind === 'package' && [s.name, s.action])).toEqual(
      expect.arrayContaining([
        ['libssl3', 'upgrade'],
        ['openssh-server', 'upgrade'],
      ]),
    );
    const libssl = upgrades.find((s) => s.kind === 'package' && s.name === 'libssl3');
    expect(libssl).toMatchObject({ from: '3.0.20-1~deb12u2', to: '3.0.22-1~deb12u2', severity: 'high' });
    expect(plan.steps[0]!.kind).toBe('package');
  });

  it('downgrades when the image is older, and orders removals after installs', () => {
    const old = captureImage({ service: 'shop', label: 'v0', stage: 'staging', snapshotsByRole: { web: [lagging] }, governs: DEFAULT_GOVERNANCE, at: '2026-10-01T00:00:00Z' });
    const withExtra: Snapshot = { ...current, packages: [...current.packages, { manager: 'dpkg', name: 'zz-debug-tool', version: '1.0', arch: 'amd64' }] };
    const plan = planHost(old, { host: 'web-prd-01', role: 'web', snapshot: withExtra });
    const actions = plan.steps.filter((s) => s.kind === 'package').map((s) => s.kind === 'package' && s.action);
    expect(actions).toContain('downgrade');
    expect(actions[actions.length - 1]).toBe('remove');
    expect(actions.indexOf('downgrade')).toBeLessThan(actions.indexOf('remove'));
  });

  it('writes a changed file rendered for each host and restarts the service that reads it', () => {
    const nginx = current.files.find((f) => f.path === '/etc/nginx/nginx.conf')!;
    const v2 = deriveImage(image, [{ kind: 'set-file', role: 'web', path: '/etc/nginx/nginx.conf', content: `${nginx.content!}# served by {{hostname}}\n` }], { label: 'v2' });
    const plan = planHost(v2, { host: 'web-prd-01', role: 'web', snapshot: current });
    const write = plan.steps.find((s) => s.kind === 'file');
    expect(write).toMatchObject({ action: 'write', path: '/etc/nginx/nginx.conf', mode: nginx.mode, previous: nginx.content });
    expect(write?.kind === 'file' && write.content).toMatch(/# served by web-prd-01\n$/);
    const restart = plan.steps.find((s) => s.kind === 'service' && s.action === 'restart');
    expect(restart).toMatchObject({ name: 'nginx.service', because: '/etc/nginx/nginx.conf changed' });
    expect(plan.steps.indexOf(write!)).toBeLessThan(plan.steps.indexOf(restart!));
  });

  it('leaves ungoverned facts alone', () => {
    const packagesOnly = { ...image, governs: { categories: ['packages' as const], paths: [] } };
    const plan = planHost(packagesOnly, { host: 'web-stg-01', role: 'web', snapshot: { ...lagging, sysctl: { 'vm.swappiness': '1' } } });
    expect(plan.steps.every((s) => s.kind === 'package')).toBe(true);
  });

  it('lists unscanned hosts and sums up the plan', () => {
    const plan = planPromotion(image, [
      { host: 'web-stg-01', role: 'web', snapshot: lagging },
      { host: 'web-stg-02', role: 'web', snapshot: null },
      { host: 'web-stg-03', role: 'web', snapshot: current },
    ]);
    expect(plan.unscanned).toEqual(['web-stg-02']);
    expect(plan.hosts.map((h) => h.host)).toEqual(['web-stg-01']);
    expect(plan.summary.byKind['package upgrade']).toBeGreaterThanOrEqual(4);
    expect(plan.summary.highSeverity).toBeGreaterThanOrEqual(4);
  });

  it('plans nothing onto hosts captured into the image, whatever their subset of packages (property)', () => {
    fc.assert(
      fc.property(fc.subarray(current.packages, { minLength: 1 }), (packages) => {
        const snapshot = { ...current, packages };
        const own = captureImage({ service: 's', label: 'p', stage: 'x', snapshotsByRole: { web: [snapshot] }, governs: DEFAULT_GOVERNANCE, at: '2026-01-01T00:00:00Z' });
        expect(planHost(own, { host: 'h', role: 'web', snapshot }).steps).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});

describe('promotion risk', () => {
  it('explains its score: production, hosts, high-severity changes, drift in the target', () => {
    const plan = planPromotion(image, [{ host: 'web-stg-01', role: 'web', snapshot: lagging }]);
    const production = assessRisk({ plan, toProduction: true, targetParity: 0.97 });
    const staging = assessRisk({ plan, toProduction: false, targetParity: 1 });
    expect(production.score).toBeGreaterThan(staging.score);
    expect(production.factors.map((f) => f.name)).toEqual(expect.arrayContaining(['production', 'high-severity changes', 'drift in the target']));
    expect(production.factors.reduce((sum, f) => sum + f.points, 0)).toBe(production.score);
    expect(['medium', 'high', 'critical']).toContain(production.level);
  });
});
