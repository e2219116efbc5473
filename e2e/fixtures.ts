import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';

export const E2E_TOKEN = 'e2e-token-0123456789abcdef0123456789';

/** Opens the browser shell the way a user does: with the tokenised URL `npm run web` printed. */
export async function openShell(page: Page): Promise<void> {
  // One server serves every test: start each from the welcome screen.
  await page.request.post('/api/call/workspace.close', { headers: { 'x-stagecraft-token': E2E_TOKEN, 'content-type': 'application/json' }, data: {} });
  await page.goto(`/?token=${E2E_TOKEN}`);
  await expect(page.getByRole('heading', { name: 'Stagecraft', level: 1 }).or(page.getByRole('navigation', { name: 'Services' }))).toBeVisible();
}

/** Opens the demo workspace from the welcome screen; building it takes a while on a busy machine. */
export async function openDemo(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await expect(page.getByRole('navigation', { name: 'Services' })).toBeVisible({ timeout: 30_000 });
}

/**
 * libvirt's mock driver: a realistic hypervisor in one file (eight VMs, two pools, snapshots). Its VMs
 * match the demo's payments-api integration hosts (by MAC, address and name); db-legacy and the
 * template tmpl-debian12 are shut off, on network stagecraft-int.
 */
export const LIBVIRT_FIXTURE_URI = `test://${join(process.cwd(), 'resources', 'libvirt-fixtures', 'inventory.xml')}`;

/** Saves a screenshot as a test artifact (test-results/screenshots). */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: false });
}

/** A contract call straight to the browser shell (set-up and checks beside what the page does). */
export async function call<T>(page: Page, name: string, data: unknown): Promise<T> {
  const answer = (await (await page.request.post(`/api/call/${name}`, { headers: { 'x-stagecraft-token': E2E_TOKEN, 'content-type': 'application/json' }, data })).json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!answer.ok) throw new Error(`${name}: ${answer.error?.message}`);
  return answer.value;
}

/** Switches who is using the app through the person chooser in the top bar. */
export async function actAs(page: Page, name: string) {
  await page.getByRole('button', { name: /^Acting as|^Who are you/ }).click();
  const chooser = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  await chooser.getByRole('button', { name: new RegExp(`^${name}:`) }).click();
  await expect(chooser).toBeHidden();
  await expect(page.getByRole('button', { name: `Acting as ${name}` })).toBeVisible();
}

/** Adds a hypervisor in the Hypervisors view (Ctrl+3); adding starts its first read. */
export async function addHypervisor(page: Page, name: string, uri: string) {
  await page.keyboard.press('Control+3');
  const add = page.getByRole('form', { name: 'Add a hypervisor' });
  await add.getByLabel('Name').fill(name);
  await add.getByLabel('libvirt URI').fill(uri);
  await add.getByRole('button', { name: 'Add and read' }).click();
}

export const test = base;
export { expect };
