import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const port = Number(process.env['E2E_PORT'] ?? 8790);
const token = 'e2e-token-0123456789abcdef0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'stagecraft-e2e-'));

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
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
  metadata: { token },
  webServer: {
    command: `node dist/host/web.js --port ${port}`,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { STAGECRAFT_TOKEN: token, STAGECRAFT_DATA_DIR: dataDir, STAGECRAFT_WORKSPACE_DIR: join(dataDir, 'workspaces') },
  },
});
