import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog';

/** A confirmation: what will happen, Back or the action; a refusal stays in its banner. */
export function Confirm({ title, action, danger, onConfirm, onClose, children }: { title: string; action: string; danger?: boolean; onConfirm: () => Promise<boolean>; onClose: () => void; children: ReactNode }) {
  const [working, setWorking] = useState(false);
  const confirm = async () => {
    setWorking(true);
    const done = await onConfirm();
    setWorking(false);
    if (done) onClose();
  };
  return (
    <Dialog title={title} onClose={onClose}>
      <div className="confirm-action">
        {children}
        <div className="actions">
          <button type="button" onClick={onClose}>
            Back
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} disabled={working} onClick={() => void confirm()}>
            {action}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
