import { expect, openShell, snap, test } from './fixtures';

test('every view is reached the same way from the top bar, its shortcut and the sidebar, Assets included', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await expect(page.getByRole('navigation', { name: 'Services' })).toBeVisible({ timeout: 30_000 });
  const tabs = page.getByRole('navigation', { name: 'Views' });
  const shown = {
    Lifecycle: page.getByRole('main', { name: 'Lifecycle canvas' }),
    'All services': page.getByRole('main', { name: 'Overview of all services' }),
    Hypervisors: page.getByRole('navigation', { name: 'Hypervisor connections' }),
    Assets: page.getByRole('main', { name: 'Assets' }),
    Changes: page.getByRole('main', { name: 'Changes' }),
  };
  const names = Object.keys(shown) as (keyof typeof shown)[];
  await expect(tabs.getByRole('button')).toHaveText(names);
  for (const [index, name] of names.entries()) {
    await page.keyboard.press(`Control+${index + 1}`);
    await expect(shown[name]).toBeVisible();
    await expect(tabs.getByRole('button', { name })).toHaveAttribute('aria-pressed', 'true');
    await expect(tabs.getByRole('button', { name })).toHaveAttribute('title', `Ctrl+${index + 1}`);
    if (name === 'Changes') await page.getByRole('dialog', { name: 'Who is using Stagecraft?' }).getByRole('button', { name: 'Close' }).click();
    await page.keyboard.press('Control+1');
    await tabs.getByRole('button', { name }).click();
    await expect(shown[name]).toBeVisible();
    if (name === 'Changes') await page.getByRole('dialog', { name: 'Who is using Stagecraft?' }).getByRole('button', { name: 'Close' }).click();
  }

  const infrastructure = page.getByRole('navigation', { name: 'Infrastructure' });
  await expect(infrastructure.getByRole('button')).toHaveText(['Hypervisors', 'Assets']);
  await expect(page.getByRole('navigation', { name: 'Change control' }).getByRole('button')).toHaveText(['Changes']);
  await page.keyboard.press('Control+1');
  await infrastructure.getByRole('button', { name: 'Assets' }).click();
  await expect(shown.Assets).toBeVisible();
  await expect(infrastructure.getByRole('button', { name: 'Assets' })).toHaveAttribute('aria-current', 'page');
  await expect(infrastructure.getByRole('button', { name: 'Assets' })).toHaveAttribute('title', 'Ctrl+4');
  await snap(page, 'views-sidebar-assets');
});
