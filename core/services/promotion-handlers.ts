import type { CallOutput } from '../contract/index';
import type { Handlers } from '../contract/dispatch';
import type { LifecycleEditInput } from '../contract/promotion';
import { StagecraftError } from '../domain/errors';
import type { ServiceSummary } from '../domain/inventory';
import { addEdge, addStage, DEFAULT_STAGE_NAMES, moveStage, removeEdge, removeStage, renameStage, shortestPath, type Lifecycle, type LifecycleEdit } from '../domain/lifecycle';
import { planPromotion } from '../domain/promotion-plan';
import { assessRisk } from '../domain/promotion-risk';
import { evaluatePromotion, simulatePath, type StagePolicy } from '../domain/release-policy';
import { defaultSeverityRules } from '../domain/severity';
import type { WorkspaceStore } from '../store/workspace-store';
import { recordDraft, stagePolicy, stagePolicyOf } from './change-control';
import type { ServiceContext } from './context';
import { driftServiceFor } from './drift-service';
import type { Session } from './session';

type PromotionHandlers = Pick<
  Handlers,
  | 'promotion.targets'
  | 'promotion.plan'
  | 'promotion.saveDraft'
  | 'promotion.whatIf'
  | 'changes.discardDraft'
  | 'policy.get'
  | 'policy.set'
  | 'lifecycle.edit'
  | 'templates.list'
  | 'templates.save'
  | 'services.create'
>;

interface LifecycleTemplate {
  stages: { name: string; isProduction: boolean; policy: StagePolicy | null }[];
  edges: { from: string; to: string }[];
}

export const lifecycleOf = (service: ServiceSummary): Lifecycle => ({
  stages: service.stages.map((s) => ({ id: s.id, name: s.name, position: s.position, isProduction: s.isProduction })),
  edges: service.edges,
});

export function policiesOf(store: WorkspaceStore, service: ServiceSummary): Map<number, StagePolicy> {
  return new Map(service.stages.map((s) => [s.id, stagePolicy(store, s)]));
}

const historyOf = (store: WorkspaceStore, imageId: number) => new Map(store.images.history(imageId).map((h) => [h.stageId, h.assignedAt]));

function stageOf(service: ServiceSummary, stageId: number) {
  const stage = service.stages.find((s) => s.id === stageId);
  if (!stage) throw new StagecraftError('not-found', `Stage ${stageId} is not part of ${service.name}.`);
  return stage;
}

/** Everything the promotion dialog shows, computed from the workspace as it is now. */
export function proposePromotion(store: WorkspaceStore, request: { serviceId: number; imageId: number; fromStageId: number; toStageId: number; acknowledgeDrift: boolean }, now = new Date().toISOString()) {
  const service = store.inventory.getService(request.serviceId);
  const image = store.images.get(request.imageId);
  if (image.serviceId !== service.id) throw new StagecraftError('invalid-input', `Image ${image.label} belongs to another service.`);
  const from = stageOf(service, request.fromStageId);
  const to = stageOf(service, request.toStageId);
  const drift = driftServiceFor(store);
  const targetParity = drift.serviceDrift(service.id).stages.find((s) => s.stageId === to.id)?.production.parity ?? 1;
  const verdict = evaluatePromotion({
    lifecycle: lifecycleOf(service),
    policies: policiesOf(store, service),
    history: historyOf(store, image.id),
    fromStageId: from.id,
    toStageId: to.id,
    now,
    targetParity,
    acknowledgedDrift: request.acknowledgeDrift,
  });
  const environment = store.inventory.environment(to.id);
  const hosts = drift.hostSnapshots(environment);
  const content = store.images.content(image.id);
  const plan = planPromotion(
    content,
    hosts.map((h) => ({ host: h.host, role: h.roles.find((r) => r in content.roles) ?? h.roles[0] ?? '', snapshot: h.snapshot })),
    store.drift.severityRules() ?? defaultSeverityRules,
  );
  const risk = assessRisk({ plan, toProduction: to.isProduction, targetParity });
  const basis = { imageId: image.id, targetImageId: to.image?.id ?? null, snapshots: Object.fromEntries(hosts.map((h) => [h.host, h.snapshotId ?? 0])) };
  return {
    serviceId: service.id,
    image: { id: image.id, label: image.label },
    fromStage: { id: from.id, name: from.name },
    toStage: { id: to.id, name: to.name },
    acknowledgedDrift: request.acknowledgeDrift,
    targetParity,
    verdict,
    risk,
    plan,
    basis,
  };
}

