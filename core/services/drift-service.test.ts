import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkspaceStore } from '../store/workspace-store';
import { buildDemoWorkspace } from './demo';
import { stageParity } from '../domain/drift';
import { summariseParity } from '../domain/parity';
import { DriftService } from './drift-service';

let store: WorkspaceStore;
let drift: DriftService;
const stageOf = (service: string, stage: string) => store.inventory.listServices().find((s) => s.name === service)!.stages.find((s) => s.name === stage)!;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-drift-'));
  store = buildDemoWorkspace(join(dir, 'demo.stagecraft'), join(process.cwd(), 'resources'));
  drift = new DriftService(store);
});
afterAll(() => store.close());

describe('drift of the demo workspace (real captured hosts, planted drift)', () => {
  it('finds the unpatched host in payments-api staging, with real Debian versions', () => {
    const detail = drift.stageDetail(stageOf('payments-api', 'staging').id);
    const libssl = detail.production.items.find((i) => i.key === 'dpkg:libssl3:amd64');
    expect(libssl).toMatchObject({ kind: 'changed', severity: 'high', hosts: ['pay-app-stg-02'], role: 'app' });
    expect(libssl!.expected).toMatch(/^3\.0\.\d+-1~deb12u\d+$/);
    expect(detail.production.parity).toBeLessThan(1);
  });

  it('sees a stage with nothing planted as 100 % in parity', () => {
    const summary = drift.serviceDrift(store.inventory.listServices().find((s) => s.name === 'identity')!.id);
    expect(summary.stages.find((s) => s.stageName === 'integration')!.production).toMatchObject({ parity: 1, severity: { high: 0, medium: 0, low: 0 } });
  });

  it('marks edges between stages that differ', () => {
    const service = store.inventory.listServices().find((s) => s.name === 'payments-api')!;
    const summary = drift.serviceDrift(service.id);
    const stagingToUat = summary.edges.find((e) => e.from === stageOf('payments-api', 'staging').id);
    expect(stagingToUat!.differences).toBeGreaterThan(0);
  });

  it('compares a stage with its image, and a derived image shows as drift where hosts lag', () => {
    const integration = drift.stageDetail(stageOf('payments-api', 'integration').id);
    expect(integration.image?.label).toBe('v2');
    expect(integration.image?.items).toEqual([]); // v2 was applied to integration's web hosts
    const staging = drift.stageDetail(stageOf('payments-api', 'staging').id);
    expect(staging.image?.label).toBe('v1');
    expect(staging.image?.items.map((i) => i.key)).toContain('dpkg:libssl3:amd64');
  });

  it('finds the production-only change as drift within production', () => {
    const production = drift.stageDetail(stageOf('payments-api', 'production').id);
    const sshd = production.consistency.find((c) => c.role === 'web')!.report.items.find((i) => i.key === '/etc/ssh/sshd_config');
    expect(sshd).toMatchObject({ severity: 'high', hosts: ['pay-web-prd-01'] });
  });

  it('ignore rules remove exactly what they match', () => {
    const uat = stageOf('payments-api', 'uat').id;
    const before = drift.stageDetail(uat).production.items;
    expect(before.map((i) => i.key)).toContain('/etc/nginx/nginx.conf');
    const rule = store.write({ actor: 'test', action: 'ignore.add', subject: 'nginx' }, () =>
      store.drift.addIgnoreRule({ scope: { service: 'payments-api', role: 'web' }, category: 'files', key: '/etc/nginx/nginx.conf' }, 'test'),
    );
    const after = drift.stageDetail(uat).production;
    expect(after.items.map((i) => i.key)).not.toContain('/etc/nginx/nginx.conf');
    expect(after.items.length).toBe(before.length - 1);
    store.write({ actor: 'test', action: 'ignore.remove', subject: 'nginx' }, () => store.drift.removeIgnoreRule(rule.id));
  });

  it('works out every stage against production together exactly as stage by stage, and after a new snapshot', () => {
    const stageByStage = (serviceId: number) => {
      const service = store.inventory.getService(serviceId);
      const env = (stageId: number) => drift.environmentSnapshots(store.inventory.environment(stageId)).byRole;
      const production = env(service.stages.find((s) => s.isProduction)!.id);
      return service.stages.map((s) => summariseParity(stageParity(production, env(s.id), drift.options(service.name))));
    };
    for (const service of store.inventory.listServices()) {
      expect(new DriftService(store).serviceDrift(service.id).stages.map((s) => s.production)).toEqual(stageByStage(service.id));
    }
    // A new snapshot for one preproduction host: only its stage is compared again, the rest remembered.
    const service = store.inventory.listServices().find((s) => s.name === 'payments-api')!;
    const staging = store.inventory.environment(stageOf('payments-api', 'staging').id);
    const host = staging.hosts[0]!;
    const latest = store.snapshots.latestByHost(undefined, [host.id]).get(host.id)!;
    const snapshot = store.snapshots.load(latest.id);
    const warm = new DriftService(store);
    warm.serviceDrift(service.id);
    store.write({ actor: 'test', action: 'snapshot.import', subject: host.name }, () =>
      store.snapshots.save(host.id, { ...snapshot, capturedAt: new Date(Date.parse(snapshot.capturedAt) + 1000).toISOString(), packages: snapshot.packages.slice(1) }),
    );
    expect(warm.serviceDrift(service.id)).toEqual(new DriftService(store).serviceDrift(service.id));
    expect(warm.serviceDrift(service.id).stages.map((s) => s.production)).toEqual(stageByStage(service.id));
  });

  it('recorded a parity trend that shows when the drift appeared', () => {
    const trend = store.drift.parityTrend(stageOf('payments-api', 'staging').id);
    expect(trend.length).toBeGreaterThanOrEqual(8);
    expect(trend[0]!.parity).toBe(1);
    expect(trend[trend.length - 1]!.parity).toBeLessThan(1);
  });
});

describe('the demo on a fresh machine', () => {
  it('is built even when the data folder does not exist yet', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'stagecraft-fresh-')), 'not', 'yet', 'there', 'demo.stagecraft');
    const demo = buildDemoWorkspace(fresh, join(process.cwd(), 'resources'), { replace: true });
    expect(demo.summary().counts.services).toBe(4);
    demo.close();
  });
});
