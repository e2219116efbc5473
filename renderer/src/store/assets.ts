import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { attempt, task } from './task';

export type AssetsReport = CallOutput<'assets.report'>;
export type StageUsage = AssetsReport['stages'][number];
export type LeaseView = AssetsReport['leases'][number];
export type ReclaimOptions = Omit<CallInput<'reclaim.plan'>, 'stageId'>;
export type ReclaimDryRun = CallOutput<'reclaim.plan'>;
export type ReclaimStatus = CallOutput<'reclaim.status'>;

export interface AssetsSlice {
  assets: AssetsReport | null;
  /** Leases with at most this many days left count as expiring. */
  leaseHorizonDays: number;
  /** The reclaim dialog: its stage, the dry run shown (once asked), the job running it (once confirmed), then its outcome. */
  reclaim: { stageId: number; dryRun: ReclaimDryRun | null; job: CallOutput<'reclaim.run'> | null; outcome: ReclaimStatus | null } | null;
  loadAssets(): Promise<void>;
  setLeaseHorizon(days: number): Promise<void>;
  setLease(lease: CallInput<'leases.set'>): Promise<boolean>;
  addPool(pool: CallInput<'pools.add'>): Promise<boolean>;
  extendLease(stageId: number, expiresOn: string, reason: string): Promise<boolean>;
  archiveEnvironment(stageId: number, reason: string): Promise<boolean>;
  openReclaim(stageId: number): Promise<void>;
  planReclaim(options: ReclaimOptions): Promise<void>;
  /** Starts the dry run shown, with its token (the explicit confirmation), as a job. */
  confirmReclaim(): Promise<void>;
  /** The reclaim job ended: its outcome, from the workspace. */
  reclaimFinished(): Promise<void>;
  closeReclaim(): void;
}

/** No report read yet, no reclaim dialog. */
export const assetsAtOpen: Pick<AssetsSlice, 'assets' | 'reclaim'> = { assets: null, reclaim: null };

/** Writes are not followed by a reload here: the workspace.changed they emit reloads the report (WorkspaceView). */
export const assetsSlice: StateCreator<AppState, [], [], AssetsSlice> = (set, get) => ({
  ...assetsAtOpen,
  leaseHorizonDays: 7,
  loadAssets: async () => {
    const report = await attempt(set, () => client.call('assets.report', { horizonDays: get().leaseHorizonDays }));
    if (report) set({ assets: report });
  },
  setLeaseHorizon: async (days) => {
    set({ leaseHorizonDays: days });
    await get().loadAssets();
  },
  setLease: async (lease) => {
    return task(set, 'Setting the lease', async () => void (await client.call('leases.set', lease)));
  },
  addPool: async (pool) => {
    return task(set, 'Adding the pool', async () => void (await client.call('pools.add', pool)));
  },
  extendLease: async (stageId, expiresOn, reason) => {
    return task(set, 'Extending the lease', async () => void (await client.call('leases.extend', { stageId, expiresOn, reason })));
  },
  archiveEnvironment: async (stageId, reason) => {
    return task(set, 'Archiving the environment', async () => void (await client.call('leases.archive', { stageId, reason })));
  },
  openReclaim: async (stageId) => {
    set({ reclaim: { stageId, dryRun: null, job: null, outcome: null }, error: null });
    // A reclaim may already be under way (interrupted, or waiting for its grace period): show where it stands.
    const status = await attempt(set, () => client.call('reclaim.status', { stageId }));
    if (status?.run && status.run.state !== 'done' && get().reclaim?.stageId === stageId) set({ reclaim: { stageId, dryRun: null, job: null, outcome: status } });
  },
  planReclaim: async (options) => {
    const current = get().reclaim;
    if (!current) return;
    await task(set, 'Planning the reclaim (reading the hypervisors)', async () => {
      const dryRun = await client.call('reclaim.plan', { stageId: current.stageId, ...options });
      if (get().reclaim?.stageId === current.stageId) set({ reclaim: { ...current, dryRun } });
    });
  },
  confirmReclaim: async () => {
    const current = get().reclaim;
    if (!current?.dryRun) return;
    await task(set, 'Starting the reclaim', async () => {
      const job = await client.call('reclaim.run', { token: current.dryRun!.token });
      set({ reclaim: { ...current, dryRun: null, job } });
    });
  },
  reclaimFinished: async () => {
    const current = get().reclaim;
    if (!current?.job) return;
    const outcome = await attempt(set, () => client.call('reclaim.status', { stageId: current.stageId }));
    if (get().reclaim?.stageId === current.stageId) set({ reclaim: { ...current, job: null, outcome: outcome ?? current.outcome } });
  },
  closeReclaim: () => set({ reclaim: null }),
});
