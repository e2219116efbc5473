/**
 * The SSH host connector: connect (ssh_config, agent/keys/password, host keys, ProxyJump), run the
 * read-only collector with its script on stdin (nothing is uploaded or written), parse its output
 * into a Snapshot. Every failure is an SshFailure with a kind and a remedy.
 */
import { parseCollectorOutput, type CollectorParseResult } from '../../domain/collector-output';
import type { Snapshot } from '../../domain/facts';
import type { CredentialOptions } from './auth';
import { SshFailure } from './failures';
import { HostKeyVerifier, type HostKeyTrustStore, type HostKeyVerdict } from './host-keys';
import { describeEndpoint, resolveRoute, type RouteOptions, type SshTarget } from './route';
import { SshSession, type SessionTimeouts } from './session';
import { shellCommand } from './shell-quote';

export type CollectPhase = 'connecting' | 'collecting' | 'parsing';

export interface CollectorLimits {
  maxFileBytes?: number;
  maxTotalBytes?: number;
  maxFiles?: number;
}

export interface CollectOptions extends SessionOptions {
  /** The text of resources/collector/collect.sh. */
  collectorScript: string;
  /** Watched-file globs handed to the collector. */
  watchGlobs?: readonly string[];
  collectorLimits?: CollectorLimits;
  /** The whole collector run; default 120 s. */
  commandTimeoutMs?: number;
  /** stdout beyond this is cut and the snapshot marked partial; default 32 MiB. */
  maxOutputBytes?: number;
  onPhase?: (phase: CollectPhase) => void;
  now?: () => Date;
}

export interface CollectTimings {
  connectMs: number;
  collectMs: number;
  parseMs: number;
}

export interface CollectResult {
  snapshot: Snapshot;
  /** What could not be collected: the same list as snapshot.warnings. */
  warnings: string[];
  /** Lines of the ssh config that were not understood (not facts of the host). */
  configWarnings: string[];
  /** True when facts may be missing: output cut, no end marker, or the collector exited non-zero. */
  partial: boolean;
  /** "user@host:port" actually reached (after ssh_config). */
  endpoint: string;
  hostKey: HostKeyVerdict & { status: 'trusted' | 'accepted-new' };
  exitCode: number | null;
  /** The collector's error output, at most 4 KiB. */
  stderr: string;
  outputBytes: number;
  timings: CollectTimings;
}

/** Anything that can capture a host's facts. */
export interface HostConnector {
  collect(target: SshTarget, options: CollectOptions, signal?: AbortSignal): Promise<CollectResult>;
}

export const SSH_DEFAULTS = {
  connectTimeoutMs: 10_000,
  keepaliveIntervalMs: 2_000,
  keepaliveCountMax: 3,
  commandTimeoutMs: 120_000,
  maxOutputBytes: 32 * 1024 * 1024,
  maxStderrBytes: 4096,
} as const;

/** `sh -s -- [limits] -- GLOB…`: the script comes on stdin; every word is quoted. */
export function collectorCommand(globs: readonly string[], limits: CollectorLimits = {}): string {
  const flags: string[] = [];
  if (limits.maxFileBytes !== undefined) flags.push('--max-file-bytes', String(limits.maxFileBytes));
  if (limits.maxTotalBytes !== undefined) flags.push('--max-total-bytes', String(limits.maxTotalBytes));
  if (limits.maxFiles !== undefined) flags.push('--max-files', String(limits.maxFiles));
  // The first "--" ends sh's options, the second the collector's, so a glob may start with "-".
  return shellCommand(['sh', '-s', '--', ...flags, '--', ...globs]);
}

