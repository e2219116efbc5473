import type { ErrorCode } from '../domain/errors';

/** What every transport carries back: a value, or an error a person can act on. */
export interface WireError {
  code: ErrorCode;
  message: string;
  hint?: string;
  /** Which input fields were wrong, for 'invalid-input'. */
  issues?: { path: string; message: string }[];
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export class CallFailed extends Error {
  constructor(readonly error: WireError) {
    super(error.message);
    this.name = 'CallFailed';
  }
}
