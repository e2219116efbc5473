import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { StagecraftError } from '../domain/errors';
import { WorkspaceStore } from '../store/workspace-store';
import type { ServiceContext } from './context';
import { RecentWorkspaces } from './recent';

/** The workspace a shell has open: at most one at a time. */
export class Session {
  private store: WorkspaceStore | null = null;
  readonly recent: RecentWorkspaces;

  constructor(private readonly ctx: ServiceContext) {
    this.recent = new RecentWorkspaces(ctx.dataDir);
  }

  get current(): WorkspaceStore | null {
    return this.store;
  }

  /** The open workspace, or a clear error telling the user to open one. */
  require(): WorkspaceStore {
    if (!this.store) throw new StagecraftError('conflict', 'No workspace is open.', 'Create a workspace, open one, or open the demo.');
    return this.store;
  }

  resolvePath(path: string): string {
    const absolute = isAbsolute(path) ? path : resolve(this.ctx.defaultWorkspaceDir, path);
    return absolute.endsWith('.stagecraft') || absolute.endsWith('.sqlite') || absolute.endsWith('.db') ? absolute : `${absolute}.stagecraft`;
  }

  create(path: string, name: string): WorkspaceStore {
    const target = this.resolvePath(path);
    mkdirSync(dirname(target), { recursive: true });
    return this.adopt(WorkspaceStore.create(target, name, this.options()));
  }

  open(path: string): WorkspaceStore {
    const target = isAbsolute(path) ? path : resolve(this.ctx.defaultWorkspaceDir, path);
    return this.adopt(WorkspaceStore.open(target, this.options()));
  }

  /** Opens a store the caller built (the demo), making it the current one. */
  adopt(store: WorkspaceStore): WorkspaceStore {
    this.close();
    this.store = store;
    // The CLI is scripted: its runs should not crowd the app's recent list.
    if (this.ctx.shell !== 'cli') this.recent.remember({ path: store.path, name: store.summary().name, openedAt: new Date().toISOString() });
    this.ctx.emit('workspace.changed', { reason: 'opened' });
    return store;
  }

  close(): boolean {
    if (!this.store) return false;
    this.store.close();
    this.store = null;
    return true;
  }

  options() {
    return this.ctx.nativeBinding ? { nativeBinding: this.ctx.nativeBinding } : {};
  }
}
