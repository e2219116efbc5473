import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_INVENTORY_URI, virshAvailable } from '../connectors/libvirt/test-support/mock-driver';
import { farmEndpoint, readFarm } from '../connectors/ssh/test-support/farm';
import type { WorkspaceStore } from '../store/workspace-store';
import { buildDemoWorkspace } from './demo';
import {
  addHypervisor,
  cachedInventory,
  executeHypervisorOperation,
  importDomainsAsHosts,
  matchCandidates,
  matchDomains,
  matchHypervisorDomains,
  planHypervisorOperation,
  refreshInventory,
  removeHypervisor,
  startWithConnections,
  updateHypervisor,
  withConnections,
  type SharedConnections,
} from './hypervisors';

const hasVirsh = virshAvailable('hypervisor service tests');

let store: WorkspaceStore;
let hypervisorId: number;
beforeAll(() => {
  store = buildDemoWorkspace(join(mkdtempSync(join(tmpdir(), 'stagecraft-hv-')), 'demo.stagecraft'), join(process.cwd(), 'resources'));
  hypervisorId = addHypervisor(store, 'alice', { name: 'kvm-int', uri: MOCK_INVENTORY_URI }).id;
});
afterAll(() => store.close());

describe('hypervisor connections', () => {
  it('are stored, updated and removed, each change audited', () => {
    const other = addHypervisor(store, 'alice', { name: 'kvm-old', uri: 'qemu+ssh://root@kvm-old.example.invalid/system' });
    expect(() => addHypervisor(store, 'alice', { name: 'KVM-OLD', uri: 'qemu:///system' })).toThrow(/already exists/);
    expect(() => addHypervisor(store, 'alice', { name: 'x', uri: 'not a uri' })).toThrow(/not a libvirt URI/);
    expect(updateHypervisor(store, 'alice', other.id, { sshTarget: 'root@kvm-old.example.invalid:2222' })).toMatchObject({ sshTarget: 'root@kvm-old.example.invalid:2222', viaHostId: null });
    removeHypervisor(store, 'alice', other.id);
    expect(store.hypervisors.list().map((h) => h.name)).toEqual(['kvm-int']);
    expect(store.audit.entries(4).map((e) => e.action)).toEqual(['hypervisor.remove', 'hypervisor.update', 'hypervisor.add', 'hypervisor.add']);
  });
});

describe('matching VMs to hosts (pure)', () => {
  it('prefers MAC, then address, then name (case-insensitive, short FQDN), one to one', () => {
    const nic = (mac: string, addresses: string[] = []) => ({ mac, type: 'network', network: 'n', bridge: null, model: null, addresses });
    const domain = (name: string, nics: ReturnType<typeof nic>[], title = '') => ({ name, uuid: `u-${name}`, title, nics }) as never;
    const result = matchDomains(
      { domains: [domain('vm-a', [nic('52:54:00:00:00:01')]), domain('vm-b', [nic('52:54:00:00:00:99', ['10.0.0.2'])]), domain('WEB-01.corp.example', []), domain('stray', [nic('52:54:00:00:00:01')])] },
      [
        { id: 1, name: 'alpha', address: 'alpha.invalid', identity: { hostname: 'alpha', addresses: [], macs: ['52:54:00:00:00:01'] } },
        { id: 2, name: 'beta', address: '10.0.0.2' },
        { id: 3, name: 'web-01', address: 'web-01.invalid' },
        { id: 4, name: 'lonely', address: 'lonely.invalid' },
      ],
    );
    expect(result.matched.map((m) => [m.domain, m.hostName, m.reason])).toEqual([
      ['vm-a', 'alpha', 'mac'],
      ['vm-b', 'beta', 'address'],
      ['WEB-01.corp.example', 'web-01', 'name'],
    ]);
    expect(result.unmatched.map((d) => d.name)).toEqual(['stray']);
    expect(result.unmatchedHostIds).toEqual([4]);
  });
});

