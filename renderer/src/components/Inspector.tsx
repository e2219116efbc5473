import { useState } from 'react';
import { useApp, useSelectedService, useSelectedServiceDrift, type InspectorTab } from '../store/index';
import { AddHostDialog } from './AddHostDialog';
import { DriftPanel } from './DriftPanel';
import { ImagesPanel } from './ImagesPanel';
import { ParityBadge, SeverityCounts } from './Parity';

function EnvironmentPanel() {
  const environment = useApp((s) => s.environment);
  const service = useSelectedService();
  const setHostFilter = useApp((s) => s.setHostFilter);
  const setTab = useApp((s) => s.setInspectorTab);
  const scanning = useApp((s) => s.scanJob?.state === 'running');
  const startScan = useApp((s) => s.startScan);
  const [adding, setAdding] = useState(false);
  if (!environment || !service) return <p className="muted">Loading…</p>;
  return (
    <>
      <div className="row panel-actions">
        <button type="button" className="primary" disabled={scanning || environment.hosts.length === 0} onClick={() => void startScan({ stageId: environment.stageId })} title="Collect every host's facts over SSH (read-only)">
          Scan {environment.hosts.length} hosts
        </button>
        <button type="button" onClick={() => setAdding(true)}>
          Add host…
        </button>
      </div>
      {adding && <AddHostDialog stageId={environment.stageId} roles={service.roles} onClose={() => setAdding(false)} />}
      {environment.hosts.length === 0 && <p className="muted">No hosts yet: add them here, or import an inventory.</p>}
      <table className="hosts" aria-label={`Hosts of ${environment.stageName}`}>
      <thead>
        <tr>
          <th>Host</th>
          <th>Address</th>
          <th>Last snapshot</th>
        </tr>
      </thead>
      <tbody>
        {environment.hosts.map((host) => (
          <tr key={host.id}>
            <td>
              <button
                type="button"
                className="link"
                title="Show this host’s drift"
                onClick={() => {
                  setHostFilter(host.name);
                  setTab('drift');
                }}
              >
                {host.name}
              </button>
              <div className="muted">{host.roles.join(', ')}</div>
            </td>
            <td className="mono">
              {host.address}
              {host.port !== 22 ? `:${host.port}` : ''}
            </td>
            <td>{host.lastSnapshotAt ? new Date(host.lastSnapshotAt).toLocaleDateString() : 'never'}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </>
  );
}

const TABS: { tab: InspectorTab; label: string }[] = [
  { tab: 'environment', label: 'Environment' },
  { tab: 'drift', label: 'Drift' },
  { tab: 'images', label: 'Images' },
];

export function Inspector() {
  const service = useSelectedService();
  const drift = useSelectedServiceDrift();
  const environment = useApp((s) => s.environment);
  const selectedStageId = useApp((s) => s.selectedStageId);
  const tab = useApp((s) => s.inspectorTab);
  const setTab = useApp((s) => s.setInspectorTab);
  const setPromoteMenuOpen = useApp((s) => s.setPromoteMenuOpen);
  if (!service) return <aside className="inspector" aria-label="Inspector" />;

  const stageDrift = drift?.stages.find((s) => s.stageId === selectedStageId);
  const stageSelected = selectedStageId !== null;
  const active = !stageSelected && tab !== 'images' ? 'overview' : tab;
  return (
    <aside className="inspector" aria-label="Inspector">
      {stageSelected && environment ? (
        <header className="inspector-head">
          <h2>
            {environment.serviceName} · {environment.stageName}
          </h2>
          <p className="muted">
            {environment.hosts.length} hosts · image {environment.image ? environment.image.label : 'not assigned'}
          </p>
          {environment.image && (
            <button type="button" onClick={() => setPromoteMenuOpen(true)} title="Promote this stage's image (P)">
              Promote image {environment.image.label}… <kbd>P</kbd>
            </button>
          )}
          {stageDrift && !stageDrift.isProduction && (
            <p>
              <ParityBadge summary={stageDrift.production} label="parity with production" /> with production <SeverityCounts summary={stageDrift.production} />
            </p>
          )}
        </header>
      ) : (
        <header className="inspector-head">
          <h2>{service.name}</h2>
          <p>{service.description}</p>
          {drift && (
            <p>
              <ParityBadge summary={drift.parity} label="parity of preproduction with production" /> preproduction parity <SeverityCounts summary={drift.parity} />
            </p>
          )}
        </header>
      )}
      <nav className="tabs inspector-tabs" aria-label="Inspector sections">
        {TABS.map(({ tab: t, label }) => (
          <button key={t} type="button" aria-pressed={active === t} onClick={() => setTab(t)} disabled={!stageSelected && t !== 'images'}>
            {label}
          </button>
        ))}
      </nav>
      {active === 'overview' && (
        <>
          <dl>
            <dt>Roles</dt>
            <dd>{service.roles.join(', ')}</dd>
            <dt>Stages</dt>
            <dd>{service.stages.map((s) => s.name).join(' → ')}</dd>
          </dl>
          <p className="muted">Select a stage to see its environment and drift.</p>
        </>
      )}
      {active === 'environment' && <EnvironmentPanel />}
      {active === 'drift' && <DriftPanel />}
      {active === 'images' && <ImagesPanel />}
    </aside>
  );
}
