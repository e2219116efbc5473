// electron/main.ts run in Node against a stand-in for the electron module: the handlers it
// registers are captured and called the way Electron would call them. This checks our wiring
// (permissions, navigation, windows, IPC sender checks, the app:// protocol and its CSP), not
// Electron itself; e2e/electron.spec.ts drives the real binary where one is available.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;
interface FakeContents {
  listeners: Map<string, Listener[]>;
  windowOpenHandler: Listener | null;
  on(event: string, listener: Listener): FakeContents;
  setWindowOpenHandler(handler: Listener): void;
  send(...args: unknown[]): void;
  reload(): void;
}

const h = vi.hoisted(() => {
  return {
    appListeners: new Map<string, (...args: unknown[]) => unknown>(),
    ipc: new Map<string, (...args: unknown[]) => unknown>(),
    protocolHandler: null as null | ((request: Request) => Promise<Response>),
    privileged: [] as unknown[],
    permissionRequest: null as null | ((...args: unknown[]) => void),
    permissionCheck: null as null | ((...args: unknown[]) => boolean),
    windows: [] as { options: Record<string, unknown>; contents: unknown; loaded: string[] }[],
    sandboxEnabled: 0,
    openedExternally: [] as string[],
  };
});

function fakeContents(): FakeContents {
  const contents: FakeContents = {
    listeners: new Map(),
    windowOpenHandler: null,
    on(event, listener) {
      contents.listeners.set(event, [...(contents.listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler) {
      contents.windowOpenHandler = handler;
    },
    send() {},
    reload() {},
  };
  return contents;
}

vi.mock('electron', async () => {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath: toPath } = await import('node:url');
  const paths = () => (globalThis as unknown as { __stagecraftMainTestRoot: string }).__stagecraftMainTestRoot;
  class BrowserWindow {
    webContents = fakeContents();
    record: { options: Record<string, unknown>; contents: unknown; loaded: string[] };
    constructor(options: Record<string, unknown>) {
      this.record = { options, contents: this.webContents, loaded: [] };
      h.windows.push(this.record);
      h.appListeners.get('web-contents-created')?.({}, this.webContents);
    }
    static getAllWindows = () => [];
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      this.record.loaded.push(url);
      return Promise.resolve();
    }
  }
  return {
    app: {
      enableSandbox: () => void h.sandboxEnabled++,
      getAppPath: () => paths(),
      isPackaged: false,
      getPath: (name: string) => join(paths(), 'electron-paths', name),
      whenReady: () => Promise.resolve(),
      on: (event: string, listener: (...args: unknown[]) => unknown) => h.appListeners.set(event, listener),
      quit: () => {},
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => h.privileged.push(...schemes),
      handle: (_scheme: string, handler: (request: Request) => Promise<Response>) => (h.protocolHandler = handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (handler: (...args: unknown[]) => void) => (h.permissionRequest = handler),
        setPermissionCheckHandler: (handler: (...args: unknown[]) => boolean) => (h.permissionCheck = handler),
      },
    },
    ipcMain: { handle: (name: string, handler: (...args: unknown[]) => unknown) => h.ipc.set(name, handler) },
    Menu: { buildFromTemplate: (template: unknown) => template, setApplicationMenu: () => {} },
    BrowserWindow,
    net: {
      fetch: async (url: string) => new Response(await readFile(toPath(url)), { headers: { 'content-type': url.endsWith('.html') ? 'text/html' : 'application/octet-stream' } }),
    },
    dialog: { showOpenDialog: async () => ({ canceled: true }), showSaveDialog: async () => ({ canceled: true }), showErrorBox: () => {} },
    shell: { openExternal: async (url: string) => void h.openedExternally.push(url) },
  };
});

const root = mkdtempSync(join(tmpdir(), 'stagecraft-main-test-'));
(globalThis as unknown as { __stagecraftMainTestRoot: string }).__stagecraftMainTestRoot = root;
mkdirSync(join(root, 'dist', 'renderer', 'assets'), { recursive: true });
writeFileSync(join(root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Stagecraft</title>');
writeFileSync(join(root, 'dist', 'renderer', 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'dist', 'secret.txt'), 'not for the renderer');

const trusted = { senderFrame: { url: 'app://stagecraft/index.html', parent: null } };
const call = (name: string, event: unknown, input: unknown = {}) => h.ipc.get(name)!(event, input) as Promise<{ ok: boolean; error?: { code: string } }>;
const serve = (url: string) => h.protocolHandler!(new Request(url));

beforeAll(async () => {
  await import('./main');
  await new Promise((resolve) => setTimeout(resolve, 0)); // app.whenReady().then(...)
});

describe('electron/main.ts wiring (electron module stubbed)', () => {
  it('turns on the sandbox for all renderers and registers app:// as a secure standard scheme', () => {
    expect(h.sandboxEnabled).toBe(1);
    expect(h.privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const callback = vi.fn();
      h.permissionRequest!({}, permission, callback, {});
      expect(callback).toHaveBeenCalledWith(false);
      expect(h.permissionCheck!({}, permission, 'app://stagecraft', {})).toBe(false);
    }
  });

  it('opens one window with the secure preferences, loading app://stagecraft', () => {
    expect(h.windows).toHaveLength(1);
    const [window] = h.windows;
    expect(window!.options['webPreferences']).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(window!.loaded).toEqual(['app://stagecraft/index.html']);
  });

  it('refuses navigation away from app://stagecraft and new windows', () => {
    const contents = h.windows[0]!.contents as FakeContents;
    const navigate = (url: string) => {
      const details = { url, preventDefault: vi.fn() };
      for (const listener of contents.listeners.get('will-navigate') ?? []) listener(details, url);
      return details.preventDefault.mock.calls.length > 0;
    };
    expect(contents.listeners.get('will-navigate')?.length).toBeGreaterThan(0);
    expect(navigate('https://example.com/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('javascript:alert(1)')).toBe(true);
    expect(navigate('app://stagecraft/index.html')).toBe(false);

    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: 'app://stagecraft/index.html' })).toEqual({ action: 'deny' });
    // A documentation link opens in the user's browser, never inside the app; nothing else opens at all.
    expect(h.openedExternally).toEqual(['https://example.com/']);
    const webview = { preventDefault: vi.fn() };
    for (const listener of contents.listeners.get('will-attach-webview') ?? []) listener(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('guards every other web contents too', () => {
    const other = fakeContents();
    h.appListeners.get('web-contents-created')!({}, other);
    const details = { url: 'https://example.com/', preventDefault: vi.fn() };
    for (const listener of other.listeners.get('will-navigate') ?? []) listener(details, details.url);
    expect(details.preventDefault).toHaveBeenCalled();
    expect(other.windowOpenHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(h.openedExternally).not.toContain('file:///etc/passwd');
  });

  it('answers contract calls from our main frame only', async () => {
    expect([...h.ipc.keys()].sort()).toEqual((await import('../core/contract/index')).callNames.slice().sort());
    expect(await call('app.info', trusted)).toMatchObject({ ok: true, value: { shell: 'electron' } });
    for (const senderFrame of [
      { url: 'app://stagecraft/index.html', parent: trusted.senderFrame },
      { url: 'https://example.com/', parent: null },
      { url: 'file:///work/main/dist/renderer/index.html', parent: null },
      { url: 'http://127.0.0.1:8790/', parent: null },
      null,
    ]) {
      expect(await call('app.info', { senderFrame })).toMatchObject({ ok: false, error: { code: 'refused' } });
    }
  });

  it('serves the renderer over app:// with the CSP header', async () => {
    const { CONTENT_SECURITY_POLICY } = await import('../core/host/csp');
    for (const url of ['app://stagecraft/', 'app://stagecraft/index.html', 'app://stagecraft/assets/app.js']) {
      const response = await serve(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(await (await serve('app://stagecraft/index.html')).text()).toContain('<title>Stagecraft</title>');
  });

  it('serves nothing outside dist/renderer, nor to another host', async () => {
    for (const url of [
      'app://stagecraft/../secret.txt',
      'app://stagecraft/%2e%2e/secret.txt',
      'app://stagecraft/%2e%2e%2fsecret.txt',
      'app://stagecraft/..%5csecret.txt',
      'app://stagecraft/assets/%2e%2e/%2e%2e/secret.txt',
      `app://stagecraft/${encodeURIComponent(join(root, 'dist', 'secret.txt'))}`,
      'app://other/index.html',
      'app://stagecraft/missing.js',
    ]) {
      const response = await serve(url);
      expect(response.status, url).toBeGreaterThanOrEqual(400);
      expect(await response.text(), url).not.toContain('not for the renderer');
    }
    expect((await serve('app://stagecraft/%E0%A4%A')).status).toBe(400);
  });
});
