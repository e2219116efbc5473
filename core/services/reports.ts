/**
 * CAB packs and drift reports from an open workspace: the data is looked up here, the report
 * model and every format come from core/reports, PDFs from the shell's printer or Chromium.
 */
import type { z } from 'zod';
import type { Handlers } from '../contract/dispatch';
import { cabPackSchema, driftReportSchema, type ReportSelection } from '../contract/reports';
import { StagecraftError } from '../domain/errors';
import { buildCabPack, type CabChangeInput, type CabPack, type ChangeControlFields, type ReportFormat, type ReportMeta } from '../reports/cab-model';
import { renderCabCsv, renderDriftCsv } from '../reports/csv';
import type { DriftReportModel } from '../reports/drift-model';
import { renderCabHtml, renderDriftHtml } from '../reports/html';
import { renderCabMarkdown, renderDriftMarkdown } from '../reports/markdown';
import type { ChangeRequestRow } from '../store/promotion-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import { changeDetail, Schedule, type ChangeDetail } from './change-control';
import type { ServiceContext } from './context';
import { driftServiceFor, type DriftService, type StageDrift } from './drift-service';
import { exportTarget, writeExportFile } from './export-file';
import { htmlToPdf } from './pdf';
import type { Session } from './session';

export type ReportModel = { kind: 'cab'; pack: CabPack } | { kind: 'drift'; report: DriftReportModel };

const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

const DAY_MS = 24 * 60 * 60 * 1000;

function reportMeta(store: WorkspaceStore, ctx: ServiceContext, now: Date): ReportMeta {
  const verdict = store.audit.verify();
  return {
    workspace: store.summary().name,
    generatedAt: now.toISOString(),
    generatedBy: ctx.actor(),
    stagecraftVersion: ctx.version,
    audit: verdict.ok
      ? { entries: verdict.entries, head: verdict.head, intact: true, problem: null }
      : { entries: verdict.entries, head: store.audit.entries(1)[0]?.hash ?? null, intact: false, problem: `entry ${verdict.firstBadSeq}: ${verdict.reason}` },
  };
}

/** When a change happens, for date ranges: its window, else from the earliest it may happen (or when it was drafted). */
function spanOf(schedule: Schedule, row: Pick<ChangeRequestRow, 'id' | 'earliestAt' | 'createdAt'>): { start: number; end: number } {
  const { window } = schedule.change(row.id);
  if (window) return { start: Date.parse(window.start), end: Date.parse(window.end) };
  const at = Date.parse(row.earliestAt ?? row.createdAt);
  return { start: at, end: at };
}

/** The ids of the changes a selection names, checked to exist; a range with none is an error the user can act on. */
function selectedChanges(schedule: Schedule, selection: Extract<ReportSelection, { kind: 'changes' | 'range' }>): number[] {
  if (selection.kind === 'changes') return [...new Set(selection.changeIds)].map((id) => schedule.row(id).id);
  const from = Date.parse(`${selection.from}T00:00:00Z`);
  const to = Date.parse(`${selection.to}T00:00:00Z`) + DAY_MS;
  if (Number.isNaN(from) || Number.isNaN(to)) throw new StagecraftError('invalid-input', `${selection.from} to ${selection.to} is not a valid date range.`, 'Use dates such as 2026-12-01.');
  if (to <= from) throw new StagecraftError('invalid-input', `The range ends (${selection.to}) before it starts (${selection.from}).`, 'Swap the dates.');
  const ids = schedule.rows
    .filter((row) => {
      const span = spanOf(schedule, row);
      return span.start < to && span.end >= from;
    })
    .map((row) => row.id);
  if (ids.length === 0) throw new StagecraftError('not-found', `No change is planned or due between ${selection.from} and ${selection.to}.`, 'Widen the range or choose changes by id.');
  return ids;
}

/** The facts that differ in a stage: against production, or for production itself against its image when it has one. */
function differingFacts(drift: DriftService, stage: StageDrift) {
  const detail = drift.stageDetail(stage.stageId);
  const byImage = stage.isProduction && detail.image !== null;
  return { comparedWith: byImage ? ('image' as const) : ('production' as const), items: byImage ? detail.image!.items : detail.production.items, imageLabel: detail.image?.label ?? null };
}

