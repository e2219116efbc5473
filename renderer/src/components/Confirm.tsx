import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from './Dialog';

/**
 * A confirmation: what will happen, Back or the action; a refusal stays in its banner. A form, so
 * that fields given as children (a required reason) are checked before the action is taken.
 */
export function Confirm({ title, action, danger, onConfirm, onClose, children }: { title: string; action: string; danger?: boolean; onConfirm: () => Promise<boolean>; onClose: () => void; children: ReactNode }) {
  const [working, setWorking] = useState(false);
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setWorking(true);
    const done = await onConfirm();
    setWorking(false);
    if (done) onClose();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <form className="confirm-action" aria-label={`Confirm: ${action}`} onSubmit={(e) => void confirm(e)}>
        {children}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Back
          </button>
          <button type="submit" className={danger ? 'danger' : 'primary'} disabled={working}>
            {action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
