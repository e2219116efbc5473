import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshHostConnector, type CollectOptions } from './connector';
import { SshFailure } from './failures';
import { MemoryTrustStore } from './test-support/memory-trust-store';
import { freePort, generateKey, makeTempDir, startLatencyProxy, startSilentServer, TestSshd, type KeyPair } from './test-support/sshd';

const COLLECTOR = readFileSync(new URL('../../../resources/collector/collect.sh', import.meta.url), 'utf8');
const USER = userInfo().username;
const connector = new SshHostConnector();

let dir: string;
let clientKey: KeyPair;
let sshd: TestSshd;
let knownHosts: string;

/** Options that never read this machine's ~/.ssh, agent or known_hosts. */
function isolated(extra: Partial<CollectOptions> = {}): CollectOptions {
  return {
    collectorScript: COLLECTOR,
    sshConfigFile: null,
    agentSocket: null,
    identityFiles: [clientKey.privateFile],
    knownHostsFiles: [knownHosts],
    connectTimeoutMs: 5_000,
    ...extra,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<SshFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SshFailure) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dir = makeTempDir('ssh-test');
  clientKey = generateKey(dir, 'client_key');
  sshd = await TestSshd.start({ authorizedKeys: [clientKey.publicLine] });
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${sshd.knownHostsLine()}\n`);
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('SSH connector against a real sshd', () => {
  it('collects a snapshot through the real collector, uploading nothing', async () => {
    const phases: string[] = [];
    const result = await connector.collect({ host: '127.0.0.1', port: sshd.port, user: USER }, isolated({ watchGlobs: ['/etc/hostname', '/etc/os-release'], onPhase: (p) => phases.push(p) }));
    expect(phases).toEqual(['connecting', 'collecting', 'parsing']);
    expect(result.endpoint).toBe(`${USER}@127.0.0.1:${sshd.port}`);
    expect(result.hostKey).toMatchObject({ status: 'trusted', via: 'known-hosts', fingerprint: sshd.hostKey.fingerprint });
    expect(result.snapshot.source).toBe('ssh');
    expect(result.snapshot.packages.length).toBeGreaterThan(50);
    expect(result.snapshot.users.some((u) => u.name === 'root')).toBe(true);
    expect(result.snapshot.files.map((f) => f.path)).toContain('/etc/hostname');
    expect(result.snapshot.os.kernel).toBe(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
    expect(result.exitCode).toBe(0);
    expect(result.partial).toBe(false);
    expect(result.timings.connectMs).toBeGreaterThan(0);
  });

  it('refuses an unknown host key with its fingerprint, accepts it with accept-new, then trusts it', async () => {
    const emptyKnownHosts = join(dir, 'empty_known_hosts');
    writeFileSync(emptyKnownHosts, '');
    const store = new MemoryTrustStore();
    const target = { host: '127.0.0.1', port: sshd.port, user: USER };
    const unknown = await failureOf(connector.collect(target, isolated({ knownHostsFiles: [emptyKnownHosts], trustStore: store })));
    expect(unknown.kind).toBe('host-key-unknown');
    expect(unknown.fingerprint).toBe(sshd.hostKey.fingerprint);
    expect(unknown.message).toContain(sshd.hostKey.fingerprint);
    expect(unknown.hint).toMatch(/fingerprint/);
    expect(store.keys).toHaveLength(0);

    const accepted = await connector.collect(target, isolated({ knownHostsFiles: [emptyKnownHosts], trustStore: store, acceptNewHostKeys: true }));
    expect(accepted.hostKey.status).toBe('accepted-new');
    expect(store.keys).toEqual([expect.objectContaining({ host: '127.0.0.1', port: sshd.port, keyType: 'ssh-ed25519', fingerprint: sshd.hostKey.fingerprint })]);

    const again = await connector.collect(target, isolated({ knownHostsFiles: [emptyKnownHosts], trustStore: store }));
    expect(again.hostKey).toMatchObject({ status: 'trusted', via: 'trust-store' });
  });

  it('stops on a changed host key, even with accept-new', async () => {
    const store = new MemoryTrustStore();
    const emptyKnownHosts = join(dir, 'empty_known_hosts2');
    writeFileSync(emptyKnownHosts, '');
    const other = await TestSshd.start({ authorizedKeys: [clientKey.publicLine] });
    const target = { host: '127.0.0.1', port: other.port, user: USER };
    await connector.collect(target, isolated({ knownHostsFiles: [emptyKnownHosts], trustStore: store, acceptNewHostKeys: true }));
    const port = other.port;
    await other.stop();
    const rekeyed = await TestSshd.start({ authorizedKeys: [clientKey.publicLine], port, hostKey: generateKey(dir, 'new_host_key', 'ecdsa') });
    try {
      const changed = await failureOf(connector.collect(target, isolated({ knownHostsFiles: [emptyKnownHosts], trustStore: store, acceptNewHostKeys: true })));
      expect(changed.kind).toBe('host-key-changed');
      expect(changed.fingerprint).toBe(rekeyed.hostKey.fingerprint);
      expect(store.keys).toHaveLength(1);
    } finally {
      await rekeyed.stop();
    }
  });

  it('accepts a hashed known_hosts entry and refuses a @revoked key', async () => {
    const hashed = join(dir, 'hashed_known_hosts');
    writeFileSync(hashed, `${sshd.knownHostsLine()}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', hashed]);
    expect(readFileSync(hashed, 'utf8')).toMatch(/^\|1\|/);
    const result = await connector.collect({ host: '127.0.0.1', port: sshd.port, user: USER }, isolated({ knownHostsFiles: [hashed] }));
    expect(result.hostKey).toMatchObject({ status: 'trusted', via: 'known-hosts' });

    const revoked = join(dir, 'revoked_known_hosts');
    writeFileSync(revoked, `@revoked * ${sshd.hostKey.publicKey}\n${sshd.knownHostsLine()}\n`);
    const failure = await failureOf(connector.collect({ host: '127.0.0.1', port: sshd.port, user: USER }, isolated({ knownHostsFiles: [revoked] })));
    expect(failure.kind).toBe('host-key-revoked');
  });

  it('authenticates with a key held by ssh-agent', async () => {
    const socket = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(socket));
      execFileSync('ssh-add', ['-q', clientKey.privateFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
      const result = await connector.collect({ host: '127.0.0.1', port: sshd.port, user: USER }, isolated({ agentSocket: socket, identityFiles: [] }));
      expect(result.snapshot.packages.length).toBeGreaterThan(0);
    } finally {
      agent.kill();
    }
  });

  it('reports auth-failed with what was tried when the key is not authorised', async () => {
    const stranger = generateKey(dir, 'stranger_key');
    const failure = await failureOf(connector.collect({ host: '127.0.0.1', port: sshd.port, user: USER }, isolated({ identityFiles: [stranger.privateFile] })));
    expect(failure.kind).toBe('auth-failed');
    expect(failure.message).toContain(`key ${stranger.privateFile}`);
    expect(failure.hint).toMatch(/authorized_keys/);
  });

  it('asks the passphrase of an encrypted key through the callback', async () => {
    const encrypted = generateKey(dir, 'encrypted_key', 'ed25519', 'correct horse');
    const server = await TestSshd.start({ authorizedKeys: [encrypted.publicLine], hostKey: sshd.hostKey, port: await freePort() });
    try {
      const asked: string[] = [];
      const target = { host: '127.0.0.1', port: server.port, user: USER };
      const options = (answers: string[]) =>
        isolated({
          identityFiles: [encrypted.privateFile],
          knownHostsFiles: [writeKnownHosts('pp_known_hosts', server.knownHostsLine())],
          askPassphrase: async ({ keyFile }) => (asked.push(keyFile), answers.shift() ?? null),
        });
      const result = await connector.collect(target, options(['wrong', 'correct horse']));
      expect(result.snapshot.packages.length).toBeGreaterThan(0);
      expect(asked).toEqual([encrypted.privateFile, encrypted.privateFile]);
      const declined = await failureOf(connector.collect(target, options([])));
      expect(declined.kind).toBe('auth-failed');
      expect(declined.message).toContain('skipped');
    } finally {
      await server.stop();
    }
  });

  it('classifies a closed port as refused', async () => {
    const failure = await failureOf(connector.collect({ host: '127.0.0.1', port: await freePort(), user: USER }, isolated()));
    expect(failure.kind).toBe('refused');
    expect(failure.hint).toMatch(/sshd/);
  });

  it('times out within the configured seconds when nothing answers the SSH banner', async () => {
    const silent = await startSilentServer();
    try {
      const started = Date.now();
      const failure = await failureOf(connector.collect({ host: '127.0.0.1', port: silent.port, user: USER }, isolated({ connectTimeoutMs: 1_500 })));
      const elapsed = Date.now() - started;
      expect(failure.kind).toBe('timeout');
      expect(elapsed).toBeGreaterThanOrEqual(1_400);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });

  it('works over a slow link (40 ms each way)', async () => {
    const proxy = await startLatencyProxy(sshd.port, 40);
    try {
      const result = await connector.collect(
        { host: '127.0.0.1', port: proxy.port, user: USER },
        isolated({ knownHostsFiles: [writeKnownHosts('proxy_known_hosts', `[127.0.0.1]:${proxy.port} ${sshd.hostKey.publicKey}`)] }),
      );
      expect(result.snapshot.packages.length).toBeGreaterThan(0);
      expect(result.timings.connectMs).toBeGreaterThan(200); // several round trips of 80 ms
    } finally {
      await proxy.close();
    }
  });

  it('reaches a host through a ProxyJump host named in the ssh config', async () => {
    const jump = await TestSshd.start({ authorizedKeys: [clientKey.publicLine], extraConfig: 'LogLevel DEBUG1' });
    try {
      const config = join(dir, 'ssh_config');
      writeFileSync(
        config,
        [
          'Host target-*', // several blocks, first value wins
          `  HostName 127.0.0.1`,
          `  Port ${sshd.port}`,
          '  ProxyJump bastion',
          'Host bastion',
          `  HostName 127.0.0.1`,
          `  Port ${jump.port}`,
          `  User ${USER}`,
          'Host *',
          '  Port 1',
          `  User ${USER}`,
        ].join('\n'),
      );
      const known = writeKnownHosts('jump_known_hosts', `${sshd.knownHostsLine()}\n${jump.knownHostsLine()}`);
      const result = await connector.collect({ host: 'target-db' }, isolated({ sshConfigFile: config, knownHostsFiles: [known] }));
      expect(result.endpoint).toBe(`${USER}@127.0.0.1:${sshd.port}`);
      expect(result.snapshot.packages.length).toBeGreaterThan(0);
      expect(jump.output).toMatch(new RegExp(`target 127\\.0\\.0\\.1 port ${sshd.port}`));
    } finally {
      await jump.stop();
    }
  });

  it('cancels an in-flight collection by closing the connection', async () => {
    const proxy = await startLatencyProxy(sshd.port, 150);
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 700);
      const failure = await failureOf(
        connector.collect(
          { host: '127.0.0.1', port: proxy.port, user: USER },
          isolated({ knownHostsFiles: [writeKnownHosts('cancel_known_hosts', `[127.0.0.1]:${proxy.port} ${sshd.hostKey.publicKey}`)] }),
          controller.signal,
        ),
      );
      expect(failure.kind).toBe('cancelled');
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await proxy.close();
    }
  });

  it('notices a dead link within seconds through keepalives', async () => {
    const proxy = await startLatencyProxy(sshd.port, 0);
    try {
      let frozenAt = 0;
      const failure = await failureOf(
        connector.collect(
          { host: '127.0.0.1', port: proxy.port, user: USER },
          isolated({
            knownHostsFiles: [writeKnownHosts('dead_known_hosts', `[127.0.0.1]:${proxy.port} ${sshd.hostKey.publicKey}`)],
            keepaliveIntervalMs: 500,
            keepaliveCountMax: 2,
            // The collector itself would finish: a 10 s sleep first keeps the link idle until it dies.
            collectorScript: `sleep 10\n${COLLECTOR}`,
            onPhase: (phase) => {
              if (phase === 'collecting') {
                proxy.freeze();
                frozenAt = Date.now();
              }
            },
          }),
        ),
      );
      expect(failure.kind).toBe('timeout');
      expect(failure.message).toMatch(/stopped answering/);
      expect(Date.now() - frozenAt).toBeLessThan(3_000);
    } finally {
      await proxy.close();
    }
  });

  it('marks output cut at the limit as partial, and a failing command as command-failed', async () => {
    const target = { host: '127.0.0.1', port: sshd.port, user: USER };
    const cut = await connector.collect(target, isolated({ maxOutputBytes: 4_000 }));
    expect(cut.partial).toBe(true);
    expect(cut.outputBytes).toBe(4_000);
    expect(cut.warnings.join('\n')).toMatch(/truncated|cut/);

    const failed = await failureOf(connector.collect(target, isolated({ collectorScript: 'echo "no such tool" >&2; exit 3\n' })));
    expect(failed.kind).toBe('command-failed');
    expect(failed.message).toContain('status 3');
    expect(failed.message).toContain('no such tool');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function writeKnownHosts(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, `${text}\n`);
  return file;
}

describe('reserved names', () => {
  it('fails a .invalid host as unreachable without asking any resolver', async () => {
    const started = Date.now();
    const error = await connector.collect({ host: 'pay-web-prd-01.demo.invalid' }, { collectorScript: COLLECTOR, sshConfigFile: null, agentSocket: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshFailure);
    expect(error).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/reserved \.invalid name/) });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
