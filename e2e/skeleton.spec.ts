import { expect, openShell, snap, test } from './fixtures';

test.describe('walking skeleton in the browser shell', () => {
  test('welcome screen offers new, open, recent and the demo', async ({ page }) => {
    await openShell(page);
    await expect(page.getByRole('button', { name: 'Open the demo workspace' })).toBeVisible();
    await expect(page.getByRole('form', { name: 'Create a workspace' })).toBeVisible();
    await expect(page.getByRole('form', { name: 'Open a workspace' })).toBeVisible();
    await snap(page, 'welcome');
  });

  test('a path that is not a workspace says so and loses nothing', async ({ page }) => {
    await openShell(page);
    const form = page.getByRole('form', { name: 'Open a workspace' });
    await form.getByLabel('File').fill('/etc/hostname');
    await form.getByRole('button', { name: 'Open' }).click();
    await expect(page.getByRole('alert')).toContainText('not a Stagecraft workspace');
  });

  test('the demo workspace shows a lifecycle, switches service, and has an overview', async ({ page }) => {
    await openShell(page);
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    const canvas = page.getByTestId('lifecycle-canvas');
    await expect(canvas).toBeVisible({ timeout: 30_000 });
    const stages = canvas.locator('[data-testid^="stage-"]');
    await expect(stages).toHaveCount(5);
    await expect(canvas.getByTestId('stage-production')).toContainText('hosts');

    const services = page.getByRole('navigation', { name: 'Services' });
    await expect(services.getByRole('button')).toHaveCount(4);
    await expect(canvas.getByRole('heading')).toHaveText('identity');
    await services.getByRole('button', { name: /payments-api/ }).click();
    await expect(canvas.getByRole('heading')).toHaveText('payments-api');
    await expect(stages).toHaveCount(5);
    await services.getByRole('button', { name: /identity/ }).click();
    await expect(canvas.getByRole('heading')).toHaveText('identity');

    await canvas.getByTestId('stage-staging').click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await expect(inspector.getByRole('heading')).toHaveText('identity · staging');
    await expect(inspector.getByRole('table')).toContainText('idm-directory-stg-01');
    await snap(page, 'lifecycle');

    await page.getByRole('button', { name: 'All services' }).click();
    const overview = page.getByTestId('overview-canvas');
    await expect(overview).toBeVisible();
    await expect(overview.locator('.service-label')).toHaveCount(4);
    await expect(overview.locator('.compact-stage')).toHaveCount(20);
    await snap(page, 'overview');
  });

  test('creates a new empty workspace from a typed path', async ({ page }) => {
    await openShell(page);
    const form = page.getByRole('form', { name: 'Create a workspace' });
    await form.getByLabel('File').fill(`e2e-${Date.now()}`);
    await form.getByLabel('Name').fill('E2E team');
    await form.getByRole('button', { name: 'Create' }).click();
    await expect(page.getByRole('navigation', { name: 'Services' })).toContainText('No services yet');
    await expect(page.locator('.topbar')).toContainText('E2E team');
  });
});

test('search finds a host and shows where it is', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await expect(page.getByTestId('lifecycle-canvas')).toBeVisible();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('rpt-db-uat-02');
  const results = page.getByRole('list', { name: 'Search results' });
  await expect(results).toContainText('reporting-db · uat');
  await results.getByRole('button').first().click();
  await expect(page.getByTestId('lifecycle-canvas').getByRole('heading')).toHaveText('reporting-db');
  await expect(page.getByRole('complementary', { name: 'Inspector' }).getByRole('heading').first()).toHaveText('reporting-db · uat');
});
