/**
 * `stagecraft apply --resume` whose job ends before the call that started it has answered (as over
 * the HTTP shell, where a job's events can overtake the call's answer): a roll-back resume of a run
 * the app left before touching any host (farm scratch host 73) has nothing to do and ends at once;
 * the command must still end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CallInput, CallName, CallOutput } from '../contract/index';
import { createApp } from '../services/app';
import { KeyRing } from '../services/signing';
import { scratch, scratchUnavailable } from '../connectors/ssh/test-support/farm';
import { FIXTURE_STATE, onHost, v2Edits, workbench } from '../services/test-support/apply-bench';
import { runApplyCommand } from './apply';

const reason = scratchUnavailable();
if (reason) console.log(`stagecraft apply --resume on the farm: skipped, ${reason}`);
const dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-resume-cli-'));
const keys = new KeyRing(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(reason !== null)('stagecraft apply --resume roll-back of a run that never touched a host', () => {
  it('ends (exit 4, nothing run) although its job ended before the call that started it answered', async () => {
    scratch(73);
    const bench = await workbench(dir, keys, 'cli-early-end', [73], v2Edits('mode = never\n'));
    // What the app leaves when it dies right after recording the run: every host pending.
    const host = bench.hosts[0]!;
    bench.store.apply.createRun({ changeId: bench.changeId, concurrency: 1, canary: null, actor: bench.rita.name, at: new Date().toISOString(), hosts: [{ hostId: host.id, hostName: host.name }] });
    const { path } = bench.store;
    bench.store.close();

    const app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir });
    const ended = new Set<string>();
    app.onEvent((name, payload) => {
      if (name === 'job.progress' && (payload as { state: string }).state !== 'running') ended.add((payload as { jobId: string }).jobId);
    });
    // The transport hands a started job's id back only once that job has ended.
    const invoke = async <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> => {
      const result = await app.dispatch(name, input);
      if (!result.ok) throw new Error(result.error.message);
      const jobId = (result.value as { jobId?: string }).jobId;
      while (jobId !== undefined && !ended.has(jobId)) await new Promise((resolve) => setTimeout(resolve, 10));
      return result.value as CallOutput<N>;
    };
    try {
      await invoke('workspace.open', { path });
      const lines: string[] = [];
      const options = new Map([['change', String(bench.changeId)], ['resume', 'roll-back'], ['as', 'Rita Release']]);
      const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 20_000).unref());
      const code = await Promise.race([runApplyCommand(options, invoke, app.onEvent, (line) => lines.push(line)), hung]);
      expect(code).toBe(4);
      expect(lines.at(-1)).toMatch(/^Run \d+: aborted; change #\d+ is scheduled\. no host had started: nothing to roll back$/);
      expect(onHost(73, FIXTURE_STATE)).toBe('1.0-1\nactive\n# stagecraft-fixture 1.0-1\nmode = safe\nworkers = 2\n');
    } finally {
      app.session.close();
    }
  }, 300_000);
});
