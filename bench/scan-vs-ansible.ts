/**
 * Scanning 20 farm hosts: Stagecraft's scan (real ssh2, the real collector, snapshots saved in a
 * workspace) against, in the same run and on the same hosts at the same concurrency,
 * (a) Ansible (Debian's ansible-core) gathering at least the same facts: setup, package_facts,
 *     service_facts and a sha256 stat of every watched file;
 * (b) the floor: an SSH connection (same ssh2 session code, host key verified) and `true` per host.
 *
 * Farm hosts 21–40 are used: Ansible needs python3 (and python3-apt) on its targets and the farm's
 * base has neither, so they are installed there once (hosts 1–20 stay as the tests know them). `sudo scripts/farm/farm.sh up 40`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HostKeyVerifier } from '../core/connectors/ssh/host-keys';
import { resolveRoute } from '../core/connectors/ssh/route';
import { SshSession } from '../core/connectors/ssh/session';
import { farmEndpoint, readFarm, type Farm } from '../core/connectors/ssh/test-support/farm';
import { readCollectorScript, scanHosts, type ScanHost } from '../core/services/scan';
import { WorkspaceStore } from '../core/store/workspace-store';
import { compare, print, timeAsync, type Comparison } from './harness';

const run = promisify(execFile);
const FIRST_HOST = 21;
const HOSTS = 20;
const CONCURRENCY = 8;
/** The watch list both sides read: files with a sha256 each (Stagecraft also keeps their text). */
const WATCHED = { files: ['/etc/ssh/sshd_config', '/etc/default/stagecraft-legacy'], dirs: ['/etc/sysctl.d', '/etc/stagecraft-fixture'] };
const WATCH_GLOBS = [...WATCHED.files, ...WATCHED.dirs.map((d) => `${d}/*`)];

interface Target {
  name: string;
  address: string;
  port: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]?.toFixed(0) ?? '?';

const sshOptions = (farm: Farm) => ({ identityFiles: [farm.key], knownHostsFiles: [farm.knownHosts], sshConfigFile: null, agentSocket: null });

