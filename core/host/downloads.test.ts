import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../services/app';
import { attachmentHeader, DownloadShelf } from './downloads';
import { startHost, type RunningHost } from './server';

let host: RunningHost;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'stagecraft-downloads-'));
  mkdirSync(join(root, 'renderer'));
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><title>Stagecraft</title>');
  const downloads = new DownloadShelf();
  app = createApp({ shell: 'browser', resourcesDir: join(process.cwd(), 'resources'), dataDir: join(root, 'data'), defaultWorkspaceDir: root, offerDownload: (file) => downloads.offer(file) });
  host = await startHost({ dispatch: app.dispatch, staticDir: join(root, 'renderer'), downloads });
});
afterAll(async () => {
  app.session.close();
  await host.close();
});

const base = () => `http://127.0.0.1:${host.port}`;
const call = async <T>(name: string, body: unknown): Promise<T> => {
  const response = await fetch(`${base()}/api/call/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-stagecraft-token': host.token }, body: JSON.stringify(body) });
  const result = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!result.ok) throw new Error(result.error!.message);
  return result.value;
};

describe('report downloads in the browser shell', () => {
  it('serves a prepared report once, as an attachment, behind the token', async () => {
    await call('workspace.openDemo', {});
    const prepared = await call<{ url: string; fileName: string; bytes: number }>('reports.download', { selection: { kind: 'drift' }, format: 'csv' });
    expect(prepared.url).toMatch(/^\/download\/[\w-]{20,}$/);
    expect(prepared.fileName).toMatch(/^drift-report-\d{4}-\d{2}-\d{2}\.csv$/);
    expect((await fetch(`${base()}${prepared.url}`)).status).toBe(403); // no token: not even a peek
    const response = await fetch(`${base()}${prepared.url}`, { headers: { 'x-stagecraft-token': host.token } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${prepared.fileName}"; filename*=UTF-8''${prepared.fileName}`);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const body = await response.text();
    expect(body.length).toBe(prepared.bytes);
    expect(body.split('\r\n')[0]).toMatch(/^service,stage,/);
    expect((await fetch(`${base()}${prepared.url}`, { headers: { 'x-stagecraft-token': host.token } })).status).toBe(404);
  });

  it('forgets downloads nobody fetched', () => {
    let now = 0;
    const shelf = new DownloadShelf(() => now);
    const url = shelf.offer({ fileName: 'a.md', contentType: 'text/markdown', bytes: new Uint8Array([1]) });
    now += 11 * 60 * 1000;
    expect(shelf.take(url.slice('/download/'.length))).toBeNull();
  });

  it('names files with any characters safely', () => {
    expect(attachmentHeader('cab "pack"\r\n-é.pdf')).toBe(`attachment; filename="cab _pack___-_.pdf"; filename*=UTF-8''cab%20%22pack%22%0D%0A-%C3%A9.pdf`);
  });
});
