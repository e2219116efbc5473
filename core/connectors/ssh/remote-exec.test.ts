/**
 * RemoteShell on a farm scratch host (scripts/farm/farm.sh scratch 80): a command that prints more
 * than the bound still runs to its end (its output is cut, never the command; the error on stderr
 * is kept over stdout; the bound is in bytes), and a command that outlives its timeout is named in the failure.
 */
import { describe, expect, it } from 'vitest';
import { scratch, scratchUnavailable } from './test-support/farm';
import { RemoteShell } from './remote-exec';

const HOST = 80;
const reason = scratchUnavailable();
if (reason) console.log(`RemoteShell on a scratch host: skipped, ${reason}`);

describe.skipIf(reason !== null)(`RemoteShell on a scratch host (${HOST})`, () => {
  it('runs a command that prints past the bound to its end, keeping the bound (in bytes, its stderr first); a command past its timeout fails naming it', async () => {
    const env = scratch(HOST);
    const options = { sshConfigFile: null, agentSocket: null, identityFiles: [env.key], knownHostsFiles: [env.knownHosts], connectTimeoutMs: 5_000 };
    const shell = await RemoteShell.connect({ host: '127.0.0.1', port: env.portBase + HOST, user: 'root' }, options);
    try {
      const loud = await shell.run(['sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" x; echo done >/tmp/ran-to-end; echo oops >&2'], { timeoutMs: 30_000, maxOutputBytes: 1000 });
      // The error is kept whole: stdout gives way to it.
      expect([loud.exitCode, loud.truncated, loud.output]).toEqual([0, true, `${'x'.repeat(995)}oops\n`]);
      const after = await shell.run(['cat', '/tmp/ran-to-end'], { timeoutMs: 30_000 });
      expect(after.output).toBe('done\n');
      const both = await shell.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 30_000 });
      expect([both.exitCode, both.output, both.truncated]).toEqual([3, 'out\nerr\n', false]);
      const loudError = await shell.run(['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" e >&2; exit 2'], { timeoutMs: 30_000, maxOutputBytes: 1000 });
      expect([loudError.exitCode, loudError.truncated, loudError.output]).toEqual([2, true, 'e'.repeat(1000)]);
      // The bound is in bytes: 600 two-byte characters are 1200 bytes.
      const wide = await shell.run(['sh', '-c', 'i=0; while [ $i -lt 600 ]; do printf "é"; i=$((i+1)); done'], { timeoutMs: 30_000, maxOutputBytes: 1000 });
      expect([wide.truncated, wide.output]).toEqual([true, 'é'.repeat(500)]);
      await expect(shell.run(['sleep', '30'], { timeoutMs: 500 })).rejects.toThrow(/the command sleep 30 did not finish within 0\.5 s/);
    } finally {
      shell.close();
    }
  }, 120_000);
});
