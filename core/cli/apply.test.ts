/**
 * `stagecraft apply` on farm scratch hosts (scripts/farm/farm.sh scratch N): the dry run, and the
 * exit codes of a verified apply (0), a rolled-back one (4) and a refused one (2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyRing } from '../services/signing';
import { farmEnv, scratch, scratchUnavailable, v2Edits, workbench } from '../services/test-support/apply-bench';
import { runCli } from './main';

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
    const lines: string[] = [];
    const cli = (...args: string[]) => runCli(['apply', ...args, '--as', 'Rita Release', '--identity', env.key, '--known-hosts', env.knownHosts], (line) => lines.push(line));

    expect(await cli(goodPath, '--change', String(goodChange), '--dry-run')).toBe(0);
    expect(lines.join('\n')).toMatch(/\$ 'sudo' '-n' '--' 'env' 'DEBIAN_FRONTEND=noninteractive' 'apt-get' .* 'stagecraft-fixture=2\.0-1'/);
    expect(lines.join('\n')).toMatch(/\+ mode = cli/);
    lines.length = 0;
    expect(await cli(goodPath, '--change', String(goodChange))).toBe(0);
    expect(lines.join('\n')).toMatch(/scratch54: DONE done: zero drift against the image/);
    lines.length = 0;
    expect(await cli(goodPath, '--change', String(goodChange))).toBe(2); // implemented already: refused
    expect(await cli(badPath, '--change', String(badChange))).toBe(4);
    expect(lines.join('\n')).toMatch(/scratch55: ROLLED-BACK/);
  }, 300_000);
});
