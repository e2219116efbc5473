import type { Handlers } from '../contract/dispatch';
import type { CallOutput } from '../contract/index';
import { StagecraftError } from '../domain/errors';
import { environmentAgainstImage, type DriftItem } from '../domain/drift';
import type { PackageFact, Snapshot } from '../domain/facts';
import { DEFAULT_GOVERNANCE } from '../domain/image-defaults';
import { deriveImage, type ImageContent, type ImageEdit } from '../domain/image';
import type { ImageRecord } from '../store/image-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import type { ServiceContext } from './context';
import { driftServiceFor } from './drift-service';
import { captureFromStage } from './images';
import type { Session } from './session';

type ImageHandlers = Pick<Handlers, 'images.list' | 'image.capture' | 'image.derive' | 'image.assign' | 'image.acceptDrift'>;
type ImageView = CallOutput<'images.list'>[number];

/** The record with what the UI shows of its content: governance, per-role counts, lineage. */
function view(record: ImageRecord, content: ImageContent): ImageView {
  return {
    ...record,
    governs: content.governs,
    lineage: content.lineage,
    roles: Object.entries(content.roles).map(([role, facts]) => ({
      role,
      packages: facts.packages.length,
      files: facts.files.length,
      services: facts.services.length,
      ungoverned: facts.ungoverned.length,
    })),
  };
}

/**
 * The edits that make an image hold what drifted hosts have: for each drift item, the value of the
 * first host showing it (changed or extra facts are set, missing ones removed). Facts an image edit
 * cannot express are counted, not silently dropped.
 */
function editsAccepting(items: readonly DriftItem[], hosts: ReadonlyMap<string, Snapshot | null>): { edits: ImageEdit[]; skipped: number } {
  const edits: ImageEdit[] = [];
  let skipped = 0;
  for (const item of items) {
    const role = item.role ?? '';
    const snapshot = hosts.get(item.hosts[0] ?? '') ?? null;
    const [first, second] = item.key.split(':');
    if (item.category === 'packages') {
      const [manager, name, arch] = item.key.split(':') as [PackageFact['manager'], string, string];
      edits.push(item.kind === 'missing' ? { kind: 'remove-package', role, name, manager, arch } : { kind: 'set-package', role, name, manager, arch, version: item.actual ?? '' });
    } else if (item.category === 'files') {
      const file = snapshot?.files.find((f) => f.path === item.key);
      if (item.kind === 'missing') edits.push({ kind: 'remove-file', role, path: item.key });
      else if (file?.content !== undefined) edits.push({ kind: 'set-file', role, path: file.path, content: file.content, mode: file.mode, owner: file.owner, group: file.group });
      else skipped++;
    } else if (item.category === 'sysctl') {
      edits.push(item.kind === 'missing' ? { kind: 'remove-sysctl', role, key: item.key } : { kind: 'set-sysctl', role, key: item.key, value: item.actual ?? '' });
    } else if (item.category === 'services' && first) {
      const service = snapshot?.services.find((x) => x.name === first);
      if (item.kind === 'missing' || !service) edits.push({ kind: 'remove-service', role, name: first });
      else edits.push({ kind: 'set-service', role, name: first, ...(second === 'enabled' ? { enabled: service.enabled } : { active: service.active }) });
    } else skipped++;
  }
  return { edits, skipped };
}

export function imageHandlers(ctx: ServiceContext, session: Session): ImageHandlers {
  const changed = () => ctx.emit('workspace.changed', { reason: 'updated' });
  const saved = (store: WorkspaceStore, record: ImageRecord) => view(record, store.images.content(record.id));

  return {
    'images.list': ({ serviceId }) => {
      const store = session.require();
      return store.images.list(serviceId).map((record) => saved(store, record));
    },
    'image.capture': ({ stageId, label, categories, paths, note }) => {
      const store = session.require();
      const serviceId = store.inventory.environment(stageId).serviceId;
      const record = store.write({ actor: ctx.actor(), action: 'image.capture', subject: `stage ${stageId}`, after: (r) => ({ id: r.id, label: r.label, hash: r.contentHash }) }, () => {
        const { content } = captureFromStage(store, stageId, label ?? store.images.nextLabel(serviceId), { categories, paths: paths ?? DEFAULT_GOVERNANCE.paths }, new Date().toISOString());
        return store.images.save({ serviceId, content, sourceStageId: stageId, createdBy: ctx.actor(), note });
      });
      changed();
      return saved(store, record);
    },
    'image.derive': ({ imageId, edits, label, note }) => {
      const store = session.require();
      const parent = store.images.get(imageId);
      const record = store.write({ actor: ctx.actor(), action: 'image.derive', subject: `image ${parent.label}`, after: (r) => ({ id: r.id, label: r.label, edits }) }, () => {
        const content = deriveImage(store.images.content(imageId), edits, { label: label ?? store.images.nextLabel(parent.serviceId) });
        return store.images.save({ serviceId: parent.serviceId, content, parentId: imageId, createdBy: ctx.actor(), note });
      });
      changed();
      return saved(store, record);
    },
    'image.assign': ({ stageId, imageId }) => {
      const store = session.require();
      const previous = store.write(
        { actor: ctx.actor(), action: 'image.assign', subject: `stage ${stageId}`, before: undefined, after: (p) => ({ imageId, previous: p }) },
        () => store.images.assign(stageId, imageId, ctx.actor()),
      );
      changed();
      return { stageId, imageId, previous };
    },
    'image.acceptDrift': ({ stageId, label }) => {
      const store = session.require();
      const environment = store.inventory.environment(stageId);
      if (!environment.image) throw new StagecraftError('conflict', `${environment.stageName} has no image assigned, so there is no drift to accept.`, 'Capture an image from the stage instead.');
      const parent = store.images.get(environment.image.id);
      const parentContent = store.images.content(parent.id);
      const record = store.write({ actor: ctx.actor(), action: 'image.acceptDrift', subject: `stage ${stageId}`, after: (r) => ({ id: r.id, label: r.label, parent: parent.label }) }, () => {
        const drift = driftServiceFor(store);
        const report = environmentAgainstImage(parentContent, drift.environmentSnapshots(environment).byRole, drift.options(environment.serviceName));
        const hostFacts = new Map(drift.hostSnapshots(environment).map((h) => [h.host, h.snapshot]));
        const { edits, skipped } = editsAccepting(report.items, hostFacts);
        if (edits.length === 0) throw new StagecraftError('conflict', `${environment.stageName} has no drift against image ${parent.label} that an image can take.`);
        const derived = deriveImage(parentContent, edits, { label: label ?? store.images.nextLabel(environment.serviceId) });
        const content: ImageContent = skipped > 0 ? { ...derived, lineage: { ...derived.lineage, derivedBy: [...(derived.lineage.derivedBy ?? []), `${skipped} drifted facts of other kinds (users, ports, cron, mounts, os) were not taken`] } } : derived;
        const image = store.images.save({ serviceId: environment.serviceId, content, parentId: parent.id, sourceStageId: stageId, createdBy: ctx.actor(), note: `accepted the drift of ${environment.stageName}` });
        // Accepting drift says what the stage should run from now on: the new image is assigned to it.
        store.images.assign(stageId, image.id, ctx.actor());
        return store.images.get(image.id);
      });
      changed();
      return saved(store, record);
    },
  };
}
