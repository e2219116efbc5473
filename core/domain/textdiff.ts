/**
 * Line diff for side-by-side display (Myers' O(ND) algorithm). Bounded: past `maxLines` or
 * `maxEdits` the differing middle is shown as one replaced block, cut at `maxRows`, and marked
 * `truncated` instead of taking unbounded time or memory.
 */

export interface DiffSide {
  /** 1-based line number. */
  line: number;
  text: string;
}

/** A row of a side-by-side view: `changed` pairs a removed line with the added line that replaced it. */
export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added';
  left?: DiffSide;
  right?: DiffSide;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  rows: DiffRow[];
}

export interface TextDiff {
  identical: boolean;
  hunks: DiffHunk[];
  added: number;
  removed: number;
  /** True when only the final newline differs: no hunk shows it. */
  finalNewlineChanged: boolean;
  /** True when the diff was cut short by a bound; `hunks` then show a coarse replacement. */
  truncated: boolean;
}

export interface TextDiffOptions {
  /** Unchanged lines shown around each change. */
  context?: number;
  /** Beyond this many differing lines (after common head and tail), no fine diff is attempted. */
  maxLines?: number;
  /** Beyond this edit distance, the search stops: its memory grows with the square of it. */
  maxEdits?: number;
  /** Rows returned at most, over all hunks. */
  maxRows?: number;
}

const DEFAULTS: Required<TextDiffOptions> = { context: 3, maxLines: 50_000, maxEdits: 2_000, maxRows: 5_000 };

/** Lines of a text; a final newline ends the last line rather than starting an empty one. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

type Op = 0 | 1 | 2; // same, removed (from a), added (from b)
const SAME: Op = 0;
const REMOVED: Op = 1;
const ADDED: Op = 2;

/**
 * Myers' greedy forward search over interned lines, keeping each round's frontier to walk back.
 * Returns the edit script, or null when the edit distance exceeds `maxEdits`.
 */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const frontier = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && frontier[offset + k - 1]! < frontier[offset + k + 1]!) ? frontier[offset + k + 1]! : frontier[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      frontier[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(frontier.slice(offset - d, offset + d + 1));
        return backtrack(trace, n, m);
      }
    }
    trace.push(frontier.slice(offset - d, offset + d + 1));
  }
  return null;
}

function backtrack(trace: readonly Int32Array[], n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1]!; // frontier after round d-1, indexed k + (d-1)
    const at = (k: number) => previous[k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const previousK = down ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push(SAME);
      x--;
      y--;
    }
    ops.push(down ? ADDED : REMOVED);
    x = previousX;
    y = previousY;
  }
  while (x > 0 && y > 0) {
    ops.push(SAME);
    x--;
    y--;
  }
  return ops.reverse();
}

/** Rows of the whole comparison, changes paired up; `ops` covers the lines from `head` on. */
function rowsOf(oldLines: readonly string[], newLines: readonly string[], ops: readonly Op[], head: number): DiffRow[] {
  const rows: DiffRow[] = [];
  for (let i = 0; i < head; i++) rows.push({ kind: 'same', left: { line: i + 1, text: oldLines[i]! }, right: { line: i + 1, text: newLines[i]! } });
  let x = head;
  let y = head;
  let i = 0;
  while (i < ops.length) {
    if (ops[i] === SAME) {
      rows.push({ kind: 'same', left: { line: x + 1, text: oldLines[x]! }, right: { line: y + 1, text: newLines[y]! } });
      x++;
      y++;
      i++;
      continue;
    }
    const removed: DiffSide[] = [];
    const added: DiffSide[] = [];
    for (; i < ops.length && ops[i] !== SAME; i++) {
      if (ops[i] === REMOVED) removed.push({ line: x + 1, text: oldLines[x++]! });
      else added.push({ line: y + 1, text: newLines[y++]! });
    }
    for (let j = 0; j < Math.max(removed.length, added.length); j++) {
      const left = removed[j];
      const right = added[j];
      rows.push(left && right ? { kind: 'changed', left, right } : left ? { kind: 'removed', left } : { kind: 'added', right: right! });
    }
  }
  for (; x < oldLines.length; x++, y++) rows.push({ kind: 'same', left: { line: x + 1, text: oldLines[x]! }, right: { line: y + 1, text: newLines[y]! } });
  return rows;
}

