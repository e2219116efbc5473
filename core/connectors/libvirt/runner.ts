/**
 * How virsh runs: here, as a child process with an argument array (never a shell), or on a remote
 * host through the SSH connector's session, every word quoted with shellQuote. A remote
 * hypervisor can also be reached with a qemu+ssh:// URI and the local runner: then virsh itself
 * runs ssh (the user's ssh config, agent and known_hosts apply, not the workspace's trust store).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionTo, type SessionOptions } from '../ssh/connector';
import { SshFailure } from '../ssh/failures';
import { describeEndpoint, resolveRoute, type SshTarget } from '../ssh/route';
import type { SshSession } from '../ssh/session';
import { shellCommand, shellQuote } from '../ssh/shell-quote';
import { classifyVirshError, LibvirtFailure } from './failures';

export const VIRSH_DEFAULTS = {
  /** One virsh call (an inventory is many). */
  timeoutMs: 30_000,
  /** A revert or a clone of a big disk takes longer. */
  changeTimeoutMs: 300_000,
  maxOutputBytes: 16 * 1024 * 1024,
  maxStderrBytes: 8192,
} as const;

export interface VirshRunOptions {
  /**
   * The document a `/dev/stdin` argument stands for (`define --file /dev/stdin`). Over SSH it is
   * the remote command's stdin; here it is written to a private temporary file (0600, removed
   * afterwards) whose path replaces `/dev/stdin`, because Node gives a child a socket, not a pipe,
   * as stdin and virsh cannot open() a socket.
   */
  stdin?: string;
  timeoutMs?: number;
  /** For messages: "dumpxml web-01". */
  what?: string;
}

export interface VirshRunner {
  /** The libvirt URI virsh connects to. */
  readonly uri: string;
  /** For messages and audit: where virsh runs and what it connects to. */
  readonly where: string;
  /** Runs `virsh -c URI ARGS…`; resolves with stdout when it exits 0, otherwise rejects with a LibvirtFailure. */
  run(args: readonly string[], options?: VirshRunOptions): Promise<string>;
  /** The exact command, quoted for display (and, for SSH, exactly what the remote shell runs). */
  display(args: readonly string[]): string;
  /**
   * Why another tool (qemu-img) cannot run on the hypervisor's host through this runner, or null:
   * the disks of qemu:///system are files of that host, not reachable through virsh alone.
   */
  hostAccess(): string | null;
  /**
   * Runs `argv` (argv[0] the tool) where this runner's commands run; stdout when it exits 0, otherwise a
   * LibvirtFailure. That is the hypervisor's host only when hostAccess() is null: LibvirtHypervisor
   * refuses a plan with host commands otherwise, before it reads or runs anything.
   */
  runOnHost(argv: readonly string[], options?: { timeoutMs?: number; what?: string }): Promise<string>;
  /** The exact host command, quoted for display. */
  displayOnHost(argv: readonly string[]): string;
  close(): void;
}

/**
 * Why host commands cannot reach the URI's disks, or null when its daemon runs where they run: this
 * machine, or the SSH host (`sshHost`) virsh runs on.
 */
export function hostCommandAccess(uri: string, sshHost?: string): string | null {
  const parsed = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/([^/?]*)/i.exec(uri);
  if (!parsed) return `${uri} is not a libvirt URI this runner understands`;
  const [, driver, transport, host] = parsed;
  if (driver === 'test') return `${uri} is libvirt's test driver: its disks are not real files`;
  if ((host ?? '') !== '' || (transport !== undefined && transport !== 'unix')) {
    return sshHost === undefined
      ? `${uri} reaches another host through virsh only: register the hypervisor with an SSH target so disk files can be copied there`
      : `${uri} reaches another host than ${sshHost}, where the host commands run: register the hypervisor with its own host as SSH target and a local URI (qemu:///system)`;
  }
  return null;
}

