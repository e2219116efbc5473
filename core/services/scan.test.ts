import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFarm } from '../connectors/ssh/test-support/farm';
import { freePort, generateKey, makeTempDir, startLatencyProxy, startSilentServer, TestSshd, type KeyPair } from '../connectors/ssh/test-support/sshd';
import { WorkspaceStore } from '../store/workspace-store';
import { collectSnapshot, readCollectorScript, scanHosts, type ScanHost, type ScanHostsOptions, type ScanProgressEvent } from './scan';

const RESOURCES = new URL('../../resources', import.meta.url).pathname;
const USER = userInfo().username;

let dir: string;
let clientKey: KeyPair;
let sshd: TestSshd;
let knownHosts: string;

beforeAll(async () => {
  dir = makeTempDir('scan-test');
  clientKey = generateKey(dir, 'client_key');
  sshd = await TestSshd.start({ authorizedKeys: [clientKey.publicLine] });
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${sshd.knownHostsLine()}\n`);
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function options(extra: Partial<ScanHostsOptions> = {}): ScanHostsOptions {
  return {
    actor: 'tester',
    collectorScript: readCollectorScript(RESOURCES),
    sshConfigFile: null,
    agentSocket: null,
    identityFiles: [clientKey.privateFile],
    knownHostsFiles: [knownHosts],
    connectTimeoutMs: 5_000,
    ...extra,
  };
}

let workspaces = 0;
function workspaceWith(hostPorts: readonly number[]): { store: WorkspaceStore; hosts: ScanHost[] } {
  const store = WorkspaceStore.create(join(dir, `w${++workspaces}.stagecraft`), 'Scan test');
  const hosts = hostPorts.map((port, index) => {
    const host = { name: `host${index + 1}`, address: '127.0.0.1', port, sshUser: USER };
    return { ...host, id: store.inventory.addHost(host) };
  });
  return { store, hosts };
}

describe('scanHosts', () => {
  it('scans 6 hosts where 2 are dead: 4 saved, 2 classified, the dead ones delay nobody', async () => {
    const silent = await startSilentServer();
    const closedPort = await freePort();
    const { store, hosts } = workspaceWith([sshd.port, silent.port, sshd.port, closedPort, sshd.port, sshd.port]);
    const events: (ScanProgressEvent & { at: number })[] = [];
    const started = Date.now();
    try {
      const results = await scanHosts(store, hosts, options({ connectTimeoutMs: 3_000, watchGlobs: ['/etc/hostname'] }), (e) => events.push({ ...e, at: Date.now() - started }));
      const total = Date.now() - started;
      expect(results.map((r) => r.status)).toEqual(['saved', 'failed', 'saved', 'failed', 'saved', 'saved']);
      expect(results[1]).toMatchObject({ failure: { kind: 'timeout', remedy: expect.stringMatching(/timeout/) } });
      expect(results[3]).toMatchObject({ failure: { kind: 'refused' } });
      // Every good host is saved before the dead one's timeout fires, and the whole scan takes about one timeout.
      const timedOutAt = events.find((e) => e.hostId === hosts[1]!.id && e.phase === 'failed')!.at;
      for (const saved of events.filter((e) => e.phase === 'saved')) expect(saved.at).toBeLessThan(timedOutAt);
      expect(total).toBeLessThan(3_000 + 1_500);
      expect(events.filter((e) => e.hostId === hosts[0]!.id).map((e) => e.phase)).toEqual(['connecting', 'collecting', 'parsing', 'saved']);
      expect(store.snapshots.latestByHost().size).toBe(4);
      const saved = results[0]!;
      if (saved.status !== 'saved') throw new Error('unreachable');
      expect(store.snapshots.load(saved.snapshotId).files.map((f) => f.path)).toEqual(['/etc/hostname']);
      expect(store.audit.entries().filter((e) => e.action === 'snapshot.collect')).toHaveLength(4);
      expect(store.audit.verify().ok).toBe(true);
    } finally {
      await silent.close();
      store.close();
    }
  });

  it('keeps the last good snapshot when a later scan fails', async () => {
    const { store, hosts } = workspaceWith([sshd.port]);
    try {
      const host = hosts[0]!;
      const [first] = await scanHosts(store, [host], options());
      expect(first?.status).toBe('saved');
      const before = store.snapshots.latestByHost().get(host.id);
      const [second] = await scanHosts(store, [{ ...host, port: await freePort() }], options());
      expect(second).toMatchObject({ status: 'failed', failure: { kind: 'refused' } });
      expect(store.snapshots.latestByHost().get(host.id)).toEqual(before);
      expect(store.snapshots.history(host.id)).toHaveLength(1);
    } finally {
      store.close();
    }
  });

  it('records a key accepted with accept-new in the workspace trust store, audited, and trusts it next time', async () => {
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const { store, hosts } = workspaceWith([sshd.port]);
    try {
      const [refused] = await scanHosts(store, hosts, options({ knownHostsFiles: [empty] }));
      expect(refused).toMatchObject({ status: 'failed', failure: { kind: 'host-key-unknown', fingerprint: sshd.hostKey.fingerprint } });
      const [accepted] = await scanHosts(store, hosts, options({ knownHostsFiles: [empty], acceptNewHostKeys: true }));
      expect(accepted?.status).toBe('saved');
      expect(store.hostKeys.list()).toEqual([expect.objectContaining({ host: '127.0.0.1', port: sshd.port, fingerprint: sshd.hostKey.fingerprint, acceptedBy: 'tester' })]);
      expect(store.audit.entries().map((e) => e.action)).toContain('hostKey.accept');
      const [trusted] = await scanHosts(store, hosts, options({ knownHostsFiles: [empty] }));
      expect(trusted?.status).toBe('saved');
    } finally {
      store.close();
    }
  });

  it('cancellation stops the collections in flight and skips the rest', async () => {
    const proxy = await startLatencyProxy(sshd.port, 150);
    const proxied = join(dir, 'proxy_known_hosts');
    writeFileSync(proxied, `[127.0.0.1]:${proxy.port} ${sshd.hostKey.publicKey}\n`);
    const { store, hosts } = workspaceWith([proxy.port, proxy.port, proxy.port]);
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 500);
      const results = await scanHosts(store, hosts, options({ knownHostsFiles: [proxied], concurrency: 2 }), undefined, controller.signal);
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(results.map((r) => (r.status === 'failed' ? r.failure.kind : r.status))).toEqual(['cancelled', 'cancelled', 'cancelled']);
      expect(store.snapshots.latestByHost().size).toBe(0);
    } finally {
      await proxy.close();
      store.close();
    }
  });
});

describe('collectSnapshot (CLI)', () => {
  it('collects ssh://USER@HOST:PORT without a workspace', async () => {
    const { actor: _actor, ...collectOptions } = options();
    const result = await collectSnapshot(`ssh://${USER}@127.0.0.1:${sshd.port}`, collectOptions);
    expect(result.snapshot.host.hostname).toBe(readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
  });
});

