import { expect, openShell, snap, test } from './fixtures';

test('edit a lifecycle: add a stage, undo and redo it, refuse removing a stage with hosts, set a policy', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /storefront-web/ }).click();
  const canvas = page.getByTestId('lifecycle-canvas');
  const stages = canvas.locator('[data-testid^="stage-"]');
  await expect(stages).toHaveCount(5);
  await canvas.getByRole('button', { name: 'Edit lifecycle…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Lifecycle of storefront-web' });
  const add = dialog.getByRole('form', { name: 'Add a stage' });
  await add.getByLabel('New stage name').fill('perf');
  await add.getByLabel('Insert before').selectOption({ label: 'before uat' });
  await add.getByRole('button', { name: 'Add stage' }).click();
  await expect(stages).toHaveCount(6);
  await expect(dialog.getByRole('list').first()).toContainText('staging → perf');
  await dialog.getByRole('button', { name: 'Undo' }).click();
  await expect(stages).toHaveCount(5);
  await dialog.getByRole('button', { name: 'Redo' }).click();
  await expect(stages).toHaveCount(6);

  await dialog.getByRole('button', { name: 'Remove staging' }).click();
  await expect(page.getByRole('alert')).toContainText('"staging" still has 5 hosts');
  await page.getByRole('button', { name: 'Dismiss error' }).click();

  await dialog.getByRole('row', { name: /production/ }).getByRole('button', { name: 'Policy…' }).click();
  const policy = dialog.getByLabel('Policy of production');
  await policy.getByLabel('Approvals needed').fill('3');
  await policy.getByLabel('Freeze reason').fill('weekend');
  await policy.getByRole('button', { name: 'Add weekly freeze' }).click();
  await expect(policy).toContainText('every fri from 18:00 for 60 h');
  await policy.getByRole('button', { name: 'Save the policy of production' }).click();
  await expect(policy).not.toContainText('(defaults until saved)');
  await snap(page, 'lifecycle-editor');
});
