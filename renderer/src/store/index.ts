import { create, type StateCreator } from 'zustand';
import type { CallOutput, WireError } from '../../../core/contract/index';
import { CallFailed } from '../../../core/contract/index';
import { client } from '../api/client';

type ShellInfo = CallOutput<'app.info'>;
type WorkspaceSummary = NonNullable<CallOutput<'workspace.current'>>;
type RecentWorkspace = CallOutput<'workspace.recent'>[number];
type ServiceSummary = CallOutput<'services.list'>[number];
type EnvironmentView = CallOutput<'environment.get'>;

export type View = 'lifecycle' | 'overview';

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
  dismissError(): void;
}

export interface InventorySlice {
  services: ServiceSummary[];
  selectedServiceId: number | null;
  selectedStageId: number | null;
  environment: EnvironmentView | null;
  loadServices(): Promise<void>;
  selectService(id: number): void;
  selectStage(id: number | null): Promise<void>;
}

export interface UiSlice {
  view: View;
  setView(view: View): void;
}

export type AppState = SessionSlice & InventorySlice & UiSlice;

const asWireError = (error: unknown): WireError =>
  error instanceof CallFailed ? error.error : { code: 'internal', message: error instanceof Error ? error.message : String(error) };

/** Runs a call with a busy label; a failure lands in `error` for the banner instead of being thrown. */
async function task(set: (partial: Partial<AppState>) => void, label: string, work: () => Promise<void>): Promise<void> {
  set({ busy: label, error: null });
  try {
    await work();
  } catch (error) {
    set({ error: asWireError(error) });
  } finally {
    set({ busy: null });
  }
}

const sessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => {
  const opened = async (workspace: WorkspaceSummary) => {
    set({ workspace, selectedServiceId: null, selectedStageId: null, environment: null });
    await get().loadServices();
  };
  return {
    shell: null,
    workspace: null,
    recent: [],
    busy: null,
    error: null,
    start: () =>
      task(set, 'Starting', async () => {
        const [shell, workspace, recent] = await Promise.all([client.call('app.info', {}), client.call('workspace.current', {}), client.call('workspace.recent', {})]);
        set({ shell, recent });
        if (workspace) await opened(workspace);
      }),
    createWorkspace: (path, name) => task(set, 'Creating workspace', async () => opened(await client.call('workspace.create', { path, name }))),
    openWorkspace: (path) => task(set, 'Opening workspace', async () => opened(await client.call('workspace.open', { path }))),
    openDemo: () => task(set, 'Building the demo workspace', async () => opened(await client.call('workspace.openDemo', {}))),
    closeWorkspace: () =>
      task(set, 'Closing', async () => {
        await client.call('workspace.close', {});
        set({ workspace: null, services: [], selectedServiceId: null, selectedStageId: null, environment: null, recent: await client.call('workspace.recent', {}) });
      }),
    dismissError: () => set({ error: null }),
  };
};

const inventorySlice: StateCreator<AppState, [], [], InventorySlice> = (set, get) => ({
  services: [],
  selectedServiceId: null,
  selectedStageId: null,
  environment: null,
  loadServices: () =>
    task(set, 'Loading services', async () => {
      const services = await client.call('services.list', {});
      const keep = services.some((s) => s.id === get().selectedServiceId);
      set({ services, selectedServiceId: keep ? get().selectedServiceId : (services[0]?.id ?? null) });
    }),
  selectService: (id) => set({ selectedServiceId: id, selectedStageId: null, environment: null, view: 'lifecycle' }),
  selectStage: async (id) => {
    set({ selectedStageId: id, environment: null });
    if (id === null) return;
    await task(set, 'Loading environment', async () => {
      const environment = await client.call('environment.get', { stageId: id });
      if (get().selectedStageId === id) set({ environment });
    });
  },
});

const uiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  view: 'lifecycle',
  setView: (view) => set({ view }),
});

export const useApp = create<AppState>()((...a) => ({ ...sessionSlice(...a), ...inventorySlice(...a), ...uiSlice(...a) }));

export const useSelectedService = () => useApp((s) => s.services.find((x) => x.id === s.selectedServiceId) ?? null);
