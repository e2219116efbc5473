import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NGINX_CONF, SSHD_CONFIG } from './test-support';
import { textDiff, type DiffRow } from './textdiff';

const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
const left = (rows: DiffRow[]) => rows.flatMap((r) => (r.left ? [r.left.text] : []));
const right = (rows: DiffRow[]) => rows.flatMap((r) => (r.right ? [r.right.text] : []));

/** Length of the longest common subsequence, by dynamic programming: the yardstick for a minimal diff. */
function lcs(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    let diagonal = 0;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = x === b[j - 1] ? diagonal + 1 : Math.max(row[j]!, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

describe('textDiff', () => {
  it('shows a one-line change in nginx.conf with three lines of context, side by side', () => {
    const edited = NGINX_CONF.replace('\tserver_tokens off;', '\tserver_tokens on;');
    const diff = textDiff(NGINX_CONF, edited);
    expect(diff).toMatchObject({ identical: false, added: 1, removed: 1, truncated: false });
    expect(diff.hunks).toHaveLength(1);
    const hunk = diff.hunks[0]!;
    expect([hunk.oldStart, hunk.oldLines, hunk.newStart, hunk.newLines]).toEqual([12, 7, 12, 7]);
    expect(hunk.rows.filter((r) => r.kind !== 'same')).toEqual([
      { kind: 'changed', left: { line: 15, text: '\tserver_tokens off;' }, right: { line: 15, text: '\tserver_tokens on;' } },
    ]);
  });

  it('pairs replaced lines and leaves pure additions unpaired', () => {
    const hardened = SSHD_CONFIG.replace('X11Forwarding no\n', 'X11Forwarding no\nAllowTcpForwarding no\nMaxAuthTries 3\n').replace(
      'PermitRootLogin prohibit-password',
      'PermitRootLogin no',
    );
    const diff = textDiff(SSHD_CONFIG, hardened, { context: 0 });
    expect(diff.hunks.flatMap((h) => h.rows).map((r) => [r.kind, r.left?.text, r.right?.text])).toEqual([
      ['changed', 'PermitRootLogin prohibit-password', 'PermitRootLogin no'],
      ['added', undefined, 'AllowTcpForwarding no'],
      ['added', undefined, 'MaxAuthTries 3'],
    ]);
    expect(diff.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [3, 1, 3, 1],
      [7, 0, 8, 2],
    ]);
  });

  it('reports identical texts as such, and a lone final newline difference', () => {
    expect(textDiff(NGINX_CONF, NGINX_CONF)).toMatchObject({ identical: true, hunks: [], added: 0, removed: 0 });
    expect(textDiff('a\nb\n', 'a\nb')).toMatchObject({ identical: false, hunks: [], finalNewlineChanged: true });
    expect(textDiff('', 'only\n').hunks[0]!.rows).toEqual([{ kind: 'added', right: { line: 1, text: 'only' } }]);
  });

  it('gives up on a fine diff past its bounds and says so, still showing the changed block', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `line ${i}`).join('\n');
    const b = Array.from({ length: 3000 }, (_, i) => `row ${i}`).join('\n');
    const diff = textDiff(a, b, { maxEdits: 100, maxRows: 500 });
    expect(diff.truncated).toBe(true);
    expect(diff.removed).toBe(3000);
    expect(diff.added).toBe(3000);
    expect(diff.hunks.flatMap((h) => h.rows)).toHaveLength(500);
  });

  const text = fc.array(fc.constantFrom('a', 'b', 'c', 'listen 80;', ''), { maxLength: 30 }).map((l) => (l.length ? `${l.join('\n')}\n` : ''));

  it('rebuilds both texts from its rows, and is minimal (Myers)', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const diff = textDiff(a, b, { context: 1_000 });
        const rows = diff.hunks.flatMap((h) => h.rows);
        if (diff.hunks.length > 0) {
          expect(left(rows)).toEqual(lines(a));
          expect(right(rows)).toEqual(lines(b));
        } else expect(lines(a)).toEqual(lines(b));
        const common = lcs(lines(a), lines(b));
        expect(diff.removed).toBe(lines(a).length - common);
        expect(diff.added).toBe(lines(b).length - common);
      }),
    );
  });

  it('numbers every side of every row in order', () => {
    fc.assert(
      fc.property(text, text, fc.integer({ min: 0, max: 3 }), (a, b, context) => {
        for (const hunk of textDiff(a, b, { context }).hunks) {
          const olds = hunk.rows.flatMap((r) => (r.left ? [r.left.line] : []));
          const news = hunk.rows.flatMap((r) => (r.right ? [r.right.line] : []));
          expect(olds).toEqual(Array.from({ length: hunk.oldLines }, (_, i) => hunk.oldStart + i));
          expect(news).toEqual(Array.from({ length: hunk.newLines }, (_, i) => hunk.newStart + i));
        }
      }),
    );
  });
});
