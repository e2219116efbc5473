import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

/** Lints `code` as if it were the file at `path` and returns the layering violations. */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: new URL(`../${path}`, import.meta.url).pathname });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layering rule', () => {
  it.each([
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';"],
    ['renderer/src/x.ts', "import Database from 'better-sqlite3';"],
    ['renderer/src/x.ts', "import { Client } from 'ssh2';"],
    ['renderer/src/x.ts', "import { app } from 'electron';"],
    ['renderer/src/components/x.ts', "import { WorkspaceStore } from '../../../core/store/workspace-store';"],
    ['core/services/x.ts', "import { app } from 'electron';"],
    ['core/services/x.ts', "import Database from 'better-sqlite3';"],
    ['core/services/x.ts', "import { Client } from 'ssh2';"],
    ['core/store/x.ts', "import { Client } from 'ssh2';"],
    ['core/connectors/x.ts', "import Database from 'better-sqlite3';"],
    ['core/domain/x.ts', "import { createHash } from 'node:crypto';"],
    ['core/domain/x.ts', "import { z } from 'zod';"],
    ['core/domain/x.ts', "import { contract } from '../contract/index';"],
    ['core/contract/x.ts', "import { BlobStore } from '../store/blobs';"],
    ['core/host/x.ts', "import { WorkspaceStore } from '../store/workspace-store';"],
    ['electron/x.ts', "import Database from 'better-sqlite3';"],
  ])('refuses, in %s: %s', async (path, code) => {
    expect(await violations(path, code)).toHaveLength(1);
  });

  it.each([
    ['renderer/src/x.ts', "import { contract } from '../../core/contract/index';"],
    ['core/store/x.ts', "import Database from 'better-sqlite3';"],
    ['core/connectors/x.ts', "import { Client } from 'ssh2';"],
    ['core/services/x.ts', "import { WorkspaceStore } from '../store/workspace-store';"],
    ['electron/x.ts', "import { app } from 'electron';"],
    ['core/domain/x.ts', "import { StagecraftError } from './errors';"],
  ])('allows, in %s: %s', async (path, code) => {
    expect(await violations(path, code)).toEqual([]);
  });
});
