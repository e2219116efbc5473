import { useApp } from '../store/index';
import { CurrentPerson } from './PersonChooser';
import { shortcutOf, VIEWS } from './views';

const SECTIONS = [...new Set(VIEWS.flatMap((v) => v.section ?? []))];

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
      {SECTIONS.map((section) => (
        <nav key={section} aria-label={section}>
          <h2>{section}</h2>
          <ul>
            {VIEWS.filter((v) => v.section === section).map((v) => (
              <li key={v.view}>
                <button type="button" aria-current={view === v.view ? 'page' : undefined} onClick={() => setView(v.view)} title={shortcutOf(v.view)}>
                  <span className="name">{v.label}</span>
                </button>
              </li>
            ))}
          </ul>
        </nav>
      ))}
    </div>
  );
}
