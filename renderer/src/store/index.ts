import { create } from 'zustand';
import { applySlice, type ApplySlice } from './apply';
import { assetsSlice, type AssetsSlice } from './assets';
import { changesSlice, type ChangesSlice } from './changes';
import { driftSlice, type DriftSlice } from './drift';
import { historySlice, type HistorySlice } from './history';
import { hypervisorsSlice, type HypervisorsSlice } from './hypervisors';
import { imagesSlice, type ImagesSlice } from './images';
import { inventorySlice, type InventorySlice } from './inventory';
import { promotionSlice, type PromotionSlice } from './promotion';
import { reportsSlice, type ReportsSlice } from './reports';
import { scanSlice, type ScanSlice } from './scan';
import { sessionSlice, type SessionSlice } from './session';

export type View = 'lifecycle' | 'overview' | 'hypervisors' | 'assets' | 'changes';
export type InspectorTab = 'environment' | 'drift' | 'images';

export interface UiSlice {
  view: View;
  inspectorTab: InspectorTab;
  promoteMenuOpen: boolean;
  /** Modal dialogs open: the page behind them is inert, so errors show in the top one. */
  openDialogs: number;
  setView(view: View): void;
  setPromoteMenuOpen(open: boolean): void;
  setInspectorTab(tab: InspectorTab): void;
}

export type AppState = SessionSlice & InventorySlice & DriftSlice & ImagesSlice & ScanSlice & PromotionSlice & HistorySlice & ReportsSlice & HypervisorsSlice & AssetsSlice & ChangesSlice & ApplySlice & UiSlice;

/** One store made of feature slices; components select narrowly. */
export const useApp = create<AppState>()((set, get, api) => ({
  ...sessionSlice(set, get, api),
  ...inventorySlice(set, get, api),
  ...driftSlice(set, get, api),
  ...imagesSlice(set, get, api),
  ...scanSlice(set, get, api),
  ...promotionSlice(set, get, api),
  ...historySlice(set, get, api),
  ...reportsSlice(set, get, api),
  ...hypervisorsSlice(set, get, api),
  ...assetsSlice(set, get, api),
  ...changesSlice(set, get, api),
  ...applySlice(set, get, api),
  view: 'lifecycle',
  inspectorTab: 'environment',
  promoteMenuOpen: false,
  openDialogs: 0,
  setView: (view) => set({ view }),
  setPromoteMenuOpen: (promoteMenuOpen) => set({ promoteMenuOpen }),
  setInspectorTab: (inspectorTab) => set({ inspectorTab }),
}));

export const useSelectedService = () => useApp((s) => s.services.find((x) => x.id === s.selectedServiceId) ?? null);
export const useSelectedServiceDrift = () => useApp((s) => (s.selectedServiceId === null ? undefined : s.serviceDrift[s.selectedServiceId]));
