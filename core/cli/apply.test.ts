/**
 * `stagecraft apply` on farm scratch hosts (scripts/farm/farm.sh scratch N): the dry run, and the
 * exit codes of a verified apply (0), a rolled-back one (4) and a refused one (2).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStatus, resumeApply } from '../services/apply';
import { createApp } from '../services/app';
import { KeyRing } from '../services/signing';
import { farmEnv, scratch, scratchUnavailable } from '../connectors/ssh/test-support/farm';
import { FIXTURE_STATE, onHost, v2Edits, workbench } from '../services/test-support/apply-bench';
import { cliSession } from './test-support/cli-session';

const reason = scratchUnavailable();
if (reason) console.log(`stagecraft apply on the farm: skipped, ${reason}`);
const dir = mkdtempSync(join(tmpdir(), 'stagecraft-apply-cli-'));
const keys = new KeyRing(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(reason !== null)('stagecraft apply (CLI) on scratch hosts', () => {
  it('dry run exits 0 and prints every command; apply exits 0 when verified, 4 when rolled back, 2 when refused', async () => {
    scratch(54, 55);
    const env = farmEnv();
    const good = await workbench(dir, keys, 'cli-good', [54], v2Edits('mode = cli\n'));
    const bad = await workbench(dir, keys, 'cli-bad', [55], v2Edits('mode = cli\n', [{ kind: 'set-package', role: 'app', name: 'stagecraft-fixture', version: '0.0-missing', manager: 'dpkg', arch: 'all' }]));
    const [goodPath, badPath, goodChange, badChange] = [good.store.path, bad.store.path, good.changeId, bad.changeId];
    good.store.close();
    bad.store.close();
    process.env['STAGECRAFT_DATA_DIR'] = dir;
    const { run, lines } = cliSession();
    const cli = async (...args: string[]) => (await run('apply', ...args, '--as', 'Rita Release', '--identity', env.key, '--known-hosts', env.knownHosts)).code;

    expect(await cli(goodPath, '--change', String(goodChange), '--dry-run')).toBe(0);
    expect(lines.join('\n')).toMatch(/\$ 'sudo' '-n' '--' 'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get' .* 'stagecraft-fixture=2\.0-1'/);
    expect(lines.join('\n')).toMatch(/\+ mode = cli/);
    expect(await cli(goodPath, '--change', String(goodChange))).toBe(0);
    expect(lines.join('\n')).toMatch(/scratch54: DONE done: zero drift against the image/);
    expect(await cli(goodPath, '--change', String(goodChange))).toBe(2); // implemented already: refused
    expect(await cli(badPath, '--change', String(badChange))).toBe(4);
    expect(lines.join('\n')).toMatch(/scratch55: ROLLED-BACK/);
  }, 300_000);
});

describe.skipIf(reason !== null)('stagecraft apply killed half-way (the app dies)', () => {
  it('leaves the host mid-way on record; a resume marks it in doubt, completes it without rerunning the finished step, then the rest', async () => {
    scratch(58, 59);
    const env = farmEnv();
    const bench = await workbench(dir, keys, 'killed', [58, 59], v2Edits('mode = survived\n'));
    const { path } = bench.store;
    bench.store.close();
    // One process (tsx as a loader, not its launcher, which would leave the app running when killed).
    const child = spawn(process.execPath, ['--import', 'tsx', join(process.cwd(), 'core', 'cli', 'stagecraft.ts'), 'apply', path, '--change', String(bench.changeId), '--concurrency', '1', '--as', 'Rita Release', '--identity', env.key, '--known-hosts', env.knownHosts], {
      env: { ...process.env, STAGECRAFT_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    const killed = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // The package step finished on the first host: the app dies before the next one.
        if (/scratch58: step upgrade package .*: ok/.test(output)) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    await killed;
    expect(output).toMatch(/scratch58: step upgrade package/);

    // A new process of the app opens the workspace after the crash.
    const app = createApp({ shell: 'cli', resourcesDir: join(process.cwd(), 'resources'), dataDir: dir, defaultWorkspaceDir: dir, actor: () => 'Rita Release' });
    const store = app.session.open(path);
    try {
      const cut = applyStatus(store, bench.changeId);
      expect(cut.run).toMatchObject({ state: 'running', live: false });
      expect(cut.hosts.map((h) => [h.hostName, h.state])).toEqual([
        ['scratch58', 'applying'],
        ['scratch59', 'pending'],
      ]);
      const resumed = await resumeApply(store, bench.changeId, { ...bench.options(), mode: 'complete' }).done;

      expect(resumed.hosts.map((h) => [h.hostName, h.state])).toEqual([
        ['scratch58', 'done'],
        ['scratch59', 'done'],
      ]);
      expect(resumed.changeState).toBe('implemented');
      const upgrades = store.apply.commands(resumed.hosts[0]!.id).filter((c) => c.label.startsWith('upgrade package'));
      expect(upgrades.map((c) => c.state)).toEqual(['ok']); // never twice
      // The kill lands before or during the file write: a command it cut is in doubt (never left running), then done again.
      const writes = store.apply.commands(resumed.hosts[0]!.id).filter((c) => c.label.startsWith('write file'));
      expect(writes.at(-1)!.state).toBe('ok');
      expect(writes.slice(0, -1).map((c) => [c.state, c.output])).toEqual(writes.length === 2 ? [['in-doubt', 'the app stopped while this command ran']] : []);
      expect(store.apply.commands(resumed.hosts[0]!.id).filter((c) => c.state === 'running')).toEqual([]);
      expect(onHost(58, FIXTURE_STATE)).toBe('2.0-1\nactive\nmode = survived\n');
    } finally {
      app.session.close();
    }
  }, 300_000);
});
