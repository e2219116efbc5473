/**
 * The verification rescan of an apply, on farm scratch host 79 (scripts/farm/farm.sh scratch N):
 * it collects what a scan collects (the files of every role the host plays) and records parity as
 * a scan does, so applying a change never makes a host's other facts vanish.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../domain/facts';
import { applyChange } from './apply';
import { KeyRing } from './signing';
import { scratch, scratchUnavailable } from '../connectors/ssh/test-support/farm';
import { FIXTURE_CONF, v2Edits, workbench } from './test-support/apply-bench';

const reason = scratchUnavailable();
if (reason) console.log(`apply rescan on the farm: skipped, ${reason}`);
const dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-rescan-'));
const keys = new KeyRing(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(reason !== null)('the verification rescan of an apply (scratch host 79)', () => {
  it("the verification rescan of a host playing roles of two services keeps both roles' files, and records both services' parity", async () => {
    scratch(79);
    const bench = await workbench(dir, keys, 'two-roles', [79], v2Edits('mode = two roles\n'));
    const host = bench.hosts[0]!;
    // The same host is also the "db" of another service, which watches a file the first one does not.
    const otherId = bench.store.inventory.createService({ name: 'other-svc', stages: ['staging', 'production'], roles: ['db'] });
    const otherStaging = bench.store.inventory.getService(otherId).stages.find((s) => s.name === 'staging')!;
    bench.store.drift.setWatchGlobs(otherId, 'db', ['/etc/debian_version']);
    bench.store.inventory.placeHost(otherStaging.id, host.id, 'db');
    const fixtureStaging = bench.store.inventory.getService(bench.store.promotion.change(bench.changeId).serviceId).stages.find((s) => s.name === 'staging')!;
    const trends = () => [bench.store.drift.parityTrend(fixtureStaging.id).length, bench.store.drift.parityTrend(otherStaging.id).length];
    const [fixtureBefore, otherBefore] = trends();

    const outcome = await applyChange(bench.store, bench.changeId, bench.options());
    expect(outcome.hosts.map((h) => [h.state, h.message])).toEqual([['done', 'done: zero drift against the image']]);
    const saved: Snapshot = bench.store.snapshots.load(outcome.hosts[0]!.afterSnapshotId!);
    expect(saved.files.map((f) => f.path)).toEqual(expect.arrayContaining([FIXTURE_CONF, '/etc/debian_version']));
    expect(trends()).toEqual([fixtureBefore! + 1, otherBefore! + 1]);
    bench.store.close();
  }, 300_000);
});
