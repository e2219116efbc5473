import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { userInfo } from 'node:os';
import { createDispatcher } from '../contract/dispatch';
import type { ServiceContext } from './context';
import { actorOf } from './current-person';
import { createHandlers, defaultDataDir, defaultWorkspaceDir } from './handlers';
import { Session } from './session';

/** Set by the build (esbuild `define`); 'dev' when running from source. */
declare const __STAGECRAFT_VERSION__: string | undefined;
export const APP_VERSION = typeof __STAGECRAFT_VERSION__ === 'string' ? __STAGECRAFT_VERSION__ : 'dev';

/** resources/ beside dist/ (built bundles live two folders down, sources three). */
export function findResourcesDir(fromUrl: string): string {
  const here = dirname(fileURLToPath(fromUrl));
  for (const candidate of [join(here, '..', '..', 'resources'), join(here, '..', '..', '..', 'resources')]) {
    if (existsSync(join(candidate, 'demo', 'demo.json'))) return candidate;
  }
  return join(here, '..', '..', 'resources');
}

export const currentUser = () => process.env['STAGECRAFT_USER'] ?? userInfo().username;

/** A context, session and dispatcher for a shell that runs in Node (browser host, CLI, Electron main). */
export function createApp(overrides: Partial<ServiceContext> & Pick<ServiceContext, 'shell' | 'resourcesDir'>) {
  const listeners: ServiceContext['emit'][] = [];
  const ctx: ServiceContext = {
    version: APP_VERSION,
    dataDir: defaultDataDir(),
    defaultWorkspaceDir: defaultWorkspaceDir(),
    actor: currentUser,
    emit: (name, payload) => listeners.forEach((listener) => listener(name, payload)),
    ...overrides,
  };
  const session = new Session(ctx);
  ctx.actor = actorOf(ctx.dataDir, session, ctx.actor);
  const dispatch = createDispatcher(createHandlers(ctx, session), (name, error) => console.error(`[stagecraft] ${name} failed:`, error));
  return { ctx, session, dispatch, onEvent: (listener: ServiceContext['emit']) => listeners.push(listener) };
}