/** Saves a promotion as a draft change request (refused when the lifecycle forbids it), with its change-control record. */
export function saveDraft(
  store: WorkspaceStore,
  actor: string,
  request: { title: string; serviceId: number; imageId: number; fromStageId: number; toStageId: number; acknowledgeDrift: boolean },
  now = new Date().toISOString(),
) {
  const { title, ...promotion } = request;
  return store.write({ actor, action: 'change.draft', subject: title, after: (r) => ({ id: r.id, to: r.toStageId, image: r.imageId }) }, () => {
    const proposal = proposePromotion(store, promotion, now);
    if (proposal.verdict.refusedOutright) throw new StagecraftError('refused', proposal.verdict.rules.find((r) => r.status === 'failed')?.reason ?? 'The lifecycle does not allow this promotion.');
    const created = store.promotion.createChange({
      title,
      serviceId: proposal.serviceId,
      imageId: proposal.image.id,
      fromStageId: proposal.fromStage.id,
      toStageId: proposal.toStage.id,
      plan: { plan: proposal.plan, basis: proposal.basis, acknowledgedDrift: proposal.acknowledgedDrift, targetParity: proposal.targetParity },
      verdict: proposal.verdict,
      risk: proposal.risk,
      earliestAt: proposal.verdict.earliestAt,
      createdAt: now,
      createdBy: actor,
    });
    recordDraft(store, created.id, actor, proposal.plan, now);
    return created;
  });
}

function applyEdit(store: WorkspaceStore, service: ServiceSummary, edit: LifecycleEditInput): LifecycleEdit {
  const lifecycle = lifecycleOf(service);
  const usage = (stageId: number) => ({ hosts: store.inventory.stageHostCount(stageId), openChanges: store.promotion.openChangesTouching(stageId) });
  switch (edit.kind) {
    case 'add-stage':
      if (service.stages.some((s) => s.name.toLowerCase() === edit.name.toLowerCase())) return { ok: false, reason: `Two stages are named "${edit.name}".` };
      return addStage(lifecycle, { id: store.inventory.insertStage(service.id, `${edit.name} (new)`, -1000), name: edit.name, position: edit.position });
    case 'rename-stage':
      return renameStage(lifecycle, edit.stageId, edit.name);
    case 'remove-stage':
      return removeStage(lifecycle, edit.stageId, usage(edit.stageId));
    case 'move-stage':
      return moveStage(lifecycle, edit.stageId, edit.by);
    case 'add-edge':
      return addEdge(lifecycle, edit.from, edit.to);
    case 'remove-edge':
      return removeEdge(lifecycle, edit.from, edit.to);
  }
}

type ChangeSummary = CallOutput<'promotion.saveDraft'>;

/** A change request as lists show it. */
export const summariseChange = (row: ReturnType<WorkspaceStore['promotion']['changes']>[number]): ChangeSummary => ({
  id: row.id,
  title: row.title,
  serviceId: row.serviceId,
  imageId: row.imageId,
  fromStageId: row.fromStageId,
  toStageId: row.toStageId,
  state: row.state,
  earliestAt: row.earliestAt,
  createdAt: row.createdAt,
  createdBy: row.createdBy,
  risk: row.risk as ChangeSummary['risk'],
  verdict: row.verdict as ChangeSummary['verdict'],
});

