import { LIBVIRT_FIXTURE_URI as URI, addHypervisor, expect, openDemo, openShell, snap, test } from './fixtures';

test('hypervisor view: read a libvirt connection, see VMs matched to hosts, confirm a dry-run change, import an unmatched VM', async ({ page }) => {
  await openShell(page);
  await openDemo(page);
  await page.keyboard.press('Control+3');
  const connections = page.getByRole('navigation', { name: 'Hypervisor connections' });
  await expect(connections).toContainText('No hypervisor yet');

  await addHypervisor(page, 'kvm-int', URI);
  const job = page.getByRole('status', { name: 'Hypervisor job' });
  await expect(job).toContainText('succeeded: kvm-int: 8 VMs, 2 storage pools');
  await expect(connections.getByRole('button', { name: /kvm-int/ })).toContainText('8 VMs');

  const vms = page.getByRole('table', { name: 'Virtual machines' });
  const row = (name: string) => vms.getByRole('row', { name: `VM ${name}` });
  await expect(row('pay-web-int-01')).toContainText('pay-web-int-01 by mac');
  await expect(row('pay-web-int-01')).toContainText('52:54:00:00:01:10 10.20.1.11');
  await expect(row('db-legacy')).toContainText('pay-db-int-01 by address');
  await expect(row('db-legacy')).toContainText('shut off');
  await expect(row('PAY-APP-INT-01.corp.example')).toContainText('pay-app-int-01 by name');
  await expect(row('ci-runner-07')).toContainText('not in inventory');
  await expect(page.getByRole('table', { name: 'Storage pools' })).toContainText('tmpl-debian12.qcow2');

  // Snapshots of a VM, in its detail row.
  await row('pay-web-int-01').getByRole('button', { name: /pay-web-int-01/ }).click();
  const snapshots = page.getByRole('region', { name: 'Snapshots of pay-web-int-01' });
  await expect(snapshots).toContainText('baseline');
  await expect(snapshots).toContainText('pre-release-2.4');
  await snap(page, 'hypervisors');

  // A change shows its dry run first; cancelling runs nothing.
  await row('db-legacy').getByRole('button', { name: 'Start…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Confirm hypervisor change' });
  await expect(confirm).toContainText('Start db-legacy');
  await expect(confirm.getByLabel('Commands')).toHaveText(`virsh -c ${URI} start --domain db-legacy`);
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();

  // Revert: the dry run warns what is lost, and runs only when confirmed.
  await snapshots.getByRole('listitem', { name: 'Snapshot baseline' }).getByRole('button', { name: 'Revert…' }).click();
  await expect(confirm).toContainText('Revert pay-web-int-01 to snapshot "baseline"');
  await expect(confirm).toContainText('is lost');
  await expect(confirm.getByLabel('Commands')).toHaveText(`virsh -c ${URI} snapshot-revert --domain pay-web-int-01 --snapshotname baseline`);
  await snap(page, 'hypervisors-confirm');
  await confirm.getByRole('button', { name: 'Run this command' }).click();
  await expect(job).toContainText(/succeeded: Done in \d+ ms/);

  // The clone of a shut-off template: vol-clone, then the new domain's XML, shown before it runs.
  await row('tmpl-debian12').getByRole('button', { name: /tmpl-debian12/ }).click();
  const clone = page.getByRole('form', { name: 'Clone tmpl-debian12' });
  await clone.getByLabel('Clone tmpl-debian12: name').fill('pay-web-int-02');
  await clone.getByRole('button', { name: 'Clone tmpl-debian12…' }).click();
  await expect(confirm.getByLabel('Commands')).toContainText('vol-clone --pool vmpool --vol tmpl-debian12.qcow2 --newname pay-web-int-02.qcow2');
  await confirm.getByText('Domain XML of pay-web-int-02').click();
  await expect(confirm).toContainText('<name>pay-web-int-02</name>');
  await confirm.getByRole('button', { name: 'Run these 2 commands' }).click();
  await expect(job).toContainText(/succeeded: Done in \d+ ms: .*pay-web-int-02/);

  // An unmatched VM becomes a host of a chosen service, stage and role.
  await row('ci-runner-07').getByRole('checkbox', { name: 'Import ci-runner-07' }).check();
  const importForm = page.getByRole('form', { name: 'Import VMs as hosts' });
  await importForm.getByLabel('Service').selectOption({ label: 'payments-api' });
  await importForm.getByLabel('Stage').selectOption({ label: 'integration' });
  await importForm.getByLabel('Role').selectOption({ label: 'app' });
  await importForm.getByRole('button', { name: 'Import' }).click();
  await expect(row('ci-runner-07')).toContainText('ci-runner-07 by name');
  await expect(importForm).toBeHidden();

  // Back to the services from the sidebar; the imported host is there.
  await page.getByRole('navigation', { name: 'Services' }).getByRole('button', { name: /payments-api/ }).click();
  await expect(page.getByRole('main', { name: 'Lifecycle canvas' })).toBeVisible();
  await page.getByRole('navigation', { name: 'Infrastructure' }).getByRole('button', { name: 'Hypervisors' }).click();
  await expect(row('ci-runner-07')).toContainText('by name');
});
