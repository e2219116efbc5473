import type { Handlers } from '../contract/dispatch';
import type { CallOutput } from '../contract/index';
import { StagecraftError } from '../domain/errors';
import { DEFAULT_GOVERNANCE } from '../domain/image-defaults';
import { deriveImage, imageHash, type ImageContent } from '../domain/image';
import type { ImageRecord } from '../store/image-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import type { ServiceContext } from './context';
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
        const at = new Date().toISOString();
        const { content } = captureFromStage(store, stageId, label ?? store.images.nextLabel(environment.serviceId), parentContent.governs, at);
        const derived: ImageContent = { ...content, lineage: { ...content.lineage, parent: imageHash(parentContent), derivedBy: [`accepted the drift of ${environment.stageName} at ${at}`] } };
        return store.images.save({ serviceId: environment.serviceId, content: derived, parentId: parent.id, sourceStageId: stageId, createdBy: ctx.actor() });
      });
      changed();
      return saved(store, record);
    },
  };
}
