import { useApp } from '../store/index';
import { Dialog } from './Dialog';
import { DiffTable } from './DiffTable';

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
          <DiffTable diff={diff.diff} path={diff.path} leftLabel={diff.expectedLabel} rightLabel={diff.actualLabel} />
        </>
      )}
    </Dialog>
  );
}

const lines = (n: number) => `${n} ${n === 1 ? 'line' : 'lines'}`;
