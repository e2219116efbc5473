import { CallFailed } from '../../../core/contract/index';
import type { WireError } from './types';

export const asWireError = (error: unknown): WireError =>
  error instanceof CallFailed ? error.error : { code: 'internal', message: error instanceof Error ? error.message : String(error) };

type Setter = (partial: { busy?: string | null; error?: WireError | null }) => void;

/** Runs a call with a busy label; a failure lands in `error` for the banner instead of being thrown. Returns whether it succeeded. */
export async function task(set: Setter, label: string, work: () => Promise<void>): Promise<boolean> {
  set({ busy: label, error: null });
  try {
    await work();
    return true;
  } catch (error) {
    set({ error: asWireError(error) });
    return false;
  } finally {
    set({ busy: null });
  }
}
