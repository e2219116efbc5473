import { CallFailed } from '../../../core/contract/index';
import type { WireError } from './types';

export const asWireError = (error: unknown): WireError =>
  error instanceof CallFailed ? error.error : { code: 'internal', message: error instanceof Error ? error.message : String(error) };

type Setter = (partial: { busy?: string | null; error?: WireError | null }) => void;

/** Runs a call; a failure lands in `error` for the banner instead of being thrown (the result is then undefined). */
export async function attempt<T>(set: Setter, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    set({ error: asWireError(error) });
    return undefined;
  }
}

/** `attempt` with a busy label while it runs. Returns whether it succeeded. */
export async function task(set: Setter, label: string, work: () => Promise<void>): Promise<boolean> {
  set({ busy: label, error: null });
  try {
    return (await attempt(set, async () => (await work(), true))) === true;
  } finally {
    set({ busy: null });
  }
}
