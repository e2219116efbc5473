import type { EventName, EventPayload } from '../contract/index';
import type { KeyProtector } from './signing';

/** What a shell (Electron, the browser host, the CLI) gives the use cases. */
export interface ServiceContext {
  shell: 'electron' | 'browser' | 'cli';
  version: string;
  /** Per-user application data: the recent list, the demo workspace. */
  dataDir: string;
  /** Where resources/ is: demo sources, collector, schemas. */
  resourcesDir: string;
  /** Where new workspaces go by default. */
  defaultWorkspaceDir: string;
  /** better-sqlite3 binary for the running runtime, when it is not Node's (Electron). */
  nativeBinding?: string;
  /** Who is acting: recorded in the audit log (the workspace's current person once one is chosen). */
  actor: () => string;
  /** Wraps approvers' private keys at rest (Electron: safeStorage); file permissions alone without it. */
  keyProtector?: KeyProtector;
  emit: <N extends EventName>(name: N, payload: EventPayload<N>) => void;
  /** SSH settings that override the user's (~/.ssh/config, agent, default keys): from CLI flags, or tests. */
  ssh?: { identityFiles?: string[]; knownHostsFiles?: string[]; sshConfigFile?: string | null; agentSocket?: string | null; connectTimeoutMs?: number };
  /** Native file dialogs, where the shell has them. */
  chooseWorkspace?: (mode: 'open' | 'create') => Promise<string | null>;
  /** A native save dialog (desktop): the path chosen, and whether the user confirmed replacing an existing file. */
  chooseSavePath?: (suggestedName: string) => Promise<{ path: string; overwriteConfirmed: boolean } | null>;
  /** The shell's own HTML-to-PDF printer (Electron's printToPDF); headless Chromium is used without it. */
  printToPdf?: (html: string) => Promise<Uint8Array>;
  /** Offers bytes to the browser as a one-time download (browser shell): returns the URL to fetch them. */
  offerDownload?: (file: { fileName: string; contentType: string; bytes: Uint8Array }) => string;
}
