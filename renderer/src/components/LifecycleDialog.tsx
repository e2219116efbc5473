import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { describeFreeze } from '../../../core/domain/freeze-windows';
import { client } from '../api/client';
import { useApp, useSelectedService } from '../store/index';
import { asWireError } from '../store/task';
import { Dialog } from './Dialog';

type Policy = CallOutput<'policy.get'>;

/** One stage's release policy: soak, approvals, self-approval, parity threshold, freeze windows. */
function PolicyEditor({ stageId, stageName }: { stageId: number; stageName: string }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [freeze, setFreeze] = useState({ days: 'fri', startTime: '18:00', hours: '60', timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone, reason: '' });
  useEffect(() => void client.call('policy.get', { stageId }).then(setPolicy), [stageId]);
  if (!policy) return <p className="muted">Loading the policy…</p>;
  const save = async (next: Policy) => {
    const { isDefault: _isDefault, ...body } = next;
    try {
      setPolicy(await client.call('policy.set', { stageId, policy: body }));
    } catch (error) {
      useApp.setState({ error: asWireError(error) });
    }
  };
  return (
    <div className="policy" aria-label={`Policy of ${stageName}`}>
      <div className="form-grid policy-grid">
        <label>
          Soak hours in the stage before
          <input type="number" min={0} value={policy.minSoakHours} onChange={(e) => setPolicy({ ...policy, minSoakHours: Number(e.target.value) })} />
        </label>
        <label>
          Approvals needed
          <input type="number" min={0} max={20} value={policy.approvals.count} onChange={(e) => setPolicy({ ...policy, approvals: { ...policy.approvals, count: Number(e.target.value) } })} />
        </label>
        <label>
          Approver role
          <select value={policy.approvals.roles[0] ?? ''} onChange={(e) => setPolicy({ ...policy, approvals: { ...policy.approvals, roles: e.target.value ? [e.target.value as Policy['approvals']['roles'][number]] : [] } })}>
            <option value="">any approver or CAB member</option>
            <option value="approver">approver</option>
            <option value="cab">CAB member</option>
            <option value="release-manager">release manager</option>
          </select>
        </label>
        <label>
          Parity threshold (%)
          <input type="number" min={0} max={100} step={0.1} value={Math.round(policy.parityThreshold * 1000) / 10} onChange={(e) => setPolicy({ ...policy, parityThreshold: Number(e.target.value) / 100 })} />
        </label>
        <label className="inline">
          <input type="checkbox" checked={policy.allowSelfApproval} onChange={(e) => setPolicy({ ...policy, allowSelfApproval: e.target.checked })} /> the requester may approve
        </label>
      </div>
      <h4>Freeze windows</h4>
      <ul className="rule-list">
        {policy.freezeWindows.length === 0 && <li className="muted">none</li>}
        {policy.freezeWindows.map((w, i) => (
          <li key={i}>
            {describeFreeze(w)}{' '}
            <button type="button" onClick={() => setPolicy({ ...policy, freezeWindows: policy.freezeWindows.filter((_, j) => j !== i) })}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="row freeze-form">
        <input aria-label="Freeze days" value={freeze.days} onChange={(e) => setFreeze({ ...freeze, days: e.target.value })} title="mon,tue,… (weekly)" />
        <input aria-label="Freeze start" value={freeze.startTime} onChange={(e) => setFreeze({ ...freeze, startTime: e.target.value })} />
        <input aria-label="Freeze hours" type="number" value={freeze.hours} onChange={(e) => setFreeze({ ...freeze, hours: e.target.value })} />
        <input aria-label="Freeze time zone" value={freeze.timeZone} onChange={(e) => setFreeze({ ...freeze, timeZone: e.target.value })} />
        <input aria-label="Freeze reason" placeholder="reason" value={freeze.reason} onChange={(e) => setFreeze({ ...freeze, reason: e.target.value })} />
        <button
          type="button"
          disabled={!freeze.reason}
          onClick={() =>
            setPolicy({
              ...policy,
              freezeWindows: [
                ...policy.freezeWindows,
                { kind: 'weekly', days: freeze.days.split(',').map((d) => d.trim().toLowerCase().slice(0, 3)) as ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[], startTime: freeze.startTime, durationMinutes: Number(freeze.hours) * 60, timeZone: freeze.timeZone, reason: freeze.reason },
              ],
            })
          }
        >
          Add weekly freeze
        </button>
      </div>
      <button type="button" className="primary" onClick={() => void save(policy)}>
        Save the policy of {stageName}
      </button>{' '}
      <span className="muted">{policy.isDefault ? '(defaults until saved)' : ''}</span>
    </div>
  );
}

/** Edit the selected service's lifecycle: stages, order, edges, policies; undo with Ctrl+Z. */
export function LifecycleDialog({ onClose }: { onClose: () => void }) {
  const service = useSelectedService();
  const { editLifecycle, undo, redo } = useApp.getState();
  const canUndo = useApp((s) => s.undoStack.length > 0);
  const canRedo = useApp((s) => s.redoStack.length > 0);
  const [newStage, setNewStage] = useState({ name: '', position: 0 });
  const [renaming, setRenaming] = useState<Record<number, string>>({});
  const [edge, setEdge] = useState({ from: 0, to: 0 });
  const [policyOf, setPolicyOf] = useState<number | null>(null);
  const [template, setTemplate] = useState('');
  if (!service) return null;
  const ordered = [...service.stages].sort((a, b) => a.position - b.position);
  const name = (id: number) => service.stages.find((s) => s.id === id)?.name ?? String(id);
  return (
    <Dialog title={`Lifecycle of ${service.name}`} onClose={onClose} wide>
      <div className="row">
        <button type="button" disabled={!canUndo} onClick={() => void undo()} title="Ctrl+Z">
          Undo
        </button>
        <button type="button" disabled={!canRedo} onClick={() => void redo()} title="Ctrl+Shift+Z">
          Redo
        </button>
      </div>
      <table className="rules-table lifecycle-table" aria-label="Stages">
        <thead>
          <tr>
            <th>Stage</th>
            <th>Name</th>
            <th>Hosts</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {ordered.map((stage, i) => (
            <tr key={stage.id}>
              <td>{i + 1}</td>
              <td>
                <input value={renaming[stage.id] ?? stage.name} onChange={(e) => setRenaming({ ...renaming, [stage.id]: e.target.value })} aria-label={`Name of stage ${stage.name}`} />
              </td>
              <td>{stage.hostCount}</td>
              <td className="row">
                {renaming[stage.id] !== undefined && renaming[stage.id] !== stage.name && (
                  <button type="button" onClick={() => void editLifecycle(service.id, { kind: 'rename-stage', stageId: stage.id, name: renaming[stage.id]! }).then(() => setRenaming({}))}>
                    Rename
                  </button>
                )}
                <button type="button" aria-label={`Move ${stage.name} earlier`} disabled={i === 0} onClick={() => void editLifecycle(service.id, { kind: 'move-stage', stageId: stage.id, by: -1 })}>
                  ↑
                </button>
                <button type="button" aria-label={`Move ${stage.name} later`} disabled={i === ordered.length - 1} onClick={() => void editLifecycle(service.id, { kind: 'move-stage', stageId: stage.id, by: 1 })}>
                  ↓
                </button>
                <button type="button" aria-label={`Remove ${stage.name}`} onClick={() => void editLifecycle(service.id, { kind: 'remove-stage', stageId: stage.id })}>
                  Remove
                </button>
                <button type="button" aria-pressed={policyOf === stage.id} onClick={() => setPolicyOf(policyOf === stage.id ? null : stage.id)}>
                  Policy…
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {policyOf !== null && <PolicyEditor key={policyOf} stageId={policyOf} stageName={name(policyOf)} />}
      <form
        className="row"
        aria-label="Add a stage"
        onSubmit={(e) => {
          e.preventDefault();
          void editLifecycle(service.id, { kind: 'add-stage', name: newStage.name, position: newStage.position }).then((ok) => ok && setNewStage({ name: '', position: 0 }));
        }}
      >
        <input value={newStage.name} onChange={(e) => setNewStage({ ...newStage, name: e.target.value })} placeholder="new stage, e.g. perf" aria-label="New stage name" required />
        <select value={newStage.position} onChange={(e) => setNewStage({ ...newStage, position: Number(e.target.value) })} aria-label="Insert before">
          {ordered.map((stage, i) => (
            <option key={stage.id} value={i}>
              before {stage.name}
            </option>
          ))}
        </select>
        <button type="submit">Add stage</button>
      </form>
      <h3>Promotion edges</h3>
      <ul className="rule-list">
        {service.edges.map((e) => (
          <li key={`${e.from}-${e.to}`}>
            {name(e.from)} → {name(e.to)}{' '}
            <button type="button" onClick={() => void editLifecycle(service.id, { kind: 'remove-edge', from: e.from, to: e.to })} aria-label={`Remove edge ${name(e.from)} to ${name(e.to)}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="row">
        <select value={edge.from} onChange={(e) => setEdge({ ...edge, from: Number(e.target.value) })} aria-label="Edge from">
          <option value={0}>from…</option>
          {ordered.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <select value={edge.to} onChange={(e) => setEdge({ ...edge, to: Number(e.target.value) })} aria-label="Edge to">
          <option value={0}>to…</option>
          {ordered.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        <button type="button" disabled={!edge.from || !edge.to} onClick={() => void editLifecycle(service.id, { kind: 'add-edge', from: edge.from, to: edge.to })}>
          Add edge
        </button>
      </div>
      <h3>Template</h3>
      <div className="row">
        <input value={template} onChange={(e) => setTemplate(e.target.value)} placeholder="template name" aria-label="Template name" />
        <button type="button" disabled={!template} onClick={() => void client.call('templates.save', { serviceId: service.id, name: template }).then(() => setTemplate(''), (e) => useApp.setState({ error: asWireError(e) }))}>
          Save as lifecycle template
        </button>
      </div>
    </Dialog>
  );
}
