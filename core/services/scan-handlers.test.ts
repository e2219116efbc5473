import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../contract/index';
import { generateKey, makeTempDir, TestSshd, type KeyPair } from '../connectors/ssh/test-support/sshd';
import { createApp } from './app';

let dir: string;
let key: KeyPair;
let sshd: TestSshd;

beforeAll(async () => {
  dir = makeTempDir('scan-contract');
  key = generateKey(dir, 'client');
  sshd = await TestSshd.start({ authorizedKeys: [key.publicLine] });
});
afterAll(async () => sshd?.stop());

/** The app as a shell sees it, with its events recorded, scanning a real sshd on loopback. */
async function appWithHost() {
  const app = createApp({
    shell: 'cli',
    resourcesDir: join(process.cwd(), 'resources'),
    dataDir: dir,
    defaultWorkspaceDir: dir,
    ssh: { identityFiles: [key.privateFile], knownHostsFiles: [join(dir, 'none')], sshConfigFile: null, agentSocket: null, connectTimeoutMs: 5000 },
  });
  const events: { name: EventName; payload: unknown }[] = [];
  app.onEvent((name, payload) => events.push({ name, payload }));
  const created = await app.dispatch('workspace.create', { path: join(dir, `scan-${Date.now()}-${Math.random()}`), name: 'Scan' });
  expect(created.ok).toBe(true);
  const store = app.session.require();
  store.write({ actor: 't', action: 'service.create', subject: 'svc' }, () => store.inventory.createService({ name: 'svc', stages: ['staging', 'production'], roles: ['web'] }));
  const [staging] = store.inventory.listServices()[0]!.stages;
  const added = await app.dispatch('hosts.add', { name: 'local', address: '127.0.0.1', port: sshd.port, sshUser: userInfo().username, stageId: staging!.id, role: 'web' });
  expect(added.ok).toBe(true);
  return { app, events, stageId: staging!.id };
}

const jobEnd = (events: { name: EventName; payload: unknown }[]) =>
  new Promise<EventPayload<'job.progress'>>((resolve) => {
    const poll = setInterval(() => {
      const end = events.map((e) => e.payload as EventPayload<'job.progress'>).find((p) => p && 'state' in p && p.state !== 'running');
      if (end) {
        clearInterval(poll);
        resolve(end);
      }
    }, 50);
  });

describe('scan.start through the contract', () => {
  it('refuses an unknown host key with its fingerprint, then trusts it when told, saves the snapshot and records parity', async () => {
    const { app, events, stageId } = await appWithHost();
    const first = await app.dispatch('scan.start', { stageId });
    expect(first).toMatchObject({ ok: true, value: { hosts: [{ name: 'local' }] } });
    expect(await jobEnd(events)).toMatchObject({ state: 'failed', message: '0 saved, 1 failed' });
    const refused = events.find((e) => e.name === 'scan.progress' && (e.payload as EventPayload<'scan.progress'>).phase === 'failed')!.payload as EventPayload<'scan.progress'>;
    expect(refused.failure).toMatchObject({ kind: 'host-key-unknown', fingerprint: expect.stringMatching(/^SHA256:/) });
    expect(app.session.require().summary().counts.snapshots).toBe(0);

    events.length = 0;
    await app.dispatch('scan.start', { stageId, acceptNewHostKeys: true });
    expect(await jobEnd(events)).toMatchObject({ state: 'succeeded', message: '1 saved, 0 failed' });
    const store = app.session.require();
    expect(store.summary().counts.snapshots).toBe(1);
    expect(store.drift.parityTrend(stageId)).toHaveLength(1);
    expect(events.some((e) => e.name === 'workspace.changed')).toBe(true);
    const phases = events.filter((e) => e.name === 'scan.progress').map((e) => (e.payload as EventPayload<'scan.progress'>).phase);
    expect(phases).toEqual(['connecting', 'collecting', 'parsing', 'saved']);
    expect(store.audit.verify()).toMatchObject({ ok: true });
    app.session.close();
  });

  it('says what to scan when nothing is named, and cancels a running job', async () => {
    const { app, events, stageId } = await appWithHost();
    expect(await app.dispatch('scan.start', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const started = await app.dispatch('scan.start', { stageId, acceptNewHostKeys: true });
    if (!started.ok) throw new Error(started.error.message);
    expect(await app.dispatch('job.cancel', { jobId: (started.value as { jobId: string }).jobId })).toMatchObject({ ok: true, value: { cancelled: true } });
    expect((await jobEnd(events)).state).toBe('cancelled');
    app.session.close();
  });
});
