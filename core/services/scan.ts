/**
 * Capturing hosts' facts over SSH: one target for the CLI (`stagecraft collect ssh://…`), or many
 * inventory hosts at once with a concurrency bound, per-host timeouts, progress events, and each
 * good snapshot saved in its own transaction. A failed scan never touches the last good snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  isSshFailure,
  parseSshTarget,
  SSH_REMEDIES,
  SshHostConnector,
  type CollectOptions,
  type CollectPhase,
  type CollectResult,
  type CollectTimings,
  type HostConnector,
  type HostKeyTrustStore,
  type SshFailureKind,
  type SshTarget,
} from '../connectors/ssh/index';
import type { HostRecord } from '../domain/inventory';
import type { WorkspaceStore } from '../store/workspace-store';

export const DEFAULT_SCAN_CONCURRENCY = 8;

/** resources/collector/collect.sh, streamed to each host on stdin. */
export function readCollectorScript(resourcesDir: string): string {
  return readFileSync(join(resourcesDir, 'collector', 'collect.sh'), 'utf8');
}

/** The workspace's trust store: an accepted key is recorded with who accepted it, audited. */
export function workspaceTrustStore(store: WorkspaceStore, actor: string): HostKeyTrustStore {
  return {
    trustedKeys: (host, port) => store.hostKeys.trustedKeys(host, port),
    trust: (key) =>
      store.write({ actor, action: 'hostKey.accept', subject: `${key.host}:${key.port}`, after: () => ({ keyType: key.keyType, fingerprint: key.fingerprint }) }, () =>
        store.hostKeys.trust(key, actor),
      ),
  };
}

export interface CollectSnapshotOptions extends Omit<CollectOptions, 'trustStore'> {
  /** When given, its trust store is used and accept-new records keys there; otherwise an accepted key is trusted for this run only. */
  workspace?: { store: WorkspaceStore; actor: string };
  connector?: HostConnector;
}

/** One host, nothing saved: `stagecraft collect ssh://USER@HOST[:PORT] [--identity KEY] [--known-hosts FILE] [--accept-new] [--out FILE]`. */
export function collectSnapshot(target: string | SshTarget, options: CollectSnapshotOptions, signal?: AbortSignal): Promise<CollectResult> {
  const { workspace, connector = new SshHostConnector(), ...collectOptions } = options;
  const resolved = typeof target === 'string' ? parseSshTarget(target) : target;
  return connector.collect(resolved, { ...collectOptions, ...(workspace ? { trustStore: workspaceTrustStore(workspace.store, workspace.actor) } : {}) }, signal);
}

/** A host to scan; `watchGlobs` (its role's watch list) overrides the scan-wide list. */
export type ScanHost = Pick<HostRecord, 'id' | 'name' | 'address' | 'port' | 'sshUser'> & { watchGlobs?: readonly string[] };

export interface ScanHostsOptions extends Omit<CollectOptions, 'trustStore' | 'onPhase'> {
  /** Recorded in the audit log with each saved snapshot and accepted key. */
  actor: string;
  /** Hosts collected at once; default 8. */
  concurrency?: number;
  connector?: HostConnector;
}

export type ScanFailureKind = SshFailureKind | 'internal';

export interface ScanFailure {
  kind: ScanFailureKind;
  message: string;
  remedy: string;
  /** SHA256:… of the presented key, for host-key failures: show it so the user can compare. */
  fingerprint?: string;
}

export type ScanPhase = CollectPhase | 'saved' | 'failed';

export interface ScanProgressEvent {
  hostId: number;
  hostName: string;
  phase: ScanPhase;
  /** Set with phase "saved". */
  snapshotId?: number;
  /** Set with phase "saved" when facts may be missing, with what to do. */
  partial?: { remedy: string; warnings: number };
  /** Set with phase "failed". */
  failure?: ScanFailure;
}

