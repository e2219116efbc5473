import { useApp, useSelectedService } from '../store/index';

export function Inspector() {
  const service = useSelectedService();
  const environment = useApp((s) => s.environment);
  const selectedStageId = useApp((s) => s.selectedStageId);

  if (!service) return <aside className="inspector" aria-label="Inspector" />;
  if (selectedStageId === null || !environment) {
    return (
      <aside className="inspector" aria-label="Inspector">
        <h2>{service.name}</h2>
        <p>{service.description}</p>
        <dl>
          <dt>Roles</dt>
          <dd>{service.roles.join(', ')}</dd>
          <dt>Stages</dt>
          <dd>{service.stages.map((s) => s.name).join(' → ')}</dd>
        </dl>
        <p className="muted">Select a stage to see its environment.</p>
      </aside>
    );
  }
  return (
    <aside className="inspector" aria-label="Inspector">
      <h2>
        {environment.serviceName} · {environment.stageName}
      </h2>
      <p className="muted">
        {environment.hosts.length} hosts · image {environment.image ? environment.image.label : 'not assigned'}
      </p>
      <table className="hosts" aria-label={`Hosts of ${environment.stageName}`}>
        <thead>
          <tr>
            <th>Host</th>
            <th>Roles</th>
            <th>Address</th>
            <th>Last snapshot</th>
          </tr>
        </thead>
        <tbody>
          {environment.hosts.map((host) => (
            <tr key={host.id}>
              <td>{host.name}</td>
              <td>{host.roles.join(', ')}</td>
              <td className="mono">
                {host.address}
                {host.port !== 22 ? `:${host.port}` : ''}
              </td>
              <td>{host.lastSnapshotAt ? new Date(host.lastSnapshotAt).toLocaleDateString() : 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
