import { z } from 'zod';
import { call } from './define';
import { id, filePath } from './schemas';
import { factCategory, snapshotSchema } from './snapshot';

const severity = z.enum(['high', 'medium', 'low']);
const severityCounts = z.object({ high: z.number().int(), medium: z.number().int(), low: z.number().int() });

export const paritySummary = z.object({ compared: z.number().int(), matching: z.number().int(), parity: z.number().min(0).max(1), severity: severityCounts });

export const driftItem = z.object({
  category: factCategory,
  key: z.string(),
  kind: z.enum(['changed', 'missing', 'extra']),
  expected: z.string().optional(),
  actual: z.string().optional(),
  severity,
  hosts: z.array(z.string()),
  role: z.string().optional(),
});

const driftReport = z.object({ items: z.array(driftItem), compared: z.number().int(), matching: z.number().int(), parity: z.number() });

export const stageDrift = z.object({
  stageId: id,
  stageName: z.string(),
  isProduction: z.boolean(),
  hosts: z.number().int(),
  snapshotted: z.number().int(),
  production: paritySummary,
  image: paritySummary.nullable(),
  productionOnly: z.number().int().nonnegative(),
});

export const serviceDrift = z.object({
  serviceId: id,
  parity: paritySummary,
  stages: z.array(stageDrift),
  edges: z.array(z.object({ from: id, to: id, differences: z.number().int(), parity: z.number() })),
});

const stageDriftDetail = z.object({
  stageId: id,
  production: driftReport.extend({
    roles: z.array(z.object({ role: z.string(), productionHosts: z.number().int(), stageHosts: z.number().int(), compared: z.number().int(), matching: z.number().int(), parity: z.number() })),
    unpairedRoles: z.array(z.object({ role: z.string(), onlyIn: z.enum(['production', 'stage']) })),
  }),
  image: driftReport.extend({ label: z.string() }).nullable(),
  consistency: z.array(z.object({ role: z.string(), report: driftReport })),
});

const diffSide = z.object({ line: z.number().int(), text: z.string() });
export const textDiffSchema = z.object({
  identical: z.boolean(),
  hunks: z.array(
    z.object({
      oldStart: z.number().int(),
      oldLines: z.number().int(),
      newStart: z.number().int(),
      newLines: z.number().int(),
      rows: z.array(z.object({ kind: z.enum(['same', 'changed', 'removed', 'added']), left: diffSide.optional(), right: diffSide.optional() })),
    }),
  ),
  added: z.number().int(),
  removed: z.number().int(),
  finalNewlineChanged: z.boolean(),
  truncated: z.boolean(),
});

const ignoreRule = z.object({
  scope: z.object({ service: z.string().optional(), role: z.string().optional() }),
  category: factCategory.optional(),
  key: z.string().trim().min(1).max(1000),
  reason: z.string().max(1000).optional(),
});
const storedIgnoreRule = ignoreRule.extend({ id, createdAt: z.string(), createdBy: z.string() });
const severityRule = z.object({ category: factCategory.optional(), match: z.string().min(1).max(1000), severity });

export const driftCalls = {
  'drift.service': call('Parity and drift counts of every stage of a service', z.object({ serviceId: id }), serviceDrift),
  'drift.overview': call('Parity of every service at a glance', z.object({}), z.array(serviceDrift)),
  'drift.stage': call('Drift items of one stage: against production, its image, and between peers', z.object({ stageId: id }), stageDriftDetail),
  'drift.fileDiff': call(
    'A side-by-side diff of one watched file: a host of the stage against production or the image',
    z.object({ stageId: id, path: z.string().min(1), host: z.string().min(1), against: z.enum(['production', 'image']) }),
    z.object({ path: z.string(), expectedLabel: z.string(), actualLabel: z.string(), expected: z.string().nullable(), actual: z.string().nullable(), diff: textDiffSchema.nullable(), note: z.string().optional() }),
  ),
  'drift.trend': call(
    'Parity of a stage against production over time',
    z.object({ stageId: id }),
    z.array(z.object({ recordedAt: z.string(), parity: z.number(), compared: z.number().int(), matching: z.number().int(), severity: severityCounts })),
  ),
  'ignore.list': call('The ignore rules of the workspace', z.object({}), z.array(storedIgnoreRule)),
  'ignore.add': call('Ignore a fact (or a glob of them) in a scope', ignoreRule, storedIgnoreRule),
  'ignore.remove': call('Remove an ignore rule', z.object({ id }), storedIgnoreRule),
  'ignore.suggest': call(
    'Facts that differ on every host of a role: candidates for ignore rules',
    z.object({ stageId: id }),
    z.array(ignoreRule.extend({ hosts: z.number().int() })),
  ),
  'severity.get': call('Severity rules in force, and whether they are the defaults', z.object({}), z.object({ rules: z.array(severityRule), isDefault: z.boolean() })),
  'severity.set': call('Replace the workspace severity rules (null restores the defaults)', z.object({ rules: z.array(severityRule).nullable() }), z.object({ rules: z.array(severityRule), isDefault: z.boolean() })),
  'snapshot.import': call(
    'Import a snapshot JSON file as the newest snapshot of a host',
    z.object({ hostId: id, path: filePath }),
    z.object({ snapshotId: id, capturedAt: z.string(), warnings: z.array(z.string()) }),
  ),
  'snapshot.export': call('The newest snapshot of a host, in the snapshot JSON format', z.object({ hostId: id }), snapshotSchema),
};

const watchList = z.object({ role: z.string(), globs: z.array(z.string()), isDefault: z.boolean() });

export const watchCalls = {
  'roles.watch': call('The watched-file globs of each role of a service', z.object({ serviceId: id }), z.array(watchList)),
  'roles.setWatch': call(
    'Set the watched-file globs of a role (an empty list restores the defaults)',
    z.object({ serviceId: id, role: z.string().min(1), globs: z.array(z.string().trim().min(1).max(1000).startsWith('/', 'a glob starts with /')).max(500) }),
    watchList,
  ),
};
