// Runs sandboxed in an isolated world: exposes the contract's channels and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { callNames, eventNames } from '../core/contract/index';
import { EVENT_CHANNEL } from './channels';

const allowedCalls = new Set<string>(callNames);
const allowedEvents = new Set<string>(eventNames);

contextBridge.exposeInMainWorld('stagecraft', {
  invoke(channel: string, input: unknown) {
    if (!allowedCalls.has(channel)) return Promise.resolve({ ok: false, error: { code: 'not-found', message: `There is no call named "${channel}".` } });
    return ipcRenderer.invoke(channel, input);
  },
  on(listener: (name: string, payload: unknown) => void) {
    const handler = (_event: IpcRendererEvent, name: string, payload: unknown) => {
      if (allowedEvents.has(name)) listener(name, payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
});