describe.skipIf(!hasVirsh)('a hypervisor of the mock driver against the demo workspace', () => {
  it('caches the inventory, so it can be shown offline', async () => {
    expect(cachedInventory(store, hypervisorId)).toBeNull();
    const fresh = await refreshInventory(store, hypervisorId);
    expect(fresh.inventory.domains).toHaveLength(8);
    expect(cachedInventory(store, hypervisorId)).toEqual(fresh);
  });

  it('matches demo hosts by MAC, address and name, and offers the rest for import', () => {
    const matching = matchHypervisorDomains(store, hypervisorId);
    const pairs = Object.fromEntries(matching.matched.map((m) => [m.domain, `${m.hostName} by ${m.reason}`]));
    expect(pairs).toEqual({
      'pay-web-int-01': 'pay-web-int-01 by mac',
      'pay-web-tst-01': 'pay-web-tst-01 by mac',
      'shop-web-int-01': 'shop-web-int-01 by mac',
      'db-legacy': 'pay-db-int-01 by address',
      'PAY-APP-INT-01.corp.example': 'pay-app-int-01 by name',
    });
    expect(matching.unmatched.map((d) => d.name).sort()).toEqual(['ci-runner-07', 'sandbox-alice', 'tmpl-debian12']);
  });

  it('imports selected unmatched VMs as hosts of a stage and role, in one transaction', () => {
    const service = store.inventory.listServices().find((s) => s.name === 'payments-api')!;
    const integration = service.stages.find((s) => s.name === 'integration')!;
    const before = store.summary().counts.hosts;
    expect(() => importDomainsAsHosts(store, 'alice', hypervisorId, { domains: ['ci-runner-07', 'nope'], stageId: integration.id, role: 'app' })).toThrow(/no VM "nope"/);
    expect(() => importDomainsAsHosts(store, 'alice', hypervisorId, { domains: ['ci-runner-07'], stageId: integration.id, role: 'no-such-role' })).toThrow(/no role/);
    expect(store.summary().counts.hosts).toBe(before);
    const imported = importDomainsAsHosts(store, 'alice', hypervisorId, { domains: ['ci-runner-07', 'sandbox-alice'], stageId: integration.id, role: 'app' });
    expect(imported.map((h) => h.name)).toEqual(['ci-runner-07', 'sandbox-alice']);
    expect(store.inventory.host(imported[0]!.hostId)).toMatchObject({ kind: 'vm', vcpus: 4, memoryMb: 6144, diskGb: 30 });
    expect(store.inventory.environment(integration.id).hosts.map((h) => h.name)).toEqual(expect.arrayContaining(['ci-runner-07', 'sandbox-alice']));
    expect(matchHypervisorDomains(store, hypervisorId).matched.find((m) => m.domain === 'ci-runner-07')).toMatchObject({ reason: 'name' });
    expect(store.audit.entries(1)[0]).toMatchObject({ action: 'hypervisor.import', actor: 'alice' });
  });

  it('runs a confirmed plan and audits it; an unconfirmed one is refused and not recorded', async () => {
    const plan = await planHypervisorOperation(store, hypervisorId, { kind: 'start', domain: 'db-legacy' });
    const entries = store.audit.verify().entries;
    await expect(executeHypervisorOperation(store, 'alice', hypervisorId, plan, { confirmed: false })).rejects.toMatchObject({ kind: 'not-confirmed' });
    expect(store.audit.verify().entries).toBe(entries);
    const result = await executeHypervisorOperation(store, 'alice', hypervisorId, plan, { confirmed: true });
    expect(result.output).toMatch(/started/);
    const entry = store.audit.entries(1)[0]!;
    expect(entry).toMatchObject({ action: 'hypervisor.start', subject: 'hypervisor kvm-int: db-legacy' });
    expect(JSON.parse(entry.afterJson!)).toMatchObject({ outcome: 'done', commands: plan.commands });
    expect(store.audit.verify().ok).toBe(true);
  });
});

describe('match candidates', () => {
  it('can be limited to some hosts (those of a stage, for a clone or reclaim): the same entries as the whole list filtered, in id order', () => {
    const all = matchCandidates(store);
    expect(all.filter((c) => c.identity).length).toBeGreaterThan(0);
    const some = [all.find((c) => c.identity)!.id, all[0]!.id, all.at(-1)!.id, all[0]!.id];
    expect(matchCandidates(store, some)).toEqual(all.filter((c) => some.includes(c.id)));
    expect(matchCandidates(store, [])).toEqual([]);
  });
});

const farm = readFarm(1, 'shared hypervisor connections over SSH');

describe.skipIf(farm === null)('shared hypervisor connections (farm host 1 as an SSH hypervisor host without virsh; nothing changed there)', () => {
  const ssh = farm && { identityFiles: [farm.key], knownHostsFiles: [farm.knownHosts], sshConfigFile: null, agentSocket: null };
  /** Farm host 1 registered as a hypervisor reached over SSH, and the client port of the SSH connection a command to it arrives on: one port, one session. */
  const farmHypervisor = (name: string) => {
    const { address, port } = farmEndpoint(farm!.hosts[0]!);
    const id = addHypervisor(store, 'alice', { name, uri: 'qemu:///system', sshTarget: `stagecraft@${address}:${port}` }).id;
    return { id, clientPort: async (connections: SharedConnections) => (await connections.runner(id).runOnHost(['sh', '-c', 'echo "$SSH_CLIENT"'])).split(' ')[1] };
  };

  it('one SSH session serves every call of a plan or run: a connector made over it leaves it open, and it ends with the run', async () => {
    const { id, clientPort } = farmHypervisor('kvm-farm-1');
    let kept: SharedConnections | undefined;
    const ports = await withConnections(store, { ssh: ssh! }, async (connections) => {
      kept = connections;
      expect(connections.runner(id)).toBe(connections.for(id).runner);
      expect(connections.runner(id)).not.toBe(connections.runner(hypervisorId));
      const first = await clientPort(connections);
      // A whole inventory read over the shared session (it fails there: no virsh), its connector closed after it.
      await expect(refreshInventory(store, id, connections.for(id))).rejects.toMatchObject({ kind: 'virsh-missing' });
      return [first, await clientPort(connections)];
    });
    expect(ports[0]).toMatch(/^\d+$/);
    expect(ports[1]).toBe(ports[0]);
    // Ended with the run: the next command needs a new connection.
    expect(await clientPort(kept!)).not.toBe(ports[0]);
    kept!.close();
    removeHypervisor(store, 'alice', id);
  });

  it('a check and the run it starts (a confirmed clone, resume or reclaim) share one session, ended when the run settles, or at once when the check refuses', async () => {
    const { id, clientPort } = farmHypervisor('kvm-farm-1-run');
    let kept: SharedConnections | undefined;
    let checked: string | undefined;
    const started = await startWithConnections(store, { ssh: ssh! }, async (connections) => {
      kept = connections;
      checked = await clientPort(connections);
      return { done: clientPort(connections) };
    });
    expect(checked).toMatch(/^\d+$/);
    expect(await started.done).toBe(checked);
    expect(await clientPort(kept!)).not.toBe(checked);
    kept!.close();

    await expect(
      startWithConnections(store, { ssh: ssh! }, async (connections) => {
        kept = connections;
        checked = await clientPort(connections);
        throw new Error('the check refused');
      }),
    ).rejects.toThrow('the check refused');
    expect(await clientPort(kept!)).not.toBe(checked);
    kept!.close();
    removeHypervisor(store, 'alice', id);
  });
});
