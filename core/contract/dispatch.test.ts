import { describe, expect, it } from 'vitest';
import { StagecraftError } from '../domain/errors';
import { createDispatcher, type Handlers } from './dispatch';

const failing = (error: unknown) => () => {
  throw error;
};

function handlers(overrides: Partial<Handlers>): Handlers {
  return new Proxy(overrides as Handlers, {
    get: (target, name: string) => (target as Record<string, unknown>)[name] ?? failing(new Error(`unexpected call ${name}`)),
  });
}

describe('dispatcher', () => {
  it('validates input before the handler runs', async () => {
    let ran = false;
    const dispatch = createDispatcher(handlers({ 'workspace.open': () => ((ran = true), null as never) }));
    const result = await dispatch('workspace.open', { path: '' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'path', message: 'a path is required' }] } });
    expect(ran).toBe(false);
  });

  it('turns a domain error into its code, message and hint', async () => {
    const dispatch = createDispatcher(handlers({ 'services.list': failing(new StagecraftError('conflict', 'No workspace is open.', 'Open one.')) }));
    expect(await dispatch('services.list', {})).toEqual({ ok: false, error: { code: 'conflict', message: 'No workspace is open.', hint: 'Open one.' } });
  });

  it('reports an unexpected exception as internal, never throwing', async () => {
    const seen: string[] = [];
    const dispatch = createDispatcher(handlers({ 'services.list': failing(new TypeError('boom')) }), (name) => seen.push(name));
    expect(await dispatch('services.list', {})).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('boom') } });
    expect(seen).toEqual(['services.list']);
  });

  it('refuses a handler answer that breaks the output schema', async () => {
    const dispatch = createDispatcher(handlers({ 'workspace.close': () => ({ closed: 'yes' }) as never }));
    expect(await dispatch('workspace.close', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('does not know calls outside the contract, including prototype names', async () => {
    const dispatch = createDispatcher(handlers({}));
    expect(await dispatch('toString', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});
