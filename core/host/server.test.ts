import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../services/app';
import { startHost, type RunningHost } from './server';

let host: RunningHost;
let app: ReturnType<typeof createApp>;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'stagecraft-host-'));
  const staticDir = join(root, 'renderer');
  mkdirSync(staticDir);
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Stagecraft</title>');
  writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
  app = createApp({ shell: 'browser', resourcesDir: join(process.cwd(), 'resources'), dataDir: join(root, 'data'), defaultWorkspaceDir: join(root, 'ws') });
  host = await startHost({ dispatch: app.dispatch, staticDir });
  app.onEvent(host.publish);
});
afterAll(async () => {
  app.session.close();
  await host.close();
});

const base = () => `http://127.0.0.1:${host.port}`;
const call = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base()}/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-stagecraft-token': host.token, ...headers }, body: JSON.stringify(body) });

describe('browser host', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses requests without the token, or with a wrong one', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(403);
    expect((await fetch(`${base()}/?token=nope`)).status).toBe(403);
    expect((await call('app.info', {}, { 'x-stagecraft-token': 'x'.repeat(host.token.length) })).status).toBe(403);
  });

  it('refuses a Host header other than 127.0.0.1 or localhost (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: `/?token=${host.token}`, headers: { host: 'attacker.example:80' } }, (res) => resolve(res.statusCode!));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('trades the URL token for a same-site cookie and serves the renderer with a CSP', async () => {
    const first = await fetch(`${base()}/?token=${host.token}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await fetch(`${base()}/`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>Stagecraft</title>');
  });

  it('never serves a file outside the renderer folder', async () => {
    const res = await fetch(`${base()}/..%2Fsecret.txt`, { headers: { 'x-stagecraft-token': host.token } });
    expect(await res.text()).not.toContain('outside the renderer');
  });

  it('answers calls through the contract, and a malformed call with a typed error', async () => {
    const info = await (await call('app.info', {})).json();
    expect(info).toMatchObject({ ok: true, value: { shell: 'browser', nativeDialogs: false } });
    const bad = await (await call('workspace.open', { path: 42 })).json();
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'path' }] } });
    const unknown = await (await call('no.such.call', {})).json();
    expect(unknown).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const garbage = await fetch(`${base()}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-stagecraft-token': host.token }, body: '{not json' });
    expect(await garbage.json()).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const form = await fetch(`${base()}/api/call/app.info`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-stagecraft-token': host.token }, body: '{}' });
    expect(form.status).toBe(415);
  });

  it('pushes events to subscribers over server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base()}/api/events`, { headers: { 'x-stagecraft-token': host.token }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read(); // the ": connected" comment
    const created = await (await call('workspace.create', { path: join(root, 'ws', 'events'), name: 'Events' })).json();
    expect(created).toMatchObject({ ok: true, value: { name: 'Events' } });
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toContain('event: workspace.changed');
    controller.abort();
  });
});
