import { sql as workspace } from './0001_workspace';

/** Numbered, applied in order; the schema version is the number of the last one applied. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [{ version: 1, name: 'workspace', sql: workspace }];

export const LATEST_SCHEMA_VERSION = migrations.length;
