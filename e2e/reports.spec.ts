import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { E2E_TOKEN, expect, openShell, snap, test } from './fixtures';

test.describe('report export', () => {
  test.beforeEach(async ({ page }) => {
    await openShell(page);
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
    await page.getByTestId('lifecycle-canvas').getByTestId('stage-staging').click();
    await page.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Drift' }).click();
  });

  test('the drift view opens the export dialog: a live preview, then a PDF download', async ({ page }) => {
    await snap(page, 'drift-report-button');
    await page.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Report…' }).click();
    const dialog = page.getByRole('dialog', { name: /Export — Drift report: payments-api/ });
    await expect(dialog).toBeVisible();
    const preview = dialog.frameLocator('iframe[title="Report preview"]');
    await expect(preview.getByRole('heading', { name: 'Drift report', level: 1 })).toBeVisible();
    await expect(preview.getByRole('heading', { name: /payments-api — preproduction parity/ })).toBeVisible();
    await expect(preview.getByText('libssl3').first()).toBeVisible();
    await expect(dialog.locator('iframe[title="Report preview"]')).toHaveAttribute('sandbox', '');
    await snap(page, 'export-dialog');

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^drift-report-payments-api-\d{4}-\d{2}-\d{2}\.pdf$/);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    await expect(dialog.getByRole('status')).toContainText('drift-report-payments-api');
  });

  test('CSV downloads too, and saving over an existing file asks first', async ({ page }, testInfo) => {
    await page.getByRole('complementary', { name: 'Inspector' }).getByRole('button', { name: 'Report…' }).click();
    const dialog = page.getByRole('dialog', { name: /Export — Drift report/ });
    await dialog.getByLabel(/^CSV/).check();
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(readFileSync((await download.path())!, 'utf8').split('\r\n')[0]).toMatch(/^service,stage,is_production/);

    const target = testInfo.outputPath('drift.csv');
    const form = dialog.getByRole('form', { name: 'Save to a file on this computer' });
    await form.getByRole('textbox').fill(target);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog.getByRole('status')).toContainText(`Saved ${target}`);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('already exists');
    await form.getByRole('button', { name: 'Replace the existing file' }).click();
    await expect(dialog.getByRole('status')).toContainText(`Saved ${target}`);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });

  test('the browser shell serves a CAB pack of the demo changes as a PDF download', async ({ page }, testInfo) => {
    const headers = { 'x-stagecraft-token': E2E_TOKEN, 'content-type': 'application/json' };
    const changes = (await (await page.request.post('/api/call/changes.list', { headers, data: {} })).json()) as { ok: boolean; value: { id: number; title: string }[] };
    expect(changes.ok).toBe(true);
    expect(changes.value.length).toBeGreaterThan(0);
    const prepared = (await (await page.request.post('/api/call/reports.download', { headers, data: { selection: { kind: 'changes', changeIds: changes.value.map((c) => c.id) }, format: 'pdf' } })).json()) as {
      ok: boolean;
      value: { url: string; fileName: string };
    };
    expect(prepared.ok).toBe(true);
    const response = await page.request.get(prepared.value.url);
    expect(response.headers()['content-disposition']).toContain(`filename="${prepared.value.fileName}"`);
    const file = testInfo.outputPath('cab.pdf');
    writeFileSync(file, await response.body());
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const change of changes.value) expect(text).toContain(`Change #${change.id}: ${change.title}`);
    expect(text).toContain('Audit chain head');
  });
});
