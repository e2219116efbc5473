/**
 * One SSH connection, possibly through ProxyJump hosts (each hop a Client over the previous hop's
 * forwardOut channel), with its timeouts. A session is one-shot: the first failure anywhere (a
 * timeout, a dead link, cancellation) closes every hop and rejects whatever is waiting.
 */
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import type { Duplex } from 'node:stream';
import { makeAuthHandler, type CredentialOptions } from './auth';
import { classifyConnectError, SshFailure } from './failures';
import type { HostKeyVerdict, HostKeyVerifier } from './host-keys';
import { describeEndpoint, type SshEndpoint } from './route';

// ssh2 is CommonJS: Node's ESM loader does not see its named exports (see auth.ts).
const { Client: SshClient } = ssh2;

export interface SessionTimeouts {
  /** TCP connect, SSH handshake and authentication of each hop; time spent in prompts does not count. */
  connectTimeoutMs: number;
  /** A keepalive every interval; the link counts as dead after this many unanswered. */
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export interface SessionSettings extends CredentialOptions, SessionTimeouts {
  verifier: HostKeyVerifier;
}

export interface CommandLimits {
  timeoutMs: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** What a timeout says did not finish ("the collector", "virsh list"). */
  what: string;
  /**
   * Past maxStdoutBytes, keep reading (and dropping) until the command ends, for a command that
   * changes the host and must not be cut; otherwise the channel is closed at the limit.
   */
  readPastLimit?: boolean;
}

export interface CommandOutput {
  stdout: Buffer;
  /** True when stdout hit maxStdoutBytes: the rest is lost (and the channel closed unless readPastLimit). */
  truncated: boolean;
  stderr: string;
  exitCode: number | null;
  exitSignal: string | null;
}

/** A timer that stops counting while a person answers a prompt. */
class PausableTimer {
  private handle: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private pauses = 0;

  constructor(
    private remainingMs: number,
    private readonly onExpire: () => void,
  ) {
    this.resume();
  }

  pause(): void {
    if (this.pauses++ === 0 && this.handle) {
      clearTimeout(this.handle);
      this.handle = undefined;
      this.remainingMs -= Date.now() - this.startedAt;
    }
  }

  resume(): void {
    if (this.pauses > 0) this.pauses--;
    if (this.pauses === 0 && this.remainingMs !== Infinity) {
      this.startedAt = Date.now();
      this.handle = setTimeout(this.onExpire, Math.max(0, this.remainingMs));
    }
  }

  stop(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    this.remainingMs = Infinity;
  }
}

export class SshSession {
  private readonly clients: Client[] = [];
  private readonly waiters = new Set<(failure: SshFailure) => void>();
  private failure: SshFailure | undefined;
  private closed = false;
  /** The verdict on the last hop's host key: the host the facts come from. */
  hostKey: HostKeyVerdict | undefined;
  private target: SshEndpoint | undefined;

  constructor(private readonly settings: SessionSettings) {}

  /** Ends the session with `failure`: closes every hop and rejects what is waiting. The first failure wins. */
  fail(failure: SshFailure): void {
    if (this.failure || this.closed) return;
    this.failure = failure;
    for (const reject of [...this.waiters]) reject(failure);
    this.close();
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients.splice(0).reverse()) client.destroy();
  }

  /** Connects hop by hop; resolves when the last one (the target) is authenticated. */
  async connect(hops: readonly SshEndpoint[]): Promise<void> {
    let previous: { client: Client; endpoint: SshEndpoint } | undefined;
    for (const endpoint of hops) {
      const client = await this.connectHop(endpoint, previous);
      previous = { client, endpoint };
    }
    this.target = previous?.endpoint;
  }

