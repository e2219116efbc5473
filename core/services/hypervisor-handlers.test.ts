import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallName, CallOutput, EventName, EventPayload } from '../contract/index';
import { MOCK_INVENTORY_URI, virshAvailable } from '../connectors/libvirt/test-support/mock-driver';
import { createApp } from './app';

const hasVirsh = virshAvailable('hypervisor contract tests');

const dir = mkdtempSync(join(tmpdir(), 'stagecraft-hv-contract-'));
const app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'alice' });
const events: { name: EventName; payload: unknown }[] = [];
app.onEvent((name, payload) => events.push({ name, payload }));

async function call<N extends CallName>(name: N, input: unknown): Promise<CallOutput<N>> {
  const result = await app.dispatch(name, input as never);
  if (!result.ok) throw Object.assign(new Error(result.error.message), result.error);
  return result.value as CallOutput<N>;
}

/** The end of a job, from its job.progress events. */
const jobEnd = (jobId: string) =>
  new Promise<EventPayload<'job.progress'>>((resolve) => {
    const poll = setInterval(() => {
      const end = events.map((e) => e.payload as EventPayload<'job.progress'>).find((p) => p?.jobId === jobId && p.state !== 'running');
      if (end) {
        clearInterval(poll);
        resolve(end);
      }
    }, 25);
  });

let hypervisorId: number;
beforeAll(async () => {
  await call('workspace.openDemo', {});
  hypervisorId = (await call('hypervisors.add', { name: 'kvm-int', uri: MOCK_INVENTORY_URI })).id;
});
afterAll(() => app.session.close());

