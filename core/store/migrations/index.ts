import { sql as workspace } from './0001_workspace';
import { sql as drift } from './0002_drift';
import { sql as hostKeys } from './0003_host_keys';
import { sql as promotion } from './0004_promotion';
import { sql as hypervisors } from './0005_hypervisors';
import { sql as assets } from './0006_assets';
import { sql as changeControl } from './0007_change_control';
import { sql as apply } from './0008_apply';
import { sql as cloneResume } from './0009_clone_resume';

/** Numbered, applied in order; the schema version is the number of the last one applied. */
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  { version: 1, name: 'workspace', sql: workspace },
  { version: 2, name: 'drift', sql: drift },
  { version: 3, name: 'host-keys', sql: hostKeys },
  { version: 4, name: 'promotion', sql: promotion },
  { version: 5, name: 'hypervisors', sql: hypervisors },
  { version: 6, name: 'assets', sql: assets },
  { version: 7, name: 'change-control', sql: changeControl },
  { version: 8, name: 'apply', sql: apply },
  { version: 9, name: 'clone-resume', sql: cloneResume },
];

export const LATEST_SCHEMA_VERSION = migrations.length;
