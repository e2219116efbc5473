import { CallFailed, eventNames, type CallInput, type CallName, type CallOutput, type EventName, type EventPayload, type WireResult } from '../../../core/contract/index';

/** How calls reach the main process: Electron IPC via the preload, or HTTP to the browser host. */
export interface Transport {
  invoke(name: CallName, input: unknown): Promise<WireResult<unknown>>;
  subscribe(listener: (name: EventName, payload: unknown) => void): () => void;
}

/** What the preload exposes on window.stagecraft (and nothing more). */
export interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<WireResult<unknown>>;
  on(listener: (name: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    stagecraft?: PreloadBridge;
  }
}

function ipcTransport(bridge: PreloadBridge): Transport {
  return {
    invoke: (name, input) => bridge.invoke(name, input),
    subscribe: (listener) => bridge.on((name, payload) => listener(name as EventName, payload)),
  };
}

function httpTransport(): Transport {
  // One event stream for every subscriber: a browser keeps only six connections per origin open,
  // and a stream per subscriber would leave calls waiting behind them.
  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  let events: EventSource | null = null;
  const openEvents = () => {
    const source = new EventSource('./api/events', { withCredentials: true });
    for (const name of eventNames) {
      source.addEventListener(name, (event: MessageEvent<string>) => {
        const payload: unknown = JSON.parse(event.data);
        for (const listener of [...listeners]) listener(name, payload);
      });
    }
    return source;
  };
  return {
    async invoke(name, input) {
      const response = await fetch(`./api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
      });
      if (response.status === 403) {
        return { ok: false, error: { code: 'refused', message: 'The browser shell refused this session.', hint: 'Open the URL that `npm run web` printed, including its token.' } };
      }
      return (await response.json()) as WireResult<unknown>;
    },
    subscribe(listener) {
      listeners.add(listener);
      events ??= openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          events?.close();
          events = null;
        }
      };
    },
  };
}

export interface Client {
  call<N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>>;
  on<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): () => void;
  readonly transport: 'ipc' | 'http';
}

export function createClient(transport: Transport, kind: Client['transport']): Client {
  return {
    transport: kind,
    async call(name, input) {
      const result = await transport.invoke(name, input);
      if (!result.ok) throw new CallFailed(result.error);
      return result.value as never;
    },
    on(name, listener) {
      return transport.subscribe((event, payload) => {
        if (event === name) listener(payload as never);
      });
    },
  };
}

/** The transport is chosen once, at start: the preload's bridge when there is one, HTTP otherwise. */
export const client: Client = window.stagecraft ? createClient(ipcTransport(window.stagecraft), 'ipc') : createClient(httpTransport(), 'http');
