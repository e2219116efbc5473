import { z } from 'zod';
import { SIGNATURE_STATUSES } from '../domain/change-workflow';
import { RISK_LEVELS } from '../domain/promotion-risk';
import { call } from './define';
import { driftItem, paritySummary } from './drift';
import { promotionPlan, risk, verdict } from './promotion';
import { filePath, id } from './schemas';

export const REPORT_FORMAT_NAMES = ['pdf', 'html', 'md', 'csv', 'json'] as const;
export const reportFormat = z.enum(REPORT_FORMAT_NAMES);

const severity = z.enum(['high', 'medium', 'low']);
const riskLevel = z.enum(RISK_LEVELS);

const reportMeta = z.object({
  workspace: z.string(),
  generatedAt: z.string(),
  generatedBy: z.string(),
  stagecraftVersion: z.string(),
  audit: z.object({ entries: z.number().int(), head: z.string().nullable(), intact: z.boolean(), problem: z.string().nullable() }),
});

const changeWindow = z.object({ start: z.string(), end: z.string(), timeZone: z.string() });

const foldedDiff = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  hunks: z.number().int(),
  lines: z.array(z.object({ kind: z.enum(['context', 'added', 'removed', 'gap']), oldLine: z.number().int().nullable(), newLine: z.number().int().nullable(), text: z.string() })),
  hiddenLines: z.number().int(),
  hiddenHunks: z.number().int(),
  note: z.string().nullable(),
});

const planView = z.object({
  image: z.string(),
  summary: promotionPlan.shape.summary,
  unscanned: z.array(z.string()),
  groups: z.array(
    z.object({
      hosts: z.array(z.string()),
      role: z.string(),
      rebootNeeded: z.boolean(),
      steps: z.array(z.object({ kind: z.enum(['package', 'file', 'sysctl', 'service']), action: z.string(), subject: z.string(), detail: z.string().nullable(), severity, diff: foldedDiff.nullable() })),
    }),
  ),
});

const cabChange = z.object({
  id,
  title: z.string(),
  state: z.string(),
  service: z.string(),
  fromStage: z.string().nullable(),
  targetStage: z.string(),
  targetIsProduction: z.boolean(),
  image: z.string(),
  affected: z.object({ services: z.array(z.string()), stages: z.array(z.string()), hosts: z.array(z.string()) }),
  earliestAt: z.string().nullable(),
  requester: z.string(),
  createdAt: z.string(),
  risk,
  verdict,
  acknowledgedDrift: z.boolean(),
  plan: planView,
  target: z.object({
    stage: z.string(),
    hosts: z.number().int(),
    snapshotted: z.number().int(),
    againstProduction: paritySummary,
    againstImage: paritySummary.extend({ label: z.string() }).nullable(),
    parityWhenPlanned: z.number(),
    comparedWith: z.enum(['production', 'image']),
    items: z.array(driftItem),
    moreItems: z.number().int(),
  }),
  category: z.string().nullable(),
  description: z.string().nullable(),
  justification: z.string().nullable(),
  impact: z.string().nullable(),
  window: changeWindow.nullable(),
  implementationPlan: z.string().nullable(),
  backoutPlan: z.string().nullable(),
  testPlan: z.string().nullable(),
  requiredApprovers: z.array(z.string()),
  riskOverride: z.object({ level: riskLevel, reason: z.string(), by: z.string() }).nullable(),
  staleReason: z.string().nullable(),
  stale: z.boolean().nullable(),
  conflicts: z.array(z.object({ kind: z.string(), detail: z.string(), otherChangeId: id.nullable() })).nullable(),
  approvals: z
    .object({
      required: z.number().int(),
      roles: z.array(z.string()),
      given: z.number().int(),
      decisions: z.array(
        z.object({
          approver: z.string(),
          signedAs: z.string().nullable(),
          decision: z.enum(['approve', 'reject']),
          at: z.string(),
          comment: z.string().nullable(),
          signature: z.enum(SIGNATURE_STATUSES),
          keyFingerprint: z.string().nullable(),
          counted: z.boolean(),
          droppedAt: z.string().nullable(),
        }),
      ),
    })
    .nullable(),
});

/** The CAB pack as exported in JSON (resources/schemas/cab-pack.schema.json). */
export const cabPackSchema = z.object({
  format: z.literal('stagecraft-cab-pack'),
  version: z.literal(1),
  meta: reportMeta,
  cover: z.object({ title: z.string(), selection: z.string(), agenda: z.array(z.object({ position: z.number().int(), changeId: id, title: z.string(), when: z.string().nullable() })) }),
  summary: z.array(
    z.object({
      id,
      title: z.string(),
      service: z.string(),
      targetStage: z.string(),
      risk: riskLevel,
      riskScore: z.number().int(),
      window: changeWindow.nullable(),
      earliestAt: z.string().nullable(),
      state: z.string(),
      approvals: z.object({ given: z.number().int(), required: z.number().int() }).nullable(),
    }),
  ),
  changes: z.array(cabChange),
});

/** The drift report as exported in JSON (resources/schemas/drift-report.schema.json). */
export const driftReportSchema = z.object({
  format: z.literal('stagecraft-drift-report'),
  version: z.literal(1),
  meta: reportMeta,
  scope: z.string(),
  services: z.array(
    z.object({
      name: z.string(),
      parity: paritySummary,
      stages: z.array(
        z.object({
          name: z.string(),
          isProduction: z.boolean(),
          hosts: z.number().int(),
          snapshotted: z.number().int(),
          image: z.string().nullable(),
          againstProduction: paritySummary,
          againstImage: paritySummary.nullable(),
          comparedWith: z.enum(['production', 'image']),
          items: z.array(driftItem),
        }),
      ),
    }),
  ),
});

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-12-01');

/** What a report covers: chosen changes, the changes planned (window) or due (earliest date) in a range of days (UTC, both included), or drift. */
export const reportSelection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('changes'), changeIds: z.array(id).min(1).max(500) }),
  z.object({ kind: z.literal('range'), from: day, to: day }),
  z.object({ kind: z.literal('drift'), serviceId: id.optional() }),
]);
export type ReportSelection = z.infer<typeof reportSelection>;

const written = z.object({ path: z.string(), bytes: z.number().int(), format: reportFormat });

export const reportCalls = {
  'reports.preview': call('A report as self-contained HTML, to preview before exporting', z.object({ selection: reportSelection }), z.object({ title: z.string(), html: z.string(), fileName: z.string() })),
  'reports.export': call(
    'Write a report to a file; refused when the file exists unless overwrite is confirmed',
    z.object({ selection: reportSelection, format: reportFormat, path: filePath, overwrite: z.boolean().default(false) }),
    written,
  ),
  'reports.saveAs': call('Ask where to save a report with a native dialog, then write it (desktop only)', z.object({ selection: reportSelection, format: reportFormat }), written.nullable()),
  'reports.download': call(
    'Prepare a report for the browser to download once (browser shell only)',
    z.object({ selection: reportSelection, format: reportFormat }),
    z.object({ url: z.string(), fileName: z.string(), bytes: z.number().int() }),
  ),
};
