import type { Locator, Page } from '@playwright/test';
import { expect, openShell, snap, test } from './fixtures';

/** A real pointer drag: down on the chip, several moves (the first is eaten by thresholds), up on the target. */
async function drag(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 8; i++) await page.mouse.move(a.x + ((b.x + b.width / 2 - a.x) * i) / 8, a.y + ((b.y + b.height / 2 - a.y) * i) / 8);
  await expect(to).toHaveClass(/drop-hover/);
  await page.mouse.up();
}

test.describe('drag to promote', () => {
  test.beforeEach(async ({ page }) => {
    await openShell(page);
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
  });

  test('dragging image v2 from testing onto staging shows the plan, verdict and risk; saving makes a draft', async ({ page }) => {
    const canvas = page.getByTestId('lifecycle-canvas');
    const chip = canvas.getByTestId('stage-testing').getByRole('button', { name: /Image v2 of testing/ });
    const staging = canvas.getByTestId('stage-staging');
    await page.mouse.move(0, 0);
    const box = (await chip.boundingBox())!;
    await page.mouse.move(box.x + 5, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + 40, box.y + 10);
    await expect(staging).toHaveClass(/drop-valid/); // valid targets light up while dragging
    await expect(canvas.getByTestId('stage-uat')).toHaveClass(/drop-invalid/);
    await snap(page, 'promote-dragging');
    await page.mouse.up();
    await drag(page, chip, staging);
    const dialog = page.getByRole('dialog', { name: 'Promote image v2 from testing to staging' });
    await expect(dialog.getByRole('region', { name: 'Policy verdict' })).toContainText('staging');
    await expect(dialog.getByRole('region', { name: 'Risk' })).toContainText('high-severity changes');
    await dialog.getByText('pay-web-stg-01').click();
    await expect(dialog.getByRole('region', { name: 'Plan' })).toContainText('/etc/ssh/sshd_config');
    await expect(dialog.getByRole('region', { name: 'Plan' })).toContainText('restart ssh.service');
    await snap(page, 'promote-plan');
    await dialog.getByRole('button', { name: 'Save as draft change' }).click();
    await expect(dialog).toBeHidden();
  });

  test('dropping onto a skipped stage says why', async ({ page }) => {
    const canvas = page.getByTestId('lifecycle-canvas');
    await drag(page, canvas.getByTestId('stage-testing').getByRole('button', { name: /Image v2 of testing/ }), canvas.getByTestId('stage-uat'));
    const refusal = page.getByRole('dialog', { name: 'Cannot promote to uat' });
    await expect(refusal).toContainText('uat is not next after testing: it would skip staging.');
    await snap(page, 'promote-refused');
  });

  test('the same promotion from the keyboard', async ({ page }) => {
    await page.getByTestId('lifecycle-canvas').getByTestId('stage-testing').click();
    await page.keyboard.press('p');
    const menu = page.getByRole('dialog', { name: 'Promote image v2 from testing to…' });
    const item = (name: string) => menu.getByRole('listitem').filter({ has: page.getByRole('button', { name, exact: true }) });
    await expect(item('uat')).toContainText('would skip staging');
    await expect(item('staging')).toContainText('allowed');
    await menu.getByRole('button', { name: 'staging' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('dialog', { name: 'Promote image v2 from testing to staging' })).toBeVisible();
  });
});

test('what-if dates each hop to production; production-only changes flow back and can be captured', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
  const canvas = page.getByTestId('lifecycle-canvas');
  await canvas.getByTestId('stage-testing').click();
  await canvas.getByRole('button', { name: 'What-if to production' }).click();
  await expect(canvas.getByTestId('stage-staging').locator('.what-if')).toContainText('earliest');
  await expect(canvas.getByTestId('stage-production').locator('.what-if')).toContainText('earliest');
  await snap(page, 'what-if');
  await canvas.getByRole('button', { name: 'Leave what-if' }).click();
  await expect(canvas.locator('.what-if')).toHaveCount(0);

  const back = canvas.getByTestId('production-only');
  await expect(back).toContainText('1 production-only change');
  await back.getByRole('button', { name: 'Capture into a new image' }).click();
  await expect(canvas.getByTestId('stage-production')).toContainText('image v3');
  await expect(back).toHaveCount(0);
});
