import { expect, openShell, snap, test } from './fixtures';

test.describe('drift and parity', () => {
  test.beforeEach(async ({ page }) => {
    await openShell(page);
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
    await expect(page.getByTestId('lifecycle-canvas').getByRole('heading')).toHaveText('payments-api');
  });

  test('stage nodes show parity and drift counts; edges say when stages differ', async ({ page }) => {
    const canvas = page.getByTestId('lifecycle-canvas');
    const staging = canvas.getByTestId('stage-staging');
    await expect(staging).toContainText('4 high');
    await expect(staging).toContainText(/99\.\d %/);
    await expect(staging).toHaveClass(/health-bad/);
    await expect(canvas.getByTestId('stage-integration')).toContainText('image v2');
    await expect(canvas.locator('.react-flow__edge.edge-differs').first()).toBeVisible();
    await page.getByRole('button', { name: 'All services' }).click();
    await expect(page.getByTestId('overview-canvas').locator('.service-label').first()).toContainText('%');
    await snap(page, 'drift-overview');
  });

  test('the drift inspector explains a stage, shows a file diff, and ignores a line', async ({ page }) => {
    const canvas = page.getByTestId('lifecycle-canvas');
    await canvas.getByTestId('stage-staging').click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('button', { name: 'Drift' }).click();
    const packages = inspector.getByRole('table', { name: 'Packages' });
    await expect(packages).toContainText('libssl3');
    await expect(packages).toContainText('3.0.22-1~deb12u2');
    await expect(packages).toContainText('3.0.20-1~deb12u2');
    await expect(inspector.getByRole('img', { name: /Parity went from/ })).toBeVisible();
    await snap(page, 'drift-inspector');

    // Severity filter: hiding "high" hides every package row here.
    await inspector.getByRole('group', { name: 'Severity filter' }).getByLabel(/high/).uncheck();
    await expect(inspector.getByText('No drift matches the filters.')).toBeVisible();
    await inspector.getByRole('group', { name: 'Severity filter' }).getByLabel(/high/).check();

    // A file diff in UAT: someone tuned nginx by hand.
    await canvas.getByTestId('stage-uat').click();
    await inspector.getByRole('button', { name: 'Drift' }).click();
    await inspector.getByRole('button', { name: /Show the diff of \/etc\/nginx\/nginx.conf/ }).click();
    const dialog = page.getByRole('dialog', { name: /nginx.conf/ });
    await expect(dialog.getByRole('table', { name: /Differences/ })).toContainText('worker_connections 768;');
    await expect(dialog.getByRole('table', { name: /Differences/ })).toContainText('worker_connections 4096;');
    await expect(dialog.locator('td.ins')).toContainText(['worker_connections 4096;']);
    await snap(page, 'file-diff');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Ignore this: the line goes away and the stage is back in parity.
    await inspector.getByRole('button', { name: 'Ignore files /etc/nginx/nginx.conf' }).click();
    await inspector.getByLabel('Reason for ignoring').fill('UAT load tests need more connections');
    await inspector.getByRole('button', { name: 'Ignore for role web' }).click();
    await expect(inspector.getByText('No drift: every compared fact matches.')).toBeVisible();
    await expect(canvas.getByTestId('stage-uat')).toContainText('100 %');
  });

  test('capture, derive and assign images; see the lineage', async ({ page }) => {
    const canvas = page.getByTestId('lifecycle-canvas');
    await canvas.getByTestId('stage-production').click();
    const inspector = page.getByRole('complementary', { name: 'Inspector' });
    await inspector.getByRole('button', { name: 'Images' }).click();
    await inspector.getByRole('button', { name: 'Capture an image from production' }).click();
    const v3 = inspector.getByRole('listitem', { name: 'Image v3' });
    await expect(v3).toContainText('captured from production (9 hosts)');
    await v3.getByRole('button', { name: 'Derive…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Derive a new image from v3' });
    await dialog.getByLabel('Role').selectOption('app');
    await dialog.getByRole('textbox', { name: 'Package' }).fill('libssl3');
    await dialog.getByRole('textbox', { name: 'Version' }).fill('3.0.23-1~deb12u1');
    await dialog.getByRole('button', { name: 'Derive image' }).click();
    const v4 = inspector.getByRole('listitem', { name: 'Image v4' });
    await expect(v4).toContainText('derived from v3');
    await expect(v4).toContainText('libssl3');
    await canvas.getByTestId('stage-integration').click();
    await inspector.getByRole('button', { name: 'Images' }).click();
    await inspector.getByRole('listitem', { name: 'Image v4' }).getByRole('button', { name: 'Assign to integration' }).click();
    await expect(canvas.getByTestId('stage-integration')).toContainText('image v4');
    await expect(canvas.getByTestId('stage-integration').locator('.image-chip')).toHaveClass(/health-bad/);
    await snap(page, 'images');
  });
});

test('severity rules are editable and change what the canvas shows', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
  const staging = page.getByTestId('lifecycle-canvas').getByTestId('stage-staging');
  await expect(staging).toContainText('4 high');
  await page.getByRole('button', { name: 'Drift rules…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Drift rules' });
  await expect(dialog.getByLabel('Key glob of rule 2')).toHaveValue(/openssh/);
  await dialog.getByLabel('Severity of rule 2').selectOption('low');
  await dialog.getByRole('button', { name: 'Save rules' }).click();
  await expect(dialog.getByText('This workspace has its own rules.')).toBeVisible();
  await expect(dialog.getByRole('region', { name: 'Watched files' })).toContainText('/etc/nginx/**');
  await snap(page, 'rules');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(staging).toContainText('4 low');
  await expect(staging).toHaveClass(/health-warn/);
});
