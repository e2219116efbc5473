// The desktop shell, driven through Playwright's Electron support. It launches Electron itself
// (whatever project of playwright.config.ts runs it) and is skipped, with the reason, where no
// Electron binary, no display, or no better-sqlite3 build for Electron can be had.
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The Electron executable that `npm start` would run, without downloading anything. */
function findElectron(): { path: string } | { reason: string } {
  const dir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(dir, 'package.json'))) return { reason: 'the electron package is not installed' };
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const executable = override ? join(override, relative ?? 'electron') : relative ? join(dir, 'dist', relative) : null;
  if (executable && existsSync(executable)) return { path: executable };
  const failure = join(root, '.cache', 'electron-download.json');
  const last = existsSync(failure) ? (JSON.parse(readFileSync(failure, 'utf8')) as { reason: string }).reason : null;
  return { reason: `the binary is not downloaded (${last ?? 'node_modules/electron/path.txt is missing'}); \`npm start\` fetches it` };
}

function whyNot(): string | null {
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return 'no display (run under xvfb-run -a)';
  }
  if (!existsSync(join(root, 'dist', 'electron', 'main.cjs'))) return 'dist/electron/main.cjs is missing (run npm run build)';
  // Electron needs better-sqlite3 built for its ABI (node_modules has Node's build).
  const native = spawnSync(process.execPath, [join(root, 'scripts', 'electron-native.js')], { cwd: root, encoding: 'utf8', timeout: 5 * 60_000 });
  if (native.status !== 0) return (native.stderr || native.stdout || 'better-sqlite3 could not be built for Electron').trim().split('\n').pop()!;
  return null;
}

const found = findElectron();

test.describe('desktop shell (Electron)', () => {
  let app: ElectronApplication | undefined;
  let userData: string | undefined;

  test.beforeAll(async () => {
    test.setTimeout(6 * 60_000);
    if (!('path' in found)) return;
    const reason = whyNot();
    if (reason) {
      console.log(`Electron tests skipped: ${reason}`);
      test.skip(true, `Electron cannot run here: ${reason}`);
      return;
    }
    userData = mkdtempSync(join(tmpdir(), 'stagecraft-electron-e2e-'));
    const args = [`--user-data-dir=${userData}`, '.'];
    if (process.platform === 'linux' && process.getuid?.() === 0) args.unshift('--no-sandbox');
    app = await electron.launch({
      executablePath: found.path,
      args,
      cwd: root,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '', STAGECRAFT_WORKSPACE_DIR: join(userData, 'workspaces') },
      timeout: 60_000,
    });
  });

  test.afterAll(async () => {
    await app?.close();
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  test('opens the demo workspace and shows its five stages', async () => {
    if (!('path' in found)) {
      console.log(`Electron binary not available: ${found.reason}`);
      test.skip(true, `Electron binary not available: ${found.reason}`);
      return;
    }
    const window = await app!.firstWindow();
    expect(window.url()).toMatch(/^app:\/\/stagecraft\//);
    // The page has the preload's bridge and no Node.
    expect(await window.evaluate(() => typeof (globalThis as { stagecraft?: { invoke?: unknown } }).stagecraft?.invoke)).toBe('function');
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');

    await window.getByRole('button', { name: 'Open the demo workspace' }).click();
    const canvas = window.getByTestId('lifecycle-canvas');
    await expect(canvas).toBeVisible({ timeout: 30_000 });
    await expect(canvas.locator('[data-testid^="stage-"]')).toHaveCount(5);
    await window.screenshot({ path: 'test-results/screenshots/electron-lifecycle.png' });
  });
});
