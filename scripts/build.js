#!/usr/bin/env node
// Builds everything into dist/: the renderer (Vite), and with esbuild the browser host, the CLI,
// and Electron's main and preload. `--if-stale` skips the build when dist/ is newer than the sources.
import { build as esbuild } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const stale = () =>
  !existsSync(stamp) ||
  Math.max(...['core', 'renderer', 'electron'].map((d) => newestSource(join(root, d))), statSync(join(root, 'package.json')).mtimeMs) > statSync(stamp).mtimeMs;

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

const started = Date.now();
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  define: { __STAGECRAFT_VERSION__: JSON.stringify(version) },
  // Native and platform modules are loaded at run time, never bundled.
  external: ['better-sqlite3', 'ssh2', 'cpu-features', 'electron'],
};
const esm = { ...node, format: 'esm', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } };

await Promise.all([
  viteBuild({ configFile: join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' }),
  esbuild({ ...esm, entryPoints: { 'host/web': 'core/host/web.ts', 'cli/stagecraft': 'core/cli/stagecraft.ts' }, outdir: join(root, 'dist'), absWorkingDir: root }),
  esbuild({ ...node, format: 'cjs', entryPoints: { 'electron/main': 'electron/main.ts' }, outExtension: { '.js': '.cjs' }, outdir: join(root, 'dist'), absWorkingDir: root }),
  esbuild({ ...node, format: 'cjs', platform: 'browser', entryPoints: { 'electron/preload': 'electron/preload.ts' }, outExtension: { '.js': '.cjs' }, outdir: join(root, 'dist'), absWorkingDir: root, external: ['electron'] }),
]);
writeFileSync(stamp, new Date().toISOString());
console.log(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
