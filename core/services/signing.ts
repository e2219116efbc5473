/**
 * Approvers' keys: Ed25519 pairs made with node:crypto. The public key lives in the workspace (so
 * anyone holding it can verify an approval); the private key lives in the user's data folder, never
 * in the workspace, readable by its owner only and wrapped by the shell's KeyProtector (Electron's
 * safeStorage on the desktop; file permissions alone elsewhere).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StagecraftError } from '../domain/errors';

/** Wraps a private key at rest. `name` is recorded with the key so the wrong protector is named, not guessed. */
export interface KeyProtector {
  name: string;
  protect(secret: string): Buffer;
  unprotect(data: Buffer): string;
}

export const filePermissionsOnly: KeyProtector = {
  name: 'file-permissions',
  protect: (secret) => Buffer.from(secret, 'utf8'),
  unprotect: (data) => data.toString('utf8'),
};

/** sha256 of the key's DER encoding: short enough to read aloud, stable across PEM formatting. */
export function keyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

export function verifySignature(publicKeyPem: string, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signature, 'base64'));
  } catch {
    return false; // a malformed key or signature verifies nothing
  }
}

/** The PKCS#8 DER prefix of an Ed25519 private key (RFC 8410), followed by its 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A new key pair; from `seed` (32 bytes) always the same one, for fixtures such as the demo's people. */
export function generateKeyPair(seed?: Uint8Array): { publicKeyPem: string; privateKeyPem: string } {
  const privateKey = seed ? createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }) : generateKeyPairSync('ed25519').privateKey;
  return { publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export const signWith = (privateKeyPem: string, message: string): string => sign(null, Buffer.from(message, 'utf8'), createPrivateKey(privateKeyPem)).toString('base64');

/** The private keys of this machine's user, one file per key, named by the key's fingerprint. */
export class KeyRing {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly protector: KeyProtector = filePermissionsOnly,
  ) {
    this.dir = join(dataDir, 'keys');
  }

  private fileOf(publicKeyPem: string): string {
    return join(this.dir, `${keyFingerprint(publicKeyPem).slice('SHA256:'.length).replace(/\//g, '_').replace(/\+/g, '-')}.key`);
  }

  /** A new key pair (see generateKeyPair for `seed`); the private half is written here (mode 0600) and the public half returned. */
  generate(seed?: Uint8Array): { publicKeyPem: string; fingerprint: string } {
    const pair = generateKeyPair(seed);
    this.store(pair);
    return { publicKeyPem: pair.publicKeyPem, fingerprint: keyFingerprint(pair.publicKeyPem) };
  }

  private store(pair: { publicKeyPem: string; privateKeyPem: string }): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.fileOf(pair.publicKeyPem);
    const body = JSON.stringify({ format: 'stagecraft-private-key', protector: this.protector.name, data: this.protector.protect(pair.privateKeyPem).toString('base64') });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, body, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  }

  has(publicKeyPem: string): boolean {
    return existsSync(this.fileOf(publicKeyPem));
  }

  /** Signs with the private key matching `publicKeyPem`; a clear error when this machine does not hold it. */
  sign(publicKeyPem: string, message: string, owner: string): string {
    const file = this.fileOf(publicKeyPem);
    if (!existsSync(file)) {
      throw new StagecraftError('refused', `${owner}'s private key (${keyFingerprint(publicKeyPem)}) is not on this computer, so the decision cannot be signed.`, `Decide from the computer that holds it (${this.dir}), or give ${owner} a new key.`);
    }
    let stored: { protector?: string; data?: string };
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as typeof stored;
    } catch {
      throw new StagecraftError('io', `The key file ${file} is unreadable.`, `Give ${owner} a new key.`);
    }
    if (stored.protector !== this.protector.name || typeof stored.data !== 'string') {
      throw new StagecraftError('refused', `${owner}'s key was protected with ${stored.protector ?? 'an unknown method'}, which this app (${this.protector.name}) cannot open.`, 'Decide from the app that created the key, or give the person a new key.');
    }
    return signWith(this.protector.unprotect(Buffer.from(stored.data, 'base64')), message);
  }
}
