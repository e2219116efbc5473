/**
 * Running commands that change a host (applying a change): one SSH session, one command at a time,
 * each an argument vector quoted word by word, with its content on stdin, its own timeout and its
 * output kept up to a bound. A command that fails returns its exit status; a dead link or a
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
  /** stdout then stderr as they came, at most maxOutputBytes; `truncated` when more was cut. */
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
   * Runs `argv` (each word quoted), `stdin` as its input. Resolves with the exit status whatever it
   * is; rejects with an SshFailure when the link dies or the command outlives `timeoutMs` (the
   * session is then closed: what the command did on the host is unknown).
   */
  run(argv: readonly string[], options: { stdin?: string; timeoutMs: number; maxOutputBytes?: number }): Promise<RemoteCommandResult> {
    const limit = options.maxOutputBytes ?? REMOTE_OUTPUT_LIMIT;
    const started = performance.now();
    return this.session.exec<RemoteCommandResult>(shellCommand(argv), (channel, done) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      let truncated = false;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const keep = (chunk: Buffer) => {
        const room = limit - kept;
        if (chunk.length > room) truncated = true;
        if (room <= 0) return;
        const part = chunk.subarray(0, room);
        chunks.push(part);
        kept += part.length;
      };
      channel.on('data', keep);
      channel.stderr.on('data', keep);
      channel.on('exit', (code: number | null, signal?: string) => {
        exitCode = code;
        exitSignal = signal ?? null;
      });
      channel.on('close', () => done({ exitCode, exitSignal, output: Buffer.concat(chunks).toString('utf8'), truncated, durationMs: Math.round(performance.now() - started) }));
      const timer = setTimeout(() => this.session.fail(new SshFailure('timeout', `${this.endpoint}: the command did not finish within ${options.timeoutMs / 1000} s: ${argv.join(' ').slice(0, 200)}`)), options.timeoutMs);
      channel.end(options.stdin ?? '');
      return () => clearTimeout(timer);
    });
  }

  close(): void {
    this.session.close();
  }
}
