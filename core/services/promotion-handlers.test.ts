import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app';

let app: ReturnType<typeof createApp>;
const call = async <T>(name: Parameters<typeof app.dispatch>[0], input: unknown): Promise<T> => {
  const result = await app.dispatch(name, input);
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value as T;
};
type Service = { id: number; name: string; stages: { id: number; name: string; image: { id: number; label: string } | null }[]; edges: { from: number; to: number }[] };
let payments: Service;
const stage = (name: string) => payments.stages.find((s) => s.name === name)!;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-promotion-'));
  app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
  await call('workspace.openDemo', {});
  payments = (await call<Service[]>('services.list', {})).find((s) => s.name === 'payments-api')!;
});
afterAll(() => app.session.close());

describe('promotions on the demo workspace', () => {
  it('lights up only the next stage for image v2 in testing, and says why not elsewhere', async () => {
    const v2 = stage('testing').image!;
    const targets = await call<{ stageName: string; allowed: boolean; reasons: string[] }[]>('promotion.targets', { serviceId: payments.id, imageId: v2.id, fromStageId: stage('testing').id });
    expect(targets.find((t) => t.stageName === 'staging')).toMatchObject({ allowed: true, reasons: [] });
    expect(targets.find((t) => t.stageName === 'uat')).toMatchObject({ allowed: false, reasons: ['uat is not next after testing: it would skip staging.'] });
    expect(targets.find((t) => t.stageName === 'integration')?.reasons[0]).toMatch(/upstream/);
  });

  it('plans v2 onto staging: the sshd hardening on every web host, with a restart, and the lagging app host left to its image', async () => {
    const v2 = stage('testing').image!;
    const proposal = await call<{ plan: { hosts: { host: string; steps: { kind: string; action?: string; path?: string; name?: string }[] }[] }; verdict: { allowed: boolean }; risk: { score: number; factors: { name: string }[] } }>(
      'promotion.plan',
      { serviceId: payments.id, imageId: v2.id, fromStageId: stage('testing').id, toStageId: stage('staging').id },
    );
    const web = proposal.plan.hosts.find((h) => h.host === 'pay-web-stg-01')!;
    expect(web.steps).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'file', action: 'write', path: '/etc/ssh/sshd_config' }), expect.objectContaining({ kind: 'service', action: 'restart', name: 'ssh.service' })]));
    // pay-app-stg-02 lags on openssl/openssh: the plan brings it up to the image.
    const app2 = proposal.plan.hosts.find((h) => h.host === 'pay-app-stg-02')!;
    expect(app2.steps.filter((s) => s.kind === 'package').map((s) => s.action)).toEqual(expect.arrayContaining(['upgrade']));
    expect(proposal.risk.factors.map((f) => f.name)).toContain('high-severity changes');
  });

  it('saves a draft change and can discard it again, all audited', async () => {
    const v2 = stage('testing').image!;
    const draft = await call<{ id: number; state: string; title: string }>('promotion.saveDraft', {
      serviceId: payments.id,
      imageId: v2.id,
      fromStageId: stage('testing').id,
      toStageId: stage('staging').id,
      title: 'Promote v2 to staging',
    });
    expect(draft).toMatchObject({ state: 'draft', title: 'Promote v2 to staging' });
    expect((await call<{ id: number }[]>('changes.list', { serviceId: payments.id })).map((c) => c.id)).toContain(draft.id);
    await expect(call('lifecycle.edit', { serviceId: payments.id, edit: { kind: 'remove-stage', stageId: stage('staging').id } })).rejects.toThrow(/still has 5 hosts/);
    await call('changes.discardDraft', { changeId: draft.id });
    expect(await call('changes.list', { serviceId: payments.id })).toEqual([]);
    expect(await call('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('refuses to save a draft the lifecycle forbids', async () => {
    await expect(
      call('promotion.saveDraft', { serviceId: payments.id, imageId: stage('testing').image!.id, fromStageId: stage('testing').id, toStageId: stage('production').id, title: 'skip' }),
    ).rejects.toThrow(/not next after testing/);
  });

  it('simulates the path to production with dates', async () => {
    const hops = await call<{ to: { name: string }; arrivesAt: string | null; blockers: string[] }[]>('promotion.whatIf', { serviceId: payments.id, imageId: stage('testing').image!.id, fromStageId: stage('testing').id });
    expect(hops.map((h) => h.to.name)).toEqual(['staging', 'uat', 'production']);
    expect(hops.every((h) => h.arrivesAt !== null)).toBe(true);
    expect(Date.parse(hops[2]!.arrivesAt!) - Date.parse(hops[1]!.arrivesAt!)).toBeGreaterThanOrEqual(72 * 3_600_000);
  });

  it('edits a lifecycle: adds a stage between staging and uat, renames it, refuses a cycle, removes it', async () => {
    const added = await call<Service>('lifecycle.edit', { serviceId: payments.id, edit: { kind: 'add-stage', name: 'perf', position: 3 } });
    const perf = added.stages.find((s) => s.name === 'perf')!;
    expect(added.edges).toEqual(expect.arrayContaining([{ from: stage('staging').id, to: perf.id }, { from: perf.id, to: stage('uat').id }]));
    const renamed = await call<Service>('lifecycle.edit', { serviceId: payments.id, edit: { kind: 'rename-stage', stageId: perf.id, name: 'performance' } });
    expect(renamed.stages.map((s) => s.name)).toContain('performance');
    await expect(call('lifecycle.edit', { serviceId: payments.id, edit: { kind: 'add-edge', from: stage('uat').id, to: stage('testing').id } })).rejects.toThrow(/cycle/);
    const removed = await call<Service>('lifecycle.edit', { serviceId: payments.id, edit: { kind: 'remove-stage', stageId: perf.id } });
    expect(removed.stages.map((s) => s.name)).toEqual(['integration', 'testing', 'staging', 'uat', 'production']);
    expect(removed.edges).toContainEqual({ from: stage('staging').id, to: stage('uat').id });
  });

  it('keeps policies per stage, with defaults, and templates that create new services', async () => {
    expect(await call('policy.get', { stageId: stage('production').id })).toMatchObject({ isDefault: true, minSoakHours: 72, approvals: { count: 2, roles: ['cab'] } });
    const policy = { requiredPredecessors: null, minSoakHours: 24, approvals: { count: 3, roles: ['cab'] }, allowSelfApproval: false, parityThreshold: 0.99, freezeWindows: [{ kind: 'weekly', days: ['fri'], startTime: '16:00', durationMinutes: 3840, timeZone: 'Europe/Berlin', reason: 'weekend' }] };
    expect(await call('policy.set', { stageId: stage('production').id, policy })).toMatchObject({ isDefault: false, approvals: { count: 3 } });
    const template = await call<{ id: number }>('templates.save', { serviceId: payments.id, name: 'Five stages, CAB for production' });
    const created = await call<Service>('services.create', { name: 'billing', roles: ['app', 'db'], templateId: template.id });
    expect(created.stages.map((s) => s.name)).toEqual(['integration', 'testing', 'staging', 'uat', 'production']);
    expect(await call('policy.get', { stageId: created.stages.find((s) => s.name === 'production')!.id })).toMatchObject({ isDefault: false, approvals: { count: 3 } });
  });
});

