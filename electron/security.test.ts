// The Electron shell's security settings, tested in Node: electron/security.ts imports only types
// from electron. The last block is a STATIC check of main.ts and preload.ts (their source text, read
// with simple patterns); main.test.ts and preload.test.ts exercise the same wiring with a mocked
// electron module.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { callNames, eventNames } from '../core/contract/index';
import { CONTENT_SECURITY_POLICY } from '../core/host/csp';
import { EVENT_CHANNEL } from './channels';
import { APP_ORIGIN, isAllowedNavigation, isTrustedSender, secureWebPreferences } from './security';

const here = fileURLToPath(new URL('.', import.meta.url));
const source = (file: string) => readFileSync(join(here, file), 'utf8');

describe('secureWebPreferences', () => {
  const prefs = secureWebPreferences('/app/dist/electron/preload.cjs');

  it('isolates, sandboxes and keeps Node out of the renderer', () => {
    expect(prefs).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('turns on nothing risky', () => {
    for (const key of ['experimentalFeatures', 'enableBlinkFeatures', 'plugins', 'webgl', 'nodeIntegration', 'allowRunningInsecureContent'] as const) {
      expect(Boolean(prefs[key]), key).toBe(false);
    }
  });
});

describe('isTrustedSender', () => {
  it('accepts the main frame of app://stagecraft', () => {
    expect(APP_ORIGIN).toBe('app://stagecraft');
    expect(isTrustedSender({ url: 'app://stagecraft/index.html', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://stagecraft/', parent: null })).toBe(true);
    expect(isTrustedSender({ url: 'app://stagecraft/index.html#/services/payments?x=1', parent: null })).toBe(true);
  });

  it('refuses subframes, even of our own origin', () => {
    const main = { url: 'app://stagecraft/index.html', parent: null };
    expect(isTrustedSender({ url: 'app://stagecraft/index.html', parent: main })).toBe(false);
    expect(isTrustedSender({ url: 'app://stagecraft/index.html', parent: undefined })).toBe(false);
  });

  it.each([
    'file:///work/main/dist/renderer/index.html',
    'http://127.0.0.1:8790/',
    'http://localhost/',
    'https://stagecraft/',
    'app://other/index.html',
    'app://stagecraft.evil.example/index.html',
    'app://stagecraft:8080/index.html',
    'APP://other/',
    'devtools://devtools/bundled/index.html',
    'chrome-extension://abc/index.html',
    'about:blank',
    'data:text/html,<script>alert(1)</script>',
    'javascript:alert(1)',
    '',
    'not a url',
    'app:stagecraft',
  ])('refuses %j', (url) => {
    expect(isTrustedSender({ url, parent: null })).toBe(false);
  });

  it('refuses a missing frame (destroyed or navigated away)', () => {
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender(undefined)).toBe(false);
  });
});

describe('isAllowedNavigation', () => {
  it('allows our own pages', () => {
    expect(isAllowedNavigation('app://stagecraft/index.html')).toBe(true);
    expect(isAllowedNavigation('app://stagecraft/index.html#/overview')).toBe(true);
  });

  it.each([
    'https://example.com/',
    'http://127.0.0.1:8790/',
    'https://stagecraft/',
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'file:///etc/passwd',
    'file:///work/main/dist/renderer/index.html',
    'data:text/html,hi',
    'about:blank',
    'app://other/index.html',
    'app://stagecraft.evil.example/',
    'app://stagecraft@evil.example/',
    'app://evil.example/app://stagecraft/',
    'mailto:someone@example.com',
    '',
    'garbage',
  ])('refuses %j', (url) => {
    expect(isAllowedNavigation(url)).toBe(false);
  });
});

describe('Content-Security-Policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name!, values];
    }),
  );

  it('allows our own scripts, fonts, frames and connections only', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    // No frame-src / child-src: frames fall back to default-src 'self'.
    for (const name of ['frame-src', 'child-src']) expect(directives.get(name) ?? ["'self'"]).toEqual(["'self'"]);
  });

  it('forbids plugins, framing by others, base and form hijacking', () => {
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });

  it('has no remote origin, wildcard, eval or inline script anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|wss?:/);
    expect(directives.get('script-src')).not.toContain("'unsafe-eval'");
    expect(directives.get('script-src')).not.toContain("'unsafe-inline'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval|strict-dynamic/);
  });
});

describe('static check of electron/main.ts and electron/preload.ts (source text, not run)', () => {
  const main = source('main.ts');
  const preload = source('preload.ts');

  it('denies every permission request and check', () => {
    expect(main).toMatch(/setPermissionRequestHandler\(\([^)]*callback\)\s*=>\s*callback\(false\)\)/);
    expect(main).toMatch(/setPermissionCheckHandler\(\(\)\s*=>\s*false\)/);
  });

  it('denies new windows and guards navigation', () => {
    expect(main).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{[\s\S]{0,200}return \{ action: 'deny' \};/);
    expect(main).toMatch(/on\('will-navigate'[\s\S]{0,120}isAllowedNavigation\([\s\S]{0,60}preventDefault\(\)/);
    expect(main).toMatch(/on\('will-attach-webview',\s*\(event\)\s*=>\s*event\.preventDefault\(\)\)/);
  });

  it('serves the renderer from app:// with the CSP header and loads it from there', () => {
    expect(main).toMatch(/registerSchemesAsPrivileged\(\[\{\s*scheme:\s*APP_SCHEME/);
    expect(main).toMatch(/protocol\.handle\(APP_SCHEME/);
    expect(main).toMatch(/headers\.set\('content-security-policy',\s*CONTENT_SECURITY_POLICY\)/);
    expect(main).toMatch(/loadURL\(`\$\{APP_ORIGIN\}\/index\.html`\)/);
    expect(main).not.toMatch(/loadFile\(|loadURL\(['"`](file|https?):/);
  });

  it('uses the secure preferences and checks every IPC sender', () => {
    expect(main).toMatch(/webPreferences:\s*secureWebPreferences\(/);
    expect(main).toMatch(/ipcMain\.handle\(name,[\s\S]{0,120}isTrustedSender\(event\.senderFrame\)/);
    expect(main).not.toMatch(/ipcMain\.on\(/);
    expect(main).toMatch(/app\.enableSandbox\(\)/);
  });

  it('preload exposes only invoke/on over the contract channels, never ipcRenderer itself', () => {
    expect(preload).toMatch(/new Set<string>\(callNames\)/);
    expect(preload).toMatch(/new Set<string>\(eventNames\)/);
    expect(preload).toMatch(/if \(!allowedCalls\.has\(channel\)\)/);
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(preload).not.toMatch(/ipcRenderer\.(send|sendSync|sendToHost|postMessage)\(/);
    expect(preload).not.toMatch(/require\(|process\.|node:/);
    // Every channel it touches is a contract call or the one event channel.
    expect(preload.match(/ipcRenderer\.\w+\(([^,)]+)/g)?.map((m) => m.replace(/^ipcRenderer\.\w+\(/, ''))).toEqual(['channel', 'EVENT_CHANNEL', 'EVENT_CHANNEL']);
    expect(EVENT_CHANNEL).not.toBeOneOf(callNames);
    expect(callNames.length).toBeGreaterThan(0);
    expect(eventNames.length).toBeGreaterThan(0);
  });
});
