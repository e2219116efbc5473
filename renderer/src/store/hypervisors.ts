import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { heldJobEvents, type JobEvent } from './job-events';
import { attempt, task } from './task';

export type HypervisorSummary = CallOutput<'hypervisors.list'>[number];
export type HypervisorInventoryView = CallOutput<'hypervisors.inventory'>;
export type HypervisorDomain = HypervisorInventoryView['domains'][number];
export type HypervisorOperation = CallInput<'hypervisors.plan'>['op'];
export type OperationDryRun = CallOutput<'hypervisors.plan'>;

export interface HypervisorJob {
  jobId: string;
  hypervisorId: number;
  kind: 'refresh' | 'operation';
  event: JobEvent;
}

export interface HypervisorsSlice {
  hypervisors: HypervisorSummary[];
  selectedHypervisorId: number | null;
  hypervisorInventory: HypervisorInventoryView | null;
  /** The refresh or operation last started here, with its latest progress. */
  hypervisorJob: HypervisorJob | null;
  /** A dry run waiting for the user's confirmation (the confirm dialog is open while set). */
  dryRun: { hypervisorId: number; op: HypervisorOperation; plan: OperationDryRun } | null;
  loadHypervisors(): Promise<void>;
  selectHypervisor(id: number): Promise<void>;
  addHypervisor(input: CallInput<'hypervisors.add'>): Promise<boolean>;
  removeHypervisor(id: number): Promise<void>;
  refreshHypervisor(id: number): Promise<void>;
  /** Asks for the dry run of a change; the confirm dialog shows it. */
  planHypervisorOperation(op: HypervisorOperation): Promise<void>;
  /** Runs the dry run shown, with its token: the explicit confirmation. */
  confirmDryRun(): Promise<void>;
  dismissDryRun(): void;
  importDomains(domains: string[], stageId: number, role: string): Promise<boolean>;
  /** Takes the event when it is of the followed job; false when it is not. */
  onHypervisorJobEvent(event: JobEvent): boolean;
}

/** No hypervisor selected, no job followed, no dry run waiting. */
export const hypervisorsAtOpen: Pick<HypervisorsSlice, 'hypervisors' | 'selectedHypervisorId' | 'hypervisorInventory' | 'hypervisorJob' | 'dryRun'> = {
  hypervisors: [],
  selectedHypervisorId: null,
  hypervisorInventory: null,
  hypervisorJob: null,
  dryRun: null,
};

export const hypervisorsSlice: StateCreator<AppState, [], [], HypervisorsSlice> = (set, get) => {
  const follow = (jobId: string, hypervisorId: number, kind: HypervisorJob['kind'], title: string) => {
    const event = heldJobEvents.take(jobId).at(-1) ?? { jobId, title, done: 0, total: 1, message: 'started', state: 'running' as const };
    set({ hypervisorJob: { jobId, hypervisorId, kind, event } });
    if (event.state !== 'running') get().onHypervisorJobEvent(event);
  };
  const reload = async () => {
    await get().loadHypervisors();
    const id = get().selectedHypervisorId;
    if (id !== null) await attempt(set, async () => set({ hypervisorInventory: await client.call('hypervisors.inventory', { id }) }));
  };

  return {
    ...hypervisorsAtOpen,
    loadHypervisors: async () => {
      await attempt(set, async () => {
        const hypervisors = await client.call('hypervisors.list', {});
        const selected = get().selectedHypervisorId;
        set({ hypervisors, selectedHypervisorId: hypervisors.some((h) => h.id === selected) ? selected : (hypervisors[0]?.id ?? null) });
        if (get().selectedHypervisorId === null) set({ hypervisorInventory: null });
      });
    },
    selectHypervisor: async (id) => {
      set({ selectedHypervisorId: id, hypervisorInventory: null });
      await task(set, 'Loading the hypervisor', async () => set({ hypervisorInventory: await client.call('hypervisors.inventory', { id }) }));
    },
    addHypervisor: async (input) => {
      let added: HypervisorSummary['id'] | null = null;
      await task(set, 'Adding the hypervisor', async () => void (added = (await client.call('hypervisors.add', input)).id));
      if (added === null) return false;
      await get().loadHypervisors();
      await get().selectHypervisor(added);
      await get().refreshHypervisor(added);
      return true;
    },
    removeHypervisor: async (id) => {
      if (await task(set, 'Removing the hypervisor', async () => void (await client.call('hypervisors.remove', { id })))) {
        if (get().selectedHypervisorId === id) set({ selectedHypervisorId: null, hypervisorInventory: null });
        await reload();
      }
    },
    refreshHypervisor: async (id) => {
      const name = get().hypervisors.find((h) => h.id === id)?.name ?? 'hypervisor';
      await task(set, 'Starting the refresh', async () => follow((await client.call('hypervisors.refresh', { id })).jobId, id, 'refresh', `Reading hypervisor ${name}`));
    },
    planHypervisorOperation: async (op) => {
      const hypervisorId = get().selectedHypervisorId;
      if (hypervisorId === null) return;
      await task(set, 'Planning (dry run)', async () => set({ dryRun: { hypervisorId, op, plan: await client.call('hypervisors.plan', { id: hypervisorId, op }) } }));
    },
    confirmDryRun: async () => {
      const dryRun = get().dryRun;
      if (!dryRun) return;
      set({ dryRun: null });
      await task(set, 'Starting the operation', async () =>
        follow((await client.call('hypervisors.execute', { id: dryRun.hypervisorId, token: dryRun.plan.token })).jobId, dryRun.hypervisorId, 'operation', dryRun.plan.description),
      );
    },
    dismissDryRun: () => set({ dryRun: null }),
    importDomains: async (domains, stageId, role) => {
      const id = get().selectedHypervisorId;
      if (id === null) return false;
      const done = await task(set, 'Importing VMs', async () => void (await client.call('hypervisors.importDomains', { id, domains, stageId, role })));
      if (done) await reload();
      return done;
    },
    onHypervisorJobEvent: (event) => {
      const job = get().hypervisorJob;
      if (job?.jobId !== event.jobId) return false;
      set({ hypervisorJob: { ...job, event } });
      if (event.state !== 'running') void reload();
      return true;
    },
  };
};
