import { rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { generateKey, TestSshd } from '../core/connectors/ssh/test-support/sshd';
import { expect, openShell, snap, test } from './fixtures';

let sshd: TestSshd;

test.beforeAll(async ({}, testInfo) => {
  const dataDir = testInfo.config.metadata['dataDir'] as string;
  // Another spec may have given the shell its own key (apply: the farm's): this one replaces it.
  for (const file of ['e2e_key', 'e2e_key.pub']) rmSync(join(dataDir, file), { force: true });
  const key = generateKey(dataDir, 'e2e_key'); // the browser shell scans with this key (STAGECRAFT_SSH_IDENTITY)
  sshd = await TestSshd.start({ authorizedKeys: [key.publicLine] });
  expect(join(dataDir, 'e2e_key')).toBe(key.privateFile);
});
test.afterAll(async () => sshd?.stop());

test('add a host, scan it, confirm its unknown key by fingerprint, and see its facts', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /reporting-db/ }).click();
  await page.getByTestId('lifecycle-canvas').getByTestId('stage-integration').click();
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await inspector.getByRole('button', { name: 'Environment' }).click();
  await inspector.getByRole('button', { name: 'Add host…' }).click();
  const add = page.getByRole('form', { name: 'Add a host' });
  await add.getByLabel('Name', { exact: true }).fill('rpt-db-int-local');
  await add.getByLabel(/^Address/).fill('127.0.0.1');
  await add.getByLabel('SSH port').fill(String(sshd.port));
  await add.getByLabel(/^SSH user/).fill(userInfo().username);
  await add.getByLabel('Role').selectOption('db');
  await add.getByRole('button', { name: 'Add host' }).click();
  await expect(inspector.getByRole('table')).toContainText('rpt-db-int-local');

  // The demo's other hosts do not exist (*.demo.invalid): they fail, classified; the real one asks about its key.
  await inspector.getByRole('button', { name: /^Scan \d+ hosts$/ }).click();
  const panel = page.getByRole('region', { name: 'Scan progress' });
  await expect(panel.getByRole('button', { name: 'Close' })).toBeVisible({ timeout: 30_000 });
  const local = panel.getByRole('listitem', { name: /rpt-db-int-local/ });
  await expect(local).toContainText('host-key-unknown');
  await expect(local).toContainText(sshd.hostKey.fingerprint);
  await expect(panel.getByRole('listitem', { name: /rpt-db-int-01/ })).toContainText('unreachable');
  await snap(page, 'scan-host-key');

  await local.getByRole('button', { name: /trust this key and scan again/ }).click();
  await expect(panel.getByRole('listitem', { name: /rpt-db-int-local/ })).toContainText('saved', { timeout: 30_000 });
  await expect(inspector.getByRole('table')).not.toContainText(/rpt-db-int-local\s*db\s*127\.0\.0\.1\s*never/);
  await inspector.getByRole('button', { name: 'Drift' }).click();
  await inspector.getByLabel('Host filter').selectOption('rpt-db-int-local');
  await expect(inspector.getByRole('table', { name: 'Packages' })).toBeVisible();
  await snap(page, 'scan-drift');
});
