import { LIBVIRT_FIXTURE_URI as URI, addHypervisor, expect, openDemo, openShell, snap, test } from './fixtures';

test('assets: lease badges on the canvas, capacity and cost per stage, extend a lease with a reason, reclaim only after its dry run', async ({ page }) => {
  await openShell(page);
  await openDemo(page);
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();

  // The canvas: an expiring lease on integration, a lease with time left on staging, none on production.
  const canvas = page.getByTestId('lifecycle-canvas');
  await expect(canvas.getByTestId('stage-integration').getByLabel(/Lease of dana\.k: expiring: \d days? left/)).toHaveText(/^dana\.k · \d d left$/);
  await expect(canvas.getByTestId('stage-integration').locator('.lease-badge')).toHaveClass(/health-warn/);
  await expect(canvas.getByTestId('stage-staging').locator('.lease-badge')).toHaveText(/^release-team · \d+ d left$/);
  await expect(canvas.getByTestId('stage-production').locator('.lease-badge')).toHaveCount(0);
  await snap(page, 'assets-canvas');

  // A hypervisor whose VMs are the integration hosts, for the reclaim.
  await addHypervisor(page, 'kvm-int', URI);
  await expect(page.getByRole('status', { name: 'Hypervisor job' })).toContainText('succeeded');

  await page.keyboard.press('Control+4');
  const panel = page.getByRole('main', { name: 'Assets' });
  const leases = panel.getByRole('table', { name: 'Leases of preproduction environments' });
  const lease = (name: string) => leases.getByRole('row', { name: `Lease ${name}` });
  await expect(lease('storefront-web testing')).toContainText('expired');
  await expect(lease('storefront-web testing').locator('.lease-status')).toHaveClass(/health-bad/);
  await expect(lease('payments-api integration')).toContainText(/expiring: \d days? left/);
  await expect(lease('identity uat')).toContainText('America/New_York');
  // Capacity per stage: numbers and bars.
  const integration = panel.getByRole('region', { name: 'Stage integration' });
  const numbers = integration.getByRole('table', { name: 'Capacity of integration' });
  await expect(numbers.getByRole('row', { name: /^Capacity/ })).toContainText('64 vCPU');
  await expect(numbers.getByRole('row', { name: /^Allocated/ })).toContainText('56 vCPU');
  await expect(numbers.getByRole('row', { name: /^Free/ })).toContainText('8 vCPU');
  await expect(integration.getByRole('img', { name: 'Allocation of integration' })).toContainText('88 %');
  await expect(panel.getByRole('region', { name: 'Stage uat' }).getByRole('img')).toContainText('95 %');
  await snap(page, 'assets');

  // Placing a new environment: which pool takes it, or why none can.
  const place = panel.getByRole('region', { name: 'Place a new environment' });
  await place.getByLabel('Stage').selectOption('uat');
  await place.getByRole('button', { name: 'Check' }).click();
  await expect(place.getByRole('status', { name: 'Placement' })).toHaveText(/^No pool of uat has room: uat-rack \(vCPUs: 8 needed, 4 free; memory: 32768 MB needed, 8192 MB free\)\.$/);
  await place.getByLabel('Stage').selectOption('integration');
  await place.getByRole('button', { name: 'Check' }).click();
  await expect(place.getByRole('status', { name: 'Placement' })).toHaveText(/^Fits in kvm-int \(€[\d,]+ a month\)\.$/);

  // Extend: refused without a reason (the button stays off), recorded with one.
  await lease('payments-api integration').getByRole('button', { name: 'Extend…' }).click();
  const extend = page.getByRole('dialog', { name: 'Extend the lease of payments-api integration' });
  await expect(extend.getByRole('button', { name: 'Extend' })).toBeDisabled();
  await extend.getByLabel('New last day').fill('2099-06-30');
  await extend.getByLabel('Reason (goes into the audit log)').fill('Settlement rewrite slipped a sprint');
  await extend.getByRole('button', { name: 'Extend' }).click();
  await expect(extend).toBeHidden();
  await expect(lease('payments-api integration')).toContainText('2099-06-30');
  await expect(lease('payments-api integration').locator('.lease-status')).toHaveClass(/health-ok/);

  // A new lease, in the owner's zone; a new pool adds capacity to its stage.
  await panel.getByRole('button', { name: 'New lease…' }).click();
  const create = page.getByRole('dialog', { name: 'New lease' });
  await create.getByLabel('Environment').selectOption({ label: 'identity integration' });
  await create.getByLabel('Owner', { exact: true }).fill('kim.o');
  await create.getByLabel('Last day').fill('2099-01-15');
  await create.getByLabel(/time zone/).fill('Asia/Tokyo');
  await create.getByRole('button', { name: 'Set lease' }).click();
  await expect(create).toBeHidden();
  await expect(lease('identity integration')).toContainText('2099-01-15 Asia/Tokyo');
  await panel.getByRole('button', { name: 'Add pool…' }).click();
  const pool = page.getByRole('dialog', { name: 'Add a resource pool' });
  await pool.getByLabel('Name', { exact: true }).fill('kvm-int-2');
  await pool.getByLabel('Stage').selectOption('integration');
  await pool.getByLabel('vCPUs').fill('16');
  await pool.getByLabel('per vCPU a month').fill('8');
  await pool.getByRole('button', { name: 'Add pool' }).click();
  await expect(pool).toBeHidden();
  await expect(numbers.getByRole('row', { name: /^Capacity/ })).toContainText('80 vCPU');
  await expect(integration).toContainText('kvm-int-2 (hypervisor)');

  // Reclaim: options, then the dry run with every command, then only on confirmation the run.
  await lease('payments-api integration').getByRole('button', { name: 'Reclaim…' }).click();
  const reclaim = page.getByRole('dialog', { name: 'Reclaim payments-api integration' });
  await reclaim.getByLabel(/power off at once/).check();
  await reclaim.getByLabel(/Grace period/).fill('48');
  await reclaim.getByRole('button', { name: 'Dry run' }).click();
  const dryRun = reclaim.getByRole('region', { name: 'Reclaim dry run' });
  await expect(dryRun).toContainText('Phase 1 of 2: power off, keep a way back');
  await expect(dryRun.getByLabel('Commands for pay-web-int-01').first()).toHaveText(`virsh -c ${URI} destroy --domain pay-web-int-01`);
  await expect(dryRun.getByLabel('VM db-legacy')).toContainText('host pay-db-int-01');
  await expect(dryRun.getByLabel('Commands for db-legacy')).toHaveText(/snapshot-create-as --domain db-legacy --name stagecraft-reclaim-\d{4}-\d{2}-\d{2}/);
  const run = reclaim.getByRole('button', { name: /Run these 5 operations/ });
  await expect(run).toBeEnabled();
  await snap(page, 'assets-reclaim');
  await run.click();
  const status = reclaim.getByRole('region', { name: 'Reclaim status' });
  await expect(status).toContainText('VMs off; they may be deleted after the grace period (48 h)', { timeout: 30_000 });
  await expect(status).toContainText('pay-web-int-01 — kept');
  // The next step is the delete, held back by the grace period.
  await reclaim.getByRole('button', { name: 'Dry run of the next step' }).click();
  await expect(reclaim.getByRole('region', { name: 'Reclaim dry run' })).toContainText('Waiting for the grace period', { timeout: 15_000 });
  await expect(reclaim.getByRole('button', { name: /Run these 0 operations/ })).toBeDisabled();
  await reclaim.getByRole('button', { name: 'Cancel' }).click();
  await expect(reclaim).toBeHidden();
});
