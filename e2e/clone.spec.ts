import type { Page } from '@playwright/test';
import { LIBVIRT_FIXTURE_URI as URI, addHypervisor, call, expect, openDemo, openShell, snap, test } from './fixtures';

/** The demo workspace with the fixture hypervisor added and read from the Hypervisors view. */
async function openDemoWithHypervisor(page: Page, name: string): Promise<void> {
  await openShell(page);
  await openDemo(page);
  await addHypervisor(page, name, URI);
  await expect(page.getByRole('status', { name: 'Hypervisor job' })).toContainText('succeeded', { timeout: 30_000 });
}

/** Records every per-VM progress line the page shows while a job runs (they are gone once it ends). */
async function recordProgress(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { seenProgress: Set<string> }).seenProgress = seen;
    const collect = () => document.querySelectorAll('[aria-label^="Progress of "]').forEach((li) => seen.add(li.textContent ?? ''));
    new MutationObserver(collect).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => [...(window as unknown as { seenProgress: Set<string> }).seenProgress]);
}

test('clone production into a stage: choices, dry run with every operation and the isolation warning, blockers until a template is given, run, the clones in the stage', async ({ page }) => {
  test.setTimeout(150_000); // two clone runs through virsh on a shared, busy machine
  await openDemoWithHypervisor(page, 'kvm-lab');

  // A service whose production runs on the hypervisor: its db is the VM db-legacy; its web server is not a VM there.
  type Service = { id: number; stages: { id: number; name: string; isProduction: boolean }[] };
  const service = await call<Service>(page, 'services.create', { name: 'legacy-billing', roles: ['db', 'web'] });
  const production = service.stages.find((s) => s.isProduction)!;
  await call(page, 'hosts.add', { name: 'db-legacy', address: '10.0.0.9', stageId: production.id, role: 'db' });
  await call(page, 'hosts.add', { name: 'legacy-web-01', address: '10.0.0.10', stageId: production.id, role: 'web' });

  await page.keyboard.press('Control+4');
  await page.getByRole('main', { name: 'Assets' }).getByRole('button', { name: 'Clone production into a stage…' }).click();
  const dialog = page.getByRole('dialog', { name: /^(Clone production into|Rebuild) / });
  const choices = dialog.getByRole('form', { name: 'Clone choices' });
  await choices.getByLabel('Service').selectOption({ label: 'legacy-billing' });
  await choices.getByLabel('Target stage').selectOption({ label: 'staging (empty)' });
  await expect(dialog).toHaveAccessibleName('Clone production into legacy-billing staging');
  await expect(choices.getByLabel('Hypervisor')).toHaveValue(/\d+/);
  await expect(choices.getByLabel('Placeholders')).toContainText('{n} 1, 2… within each role');
  await choices.getByLabel('Address pattern').fill('{name}.lab.invalid');
  await snap(page, 'clone-choices');
  await choices.getByRole('button', { name: 'Dry run' }).click();

  // Without a template for web, nothing can run, and the dialog says why.
  const plan = dialog.getByRole('region', { name: 'Clone dry run' });
  await expect(plan.getByRole('region', { name: 'Blockers' })).toContainText('legacy-web-01 (web) is not a VM of kvm-lab: give a template VM for role web.', { timeout: 30_000 });
  const run = plan.getByRole('button', { name: /^Clone: run / });
  await expect(run).toBeDisabled();
  await expect(run).toHaveAttribute('title', /^Cannot run: legacy-web-01 \(web\) is not a VM of kvm-lab/);

  // A running VM is cloned only from one of its snapshots (it keeps running): the dry run says so, and copies from the one chosen.
  await plan.getByRole('button', { name: 'Change the choices' }).click();
  await choices.getByLabel('Template for web').fill('pay-web-int-01');
  await choices.getByRole('button', { name: 'Dry run' }).click();
  await expect(plan.getByRole('region', { name: 'Blockers' })).toContainText('pay-web-int-01 (role web) is running', { timeout: 30_000 });
  await plan.getByRole('button', { name: 'Change the choices' }).click();
  await choices.getByLabel('Snapshot for web').selectOption({ label: 'snapshot baseline' });
  await choices.getByRole('button', { name: 'Dry run' }).click();
  // The copy from a snapshot reads the disk files on the hypervisor's host: libvirt's test driver has none, and the dry run says so.
  await expect(plan.getByRole('region', { name: 'Blockers' })).toContainText(/legacy-billing-web-staging-1: .* a clone from a snapshot copies disk files with qemu-img on the hypervisor's host/, { timeout: 30_000 });

  await plan.getByRole('button', { name: 'Change the choices' }).click();
  await choices.getByLabel('Template for web').fill('tmpl-debian12');
  await choices.getByLabel('Snapshot for web').selectOption({ label: 'as chosen above' });
  await choices.getByRole('button', { name: 'Dry run' }).click();
  const clones = plan.getByRole('table', { name: 'Clones' });
  // Reading the hypervisor takes a few virsh calls: slow on a busy machine.
  await expect(clones.getByRole('row', { name: 'Clone legacy-billing-web-staging-1' })).toContainText('tmpl-debian12', { timeout: 30_000 });
  await expect(plan.getByRole('region', { name: 'Blockers' })).toHaveCount(0);
  await expect(clones.getByRole('row', { name: 'Clone legacy-billing-db-staging-1' })).toContainText('db-legacy');
  await expect(clones.getByRole('row', { name: 'Clone legacy-billing-db-staging-1' })).toContainText('legacy-billing-db-staging-1.lab.invalid');
  // Every hypervisor operation, as the exact commands.
  await expect(plan.getByLabel('Commands for legacy-billing-db-staging-1')).toContainText(`virsh -c ${URI} vol-clone`);
  await expect(plan.getByLabel('Commands for legacy-billing-web-staging-1')).toContainText('--newname legacy-billing-web-staging-1');
  await expect(plan.getByLabel('Commands for legacy-billing-web-staging-1')).toContainText('define');
  // The clones' NICs sit on production's network: flagged first, and on each row.
  const isolation = plan.getByRole('alert', { name: 'Network isolation' });
  await expect(isolation).toContainText("of the clones are on production's network");
  await expect(isolation).toContainText(/legacy-billing-db-staging-1: NIC 52:54:00:[0-9a-f:]+ is on production's network stagecraft-int/);
  await expect(clones.getByRole('row', { name: 'Clone legacy-billing-db-staging-1' })).toContainText("on production's network");
  await expect(plan.getByLabel('Placement')).toContainText(/pool|Stage staging/);
  await expect(run).toBeEnabled();
  await snap(page, 'clone-dry-run');
  // The domain XML that define reads, with the clone's own name.
  await plan.getByText('Domain XML of legacy-billing-web-staging-1').click();
  await expect(plan.getByLabel('Operation for legacy-billing-web-staging-1')).toContainText('<name>legacy-billing-web-staging-1</name>');

  // The hypervisor refuses the 200 GB copy of db-legacy (its pool is too small): that clone fails, the other is registered.
  const progress = await recordProgress(page);
  await run.click();
  const result = dialog.getByRole('region', { name: 'Clone result' });
  await expect(result.getByRole('heading')).toHaveText('Run 1: failed — 1 host registered in staging, 1 failed', { timeout: 30_000 });
  await expect(result.getByRole('row', { name: 'Cloned legacy-billing-db-staging-1' })).toContainText("Not enough free space in pool for volume 'legacy-billing-db-staging-1.qcow2'");
  await expect(result.getByRole('row', { name: 'Cloned legacy-billing-web-staging-1' })).toContainText('registered');
  await expect(result.getByLabel('Parity against production')).toContainText('not compared yet');
  await expect(result.getByLabel('What is left')).toContainText('legacy-billing-db-staging-1 (db, from db-legacy)');
  // While it ran, each VM's steps streamed in.
  const streamed = await progress();
  expect(streamed.some((line) => line.startsWith('legacy-billing-web-staging-1 — cloning'))).toBe(true);
  expect(streamed.some((line) => line.startsWith('legacy-billing-db-staging-1 — cloning (failed)'))).toBe(true);
  await snap(page, 'clone-result');
  // What is left can be resumed: its dry run first, VM by VM.
  await dialog.getByRole('button', { name: 'Dry run of the resume…' }).click();
  const resume = dialog.getByRole('region', { name: 'Resume dry run' });
  await expect(resume.getByLabel('Resume legacy-billing-db-staging-1')).toContainText('next: clone', { timeout: 30_000 });
  await expect(resume.getByLabel('Commands for legacy-billing-db-staging-1')).toContainText('vol-clone');
  await expect(resume).not.toContainText('Resume legacy-billing-web-staging-1 '); // registered already: nothing to do
  await resume.getByRole('button', { name: 'Back' }).click();
  await expect(result).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).last().click();
  await expect(dialog).toBeHidden();

  // Rebuild: the stage holds a host now; fresh clones of the template replace it, the old one archived first.
  await page.getByRole('main', { name: 'Assets' }).getByRole('button', { name: 'Clone production into a stage…' }).click();
  await choices.getByLabel('Service').selectOption({ label: 'legacy-billing' });
  await choices.getByLabel('Target stage').selectOption({ label: 'staging (1 host)' });
  // The failed run still has work left: offered before cloning anew.
  await expect(dialog.getByLabel('Unfinished run')).toContainText(/^Run 1 into staging \(.* UTC, failed\) has work left: 1 VM\./);
  await dialog.getByLabel('Unfinished run').getByRole('button', { name: 'Show it…' }).click();
  await expect(result.getByRole('heading')).toHaveText('Run 1: failed — 1 host registered in staging, 1 failed');
  await dialog.getByRole('button', { name: 'New dry run…' }).click();
  await choices.getByRole('checkbox', { name: /^Rebuild: archive the 1 host staging holds now/ }).check();
  await expect(dialog).toHaveAccessibleName('Rebuild legacy-billing staging');
  await choices.getByLabel('Template for db').fill('tmpl-debian12');
  await choices.getByLabel('Template for web').fill('tmpl-debian12');
  await choices.getByLabel('Name pattern').fill('{service}-{role}-r{n}');
  await choices.getByRole('button', { name: 'Dry run' }).click();
  await expect(plan.getByLabel('Replaced')).toContainText('Rebuild: legacy-billing-web-staging-1 is archived first', { timeout: 30_000 });
  await expect(plan.getByRole('alert', { name: 'Network isolation' })).toContainText('legacy-billing-db-r1: NIC');
  await plan.getByRole('button', { name: 'Rebuild: run these 2 operations' }).click();
  await expect(result.getByRole('heading')).toHaveText('Run 2: done — 2 hosts registered in staging', { timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Close' }).last().click();

  // A leased environment that holds hosts offers its rebuild from its row, the replace already chosen.
  const leases = page.getByRole('table', { name: 'Leases of preproduction environments' });
  await leases.getByRole('row', { name: 'Lease payments-api integration' }).getByRole('button', { name: 'Rebuild…' }).click();
  await expect(dialog).toHaveAccessibleName('Rebuild payments-api integration');
  await expect(choices.getByRole('checkbox', { name: /^Rebuild: archive the 3 hosts integration holds now/ })).toBeChecked();
  await choices.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // The clones are the hosts of the stage now.
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /legacy-billing/ }).click();
  await expect(page.getByTestId('lifecycle-canvas').getByTestId('stage-staging')).toContainText('2 hosts');
  type Environment = { hosts: { name: string; roles: string[]; address: string }[] };
  const staging = service.stages.find((s) => s.name === 'staging')!;
  const environment = await call<Environment>(page, 'environment.get', { stageId: staging.id });
  expect(environment.hosts.map((h) => [h.name, h.roles, h.address]).sort()).toEqual([
    ['legacy-billing-db-r1', ['db'], 'legacy-billing-db-r1'], // the default address rule: {name}
    ['legacy-billing-web-r1', ['web'], 'legacy-billing-web-r1'],
  ]);
});

test("reclaim runs as a job: each VM's step streams in, then the run's status", async ({ page }) => {
  test.setTimeout(120_000);
  await openDemoWithHypervisor(page, 'kvm-int');

  await page.keyboard.press('Control+4');
  const leases = page.getByRole('table', { name: 'Leases of preproduction environments' });
  await leases.getByRole('row', { name: 'Lease payments-api integration' }).getByRole('button', { name: 'Reclaim…' }).click();
  const reclaim = page.getByRole('dialog', { name: 'Reclaim payments-api integration' });
  await reclaim.getByLabel(/power off at once/).check(); // libvirt's test driver keeps no state between calls: a graceful shutdown never finishes
  await reclaim.getByRole('button', { name: 'Dry run' }).click();
  const run = reclaim.getByRole('button', { name: /Run these \d+ operations/ });
  await expect(run).toBeEnabled({ timeout: 30_000 });
  const progress = await recordProgress(page);
  await run.click();
  const status = reclaim.getByRole('region', { name: 'Reclaim status' });
  await expect(status).toContainText('VMs off; they may be deleted after the grace period (24 h)', { timeout: 30_000 });
  await expect(status).toContainText('pay-web-int-01 — kept');
  const streamed = await progress();
  for (const vm of ['pay-web-int-01', 'db-legacy']) expect(streamed.filter((line) => line.startsWith(`${vm} — `)).length).toBeGreaterThan(0);
  expect(streamed.some((line) => line.startsWith('pay-web-int-01 — kept'))).toBe(true);
});
