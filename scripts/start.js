#!/usr/bin/env node
// `npm start`: the desktop app when Electron can run here, otherwise the browser shell (the same
// app: same handlers, store and renderer), with one line saying why.
//
//   npm start                  Electron if possible, else the browser shell
//   npm start -- --port 8799   arguments are passed on (the browser shell takes --port)
//   npm start -- --web         the browser shell, without trying Electron
//
// Electron's npm package fetches its binary on first use. That is tried once per start (a failure
// is remembered for 10 minutes), and a download that gets no answer within 20 s is given up.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const FAILURE_FILE = join(root, '.cache', 'electron-download.json');
const REMEMBER_FAILURE_MS = 10 * 60_000;
const ANSWER_TIMEOUT_MS = Number(process.env['STAGECRAFT_ELECTRON_TIMEOUT_MS'] ?? 20_000);
const DOWNLOAD_TIMEOUT_MS = 15 * 60_000;

function electronPackageDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The executable's path when the binary is already there (asks the electron package, in a child). */
export function installedElectron(dir = electronPackageDir()) {
  if (!dir) return null;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const pathFile = join(dir, 'path.txt');
  if (!override && !(existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())))) return null;
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(require(process.argv[1]))', dir], { encoding: 'utf8', timeout: 10_000 });
  return probe.status === 0 && probe.stdout && existsSync(probe.stdout) ? probe.stdout : null;
}

// Runs the electron package's own installer, with a deadline for the server's answer (the body of a
// real download may take longer) and the network error's cause kept (the installer prints only
// "fetch failed").
const DOWNLOADER = `
const [installer, answerMs] = [process.argv[1], Number(process.argv[2])];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, options = {}) => {
  const controller = new AbortController();
  const host = (() => { try { return new URL(String(url)).host; } catch { return String(url); } })();
  const timer = setTimeout(() => controller.abort(new Error('no answer from ' + host + ' within ' + answerMs / 1000 + ' s')), answerMs);
  const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
  try {
    return await realFetch(url, { ...options, signal });
  } catch (error) {
    const cause = error && error.cause ? (error.cause.message || error.cause.code) : '';
    process.stderr.write('STAGECRAFT-DOWNLOAD-ERROR ' + (cause || (error && error.message) || String(error)) + '\\n');
    throw error;
  } finally {
    clearTimeout(timer);
  }
};
require(installer);
`;

function downloadElectron(dir) {
  console.log('Fetching Electron’s binary (first run)…');
  const run = spawnSync(process.execPath, ['-e', DOWNLOADER, join(dir, 'install.js'), String(ANSWER_TIMEOUT_MS)], {
    cwd: dir,
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
    env: { ...process.env, ELECTRON_GET_NO_PROGRESS: '1' },
  });
  if (run.error) return run.error.code === 'ETIMEDOUT' ? `download took over ${DOWNLOAD_TIMEOUT_MS / 60_000} min` : run.error.message;
  const lines = `${run.stderr}`.split('\n');
  const cause = lines.filter((l) => l.startsWith('STAGECRAFT-DOWNLOAD-ERROR ')).pop()?.slice('STAGECRAFT-DOWNLOAD-ERROR '.length);
  if (run.status !== 0) return `download failed: ${cause ?? lines.find((l) => /error/i.test(l))?.trim() ?? `installer exit code ${run.status}`}`;
  return null;
}

/** { path } when Electron can be run, else { reason }. Tries the download at most once. */
export function probeElectron() {
  const dir = electronPackageDir();
  if (!dir) return { reason: 'the electron package is not installed (run npm install)' };
  const present = installedElectron(dir);
  if (present) return { path: present };
  try {
    const last = JSON.parse(readFileSync(FAILURE_FILE, 'utf8'));
    if (Date.now() - last.at < REMEMBER_FAILURE_MS) {
      const minutes = Math.round((Date.now() - last.at) / 60_000);
      const when = minutes < 1 ? 'less than a minute ago' : `${minutes} min ago`;
      return { reason: `${last.reason}, ${when}; delete .cache/electron-download.json to try again now` };
    }
  } catch {
    // no failure remembered
  }
  const failure = downloadElectron(dir);
  const path = installedElectron(dir);
  if (path) {
    rmSync(FAILURE_FILE, { force: true });
    return { path };
  }
  const reason = failure ?? 'the installer finished but the executable is missing';
  mkdirSync(dirname(FAILURE_FILE), { recursive: true });
  writeFileSync(FAILURE_FILE, JSON.stringify({ at: Date.now(), reason }));
  return { reason };
}

/** Runs a command with the terminal attached, passes Ctrl+C on, and exits with its code. */
function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  child.on('error', (error) => {
    console.error(`Could not start ${command}: ${error.message}`);
    process.exit(1);
  });
}

function buildIfStale() {
  const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.js'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

function browserShell(reason, args) {
  console.log(reason ? `${reason}; serving the browser shell instead — same app, open the URL below.` : 'Serving the browser shell — open the URL below.');
  buildIfStale();
  run(process.execPath, [join(root, 'dist', 'host', 'web.js'), ...args]);
}

function main() {
  const args = process.argv.slice(2).filter((arg) => arg !== '--web');
  if (process.argv.includes('--web')) return browserShell(null, args);

  const electron = probeElectron();
  if (!electron.path) return browserShell(`Electron’s binary is not available here (${electron.reason})`, args);
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return browserShell('Electron cannot open a window here (no display: neither DISPLAY nor WAYLAND_DISPLAY is set)', args);
  }

  buildIfStale();
  // Imported here: it is only needed on the Electron path.
  return import('./electron-native.js').then(({ ensureElectronNative }) => {
    const native = ensureElectronNative();
    if (!native.path) return browserShell(`better-sqlite3 could not be built for Electron (${native.reason})`, args);

    const electronArgs = ['.', ...args];
    if (process.platform === 'linux' && process.getuid?.() === 0) {
      // Chromium refuses to start as root with its sandbox on.
      console.log('Running as root: Chromium’s OS sandbox is off (--no-sandbox). Run as a normal user to keep it.');
      electronArgs.unshift('--no-sandbox');
    }
    const env = { ...process.env };
    delete env['ELECTRON_RUN_AS_NODE'];
    run(electron.path, electronArgs, { env });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
