import type { StateCreator } from 'zustand';
import type { CallInput, CallOutput } from '../../../core/contract/index';
import { client } from '../api/client';
import type { AppState } from './index';
import { task } from './task';

type LifecycleEdit = CallInput<'lifecycle.edit'>['edit'];

/** One undoable action: what it did and how to take it back, both as contract calls. */
export interface Command {
  label: string;
  redo: () => Promise<void>;
  undo: () => Promise<void>;
}

export interface HistorySlice {
  undoStack: Command[];
  redoStack: Command[];
  /** Applies a lifecycle edit and remembers how to undo it. */
  editLifecycle(serviceId: number, edit: LifecycleEdit): Promise<boolean>;
  record(command: Command): void;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

const MAX_HISTORY = 100;

/** Undo reaches back no further than the workspace's opening. */
export const historyAtOpen: Pick<HistorySlice, 'undoStack' | 'redoStack'> = { undoStack: [], redoStack: [] };

export const historySlice: StateCreator<AppState, [], [], HistorySlice> = (set, get) => {
  const apply = async (serviceId: number, edit: LifecycleEdit) => {
    await client.call('lifecycle.edit', { serviceId, edit });
  };
  return {
    ...historyAtOpen,
    editLifecycle: async (serviceId, edit) => {
      const before = get().services.find((s) => s.id === serviceId);
      if (!before) return false;
      const outcome: { service?: CallOutput<'lifecycle.edit'> } = {};
      const ok = await task(set, 'Editing the lifecycle', async () => {
        outcome.service = await client.call('lifecycle.edit', { serviceId, edit });
      });
      const result = outcome.service;
      if (!ok || !result) return false;
      const inverse = ((): LifecycleEdit | null => {
        switch (edit.kind) {
          case 'add-stage': {
            const created = result.stages.find((s) => s.name === edit.name);
            return created ? { kind: 'remove-stage', stageId: created.id } : null;
          }
          case 'rename-stage':
            return { kind: 'rename-stage', stageId: edit.stageId, name: before.stages.find((s) => s.id === edit.stageId)!.name };
          case 'remove-stage': {
            const removed = before.stages.find((s) => s.id === edit.stageId)!;
            return { kind: 'add-stage', name: removed.name, position: removed.position };
          }
          case 'move-stage':
            return { kind: 'move-stage', stageId: edit.stageId, by: edit.by === 1 ? -1 : 1 };
          case 'add-edge':
            return { kind: 'remove-edge', from: edit.from, to: edit.to };
          case 'remove-edge':
            return { kind: 'add-edge', from: edit.from, to: edit.to };
        }
      })();
      if (inverse) get().record({ label: `lifecycle: ${edit.kind}`, redo: () => apply(serviceId, edit), undo: () => apply(serviceId, inverse) });
      // The services are read again on the workspace.changed the edit emits.
      return true;
    },
    record: (command) => set({ undoStack: [...get().undoStack, command].slice(-MAX_HISTORY), redoStack: [] }),
    undo: async () => {
      const command = get().undoStack.at(-1);
      if (!command) return;
      if (await task(set, `Undoing ${command.label}`, command.undo)) {
        set({ undoStack: get().undoStack.slice(0, -1), redoStack: [...get().redoStack, command] });
      }
    },
    redo: async () => {
      const command = get().redoStack.at(-1);
      if (!command) return;
      if (await task(set, `Redoing ${command.label}`, command.redo)) {
        set({ redoStack: get().redoStack.slice(0, -1), undoStack: [...get().undoStack, command] });
      }
    },
  };
};
