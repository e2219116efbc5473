import type { HostKeyTrustStore, TrustedHostKey } from '../host-keys';

/** Test-only: the trust store in memory. */
export class MemoryTrustStore implements HostKeyTrustStore {
  readonly keys: (TrustedHostKey & { fingerprint: string })[] = [];

  trustedKeys(host: string, port: number): TrustedHostKey[] {
    return this.keys.filter((key) => key.host === host && key.port === port);
  }

  trust(key: TrustedHostKey & { fingerprint: string }): void {
    this.keys.push(key);
  }
}
