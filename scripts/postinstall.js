#!/usr/bin/env node
// After `npm install`: one line on whether Electron's binary is here. Downloads nothing and never
// fails the install (the electron package fetches its binary on first use, see scripts/start.js).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

try {
  const require = createRequire(new URL('../package.json', import.meta.url));
  const dir = dirname(require.resolve('electron/package.json'));
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const pathFile = join(dir, 'path.txt');
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const executable = override
    ? join(override, existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron')
    : existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (executable && existsSync(executable)) {
    console.log(`stagecraft: Electron ${version} binary is present (${executable}); \`npm start\` opens the desktop app.`);
  } else {
    console.log(`stagecraft: Electron ${version} binary is not downloaded yet; \`npm start\` fetches it on first run, or falls back to the browser shell if it cannot.`);
  }
} catch (error) {
  try {
    if (error && error.code === 'MODULE_NOT_FOUND') console.log('stagecraft: the electron package is not installed (a dev dependency); `npm start` will serve the browser shell.');
    else console.log(`stagecraft: could not check for Electron's binary (${error instanceof Error ? error.message : String(error)}); \`npm start\` will check again.`);
  } catch {
    // never fail the install
  }
}
process.exitCode = 0;
