import { useEffect, useRef, type ReactNode } from 'react';
import { useApp } from '../store/index';
import { ErrorBanner } from './ErrorBanner';

/**
 * A modal dialog on the native <dialog> element: focus is trapped, Escape closes it, and on closing
 * the focus goes back to what had it (a dialog removed from the page does not give it back itself).
 */
export function Dialog({ title, onClose, children, wide }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    useApp.setState((s) => ({ openDialogs: s.openDialogs + 1 }));
    return () => {
      dialog?.close();
      useApp.setState((s) => ({ openDialogs: s.openDialogs - 1 }));
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className={`dialog${wide ? ' wide' : ''}`} aria-label={title} onClose={onClose} onCancel={onClose}>
      <header>
        <h2>{title}</h2>
        <button type="button" onClick={onClose} aria-label="Close">
          Close
        </button>
      </header>
      {/* Outside a modal dialog the page is inert: errors of actions taken here must show here. */}
      <ErrorBanner />
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}
