/**
 * Host-specific values inside facts and file contents, replaced by placeholders before comparing:
 * two hosts whose /etc/hosts or postfix main.cf differ only by their own name, address or machine-id
 * do not drift. An image keeps the placeholders; rendering them back for a given host is the inverse.
 */
import type { FileFact, HostIdentity } from './facts';

export const PLACEHOLDERS = {
  fqdn: '{{fqdn}}',
  hostname: '{{hostname}}',
  machineId: '{{machine-id}}',
  ip: '{{ip}}',
  mac: '{{mac}}',
} as const;

/** Literal text to find and the placeholder that replaces it. */
export interface Substitution {
  find: string;
  placeholder: string;
}

/**
 * What to normalise besides nothing: the host's own identity (default on) and further literal values
 * that differ by environment, e.g. `{ domain: 'staging.example.com' }` → `{{domain}}`.
 */
export interface NormaliserContext {
  identity?: boolean;
  values?: Readonly<Record<string, string>>;
  /**
   * The text of a file whose snapshot was loaded without contents (the store's fast path), asked for
   * only when its hash differs from the one it is compared with; undefined when it is not available.
   */
  loadContent?: (file: FileFact) => string | undefined;
}

export const DEFAULT_NORMALISER: NormaliserContext = Object.freeze({ identity: true });

/**
 * Values shorter than this are not replaced: a host called "db" would otherwise turn every `[db]`
 * section of every config into a placeholder.
 */
const MIN_TOKEN_LENGTH = 3;

const SHARED_ADDRESSES = new Set(['::1', '0.0.0.0', '::']);
const isHostSpecificAddress = (address: string) => !SHARED_ADDRESSES.has(address) && !address.startsWith('127.');
/** The loopback interface's all-zero "MAC" is everyone's. */
const isHostSpecificMac = (mac: string) => !/^0{1,2}(:0{1,2}){5}$/.test(mac);

/** The substitutions for one host, longest first so an fqdn is replaced before the hostname inside it. */
export function substitutionsFor(host: HostIdentity | undefined, context: NormaliserContext = DEFAULT_NORMALISER): Substitution[] {
  const found = new Map<string, string>();
  const add = (find: string | undefined, placeholder: string) => {
    if (find === undefined || find.length < MIN_TOKEN_LENGTH || found.has(find)) return;
    found.set(find, placeholder);
  };
  if (host && context.identity !== false) {
    add(host.fqdn, PLACEHOLDERS.fqdn);
    add(host.hostname, PLACEHOLDERS.hostname);
    add(host.hostname.toLowerCase(), PLACEHOLDERS.hostname);
    add(host.machineId, PLACEHOLDERS.machineId);
    for (const address of host.addresses) if (isHostSpecificAddress(address)) add(address, PLACEHOLDERS.ip);
    for (const mac of host.macs.filter(isHostSpecificMac)) {
      add(mac.toLowerCase(), PLACEHOLDERS.mac);
      add(mac.toUpperCase(), PLACEHOLDERS.mac);
    }
  }
  for (const [name, value] of Object.entries(context.values ?? {})) add(value, `{{${name}}}`);
  return [...found].map(([find, placeholder]) => ({ find, placeholder })).sort((a, b) => b.find.length - a.find.length);
}

/** Characters that continue a name, number or address: a match next to one is part of something longer. */
function continuesToken(code: number): boolean {
  return (
    (code >= 48 && code <= 57) || // 0-9
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    code === 45 || // -
    code === 95 // _
  );
}

/**
 * `text` with every whole occurrence of each substitution replaced; `text` itself (same string) when
 * nothing occurs, so callers can tell cheaply whether normalising changed anything.
 */
export function applySubstitutions(text: string, substitutions: readonly Substitution[]): string {
  let out = text;
  for (const { find, placeholder } of substitutions) {
    let at = out.indexOf(find);
    if (at < 0) continue;
    let result = '';
    let copied = 0;
    while (at >= 0) {
      const end = at + find.length;
      if (!continuesToken(out.charCodeAt(at - 1)) && !continuesToken(out.charCodeAt(end))) {
        result += out.slice(copied, at) + placeholder;
        copied = end;
      }
      at = out.indexOf(find, end);
    }
    if (copied > 0) out = result + out.slice(copied);
  }
  return out;
}

/** The inverse for one host: placeholders back to its own values (its first host-specific address for `{{ip}}`). */
export function renderPlaceholders(text: string, host: HostIdentity, context: NormaliserContext = DEFAULT_NORMALISER): string {
  const values = new Map<string, string | undefined>([
    [PLACEHOLDERS.fqdn, host.fqdn],
    [PLACEHOLDERS.hostname, host.hostname],
    [PLACEHOLDERS.machineId, host.machineId],
    [PLACEHOLDERS.ip, host.addresses.find(isHostSpecificAddress)],
    [PLACEHOLDERS.mac, host.macs.find(isHostSpecificMac)?.toLowerCase()],
  ]);
  for (const [name, value] of Object.entries(context.values ?? {})) values.set(`{{${name}}}`, value);
  return text.replace(/\{\{[A-Za-z0-9_.-]+\}\}/g, (placeholder) => values.get(placeholder) ?? placeholder);
}
