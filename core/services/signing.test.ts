import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKeyPair, keyFingerprint, KeyRing, verifySignature, type KeyProtector } from './signing';

/** A protector like the desktop's: the key file holds ciphertext only (AES-GCM with a key held in memory). */
function aesProtector(): KeyProtector {
  const key = randomBytes(32);
  return {
    name: 'test-aes-gcm',
    protect: (secret) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unprotect: (data) => {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('signing keys', () => {
  it('signs with a private key kept in a 0600 file, wrapped by the protector, and verifies with the public key only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-keys-'));
    const ring = new KeyRing(dir, aesProtector());
    const { publicKeyPem, fingerprint } = ring.generate();
    expect(fingerprint).toBe(keyFingerprint(publicKeyPem));
    const [file] = readdirSync(ring.dir);
    expect(statSync(join(ring.dir, file!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(ring.dir, file!), 'utf8')).not.toContain('PRIVATE KEY');
    const signature = ring.sign(publicKeyPem, '{"a":1}', 'Ada');
    expect(verifySignature(publicKeyPem, '{"a":1}', signature)).toBe(true);
    expect(verifySignature(publicKeyPem, '{"a":2}', signature)).toBe(false);
    expect(verifySignature(generateKeyPair().publicKeyPem, '{"a":1}', signature)).toBe(false);
    expect(verifySignature(publicKeyPem, '{"a":1}', 'not base64 at all')).toBe(false);
  });

  it('makes the same key from the same seed (the demo’s people), replacing its file rather than adding one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-keys-'));
    const ring = new KeyRing(dir);
    const seed = new Uint8Array(32).fill(7);
    const first = ring.generate(seed);
    expect(ring.generate(seed)).toEqual(first);
    expect(ring.generate().fingerprint).not.toBe(first.fingerprint);
    expect(readdirSync(ring.dir)).toHaveLength(2);
    expect(verifySignature(first.publicKeyPem, 'x', ring.sign(first.publicKeyPem, 'x', 'Demo'))).toBe(true);
  });

  it('names what is wrong: a key that is not on this computer, or protected by another app', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-keys-'));
    const elsewhere = generateKeyPair();
    expect(() => new KeyRing(dir).sign(elsewhere.publicKeyPem, 'x', 'Ada')).toThrow(/Ada's private key \(SHA256:.*\) is not on this computer/);
    const desktop = new KeyRing(dir, aesProtector());
    const { publicKeyPem } = desktop.generate();
    expect(() => new KeyRing(dir).sign(publicKeyPem, 'x', 'Ada')).toThrow(/protected with test-aes-gcm, which this app \(file-permissions\) cannot open/);
  });
});
