import type { StateCreator } from 'zustand';
import { client } from '../api/client';
import { applyAtOpen } from './apply';
import { assetsAtOpen } from './assets';
import { changesAtOpen } from './changes';
import { driftAtOpen } from './drift';
import { historyAtOpen } from './history';
import { hypervisorsAtOpen } from './hypervisors';
import { imagesAtOpen } from './images';
import type { AppState } from './index';
import { inventoryAtOpen } from './inventory';
import { promotionAtOpen } from './promotion';
import { scanAtOpen } from './scan';
import { task } from './task';
import type { RecentWorkspace, ShellInfo, WireError, WorkspaceSummary } from './types';

export interface SessionSlice {
  shell: ShellInfo | null;
  workspace: WorkspaceSummary | null;
  recent: RecentWorkspace[];
  busy: string | null;
  error: WireError | null;
  start(): Promise<void>;
  createWorkspace(path: string, name: string): Promise<void>;
  openWorkspace(path: string): Promise<void>;
  openDemo(): Promise<void>;
  closeWorkspace(): Promise<void>;
  refreshWorkspace(): Promise<void>;
  dismissError(): void;
}

/**
 * Nothing of the workspace shown before carries over, even at the same path (a demo rebuilt there
 * is another workspace): selections, filters, overlays, jobs, undo, and who is using it, read afresh.
 * The same when the workspace closes.
 */
const workspaceAtOpen = {
  ...inventoryAtOpen,
  ...driftAtOpen,
  ...imagesAtOpen,
  ...scanAtOpen,
  ...promotionAtOpen,
  ...historyAtOpen,
  ...changesAtOpen,
  ...applyAtOpen,
  ...hypervisorsAtOpen,
  ...assetsAtOpen,
};

export const sessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => {
  const opened = async (workspace: WorkspaceSummary) => {
    set({ workspace, ...workspaceAtOpen });
    await Promise.all([get().loadServices(), get().loadPeople()]);
  };
  return {
    shell: null,
    workspace: null,
    recent: [],
    busy: null,
    error: null,
    start: async () => {
      await task(set, 'Starting', async () => {
        const [shell, workspace, recent] = await Promise.all([client.call('app.info', {}), client.call('workspace.current', {}), client.call('workspace.recent', {})]);
        set({ shell, recent });
        if (workspace) await opened(workspace);
      });
    },
    createWorkspace: async (path, name) => void (await task(set, 'Creating workspace', async () => opened(await client.call('workspace.create', { path, name })))),
    openWorkspace: async (path) => void (await task(set, 'Opening workspace', async () => opened(await client.call('workspace.open', { path })))),
    openDemo: async () => void (await task(set, 'Building the demo workspace', async () => opened(await client.call('workspace.openDemo', {})))),
    closeWorkspace: async () => {
      await task(set, 'Closing', async () => {
        await client.call('workspace.close', {});
        set({ workspace: null, ...workspaceAtOpen, recent: await client.call('workspace.recent', {}) });
      });
    },
    /** After a change pushed by the main process: reload what is on screen. */
    refreshWorkspace: async () => {
      const workspace = await client.call('workspace.current', {});
      if (!workspace) return;
      set({ workspace, serviceDrift: {}, images: {} });
      await get().loadServices();
      const stageId = get().selectedStageId;
      if (stageId !== null) await get().selectStage(stageId);
    },
    dismissError: () => set({ error: null }),
  };
};
