import { useEffect, useState } from 'react';
import { CHANGE_STATES } from '../../../core/domain/change-workflow';
import type { ReportSelection } from '../../../core/contract/reports';
import { useApp } from '../store/index';
import type { ChangeFilter } from '../store/changes';
import { addDays } from '../../../core/domain/leases';
import { dayOf, dayStart } from './calendar-days';
import { ChangeCalendar } from './ChangeCalendar';
import { ChangeDetail } from './ChangeDetail';
import { windowText } from './WindowFields';
import { Markers, RISK_HEALTH, Segmented, StateChip } from './ChangeBits';
import { ReportButton } from './ExportDialog';
import './changes.css';


/** The change-control view: the change list (or the calendar) and the open change. */
export function ChangesPanel() {
  const mode = useApp((s) => s.changesMode);
  const setMode = useApp((s) => s.setChangesMode);
  const selected = useApp((s) => s.selectedChangeId);
  const reloadChanges = useApp((s) => s.reloadChanges);
  const workspace = useApp((s) => s.workspace);
  // On entering, and after each change to the workspace (an action, an apply run, an imported calendar).
  useEffect(() => void reloadChanges(), [workspace, reloadChanges]);
  return (
    <main className={`changes-panel${selected !== null ? ' with-detail' : ''}`} aria-label="Changes">
      <div className="changes-main">
        <div className="changes-head">
          <h2>Change control</h2>
          <Segmented label="Show changes as" value={mode} options={{ list: 'List', calendar: 'Calendar' }} onChange={setMode} />
        </div>
        {mode === 'list' ? <ChangeList /> : <ChangeCalendar />}
      </div>
      {selected !== null && <ChangeDetail />}
    </main>
  );
}

function ChangeFilters() {
  const filter = useApp((s) => s.changeFilter);
  const setFilter = useApp((s) => s.setChangeFilter);
  const services = useApp((s) => s.services);
  const stages = services.filter((s) => filter.serviceId === undefined || s.id === filter.serviceId);
  const update = (patch: Partial<ChangeFilter>) => {
    const next: ChangeFilter = { ...filter, ...patch };
    for (const key of Object.keys(next) as (keyof ChangeFilter)[]) if (next[key] === undefined || next[key] === '') delete next[key];
    void setFilter(next);
  };
  const number = (value: string) => (value === '' ? undefined : Number(value));
  return (
    <form className="change-filters" aria-label="Filter changes" onSubmit={(e) => e.preventDefault()}>
      <label>
        State
        <select value={filter.state ?? ''} onChange={(e) => update({ state: (e.target.value || undefined) as ChangeFilter['state'] })}>
          <option value="">any</option>
          {CHANGE_STATES.map((state) => (
            <option key={state}>{state}</option>
          ))}
        </select>
      </label>
      <label>
        Service
        <select value={filter.serviceId ?? ''} onChange={(e) => update({ serviceId: number(e.target.value), stageId: undefined })}>
          <option value="">any</option>
          {services.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Target stage
        <select value={filter.stageId ?? ''} onChange={(e) => update({ stageId: number(e.target.value) })}>
          <option value="">any</option>
          {stages.map((service) => (
            <optgroup key={service.id} label={service.name}>
              {service.stages.map((stage) => (
                <option key={stage.id} value={stage.id}>
                  {stage.name}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label>
        Window from
        <input type="date" value={filter.from ? dayOf(filter.from) : ''} onChange={(e) => update({ from: e.target.value ? dayStart(e.target.value) : undefined })} />
      </label>
      <label>
        to (inclusive)
        <input type="date" value={filter.to ? dayOf(filter.to, true) : ''} onChange={(e) => update({ to: e.target.value ? dayStart(addDays(e.target.value, 1)) : undefined })} />
      </label>
      {Object.keys(filter).length > 0 && (
        <button type="button" onClick={() => void setFilter({})}>
          Clear filters
        </button>
      )}
    </form>
  );
}

function ChangeList() {
  const changes = useApp((s) => s.changes);
  const filter = useApp((s) => s.changeFilter);
  const openChange = useApp((s) => s.openChange);
  const selectedId = useApp((s) => s.selectedChangeId);
  const [picked, setPicked] = useState<number[]>([]);
  const visible = picked.filter((id) => changes.some((c) => c.id === id));
  const selection: ReportSelection | null =
    visible.length > 0 ? { kind: 'changes', changeIds: visible } : filter.from && filter.to ? { kind: 'range', from: dayOf(filter.from), to: dayOf(filter.to, true) } : null;
  const toggle = (id: number, on: boolean) => setPicked(on ? [...visible, id] : visible.filter((x) => x !== id));
  return (
    <>
      <ChangeFilters />
      <div className="change-list-actions">
        <span className="muted">
          {changes.length} {changes.length === 1 ? 'change' : 'changes'}
          {visible.length > 0 && ` · ${visible.length} selected`}
        </span>
        {selection ? (
          <ReportButton selection={selection} label={visible.length > 0 ? `Export CAB pack (${visible.length})…` : 'Export CAB pack of the window range…'} />
        ) : (
          <span className="muted small">Select changes, or set a window range, to export a CAB pack.</span>
        )}
      </div>
      <table className="change-table" aria-label="Change requests">
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select every change shown"
                checked={changes.length > 0 && visible.length === changes.length}
                onChange={(e) => setPicked(e.target.checked ? changes.map((c) => c.id) : [])}
              />
            </th>
            <th>#</th>
            <th>Title</th>
            <th>Service</th>
            <th>Target</th>
            <th>State</th>
            <th>Risk</th>
            <th>Window</th>
            <th>Approvals</th>
            <th>Attention</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.id} aria-label={`Change ${change.id}: ${change.title}`} aria-selected={change.id === selectedId} onClick={() => void openChange(change.id)}>
              <td onClick={(e) => e.stopPropagation()}>
                <input type="checkbox" aria-label={`Select change ${change.id}`} checked={visible.includes(change.id)} onChange={(e) => toggle(change.id, e.target.checked)} />
              </td>
              <td className="mono">{change.id}</td>
              <td>
                <button type="button" className="link" onClick={() => void openChange(change.id)}>
                  {change.title}
                </button>
              </td>
              <td>{change.service}</td>
              <td>{change.targetStage}</td>
              <td>
                <StateChip state={change.state} />
              </td>
              <td>
                <span className={`risk-chip health-${RISK_HEALTH[change.riskLevel]}`}>{change.riskLevel}</span>
              </td>
              <td className="window-cell" title={change.windowText ?? undefined}>
                {change.window ? windowText(change.window) : <span className="muted">no window</span>}
              </td>
              <td className={change.approvals.given >= change.approvals.required ? 'ok-text' : undefined}>
                {change.approvals.given}/{change.approvals.required}
              </td>
              <td>
                <Markers stale={change.stale} conflicts={change.conflicts} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {changes.length === 0 && <p className="empty muted">No change matches. Drafts are made by dragging an image onto the next stage (Lifecycle view).</p>}
    </>
  );
}
