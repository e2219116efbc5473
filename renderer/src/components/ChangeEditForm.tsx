import { useState, type FormEvent } from 'react';
import { CHANGE_CATEGORIES } from '../../../core/domain/change-workflow';
import { RISK_LEVELS } from '../../../core/domain/promotion-risk';
import { useApp } from '../store/index';
import type { ChangeDetailView, ChangeEdit, WindowInput } from '../store/changes';
import { WindowFields, windowFieldsOf } from './WindowFields';

const TEXTS = [
  ['description', 'Description', 3],
  ['justification', 'Justification', 3],
  ['impact', 'Impact', 2],
  ['implementationPlan', 'Implementation plan', 6],
  ['backoutPlan', 'Backout plan', 4],
  ['testPlan', 'Test plan', 3],
] as const;
type TextField = (typeof TEXTS)[number][0];

/** A draft's fields, all editable; saved together as one edit. */
export function ChangeEditForm({ change }: { change: ChangeDetailView }) {
  const editChange = useApp((s) => s.editChange);
  const [title, setTitle] = useState(change.title);
  const [category, setCategory] = useState(change.category);
  const [texts, setTexts] = useState<Record<TextField, string>>(() => Object.fromEntries(TEXTS.map(([key]) => [key, change[key]])) as Record<TextField, string>);
  const [planned, setPlanned] = useState(change.window !== null);
  const [window, setWindow] = useState<WindowInput>(windowFieldsOf(change.window));
  const [override, setOverride] = useState(change.risk.override !== null);
  const [level, setLevel] = useState(change.risk.override?.level ?? change.risk.computedLevel);
  const [reason, setReason] = useState(change.risk.override?.reason ?? '');
  const save = (e: FormEvent) => {
    e.preventDefault();
    // Only what differs: the change's history and audit log say what was edited.
    const before = windowFieldsOf(change.window);
    const windowChanged = planned !== (change.window !== null) || (planned && (['start', 'end', 'timeZone'] as const).some((k) => window[k] !== before[k]));
    const was = change.risk.override;
    const overrideChanged = override !== (was !== null) || (override && (level !== was?.level || reason !== was?.reason));
    const edit: ChangeEdit = {
      ...(title !== change.title && { title }),
      ...(category !== change.category && { category }),
      ...Object.fromEntries(TEXTS.filter(([key]) => texts[key] !== change[key]).map(([key]) => [key, texts[key]])),
      ...(windowChanged && { window: planned ? window : null }),
      ...(overrideChanged && { riskOverride: override ? { level, reason } : null }),
    };
    if (Object.keys(edit).length > 0) void editChange(edit);
  };
  return (
    <form className="change-edit" aria-label="Edit the draft" onSubmit={save}>
      <h3>Request (draft: editable)</h3>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
      </label>
      <label>
        Category
        <select value={category} onChange={(e) => setCategory(e.target.value as typeof category)}>
          {CHANGE_CATEGORIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      {TEXTS.map(([key, label, rows]) => (
        <label key={key}>
          {label}
          <textarea value={texts[key]} rows={rows} onChange={(e) => setTexts({ ...texts, [key]: e.target.value })} />
        </label>
      ))}
      <label className="inline">
        <input type="checkbox" checked={planned} onChange={(e) => setPlanned(e.target.checked)} /> Planned window
      </label>
      {planned && <WindowFields value={window} onChange={setWindow} />}
      <label className="inline">
        <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Override the computed risk ({change.risk.computedLevel})
      </label>
      {override && (
        <div className="risk-override">
          <label>
            Risk
            <select value={level} onChange={(e) => setLevel(e.target.value as typeof level)}>
              {RISK_LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </label>
          <label>
            Why it differs (required)
            <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={2000} />
          </label>
        </div>
      )}
      <div className="actions">
        <button type="submit">Save the draft</button>
      </div>
    </form>
  );
}
