import { useEffect } from 'react';
import { useApp } from '../store/index';

/** The stage under the pointer: stage nodes carry data-stage-id. */
function stageAt(x: number, y: number): number | null {
  const element = document.elementFromPoint(x, y)?.closest('[data-stage-id]');
  return element ? Number(element.getAttribute('data-stage-id')) : null;
}

/**
 * While an image chip is dragged: a ghost follows the pointer, the stage under it is tracked, and
 * releasing the pointer over a stage is a promotion intent. Escape cancels.
 */
export function DragLayer() {
  const drag = useApp((s) => s.drag);
  const active = drag !== null;
  useEffect(() => {
    if (!active) return;
    const { moveDrag, endDrag } = useApp.getState();
    const onMove = (e: PointerEvent) => moveDrag(e.clientX, e.clientY, stageAt(e.clientX, e.clientY));
    const onUp = (e: PointerEvent) => endDrag(stageAt(e.clientX, e.clientY));
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && endDrag(null);
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      window.removeEventListener('keydown', onKey);
    };
  }, [active]);
  if (!drag) return null;
  return (
    <div className="drag-ghost chip image-chip" style={{ transform: `translate(${drag.x + 8}px, ${drag.y + 8}px)` }} aria-hidden="true">
      image {drag.imageLabel}
    </div>
  );
}
