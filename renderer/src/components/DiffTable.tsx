import type { TextDiff } from '../../../core/domain/textdiff';

/** A text diff side by side: the old side on the left, the new on the right, changes highlighted. */
export function DiffTable({ diff, path, leftLabel, rightLabel }: { diff: TextDiff; path: string; leftLabel: string; rightLabel: string }) {
  return (
    <table className="diff" aria-label={`Differences in ${path}`}>
      <colgroup>
        <col className="ln" />
        <col />
        <col className="ln" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th colSpan={2}>{leftLabel}</th>
          <th colSpan={2}>{rightLabel}</th>
        </tr>
      </thead>
      {diff.hunks.map((hunk) => (
        <tbody key={`${hunk.oldStart}-${hunk.newStart}`}>
          <tr className="hunk">
            <td colSpan={4}>
              @@ −{hunk.oldStart},{hunk.oldLines} +{hunk.newStart},{hunk.newLines} @@
            </td>
          </tr>
          {hunk.rows.map((row, i) => (
            <tr key={i} className={`row-${row.kind}`}>
              <td className="ln">{row.left?.line ?? ''}</td>
              <td className={`code ${row.kind === 'removed' || row.kind === 'changed' ? 'del' : ''}`}>{row.left?.text ?? ''}</td>
              <td className="ln">{row.right?.line ?? ''}</td>
              <td className={`code ${row.kind === 'added' || row.kind === 'changed' ? 'ins' : ''}`}>{row.right?.text ?? ''}</td>
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}
