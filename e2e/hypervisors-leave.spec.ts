import { createServer, type Socket } from 'node:net';
import { addHypervisor, expect, openShell, snap, test } from './fixtures';

/**
 * A hypervisor that answers nothing until told: a TCP listener that holds virsh's connection open,
 * so a refresh stays running while the user goes elsewhere, and ends (virsh reads end of file)
 * when the test closes the connection.
 */
async function silentHypervisor() {
  const held: Socket[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    held.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    uri: `qemu+tcp://127.0.0.1:${port}/system`,
    connections: () => held.length,
    hangUp: () => held.splice(0).forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a hypervisor refresh that ends while another view is shown is seen as ended on coming back', async ({ page }) => {
  const hypervisor = await silentHypervisor();
  try {
    await openShell(page);
    await page.getByRole('button', { name: 'Open the demo workspace' }).click();
    await expect(page.getByRole('navigation', { name: 'Services' })).toBeVisible({ timeout: 30_000 });
    await addHypervisor(page, 'kvm-silent', hypervisor.uri);
    const job = page.getByRole('status', { name: 'Hypervisor job' });
    await expect(job).toContainText('running');
    const refresh = page.getByRole('button', { name: 'Refresh' });
    await expect(refresh).toBeDisabled();
    await expect.poll(hypervisor.connections).toBeGreaterThan(0);

    // Away to the lifecycle view; the refresh ends there (its event is the only word of it).
    await page.keyboard.press('Control+1');
    await expect(page.getByRole('main', { name: 'Lifecycle canvas' })).toBeVisible();
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const events = new EventSource('./api/events', { withCredentials: true });
          events.onopen = () => resolve();
          (window as unknown as { jobEnded: Promise<unknown> }).jobEnded = new Promise((ended) =>
            events.addEventListener('job.progress', (event: MessageEvent<string>) => {
              const progress = JSON.parse(event.data) as { state: string };
              if (progress.state !== 'running') ended((events.close(), progress));
            }),
          );
        }),
    );
    hypervisor.hangUp();
    const ended = await page.evaluate(() => (window as unknown as { jobEnded: Promise<{ title: string; state: string }> }).jobEnded);
    expect(ended).toMatchObject({ title: 'Reading hypervisor kvm-silent', state: 'failed' });

    await page.getByRole('navigation', { name: 'Infrastructure' }).getByRole('button', { name: 'Hypervisors' }).click();
    await expect(job).toContainText('failed:');
    await expect(job).not.toContainText('running');
    await expect(refresh).toBeEnabled();
    await snap(page, 'hypervisors-ended-away');
  } finally {
    await hypervisor.close();
  }
});
