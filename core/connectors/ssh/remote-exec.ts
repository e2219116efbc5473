/**
 * Running commands that change a host (applying a change): one SSH session, one command at a time,
 * each an argument vector quoted word by word, with its content on stdin, its own timeout and its
 * output (stdout, then stderr) kept up to a bound. A command that fails returns its exit status; a dead link or a
 * timeout ends the session with an SshFailure, and the caller records the step as in doubt.
 */
import { sessionTo, type SessionOptions } from './connector';
import { SshFailure } from './failures';
import { resolveRoute, type RouteOptions, type SshTarget } from './route';
import type { SshSession } from './session';
import { shellCommand } from './shell-quote';

export type RemoteShellOptions = SessionOptions;

export interface RemoteCommandResult {
  exitCode: number | null;
  exitSignal: string | null;
  /** stdout, then stderr, at most maxOutputBytes in all: stderr (the error) whole up to the bound, stdout cut to the rest; `truncated` when either was cut. */
  output: string;
  truncated: boolean;
  durationMs: number;
}

/** Output kept per command: enough for apt's and systemctl's messages, bounded for the record. */
export const REMOTE_OUTPUT_LIMIT = 64 * 1024;

export class RemoteShell {
  private constructor(
    private readonly session: SshSession,
    /** "user@host:port" reached. */
    readonly endpoint: string,
    /** The account the commands run as (before sudo). */
    readonly user: string,
  ) {}

  /** The account a connection to `target` would use (after ssh_config): commands need sudo unless it is root. */
  static userFor(target: SshTarget, options: RouteOptions): string {
    const route = resolveRoute(target, options);
    return route.hops[route.hops.length - 1]!.user;
  }

  static async connect(target: SshTarget, options: RemoteShellOptions, signal?: AbortSignal): Promise<RemoteShell> {
    const { route, endpoint, where, session } = sessionTo(target, options);
    const cancel = () => session.fail(new SshFailure('cancelled', `${where}: cancelled`));
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      await session.connect(route.hops);
    } catch (error) {
      session.close();
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    return new RemoteShell(session, where, endpoint.user);
  }

  /**
   * Runs `argv` (each word quoted), `stdin` as its input, to its end (output past the bound is
   * dropped, the command never cut). Resolves with the exit status whatever it is; rejects with an
   * SshFailure when the link dies or the command outlives `timeoutMs` (the session is then closed:
   * what the command did on the host is unknown).
   */
  async run(argv: readonly string[], options: { stdin?: string; timeoutMs: number; maxOutputBytes?: number }): Promise<RemoteCommandResult> {
    const limit = options.maxOutputBytes ?? REMOTE_OUTPUT_LIMIT;
    const started = performance.now();
    const result = await this.session.run(shellCommand(argv), options.stdin ?? '', {
      timeoutMs: options.timeoutMs,
      maxStdoutBytes: limit,
      // Counted in characters, at least one byte each: one past the bound shows whether stderr went past it.
      maxStderrBytes: limit + 1,
      what: `the command ${argv.join(' ').slice(0, 200)}`,
      readPastLimit: true,
    });
    const stderr = Buffer.from(result.stderr, 'utf8');
    const keptStderr = utf8Prefix(stderr, limit);
    const keptStdout = utf8Prefix(result.stdout, limit - keptStderr.length);
    return {
      exitCode: result.exitCode,
      exitSignal: result.exitSignal,
      output: Buffer.concat([keptStdout, keptStderr]).toString('utf8'),
      truncated: result.truncated || keptStdout.length < result.stdout.length || keptStderr.length < stderr.length,
      durationMs: Math.round(performance.now() - started),
    };
  }

  close(): void {
    this.session.close();
  }
}

/** At most `bytes` bytes of UTF-8 text, cut before a character that would not fit whole. */
function utf8Prefix(text: Buffer, bytes: number): Buffer {
  if (text.length <= bytes) return text;
  let end = Math.max(0, bytes);
  while (end > 0 && (text[end]! & 0xc0) === 0x80) end--;
  return text.subarray(0, end);
}
