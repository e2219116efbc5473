/**
 * Faults during a scan of real farm hosts: a host whose SSH traffic nftables drops (before the
 * connection, or once the session is up and the collector is being sent), and a host whose link
 * dies mid-collection (a proxy in front of it is stopped). Each is classified within seconds by the
 * connect timeout or the keepalives, the other hosts finish, and the last good snapshot stays.
 *
 * Needs root (nftables) and the farm (`sudo scripts/farm/farm.sh up 6`). The rules live in a table
 * of this process's own, match only the target's port on 127.0.0.1, and are deleted afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { farmEndpoint, readFarm } from '../connectors/ssh/test-support/farm';
import { nftUnavailable, portDropper } from '../connectors/ssh/test-support/nft';
import { startLatencyProxy } from '../connectors/ssh/test-support/sshd';
import { WorkspaceStore } from '../store/workspace-store';
import { readCollectorScript, scanHosts, type HostScanResult, type ScanHost, type ScanHostsOptions } from './scan';

const RESOURCES = new URL('../../resources', import.meta.url).pathname;
const TABLE = `stagecraft_fault_${process.pid}`;
const HOSTS = 6;
/** Long enough that only the connect timeout or the keepalives can explain a failure within seconds. */
const COMMAND_TIMEOUT_MS = 60_000;

const reason = nftUnavailable();
if (reason) console.log(`scan faults on the farm: skipped, ${reason}`);
const farm = reason ? null : readFarm(HOSTS, 'scan faults on the farm');
const { drop: dropPort, remove: removeTable } = portDropper(TABLE);

let dir: string;
let store: WorkspaceStore;
let hosts: ScanHost[];

beforeAll(() => {
  if (!farm) return;
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-faults-'));
  store = WorkspaceStore.create(join(dir, 'faults.stagecraft'), 'Faults');
  hosts = farm.hosts.slice(0, HOSTS).map((endpoint, i) => {
    const { address, port } = farmEndpoint(endpoint);
    const host = { name: `farm${String(i + 1).padStart(2, '0')}`, address, port, sshUser: 'root' };
    return { ...host, id: store.inventory.addHost(host) };
  });
});
afterEach(removeTable);
afterAll(() => {
  removeTable();
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const options = (extra: Partial<ScanHostsOptions> = {}): ScanHostsOptions => ({
  actor: 'tester',
  collectorScript: readCollectorScript(RESOURCES),
  sshConfigFile: null,
  agentSocket: null,
  identityFiles: [farm!.key],
  knownHostsFiles: [farm!.knownHosts],
  concurrency: HOSTS,
  connectTimeoutMs: 2_000,
  keepaliveIntervalMs: 500,
  keepaliveCountMax: 3,
  commandTimeoutMs: COMMAND_TIMEOUT_MS,
  watchGlobs: ['/etc/ssh/sshd_config'],
  ...extra,
});

/** A good scan of every host first: the snapshots a failed scan must not replace. */
async function goodSnapshots(): Promise<Map<number, number>> {
  const results = await scanHosts(store, hosts, options());
  expect(results.map((r) => r.status)).toEqual(hosts.map(() => 'saved'));
  return new Map([...store.snapshots.latestByHost()].map(([hostId, s]) => [hostId, s.id]));
}

function expectOthersSaved(results: HostScanResult[], victim: ScanHost, before: Map<number, number>): void {
  const latest = store.snapshots.latestByHost();
  for (const result of results) {
    if (result.hostId === victim.id) {
      expect(latest.get(victim.id)?.id).toBe(before.get(victim.id)); // the last good snapshot stays
    } else {
      expect(result.status).toBe('saved');
      expect(latest.get(result.hostId)?.id).not.toBe(before.get(result.hostId));
    }
  }
}

describe.skipIf(!farm)('scan faults on the farm', () => {
  it('a host whose SSH port nftables drops before the connection: timeout by the connect timer, the others saved', async () => {
    const before = await goodSnapshots();
    const victim = hosts[1]!;
    dropPort(victim.port);
    const results = await scanHosts(store, hosts, options());
    const failed = results.find((r) => r.hostId === victim.id)!;
    expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'timeout', message: expect.stringContaining('no SSH session within 2 s') } });
    expect(failed.durationMs).toBeLessThan(COMMAND_TIMEOUT_MS / 4);
    expectOthersSaved(results, victim, before);
  });

  it('a host whose SSH traffic nftables starts dropping mid-scan, once the session is up: timeout by the keepalives, the others saved', async () => {
    const before = await goodSnapshots();
    const victim = hosts[3]!;
    const results = await scanHosts(store, hosts, options(), (event) => {
      // Synchronous: the rule is in place before the collector command leaves this process.
      if (event.hostId === victim.id && event.phase === 'collecting') dropPort(victim.port);
    });
    const failed = results.find((r) => r.hostId === victim.id)!;
    expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'timeout', message: expect.stringContaining('the connection stopped answering') } });
    expect(failed.durationMs).toBeLessThan(COMMAND_TIMEOUT_MS / 4);
    expectOthersSaved(results, victim, before);
  });

  it('a host that dies mid-collection (its link is cut): classified unreachable at once, the others saved', async () => {
    const before = await goodSnapshots();
    const victim = hosts[4]!;
    const proxy = await startLatencyProxy(victim.port, 0);
    const knownHosts = join(dir, 'known_hosts_proxy');
    const farmKey = readFileSync(farm!.knownHosts, 'utf8')
      .split('\n')
      .find((line) => line.startsWith(`[127.0.0.1]:${victim.port} `))!;
    writeFileSync(knownHosts, `${farmKey.replace(`[127.0.0.1]:${victim.port} `, `[127.0.0.1]:${proxy.port} `)}\n`);
    const proxied = { ...victim, port: proxy.port };
    try {
      const results = await scanHosts(store, hosts.map((h) => (h.id === victim.id ? proxied : h)), options({ knownHostsFiles: [farm!.knownHosts, knownHosts] }), (event) => {
        if (event.hostId === victim.id && event.phase === 'collecting') void proxy.close();
      });
      const failed = results.find((r) => r.hostId === victim.id)!;
      expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'unreachable', message: expect.stringContaining('closed unexpectedly') } });
      expect(failed.durationMs).toBeLessThan(COMMAND_TIMEOUT_MS / 4);
      expectOthersSaved(results, victim, before);
    } finally {
      await proxy.close();
    }
  });
});
