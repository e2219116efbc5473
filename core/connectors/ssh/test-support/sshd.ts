/**
 * Test-only: real OpenSSH servers on 127.0.0.1 (their own host key, config and pid file in a
 * temporary directory), keys made with ssh-keygen, and TCP helpers for the failure cases.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD_BINARY = '/usr/sbin/sshd';

export function makeTempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `stagecraft-${prefix}-`));
}

export interface KeyPair {
  privateFile: string;
  /** The public key line: "ssh-ed25519 AAAA… comment". */
  publicLine: string;
  /** "ssh-ed25519 AAAA…" without the comment, as known_hosts holds it. */
  publicKey: string;
  fingerprint: string;
}

export function generateKey(dir: string, name: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', passphrase = ''): KeyPair {
  const privateFile = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', passphrase, '-C', name, '-f', privateFile]);
  const publicLine = readFileSync(`${privateFile}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${privateFile}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { privateFile, publicLine, publicKey: publicLine.split(' ').slice(0, 2).join(' '), fingerprint };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestSshdOptions {
  authorizedKeys: readonly string[];
  hostKey?: KeyPair;
  port?: number;
  extraConfig?: string;
}

/** `sshd -D -e -f CONFIG` on 127.0.0.1; the current user logs in with one of `authorizedKeys`. */
export class TestSshd {
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly hostKey: KeyPair,
    private readonly process: ChildProcess,
    private readonly log: () => string,
  ) {}

  static async start(options: TestSshdOptions): Promise<TestSshd> {
    const dir = makeTempDir('sshd');
    // sshd refuses to start without its privilege separation directory (no service created it here).
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const hostKey = options.hostKey ?? generateKey(dir, 'host_key');
    const port = options.port ?? (await freePort());
    writeFileSync(join(dir, 'authorized_keys'), `${options.authorizedKeys.join('\n')}\n`, { mode: 0o600 });
    const config = join(dir, 'sshd_config');
    writeFileSync(
      config,
      [
        options.extraConfig ?? '', // first: sshd keeps the first value of a keyword too
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey.privateFile}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'AllowTcpForwarding yes',
        'MaxStartups 100:30:200',
        'LogLevel INFO',
      ].join('\n'),
    );
    const child = spawn(SSHD_BINARY, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s:\n${log}`)), 10_000);
      const check = () => {
        if (/Server listening on/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited with ${code}:\n${log}`));
      });
    });
    return new TestSshd(dir, port, hostKey, child, () => log);
  }

  get output(): string {
    return this.log();
  }

  /** A known_hosts line for this server (the [127.0.0.1]:port form). */
  knownHostsLine(host = '127.0.0.1'): string {
    return `[${host}]:${this.port} ${this.hostKey.publicKey}`;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TCP server that accepts and never says anything: an SSH client waits for a banner forever. */
export async function startSilentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, close: () => closeServer(server, sockets) };
}

/**
 * A TCP proxy to 127.0.0.1:targetPort that delays every chunk by `delayMs` in each direction.
 * `freeze()` makes it a dead link: connections stay open, nothing gets through any more.
 */
export async function startLatencyProxy(targetPort: number, delayMs: number): Promise<{ port: number; freeze: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const delayed = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => !frozen && to.writable && to.write(chunk), delayMs));
    from.on('end', () => setTimeout(() => to.end(), delayMs));
    from.on('error', () => to.destroy());
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, freeze: () => (frozen = true), close: () => closeServer(server, sockets) };
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
