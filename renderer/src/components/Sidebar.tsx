import { useApp } from '../store/index';
import { CurrentPerson } from './PersonChooser';

export function Sidebar() {
  const services = useApp((s) => s.services);
  const selected = useApp((s) => s.selectedServiceId);
  const view = useApp((s) => s.view);
  const selectService = useApp((s) => s.selectService);
  const setView = useApp((s) => s.setView);
  return (
    <div className="sidebar">
      <CurrentPerson />
      <nav aria-label="Services">
        <h2>Services</h2>
        <ul>
          {services.map((service) => (
            <li key={service.id}>
              <button
                type="button"
                aria-current={view === 'lifecycle' && service.id === selected ? 'page' : undefined}
                onClick={() => selectService(service.id)}
                title={service.description}
              >
                <span className="name">{service.name}</span>
                <span className="muted">{service.stages.reduce((n, s) => n + s.hostCount, 0)} hosts</span>
              </button>
            </li>
          ))}
        </ul>
        {services.length === 0 && <p className="muted">No services yet.</p>}
      </nav>
      <nav aria-label="Infrastructure">
        <h2>Infrastructure</h2>
        <ul>
          <li>
            <button type="button" aria-current={view === 'hypervisors' ? 'page' : undefined} onClick={() => setView('hypervisors')} title="Ctrl+3">
              <span className="name">Hypervisors</span>
            </button>
          </li>
        </ul>
      </nav>
      <nav aria-label="Change control">
        <h2>Change control</h2>
        <ul>
          <li>
            <button type="button" aria-current={view === 'changes' ? 'page' : undefined} onClick={() => setView('changes')} title="Ctrl+5">
              <span className="name">Changes</span>
            </button>
          </li>
        </ul>
      </nav>
    </div>
  );
}
