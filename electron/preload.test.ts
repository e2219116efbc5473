// electron/preload.ts run in Node against a stand-in for the electron module: what it exposes to
// the page, and that only contract channels get through.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { callNames, eventNames } from '../core/contract/index';
import { EVENT_CHANNEL } from './channels';

const h = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as { channel: string; input: unknown }[],
  listeners: new Map<string, ((...args: unknown[]) => void)[]>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => h.exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, input: unknown) => {
      h.invoked.push({ channel, input });
      return { ok: true, value: channel };
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => h.listeners.set(channel, [...(h.listeners.get(channel) ?? []), listener]),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => h.listeners.set(channel, (h.listeners.get(channel) ?? []).filter((l) => l !== listener)),
  },
}));

interface Bridge {
  invoke(channel: string, input: unknown): Promise<{ ok: boolean; error?: { code: string } }>;
  on(listener: (name: string, payload: unknown) => void): () => void;
}
let bridge: Bridge;

beforeAll(async () => {
  await import('./preload');
  bridge = h.exposed.get('stagecraft') as Bridge;
});

describe('electron/preload.ts (electron module stubbed)', () => {
  it('exposes one object, window.stagecraft, with invoke and on only', () => {
    expect([...h.exposed.keys()]).toEqual(['stagecraft']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on']);
  });

  it('forwards contract calls and nothing else', async () => {
    for (const name of callNames) expect(await bridge.invoke(name, { x: 1 })).toEqual({ ok: true, value: name });
    expect(h.invoked.map((c) => c.channel)).toEqual(callNames);
    h.invoked.length = 0;
    for (const channel of [EVENT_CHANNEL, 'ELECTRON_BROWSER_WINDOW_CLOSE', '__proto__', 'constructor', 'toString', 'app.info ', '', 'workspace.*']) {
      expect(await bridge.invoke(channel, {})).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
    expect(h.invoked).toEqual([]);
  });

  it('passes on contract events only, and unsubscribes', () => {
    const seen: string[] = [];
    const off = bridge.on((name) => seen.push(name));
    const [listener] = h.listeners.get(EVENT_CHANNEL)!;
    for (const name of [...eventNames, 'not.an.event', '__proto__']) listener!({}, name, {});
    expect(seen).toEqual(eventNames);
    expect([...h.listeners.keys()]).toEqual([EVENT_CHANNEL]);
    off();
    expect(h.listeners.get(EVENT_CHANNEL)).toEqual([]);
  });
});
