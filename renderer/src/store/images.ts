import type { StateCreator } from 'zustand';
import { client } from '../api/client';
import type { AppState } from './index';
import { task } from './task';
import type { ImageEdit, ImageView } from './types';

export interface ImagesSlice {
  /** By service id. */
  images: Record<number, ImageView[]>;
  loadImages(serviceId: number): Promise<void>;
  captureImage(stageId: number, label?: string): Promise<boolean>;
  assignImage(stageId: number, imageId: number | null): Promise<boolean>;
  deriveImage(imageId: number, edits: ImageEdit[], label?: string): Promise<boolean>;
  acceptDrift(stageId: number): Promise<boolean>;
}

export const imagesAtOpen: Pick<ImagesSlice, 'images'> = { images: {} };

export const imagesSlice: StateCreator<AppState, [], [], ImagesSlice> = (set, get) => ({
  ...imagesAtOpen,
  loadImages: async (serviceId) => {
    await task(set, 'Loading images', async () => {
      const list = await client.call('images.list', { serviceId });
      set({ images: { ...get().images, [serviceId]: list } });
    });
  },
  captureImage: (stageId, label) => task(set, 'Capturing an image', async () => void (await client.call('image.capture', { stageId, ...(label ? { label } : {}) }))),
  assignImage: (stageId, imageId) => task(set, 'Assigning the image', async () => void (await client.call('image.assign', { stageId, imageId }))),
  deriveImage: (imageId, edits, label) => task(set, 'Deriving an image', async () => void (await client.call('image.derive', { imageId, edits, ...(label ? { label } : {}) }))),
  acceptDrift: (stageId) => task(set, 'Accepting drift into a new image', async () => void (await client.call('image.acceptDrift', { stageId }))),
});
