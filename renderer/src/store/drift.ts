import type { StateCreator } from 'zustand';
import { client } from '../api/client';
import type { CallInput } from '../../../core/contract/index';
import type { AppState } from './index';
import { task } from './task';
import type { FileDiff, ParityPoint, ServiceDrift, Severity, StageDriftDetail } from './types';

export type DriftComparison = 'production' | 'image' | 'consistency';

export interface DriftSlice {
  /** By service id. */
  serviceDrift: Record<number, ServiceDrift>;
  stageDetail: StageDriftDetail | null;
  trend: ParityPoint[];
  comparison: DriftComparison;
  severityFilter: Severity[];
  hostFilter: string | null;
  fileDiff: FileDiff | null;
  loadOverviewDrift(): Promise<void>;
  loadServiceDrift(serviceId: number): Promise<void>;
  loadStageDetail(stageId: number): Promise<void>;
  setComparison(comparison: DriftComparison): void;
  toggleSeverity(severity: Severity): void;
  setHostFilter(host: string | null): void;
  openFileDiff(path: string, host: string): Promise<void>;
  closeFileDiff(): void;
  /** Ignores one drifted fact of the selected service (in one role when given). */
  ignore(fact: { category: StageDriftDetail['production']['items'][number]['category']; key: string; role?: string; reason: string }): Promise<boolean>;
  addIgnoreRule(rule: CallInput<'ignore.add'>): Promise<boolean>;
}

/** Glob metacharacters in a fact key are literal when ignoring that one fact. */
const literalGlob = (key: string) => key.replace(/[*?[\]{}\\!]/g, (c) => `\\${c}`);

/** What a workspace starts with: nothing measured, no host filtered, no file diff open (the comparison and severities shown stay). */
export const driftAtOpen: Pick<DriftSlice, 'serviceDrift' | 'stageDetail' | 'trend' | 'hostFilter' | 'fileDiff'> = { serviceDrift: {}, stageDetail: null, trend: [], hostFilter: null, fileDiff: null };

export const driftSlice: StateCreator<AppState, [], [], DriftSlice> = (set, get) => ({
  ...driftAtOpen,
  comparison: 'production',
  severityFilter: ['high', 'medium', 'low'],
  loadOverviewDrift: async () => {
    await task(set, 'Measuring drift', async () => {
      const all = await client.call('drift.overview', {});
      set({ serviceDrift: Object.fromEntries(all.map((d) => [d.serviceId, d])) });
    });
  },
  loadServiceDrift: async (serviceId) => {
    await task(set, 'Measuring drift', async () => {
      const drift = await client.call('drift.service', { serviceId });
      set({ serviceDrift: { ...get().serviceDrift, [serviceId]: drift } });
    });
  },
  loadStageDetail: async (stageId) => {
    await task(set, 'Comparing with production', async () => {
      const [detail, trend] = await Promise.all([client.call('drift.stage', { stageId }), client.call('drift.trend', { stageId })]);
      if (get().selectedStageId !== stageId) return;
      const comparison = get().comparison === 'image' && !detail.image ? 'production' : get().comparison;
      set({ stageDetail: detail, trend, comparison, hostFilter: null });
    });
  },
  setComparison: (comparison) => set({ comparison }),
  toggleSeverity: (severity) => {
    const current = get().severityFilter;
    set({ severityFilter: current.includes(severity) ? current.filter((s) => s !== severity) : [...current, severity] });
  },
  setHostFilter: (hostFilter) => set({ hostFilter }),
  openFileDiff: async (path, host) => {
    const stageId = get().selectedStageId;
    if (stageId === null) return;
    const against = get().comparison === 'image' ? 'image' : 'production';
    await task(set, 'Loading the file diff', async () => set({ fileDiff: await client.call('drift.fileDiff', { stageId, path, host, against }) }));
  },
  closeFileDiff: () => set({ fileDiff: null }),
  ignore: async ({ category, key, role, reason }) => {
    const service = get().services.find((s) => s.id === get().selectedServiceId);
    if (!service) return false;
    return get().addIgnoreRule({ scope: { service: service.name, ...(role ? { role } : {}) }, category, key: literalGlob(key), reason });
  },
  addIgnoreRule: (rule) => task(set, 'Adding an ignore rule', async () => void (await client.call('ignore.add', rule))),
});
