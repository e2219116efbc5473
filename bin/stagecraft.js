#!/usr/bin/env node
// The CLI is bundled by `npm run build`; say so plainly if it has not been built yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/stagecraft.js', import.meta.url));
if (!existsSync(bundle)) {
  console.error('stagecraft: the CLI is not built yet. Run `npm run build` first.');
  process.exit(2);
}
await import(bundle);