/**
 * The farm (scripts/farm) gives real hosts that differ. This test runs only when it is up:
 * `sudo scripts/farm/farm.sh up 6` before the tests.
 */
const farm = readFarm(6, 'scan of the test farm');
describe('scan of the test farm', () => {
  it.skipIf(!farm)('sees the real differences between farm hosts', async () => {
    const { store } = workspaceWith([]);
    try {
      const hosts = farm!.hosts.slice(0, 6).map((endpoint, index) => {
        const [address, port] = endpoint.split(':');
        const host = { name: `farm${index + 1}`, address: address!, port: Number(port), sshUser: 'root' };
        return { ...host, id: store.inventory.addHost(host) };
      });
      const results = await scanHosts(
        store,
        hosts,
        options({ identityFiles: [farm!.key], knownHostsFiles: [farm!.knownHosts], watchGlobs: ['/etc/ssh/sshd_config', '/etc/sysctl.d/*'] }),
      );
      const snapshots = results.map((r) => {
        if (r.status !== 'saved') throw new Error(`${r.hostName}: ${r.failure.kind}: ${r.failure.message}`);
        return store.snapshots.load(r.snapshotId);
      });
      const n = (index: number) => index + 1;
      // The differences farm.sh builds in (see scripts/farm/README.md).
      expect(snapshots.map((s) => s.packages.find((p) => p.name === 'stagecraft-fixture')?.version ?? 'none')).toEqual(
        snapshots.map((_, i) => (n(i) % 5 === 0 ? 'none' : n(i) % 2 === 1 ? '1.0-1' : '2.0-1')),
      );
      expect(snapshots.map((s) => s.files.some((f) => f.path === '/etc/sysctl.d/60-stagecraft.conf'))).toEqual(snapshots.map((_, i) => n(i) % 2 === 1));
      const sshdConfig = snapshots.map((s) => s.files.find((f) => f.path === '/etc/ssh/sshd_config')?.sha256);
      expect(sshdConfig[2]).toBe(sshdConfig[5]); // hosts 3 and 6: hand-edited alike
      expect(sshdConfig[2]).not.toBe(sshdConfig[0]);
      expect(new Set(snapshots.map((s) => s.host.hostname)).size).toBe(6);
    } finally {
      store.close();
    }
  });
});