export type HostScanResult =
  | {
      hostId: number;
      hostName: string;
      status: 'saved';
      snapshotId: number;
      partial: boolean;
      warnings: string[];
      endpoint: string;
      hostKeyFingerprint: string;
      timings: CollectTimings;
      durationMs: number;
    }
  | { hostId: number; hostName: string; status: 'failed'; failure: ScanFailure; durationMs: number };

export function targetOfHost(host: ScanHost): SshTarget {
  return { host: host.address, port: host.port, ...(host.sshUser ? { user: host.sshUser } : {}) };
}

export function describeFailure(error: unknown): ScanFailure {
  if (isSshFailure(error)) return { kind: error.kind, message: error.message, remedy: error.hint ?? SSH_REMEDIES[error.kind], ...(error.fingerprint ? { fingerprint: error.fingerprint } : {}) };
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error), remedy: 'This is a bug in Stagecraft: report it with the message.' };
}

/**
 * Scans `hosts` with at most `concurrency` connections at once. Each host has its own timeouts, so
 * a dead one costs its own slot for at most connectTimeoutMs and never delays the others' results.
 * Cancelling (signal) closes the collections in flight and skips the hosts not yet started.
 * Results come back in the order of `hosts`.
 */
export async function scanHosts(
  store: WorkspaceStore,
  hosts: readonly ScanHost[],
  options: ScanHostsOptions,
  onProgress: (event: ScanProgressEvent) => void = () => undefined,
  signal?: AbortSignal,
): Promise<HostScanResult[]> {
  const { actor, concurrency = DEFAULT_SCAN_CONCURRENCY, connector = new SshHostConnector(), ...collectOptions } = options;
  const trustStore = workspaceTrustStore(store, actor);
  const results: HostScanResult[] = new Array(hosts.length);
  let next = 0;

  const scanOne = async (host: ScanHost): Promise<HostScanResult> => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const report = (event: Omit<ScanProgressEvent, 'hostId' | 'hostName'>) => onProgress({ hostId: host.id, hostName: host.name, ...event });
    try {
      const collected = await connector.collect(
        targetOfHost(host),
        { ...collectOptions, ...(host.watchGlobs ? { watchGlobs: host.watchGlobs } : {}), trustStore, onPhase: (phase) => report({ phase }) },
        signal,
      );
      const row = store.write(
        {
          actor,
          action: 'snapshot.collect',
          subject: `host ${host.name}`,
          after: (saved) => ({ snapshotId: saved.id, endpoint: collected.endpoint, hostKey: collected.hostKey.fingerprint, partial: collected.partial }),
        },
        () => store.snapshots.save(host.id, collected.snapshot),
      );
      report({ phase: 'saved', snapshotId: row.id, ...(collected.partial ? { partial: { remedy: SSH_REMEDIES.partial, warnings: collected.warnings.length } } : {}) });
      return {
        hostId: host.id,
        hostName: host.name,
        status: 'saved',
        snapshotId: row.id,
        partial: collected.partial,
        warnings: collected.warnings,
        endpoint: collected.endpoint,
        hostKeyFingerprint: collected.hostKey.fingerprint,
        timings: collected.timings,
        durationMs: elapsed(),
      };
    } catch (error) {
      const failure = describeFailure(error);
      report({ phase: 'failed', failure });
      return { hostId: host.id, hostName: host.name, status: 'failed', failure, durationMs: elapsed() };
    }
  };

  const worker = async () => {
    while (next < hosts.length) {
      const index = next++;
      const host = hosts[index]!;
      if (signal?.aborted) {
        const skipped: ScanFailure = { kind: 'cancelled', message: `${host.name}: not scanned, the scan was cancelled`, remedy: SSH_REMEDIES.cancelled };
        results[index] = { hostId: host.id, hostName: host.name, status: 'failed', failure: skipped, durationMs: 0 };
        onProgress({ hostId: host.id, hostName: host.name, phase: 'failed', failure: skipped });
        continue;
      }
      results[index] = await scanOne(host);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, hosts.length)) }, worker));
  return results;
}
