import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StagecraftError } from '../domain/errors';
import type { FileFact, Snapshot } from '../domain/facts';
import type { OpenOptions } from '../store/database';
import { sha256Hex } from '../store/blobs';
import { WorkspaceStore } from '../store/workspace-store';
import { deriveImage, type ImageEdit } from '../domain/image';
import { DEFAULT_GOVERNANCE } from '../domain/image-defaults';
import { addDemoChangeControl } from './demo-changes';
import { driftServiceFor } from './drift-service';
import { captureFromStage } from './images';
import type { KeyRing } from './signing';
import { addDemoAssets, type DemoAssets } from './demo-assets';

/** The shape of resources/demo/demo.json. */
interface DemoDefinition extends DemoAssets {
  name: string;
  stages: string[];
  stageCodes: Record<string, string>;
  snapshotDays: number[];
  services: { name: string; code: string; description: string; roles: Record<string, string>; hosts: Record<string, Record<string, number>> }[];
  drift: PlantedDrift[];
  images: DemoImage[];
}

/** An image of the demo: captured from a stage as of a day, or derived from another by edits. */
interface DemoImage {
  service: string; // '*' for every service
  label: string;
  atDay: number;
  assign: string[];
  note: string;
  captureFrom?: string;
  parent?: string;
  edits?: { kind: 'edit-file'; role: string; path: string; find: string; replace: string }[];
}

type PlantedDrift = { service: string; stage: string; role: string; host?: number; sinceDay: number; why: string } & (
  | { kind: 'older-packages' }
  | { kind: 'edit-file'; path: string; find: string; replace: string }
  | { kind: 'add-package'; fromProfile: string; name: string }
  | { kind: 'remove-package'; name: string }
  | { kind: 'set-sysctl'; file: string; key: string; value: string }
  | { kind: 'disable-service'; name: string }
);

const DEMO_ACTOR = 'demo-builder';
const DAY_MS = 86_400_000;


class CaptureLibrary {
  private readonly cache = new Map<string, Snapshot>();
  constructor(private readonly dir: string) {}

  get(profile: string): Snapshot {
    let snapshot = this.cache.get(profile);
    if (!snapshot) {
      const file = join(this.dir, `${profile}.json`);
      if (!existsSync(file)) throw new StagecraftError('not-found', `The demo capture ${file} is missing.`, 'Run scripts/capture-demo/capture.sh to capture it from a real Debian system.');
      snapshot = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
      this.cache.set(profile, snapshot);
    }
    return snapshot;
  }
}

/** A captured host given another host's identity: same software, its own name, ids and addresses. */
function asHost(capture: Snapshot, name: string, index: number, capturedAt: string): Snapshot {
  const address = `10.${20 + (index >> 8)}.${index & 255}.${10 + (index % 200)}`;
  const mac = `52:54:00:${[index >> 8, index & 255, 0x10].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
  return {
    ...capture,
    capturedAt,
    source: 'demo',
    host: { hostname: name, fqdn: `${name}.demo.invalid`, machineId: sha256Hex(name).slice(0, 32), addresses: [address], macs: [mac] },
  };
}

function editFile(snapshot: Snapshot, path: string, edit: (content: string) => string): Snapshot {
  const file = snapshot.files.find((f) => f.path === path);
  if (!file || file.content === undefined) throw new StagecraftError('invalid-input', `Planted drift needs ${path} with text content, but the capture has none.`);
  const content = edit(file.content);
  const changed: FileFact = { ...file, content, sha256: sha256Hex(content), size: Buffer.byteLength(content) };
  return { ...snapshot, files: snapshot.files.map((f) => (f === file ? changed : f)) };
}

function addFile(snapshot: Snapshot, path: string, content: string): Snapshot {
  const file: FileFact = { path, sha256: sha256Hex(content), size: Buffer.byteLength(content), mode: '0644', owner: 'root', group: 'root', content };
  return { ...snapshot, files: [...snapshot.files, file].sort((a, b) => a.path.localeCompare(b.path)) };
}

function plant(snapshot: Snapshot, drift: PlantedDrift, profile: string, captures: CaptureLibrary): Snapshot {
  switch (drift.kind) {
    case 'older-packages': {
      const older = captures.get(`${profile}.older`);
      return { ...snapshot, packages: older.packages };
    }
    case 'edit-file':
      return editFile(snapshot, drift.path, (content) => {
        if (!content.includes(drift.find)) throw new StagecraftError('invalid-input', `Planted drift: "${drift.find}" is not in ${drift.path} of the ${profile} capture.`);
        return content.replace(drift.find, drift.replace);
      });
    case 'add-package': {
      const pkg = captures.get(drift.fromProfile).packages.find((p) => p.name === drift.name);
      if (!pkg) throw new StagecraftError('invalid-input', `Planted drift: package ${drift.name} is not in the ${drift.fromProfile} capture.`);
      return { ...snapshot, packages: [...snapshot.packages, pkg].sort((a, b) => a.name.localeCompare(b.name)) };
    }
    case 'remove-package':
      return { ...snapshot, packages: snapshot.packages.filter((p) => p.name !== drift.name) };
    case 'set-sysctl': {
      const line = `${drift.key} = ${drift.value}`;
      const existing = snapshot.files.find((f) => f.path === drift.file);
      const withFile = existing
        ? editFile(snapshot, drift.file, (content) => {
            const pattern = new RegExp(`^${drift.key.replace(/\./g, '\\.')}\\s*=.*$`, 'm');
            return pattern.test(content) ? content.replace(pattern, line) : `${content}${line}\n`;
          })
        : addFile(snapshot, drift.file, `# Local tuning\n${line}\n`);
      return { ...withFile, sysctl: { ...withFile.sysctl, [drift.key]: drift.value } };
    }
    case 'disable-service':
      return { ...snapshot, services: snapshot.services.map((s) => (s.name === drift.name ? { ...s, enabled: 'disabled', active: 'inactive' } : s)) };
  }
}

