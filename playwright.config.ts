import { defineConfig } from '@playwright/test';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env['E2E_PORT'] ?? 8790);
const token = 'e2e-token-0123456789abcdef0123456789';
// The same folder in the runner and in its workers (each evaluates this file); emptied once per run.
const dataDir = join(tmpdir(), `stagecraft-e2e-${port}`);
if (process.env['TEST_WORKER_INDEX'] === undefined) rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  // Opening the demo builds it (a second or two when quiet): on a loaded machine 5 s was not enough.
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e-results.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  metadata: { token, dataDir },
  webServer: {
    command: `node dist/host/web.js --port ${port}`,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: {
      STAGECRAFT_TOKEN: token,
      STAGECRAFT_DATA_DIR: dataDir,
      STAGECRAFT_WORKSPACE_DIR: join(dataDir, 'workspaces'),
      // The scan spec creates this key and an sshd that accepts it; known hosts start empty.
      STAGECRAFT_SSH_IDENTITY: join(dataDir, 'e2e_key'),
      STAGECRAFT_SSH_KNOWN_HOSTS: join(dataDir, 'known_hosts'),
      E2E_DATA_DIR: dataDir,
    },
  },
});
