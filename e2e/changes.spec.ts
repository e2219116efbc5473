import { readFileSync, writeFileSync } from 'node:fs';
import { actAs, call, expect, openShell, snap, test } from './fixtures';

const DAY = 86_400_000;
/** A day in Berlin wall-clock terms, `offset` days from now (the demo plans its windows there). */
const berlinDay = (offset: number) => new Date(Date.now() + offset * DAY).toLocaleDateString('en-CA', { timeZone: 'Europe/Berlin' });

test('change control: choose who you are, filter, submit, approve as another person, schedule around a freeze, the calendar and .ics', async ({ page }, testInfo) => {
  const freezeDay = berlinDay(3);
  const windowDay = berlinDay(4);
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await expect(page.getByRole('button', { name: 'Who are you? Choose…' })).toBeVisible();

  // Entering change control with nobody chosen asks who is using the app.
  await page.keyboard.press('Control+5');
  const chooser = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  await expect(chooser.getByRole('button', { name: 'Mei Lin: CAB member, approver' })).toBeVisible();
  await snap(page, 'changes-chooser');
  await chooser.getByRole('button', { name: 'Rosa Alvarez: release manager, requester' }).click();
  await expect(page.getByRole('button', { name: 'Acting as Rosa Alvarez' })).toBeVisible();

  // Setup as the release manager: Priya may approve too, and identity staging freezes for a day.
  const people = await call<{ id: number; name: string }[]>(page, 'people.list', {});
  await call(page, 'people.update', { personId: people.find((p) => p.name === 'Priya Shah')!.id, roles: ['requester', 'approver'] });
  const services = await call<{ name: string; stages: { id: number; name: string }[] }[]>(page, 'services.list', {});
  const staging = services.find((s) => s.name === 'identity')!.stages.find((s) => s.name === 'staging')!;
  const { isDefault: _default, ...policy } = await call<{ isDefault: boolean; freezeWindows: unknown[] }>(page, 'policy.get', { stageId: staging.id });
  const freeze = { kind: 'once', start: `${freezeDay}T00:00`, end: `${berlinDay(4)}T00:00`, timeZone: 'Europe/Berlin', reason: 'directory migration' };
  await call(page, 'policy.set', { stageId: staging.id, policy: { ...policy, freezeWindows: [...policy.freezeWindows, freeze] } });

  // The list: every demo change; filtered by state, then by service.
  const panel = page.getByRole('main', { name: 'Changes' });
  const table = panel.getByRole('table', { name: 'Change requests' });
  await expect(table.getByRole('row', { name: /^Change \d+: Storefront testing: cache tuning$/ })).toContainText('conflict');
  await expect(table.getByRole('row', { name: /^Change \d+: Reporting database/ })).toContainText('1/2');
  const filters = panel.getByRole('form', { name: 'Filter changes' });
  await filters.getByLabel('State').selectOption('draft');
  await expect(table.getByRole('row', { name: /^Change/ })).toHaveCount(1);
  await filters.getByLabel('State').selectOption('');
  await filters.getByLabel('Service').selectOption({ label: 'identity' });
  await expect(table.getByRole('row', { name: /^Change/ })).toHaveCount(2);
  await filters.getByLabel('State').selectOption('draft');
  const row = table.getByRole('row', { name: /^Change \d+: Identity v1 to staging$/ });
  await expect(table.getByRole('row', { name: /^Change/ })).toHaveCount(1);
  await row.getByRole('button', { name: 'Identity v1 to staging' }).click();

  // The draft as Priya, its requester: edit, then submit (with a confirmation).
  await actAs(page, 'Priya Shah');
  const detail = page.getByRole('complementary', { name: /^Change \d+$/ });
  const edit = detail.getByRole('form', { name: 'Edit the draft' });
  await edit.getByLabel('Justification').fill('Staging must match testing before the directory migration.');
  await edit.getByRole('button', { name: 'Save the draft' }).click();
  await expect(detail.getByRole('region', { name: 'History' })).toContainText('Edited justification.');
  await detail.getByRole('button', { name: 'Submit…' }).click();
  await page.getByRole('dialog', { name: /^Submit change #\d+$/ }).getByRole('button', { name: 'Submit', exact: true }).click();
  await expect(detail.locator('.detail-line .state-chip')).toHaveText('submitted');
  // Priya is an approver now, but the policy wants separation of duties: no approve button, the reason in words.
  await expect(detail.getByRole('button', { name: 'Approve…' })).toHaveCount(0);
  await expect(detail.getByRole('list', { name: 'Actions not open to you' })).toContainText('Approve: Priya Shah requested this change and cannot decide on it: the policy asks for separation of duties.');
  await snap(page, 'changes-submitted');

  // Tom Becker approves: signed, and the one approval staging needs.
  await actAs(page, 'Tom Becker');
  await detail.getByRole('button', { name: 'Approve…' }).click();
  const approve = page.getByRole('dialog', { name: /^Approve change #\d+$/ });
  await approve.getByLabel('Comment (optional)').fill('Plan and backout read fine.');
  await approve.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(detail.locator('.detail-line .state-chip')).toHaveText('approved');
  await expect(detail.getByRole('region', { name: 'Decisions' })).toContainText(/Tom Becker approved .*Plan and backout read fine\.”\s*signature valid/);

  // Renamed since, Tom's approval still holds: shown under his name now and the name he signed.
  await actAs(page, 'Rosa Alvarez');
  await call(page, 'people.update', { personId: people.find((p) => p.name === 'Tom Becker')!.id, name: 'Tom Becker-Wolf' });
  await expect(detail.getByRole('region', { name: 'Decisions' })).toContainText(/Tom Becker-Wolf \(signed as Tom Becker\) approved .*signature valid/);

  // Rosa schedules: a window in the freeze is refused with its reason; the day after is booked.
  await detail.getByRole('button', { name: 'Schedule…' }).click();
  const schedule = page.getByRole('dialog', { name: /^Schedule change #\d+$/ });
  await schedule.getByLabel('Start').fill(`${freezeDay}T20:00`);
  await schedule.getByLabel('End').fill(`${freezeDay}T22:00`);
  await schedule.getByLabel('Time zone').fill('Europe/Berlin');
  await schedule.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(schedule.getByRole('alert')).toContainText(`The window falls in a freeze: directory migration (${freezeDay} 00:00 Europe/Berlin`);
  await snap(page, 'changes-freeze-refused');
  await schedule.getByLabel('Start').fill(`${windowDay}T20:00`);
  await schedule.getByLabel('End').fill(`${windowDay}T22:00`);
  await schedule.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(schedule).toBeHidden();
  await expect(detail.locator('.detail-line .state-chip')).toHaveText('scheduled');
  await expect(row).toHaveCount(0); // the list still filters drafts
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await expect(table.getByRole('row', { name: /^Change \d+: Identity v1 to staging$/ })).toContainText(`${windowDay} 20:00–22:00 Europe/Berlin`);

  // The calendar's week of the window shows it; the freeze the day before.
  await panel.getByRole('group', { name: 'Show changes as' }).getByRole('button', { name: 'Calendar' }).click();
  const calendar = panel.getByRole('region', { name: 'Change calendar' });
  await calendar.getByRole('group', { name: 'Calendar span' }).getByRole('button', { name: 'Week' }).click();
  const windowCell = calendar.locator(`[data-day="${windowDay}"]`);
  for (let i = 0; i < 2 && (await windowCell.count()) === 0; i++) await calendar.getByRole('button', { name: 'Next week' }).click();
  await expect(windowCell.getByRole('button', { name: /Identity v1 to staging/ })).toBeVisible();
  const freezeCell = calendar.locator(`[data-day="${freezeDay}"]`);
  if ((await freezeCell.count()) === 0) await calendar.getByRole('button', { name: 'Previous week' }).click();
  await expect(freezeCell.locator('.entry.kind-freeze', { hasText: 'directory migration' })).toBeVisible();
  if ((await windowCell.count()) === 0) await calendar.getByRole('button', { name: 'Next week' }).click();

  // The organisation's calendar: an event during the window is imported (preview, then apply) and shows as a conflict.
  const ics = testInfo.outputPath('corp.ics');
  writeFileSync(
    ics,
    ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//corp//e2e//EN', 'BEGIN:VEVENT', 'UID:dc-maintenance@corp.example', 'DTSTAMP:20260101T000000Z', `DTSTART;TZID=Europe/Berlin:${windowDay.replace(/-/g, '')}T210000`, `DTEND;TZID=Europe/Berlin:${windowDay.replace(/-/g, '')}T230000`, 'SUMMARY:Datacentre network maintenance', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'),
  );
  await calendar.getByLabel('Import an iCalendar file').setInputFiles(ics);
  const preview = page.getByRole('dialog', { name: 'Import corp.ics' });
  await expect(preview.getByRole('table', { name: 'Events in the file' })).toContainText('Datacentre network maintenance');
  await preview.getByRole('button', { name: 'Import 1 event' }).click();
  await expect(preview).toBeHidden();
  await expect(windowCell.getByRole('button', { name: /Datacentre network maintenance/ })).toBeVisible();
  await expect(windowCell.getByRole('button', { name: /Identity v1 to staging/ })).toContainText('1 conflict');
  await expect(detail.getByRole('region', { name: 'Conflicts' })).toContainText('Datacentre network maintenance');
  await snap(page, 'changes-week');

  // Export .ics: a download of the visible week.
  const [download] = await Promise.all([page.waitForEvent('download'), calendar.getByRole('button', { name: 'Export .ics' }).click()]);
  expect(download.suggestedFilename()).toMatch(/\.ics$/);
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text).toMatch(/SUMMARY:#\d+ Identity v1 to staging \(scheduled\)/);

  await calendar.getByRole('group', { name: 'Calendar span' }).getByRole('button', { name: 'Month' }).click();
  await snap(page, 'changes-month');
  await page.emulateMedia({ colorScheme: 'dark' });
  await snap(page, 'changes-month-dark');
  await panel.getByRole('group', { name: 'Show changes as' }).getByRole('button', { name: 'List' }).click();
  await snap(page, 'changes-list-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await detail.evaluate((aside) => aside.scrollTo(0, 0));
  await snap(page, 'changes-list');

  // A CAB pack of the selected changes opens the export dialog with its preview.
  await table.getByRole('checkbox', { name: /^Select change \d+$/ }).first().check();
  await panel.getByRole('button', { name: /^Export CAB pack \(1\)…$/ }).click();
  await expect(page.getByRole('dialog', { name: /^Export — CAB pack: change #\d+$/ }).frameLocator('iframe[title="Report preview"]').locator('body')).toContainText('Change #');
});

test('a change whose target got another image is marked stale, says why, and is re-planned back to draft; a release manager adds a colleague', async ({ page }) => {
  await openShell(page);
  await page.getByRole('button', { name: 'Open the demo workspace' }).click();
  await page.getByRole('navigation', { name: 'Change control' }).getByRole('button', { name: 'Changes' }).click();
  // Remembered on this computer from the test before, or asked now.
  const chooser = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  // The chooser opens once the people are read: wait for it or for the person remembered, not whichever is there first.
  await expect(chooser.or(page.getByRole('button', { name: /^Acting as / }))).toBeVisible();
  if (await chooser.isVisible()) await chooser.getByRole('button', { name: /^Rosa Alvarez:/ }).click();
  else await actAs(page, 'Rosa Alvarez');

  // Storefront testing gets its integration image: the submitted cache-tuning change no longer matches its target.
  const services = await call<{ id: number; name: string; stages: { id: number; name: string; image: { id: number } | null }[] }[]>(page, 'services.list', {});
  const storefront = services.find((s) => s.name === 'storefront-web')!;
  const testing = storefront.stages.find((s) => s.name === 'testing')!;
  const other = storefront.stages.find((s) => s.image !== null && s.image.id !== testing.image?.id)!;
  await call(page, 'image.assign', { stageId: testing.id, imageId: other.image!.id });
  // The page hears that the workspace changed and reloads the list.

  const table = page.getByRole('table', { name: 'Change requests' });
  const row = table.getByRole('row', { name: /^Change \d+: Storefront testing: cache tuning$/ });
  await expect(row.locator('.marker.health-bad')).toHaveText('stale');
  await row.getByRole('button', { name: 'Storefront testing: cache tuning' }).click();
  const detail = page.getByRole('complementary', { name: /^Change \d+$/ });
  await expect(detail.getByRole('note')).toContainText(/^Stale: .+/);
  await detail.getByRole('button', { name: 'Re-plan…' }).click();
  await snap(page, 'changes-replan-confirm');
  await page.getByRole('dialog', { name: 'Re-plan the change' }).getByRole('button', { name: 'Re-plan', exact: true }).click();
  await expect(detail.locator('.detail-line .state-chip')).toHaveText('draft');
  await expect(detail.getByRole('note')).toHaveCount(0);
  await expect(row.locator('.marker.health-bad')).toHaveCount(0);
  await expect(detail.getByRole('region', { name: 'History' })).toContainText('replan');

  // A release manager adds a colleague from the chooser; an empty name is not sent.
  await page.getByRole('button', { name: 'Acting as Rosa Alvarez' }).click();
  const chooserAgain = page.getByRole('dialog', { name: 'Who is using Stagecraft?' });
  const add = chooserAgain.getByRole('form', { name: 'Add a person' });
  await expect(add.getByRole('button', { name: 'Add' })).toBeDisabled();
  await add.getByLabel('Name').fill('Sam Rivera');
  await add.getByLabel('approver').check();
  await add.getByRole('button', { name: 'Add' }).click();
  await expect(chooserAgain.getByRole('button', { name: 'Sam Rivera: requester, approver' })).toBeVisible();
  await expect(chooserAgain.getByRole('button', { name: 'Sam Rivera: requester, approver' })).toContainText('signs on this computer');
});
