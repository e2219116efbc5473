import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../core/services/app';
import { saveDraft } from '../core/services/promotion-handlers';
import { compare, print, time, timeAsync, type Comparison } from './harness';

const CHANGES = 200;

/**
 * The change list on the demo with 200 changes: each with its approvals counted, its stale flag
 * (the target's current snapshots) and its conflicts, against reading the bare rows. (Signatures
 * are checked by changes.get, not by the list, which shows no decisions.)
 */
export async function changesBenchmark(): Promise<Comparison[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-changes-'));
  const app = createApp({ shell: 'cli', resourcesDir: join(import.meta.dirname, '..', 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
  const list = async () => {
    const result = await app.dispatch('changes.list', {});
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  };
  await app.dispatch('workspace.openDemo', {});
  const store = app.session.require();
  const payments = store.inventory.listServices().find((s) => s.name === 'payments-api')!;
  const stage = (name: string) => payments.stages.find((s) => s.name === name)!;
  while (store.promotion.changes().length < CHANGES) {
    saveDraft(store, 'bench', { title: `Promote v2 to staging #${store.promotion.changes().length}`, serviceId: payments.id, imageId: stage('testing').image!.id, fromStageId: stage('testing').id, toStageId: stage('staging').id, acknowledgeDrift: true });
  }
  const listed = await timeAsync(list, { runs: 5, warmup: 1 });
  const rows = time(() => store.promotion.changes(), { runs: 21, warmup: 3 });
  app.session.close();
  const results = [compare(`change list of ${CHANGES} changes`, 'changes.list (approvals, stale flag, conflicts)', listed, 'reading the bare change rows', rows, 'about 1 ms per change')];
  results.forEach(print);
  return results;
}