const hostFailure = (where: string, what: string, stderr: string) => new LibvirtFailure('operation-failed', `${where}: ${what} failed: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);

/** Quotes a word for display only when it needs it: plain words stay readable. */
export function displayWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shellQuote(word);
}

export const virshArgv = (uri: string, args: readonly string[]): string[] => ['-c', uri, ...args];

/** Runs the virsh found on PATH (or `binary`) on this machine. */
export class LocalVirshRunner implements VirshRunner {
  readonly where: string;

  constructor(
    readonly uri: string,
    private readonly binary = 'virsh',
  ) {
    this.where = uri;
  }

  display(args: readonly string[]): string {
    return [this.binary, ...virshArgv(this.uri, args)].map(displayWord).join(' ');
  }

  hostAccess(): string | null {
    return hostCommandAccess(this.uri);
  }

  displayOnHost(argv: readonly string[]): string {
    return argv.map(displayWord).join(' ');
  }

  async runOnHost(argv: readonly string[], options: { timeoutMs?: number; what?: string } = {}): Promise<string> {
    const what = options.what ?? argv.slice(0, 2).join(' ');
    return this.spawn(argv[0]!, argv.slice(1), options.timeoutMs ?? VIRSH_DEFAULTS.changeTimeoutMs, what, (stderr) => hostFailure(this.where, what, stderr));
  }

  async run(args: readonly string[], options: VirshRunOptions = {}): Promise<string> {
    if (options.stdin === undefined) return this.exec(args, options);
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-virsh-'));
    try {
      const file = join(dir, 'document.xml');
      writeFileSync(file, options.stdin, { mode: 0o600 });
      return await this.exec(
        args.map((a) => (a === '/dev/stdin' ? file : a)),
        options,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private exec(args: readonly string[], options: VirshRunOptions): Promise<string> {
    const what = options.what ?? args.slice(0, 2).join(' ');
    return this.spawn(this.binary, virshArgv(this.uri, args), options.timeoutMs ?? VIRSH_DEFAULTS.timeoutMs, what, (stderr) => classifyVirshError(stderr, this.where, what));
  }

  private spawn(binary: string, argv: readonly string[], timeoutMs: number, what: string, failure: (stderr: string) => LibvirtFailure): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        binary,
        argv,
        {
          timeout: timeoutMs,
          killSignal: 'SIGKILL',
          maxBuffer: VIRSH_DEFAULTS.maxOutputBytes,
          encoding: 'utf8',
          // English messages (classification) and no locale in numbers; never a pager or editor.
          env: { ...process.env, LC_ALL: 'C', LANG: 'C', VIRSH_PAGER: 'cat', EDITOR: 'false', VISUAL: 'false' },
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const { code, killed, signal } = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          if (code === 'ENOENT') return reject(binary === this.binary ? new LibvirtFailure('virsh-missing', `${binary} is not installed on this machine`) : new LibvirtFailure('operation-failed', `${binary} is not installed on this machine`, 'apt-get install qemu-utils'));
          if (killed || signal === 'SIGKILL') return reject(new LibvirtFailure('timeout', `${this.where}: ${what} did not finish within ${seconds(timeoutMs)}`));
          if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return reject(new LibvirtFailure('invalid-output', `${this.where}: ${what} printed more than ${VIRSH_DEFAULTS.maxOutputBytes} bytes`));
          reject(failure(String(stderr).slice(0, VIRSH_DEFAULTS.maxStderrBytes)));
        },
      );
      child.stdin?.on('error', () => undefined);
      child.stdin?.end();
    });
  }

  close(): void {}
}

export interface SshVirshOptions extends SessionOptions {
  /** The remote virsh; default "virsh" on the remote PATH. */
  binary?: string;
}

/**
 * Runs virsh on a remote host through one SSH session (opened on first use, host key verified
 * like a scan's), so qemu:///system there needs no libvirt port open to this workstation.
 */
export class SshVirshRunner implements VirshRunner {
  readonly where: string;
  private session: Promise<SshSession> | undefined;
  private readonly endpoint: string;

  constructor(
    private readonly target: SshTarget,
    readonly uri: string,
    private readonly options: SshVirshOptions = {},
  ) {
    const route = resolveRoute(target, options);
    this.endpoint = describeEndpoint(route.hops[route.hops.length - 1]!);
    this.where = `${this.endpoint} ${uri}`;
  }

  /** What the remote shell runs: every word quoted, so no name is ever read as shell syntax. */
  remoteCommand(args: readonly string[]): string {
    return shellCommand(['env', 'LC_ALL=C', this.options.binary ?? 'virsh', ...virshArgv(this.uri, args)]);
  }

  display(args: readonly string[]): string {
    return `ssh ${this.endpoint} ${this.remoteCommand(args)}`;
  }

  hostAccess(): string | null {
    return hostCommandAccess(this.uri, this.endpoint);
  }

  displayOnHost(argv: readonly string[]): string {
    return `ssh ${this.endpoint} ${shellCommand(['env', 'LC_ALL=C', ...argv])}`;
  }

  async runOnHost(argv: readonly string[], options: { timeoutMs?: number; what?: string } = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? VIRSH_DEFAULTS.changeTimeoutMs;
    const what = options.what ?? argv.slice(0, 2).join(' ');
    const output = await this.exchange(shellCommand(['env', 'LC_ALL=C', ...argv]), '', what, timeoutMs);
    if (output.exitCode === 127) throw new LibvirtFailure('operation-failed', `${this.endpoint}: ${argv[0]} is not installed there`, output.stderr);
    if (output.exitCode !== 0) throw hostFailure(this.where, what, output.stderr);
    return output.stdout.toString('utf8');
  }

  private connect(): Promise<SshSession> {
    if (!this.session) {
      // Host keys verified and timeouts set as for a scan's session.
      const { route, session } = sessionTo(this.target, this.options);
      this.session = session.connect(route.hops).then(() => session);
      this.session.catch(() => (this.session = undefined)); // a failed session is one-shot: the next call reconnects
    }
    return this.session;
  }

  private async exchange(command: string, stdin: string, what: string, timeoutMs: number) {
    let session: SshSession;
    try {
      session = await this.connect();
    } catch (error) {
      throw sshToLibvirt(error, this.where);
    }
    let output;
    try {
      output = await session.run(command, stdin, { timeoutMs, maxStdoutBytes: VIRSH_DEFAULTS.maxOutputBytes, maxStderrBytes: VIRSH_DEFAULTS.maxStderrBytes, what });
    } catch (error) {
      this.session = undefined;
      throw sshToLibvirt(error, this.where, what, timeoutMs);
    }
    if (output.truncated) throw new LibvirtFailure('invalid-output', `${this.where}: ${what} printed more than ${VIRSH_DEFAULTS.maxOutputBytes} bytes`);
    return output;
  }

  async run(args: readonly string[], options: VirshRunOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? VIRSH_DEFAULTS.timeoutMs;
    const what = options.what ?? args.slice(0, 2).join(' ');
    const output = await this.exchange(this.remoteCommand(args), options.stdin ?? '', what, timeoutMs);
    if (output.exitCode === 127) throw new LibvirtFailure('virsh-missing', `${this.endpoint}: virsh is not installed there`, output.stderr);
    if (output.exitCode !== 0) throw classifyVirshError(output.stderr, this.where, what);
    return output.stdout.toString('utf8');
  }

  close(): void {
    const pending = this.session;
    this.session = undefined;
    void pending?.then((s) => s.close()).catch(() => undefined);
  }
}

function sshToLibvirt(error: unknown, where: string, what?: string, timeoutMs?: number): Error {
  if (!(error instanceof SshFailure)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'timeout' && what && timeoutMs) return new LibvirtFailure('timeout', `${where}: ${what} did not finish within ${seconds(timeoutMs)}`, error.message);
  // Host-key and authentication failures keep their own kind and remedy: the user acts on SSH there.
  if (error.kind.startsWith('host-key') || error.kind === 'auth-failed' || error.kind === 'cancelled') return error;
  return new LibvirtFailure('unreachable', `${where}: ${error.message}`, error.hint);
}

const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(1))} s`;
