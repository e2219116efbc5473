import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, findResourcesDir } from '../services/app';
import { DownloadShelf } from './downloads';
import { startHost } from './server';

function parsePort(argv: string[]): number | undefined {
  const index = argv.indexOf('--port');
  if (index === -1) return undefined;
  const port = Number(argv[index + 1]);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port needs a number from 0 to 65535, not "${argv[index + 1] ?? ''}".`);
    process.exit(2);
  }
  return port;
}

/** Comma-separated paths from the environment (e.g. a dedicated scanning key), or nothing. */
const pathsFromEnv = (name: string) => process.env[name]?.split(',').filter(Boolean);
const identityFiles = pathsFromEnv('STAGECRAFT_SSH_IDENTITY');
const knownHostsFiles = pathsFromEnv('STAGECRAFT_SSH_KNOWN_HOSTS');

const downloads = new DownloadShelf();
const app = createApp({
  shell: 'browser',
  offerDownload: (file) => downloads.offer(file),
  resourcesDir: findResourcesDir(import.meta.url),
  ...((identityFiles || knownHostsFiles) && { ssh: { ...(identityFiles && { identityFiles }), ...(knownHostsFiles && { knownHostsFiles }) } }),
});
const host = await startHost({
  dispatch: app.dispatch,
  staticDir: join(dirname(fileURLToPath(import.meta.url)), '..', 'renderer'),
  port: parsePort(process.argv.slice(2)),
  token: process.env['STAGECRAFT_TOKEN'],
  downloads,
});
app.onEvent(host.publish);
if (process.env['STAGECRAFT_WORKSPACE']) app.session.open(process.env['STAGECRAFT_WORKSPACE']);
console.log(`Stagecraft is running in the browser shell: open ${host.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    app.session.close();
    void host.close().then(() => process.exit(0));
  });
}
