import type { StateCreator } from 'zustand';
import type { CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { asWireError, task } from './task';

export type PromotionTarget = CallOutput<'promotion.targets'>[number];
export type PromotionProposal = CallOutput<'promotion.plan'>;

export type WhatIfHop = CallOutput<'promotion.whatIf'>[number];

export interface ImageDrag {
  serviceId: number;
  imageId: number;
  imageLabel: string;
  fromStageId: number;
  x: number;
  y: number;
}

export interface PromotionSlice {
  drag: ImageDrag | null;
  /** Per target stage, whether the lifecycle and policy allow the promotion, and why not. */
  targets: Record<number, PromotionTarget>;
  hoverStageId: number | null;
  /** A drop the lifecycle refuses: said plainly, never silently ignored. */
  refusal: { stageName: string; reasons: string[] } | null;
  proposal: PromotionProposal | null;
  /** What-if mode: the selected stage's image imagined along the path to production. */
  whatIf: { fromStageId: number; hops: WhatIfHop[] } | null;
  toggleWhatIf(): Promise<void>;
  beginDrag(drag: ImageDrag): void;
  moveDrag(x: number, y: number, hoverStageId: number | null): void;
  endDrag(dropStageId: number | null): void;
  loadTargets(serviceId: number, imageId: number, fromStageId: number): Promise<PromotionTarget[]>;
  proposePromotion(request: { serviceId: number; imageId: number; fromStageId: number; toStageId: number; acknowledgeDrift?: boolean }): Promise<void>;
  saveDraft(title: string): Promise<boolean>;
  closePromotion(): void;
}

/** What a workspace starts with: no drag, proposal, refusal or what-if overlay. */
export const promotionAtOpen: Pick<PromotionSlice, 'drag' | 'targets' | 'hoverStageId' | 'refusal' | 'proposal' | 'whatIf'> = { drag: null, targets: {}, hoverStageId: null, refusal: null, proposal: null, whatIf: null };

export const promotionSlice: StateCreator<AppState, [], [], PromotionSlice> = (set, get) => ({
  ...promotionAtOpen,
  toggleWhatIf: async () => {
    if (get().whatIf) return set({ whatIf: null });
    const { selectedServiceId, selectedStageId, services } = get();
    const image = services.find((s) => s.id === selectedServiceId)?.stages.find((s) => s.id === selectedStageId)?.image;
    if (selectedServiceId === null || selectedStageId === null || !image) return;
    await task(set, 'Simulating the path to production', async () => {
      const hops = await client.call('promotion.whatIf', { serviceId: selectedServiceId, imageId: image.id, fromStageId: selectedStageId });
      set({ whatIf: { fromStageId: selectedStageId, hops } });
    });
  },
  beginDrag: (drag) => {
    set({ drag, targets: {}, hoverStageId: null, refusal: null });
    void get().loadTargets(drag.serviceId, drag.imageId, drag.fromStageId);
  },
  moveDrag: (x, y, hoverStageId) => {
    const drag = get().drag;
    if (!drag) return;
    set(hoverStageId === get().hoverStageId ? { drag: { ...drag, x, y } } : { drag: { ...drag, x, y }, hoverStageId });
  },
  endDrag: (dropStageId) => {
    const drag = get().drag;
    set({ drag: null, hoverStageId: null });
    if (!drag || dropStageId === null || dropStageId === drag.fromStageId) return;
    void get().proposePromotion({ serviceId: drag.serviceId, imageId: drag.imageId, fromStageId: drag.fromStageId, toStageId: dropStageId });
  },
  loadTargets: async (serviceId, imageId, fromStageId) => {
    try {
      const targets = await client.call('promotion.targets', { serviceId, imageId, fromStageId });
      set({ targets: Object.fromEntries(targets.map((t) => [t.stageId, t])) });
      return targets;
    } catch (error) {
      set({ error: asWireError(error) });
      return [];
    }
  },
  proposePromotion: async (request) => {
    await task(set, 'Planning the promotion', async () => {
      const proposal = await client.call('promotion.plan', request);
      if (!proposal.verdict.allowed && proposal.verdict.refusedOutright) {
        set({ refusal: { stageName: proposal.toStage.name, reasons: proposal.verdict.rules.filter((r) => r.status === 'failed').map((r) => r.reason) } });
      } else set({ proposal });
    });
  },
  saveDraft: async (title) => {
    const proposal = get().proposal;
    if (!proposal) return false;
    const request = {
      serviceId: proposal.serviceId,
      imageId: proposal.image.id,
      fromStageId: proposal.fromStage.id,
      toStageId: proposal.toStage.id,
      acknowledgeDrift: proposal.acknowledgedDrift,
      title,
    };
    let draftId = 0;
    const ok = await task(set, 'Saving the draft change', async () => {
      draftId = (await client.call('promotion.saveDraft', request)).id;
    });
    if (ok) {
      get().record({
        label: `draft "${title}"`,
        undo: async () => void (await client.call('changes.discardDraft', { changeId: draftId })),
        redo: async () => void (draftId = (await client.call('promotion.saveDraft', request)).id),
      });
    }
    if (ok) set({ proposal: null });
    return ok;
  },
  closePromotion: () => set({ proposal: null, refusal: null }),
});
