/**
 * For tests that apply changes to farm scratch hosts (scripts/farm/farm.sh scratch N): fresh hosts,
 * root commands on them for set-up and checks, and a workspace with a change ready to apply.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { farmEnv } from '../../connectors/ssh/test-support/farm';
import type { FactCategory } from '../../domain/facts';
import { deriveImage, type ImageEdit } from '../../domain/image';
import type { PersonRecord } from '../../store/change-repository';
import { WorkspaceStore } from '../../store/workspace-store';
import type { ApplyOptions } from '../apply';
import { addPerson, transitionChange } from '../change-control';
import { captureFromStage } from '../images';
import { saveDraft } from '../promotion-handlers';
import { readCollectorScript, scanHosts, type ScanHost } from '../scan';
import type { KeyRing } from '../signing';

const RESOURCES = new URL('../../../resources', import.meta.url).pathname;
export const FIXTURE_CONF = '/etc/stagecraft-fixture/fixture.conf';
export const HOSTILE_DIR = '/tmp/stagecraft hostile';
const WATCH = ['/etc/stagecraft-fixture/**', '/etc/systemd/system/stagecraft-fixture.service.d/**', `${HOSTILE_DIR}/**`];
export const FIXTURE_STATE = "dpkg-query -W -f '${Version}' stagecraft-fixture; echo; systemctl is-active stagecraft-fixture; cat /etc/stagecraft-fixture/fixture.conf";

/** Runs a command on a scratch host as root (test set-up and checks only: the code under test uses its own connection). */
export function onHost(n: number, script: string): string {
  const env = farmEnv();
  return execFileSync('ssh', ['-i', env.key, '-o', `UserKnownHostsFile=${env.knownHosts}`, '-o', 'BatchMode=yes', '-p', String(env.portBase + n), 'root@127.0.0.1', script], { encoding: 'utf8' });
}

export interface Workbench {
  store: WorkspaceStore;
  rita: PersonRecord;
  hosts: ScanHost[];
  options: (extra?: Partial<ApplyOptions>) => ApplyOptions;
  changeId: number;
  imageId: number;
}

/**
 * A workspace whose staging stage is the given scratch hosts, scanned; an image derived from what
 * they run by `edits`; a change promoting it, approved and scheduled into a window open now.
 */
export async function workbench(
  dir: string,
  keys: KeyRing,
  name: string,
  hostNumbers: number[],
  edits: (role: string) => ImageEdit[],
  users: Record<number, string> = {},
  hostName = (n: number) => `scratch${n}`,
  /** What the image captures from the hosts (and so governs). */
  categories: FactCategory[] = ['packages', 'files'],
): Promise<Workbench> {
  const env = farmEnv();
  const store = WorkspaceStore.create(join(dir, `${name}.stagecraft`), name);
  const serviceId = store.inventory.createService({ name: 'fixture-svc', stages: ['testing', 'staging', 'production'], roles: ['app'] });
  const service = store.inventory.getService(serviceId);
  const testing = service.stages.find((s) => s.name === 'testing')!;
  const staging = service.stages.find((s) => s.name === 'staging')!;
  store.drift.setWatchGlobs(serviceId, 'app', WATCH);
  const hosts = hostNumbers.map((n) => {
    const host = { name: hostName(n), address: '127.0.0.1', port: env.portBase + n, sshUser: users[n] ?? 'stagecraft' };
    const id = store.inventory.addHost(host);
    store.inventory.placeHost(staging.id, id, 'app');
    return { ...host, id, watchGlobs: WATCH };
  });
  const ssh = { sshConfigFile: null, agentSocket: null, identityFiles: [env.key], knownHostsFiles: [env.knownHosts], connectTimeoutMs: 5_000, keepaliveIntervalMs: 500, keepaliveCountMax: 3 };
  const collectorScript = readCollectorScript(RESOURCES);
  const scanned = await scanHosts(store, hosts, { ...ssh, actor: 'tester', collectorScript });
  const unscanned = scanned.filter((r) => r.status !== 'saved');
  if (unscanned.length > 0) throw new Error(`scratch hosts not scanned: ${unscanned.map((r) => r.hostName).join(', ')}`);

  const captured = captureFromStage(store, staging.id, 'v1', { categories, paths: WATCH }, new Date().toISOString());
  const v1 = store.images.save({ serviceId, content: captured.content, createdBy: 'tester' });
  const v2 = store.images.save({ serviceId, content: deriveImage(captured.content, edits('app'), { label: 'v2' }), parentId: v1.id, createdBy: 'tester' });

  const rita = addPerson(store, null, { name: 'Rita Release', roles: ['release-manager', 'requester'] }, keys);
  const abe = addPerson(store, rita, { name: 'Abe Approver', roles: ['approver'] }, keys);
  const change = saveDraft(store, rita.name, { title: `${name}: fixture v2`, serviceId, imageId: v2.id, fromStageId: testing.id, toStageId: staging.id, acknowledgeDrift: true });
  transitionChange(store, { changeId: change.id, action: 'submit', actorId: rita.id }, { keys });
  transitionChange(store, { changeId: change.id, action: 'approve', actorId: abe.id }, { keys });
  const now = Date.now();
  transitionChange(store, { changeId: change.id, action: 'schedule', actorId: rita.id, window: { start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString(), timeZone: 'UTC' } }, { keys });
  const options = (extra: Partial<ApplyOptions> = {}): ApplyOptions => ({ actorId: rita.id, collectorScript, ssh, concurrency: 1, ...extra });
  return { store, rita, hosts, options, changeId: change.id, imageId: v2.id };
}

export const v2Edits =
  (conf: string, extra: ImageEdit[] = []) =>
  (role: string): ImageEdit[] => [
    { kind: 'set-package', role, name: 'stagecraft-fixture', version: '2.0-1', manager: 'dpkg', arch: 'all' },
    { kind: 'set-file', role, path: FIXTURE_CONF, content: conf, mode: '0644', owner: 'root', group: 'root' },
    ...extra,
  ];

