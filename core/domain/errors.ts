/** The kinds of failure a caller can act on; every error crossing the contract carries one. */
export type ErrorCode =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'refused'
  | 'unsupported'
  | 'io'
  | 'cancelled'
  | 'internal';

/** An error that says what happened and, in `hint`, what to do about it. */
export class StagecraftError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'StagecraftError';
  }
}

export const isStagecraftError = (e: unknown): e is StagecraftError => e instanceof StagecraftError;