function addImages(store: WorkspaceStore, definition: DemoDefinition, image: DemoImage, now: number): void {
  const at = new Date(now + image.atDay * DAY_MS).toISOString();
  const services = store.inventory.listServices().filter((s) => image.service === '*' || s.name === image.service);
  for (const service of services) {
    const stageId = (name: string) => {
      const stage = service.stages.find((s) => s.name === name);
      if (!stage) throw new StagecraftError('invalid-input', `Demo image ${image.label}: ${service.name} has no stage "${name}".`);
      return stage.id;
    };
    let record;
    if (image.captureFrom) {
      const { content } = captureFromStage(store, stageId(image.captureFrom), image.label, DEFAULT_GOVERNANCE, at, at);
      record = store.images.save({ serviceId: service.id, content, sourceStageId: stageId(image.captureFrom), createdBy: DEMO_ACTOR, note: image.note, at });
    } else {
      const parent = store.images.list(service.id).find((i) => i.label === image.parent);
      if (!parent) throw new StagecraftError('invalid-input', `Demo image ${image.label}: ${service.name} has no image ${image.parent ?? '(none)'} to derive from.`);
      const parentContent = store.images.content(parent.id);
      const edits: ImageEdit[] = (image.edits ?? []).map((edit) => {
        const file = parentContent.roles[edit.role]?.files.find((f) => f.path === edit.path);
        if (file?.content === undefined || !file.content.includes(edit.find)) {
          throw new StagecraftError('invalid-input', `Demo image ${image.label}: "${edit.find}" is not in ${edit.path} of role ${edit.role} in ${image.parent}.`);
        }
        return { kind: 'set-file', role: edit.role, path: edit.path, content: file.content.replace(edit.find, edit.replace) };
      });
      const content = deriveImage(parentContent, edits, { label: image.label });
      record = store.images.save({ serviceId: service.id, content, parentId: parent.id, createdBy: DEMO_ACTOR, note: image.note, at });
    }
    for (const stage of image.assign) store.images.assign(stageId(stage), record.id, DEMO_ACTOR, at);
  }
}

/**
 * Builds the demo workspace at `path` from resources/demo: real captured hosts placed into
 * services and stages, a history of snapshots, and the planted drift of demo.json.
 */
export function buildDemoWorkspace(path: string, resourcesDir: string, options: OpenOptions & { replace?: boolean; now?: Date; keys?: KeyRing } = {}): WorkspaceStore {
  const demoDir = join(resourcesDir, 'demo');
  const definition = JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8')) as DemoDefinition;
  const captures = new CaptureLibrary(join(demoDir, 'captures'));
  const now = (options.now ?? new Date()).getTime();
  if (options.replace) for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  mkdirSync(dirname(path), { recursive: true });

  const store = WorkspaceStore.create(path, definition.name, options);
  try {
    store.write({ actor: DEMO_ACTOR, action: 'demo.build', subject: 'workspace', after: () => ({ services: definition.services.length }) }, () => {
      let hostIndex = 0;
      for (const service of definition.services) {
        const serviceId = store.inventory.createService({ name: service.name, description: service.description, stages: definition.stages, roles: Object.keys(service.roles) });
        const stages = store.inventory.getService(serviceId).stages;
        for (const stage of stages) {
          for (const [role, count] of Object.entries(service.hosts[stage.name] ?? {})) {
            const profile = service.roles[role]!;
            for (let n = 1; n <= count; n++) {
              hostIndex += 1;
              const name = `${service.code}-${role}-${definition.stageCodes[stage.name] ?? stage.name}-${String(n).padStart(2, '0')}`;
              const hostId = store.inventory.addHost({ name, address: `${name}.demo.invalid`, owner: `${service.name}-team`, kind: 'vm', vcpus: role === 'db' ? 8 : 4, memoryMb: role === 'db' ? 32768 : 8192, diskGb: role === 'db' ? 500 : 60 });
              store.inventory.placeHost(stage.id, hostId, role);
              const planted = definition.drift.filter((d) => d.service === service.name && d.stage === stage.name && d.role === role && (d.host === undefined || d.host === n));
              for (const day of definition.snapshotDays) {
                const capturedAt = new Date(now + day * DAY_MS).toISOString();
                const base = asHost(captures.get(profile), name, hostIndex, capturedAt);
                const facts = planted.filter((d) => d.sinceDay <= day).reduce((s, d) => plant(s, d, profile, captures), base);
                store.snapshots.save(hostId, facts);
              }
            }
          }
        }
      }
      for (const image of definition.images) addImages(store, definition, image, now);
      addDemoAssets(store, definition, now);
      const drift = driftServiceFor(store);
      for (const service of store.inventory.listServices()) {
        for (const day of definition.snapshotDays) drift.recordParity(service.id, new Date(now + day * DAY_MS).toISOString());
      }
    });
    addDemoChangeControl(store, now, options.keys);
  } catch (error) {
    store.close();
    rmSync(path, { force: true });
    throw error;
  }
  return store;
}