function changeInput(store: WorkspaceStore, changeId: number, schedule: Schedule): CabChangeInput {
  const detail = changeDetail(store, changeId, schedule);
  const { row } = detail;
  const stored = detail.plan;
  const drift = driftServiceFor(store);
  const stage = drift.serviceDrift(row.serviceId).stages.find((s) => s.stageId === row.toStageId)!;
  const facts = differingFacts(drift, stage);
  const fromStage = row.fromStageId === null ? null : (schedule.service(row.serviceId).stages.find((s) => s.id === row.fromStageId)?.name ?? `stage ${row.fromStageId}`);
  return {
    id: row.id,
    title: row.title,
    state: row.state,
    service: detail.service,
    fromStage,
    targetStage: detail.targetStage,
    targetIsProduction: detail.targetIsProduction,
    targetHosts: schedule.change(row.id).hosts,
    image: detail.image,
    earliestAt: row.earliestAt,
    requester: detail.requester?.name ?? row.createdBy,
    createdAt: row.createdAt,
    risk: row.risk,
    verdict: row.verdict,
    acknowledgedDrift: stored.acknowledgedDrift,
    plan: stored.plan,
    target: {
      stage: detail.targetStage,
      hosts: stage.hosts,
      snapshotted: stage.snapshotted,
      againstProduction: stage.production,
      againstImage: stage.image && facts.imageLabel !== null ? { ...stage.image, label: facts.imageLabel } : null,
      parityWhenPlanned: stored.targetParity,
      comparedWith: facts.comparedWith,
      items: facts.items,
    },
    control: changeControlFields(detail),
  };
}

/** What change control recorded about a change, as the pack shows it. */
function changeControlFields(detail: ChangeDetail): ChangeControlFields {
  const { details } = detail;
  return {
    category: details.category,
    description: details.description,
    justification: details.justification,
    impact: details.impact,
    window: details.window,
    implementationPlan: details.implementationPlan,
    backoutPlan: details.backoutPlan,
    testPlan: details.testPlan,
    requiredApprovers: detail.requiredApprovers.map((p) => `${p.name} (${p.roles.join(', ')})`),
    riskOverride: detail.risk.override ? { level: detail.risk.override.level, reason: detail.risk.override.reason, by: detail.risk.override.by ?? 'unknown' } : null,
    staleReason: detail.stale,
    stale: detail.stale !== null,
    conflicts: detail.conflicts.map((c) => ({ kind: c.kind, detail: c.detail, otherChangeId: c.otherChangeId })),
    approvals: {
      required: detail.approvals.required,
      roles: detail.approvals.roles,
      given: detail.approvals.given,
      decisions: detail.decisions.map((d) => ({
        approver: d.approver,
        signedAs: d.signedAs,
        decision: d.decision,
        at: d.at,
        comment: d.comment,
        signature: d.signatureStatus,
        keyFingerprint: d.keyFingerprint,
        counted: d.counted,
        droppedAt: d.droppedAt,
      })),
    },
  };
}

export function cabPackOf(store: WorkspaceStore, ctx: ServiceContext, selection: Extract<ReportSelection, { kind: 'changes' | 'range' }>, now = new Date()): CabPack {
  const schedule = new Schedule(store);
  const ids = selectedChanges(schedule, selection);
  const described = selection.kind === 'range' ? `Changes planned or due from ${selection.from} to ${selection.to}` : `${ids.length === 1 ? 'Change' : 'Changes'} ${ids.map((id) => `#${id}`).join(', ')}`;
  return buildCabPack(reportMeta(store, ctx, now), described, ids.map((id) => changeInput(store, id, schedule)));
}

export function driftReportOf(store: WorkspaceStore, ctx: ServiceContext, serviceId?: number, now = new Date()): DriftReportModel {
  const drift = driftServiceFor(store);
  const services = serviceId === undefined ? store.inventory.listServices() : [store.inventory.getService(serviceId)];
  return {
    format: 'stagecraft-drift-report',
    version: 1,
    meta: reportMeta(store, ctx, now),
    scope: serviceId === undefined ? 'Every service, every stage' : `Service ${services[0]!.name}, every stage`,
    services: services.map((service) => {
      const summary = drift.serviceDrift(service.id);
      return {
        name: service.name,
        parity: summary.parity,
        stages: summary.stages.map((stage) => {
          const { comparedWith, items } = differingFacts(drift, stage);
          return {
            name: stage.stageName,
            isProduction: stage.isProduction,
            hosts: stage.hosts,
            snapshotted: stage.snapshotted,
            image: service.stages.find((s) => s.id === stage.stageId)?.image?.label ?? null,
            againstProduction: stage.production,
            againstImage: stage.image,
            comparedWith,
            items,
          };
        }),
      };
    }),
  };
}