export function promotionHandlers(ctx: ServiceContext, session: Session): PromotionHandlers {
  const changed = () => ctx.emit('workspace.changed', { reason: 'updated' });

  return {
    'promotion.targets': ({ serviceId, imageId, fromStageId }) => {
      const store = session.require();
      const service = store.inventory.getService(serviceId);
      const lifecycle = lifecycleOf(service);
      const policies = policiesOf(store, service);
      const history = historyOf(store, imageId);
      const now = new Date().toISOString();
      return service.stages
        .filter((s) => s.id !== fromStageId)
        .map((stage) => {
          const verdict = evaluatePromotion({ lifecycle, policies, history, fromStageId, toStageId: stage.id, now });
          return {
            stageId: stage.id,
            stageName: stage.name,
            allowed: verdict.allowed,
            refusedOutright: verdict.refusedOutright,
            reasons: verdict.rules.filter((r) => r.status === 'failed' || r.status === 'warning').map((r) => r.reason),
            earliestAt: verdict.earliestAt,
          };
        });
    },
    'promotion.plan': (request) => {
      const { basis: _basis, ...proposal } = proposePromotion(session.require(), request);
      return proposal;
    },
    'promotion.saveDraft': ({ title, ...request }) => {
      const row = saveDraft(session.require(), ctx.actor(), { title, ...request });
      changed();
      return summariseChange(row);
    },
    'promotion.whatIf': ({ serviceId, imageId, fromStageId, toStageId }) => {
      const store = session.require();
      const service = store.inventory.getService(serviceId);
      const lifecycle = lifecycleOf(service);
      const target = toStageId ?? service.stages.find((s) => s.isProduction)?.id;
      if (target === undefined) throw new StagecraftError('conflict', `${service.name} has no production stage to simulate towards.`);
      const route = shortestPath(lifecycle, fromStageId, target);
      if (!route) throw new StagecraftError('refused', `There is no path from ${stageOf(service, fromStageId).name} to ${stageOf(service, target).name}.`);
      const path = route.map((s) => s.id);
      const hops = simulatePath({ lifecycle, policies: policiesOf(store, service), history: historyOf(store, imageId), now: new Date().toISOString() }, path);
      const ref = (id: number) => ({ id, name: stageOf(service, id).name });
      return hops.map((hop) => ({ from: ref(hop.fromStageId), to: ref(hop.toStageId), arrivesAt: hop.arrivesAt, blockers: hop.blockers, verdict: hop.verdict }));
    },
    'changes.discardDraft': ({ changeId }) => {
      const store = session.require();
      const discarded = store.write({ actor: ctx.actor(), action: 'change.discard', subject: `change ${changeId}` }, () => store.promotion.discardDraft(changeId));
      if (!discarded) throw new StagecraftError('refused', `Change ${changeId} is not a draft; cancel it instead.`);
      changed();
      return { discarded };
    },
    'policy.get': ({ stageId }) => {
      const store = session.require();
      const { policy, isDefault } = stagePolicyOf(store, { id: stageId, isProduction: store.inventory.environment(stageId).isProduction });
      return { ...policy, isDefault };
    },
    'policy.set': ({ stageId, policy }) => {
      const store = session.require();
      store.inventory.environment(stageId); // the stage exists
      store.write({ actor: ctx.actor(), action: 'policy.set', subject: `stage ${stageId}`, before: store.promotion.policy(stageId) ?? undefined, after: () => policy }, () => store.promotion.setPolicy(stageId, policy));
      changed();
      return { ...policy, isDefault: false };
    },
    'lifecycle.edit': ({ serviceId, edit }) => {
      const store = session.require();
      const updated = store.write({ actor: ctx.actor(), action: `lifecycle.${edit.kind}`, subject: `service ${serviceId}`, after: () => edit }, () => {
        const service = store.inventory.getService(serviceId);
        const result = applyEdit(store, service, edit);
        if (!result.ok) throw new StagecraftError('refused', result.reason);
        store.inventory.saveLifecycle(serviceId, result.lifecycle);
        return store.inventory.getService(serviceId);
      });
      changed();
      return updated;
    },
    'templates.list': () =>
      session
        .require()
        .promotion.templates<LifecycleTemplate>()
        .map((t) => ({ id: t.id, name: t.name, stages: t.template.stages.map((s) => s.name), createdAt: t.createdAt })),
    'templates.save': ({ serviceId, name }) => {
      const store = session.require();
      const service = store.inventory.getService(serviceId);
      const name_ = (id: number) => stageOf(service, id).name;
      const template: LifecycleTemplate = {
        stages: [...service.stages].sort((a, b) => a.position - b.position).map((s) => ({ name: s.name, isProduction: s.isProduction, policy: store.promotion.policy<StagePolicy>(s.id) })),
        edges: service.edges.map((e) => ({ from: name_(e.from), to: name_(e.to) })),
      };
      const id = store.write({ actor: ctx.actor(), action: 'template.save', subject: name, after: () => template }, () => store.promotion.saveTemplate(name, template, ctx.actor()));
      return { id, name };
    },
    'services.create': ({ name, description, roles, templateId }) => {
      const store = session.require();
      const template = templateId === undefined ? null : store.promotion.templates<LifecycleTemplate>().find((t) => t.id === templateId)?.template;
      if (templateId !== undefined && !template) throw new StagecraftError('not-found', `Template ${templateId} does not exist.`);
      const created = store.write({ actor: ctx.actor(), action: 'service.create', subject: name, after: (s) => ({ id: s.id, stages: s.stages.map((x) => x.name) }) }, () => {
        const stageNames = template ? template.stages.map((s) => s.name) : [...DEFAULT_STAGE_NAMES];
        const production = template?.stages.find((s) => s.isProduction)?.name ?? 'production';
        const serviceId = store.inventory.createService({ name, description, stages: stageNames, productionStage: production, roles });
        const service = store.inventory.getService(serviceId);
        if (template) {
          const idOf = (stage: string) => service.stages.find((s) => s.name === stage)!.id;
          store.inventory.saveLifecycle(serviceId, { stages: lifecycleOf(service).stages, edges: template.edges.map((e) => ({ from: idOf(e.from), to: idOf(e.to) })) });
          for (const stage of template.stages) if (stage.policy) store.promotion.setPolicy(idOf(stage.name), stage.policy);
        }
        return store.inventory.getService(serviceId);
      });
      changed();
      return created;
    },
  };
}
