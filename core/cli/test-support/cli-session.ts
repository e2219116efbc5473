import { vi } from 'vitest';
import { runCli } from '../main';

/** What one run of the CLI gave: its exit code, the lines it printed, and what it said on stderr. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process as a user would from a shell. `lines` holds what the latest run
 * printed (emptied at each run), for tests that read it line by line.
 */
export function cliSession() {
  const lines: string[] = [];
  const run = async (...argv: string[]): Promise<CliRun> => {
    lines.length = 0;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const code = await runCli(argv, (line) => lines.push(line));
      return { code, stdout: lines.join('\n'), stderr: errors.mock.calls.map((args) => args.join(' ')).join('\n') };
    } finally {
      errors.mockRestore();
    }
  };
  return { run, lines };
}