export function reportModel(store: WorkspaceStore, ctx: ServiceContext, selection: ReportSelection): ReportModel {
  return selection.kind === 'drift' ? { kind: 'drift', report: driftReportOf(store, ctx, selection.serviceId) } : { kind: 'cab', pack: cabPackOf(store, ctx, selection) };
}

export const reportHtml = (model: ReportModel): string => (model.kind === 'cab' ? renderCabHtml(model.pack) : renderDriftHtml(model.report));

/** The JSON export, checked against its published schema before it leaves. */
function reportJson(model: ReportModel): string {
  const checked =
    model.kind === 'cab' ? (cabPackSchema.parse(model.pack satisfies z.input<typeof cabPackSchema>) satisfies CabPack) : (driftReportSchema.parse(model.report satisfies z.input<typeof driftReportSchema>) satisfies DriftReportModel);
  return `${JSON.stringify(checked, null, 2)}\n`;
}

export function reportFileName(model: ReportModel, format: ReportFormat): string {
  const day = (model.kind === 'cab' ? model.pack.meta : model.report.meta).generatedAt.slice(0, 10);
  const what =
    model.kind === 'drift' ? `drift-report${model.report.services.length === 1 ? `-${model.report.services[0]!.name}` : ''}`
    : `cab-pack${model.pack.changes.length === 1 ? `-change-${model.pack.changes[0]!.id}` : ''}`;
  return `${what.replace(/[^A-Za-z0-9._-]+/g, '-')}-${day}.${format}`;
}

/** A report in one format, as the bytes of its file. */
export async function renderReport(ctx: Pick<ServiceContext, 'printToPdf'>, model: ReportModel, format: ReportFormat): Promise<{ bytes: Buffer; contentType: string }> {
  const text =
    format === 'pdf' ? null
    : format === 'html' ? reportHtml(model)
    : format === 'json' ? reportJson(model)
    : format === 'md' ? (model.kind === 'cab' ? renderCabMarkdown(model.pack) : renderDriftMarkdown(model.report))
    : model.kind === 'cab' ? renderCabCsv(model.pack)
    : renderDriftCsv(model.report);
  const bytes = text === null ? await htmlToPdf(ctx, reportHtml(model)) : Buffer.from(text, 'utf8');
  return { bytes, contentType: CONTENT_TYPES[format] };
}

type ReportHandlers = Pick<Handlers, 'reports.preview' | 'reports.export' | 'reports.saveAs' | 'reports.download'>;

export function reportHandlers(ctx: ServiceContext, session: Session): ReportHandlers {
  const written = (path: string, bytes: Buffer, format: ReportFormat) => ({ path, bytes: bytes.length, format });
  return {
    'reports.preview': ({ selection }) => {
      const model = reportModel(session.require(), ctx, selection);
      return { title: model.kind === 'cab' ? model.pack.cover.title : 'Drift report', html: reportHtml(model), fileName: reportFileName(model, 'html').replace(/\.html$/, '') };
    },
    'reports.export': async ({ selection, format, path, overwrite }) => {
      const target = exportTarget(path, { overwrite }); // refused before any costly rendering
      const { bytes } = await renderReport(ctx, reportModel(session.require(), ctx, selection), format);
      return written(writeExportFile(target, bytes, { overwrite }), bytes, format);
    },
    'reports.saveAs': async ({ selection, format }) => {
      if (!ctx.chooseSavePath) throw new StagecraftError('unsupported', 'This shell has no native save dialog.', 'Download the report instead.');
      const model = reportModel(session.require(), ctx, selection);
      const chosen = await ctx.chooseSavePath(reportFileName(model, format));
      if (!chosen) return null;
      const { bytes } = await renderReport(ctx, model, format);
      return written(writeExportFile(chosen.path, bytes, { overwrite: chosen.overwriteConfirmed }), bytes, format);
    },
    'reports.download': async ({ selection, format }) => {
      if (!ctx.offerDownload) throw new StagecraftError('unsupported', 'This shell cannot offer downloads.', 'Save the report with the save dialog instead.');
      const model = reportModel(session.require(), ctx, selection);
      const { bytes, contentType } = await renderReport(ctx, model, format);
      const fileName = reportFileName(model, format);
      return { url: ctx.offerDownload({ fileName, contentType, bytes }), fileName, bytes: bytes.length };
    },
  };
}
