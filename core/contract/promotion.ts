import { z } from 'zod';
import { RISK_LEVELS } from '../domain/promotion-risk';
import { call } from './define';
import { id, serviceSummary } from './schemas';

const severity = z.enum(['high', 'medium', 'low']);
const stageRef = z.object({ id, name: z.string() });

export const planStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('package'), action: z.enum(['install', 'upgrade', 'downgrade', 'remove']), manager: z.enum(['dpkg', 'rpm', 'apk']), name: z.string(), arch: z.string(), from: z.string().optional(), to: z.string().optional(), severity }),
  z.object({ kind: z.literal('file'), action: z.enum(['write', 'remove']), path: z.string(), mode: z.string().optional(), owner: z.string().optional(), group: z.string().optional(), content: z.string().optional(), previous: z.string().nullable().optional(), severity }),
  z.object({ kind: z.literal('sysctl'), key: z.string(), from: z.string().optional(), to: z.string(), severity }),
  z.object({ kind: z.literal('service'), action: z.enum(['enable', 'disable', 'start', 'stop', 'restart']), name: z.string(), because: z.string().optional(), severity }),
]);

export const promotionPlan = z.object({
  image: z.string(),
  hosts: z.array(z.object({ host: z.string(), role: z.string(), steps: z.array(planStep), rebootNeeded: z.boolean() })),
  unscanned: z.array(z.string()),
  summary: z.object({ hostsAffected: z.number().int(), steps: z.number().int(), byKind: z.record(z.string(), z.number().int()), highSeverity: z.number().int(), rebootNeeded: z.number().int() }),
});

export const verdict = z.object({
  allowed: z.boolean(),
  refusedOutright: z.boolean(),
  rules: z.array(z.object({ rule: z.enum(['same-stage', 'edge', 'predecessors', 'soak', 'freeze', 'parity', 'approvals']), status: z.enum(['passed', 'failed', 'warning', 'info']), reason: z.string() })),
  earliestAt: z.string().nullable(),
});

export const risk = z.object({
  score: z.number().int().min(0).max(100),
  level: z.enum(RISK_LEVELS),
  factors: z.array(z.object({ name: z.string(), points: z.number().int(), why: z.string() })),
});

const promotionRequest = z.object({ serviceId: id, imageId: id, fromStageId: id, toStageId: id, acknowledgeDrift: z.boolean().default(false) });

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const recurring = { startTime: z.string().regex(/^\d{1,2}:\d{2}$/), durationMinutes: z.number().int().positive().max(60 * 24 * 366), timeZone: z.string().min(1), reason: z.string().min(1).max(500) };
export const freezeWindow = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('once'), start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/), end: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/), timeZone: z.string().min(1), reason: z.string().min(1).max(500) }),
  z.object({ kind: z.literal('weekly'), days: z.array(weekday).min(1), ...recurring }),
  z.object({ kind: z.literal('monthly'), dayOfMonth: z.number().int().min(1).max(31), ...recurring }),
  z.object({ kind: z.literal('yearly'), month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31), ...recurring }),
]);

export const stagePolicy = z.object({
  requiredPredecessors: z.array(z.string()).nullable(),
  minSoakHours: z.number().min(0).max(24 * 365),
  approvals: z.object({ count: z.number().int().min(0).max(20), roles: z.array(z.enum(['requester', 'approver', 'cab', 'release-manager'])) }),
  allowSelfApproval: z.boolean(),
  freezeWindows: z.array(freezeWindow),
  parityThreshold: z.number().min(0).max(1),
});

const lifecycleEdit = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('add-stage'), name: z.string().trim().min(1).max(40), position: z.number().int().min(0) }),
  z.object({ kind: z.literal('rename-stage'), stageId: id, name: z.string().trim().min(1).max(40) }),
  z.object({ kind: z.literal('remove-stage'), stageId: id }),
  z.object({ kind: z.literal('move-stage'), stageId: id, by: z.union([z.literal(-1), z.literal(1)]) }),
  z.object({ kind: z.literal('add-edge'), from: id, to: id }),
  z.object({ kind: z.literal('remove-edge'), from: id, to: id }),
]);
export type LifecycleEditInput = z.infer<typeof lifecycleEdit>;

export const changeSummary = z.object({
  id,
  title: z.string(),
  serviceId: id,
  imageId: id,
  fromStageId: id.nullable(),
  toStageId: id,
  state: z.string(),
  earliestAt: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  risk,
  verdict,
});

export const promotionCalls = {
  'promotion.targets': call(
    'For an image in a stage: every other stage, whether it may receive it, and why not',
    z.object({ serviceId: id, imageId: id, fromStageId: id }),
    z.array(z.object({ stageId: id, stageName: z.string(), allowed: z.boolean(), refusedOutright: z.boolean(), reasons: z.array(z.string()), earliestAt: z.string().nullable() })),
  ),
  'promotion.plan': call(
    'The plan, policy verdict, risk and earliest time of promoting an image to a stage; nothing is saved',
    promotionRequest,
    z.object({
      serviceId: id,
      image: z.object({ id, label: z.string() }),
      fromStage: stageRef,
      toStage: stageRef,
      acknowledgedDrift: z.boolean(),
      targetParity: z.number(),
      verdict,
      risk,
      plan: promotionPlan,
    }),
  ),
  'promotion.saveDraft': call('Save a promotion as a draft change request with its plan', promotionRequest.extend({ title: z.string().trim().min(1).max(200) }), changeSummary),
  'promotion.whatIf': call(
    'Simulate moving an image along the lifecycle to a stage: each hop’s earliest date and what blocks it; nothing changes',
    z.object({ serviceId: id, imageId: id, fromStageId: id, toStageId: id.optional() }),
    z.array(z.object({ from: stageRef, to: stageRef, arrivesAt: z.string().nullable(), blockers: z.array(z.string()), verdict })),
  ),
  'changes.discardDraft': call('Delete a draft change request (undo of saving it)', z.object({ changeId: id }), z.object({ discarded: z.boolean() })),
  'policy.get': call('The release policy of a stage (defaults when none was set)', z.object({ stageId: id }), stagePolicy.extend({ isDefault: z.boolean() })),
  'policy.set': call('Set the release policy of a stage', z.object({ stageId: id, policy: stagePolicy }), stagePolicy.extend({ isDefault: z.boolean() })),
  'lifecycle.edit': call('Edit a service’s lifecycle; refused with a reason when it would break it', z.object({ serviceId: id, edit: lifecycleEdit }), serviceSummary),
  'templates.list': call('Lifecycle templates of the workspace', z.object({}), z.array(z.object({ id, name: z.string(), stages: z.array(z.string()), createdAt: z.string() }))),
  'templates.save': call('Save a service’s lifecycle and its stage policies as a template', z.object({ serviceId: id, name: z.string().trim().min(1).max(80) }), z.object({ id, name: z.string() })),
  'services.create': call(
    'Create a service with the standard stages or a template’s',
    z.object({ name: z.string().trim().min(1).max(100), description: z.string().max(1000).default(''), roles: z.array(z.string().trim().min(1).max(40)).min(1), templateId: id.optional() }),
    serviceSummary,
  ),
};