describe('accepting drift into a new image', () => {
  it('takes the production-only sshd change into a new image derived from v1, assigned to production', async () => {
    const production = stage('production');
    const before = await call<{ stages: { isProduction: boolean; productionOnly: number }[] }>('drift.service', { serviceId: payments.id });
    expect(before.stages.find((s) => s.isProduction)!.productionOnly).toBe(1);
    const accepted = await call<{ label: string; parentId: number; assignedTo: number[]; lineage: { derivedBy?: string[] } }>('image.acceptDrift', { stageId: production.id });
    expect(accepted).toMatchObject({ parentId: production.image!.id, assignedTo: [production.id] });
    expect(accepted.lineage.derivedBy?.join(' ')).toMatch(/\/etc\/ssh\/sshd_config/);
    const detail = await call<{ image: { items: { key: string; hosts: string[] }[] } }>('drift.stage', { stageId: production.id });
    // Now the hosts without the hardening are the ones that drift from what production should run.
    expect(detail.image.items.find((i) => i.key === '/etc/ssh/sshd_config')?.hosts).toEqual(['pay-web-prd-02', 'pay-web-prd-03']);
    // They still run what the parent image had: lagging, not a production-only change.
    const summary = await call<{ stages: { isProduction: boolean; productionOnly: number }[] }>('drift.service', { serviceId: payments.id });
    expect(summary.stages.find((s) => s.isProduction)!.productionOnly).toBe(0);
  });
});
