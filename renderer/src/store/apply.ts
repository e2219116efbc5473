import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import { isOfLaterRun, withEvent, type ApplyEvent, type ApplyStatus } from './apply-run';
import type { AppState } from './index';
import { attempt, task } from './task';

export type ApplyDryRun = CallOutput<'apply.dryRun'>;
export interface ApplyChoice {
  concurrency?: number;
  canary?: string;
}

export interface ApplySlice {
  /** The change whose apply record is loaded (the open change), and whether its Apply view is open. */
  applyChangeId: number | null;
  applyOpen: boolean;
  applyStatus: ApplyStatus | null;
  applyDryRun: ApplyDryRun | null;
  /** The latest event of each host of the run being followed: the command it is on now. */
  applyLive: Record<string, ApplyEvent>;
  /** The latest run of a change (none yet, running, cut short or finished). */
  loadApplyStatus(changeId: number): Promise<void>;
  openApply(): void;
  closeApply(): void;
  /** The dry run with these choices: the hosts in order, their commands, files and rollback. */
  dryRunApply(choice: ApplyChoice): Promise<void>;
  startApply(choice: ApplyChoice): Promise<boolean>;
  abortApply(): Promise<boolean>;
  resumeApply(mode: 'complete' | 'roll-back'): Promise<boolean>;
  /** A host's state and message at once; its commands and their output come with the next status read (ApplyEntry polls while the run is live). */
  onApplyEvent(event: ApplyEvent): void;
}

/** No apply record loaded, no Apply view open. */
export const applyAtOpen: Pick<ApplySlice, 'applyChangeId' | 'applyOpen' | 'applyStatus' | 'applyDryRun' | 'applyLive'> = { applyChangeId: null, applyOpen: false, applyStatus: null, applyDryRun: null, applyLive: {} };

export const applySlice: StateCreator<AppState, [], [], ApplySlice> = (set, get) => {
  /** The later run whose status is already being read on account of its events (read once, not per event). */
  let statusReadForRun: number | null = null;
  const readStatus = async (changeId: number) => {
    const status = await client.call('apply.status', { changeId });
    if (get().applyChangeId === changeId) set({ applyStatus: status });
  };
  const runJob = async (label: string, work: (changeId: number) => Promise<unknown>) => {
    const changeId = get().applyChangeId;
    if (changeId === null) return false;
    set({ applyLive: {} });
    return task(set, label, async () => {
      await work(changeId);
      await readStatus(changeId);
    });
  };
  return {
    ...applyAtOpen,
    loadApplyStatus: async (changeId) => {
      if (get().applyChangeId !== changeId) {
        set({ ...applyAtOpen, applyChangeId: changeId });
        statusReadForRun = null;
      }
      await attempt(set, () => readStatus(changeId));
    },
    openApply: () => set({ applyOpen: true }),
    closeApply: () => set({ applyOpen: false }),
    dryRunApply: async (choice) => {
      const changeId = get().applyChangeId;
      if (changeId === null) return;
      await task(set, 'Preparing the dry run', async () => {
        const dryRun = await client.call('apply.dryRun', { changeId, ...choice });
        if (get().applyChangeId === changeId) set({ applyDryRun: dryRun });
      });
    },
    startApply: (choice) => runJob('Starting the apply', (changeId) => client.call('apply.start', { changeId, ...choice })),
    resumeApply: (mode) => runJob(mode === 'complete' ? 'Resuming the apply' : 'Rolling back the host in doubt', (changeId) => client.call('apply.resume', { changeId, mode })),
    abortApply: async () => {
      const changeId = get().applyChangeId;
      if (changeId === null) return false;
      return task(set, 'Aborting the apply', async () => {
        const { aborted } = await client.call('apply.abort', { changeId });
        if (!aborted) throw new Error('The run had already ended: nothing was aborted.');
        await readStatus(changeId);
      });
    },
    onApplyEvent: (event) => {
      if (event.changeId !== get().applyChangeId) return;
      const status = get().applyStatus;
      set({ applyLive: { ...get().applyLive, [event.host]: event }, ...(status && { applyStatus: withEvent(status, event) }) });
      // A run started elsewhere (another window, the CLI) or before the status read: its events alone do not make its record.
      if (status && isOfLaterRun(status, event) && statusReadForRun !== event.runId) {
        statusReadForRun = event.runId;
        void attempt(set, () => readStatus(event.changeId));
      }
    },
  };
};
