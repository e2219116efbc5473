/**
 * A large, realistic workspace for benchmarks: services × stages × hosts whose facts start from the
 * real Debian captures in resources/demo/captures, grown to ~2,000 packages and ~200 watched files
 * per host. Hosts of a service share most of their state; a few drift. Deterministic (seeded).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFact, PackageFact, Snapshot } from '../core/domain/facts';
import { normaliseSnapshot } from '../core/domain/normalise';
import { WorkspaceStore } from '../core/store/workspace-store';

export interface GeneratedWorkspace {
  store: WorkspaceStore;
  hosts: number;
  services: number;
  /** The same latest snapshots serialised as plain JSON, summed: the storage peer. */
  plainJsonBytes: number;
}

/** Small, fast, seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const ROLES = ['web', 'app', 'db'] as const;

export function generateWorkspace(path: string, options: { services: number; hostsPerStage: number; packages?: number; files?: number; stages?: readonly string[] }): GeneratedWorkspace {
  const stages = options.stages ?? ['integration', 'testing', 'staging', 'uat', 'production'];
  const captures = ['web', 'app', 'db'].map((name) => normaliseSnapshot(JSON.parse(readFileSync(join(import.meta.dirname, '..', 'resources', 'demo', 'captures', `${name}.json`), 'utf8')) as Snapshot));
  const targetPackages = options.packages ?? 2000;
  const targetFiles = options.files ?? 200;
  const rng = random(42);
  // A pool of extra packages, as a distribution's archive would offer them.
  const pool: PackageFact[] = Array.from({ length: targetPackages * 2 }, (_, i) => ({
    manager: 'dpkg',
    name: `lib${['ssl', 'xml', 'png', 'curl', 'yaml', 'json', 'gtk', 'qt', 'icu', 'z'][i % 10]}-extra${i}`,
    version: `${1 + (i % 7)}.${i % 13}.${i % 5}-${1 + (i % 3)}+deb12u${i % 4}`,
    arch: i % 9 === 0 ? 'all' : 'amd64',
  }));
  const store = WorkspaceStore.create(path, 'Benchmark');
  let plainJsonBytes = 0;
  let hostCount = 0;
  const now = Date.now();
  for (let s = 0; s < options.services; s++) {
    const serviceRng = random(1000 + s);
    const base = captures[s % captures.length]!;
    const extras = pool.filter(() => serviceRng() < (targetPackages - base.packages.length) / pool.length);
    const packages = [...base.packages, ...extras].sort((a, b) => a.name.localeCompare(b.name));
    const sharedFiles: FileFact[] = Array.from({ length: Math.max(1, targetFiles - base.files.length) }, (_, i) => {
      const content = `# service ${s} setting ${i}\nworkers = ${4 + (i % 8)}\ntimeout = ${30 + (i % 5)}\n${'option = value\n'.repeat(5 + (i % 20))}`;
      return { path: `/etc/svc${s}/conf.d/${String(i).padStart(3, '0')}.conf`, sha256: sha(content), size: content.length, mode: '0644', owner: 'root', group: 'root', content };
    });
    store.write({ actor: 'bench', action: 'bench.service', subject: `svc-${s}` }, () => {
      const serviceId = store.inventory.createService({ name: `svc-${String(s).padStart(3, '0')}`, stages, roles: [...ROLES] });
      for (const stage of store.inventory.getService(serviceId).stages) {
        for (let h = 0; h < options.hostsPerStage; h++) {
          hostCount++;
          const role = ROLES[h % ROLES.length]!;
          const name = `svc${s}-${stage.name}-${role}-${h}`;
          const hostId = store.inventory.addHost({ name, address: `${name}.bench.invalid` });
          store.inventory.placeHost(stage.id, hostId, role);
          const address = `10.${s % 250}.${stage.position}.${h + 10}`;
          // Host-specific lines: normalisation must see through them.
          const identityContent = `hostname = ${name}\nlisten = ${address}:8080\n`;
          const identityFile: FileFact = { path: `/etc/svc${s}/host.conf`, sha256: sha(identityContent), size: identityContent.length, mode: '0640', owner: 'root', group: 'root', content: identityContent };
          let hostPackages = packages;
          let files = [...base.files, ...sharedFiles, identityFile];
          if (rng() < 0.03) {
            // A drifted host: an older library, an edited file.
            const index = Math.floor(rng() * hostPackages.length);
            hostPackages = hostPackages.map((p, i) => (i === index ? { ...p, version: `${p.version}~old1` } : p));
            const edited = `${sharedFiles[0]!.content}# tuned by hand\n`;
            files = files.map((f) => (f.path === sharedFiles[0]!.path ? { ...f, content: edited, sha256: sha(edited), size: edited.length } : f));
          }
          const snapshot: Snapshot = {
            ...base,
            capturedAt: new Date(now - rng() * 86_400_000).toISOString(),
            source: 'import',
            host: { hostname: name, fqdn: `${name}.bench.invalid`, machineId: sha(name).slice(0, 32), addresses: [address], macs: [] },
            packages: hostPackages,
            files: files.sort((a, b) => a.path.localeCompare(b.path)),
          };
          plainJsonBytes += Buffer.byteLength(JSON.stringify(snapshot));
          store.snapshots.save(hostId, snapshot);
        }
      }
    });
  }
  return { store, hosts: hostCount, services: options.services, plainJsonBytes };
}
