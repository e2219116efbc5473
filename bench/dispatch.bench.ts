import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../core/services/app';
import { compare, print, timeAsync, type Comparison } from './harness';

/** What the contract costs: services.list through the dispatcher (validation both ways) vs the handler's own work. */
export async function dispatchBenchmark(): Promise<Comparison> {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-'));
  const app = createApp({ shell: 'cli', resourcesDir: join(import.meta.dirname, '..', 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
  const opened = await app.dispatch('workspace.openDemo', {});
  if (!opened.ok) throw new Error(opened.error.message);
  const store = app.session.require();
  const peer = await timeAsync(async () => store.inventory.listServices(), { runs: 51, warmup: 5 });
  const subject = await timeAsync(() => app.dispatch('services.list', {}), { runs: 51, warmup: 5 });
  app.session.close();
  const result = compare('contract overhead: services.list on the demo workspace', 'through the dispatcher', subject, 'repository call alone', peer, 'under 1.5x');
  print(result);
  return result;
}