describe.skipIf(!hasVirsh)('hypervisors through the contract (mock driver, demo workspace)', () => {
  it('lists a connection never read, then reads it as a job and shows VMs with their match to hosts', async () => {
    expect(await call('hypervisors.list', {})).toEqual([expect.objectContaining({ name: 'kvm-int', fetchedAt: null, domainCount: null })]);
    expect(await call('hypervisors.inventory', { id: hypervisorId })).toMatchObject({ fetchedAt: null, domains: [], unmatched: [] });

    const { jobId } = await call('hypervisors.refresh', { id: hypervisorId });
    expect(await jobEnd(jobId)).toMatchObject({ state: 'succeeded', done: 1, total: 1, message: expect.stringMatching(/^kvm-int: 8 VMs, 2 storage pools/) });
    const view = await call('hypervisors.inventory', { id: hypervisorId });
    expect(view.domains).toHaveLength(8);
    const web = view.domains.find((d) => d.name === 'pay-web-int-01')!;
    expect(web).toMatchObject({ state: 'running', vcpus: expect.any(Number), autostart: expect.any(Boolean), nics: [expect.objectContaining({ mac: '52:54:00:00:01:10', addresses: ['10.20.1.11'] })] });
    expect(web.snapshots.map((s) => s.name)).toEqual(['baseline', 'pre-release-2.4']);
    expect(web.disks[0]).toMatchObject({ pool: 'vmpool', volume: 'pay-web-int-01.qcow2' });
    expect(view.pools.map((p) => p.name).sort()).toEqual(['scratch', 'vmpool']);
    expect(Object.fromEntries(view.matches.map((m) => [m.domain, m.reason]))).toMatchObject({ 'pay-web-int-01': 'mac', 'db-legacy': 'address', 'PAY-APP-INT-01.corp.example': 'name' });
    expect(view.unmatched.sort()).toEqual(['ci-runner-07', 'sandbox-alice', 'tmpl-debian12']);
    expect((await call('hypervisors.list', {}))[0]).toMatchObject({ domainCount: 8, fetchedAt: view.fetchedAt });
  });

  it('runs a change only with the token of its own dry run, once, and audits it', async () => {
    const plan = await call('hypervisors.plan', { id: hypervisorId, op: { kind: 'snapshot-create', domain: 'db-legacy', name: 'before patch', description: 'CAB 42' } });
    expect(plan.kind).toBe('snapshot-create');
    expect(plan.description).toMatch(/Take snapshot "before patch" of db-legacy/);
    expect(plan.commands).toEqual([`virsh -c ${MOCK_INVENTORY_URI} snapshot-create-as --domain db-legacy --name 'before patch' --description 'CAB 42' --atomic`]);
    const audited = (await call('audit.verify', {})).entries;

    await expect(call('hypervisors.execute', { id: hypervisorId, token: 'made-up' })).rejects.toMatchObject({ code: 'not-found', message: /Nothing was run/ });
    expect((await call('audit.verify', {})).entries).toBe(audited);

    const { jobId } = await call('hypervisors.execute', { id: hypervisorId, token: plan.token });
    await expect(call('job.cancel', { jobId })).rejects.toMatchObject({ code: 'refused', message: /cannot be cancelled/ });
    expect(await jobEnd(jobId)).toMatchObject({ state: 'succeeded', done: 1, total: 1, message: expect.stringMatching(/Domain snapshot before patch created/) });
    const [entry] = await call('audit.entries', { limit: 1 });
    expect(entry).toMatchObject({ action: 'hypervisor.snapshot-create', actor: 'alice', subject: 'hypervisor kvm-int: db-legacy' });
    expect(JSON.parse(entry!.afterJson!)).toMatchObject({ outcome: 'done', commands: plan.commands });

    await expect(call('hypervisors.execute', { id: hypervisorId, token: plan.token })).rejects.toMatchObject({ code: 'not-found', message: /already used/ });
  });

  it('refuses to plan what cannot be done, with the reason and the remedy', async () => {
    await expect(call('hypervisors.plan', { id: hypervisorId, op: { kind: 'start', domain: 'pay-web-int-01' } })).rejects.toMatchObject({ code: 'io', message: /is running, not shut off/ });
    await expect(call('hypervisors.plan', { id: hypervisorId, op: { kind: 'snapshot-revert', domain: 'db-legacy', name: 'never-taken' } })).rejects.toMatchObject({ code: 'not-found' });
    await expect(call('hypervisors.plan', { id: hypervisorId, op: { kind: 'clone', template: 'tmpl-debian12', newName: '' } })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('plans the clone of a shut-off template with its new domain XML', async () => {
    const plan = await call('hypervisors.plan', { id: hypervisorId, op: { kind: 'clone', template: 'tmpl-debian12', newName: 'pay-web-int-02' } });
    expect(plan.commands[0]).toMatch(/vol-clone --pool vmpool --vol tmpl-debian12.qcow2 --newname pay-web-int-02.qcow2$/);
    expect(plan.commands.at(-1)).toMatch(/define --file \/dev\/stdin +< \(document below\)$/);
    expect(plan.documents[0]).toMatchObject({ title: 'Domain XML of pay-web-int-02', content: expect.stringContaining('<name>pay-web-int-02</name>') });
  });

  it('keeps the last inventory when a refresh fails, and says why', async () => {
    const before = await call('hypervisors.inventory', { id: hypervisorId });
    const broken = (await call('hypervisors.add', { name: 'gone', uri: `test://${join(dir, 'missing.xml')}` })).id;
    const { jobId } = await call('hypervisors.refresh', { id: broken });
    expect(await jobEnd(jobId)).toMatchObject({ state: 'failed', message: expect.stringMatching(/unreachable.*check that libvirtd/s) });
    expect(await call('hypervisors.inventory', { id: broken })).toMatchObject({ fetchedAt: null });
    expect((await call('hypervisors.inventory', { id: hypervisorId })).fetchedAt).toBe(before.fetchedAt);
    expect(await call('hypervisors.remove', { id: broken })).toEqual({ removed: true });
  });

  it('cancels a refresh: the last inventory stays', async () => {
    const before = await call('hypervisors.inventory', { id: hypervisorId });
    const { jobId } = await call('hypervisors.refresh', { id: hypervisorId });
    expect(await call('job.cancel', { jobId })).toEqual({ cancelled: true });
    expect(await jobEnd(jobId)).toMatchObject({ state: 'cancelled', message: /cancelled: the last inventory is kept/ });
    expect((await call('hypervisors.inventory', { id: hypervisorId })).fetchedAt).toBe(before.fetchedAt);
  });

  it('imports only unmatched VMs into the chosen stage and role, all or nothing', async () => {
    const payments = (await call('services.list', {})).find((s) => s.name === 'payments-api')!;
    const integration = payments.stages.find((s) => s.name === 'integration')!;
    const hosts = (await call('workspace.current', {}))!.counts.hosts;
    await expect(call('hypervisors.importDomains', { id: hypervisorId, domains: ['ci-runner-07', 'pay-web-int-01'], stageId: integration.id, role: 'app' })).rejects.toMatchObject({
      code: 'conflict',
      message: /pay-web-int-01/,
    });
    expect((await call('workspace.current', {}))!.counts.hosts).toBe(hosts);
    const created = await call('hypervisors.importDomains', { id: hypervisorId, domains: ['ci-runner-07'], stageId: integration.id, role: 'app' });
    expect(created).toEqual([expect.objectContaining({ name: 'ci-runner-07', domain: 'ci-runner-07' })]);
    expect((await call('environment.get', { stageId: integration.id })).hosts.map((h) => h.name)).toContain('ci-runner-07');
    expect((await call('hypervisors.inventory', { id: hypervisorId })).unmatched.sort()).toEqual(['sandbox-alice', 'tmpl-debian12']);
    expect(events.some((e) => e.name === 'workspace.changed')).toBe(true);
  });
});