/** Runs `command` on each target over one fresh SSH session, `concurrency` at a time; returns stdouts. */
async function sshEach(farm: Farm, targets: readonly Target[], command: string, concurrency = CONCURRENCY, timeoutMs = 120_000): Promise<string[]> {
  const outputs: string[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      const route = resolveRoute({ host: target.address, port: target.port, user: 'root' }, sshOptions(farm));
      const session = new SshSession({ agentSocket: null, connectTimeoutMs: 10_000, keepaliveIntervalMs: 2_000, keepaliveCountMax: 3, verifier: HostKeyVerifier.load(route.knownHostsFiles, undefined, false) });
      try {
        await session.connect(route.hops);
        const output = await session.run(command, '', { timeoutMs, maxStdoutBytes: 1 << 20, maxStderrBytes: 4096, what: command });
        if (output.exitCode !== 0) throw new Error(`${target.name}: "${command}" exited ${output.exitCode}: ${output.stderr}`);
        outputs[index] = output.stdout.toString('utf8');
      } finally {
        session.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return outputs;
}

/** python3 (and python3-apt for package_facts) for Ansible's modules, installed once on the benchmark's hosts from Debian's archive. */
async function ensurePython(farm: Farm, targets: readonly Target[]): Promise<void> {
  const found = await sshEach(farm, targets, 'python3 -c "import apt" 2>/dev/null && echo ready || true');
  const missing = targets.filter((_, i) => found[i]!.trim() !== 'ready');
  if (missing.length === 0) return;
  console.log(`  installing python3 and python3-apt for Ansible on ${missing.map((t) => t.name).join(', ')} (once)…`);
  await sshEach(farm, missing, 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-apt >/dev/null', 4, 600_000);
}

function ansibleProject(farm: Farm, targets: readonly Target[]): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-ansible-'));
  writeFileSync(join(dir, 'inventory.ini'), ['[farm]', ...targets.map((t) => `${t.name} ansible_host=${t.address} ansible_port=${t.port} ansible_user=root`)].join('\n') + '\n');
  writeFileSync(
    join(dir, 'ansible.cfg'),
    [
      '[defaults]',
      `forks = ${CONCURRENCY}`,
      'host_key_checking = True',
      'interpreter_python = /usr/bin/python3',
      `private_key_file = ${farm.key}`,
      'retry_files_enabled = False',
      // Ansible at its fastest: one multiplexed connection per host for the whole play, modules piped.
      '[ssh_connection]',
      'pipelining = True',
      `ssh_args = -o ControlMaster=auto -o ControlPersist=30s -o UserKnownHostsFile=${farm.knownHosts} -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes`,
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'facts.yml'),
    `- hosts: farm
  gather_facts: true
  tasks:
    - package_facts: { manager: auto }
    - service_facts: {}
    - find: { paths: ${JSON.stringify(WATCHED.dirs)}, file_type: file }
      register: watched_dirs
    - stat: { path: "{{ item }}", get_checksum: true, checksum_algorithm: sha256 }
      loop: "{{ [${WATCHED.files.map((f) => `'${f}'`).join(', ')}] + (watched_dirs.files | map(attribute='path') | list) }}"
`,
  );
  return { dir, env: { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_STDOUT_CALLBACK: 'json', ANSIBLE_NOCOLOR: '1' } };
}

/** One Ansible run; every host must have answered every task. A fresh control-path folder: no connection outlives a run. */
async function ansibleGather(project: { dir: string; env: NodeJS.ProcessEnv }, hosts: number): Promise<void> {
  const controlDir = mkdtempSync(join(project.dir, 'cp-'));
  const { stdout } = await run('ansible-playbook', ['-i', join(project.dir, 'inventory.ini'), join(project.dir, 'facts.yml')], {
    env: { ...project.env, ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir },
    maxBuffer: 512 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as { stats: Record<string, { ok: number; failures: number; unreachable: number }>; plays: { tasks: { hosts: Record<string, { ansible_facts?: { packages?: object } }> }[] }[] };
  const stats = Object.entries(result.stats);
  const bad = stats.filter(([, s]) => s.failures > 0 || s.unreachable > 0);
  if (stats.length !== hosts || bad.length > 0) throw new Error(`Ansible: ${stats.length} hosts reported, failed or unreachable: ${bad.map(([h]) => h).join(', ') || 'none'}`);
  const packageFacts = result.plays[0]!.tasks.find((t) => Object.values(t.hosts).some((h) => h.ansible_facts?.packages));
  if (!packageFacts || Object.values(packageFacts.hosts).some((h) => Object.keys(h.ansible_facts?.packages ?? {}).length < 50)) throw new Error('Ansible: package facts missing');
}

export async function scanVsAnsibleBenchmark(): Promise<Comparison[]> {
  const title = `scan of ${HOSTS} farm hosts (concurrency ${CONCURRENCY})`;
  const farm = readFarm(FIRST_HOST + HOSTS - 1, 'scan benchmark');
  if (!farm) return [];
  const targets: Target[] = farm.hosts.slice(FIRST_HOST - 1, FIRST_HOST - 1 + HOSTS).map((endpoint, i) => ({ name: `farm${FIRST_HOST + i}`, ...farmEndpoint(endpoint) }));
  await ensurePython(farm, targets);

  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-scan-'));
  const store = WorkspaceStore.create(join(dir, 'scan.stagecraft'), 'Scan benchmark');
  const hosts: ScanHost[] = targets.map((t) => {
    const host = { name: t.name, address: t.address, port: t.port, sshUser: 'root' };
    return { ...host, id: store.write({ actor: 'bench', action: 'host.add', subject: t.name }, () => store.inventory.addHost(host)), watchGlobs: WATCH_GLOBS };
  });
  const collectorScript = readCollectorScript(join(import.meta.dirname, '..', 'resources'));
  let facts = { packages: 0, services: 0, files: 0 };
  /** Per host, every run: where a scan's time goes (the collector's remote cost is collectMs). */
  const timings: { connectMs: number[]; collectMs: number[]; parseMs: number[] } = { connectMs: [], collectMs: [], parseMs: [] };
  const stagecraftScan = async () => {
    const results = await scanHosts(store, hosts, { actor: 'bench', collectorScript, concurrency: CONCURRENCY, ...sshOptions(farm) });
    const failed = results.filter((r) => r.status !== 'saved');
    if (failed.length > 0) throw new Error(`Stagecraft: ${failed.map((r) => (r.status === 'failed' ? r.failure.message : '')).join('; ')}`);
    for (const result of results) if (result.status === 'saved') for (const key of ['connectMs', 'collectMs', 'parseMs'] as const) timings[key].push(result.timings[key]);
    const snapshot = store.snapshots.load((results[0] as { snapshotId: number }).snapshotId);
    facts = { packages: snapshot.packages.length, services: snapshot.services.length, files: snapshot.files.length };
  };
  const floor = () => sshEach(farm, targets, 'true');
  const project = ansibleProject(farm, targets);

  const floorTiming = await timeAsync(floor, { runs: 5, warmup: 1 });
  const stagecraftTiming = await timeAsync(stagecraftScan, { runs: 5, warmup: 1 });
  const ansibleTiming = await timeAsync(() => ansibleGather(project, HOSTS), { runs: 3, warmup: 1 });
  store.close();

  const notes = [
    `medians: Stagecraft ${stagecraftTiming.medianMs.toFixed(0)} ms, Ansible ${ansibleTiming.medianMs.toFixed(0)} ms, floor ${floorTiming.medianMs.toFixed(0)} ms`,
    `per host, median over every host and run: connect ${median(timings.connectMs)} ms, collector (remote) ${median(timings.collectMs)} ms, parse ${median(timings.parseMs)} ms`,
    `per host collected by Stagecraft (first host): ${facts.packages} packages, ${facts.services} services, ${facts.files} watched files with content and sha256`,
  ];
  const againstAnsible = { ...compare(title, 'Stagecraft scan', stagecraftTiming, 'Ansible setup + package_facts + service_facts + stat sha256', ansibleTiming, 'at most 0.2x (5x faster)'), notes };
  const againstFloor = { ...compare(title, 'Stagecraft scan', stagecraftTiming, 'floor: SSH connect + true', floorTiming, 'at most 2x'), notes };
  print(againstAnsible);
  print(againstFloor);
  return [againstAnsible, againstFloor];
}
