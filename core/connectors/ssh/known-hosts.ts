/**
 * OpenSSH known_hosts files: plain and hashed (`|1|salt|hash`) host fields, `[host]:port` names,
 * wildcard and negated patterns, and the @revoked marker. @cert-authority lines are skipped:
 * Stagecraft does not verify host certificates.
 */
import { createHash, createHmac } from 'node:crypto';
import { matchPatternList } from '../../domain/ssh-config';

export interface KnownHostEntry {
  marker: 'revoked' | null;
  /** Plain patterns (comma-separated in the file), or null for a hashed entry. */
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  keyBase64: string;
  source: string; // "file:line"
}

export function parseKnownHosts(text: string, sourceName: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name !== '@revoked') return; // @cert-authority: not used by Stagecraft
      marker = 'revoked';
    }
    const [hosts, keyType, keyBase64] = fields;
    if (hosts === undefined || keyType === undefined || keyBase64 === undefined) return;
    const hashedMatch = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    entries.push({
      marker,
      patterns: hashedMatch ? null : hosts.split(','),
      hashed: hashedMatch ? { salt: Buffer.from(hashedMatch[1]!, 'base64'), hash: Buffer.from(hashedMatch[2]!, 'base64') } : null,
      keyType,
      keyBase64,
      source: `${sourceName}:${index + 1}`,
    });
  });
  return entries;
}

/** How OpenSSH names a host in known_hosts: the bare name on port 22, `[name]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) {
    const digest = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return digest.length === entry.hashed.hash.length && digest.equals(entry.hashed.hash);
  }
  return matchPatternList(entry.patterns ?? [], name);
}

/** `SHA256:…` as ssh-keygen -l prints it: unpadded base64 of the key blob's sha256. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH public key blob (ssh-ed25519, ssh-rsa…). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return length > 0 && 4 + length <= keyBlob.length ? keyBlob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

/** A hashed known_hosts host field for `name` (what `ssh-keygen -H` writes), e.g. for tests or export. */
export function hashKnownHostsName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}