  /** Runs `command` on the target with `stdin` as its input; stdout is kept up to the limit. */
  run(command: string, stdin: string | Buffer, limits: CommandLimits): Promise<CommandOutput> {
    const client = this.clients[this.clients.length - 1];
    if (!client || !this.target) return Promise.reject(new Error('run() before connect()'));
    const where = describeEndpoint(this.target);
    return this.wait((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SshFailure('timeout', `${where}: ${limits.what} did not finish within ${seconds(limits.timeoutMs)}`)), limits.timeoutMs);
      client.exec(command, (error, channel) => {
        if (error) {
          reject(new SshFailure('command-failed', `${where}: the command could not be started: ${error.message}`));
          return;
        }
        collectOutput(channel, limits, resolve);
        channel.end(stdin);
      });
      return () => clearTimeout(timer);
    });
  }

  /**
   * A promise that also rejects when the session fails while it is pending. `start` may return a
   * cleanup (its timers), run however the promise settles, so nothing outlives it.
   */
  private wait<T>(start: (resolve: (value: T) => void, reject: (failure: SshFailure) => void) => (() => void) | void): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new SshFailure('cancelled', 'the SSH session is already closed'));
    return new Promise<T>((resolve, reject) => {
      let cleanup: (() => void) | void = undefined;
      let settled = false;
      const settle = <A>(done: (value: A) => void) => (value: A) => {
        settled = true;
        this.waiters.delete(rejectWaiter);
        cleanup?.();
        done(value);
      };
      const rejectWaiter = settle(reject);
      this.waiters.add(rejectWaiter);
      cleanup = start(settle(resolve), rejectWaiter);
      if (settled) cleanup?.(); // settled while starting, before the cleanup was known
    });
  }

  private connectHop(endpoint: SshEndpoint, previous: { client: Client; endpoint: SshEndpoint } | undefined): Promise<Client> {
    const { settings } = this;
    const where = describeEndpoint(endpoint) + (previous ? ` (through ${describeEndpoint(previous.endpoint)})` : '');
    return this.wait<Client>((resolve, reject) => {
      const timer = new PausableTimer(settings.connectTimeoutMs, () =>
        this.fail(new SshFailure('timeout', `${where}: no SSH session within ${seconds(settings.connectTimeoutMs)} (connect, handshake, authentication)`)),
      );
      const guard = async <T>(prompt: () => Promise<T>): Promise<T> => {
        timer.pause();
        try {
          return await prompt();
        } finally {
          timer.resume();
        }
      };
      const auth = makeAuthHandler({ ...settings, user: endpoint.user, host: endpoint.host, port: endpoint.port, identityFiles: endpoint.identityFiles, identitiesOnly: endpoint.identitiesOnly }, guard);
      let verdict: HostKeyVerdict | undefined;
      let ready = false;

      const client = new SshClient();
      this.clients.push(client);
      // Listeners stay for the client's life: after `ready`, a dead link (keepalive) or a reset ends the session.
      client.on('error', (error: Error & { level?: string }) => {
        if (verdict && (verdict.status === 'unknown' || verdict.status === 'changed' || verdict.status === 'revoked')) {
          this.fail(new SshFailure(`host-key-${verdict.status}`, `${where}: ${verdict.detail}`, verdict.fingerprint));
        } else if (!ready && error.level === 'client-authentication') {
          this.fail(new SshFailure('auth-failed', `${where}: authentication failed; tried ${auth.tried.length ? auth.tried.join(', ') : 'nothing (no agent, no key file, no password prompt)'}`));
        } else if (ready && error.level === 'client-timeout') {
          this.fail(new SshFailure('timeout', `${where}: the connection stopped answering (${error.message})`));
        } else {
          this.fail(classifyConnectError(error, where));
        }
      });
      client.on('close', () => {
        this.fail(new SshFailure('unreachable', `${where}: the connection was closed ${ready ? 'unexpectedly' : 'during the SSH handshake'}`));
      });
      client.once('ready', () => {
        ready = true;
        resolve(client);
      });

      const connect = (sock?: Duplex) =>
        client.connect({
          ...(sock ? { sock } : { host: endpoint.host, port: endpoint.port }),
          username: endpoint.user,
          readyTimeout: 0, // our own timer, which pauses during prompts
          keepaliveInterval: settings.keepaliveIntervalMs,
          keepaliveCountMax: settings.keepaliveCountMax,
          algorithms: { serverHostKey: settings.verifier.preferredAlgorithms(endpoint.host, endpoint.port) },
          hostVerifier: (key: Buffer) => {
            verdict = settings.verifier.verify(endpoint.host, endpoint.port, key);
            this.hostKey = verdict; // hops connect in order: the last verdict is the target's
            return verdict.status === 'trusted' || verdict.status === 'accepted-new';
          },
          authHandler: auth.handler,
        });

      if (previous) {
        previous.client.forwardOut('127.0.0.1', 0, endpoint.host, endpoint.port, (error, channel) => (error ? reject(classifyConnectError(error, where)) : connect(channel)));
      } else {
        connect();
      }
      return () => timer.stop();
    });
  }
}

function collectOutput(channel: ClientChannel, limits: CommandLimits, done: (output: CommandOutput) => void): void {
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let truncated = false;
  let stderr = '';
  let exitCode: number | null = null;
  let exitSignal: string | null = null;
  channel.on('data', (chunk: Buffer) => {
    if (truncated) return;
    const room = limits.maxStdoutBytes - stdoutBytes;
    if (chunk.length > room) {
      stdout.push(chunk.subarray(0, room));
      stdoutBytes += room;
      truncated = true;
      if (!limits.readPastLimit) channel.close(); // stop the remote work; what we have is parsed as partial
      return;
    }
    stdout.push(chunk);
    stdoutBytes += chunk.length;
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < limits.maxStderrBytes) stderr += chunk.toString('utf8').slice(0, limits.maxStderrBytes - stderr.length);
  });
  channel.on('exit', (code: number | null, signal?: string) => {
    exitCode = code;
    exitSignal = signal ?? null;
  });
  channel.on('close', () => done({ stdout: Buffer.concat(stdout), truncated, stderr, exitCode, exitSignal }));
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;
