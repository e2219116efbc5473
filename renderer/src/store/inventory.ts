import type { StateCreator } from 'zustand';
import { client } from '../api/client';
import type { AppState } from './index';
import { task } from './task';
import type { EnvironmentView, ServiceSummary } from './types';

export interface InventorySlice {
  services: ServiceSummary[];
  selectedServiceId: number | null;
  selectedStageId: number | null;
  environment: EnvironmentView | null;
  loadServices(): Promise<void>;
  selectService(id: number): void;
  selectStage(id: number | null): Promise<void>;
}

/** What a workspace starts with before its services are read: nothing selected. */
export const inventoryAtOpen: Pick<InventorySlice, 'services' | 'selectedServiceId' | 'selectedStageId' | 'environment'> = { services: [], selectedServiceId: null, selectedStageId: null, environment: null };

export const inventorySlice: StateCreator<AppState, [], [], InventorySlice> = (set, get) => ({
  ...inventoryAtOpen,
  loadServices: async () => {
    await task(set, 'Loading services', async () => {
      const services = await client.call('services.list', {});
      const keep = services.some((s) => s.id === get().selectedServiceId);
      const selectedServiceId = keep ? get().selectedServiceId : (services[0]?.id ?? null);
      set({ services, selectedServiceId });
      await Promise.all([get().loadOverviewDrift(), selectedServiceId !== null ? get().loadImages(selectedServiceId) : Promise.resolve()]);
    });
  },
  selectService: (id) => {
    set({ selectedServiceId: id, selectedStageId: null, environment: null, stageDetail: null, view: 'lifecycle', whatIf: null });
    void get().loadServiceDrift(id);
    void get().loadImages(id);
  },
  selectStage: async (id) => {
    set({ selectedStageId: id, environment: id === get().environment?.stageId ? get().environment : null });
    if (id === null) return set({ stageDetail: null, trend: [] });
    await task(set, 'Loading environment', async () => {
      const environment = await client.call('environment.get', { stageId: id });
      if (get().selectedStageId === id) set({ environment });
    });
    await get().loadStageDetail(id);
  },
});