export class SshHostConnector implements HostConnector {
  async collect(target: SshTarget, options: CollectOptions, signal?: AbortSignal): Promise<CollectResult> {
    const { route, where, session } = sessionTo(target, options);
    const cancel = () => session.fail(new SshFailure('cancelled', `${where}: cancelled`));
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    const clock = stopwatch();
    try {
      options.onPhase?.('connecting');
      await session.connect(route.hops);
      const connectMs = clock.lap();
      options.onPhase?.('collecting');
      const output = await session.run(collectorCommand(options.watchGlobs ?? [], options.collectorLimits), options.collectorScript, {
        timeoutMs: options.commandTimeoutMs ?? SSH_DEFAULTS.commandTimeoutMs,
        maxStdoutBytes: options.maxOutputBytes ?? SSH_DEFAULTS.maxOutputBytes,
        maxStderrBytes: SSH_DEFAULTS.maxStderrBytes,
        what: 'the collector',
      });
      const collectMs = clock.lap();
      session.close();
      options.onPhase?.('parsing');
      const capturedAt = (options.now?.() ?? new Date()).toISOString();
      const parsed = parseOrFail(output.stdout.toString('utf8'), capturedAt, where, output.exitCode, output.stderr);
      const limitNotes = [
        ...(output.truncated ? [`collector output exceeded ${output.stdout.length} bytes and was cut`] : []),
        ...(output.exitCode !== 0 ? [`collector exited with ${output.exitCode === null ? `signal ${output.exitSignal ?? '?'}` : `status ${output.exitCode}`}`] : []),
      ];
      const snapshot: Snapshot = { ...parsed.snapshot, warnings: [...parsed.snapshot.warnings, ...limitNotes] };
      const hostKey = session.hostKey;
      if (!hostKey || (hostKey.status !== 'trusted' && hostKey.status !== 'accepted-new')) throw new Error('connected without a verified host key'); // cannot happen: ssh2 refuses first
      return {
        snapshot,
        warnings: snapshot.warnings,
        configWarnings: route.warnings,
        partial: parsed.partial || output.truncated || output.exitCode !== 0,
        endpoint: where,
        hostKey,
        exitCode: output.exitCode,
        stderr: output.stderr,
        outputBytes: output.stdout.length,
        timings: { connectMs, collectMs, parseMs: clock.lap() },
      };
    } finally {
      signal?.removeEventListener('abort', cancel);
      session.close();
    }
  }
}

export interface SessionOptions extends RouteOptions, CredentialOptions, Partial<SessionTimeouts> {
  trustStore?: HostKeyTrustStore;
  /** Trust an unknown host key (recorded in trustStore when given). A changed key is never accepted. */
  acceptNewHostKeys?: boolean;
}

/** A session to `target` (not yet connected) with the default timeouts and its host keys verified: collection and remote commands open theirs here. */
export function sessionTo(target: SshTarget, options: SessionOptions): { route: ReturnType<typeof resolveRoute>; endpoint: ReturnType<typeof resolveRoute>['hops'][number]; where: string; session: SshSession } {
  const route = resolveRoute(target, options);
  const endpoint = route.hops[route.hops.length - 1]!;
  const where = describeEndpoint(endpoint);
  // RFC 6761: names under .invalid never resolve; say so without asking any resolver.
  const invalid = route.hops.find((hop) => /\.invalid\.?$/i.test(hop.host));
  if (invalid) throw new SshFailure('unreachable', `${where}: host unreachable (${invalid.host} is a reserved .invalid name that never resolves)`);
  const session = new SshSession({
    ...options,
    connectTimeoutMs: options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? SSH_DEFAULTS.keepaliveIntervalMs,
    keepaliveCountMax: options.keepaliveCountMax ?? SSH_DEFAULTS.keepaliveCountMax,
    verifier: HostKeyVerifier.load(route.knownHostsFiles, options.trustStore, options.acceptNewHostKeys ?? false),
  });
  return { route, endpoint, where, session };
}

/** The collector's output, or command-failed when there is nothing usable in it. */
function parseOrFail(stdout: string, capturedAt: string, where: string, exitCode: number | null, stderr: string): CollectorParseResult {
  try {
    return parseCollectorOutput(stdout, { capturedAt, source: 'ssh' });
  } catch (error) {
    const status = exitCode === null ? 'was killed' : `exited with status ${exitCode}`;
    const detail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(0, 3).join(' / ')}` : '';
    throw new SshFailure('command-failed', `${where}: the collector ${status} without usable output (${(error as Error).message})${detail}`);
  }
}

function stopwatch(): { lap: () => number } {
  let last = performance.now();
  return {
    lap: () => {
      const now = performance.now();
      const elapsed = now - last;
      last = now;
      return Math.round(elapsed);
    },
  };
}
