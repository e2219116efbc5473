/** The drift report as data: per service, per stage, its parity and the facts that differ. */
import type { DriftItem } from '../domain/drift';
import type { ParitySummary } from '../domain/parity';
import type { ReportMeta } from './cab-model';

/** Differing facts printed per stage (HTML, PDF, Markdown); CSV and JSON carry every one. */
export const DRIFT_ITEMS_PRINTED = 300;

/** The facts of a stage a printed report lists, and how many it leaves to the CSV and JSON. */
export const printedItems = (stage: DriftReportStage) => ({ items: stage.items.slice(0, DRIFT_ITEMS_PRINTED), more: Math.max(0, stage.items.length - DRIFT_ITEMS_PRINTED) });

export interface DriftReportStage {
  name: string;
  isProduction: boolean;
  hosts: number;
  snapshotted: number;
  image: string | null;
  againstProduction: ParitySummary;
  againstImage: ParitySummary | null;
  /** What `items` were compared with: production's plurality, or (for production itself) its image. */
  comparedWith: 'production' | 'image';
  items: DriftItem[];
}

export interface DriftReportService {
  name: string;
  /** Every preproduction stage against production, weighted by compared facts. */
  parity: ParitySummary;
  stages: DriftReportStage[];
}

export interface DriftReportModel {
  format: 'stagecraft-drift-report';
  version: 1;
  meta: ReportMeta;
  scope: string;
  services: DriftReportService[];
}
