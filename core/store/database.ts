import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StagecraftError } from '../domain/errors';
import { LATEST_SCHEMA_VERSION, migrations } from './migrations/index';

/** 'STGC': marks a SQLite file as a Stagecraft workspace (PRAGMA application_id). */
export const APPLICATION_ID = 0x53544743;
const SQLITE_HEADER = 'SQLite format 3\0';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path of a better-sqlite3 binary built for the running runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  readonly?: boolean;
}

function connect(path: string, options: OpenOptions & { fileMustExist: boolean }): Db {
  const db = new Database(path, {
    fileMustExist: options.fileMustExist,
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = ON');
  return withPreparedStatementCache(db);
}

const MAX_CACHED_STATEMENTS = 256;

/**
 * Repositories prepare their SQL where they use it, and preparing was about a third of a typical
 * read's time (the change list): each distinct SQL text is prepared once per connection and kept,
 * the least recently used dropped beyond a bound (a few statements are built per column set). Safe
 * because no code changes a statement's mode (pluck, raw, expand) or keeps one iterating.
 */
function withPreparedStatementCache(db: Db): Db {
  const prepare = db.prepare.bind(db);
  const prepared = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    const statement = prepared.get(sql) ?? prepare(sql);
    prepared.delete(sql);
    prepared.set(sql, statement);
    if (prepared.size > MAX_CACHED_STATEMENTS) prepared.delete(prepared.keys().next().value!);
    return statement;
  }) as Db['prepare'];
  return db;
}

function readHeader(path: string): string {
  const buffer = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('latin1');
}

/**
 * Checks, without writing a byte, that `path` is a Stagecraft workspace this version can open.
 * Returns its schema version.
 */
function inspectExisting(path: string, options: OpenOptions): number {
  if (!statSync(path).isFile()) throw new StagecraftError('invalid-input', `${path} is not a file.`);
  if (statSync(path).size === 0 || readHeader(path) !== SQLITE_HEADER) {
    throw new StagecraftError('invalid-input', `${path} is not a Stagecraft workspace (it is not a SQLite database).`, 'Choose a .stagecraft file, or create a new workspace.');
  }
  const probe = connect(path, { ...options, readonly: true, fileMustExist: true });
  try {
    const applicationId = probe.pragma('application_id', { simple: true }) as number;
    const version = probe.pragma('user_version', { simple: true }) as number;
    if (applicationId !== APPLICATION_ID) {
      throw new StagecraftError('invalid-input', `${path} is a SQLite database but not a Stagecraft workspace; it was left untouched.`, 'Choose a .stagecraft file, or create a new workspace.');
    }
    if (version > LATEST_SCHEMA_VERSION) {
      throw new StagecraftError(
        'unsupported',
        `${path} was written by a newer Stagecraft (schema ${version}; this version knows up to ${LATEST_SCHEMA_VERSION}). It was left untouched.`,
        'Update Stagecraft to open this workspace.',
      );
    }
    return version;
  } finally {
    probe.close();
  }
}

/** Applies every migration above the current version, all in one transaction. */
function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  db.transaction(() => {
    for (const migration of pending) db.exec(migration.sql);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
  })();
}

export function createWorkspaceFile(path: string, name: string, options: OpenOptions = {}): Db {
  if (existsSync(path)) {
    throw new StagecraftError('conflict', `${path} already exists; a new workspace never overwrites a file.`, 'Choose another name, or open the existing file.');
  }
  const db = connect(path, { ...options, fileMustExist: false });
  try {
    db.transaction(() => {
      db.pragma(`application_id = ${APPLICATION_ID}`);
      for (const migration of migrations) db.exec(migration.sql);
      db.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
      const insert = db.prepare('INSERT INTO workspace_meta (key, value) VALUES (?, ?)');
      insert.run('name', name);
      insert.run('created_at', new Date().toISOString());
    })();
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function openWorkspaceFile(path: string, options: OpenOptions = {}): Db {
  if (!existsSync(path)) {
    throw new StagecraftError('not-found', `${path} does not exist.`, 'Check the path, or create a new workspace there.');
  }
  inspectExisting(path, options);
  const db = connect(path, { ...options, fileMustExist: true });
  if (!options.readonly) migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}
