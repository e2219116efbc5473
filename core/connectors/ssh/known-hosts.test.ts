import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostKeyVerifier } from './host-keys';
import { entryMatches, hashKnownHostsName, keyTypeOf, parseKnownHosts, sha256Fingerprint } from './known-hosts';
import { MemoryTrustStore } from './test-support/memory-trust-store';

/** An SSH public key blob: string type, then key material. */
function blob(type: string, material: string): Buffer {
  const typeBytes = Buffer.from(type);
  const body = Buffer.from(material);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(typeBytes.length);
  const bodyHeader = Buffer.alloc(4);
  bodyHeader.writeUInt32BE(body.length);
  return Buffer.concat([header, typeBytes, bodyHeader, body]);
}

const KEY_A = blob('ssh-ed25519', 'a'.repeat(32));
const KEY_B = blob('ssh-ed25519', 'b'.repeat(32));
const KEY_RSA = blob('ssh-rsa', 'r'.repeat(64));
const line = (hosts: string, key: Buffer) => `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;

describe('known_hosts', () => {
  it('matches plain, [host]:port, wildcard, negated and hashed entries', () => {
    const salt = randomBytes(20);
    const entries = parseKnownHosts(
      [
        '# comment',
        line('db1,10.0.0.5', KEY_A),
        line('[db2]:2222', KEY_A),
        line('*.prod,!secret.prod', KEY_A),
        line(hashKnownHostsName('[hashed]:2200', salt), KEY_A),
        '@cert-authority *.prod ssh-ed25519 AAAA',
        'garbage',
      ].join('\n'),
      'kh',
    );
    expect(entries).toHaveLength(4);
    const [plain, bracketed, wildcard, hashed] = entries as [typeof entries[0], typeof entries[0], typeof entries[0], typeof entries[0]];
    expect(entryMatches(plain, '10.0.0.5', 22)).toBe(true);
    expect(entryMatches(plain, 'db1', 2222)).toBe(false); // a non-standard port needs [db1]:2222
    expect(entryMatches(bracketed, 'db2', 2222)).toBe(true);
    expect(entryMatches(wildcard, 'web.prod', 22)).toBe(true);
    expect(entryMatches(wildcard, 'secret.prod', 22)).toBe(false);
    expect(entryMatches(hashed, 'hashed', 2200)).toBe(true);
    expect(entryMatches(hashed, 'hashed', 22)).toBe(false);
  });

  it('fingerprints like ssh-keygen and reads the key type from the blob', () => {
    expect(sha256Fingerprint(KEY_A)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(keyTypeOf(KEY_RSA)).toBe('ssh-rsa');
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown');
  });
});

describe('HostKeyVerifier', () => {
  const verifier = (text: string, store?: MemoryTrustStore, acceptNew = false) => {
    const file = join(mkdtempSync(join(tmpdir(), 'stagecraft-kh-')), 'known_hosts');
    writeFileSync(file, text);
    return HostKeyVerifier.load([file, `${file}.missing`], store, acceptNew);
  };

  it('trusts, refuses changed and revoked keys, and offers known key types first', () => {
    const v = verifier(`${line('db1', KEY_RSA)}\n@revoked ${line('*', KEY_B)}`);
    expect(v.verify('db1', 22, KEY_RSA)).toMatchObject({ status: 'trusted', via: 'known-hosts' });
    expect(v.verify('db1', 22, KEY_A)).toMatchObject({ status: 'changed' });
    expect(v.verify('other', 22, KEY_B)).toMatchObject({ status: 'revoked' });
    expect(v.verify('other', 22, KEY_A)).toMatchObject({ status: 'unknown', fingerprint: sha256Fingerprint(KEY_A) });
    expect(v.preferredAlgorithms('db1', 22).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(v.preferredAlgorithms('nobody', 22)[0]).toBe('ssh-ed25519');
  });

  it('accepts a new key into the trust store only when asked, never a changed one', () => {
    const store = new MemoryTrustStore();
    expect(verifier('', store, true).verify('db1', 22, KEY_A)).toMatchObject({ status: 'accepted-new' });
    expect(store.keys).toHaveLength(1);
    expect(verifier('', store, true).verify('db1', 22, KEY_B)).toMatchObject({ status: 'changed' });
    expect(verifier('', store, false).verify('db1', 22, KEY_A)).toMatchObject({ status: 'trusted', via: 'trust-store' });
    expect(store.keys).toHaveLength(1);
  });
});
