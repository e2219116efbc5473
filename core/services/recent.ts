import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface RecentEntry {
  path: string;
  name: string;
  openedAt: string;
}

const MAX_RECENT = 12;

/** The recently opened workspaces, kept in the user's data folder (not in any workspace). */
export class RecentWorkspaces {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'recent.json');
  }

  list(): (RecentEntry & { exists: boolean })[] {
    return this.read().map((entry) => ({ ...entry, exists: existsSync(entry.path) }));
  }

  remember(entry: RecentEntry): void {
    const entries = [entry, ...this.read().filter((e) => e.path !== entry.path)].slice(0, MAX_RECENT);
    mkdirSync(dirname(this.file), { recursive: true });
    // Write then rename, so a crash never leaves half a file.
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entries, null, 2));
    renameSync(temporary, this.file);
  }

  private read(): RecentEntry[] {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      return Array.isArray(parsed) ? parsed.filter(isRecentEntry) : [];
    } catch {
      return []; // missing or unreadable: an empty list is the honest answer
    }
  }
}

const isRecentEntry = (value: unknown): value is RecentEntry =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as RecentEntry).path === 'string' &&
  typeof (value as RecentEntry).name === 'string' &&
  typeof (value as RecentEntry).openedAt === 'string';
