#!/usr/bin/env node
// better-sqlite3 for Electron's ABI, built beside node_modules rather than inside it: Node (tests,
// CLI, browser shell) keeps loading node_modules/better-sqlite3, and electron/main.ts passes
// .cache/electron-native/better_sqlite3.node to better-sqlite3 as `nativeBinding` when it exists.
//
// A copy of the package is made in a temporary folder; there prebuild-install fetches a prebuilt
// addon for Electron, or node-gyp builds one against Electron's headers. Either needs a network
// once; the result is reused until Electron, better-sqlite3, the platform or the arch changes.
//
//   node scripts/electron-native.js          build if missing or out of date
//   node scripts/electron-native.js --force  build again
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));

export const NATIVE_DIR = join(root, '.cache', 'electron-native');
export const NATIVE_ADDON = join(NATIVE_DIR, 'better_sqlite3.node');
const STAMP = join(NATIVE_DIR, 'stamp.json');

const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const versionOf = (name) => JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')).version;

/** What a failed prebuild-install or node-gyp run says went wrong, as one short line. */
export function whyFailed(result) {
  if (result.error) return result.error.code === 'ETIMEDOUT' ? 'timed out' : result.error.message;
  const lines = `${result.stderr ?? ''}\n${result.stdout ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const prebuild = lines.filter((l) => /^prebuild-install (warn|err)/.test(l)).pop();
  if (prebuild) return prebuild.replace(/^prebuild-install (warn|err!?)\s*/, '');
  const download = lines.filter((l) => /^gyp http GET /.test(l)).pop()?.replace(/^gyp http GET /, '');
  const stack = lines.find((l) => /^gyp ERR! stack Error: /.test(l))?.replace(/^gyp ERR! stack Error: /, '');
  if (download && stack && /network/i.test(lines.join(' '))) return `could not download ${download} (network)`;
  const error = lines.find((l) => /(^gyp ERR! stack Error: )|error:|fatal/i.test(l) && !/^gyp ERR! (not ok|cwd|node -v|node-gyp -v|command|System)/.test(l));
  return (stack ?? error ?? `exit code ${result.status}`).slice(0, 300);
}

/**
 * Builds better_sqlite3.node for a runtime (Electron by default) into `out`, without touching
 * node_modules. Returns { path } or { reason }.
 */
export function buildNative({
  runtime = 'electron',
  target = versionOf('electron'),
  arch = process.arch,
  distUrl = runtime === 'electron' ? 'https://electronjs.org/headers' : undefined,
  nodedir,
  out = NATIVE_ADDON,
  timeoutMs = 5 * 60_000,
  log = console.log,
} = {}) {
  const work = mkdtempSync(join(tmpdir(), 'stagecraft-native-'));
  try {
    const copy = join(work, 'better-sqlite3');
    cpSync(packageDir('better-sqlite3'), copy, { recursive: true, filter: (src) => !src.startsWith(join(packageDir('better-sqlite3'), 'build')) });
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
    const env = { ...process.env, npm_config_runtime: runtime, npm_config_target: target, npm_config_arch: arch, npm_config_disturl: distUrl ?? '' };
    const reasons = [];

    // 1. A prebuilt addon (seconds, when GitHub is reachable).
    const prebuild = spawnSync(process.execPath, [join(packageDir('prebuild-install'), 'bin.js'), '--runtime', runtime, '--target', target, '--arch', arch, '--platform', process.platform], {
      cwd: copy, env, encoding: 'utf8', timeout: 60_000,
    });
    if (prebuild.status === 0 && existsSync(built)) {
      log(`better-sqlite3: prebuilt addon for ${runtime} ${target} downloaded.`);
    } else {
      reasons.push(`prebuilt addon: ${whyFailed(prebuild)}`);
      // 2. Build from source against the runtime's headers (~1 min).
      log(`better-sqlite3: building the native addon for ${runtime} ${target} (about a minute)…`);
      const args = [join(packageDir('node-gyp'), 'bin', 'node-gyp.js'), 'rebuild', '--release', `--target=${target}`, `--arch=${arch}`];
      if (distUrl) args.push(`--dist-url=${distUrl}`);
      if (runtime === 'electron') args.push('--runtime=electron', `--devdir=${join(homedir(), '.electron-gyp')}`);
      if (nodedir) args.push(`--nodedir=${nodedir}`);
      const gyp = spawnSync(process.execPath, args, { cwd: copy, env, encoding: 'utf8', timeout: timeoutMs });
      if (gyp.status !== 0 || !existsSync(built)) {
        reasons.push(`build from source: ${whyFailed(gyp)}`);
        return { reason: reasons.join('; ') };
      }
    }
    mkdirSync(dirname(out), { recursive: true });
    copyFileSync(built, `${out}.tmp`);
    rmSync(out, { force: true });
    copyFileSync(`${out}.tmp`, out);
    rmSync(`${out}.tmp`, { force: true });
    return { path: out };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The identity of a built addon: rebuild when any of these change. */
function wanted() {
  return { electron: versionOf('electron'), betterSqlite3: versionOf('better-sqlite3'), platform: process.platform, arch: process.arch };
}

/** Makes sure .cache/electron-native/better_sqlite3.node matches the installed Electron. Returns { path } or { reason }. */
export function ensureElectronNative({ force = false, log = console.log } = {}) {
  const want = wanted();
  if (!force && existsSync(NATIVE_ADDON) && existsSync(STAMP)) {
    try {
      if (JSON.stringify(JSON.parse(readFileSync(STAMP, 'utf8'))) === JSON.stringify(want)) return { path: NATIVE_ADDON };
    } catch {
      // rebuild below
    }
  }
  const result = buildNative({ target: want.electron, log });
  if (result.path) writeFileSync(STAMP, JSON.stringify(want));
  else rmSync(NATIVE_ADDON, { force: true }); // never leave an addon for another Electron behind
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = ensureElectronNative({ force: process.argv.includes('--force') });
  if (result.path) console.log(`better-sqlite3 for Electron: ${result.path}`);
  else {
    console.error(`Could not build better-sqlite3 for Electron: ${result.reason}`);
    process.exit(1);
  }
}
