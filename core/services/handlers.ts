import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../contract/dispatch';
import { StagecraftError } from '../domain/errors';
import type { ServiceContext } from './context';
import { applyHandlers } from './apply-handlers';
import { changeHandlers } from './change-handlers';
import { keyRingOf } from './current-person';
import { buildDemoWorkspace } from './demo';
import { driftHandlers } from './drift-handlers';
import { hypervisorHandlers } from './hypervisor-handlers';
import { assetHandlers } from './asset-handlers';
import { imageHandlers } from './image-handlers';
import { importHandlers } from './import-handlers';
import { Jobs } from './jobs';
import { promotionHandlers } from './promotion-handlers';
import { reportHandlers } from './reports';
import { scanHandlers } from './scan-handlers';
import { Session } from './session';

export function createHandlers(ctx: ServiceContext, session = new Session(ctx)): Handlers {
  // One job list, so job.cancel reaches scans and hypervisor jobs alike.
  const jobs = new Jobs(ctx);
  return {
    'app.info': () => ({
      version: ctx.version,
      shell: ctx.shell === 'electron' ? 'electron' : 'browser',
      nativeDialogs: ctx.chooseWorkspace !== undefined,
      defaultWorkspaceDir: ctx.defaultWorkspaceDir,
    }),
    'workspace.recent': () => session.recent.list(),
    'workspace.create': ({ path, name }) => session.create(path, name).summary(),
    'workspace.open': ({ path }) => session.open(path).summary(),
    'workspace.openDemo': () => {
      session.close();
      const store = buildDemoWorkspace(join(ctx.dataDir, 'demo.stagecraft'), ctx.resourcesDir, { ...session.options(), replace: true, keys: keyRingOf(ctx) });
      return session.adopt(store).summary();
    },
    'workspace.current': () => session.current?.summary() ?? null,
    'workspace.close': () => {
      const closed = session.close();
      if (closed) ctx.emit('workspace.changed', { reason: 'closed' });
      return { closed };
    },
    'audit.verify': () => session.require().audit.verify(),
    'audit.entries': ({ limit }) => session.require().audit.entries(limit),
    'dialog.chooseWorkspace': async ({ mode }) => {
      if (!ctx.chooseWorkspace) throw new StagecraftError('unsupported', 'This shell has no native file dialogs.', 'Type the path of the workspace file instead.');
      return { path: await ctx.chooseWorkspace(mode) };
    },
    'services.list': () => session.require().inventory.listServices(),
    'environment.get': ({ stageId }) => session.require().inventory.environment(stageId),
    'inventory.search': ({ query, limit }) => session.require().inventory.search(query, limit),
    ...driftHandlers(ctx, session),
    ...imageHandlers(ctx, session),
    ...scanHandlers(ctx, session, jobs),
    ...promotionHandlers(ctx, session),
    ...changeHandlers(ctx, session),
    ...importHandlers(ctx, session),
    ...reportHandlers(ctx, session),
    ...hypervisorHandlers(ctx, session, jobs),
    ...assetHandlers(ctx, session, jobs),
    ...applyHandlers(ctx, session, jobs),
  };
}

/** Where a shell keeps per-user data when the platform gives no better place. */
export const defaultDataDir = () => process.env['STAGECRAFT_DATA_DIR'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'stagecraft');
export const defaultWorkspaceDir = () => process.env['STAGECRAFT_WORKSPACE_DIR'] ?? join(homedir(), 'Stagecraft');
