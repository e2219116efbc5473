import { LIBVIRT_FIXTURE_URI, addHypervisor, expect, openDemo, openShell, snap, test } from './fixtures';

test('a demo rebuilt at the same path starts afresh: nobody chosen, no change filter or open change, no hypervisor or job, no what-if overlay of the one before', async ({ page }) => {
  await openShell(page);
  await openDemo(page);
  const path = await page.locator('.topbar .title .muted').getAttribute('title');

  // The first demo: a person chosen, a filtered list, a change open, a hypervisor read.
  await page.keyboard.press('Control+5');
  const chooser = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  await chooser.getByRole('button', { name: 'Rosa Alvarez: release manager, requester' }).click();
  await expect(page.getByRole('button', { name: 'Acting as Rosa Alvarez' })).toBeVisible();
  const panel = page.getByRole('main', { name: 'Changes' });
  const table = panel.getByRole('table', { name: 'Change requests' });
  const filters = panel.getByRole('form', { name: 'Filter changes' });
  await filters.getByLabel('State').selectOption('draft');
  await expect(table.getByRole('row', { name: /^Change/ })).toHaveCount(1);
  await table.getByRole('row', { name: /^Change/ }).getByRole('button').click();
  await expect(table.getByRole('row', { name: /^Change/ })).toHaveAttribute('aria-selected', 'true');
  const detail = panel.locator('aside.change-detail');
  await expect(detail).toHaveCount(1);

  // What-if on the first service (the one shown first after opening), from its testing stage.
  await page.keyboard.press('Control+1');
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /^identity/ }).click();
  const canvas = page.getByTestId('lifecycle-canvas');
  await canvas.getByTestId('stage-testing').click();
  await canvas.getByRole('button', { name: 'What-if to production' }).click();
  await expect(canvas.getByTestId('stage-staging').locator('.what-if')).toContainText('earliest');

  await addHypervisor(page, 'kvm-int', LIBVIRT_FIXTURE_URI);
  const job = page.getByRole('status', { name: 'Hypervisor job' });
  await expect(job).toContainText('succeeded: kvm-int: 8 VMs');

  // Closed, then the demo again: built anew at the same path.
  await page.getByRole('button', { name: 'Close workspace' }).click();
  await openDemo(page);
  expect(await page.locator('.topbar .title .muted').getAttribute('title')).toBe(path);

  await expect(page.getByRole('button', { name: 'Who are you? Choose…' })).toBeVisible();
  const connections = page.getByRole('navigation', { name: 'Hypervisor connections' });
  await expect(connections).toContainText('No hypervisor yet');
  await expect(job).toHaveCount(0);
  await page.keyboard.press('Control+1');
  await expect(canvas.getByRole('heading', { name: 'identity' })).toBeVisible();
  await expect(canvas.getByRole('button', { name: 'What-if to production' })).toHaveAttribute('aria-pressed', 'false');
  await expect(canvas.locator('.what-if')).toHaveCount(0);

  await page.keyboard.press('Control+5');
  await expect(chooser).toBeVisible();
  await chooser.getByRole('button', { name: 'Close' }).click();
  await expect(filters.getByLabel('State')).toHaveValue('');
  await expect(filters.getByRole('button', { name: 'Clear filters' })).toHaveCount(0);
  await expect(table.getByRole('row', { name: /^Change/ })).not.toHaveCount(1);
  await expect(table.getByRole('row', { name: /^Change \d+: Storefront testing: cache tuning$/ })).toBeVisible();
  await expect(detail).toHaveCount(0);
  await snap(page, 'session-reset-changes');
});
