import type { Page } from '@playwright/test';
import { LIBVIRT_FIXTURE_URI, actAs, addHypervisor, expect, openDemo, openShell, test } from './fixtures';

/** Counts the page's contract calls by name from now on. */
function countCalls(page: Page) {
  const counts = new Map<string, number>();
  page.on('request', (request) => {
    const name = /\/api\/call\/([^?]+)/.exec(request.url())?.[1];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  return {
    of: (name: string) => counts.get(name) ?? 0,
    reset: () => counts.clear(),
  };
}

/** Lets any reload the write set off arrive (the workspace.changed event comes after the call's answer). */
const settle = (page: Page) => page.waitForTimeout(1_500);

test('a write is followed by one reload, the one its workspace.changed sets off, and a reclaim run redraws the workspace', async ({ page }) => {
  const calls = countCalls(page);
  await openShell(page);
  await openDemo(page);

  // A lease extended: the report is read once more, not twice.
  await page.keyboard.press('Control+4');
  const panel = page.getByRole('main', { name: 'Assets' });
  const lease = (name: string) => panel.getByRole('table', { name: 'Leases of preproduction environments' }).getByRole('row', { name: `Lease ${name}` });
  await lease('payments-api integration').getByRole('button', { name: 'Extend…' }).click();
  const extend = page.getByRole('dialog', { name: 'Extend the lease of payments-api integration' });
  await extend.getByLabel('New last day').fill('2099-06-30');
  await extend.getByLabel('Reason (goes into the audit log)').fill('Settlement rewrite slipped a sprint');
  await settle(page);
  calls.reset();
  await extend.getByRole('button', { name: 'Extend' }).click();
  await expect(lease('payments-api integration')).toContainText('2099-06-30');
  await settle(page);
  expect(calls.of('leases.extend')).toBe(1);
  expect(calls.of('workspace.current')).toBe(1);
  expect(calls.of('assets.report')).toBe(1);

  // A draft saved: its detail comes with the answer, the list is read once more.
  await page.keyboard.press('Control+5');
  await page.getByRole('dialog', { name: 'Who is using Stagecraft?' }).getByRole('button', { name: /^Priya Shah:/ }).click();
  await expect(page.getByRole('button', { name: 'Acting as Priya Shah' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Change requests' });
  await table.getByRole('row', { name: /^Change \d+: Identity v1 to staging$/ }).getByRole('button', { name: 'Identity v1 to staging' }).click();
  const detail = page.getByRole('complementary', { name: /^Change \d+$/ });
  const edit = detail.getByRole('form', { name: 'Edit the draft' });
  await edit.getByLabel('Justification').fill('Staging must match testing before the directory migration.');
  await settle(page);
  calls.reset();
  await edit.getByRole('button', { name: 'Save the draft' }).click();
  await expect(detail.getByRole('region', { name: 'History' })).toContainText('Edited justification.');
  await settle(page);
  expect(calls.of('changes.update')).toBe(1);
  expect(calls.of('changes.list')).toBe(1);
  expect(calls.of('changes.get')).toBe(1);

  // Another person chosen with a change open: the change (what they may do with it) is read once.
  calls.reset();
  await actAs(page, 'Rosa Alvarez');
  await settle(page);
  expect(calls.of('people.setCurrent')).toBe(1);
  expect(calls.of('changes.get')).toBe(1);

  // A lifecycle edit, its undo and its redo: the services are read once after each.
  await page.keyboard.press('Control+1');
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /storefront-web/ }).click();
  const canvas = page.getByTestId('lifecycle-canvas');
  const stages = canvas.locator('[data-testid^="stage-"]');
  await canvas.getByRole('button', { name: 'Edit lifecycle…' }).click();
  const lifecycle = page.getByRole('dialog', { name: 'Lifecycle of storefront-web' });
  const add = lifecycle.getByRole('form', { name: 'Add a stage' });
  await add.getByLabel('New stage name').fill('perf');
  await settle(page);
  for (const [step, stageCount] of [['Add stage', 6], ['Undo', 5], ['Redo', 6]] as const) {
    calls.reset();
    await (step === 'Add stage' ? add : lifecycle).getByRole('button', { name: step }).click();
    await expect(stages).toHaveCount(stageCount);
    await settle(page);
    expect(calls.of('lifecycle.edit')).toBe(1);
    expect(calls.of('services.list')).toBe(1);
  }
  await lifecycle.getByRole('button', { name: 'Close' }).click();

  // A reclaim run: when it ends the workspace is redrawn (workspace.changed 'assets') and the report read once.
  await addHypervisor(page, 'kvm-int', LIBVIRT_FIXTURE_URI);
  await expect(page.getByRole('status', { name: 'Hypervisor job' })).toContainText('succeeded');
  await page.keyboard.press('Control+4');
  await lease('payments-api integration').getByRole('button', { name: 'Reclaim…' }).click();
  const reclaim = page.getByRole('dialog', { name: 'Reclaim payments-api integration' });
  await reclaim.getByLabel(/power off at once/).check();
  await reclaim.getByRole('button', { name: 'Dry run' }).click();
  const run = reclaim.getByRole('button', { name: /Run these \d+ operations/ });
  await expect(run).toBeEnabled();
  await settle(page);
  calls.reset();
  await run.click();
  await expect(reclaim.getByRole('region', { name: 'Reclaim status' })).toContainText('VMs off', { timeout: 30_000 });
  await settle(page);
  expect(calls.of('reclaim.run')).toBe(1);
  expect(calls.of('workspace.current')).toBe(1);
  expect(calls.of('services.list')).toBe(1);
  expect(calls.of('assets.report')).toBe(1);
});
