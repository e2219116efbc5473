/**
 * Debian package version ordering, exactly as dpkg orders them (lib/dpkg/version.c), so the planner
 * can tell an upgrade from a downgrade: `[epoch:]upstream[-revision]`.
 */

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits a version the way dpkg's parseversion does: epoch before the first `:`, revision after the last `-`. */
export function parseDebianVersion(version: string): DebianVersion {
  const text = version.trim();
  const colon = text.indexOf(':');
  let epoch = 0;
  let rest = text;
  if (colon >= 0) {
    const digits = text.slice(0, colon);
    epoch = /^\d+$/.test(digits) ? Number(digits) : 0;
    rest = text.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, upstream: rest.slice(0, dash), revision: rest.slice(dash + 1) } : { epoch, upstream: rest, revision: '' };
}

/** Negative when a sorts before b, positive when after, 0 when dpkg considers them equal (e.g. `1.0` and `0:1.0-0`). */
export function compareDebianVersions(a: string, b: string): number {
  const left = parseDebianVersion(a);
  const right = parseDebianVersion(b);
  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
  return Math.sign(compareVersionPart(left.upstream, right.upstream)) || Math.sign(compareVersionPart(left.revision, right.revision));
}

export type VersionChange = 'upgrade' | 'downgrade' | 'same';

/** What installing `to` over `from` would be. */
export function debianVersionChange(from: string, to: string): VersionChange {
  const order = compareDebianVersions(from, to);
  return order < 0 ? 'upgrade' : order > 0 ? 'downgrade' : 'same';
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isAlpha = (code: number) => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/** dpkg's order(): `~` sorts before everything, even the end of the string; letters before other symbols. */
function charOrder(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0; // NaN: past the end of the string
  if (isAlpha(code)) return code;
  if (code === 126) return -1; // ~
  return code + 256;
}

/** dpkg's verrevcmp(): alternating runs of non-digits (compared by charOrder) and digits (compared numerically). */
function compareVersionPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const left = charOrder(a.charCodeAt(i));
      const right = charOrder(b.charCodeAt(j));
      if (left !== right) return left - right;
      i++;
      j++;
    }
    while (a.charCodeAt(i) === 48) i++;
    while (b.charCodeAt(j) === 48) j++;
    let firstDifference = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}