/** Changed rows with `context` unchanged rows around them; hunks whose context would touch are merged. */
function hunksOf(rows: readonly DiffRow[], context: number): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let start = -1;
  let end = -1;
  const flush = () => {
    if (start < 0) return;
    const slice = rows.slice(start, end);
    const firstLeft = slice.find((r) => r.left)?.left?.line;
    const firstRight = slice.find((r) => r.right)?.right?.line;
    const oldCount = slice.filter((r) => r.left).length;
    const newCount = slice.filter((r) => r.right).length;
    hunks.push({
      oldStart: firstLeft ?? lineBefore(rows, start, 'left'),
      oldLines: oldCount,
      newStart: firstRight ?? lineBefore(rows, start, 'right'),
      newLines: newCount,
      rows: slice,
    });
  };
  rows.forEach((row, i) => {
    if (row.kind === 'same') return;
    const from = Math.max(0, i - context);
    if (start >= 0 && from <= end) end = Math.min(rows.length, i + context + 1);
    else {
      flush();
      start = from;
      end = Math.min(rows.length, i + context + 1);
    }
  });
  flush();
  return hunks;
}

/** Where an empty side of a hunk sits, as unified diffs number it: after the last line before it. */
function lineBefore(rows: readonly DiffRow[], index: number, side: 'left' | 'right'): number {
  for (let i = index - 1; i >= 0; i--) {
    const line = rows[i]![side]?.line;
    if (line !== undefined) return line;
  }
  return 0;
}

function capRows(hunks: DiffHunk[], maxRows: number): { hunks: DiffHunk[]; cut: boolean } {
  let left = maxRows;
  const kept: DiffHunk[] = [];
  for (const hunk of hunks) {
    if (left <= 0) return { hunks: kept, cut: true };
    if (hunk.rows.length > left) {
      kept.push({ ...hunk, rows: hunk.rows.slice(0, left) });
      return { hunks: kept, cut: true };
    }
    kept.push(hunk);
    left -= hunk.rows.length;
  }
  return { hunks: kept, cut: false };
}

export function textDiff(oldText: string, newText: string, options: TextDiffOptions = {}): TextDiff {
  const { context, maxLines, maxEdits, maxRows } = { ...DEFAULTS, ...options };
  const oldLines = linesOf(oldText);
  const newLines = linesOf(newText);
  const identical = oldText === newText;

  // Common head and tail are cheap and usually almost everything: only the middle is searched.
  let head = 0;
  while (head < oldLines.length && head < newLines.length && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  while (tail < oldLines.length - head && tail < newLines.length - head && oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]) tail++;
  const oldMiddle = oldLines.slice(head, oldLines.length - tail);
  const newMiddle = newLines.slice(head, newLines.length - tail);

  const ids = new Map<string, number>();
  const intern = (lines: readonly string[]) => Int32Array.from(lines, (line) => ids.get(line) ?? (ids.set(line, ids.size), ids.size - 1));
  let ops = oldMiddle.length + newMiddle.length <= maxLines ? myers(intern(oldMiddle), intern(newMiddle), maxEdits) : null;
  const bounded = ops === null;
  ops ??= [...oldMiddle.map((): Op => REMOVED), ...newMiddle.map((): Op => ADDED)];

  const rows = rowsOf(oldLines, newLines, ops, head);
  const { hunks, cut } = capRows(hunksOf(rows, context), maxRows);
  const removed = ops.filter((op) => op === REMOVED).length;
  const added = ops.filter((op) => op === ADDED).length;
  return {
    identical,
    hunks,
    added,
    removed,
    finalNewlineChanged: !identical && added === 0 && removed === 0,
    truncated: bounded || cut,
  };
}
