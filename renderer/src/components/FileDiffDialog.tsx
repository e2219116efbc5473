import { useApp } from '../store/index';
import { Dialog } from './Dialog';

/** A watched file side by side: expected on the left, what the host has on the right, changes highlighted. */
export function FileDiffDialog() {
  const diff = useApp((s) => s.fileDiff);
  const close = useApp((s) => s.closeFileDiff);
  if (!diff) return null;
  return (
    <Dialog title={`${diff.path} on ${diff.actualLabel}`} onClose={close} wide>
      {diff.note && <p className="note">{diff.note}</p>}
      {diff.diff && (
        <>
          <p className="muted">
            {lines(diff.diff.removed)} only in {diff.expectedLabel}, {lines(diff.diff.added)} only on {diff.actualLabel}
            {diff.diff.truncated ? ' (too large to diff line by line: shown as one block)' : ''}
            {diff.diff.finalNewlineChanged ? ' · the final newline differs' : ''}
          </p>
          <table className="diff" aria-label={`Differences in ${diff.path}`}>
            <colgroup>
              <col className="ln" />
              <col />
              <col className="ln" />
              <col />
            </colgroup>
            <thead>
              <tr>
                <th colSpan={2}>{diff.expectedLabel}</th>
                <th colSpan={2}>{diff.actualLabel}</th>
              </tr>
            </thead>
            {diff.diff.hunks.map((hunk) => (
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
        </>
      )}
    </Dialog>
  );
}

const lines = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;
