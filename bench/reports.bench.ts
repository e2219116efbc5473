import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../core/services/app';
import { renderCabHtml } from '../core/reports/html';
import { cabPackOf, renderReport } from '../core/services/reports';
import { compare, print, time, timeAsync, type Comparison } from './harness';

/**
 * A CAB pack of every promotion the demo allows (8 changes, ~20 A4 pages): what printing to PDF
 * costs against rendering the HTML it prints, and what rendering costs against looking the data up.
 */
export async function reportsBenchmark(): Promise<Comparison[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-reports-'));
  const app = createApp({ shell: 'cli', resourcesDir: join(import.meta.dirname, '..', 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const result = await app.dispatch(name, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.value as T;
  };
  await call('workspace.openDemo', {});
  const changeIds: number[] = [];
  for (const service of await call<{ id: number; stages: { id: number; name: string; image: { id: number } | null }[] }[]>('services.list', {})) {
    const stage = (name: string) => service.stages.find((s) => s.name === name)!;
    for (const [from, to] of [
      ['testing', 'staging'],
      ['uat', 'production'],
    ] as const) {
      const image = stage(from).image;
      if (image) changeIds.push((await call<{ id: number }>('promotion.saveDraft', { serviceId: service.id, imageId: image.id, fromStageId: stage(from).id, toStageId: stage(to).id, title: `Promote to ${to}`, acknowledgeDrift: true })).id);
    }
  }
  const store = app.session.require();
  const selection = { kind: 'changes' as const, changeIds };
  const pack = cabPackOf(store, app.ctx, selection);
  const html = time(() => renderCabHtml(pack), { runs: 21, warmup: 3 });
  const assembly = time(() => cabPackOf(store, app.ctx, selection), { runs: 21, warmup: 3 });
  const pdf = await timeAsync(() => renderReport(app.ctx, { kind: 'cab', pack }, 'pdf'), { runs: 3, warmup: 1 });
  app.session.close();
  const results = [
    compare(`CAB pack of ${changeIds.length} demo changes: printing`, 'PDF through headless Chromium', pdf, 'the HTML it prints', html),
    compare(`CAB pack of ${changeIds.length} demo changes: assembly`, 'looking up changes, plans and target drift', assembly, 'rendering the HTML', html),
  ];
  results.forEach(print);
  return results;
}
