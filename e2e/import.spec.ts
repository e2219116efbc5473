import { join } from 'node:path';
import { expect, openShell, test } from './fixtures';

test('import an Ansible inventory into a new workspace: preview, then import', async ({ page }) => {
  await openShell(page);
  const form = page.getByRole('form', { name: 'Create a workspace' });
  await form.getByLabel('File').fill(`import-${Date.now()}`);
  await form.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import hosts' });
  await dialog.getByLabel(/^File/).fill(join(process.cwd(), 'core/services/import/fixtures/platform.yml'));
  await dialog.getByRole('button', { name: 'Preview' }).click();
  await expect(dialog.getByRole('region', { name: 'Import preview' })).toContainText('Would import: 3 services');
  await dialog.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(dialog.getByRole('region', { name: 'Import preview' })).toContainText('Imported: 3 services');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('navigation', { name: 'Services' }).getByRole('button')).toHaveCount(3);
});
