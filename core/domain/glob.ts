/**
 * Glob patterns over fact keys and file paths, as used by ignore, severity and governance rules.
 *
 *   `*`      any run of characters except `/`
 *   `**`     any run of characters, `/` included; as a whole segment it may also be empty,
 *            so `/etc/**` + `/x.conf` (written together) matches `/etc/x.conf`
 *   `?`      one character except `/`
 *   `[abc]`  one character of a class; `[!abc]` or `[^abc]` negates it; ranges like `[a-z]` work
 *   `{a,b}`  either alternative (alternatives may themselves contain patterns)
 *   `\x`     the character x literally
 *
 * A pattern matches the whole text, never a part of it.
 */

const compiled = new Map<string, RegExp>();
/** Rules are few; the bound only protects against a caller generating patterns without end. */
const COMPILED_LIMIT = 4096;

export function globToRegExp(pattern: string): RegExp {
  let regexp = compiled.get(pattern);
  if (regexp === undefined) {
    if (compiled.size >= COMPILED_LIMIT) compiled.clear();
    regexp = new RegExp(`^${translate(pattern, 0, pattern.length)}$`, 's');
    compiled.set(pattern, regexp);
  }
  return regexp;
}

export function globMatch(pattern: string, text: string): boolean {
  return globToRegExp(pattern).test(text);
}

/** A pattern that matches exactly `literal`. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]{}\\,]/g, '\\$&');
}

const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\/]/g;
export const escapeRegExp = (text: string) => text.replace(REGEXP_SPECIAL, '\\$&');

function translate(pattern: string, from: number, to: number): string {
  let out = '';
  let i = from;
  while (i < to) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      out += escapeRegExp(pattern[i + 1] ?? '\\');
      i += 2;
    } else if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const wholeSegment = (i === from || pattern[i - 1] === '/') && pattern[i + 2] === '/';
        // `a/**/b` must also match `a/b`: the segment and its slash are optional together.
        out += wholeSegment ? '(?:.*/)?' : '.*';
        i += wholeSegment ? 3 : 2;
      } else {
        out += '[^/]*';
        i += 1;
      }
    } else if (ch === '?') {
      out += '[^/]';
      i += 1;
    } else if (ch === '[') {
      const end = classEnd(pattern, i, to);
      if (end < 0) {
        out += '\\[';
        i += 1;
      } else {
        out += translateClass(pattern.slice(i + 1, end));
        i = end + 1;
      }
    } else if (ch === '{') {
      const split = braceSplit(pattern, i, to);
      if (split === null) {
        out += '\\{';
        i += 1;
      } else {
        out += `(?:${split.alternatives.map(([a, b]) => translate(pattern, a, b)).join('|')})`;
        i = split.end + 1;
      }
    } else {
      out += escapeRegExp(ch);
      i += 1;
    }
  }
  return out;
}

/** Index of the `]` closing the class opened at `open`, or -1 when it is not closed. */
function classEnd(pattern: string, open: number, to: number): number {
  let i = open + 1;
  if (pattern[i] === '!' || pattern[i] === '^') i++;
  if (pattern[i] === ']') i++; // a leading `]` is a member, as in POSIX
  for (; i < to; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === ']') return i;
  }
  return -1;
}

function translateClass(body: string): string {
  const negated = body.startsWith('!') || body.startsWith('^');
  const members = (negated ? body.slice(1) : body).replace(/\\(.)/g, '$1').replace(/[\\\]^]/g, '\\$&');
  return negated ? `[^/${members}]` : `[${members}]`;
}

/** The alternatives of the brace group opened at `open`, or null when it is not closed or has no comma. */
function braceSplit(pattern: string, open: number, to: number): { alternatives: [number, number][]; end: number } | null {
  const alternatives: [number, number][] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < to; i++) {
    const ch = pattern[i];
    if (ch === '\\') i++;
    else if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      alternatives.push([start, i]);
      start = i + 1;
    } else if (ch === '}') {
      alternatives.push([start, i]);
      return alternatives.length > 1 ? { alternatives, end: i } : null;
    }
  }
  return null;
}
