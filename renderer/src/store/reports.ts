import type { StateCreator } from 'zustand';
import type { ReportSelection } from '../../../core/contract/reports';
import type { AppState } from './index';

export interface ReportsSlice {
  /** What the export dialog is open for; null when it is closed. */
  reportSelection: ReportSelection | null;
  /** Opens the export dialog for a drift report (one service, or all of them). */
  openDriftReport(serviceId?: number): void;
  /** Opens the export dialog for a CAB pack of chosen changes. */
  openChangesReport(changeIds: number[]): void;
  /** Opens the export dialog for a CAB pack of the changes due between two days (YYYY-MM-DD, both included). */
  openRangeReport(from: string, to: string): void;
  closeReport(): void;
}

export const reportsSlice: StateCreator<AppState, [], [], ReportsSlice> = (set) => ({
  reportSelection: null,
  openDriftReport: (serviceId) => set({ reportSelection: { kind: 'drift', ...(serviceId !== undefined && { serviceId }) } }),
  openChangesReport: (changeIds) => set({ reportSelection: { kind: 'changes', changeIds } }),
  openRangeReport: (from, to) => set({ reportSelection: { kind: 'range', from, to } }),
  closeReport: () => set({ reportSelection: null }),
});
