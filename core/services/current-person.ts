/**
 * Who is using the app, per workspace, remembered on this computer (in the user's data folder, never
 * in the workspace: a shared workspace has many users). The audit log names this person.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PersonRecord } from '../store/change-repository';
import type { WorkspaceStore } from '../store/workspace-store';
import type { ServiceContext } from './context';
import { ensureFirstPerson } from './change-control';
import type { Session } from './session';
import { KeyRing } from './signing';

interface Remembered {
  personId: number;
  workspaceCreatedAt: string;
}

export class CurrentPeople {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'current-person.json');
  }

  private read(): Record<string, Remembered> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, Remembered>) : {};
    } catch {
      return {}; // missing or unreadable: nobody chosen yet
    }
  }

  /**
   * The chosen person of a workspace, if still one of its people. A workspace made later at the same
   * path (a demo rebuilt, a file replaced) is another one: its person ids name other people.
   */
  get(store: WorkspaceStore): PersonRecord | null {
    const remembered = this.read()[store.path];
    if (typeof remembered?.personId !== 'number' || remembered.workspaceCreatedAt !== store.createdAt()) return null;
    return store.changes.people().find((p) => p.id === remembered.personId) ?? null;
  }

  remember(store: WorkspaceStore, personId: number): void {
    const all = { ...this.read(), [store.path]: { personId, workspaceCreatedAt: store.createdAt() } satisfies Remembered };
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(all, null, 2));
    renameSync(temporary, this.file);
  }
}

export const keyRingOf = (ctx: ServiceContext) => new KeyRing(ctx.dataDir, ctx.keyProtector);

/**
 * The person acting in the open workspace: the one chosen on this computer; else, on first use of a
 * workspace without people, its user becomes a person with every role; else the person named like
 * the user of this computer. Null when people exist and none was chosen.
 */
export function currentPerson(ctx: ServiceContext, store: WorkspaceStore, people = new CurrentPeople(ctx.dataDir)): PersonRecord | null {
  const chosen = people.get(store);
  if (chosen) return chosen;
  // With nobody chosen, ctx.actor() is the system user (see actorOf).
  const systemUser = ctx.actor();
  const found = ensureFirstPerson(store, systemUser, keyRingOf(ctx)) ?? store.changes.personByName(systemUser) ?? null;
  if (found) people.remember(store, found.id);
  return found;
}

/** ctx.actor for a shell: the current person's name once the workspace has one, else the system user. */
export function actorOf(dataDir: string, session: Session, systemUser: () => string): () => string {
  const people = new CurrentPeople(dataDir);
  return () => {
    const store = session.current;
    return (store && people.get(store)?.name) ?? systemUser();
  };
}
