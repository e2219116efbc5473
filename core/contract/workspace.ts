import { z } from 'zod';
import { call } from './define';
import { filePath, recentWorkspace, workspaceSummary } from './schemas';

export const shellInfo = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'browser']),
  /** Whether the shell can show native open/save dialogs (Electron) or needs a typed path (browser). */
  nativeDialogs: z.boolean(),
  defaultWorkspaceDir: z.string(),
});

export const workspaceCalls = {
  'app.info': call('What shell this is and what it can do', z.object({}), shellInfo),
  'workspace.recent': call('Recently opened workspaces, newest first', z.object({}), z.array(recentWorkspace)),
  'workspace.create': call('Create a new, empty workspace file and open it', z.object({ path: filePath, name: z.string().trim().min(1).max(200) }), workspaceSummary),
  'workspace.open': call('Open an existing workspace file', z.object({ path: filePath }), workspaceSummary),
  'workspace.openDemo': call('Build the demo workspace afresh and open it', z.object({}), workspaceSummary),
  'workspace.current': call('The open workspace, if any', z.object({}), workspaceSummary.nullable()),
  'workspace.close': call('Close the open workspace', z.object({}), z.object({ closed: z.boolean() })),
  'audit.verify': call(
    'Check the hash chain of the audit log: any entry altered, removed or reordered is named',
    z.object({}),
    z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), entries: z.number().int(), head: z.string() }),
      z.object({ ok: z.literal(false), entries: z.number().int(), firstBadSeq: z.number().int(), reason: z.string() }),
    ]),
  ),
  'audit.entries': call(
    'The newest audit entries',
    z.object({ limit: z.number().int().min(1).max(5000).default(200) }),
    z.array(z.object({ seq: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), subject: z.string(), beforeJson: z.string().nullable(), afterJson: z.string().nullable(), prevHash: z.string(), hash: z.string() })),
  ),
  'dialog.chooseWorkspace': call(
    'Ask the user for a workspace path with a native dialog (desktop only)',
    z.object({ mode: z.enum(['open', 'create']) }),
    z.object({ path: z.string().nullable() }),
  ),
};
