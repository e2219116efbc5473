import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { eventNames, type EventName, type EventPayload } from '../contract/index';
import type { Dispatch } from '../contract/dispatch';
import { CONTENT_SECURITY_POLICY } from './csp';
import { attachmentHeader, type DownloadShelf } from './downloads';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};
const TOKEN_COOKIE = 'stagecraft_token';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const ALLOWED_HOSTS = new Set(['127.0.0.1', 'localhost']);

export interface HostOptions {
  dispatch: Dispatch;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  port?: number;
  token?: string;
  /** Files prepared by contract calls for the browser to download (GET /download/ID). */
  downloads?: DownloadShelf;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  publish: <N extends EventName>(name: N, payload: EventPayload<N>) => void;
  close: () => Promise<void>;
}

const sameSecret = (given: string | undefined, token: string) =>
  given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

function hostAllowed(req: IncomingMessage): boolean {
  const header = req.headers.host ?? '';
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
  return ALLOWED_HOSTS.has(name);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`${message}\n`);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : JSON.parse(text);
}

/**
 * Serves the contract to a renderer that runs outside Electron: POST /api/call/NAME,
 * GET /api/events (server-sent events), and the built renderer. Loopback only, per-run token.
 */
export function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const listeners = new Set<ServerResponse>();

  const serveStatic = (pathname: string, res: ServerResponse) => {
    const relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    const file = join(options.staticDir, relative === '' ? 'index.html' : relative);
    const safe = file.startsWith(options.staticDir + sep) || file === options.staticDir;
    const target = safe && existsSync(file) && statSync(file).isFile() ? file : join(options.staticDir, 'index.html');
    if (!existsSync(target)) return refuse(res, 500, 'The renderer is not built: run `npm run build`.');
    res.writeHead(200, {
      'content-type': MIME[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    });
    createReadStream(target).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (!hostAllowed(req)) return refuse(res, 403, 'Forbidden: this server answers only to 127.0.0.1 or localhost.');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const queryToken = url.searchParams.get('token') ?? undefined;
      // The token in the printed URL is swapped for a same-site cookie, then dropped from the address bar.
      if (sameSecret(queryToken, token) && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
        url.searchParams.delete('token');
        res.writeHead(302, {
          'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          location: url.pathname + url.search,
        });
        return res.end();
      }
      const given = (req.headers['x-stagecraft-token'] as string | undefined) ?? cookieToken(req) ?? queryToken;
      if (!sameSecret(given, token)) return refuse(res, 403, 'Forbidden: open the URL printed by `npm run web`, including its token.');

      if (url.pathname === '/api/events' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        listeners.add(res);
        req.on('close', () => listeners.delete(res));
        return;
      }
      if (url.pathname.startsWith('/api/call/') && req.method === 'POST') {
        // A JSON body cannot be sent cross-site without a preflight, which this server never grants.
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return refuse(res, 415, 'Calls must be sent as application/json.');
        let input: unknown;
        try {
          input = await readBody(req);
        } catch (error) {
          res.writeHead(400, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ ok: false, error: { code: 'invalid-input', message: `Unreadable request: ${(error as Error).message}` } }));
        }
        const result = await options.dispatch(decodeURIComponent(url.pathname.slice('/api/call/'.length)), input);
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        return res.end(JSON.stringify(result));
      }
      if (url.pathname.startsWith('/download/') && req.method === 'GET' && options.downloads) {
        const file = options.downloads.take(url.pathname.slice('/download/'.length));
        if (!file) return refuse(res, 404, 'This download has expired or was fetched already: export the report again.');
        res.writeHead(200, {
          'content-type': file.contentType,
          'content-length': file.bytes.length,
          'content-disposition': attachmentHeader(file.fileName),
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        });
        return res.end(file.bytes);
      }
      if (url.pathname.startsWith('/api/')) return refuse(res, 404, 'No such endpoint.');
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
      serveStatic(url.pathname, res);
    })().catch((error: unknown) => {
      if (!res.headersSent) refuse(res, 500, `Internal error: ${(error as Error).message}`);
      else res.end();
    });
  });

  const publish = <N extends EventName>(name: N, payload: EventPayload<N>) => {
    if (!eventNames.includes(name)) return;
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const listener of listeners) listener.write(frame);
  };

  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        url: `http://127.0.0.1:${port}/?token=${token}`,
        port,
        token,
        publish,
        close: () =>
          new Promise<void>((done) => {
            for (const listener of listeners) listener.end();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
