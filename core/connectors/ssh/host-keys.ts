/**
 * Host key verification: the user's OpenSSH known_hosts files and the workspace's own trust store
 * together. A key either file or store trusts is accepted; a different key where one is known is
 * "changed" and stops the connection; an unknown host is refused unless the caller accepts new
 * keys, which then go into the trust store (never into the user's known_hosts).
 */
import { readFileSync } from 'node:fs';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { entryMatches, keyTypeOf, knownHostsName, parseKnownHosts, sha256Fingerprint, type KnownHostEntry } from './known-hosts';

export interface TrustedHostKey {
  host: string;
  port: number;
  keyType: string;
  keyBase64: string;
}

/** The workspace's trust store as the connector needs it (core/store's HostKeyRepository via the service). */
export interface HostKeyTrustStore {
  trustedKeys(host: string, port: number): readonly TrustedHostKey[];
  trust(key: TrustedHostKey & { fingerprint: string }): void;
}

export interface PresentedKey {
  keyType: string;
  fingerprint: string;
}

export type HostKeyVerdict =
  | (PresentedKey & { status: 'trusted'; via: 'known-hosts' | 'trust-store' })
  | (PresentedKey & { status: 'accepted-new' })
  | (PresentedKey & { status: 'unknown' | 'changed' | 'revoked'; detail: string });

/** OpenSSH key type → the host key algorithms that prove it, most preferred first. */
const ALGORITHMS_OF_KEY_TYPE: Readonly<Record<string, readonly ServerHostKeyAlgorithm[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
const DEFAULT_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = Object.values(ALGORITHMS_OF_KEY_TYPE).flat();

export class HostKeyVerifier {
  private constructor(
    private readonly knownHosts: readonly KnownHostEntry[],
    private readonly trustStore: HostKeyTrustStore | undefined,
    private readonly acceptNew: boolean,
  ) {}

  /** Reads the known_hosts files that exist (a missing file is not an error, as in OpenSSH). */
  static load(knownHostsFiles: readonly string[], trustStore: HostKeyTrustStore | undefined, acceptNew: boolean): HostKeyVerifier {
    const entries = knownHostsFiles.flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return [];
      }
      return parseKnownHosts(text, file);
    });
    return new HostKeyVerifier(entries, trustStore, acceptNew);
  }

  private trusted(host: string, port: number): { keyType: string; keyBase64: string; via: 'known-hosts' | 'trust-store'; revoked: boolean }[] {
    const fromFiles = this.knownHosts
      .filter((entry) => entryMatches(entry, host, port))
      .map((entry) => ({ keyType: entry.keyType, keyBase64: entry.keyBase64, via: 'known-hosts' as const, revoked: entry.marker === 'revoked' }));
    const fromStore = (this.trustStore?.trustedKeys(host, port) ?? []).map((key) => ({ keyType: key.keyType, keyBase64: key.keyBase64, via: 'trust-store' as const, revoked: false }));
    return [...fromFiles, ...fromStore];
  }

  /**
   * Host key algorithms to offer, known key types first: like OpenSSH, so that a host known by its
   * RSA key is not reported as changed just because it also has an ed25519 key we would prefer.
   */
  preferredAlgorithms(host: string, port: number): ServerHostKeyAlgorithm[] {
    const knownTypes = new Set(this.trusted(host, port).filter((key) => !key.revoked).map((key) => key.keyType));
    const first = DEFAULT_ALGORITHMS.filter((algorithm) => [...knownTypes].some((type) => ALGORITHMS_OF_KEY_TYPE[type]?.includes(algorithm)));
    return [...first, ...DEFAULT_ALGORITHMS.filter((algorithm) => !first.includes(algorithm))];
  }

  verify(host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
    const presented: PresentedKey = { keyType: keyTypeOf(keyBlob), fingerprint: sha256Fingerprint(keyBlob) };
    const keyBase64 = keyBlob.toString('base64');
    const name = knownHostsName(host, port);
    const trusted = this.trusted(host, port);
    const same = trusted.filter((key) => key.keyType === presented.keyType && key.keyBase64 === keyBase64);
    if (same.some((key) => key.revoked)) return { ...presented, status: 'revoked', detail: `the ${presented.keyType} key of ${name} (${presented.fingerprint}) is marked @revoked` };
    const match = same[0];
    if (match) return { ...presented, status: 'trusted', via: match.via };
    // Known types are offered first (preferredAlgorithms), so any other key where keys are known is a change.
    if (trusted.some((key) => !key.revoked)) {
      return { ...presented, status: 'changed', detail: `${name} presented ${presented.keyType} key ${presented.fingerprint}, which differs from the trusted key` };
    }
    if (!this.acceptNew) {
      return { ...presented, status: 'unknown', detail: `the authenticity of ${name} cannot be established: ${presented.keyType} key fingerprint is ${presented.fingerprint}` };
    }
    // Without a trust store (a one-off CLI collect) the key is trusted for this connection only.
    this.trustStore?.trust({ host, port, keyType: presented.keyType, keyBase64, fingerprint: presented.fingerprint });
    return { ...presented, status: 'accepted-new' };
  }
}
