import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { FIXTURE_CONF, FIXTURE_STATE, onHost, v2Edits, workbench } from '../core/services/test-support/apply-bench';
import { scratch, scratchUnavailable } from '../core/connectors/ssh/test-support/farm';
import { nftUnavailable, portDropper } from '../core/connectors/ssh/test-support/nft';
import { KeyRing } from '../core/services/signing';
import { actAs, call, expect, openShell, snap, test } from './fixtures';

type DryRun = { allowed: boolean; reason: string | null; concurrency: number; hosts: { host: string; commands: { label: string }[] }[] };

/** Change control (Ctrl+5), as this person: the chooser opens by itself when nobody is chosen yet. */
async function enterChangeControlAs(page: Page, name: string) {
  // Building the demo takes seconds more on a busy machine.
  await expect(page.getByRole('navigation', { name: 'Services' })).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press('Control+5');
  await expect(page.getByRole('main', { name: 'Changes' })).toBeVisible();
  const chooser = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  const someone = page.getByRole('button', { name: /^Acting as / });
  await expect(chooser.or(someone)).toBeVisible();
  if (await chooser.isVisible()) {
    await chooser.getByRole('button', { name: new RegExp(`^${name}:`) }).click();
    await expect(chooser).toBeHidden();
  } else if (!(await page.getByRole('button', { name: `Acting as ${name}` }).isVisible())) await actAs(page, name);
  await expect(page.getByRole('button', { name: `Acting as ${name}` })).toBeVisible();
}

