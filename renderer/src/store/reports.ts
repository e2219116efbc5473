import type { StateCreator } from 'zustand';
import type { ReportSelection } from '../../../core/contract/reports';
import type { AppState } from './index';

export interface ReportsSlice {
  /** What the export dialog is open for; null when it is closed. */
  reportSelection: ReportSelection | null;
  /**
   * Opens the export dialog: a drift report ({ kind: 'drift', serviceId? }), or a CAB pack of chosen
   * changes ({ kind: 'changes', changeIds }) or of the changes due in a date range ({ kind: 'range', from, to }).
   */
  openReport(selection: ReportSelection): void;
  closeReport(): void;
}

export const reportsSlice: StateCreator<AppState, [], [], ReportsSlice> = (set) => ({
  reportSelection: null,
  openReport: (reportSelection) => set({ reportSelection }),
  closeReport: () => set({ reportSelection: null }),
});
