import type { z } from 'zod';
import { isStagecraftError } from '../domain/errors';
import { contract, isCallName, type CallName, type CallOutput } from './index';
import type { WireResult } from './result';

/** A handler receives its input already validated (defaults applied) and returns the declared output. */
export type Handlers = { [N in CallName]: (input: z.output<(typeof contract)[N]['input']>) => Promise<CallOutput<N>> | CallOutput<N> };

/**
 * The one entry point every transport uses: validates the input, runs the handler, validates the
 * output, and turns every failure into a WireResult. It never throws.
 */
export function createDispatcher(handlers: Handlers, onInternalError: (name: string, error: unknown) => void = () => {}) {
  return async function dispatch(name: string, rawInput: unknown): Promise<WireResult<unknown>> {
    if (!isCallName(name)) return { ok: false, error: { code: 'not-found', message: `There is no call named "${name}".` } };
    const spec = contract[name];
    const parsed = spec.input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message }));
      return {
        ok: false,
        error: { code: 'invalid-input', message: `Invalid input for ${name}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues },
      };
    }
    try {
      const handler = handlers[name] as (input: unknown) => Promise<unknown> | unknown;
      const value = await handler(parsed.data);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        onInternalError(name, checked.error);
        return { ok: false, error: { code: 'internal', message: `${name} produced a malformed answer; this is a bug in Stagecraft.` } };
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      if (isStagecraftError(error)) return { ok: false, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
      onInternalError(name, error);
      return { ok: false, error: { code: 'internal', message: `${name} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}` } };
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