/** Opens a change of change control and its Apply view. */
async function openApply(page: Page, title: string) {
  const row = page.getByRole('table', { name: 'Change requests' }).getByRole('row', { name: new RegExp(`^Change \\d+: ${title}$`) });
  await row.getByRole('button', { name: title }).click();
  const detail = page.getByRole('complementary', { name: /^Change \d+$/ });
  await detail.getByRole('region', { name: 'Apply' }).getByRole('button', { name: 'Apply…' }).click();
  const view = page.getByRole('dialog', { name: /^Apply change #\d+$/ });
  await expect(view).toBeVisible();
  return { detail, view };
}

test('the dry run of a scheduled change, host by host, offline: commands, safeguard, file diffs, rollback; Start stays off with the reason in words while the window is closed', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await enterChangeControlAs(page, 'Rosa Alvarez');

  const title = 'Promote storefront-web v2 to testing';
  const changes = await call<{ id: number; title: string }[]>(page, 'changes.list', {});
  const changeId = changes.find((c) => c.title === title)!.id;
  const expected = await call<DryRun>(page, 'apply.dryRun', { changeId });
  expect(expected.allowed).toBe(false);

  // A change that is not scheduled has no Apply entry.
  const detailOf = page.getByRole('complementary', { name: /^Change \d+$/ });
  await page.getByRole('table', { name: 'Change requests' }).getByRole('button', { name: 'Identity v1 to staging' }).click();
  await expect(detailOf.locator('.state-chip').first()).toHaveText('draft');
  await expect(detailOf.getByRole('region', { name: 'Apply' })).toHaveCount(0);

  const { view } = await openApply(page, title);
  // Why not now, in the domain's words, and Start is off.
  await expect(view.getByRole('note', { name: 'May it be applied now' })).toHaveText(`Not now: ${expected.reason}Start…`);
  await expect(view.getByRole('button', { name: 'Start…' })).toBeDisabled();
  // Testing is not production: its default concurrency.
  await expect(view.getByLabel('Hosts at once')).toHaveValue(String(expected.concurrency));

  const plan = view.getByRole('list', { name: 'Dry run, host by host' });
  const cards = plan.locator(':scope > li');
  await expect(cards).toHaveCount(expected.hosts.length);
  await expect(cards.locator('.apply-host-line strong')).toHaveText(expected.hosts.map((h) => h.host));
  const first = plan.getByRole('listitem', { name: `Host ${expected.hosts[0]!.host}` });
  await expect(first).toContainText('safeguard: files and package versions backed up on the host in /var/backups/stagecraft/change-');
  await expect(first.getByRole('list', { name: /^Commands on / }).locator(':scope > li')).toHaveCount(expected.hosts[0]!.commands.length);
  await expect(first.getByRole('list', { name: /^Commands on / })).toContainText(expected.hosts[0]!.commands[0]!.label);
  await expect(first.getByRole('list', { name: /^Rollback on / })).not.toBeEmpty();
  await snap(page, 'apply-dry-run-refused');

  // A file's diff opens with the keyboard.
  const files = view.getByRole('list', { name: /^Files on / }).first();
  if ((await files.count()) > 0) {
    const summary = files.locator('summary').first();
    await summary.focus();
    await page.keyboard.press('Enter');
    await expect(files.getByRole('table', { name: /^Differences in / }).first()).toBeVisible();
  }

  // A canary is marked (its order is shown on the farm, where a change touches several hosts).
  await view.getByLabel('Canary host').selectOption(expected.hosts[0]!.host);
  await expect(cards.first()).toContainText('canary');
  await view.getByLabel('Hosts at once').fill('1');
  await expect(view.getByLabel('Hosts at once')).toHaveValue('1');
  await expect(view.getByRole('form', { name: 'How to apply' })).toContainText(`Default for testing: ${expected.concurrency} at once.`);
  await view.getByLabel('Hosts at once').fill('0');
  await expect(view.getByRole('form', { name: 'How to apply' })).toContainText('Hosts at once is a whole number from 1 to 64; the dry run keeps 1.');
  await view.getByLabel('Hosts at once').fill('1');
  await expect(view.getByRole('form', { name: 'How to apply' })).not.toContainText('whole number');
  await page.emulateMedia({ colorScheme: 'dark' });
  await snap(page, 'apply-dry-run-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await expect(view).toBeHidden();

  // By keyboard: the entry opens the view again, the choices take the focus in turn.
  const entry = page.getByRole('region', { name: 'Apply' }).getByRole('button', { name: 'Apply…' });
  await entry.focus();
  await page.keyboard.press('Enter');
  await expect(view).toBeVisible();
  await view.getByLabel('Hosts at once').focus();
  await page.keyboard.press('Tab');
  await expect(view.getByLabel('Canary host')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(view).toBeHidden();
  await expect(entry).toBeFocused();
});

// ---- on the farm: real hosts changed and rolled back ----------------------------------------------------

const SCRATCH = { happy: [70, 71], failing: [72], cut: [70, 71], aborted: [71, 72] };
const farmReason = scratchUnavailable() ?? nftUnavailable();

test.describe('applying on farm scratch hosts', () => {
  test.skip(farmReason !== null, `farm scratch hosts are not available here: ${farmReason}`);
  test.describe.configure({ timeout: 300_000 });

  let dir: string;
  let keys: KeyRing;

  /** The browser shell connects with the farm's key and trusts the scratch hosts' keys (STAGECRAFT_SSH_* of the config). */
  const useFarmSsh = (dataDir: string, env: { key: string; knownHosts: string }) => {
    copyFileSync(env.key, join(dataDir, 'e2e_key'));
    copyFileSync(env.knownHosts, join(dataDir, 'known_hosts'));
  };

  /** The workspace built beside the browser shell's, opened in the page as a user would (its file). */
  const openWorkspace = async (page: Page, path: string) => {
    await openShell(page);
    await call(page, 'workspace.open', { path });
    await page.reload();
    await enterChangeControlAs(page, 'Rita Release');
  };

  /** Records every state a host row shows, as it shows it: the progress the page was given, in order. */
  const watchStates = (page: Page) =>
    page.evaluate(() => {
      const seen: Record<string, string[]> = {};
      (window as unknown as { appliedStates: typeof seen }).appliedStates = seen;
      const record = () => {
        for (const row of document.querySelectorAll('.apply-run-hosts > li')) {
          const host = row.querySelector('.apply-host-line strong')?.textContent ?? '';
          const state = row.querySelector('.host-state')?.textContent ?? '';
          const states = (seen[host] ??= []);
          if (states.at(-1) !== state) states.push(state);
        }
      };
      new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  const statesSeen = (page: Page) => page.evaluate(() => (window as unknown as { appliedStates: Record<string, string[]> }).appliedStates);

  const { drop: dropPort, remove: removeDrop } = portDropper(`stagecraft_e2e_apply_${process.pid}`);
  test.afterEach(removeDrop);

  test.beforeAll(({}, testInfo) => {
    const dataDir = testInfo.config.metadata['dataDir'] as string;
    mkdirSync(join(dataDir, 'workspaces'), { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'stagecraft-e2e-apply-'));
    keys = new KeyRing(dir);
  });

  test('a change applied from the app: dry run, confirmed start, progress streamed host by host to done, the change implemented, each command’s output', async ({ page }, testInfo) => {
    const dataDir = testInfo.config.metadata['dataDir'] as string;
    const env = scratch(...SCRATCH.happy);
    useFarmSsh(dataDir, env);
    const conf = '# tuned from the app\nmode = tuned\nworkers = 8\n';
    const bench = await workbench(join(dataDir, 'workspaces'), keys, 'apply-happy', SCRATCH.happy, v2Edits(conf));
    const path = bench.store.path;
    bench.store.close();
    await openWorkspace(page, path);

    const { detail, view } = await openApply(page, 'apply-happy: fixture v2');
    await expect(view.getByRole('note', { name: 'May it be applied now' })).toHaveText(/^You may apply this change now: its 2 hosts in the order below\./);
    const first = view.getByRole('listitem', { name: 'Host scratch70' });
    await expect(first).toContainText(`stagecraft@127.0.0.1:${env.portBase + 70}`);
    await expect(first.getByRole('list', { name: 'Commands on scratch70' })).toContainText('upgrade package stagecraft-fixture 1.0-1 → 2.0-1');
    await expect(first.getByRole('list', { name: 'Commands on scratch70' })).toContainText("'sudo' '-n' '--' 'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get'");
    await first.getByRole('list', { name: 'Files on scratch70' }).getByText(FIXTURE_CONF).click();
    await expect(first.getByRole('table', { name: `Differences in ${FIXTURE_CONF}` })).toContainText('workers = 8');
    await expect(first.getByRole('list', { name: 'Rollback on scratch70' })).toContainText(`restore ${FIXTURE_CONF}`);
    // One at a time, scratch71 first as the canary: the dry run shows it first.
    await view.getByLabel('Hosts at once').fill('1');
    await view.getByLabel('Canary host').selectOption('scratch71');
    const plan = view.getByRole('list', { name: 'Dry run, host by host' });
    await expect(plan.locator(':scope > li .apply-host-line strong')).toHaveText(['scratch71', 'scratch70']);
    await expect(plan.locator(':scope > li').first()).toContainText('canary');
    await snap(page, 'apply-dry-run');

    // Start asks first; Back changes nothing.
    await view.getByRole('button', { name: 'Start…' }).click();
    const confirm = page.getByRole('dialog', { name: /^Start applying change #\d+$/ });
    await expect(confirm).toContainText('will change 2 hosts of staging, as Rita Release: one host at a time, scratch71 first as the canary.');
    await confirm.getByRole('button', { name: 'Back' }).click();
    await expect(confirm).toBeHidden();
    expect((await call<{ run: unknown }>(page, 'apply.status', { changeId: bench.changeId })).run).toBeNull();

    await view.getByRole('button', { name: 'Start…' }).click();
    await watchStates(page);
    await confirm.getByRole('button', { name: 'Apply now' }).click();
    await expect(confirm).toBeHidden();
    const hosts = view.getByRole('list', { name: 'Hosts of the run' });
    await expect(view.getByRole('button', { name: 'Abort…' })).toBeVisible();
    await expect(hosts.locator(':scope > li .apply-host-line strong')).toHaveText(['scratch71', 'scratch70']);
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).locator('.host-state')).toHaveText(/snapshotting|applying|verifying/);
    await expect(hosts.getByRole('listitem', { name: 'Host scratch70' }).locator('.host-state')).toHaveText('pending');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).getByLabel('Now on scratch71')).toContainText(/now: .+…/);
    await snap(page, 'apply-running');

    const outcome = view.getByRole('status', { name: 'Outcome' });
    await expect(outcome).toContainText('Applied. 2 host(s) applied and verified', { timeout: 240_000 });
    await expect(outcome.locator('.state-chip')).toHaveText('implemented');
    for (const name of ['scratch70', 'scratch71']) {
      await expect(hosts.getByRole('listitem', { name: `Host ${name}` }).locator('.host-state')).toHaveText('done');
      await expect(hosts.getByRole('listitem', { name: `Host ${name}` })).toContainText('done: zero drift against the image');
    }
    const seen = await statesSeen(page);
    for (const name of ['scratch70', 'scratch71']) expect(seen[name]).toEqual(expect.arrayContaining(['applying', 'verifying', 'done']));
    // The canary first; the other host waited, untouched, until the canary was done.
    expect(seen['scratch70']![0]).toBe('pending');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).getByLabel('Steps done on scratch71')).toHaveAttribute('value', '3');

    // Each command's output, from the record.
    const host70 = hosts.getByRole('listitem', { name: 'Host scratch70' });
    await host70.getByText(/^Commands and their output/).click();
    await host70.getByText('upgrade package stagecraft-fixture 1.0-1 → 2.0-1').click();
    await expect(host70.getByLabel('Output of upgrade package stagecraft-fixture 1.0-1 → 2.0-1')).toContainText('Setting up stagecraft-fixture (2.0-1)');
    await expect(host70.locator('.step-progress')).toHaveText('3/3 steps');
    await snap(page, 'apply-done');

    // The change itself moved, in its detail behind the view.
    await page.keyboard.press('Escape');
    await expect(detail.locator('.detail-line .state-chip')).toHaveText('implemented');
    await expect(detail.getByRole('region', { name: 'Apply' }).getByRole('button', { name: 'Apply run…' })).toBeVisible();
    for (const n of SCRATCH.happy) expect(onHost(n, FIXTURE_STATE)).toBe(`2.0-1\nactive\n${conf}`);
  });

  test('a failing apply (a package version that does not exist) rolls its host back by itself, shown in the view with the failing command and the change rolled back', async ({ page }, testInfo) => {
    const dataDir = testInfo.config.metadata['dataDir'] as string;
    const env = scratch(...SCRATCH.failing);
    useFarmSsh(dataDir, env);
    const bench = await workbench(join(dataDir, 'workspaces'), keys, 'apply-failing', SCRATCH.failing, (role) => [
      { kind: 'set-file', role, path: FIXTURE_CONF, content: 'mode = never\n', mode: '0644', owner: 'root', group: 'root' },
      { kind: 'set-package', role, name: 'stagecraft-fixture', version: '9.9-1', manager: 'dpkg', arch: 'all' },
    ]);
    const path = bench.store.path;
    bench.store.close();
    const before = onHost(72, FIXTURE_STATE);
    await openWorkspace(page, path);

    const { detail, view } = await openApply(page, 'apply-failing: fixture v2');
    await view.getByRole('button', { name: 'Start…' }).click();
    await page.getByRole('dialog', { name: /^Start applying change #\d+$/ }).getByRole('button', { name: 'Apply now' }).click();

    const outcome = view.getByRole('status', { name: 'Outcome' });
    await expect(outcome).toContainText('Rolled back.', { timeout: 240_000 });
    await expect(outcome.locator('.state-chip')).toHaveText('rolled-back');
    const host = view.getByRole('list', { name: 'Hosts of the run' }).getByRole('listitem', { name: 'Host scratch72' });
    await expect(host.locator('.host-state')).toHaveText('rolled-back');
    await expect(host).toContainText("Version '9.9-1' for 'stagecraft-fixture' was not found");
    await expect(host).toContainText('rescan: back to its previous facts');
    await host.getByText(/^Commands and their output/).click();
    const failed = host.locator('.command-list li', { hasText: 'upgrade package stagecraft-fixture 1.0-1 → 9.9-1' });
    await expect(failed.locator('.command-state')).toHaveText('failed (exit 100)');
    await failed.locator('summary').click();
    await expect(failed.locator('pre.output')).toContainText("Version '9.9-1' for 'stagecraft-fixture' was not found");
    await expect(host.locator('.command-list li .phase', { hasText: 'rollback' }).first()).toBeVisible();
    await snap(page, 'apply-rolled-back');

    await page.keyboard.press('Escape');
    await expect(detail.locator('.detail-line .state-chip')).toHaveText('rolled-back');
    expect(onHost(72, FIXTURE_STATE)).toBe(before);
  });

  test('a run cut short (the link to its host dies mid-step) says which hosts are done, in doubt and untouched; Resume: roll back puts the host in doubt back and leaves the untouched one alone', async ({ page }, testInfo) => {
    const dataDir = testInfo.config.metadata['dataDir'] as string;
    const env = scratch(...SCRATCH.cut);
    useFarmSsh(dataDir, env);
    const bench = await workbench(join(dataDir, 'workspaces'), keys, 'apply-cut', SCRATCH.cut, v2Edits('mode = cut\n'));
    const path = bench.store.path;
    bench.store.close();
    const before = SCRATCH.cut.map((n) => onHost(n, FIXTURE_STATE));
    await openWorkspace(page, path);

    const { detail, view } = await openApply(page, 'apply-cut: fixture v2');
    await view.getByLabel('Hosts at once').fill('1');
    await view.getByRole('button', { name: 'Start…' }).click();
    await page.getByRole('dialog', { name: /^Start applying change #\d+$/ }).getByRole('button', { name: 'Apply now' }).click();
    // While the package step runs on scratch70, its SSH port goes silent (nftables drops every packet).
    await expect(view.getByLabel('Now on scratch70')).toContainText('now: upgrade package stagecraft-fixture', { timeout: 120_000 });
    dropPort(env.portBase + 70);

    const cut = view.getByRole('status', { name: 'Run cut short' });
    await expect(cut).toBeVisible({ timeout: 120_000 });
    await expect(cut.locator('dt')).toHaveText(['Done', 'In doubt', 'Untouched']);
    await expect(cut.locator('dd').nth(0)).toHaveText('none');
    await expect(cut.locator('dd').nth(1)).toContainText(/^scratch70 \(was applying\): in doubt: .+Resume to complete it or to roll it back\.$/);
    await expect(cut.locator('dd').nth(2)).toHaveText('scratch71');
    await expect(view.getByRole('list', { name: 'Hosts of the run' }).getByRole('listitem', { name: 'Host scratch70' }).locator('.host-state')).toHaveText('in-doubt');
    await expect(detail.locator('.detail-line .state-chip')).toHaveText('scheduled');
    await snap(page, 'apply-interrupted');

    // The link is back; roll back, after a confirmation that says what stays as it is.
    removeDrop();
    await cut.getByRole('button', { name: 'Resume: roll back…' }).click();
    const confirm = page.getByRole('dialog', { name: /^Roll back change #\d+$/ });
    await expect(confirm).toContainText('scratch70 is rolled back to its safeguard and rescanned. Untouched hosts (scratch71) stay untouched; hosts already done (none) stay as they are.');
    await confirm.getByRole('button', { name: 'Roll back' }).click();
    await expect(confirm).toBeHidden();

    const outcome = view.getByRole('status', { name: 'Outcome' });
    await expect(outcome).toContainText('Rolled back.', { timeout: 180_000 });
    await expect(outcome.locator('.state-chip')).toHaveText('rolled-back');
    const hosts = view.getByRole('list', { name: 'Hosts of the run' });
    await expect(hosts.getByRole('listitem', { name: 'Host scratch70' }).locator('.host-state')).toHaveText('rolled-back');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch70' })).toContainText('rescan: back to its previous facts');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).locator('.host-state')).toHaveText('pending');
    await page.keyboard.press('Escape');
    await expect(detail.locator('.detail-line .state-chip')).toHaveText('rolled-back');
    expect(SCRATCH.cut.map((n) => onHost(n, FIXTURE_STATE))).toEqual(before);
  });

  test('Abort, confirmed, while the first host is being changed: it is rolled back, the host not started stays untouched, the run says aborted', async ({ page }, testInfo) => {
    const dataDir = testInfo.config.metadata['dataDir'] as string;
    const env = scratch(...SCRATCH.aborted);
    useFarmSsh(dataDir, env);
    const bench = await workbench(join(dataDir, 'workspaces'), keys, 'apply-abort', SCRATCH.aborted, v2Edits('mode = aborted\n'));
    const path = bench.store.path;
    bench.store.close();
    const before = SCRATCH.aborted.map((n) => onHost(n, FIXTURE_STATE));
    await openWorkspace(page, path);

    const { detail, view } = await openApply(page, 'apply-abort: fixture v2');
    await view.getByLabel('Hosts at once').fill('1');
    await view.getByRole('button', { name: 'Start…' }).click();
    await page.getByRole('dialog', { name: /^Start applying change #\d+$/ }).getByRole('button', { name: 'Apply now' }).click();
    await expect(view.getByLabel('Now on scratch71')).toContainText('now: upgrade package stagecraft-fixture', { timeout: 120_000 });

    await view.getByRole('button', { name: 'Abort…' }).click();
    const confirm = page.getByRole('dialog', { name: /^Abort applying change #\d+$/ });
    await expect(confirm).toContainText('The host being changed now is rolled back to its safeguard. Hosts not yet started stay untouched; hosts already done stay as they are.');
    await confirm.getByRole('button', { name: 'Abort the run' }).click();
    await expect(confirm).toBeHidden();

    const outcome = view.getByRole('status', { name: 'Outcome' });
    await expect(outcome).toContainText('Aborted.', { timeout: 180_000 });
    const hosts = view.getByRole('list', { name: 'Hosts of the run' });
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).locator('.host-state')).toHaveText('rolled-back');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' })).toContainText('rolled back (aborted by the user); rescan: back to its previous facts');
    await expect(hosts.getByRole('listitem', { name: 'Host scratch71' }).locator('.step-progress')).toHaveText(/\d\/3 steps, then undone$/);
    await expect(hosts.getByRole('listitem', { name: 'Host scratch72' }).locator('.host-state')).toHaveText('pending');
    await expect(view.getByRole('button', { name: 'Abort…' })).toHaveCount(0);
    await snap(page, 'apply-aborted');
    await page.keyboard.press('Escape');
    await expect(detail.locator('.detail-line .state-chip')).toHaveText('rolled-back');
    expect(SCRATCH.aborted.map((n) => onHost(n, FIXTURE_STATE))).toEqual(before);
  });
});
