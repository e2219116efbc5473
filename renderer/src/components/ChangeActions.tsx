import { useState } from 'react';
import { actionsFrom } from '../../../core/domain/change-workflow';
import { useApp } from '../store/index';
import type { ChangeAction, ChangeDetailView, WindowInput } from '../store/changes';
import { Confirm } from './Confirm';
import { WindowFields, windowFieldsOf } from './WindowFields';

const ACTION_LABEL: Record<ChangeAction, string> = {
  submit: 'Submit',
  approve: 'Approve',
  reject: 'Reject',
  schedule: 'Schedule',
  implement: 'Mark implemented',
  fail: 'Mark failed',
  close: 'Close',
  cancel: 'Cancel change',
  'roll-back': 'Roll back',
  reopen: 'Reopen',
};
const ACTION_EFFECT: Record<ChangeAction, string> = {
  submit: 'It goes to its approvers; editing it later returns it to draft and drops their approvals.',
  approve: 'Your approval is signed with your key; the change is approved once it has every approval it needs.',
  reject: 'Your rejection is signed with your key and ends the review; say why.',
  schedule: 'It is booked into this window; a window in a freeze of the target stage is refused.',
  implement: 'Records that the change was carried out (only within its window).',
  fail: 'Records that carrying it out failed; then roll it back or close it.',
  close: 'Nothing more happens to it.',
  cancel: 'It will not be carried out; say why.',
  'roll-back': 'Records that the target was returned to its previous state (see the backout plan).',
  reopen: 'Back to draft, to be reworked and submitted again.',
};
const NEEDS_REASON: readonly ChangeAction[] = ['reject', 'cancel'];
const TAKES_COMMENT: readonly ChangeAction[] = ['approve', 'roll-back', 'fail'];

/** The moves the domain allows the current person now, and, for the others this state has, why not. */
export function ChangeActions({ change }: { change: ChangeDetailView }) {
  const person = useApp((s) => s.currentPerson);
  const [confirming, setConfirming] = useState<ChangeAction | null>(null);
  const possible = actionsFrom(change.state);
  const allowed = change.actions.filter((a) => a.allowed);
  const refused = change.actions.filter((a) => !a.allowed && possible.includes(a.action));
  if (!person) return <p className="muted">Choose who you are (top bar) to act on this change.</p>;
  return (
    <section className="change-actions" aria-label="Actions">
      <div className="action-buttons">
        {allowed.map(({ action }) => (
          <button key={action} type="button" className={action === 'reject' || action === 'cancel' ? 'danger' : action === 'submit' || action === 'approve' || action === 'schedule' ? 'primary' : undefined} onClick={() => setConfirming(action)}>
            {ACTION_LABEL[action]}…
          </button>
        ))}
        {allowed.length === 0 && <span className="muted">Nothing you can do on this change now.</span>}
      </div>
      {refused.length > 0 && (
        <ul className="refused-actions" aria-label="Actions not open to you">
          {refused.map(({ action, reason }) => (
            <li key={action}>
              <strong>{ACTION_LABEL[action]}</strong>: {reason}
            </li>
          ))}
        </ul>
      )}
      {confirming && <ConfirmAction change={change} action={confirming} onClose={() => setConfirming(null)} />}
    </section>
  );
}

function ConfirmAction({ change, action, onClose }: { change: ChangeDetailView; action: ChangeAction; onClose: () => void }) {
  const moveChange = useApp((s) => s.moveChange);
  const person = useApp((s) => s.currentPerson);
  const [reason, setReason] = useState('');
  const [window, setWindow] = useState<WindowInput>(windowFieldsOf(change.window));
  const move = () => moveChange(action, { ...(reason.trim() && { reason: reason.trim() }), ...(action === 'schedule' && { window }) });
  return (
    <Confirm title={`${ACTION_LABEL[action]} change #${change.id}`} action={ACTION_LABEL[action]} danger={NEEDS_REASON.includes(action)} onConfirm={move} onClose={onClose}>
      <p>
        <strong>{change.title}</strong> ({change.service} → {change.targetStage}, {change.state}), as <strong>{person?.name}</strong>.
      </p>
      <p className="muted">{ACTION_EFFECT[action]}</p>
      {action === 'schedule' && <WindowFields value={window} onChange={setWindow} />}
      {(NEEDS_REASON.includes(action) || TAKES_COMMENT.includes(action)) && (
        <label>
          {NEEDS_REASON.includes(action) ? 'Reason (required)' : 'Comment (optional)'}
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={3} maxLength={2000} required={NEEDS_REASON.includes(action)} />
        </label>
      )}
    </Confirm>
  );
}
