import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useApp } from '../store/index';
import type { HypervisorDomain, HypervisorInventoryView, HypervisorOperation } from '../store/hypervisors';
import { Dialog } from './Dialog';
import { Operation } from './OperationCommands';
import './hypervisors.css';

const STATE_TEXT: Record<HypervisorDomain['state'], string> = { running: 'running', paused: 'paused', shutoff: 'shut off', other: 'other' };
const STATE_CLASS: Record<HypervisorDomain['state'], string> = { running: 'ok-text', paused: 'warn-text', shutoff: 'muted', other: 'muted' };

const gib = (bytes: number | null) => (bytes === null ? '?' : `${Number((bytes / 1024 ** 3).toFixed(1))} GiB`);
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never');

function AddHypervisorForm() {
  const [name, setName] = useState('');
  const [uri, setUri] = useState('');
  const [sshTarget, setSshTarget] = useState('');
  const addHypervisor = useApp((s) => s.addHypervisor);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await addHypervisor({ name, uri, ...(sshTarget.trim() && { sshTarget: sshTarget.trim() }) }))) return;
    setName('');
    setUri('');
    setSshTarget('');
  };
  return (
    <form className="hv-add" aria-label="Add a hypervisor" onSubmit={(e) => void submit(e)}>
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="kvm-01" required />
      </label>
      <label>
        libvirt URI
        <input value={uri} onChange={(e) => setUri(e.target.value)} placeholder="qemu:///system or qemu+ssh://admin@kvm-01/system" required />
      </label>
      <label>
        Run virsh over SSH on (optional)
        <input value={sshTarget} onChange={(e) => setSshTarget(e.target.value)} placeholder="admin@kvm-01:22" />
      </label>
      <button type="submit">Add and read</button>
    </form>
  );
}

function Connections() {
  const hypervisors = useApp((s) => s.hypervisors);
  const selected = useApp((s) => s.selectedHypervisorId);
  const selectHypervisor = useApp((s) => s.selectHypervisor);
  return (
    <nav className="hv-connections" aria-label="Hypervisor connections">
      <h2>Connections</h2>
      <ul>
        {hypervisors.map((h) => (
          <li key={h.id}>
            <button type="button" aria-current={h.id === selected ? 'page' : undefined} onClick={() => void selectHypervisor(h.id)}>
              <span className="name">{h.name}</span>
              <span className="muted mono" title={h.uri}>
                {h.sshTarget ? `${h.sshTarget} · ` : ''}
                {h.uri}
              </span>
              <span className="muted">{h.domainCount === null ? 'never read' : `${h.domainCount} VMs · read ${when(h.fetchedAt)}`}</span>
            </button>
          </li>
        ))}
      </ul>
      {hypervisors.length === 0 && <p className="muted">No hypervisor yet: add a libvirt connection.</p>}
      <AddHypervisorForm />
    </nav>
  );
}

function JobLine() {
  const job = useApp((s) => s.hypervisorJob);
  const selected = useApp((s) => s.selectedHypervisorId);
  if (!job || job.hypervisorId !== selected) return null;
  const { event } = job;
  const running = event.state === 'running';
  return (
    <div className={`hv-job ${event.state === 'failed' ? 'bad' : ''}`} role="status" aria-label="Hypervisor job">
      <strong>{event.title}</strong>
      <progress value={running ? event.done : event.total} max={Math.max(1, event.total)} aria-label="Progress" />
      <span className={event.state === 'failed' ? 'bad-text' : event.state === 'succeeded' ? 'ok-text' : 'muted'}>
        {running ? `running (${event.done} of ${event.total})` : event.state}: {event.message}
      </span>
    </div>
  );
}

/** The inline forms of a VM's detail row: take a snapshot, clone a shut-off template. */
function NameForm({ label, placeholder, withDescription, onPlan }: { label: string; placeholder: string; withDescription?: boolean; onPlan: (name: string, description: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  return (
    <form
      className="hv-inline-form"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        onPlan(name, description);
      }}
    >
      <input aria-label={`${label}: name`} value={name} onChange={(e) => setName(e.target.value)} placeholder={placeholder} required />
      {withDescription && <input aria-label={`${label}: description`} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="description (optional)" />}
      <button type="submit">{label}…</button>
    </form>
  );
}

function DomainDetail({ domain }: { domain: HypervisorDomain }) {
  const plan = useApp((s) => s.planHypervisorOperation);
  return (
    <div className="hv-detail">
      {domain.description && <p className="hv-description">{domain.description}</p>}
      <div className="hv-detail-grid">
        <section aria-label={`Disks of ${domain.name}`}>
          <h4>Disks</h4>
          <ul>
            {domain.disks.map((d) => (
              <li key={d.target}>
                <span className="mono">{d.target}</span> {d.device} {d.format ?? ''} {d.capacityBytes !== null && gib(d.capacityBytes)}{' '}
                <span className="muted mono">{d.pool ? `${d.pool}/${d.volume}` : (d.path ?? '')}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={`Snapshots of ${domain.name}`}>
          <h4>Snapshots</h4>
          {domain.snapshots.length === 0 && <p className="muted">None.</p>}
          <ul className="hv-snapshots">
            {domain.snapshots.map((s) => (
              <li key={s.name} aria-label={`Snapshot ${s.name}`}>
                <span className="mono">{s.name}</span>
                {s.current && <span className="badge">current</span>}
                <span className="muted">
                  {s.state} · {when(s.createdAt)}
                  {s.parent ? ` · after ${s.parent}` : ''}
                </span>
                {s.description && <span className="muted"> — {s.description}</span>}
                <span className="hv-actions">
                  <button type="button" onClick={() => void plan({ kind: 'snapshot-revert', domain: domain.name, name: s.name })}>
                    Revert…
                  </button>
                  <button type="button" onClick={() => void plan({ kind: 'snapshot-delete', domain: domain.name, name: s.name })}>
                    Delete…
                  </button>
                </span>
              </li>
            ))}
          </ul>
          <NameForm label={`Snapshot ${domain.name}`} placeholder="snapshot name" withDescription onPlan={(name, description) => void plan({ kind: 'snapshot-create', domain: domain.name, name, description })} />
        </section>
      </div>
      {domain.state === 'shutoff' && <NameForm label={`Clone ${domain.name}`} placeholder="new VM name" onPlan={(newName) => void plan({ kind: 'clone', template: domain.name, newName })} />}
    </div>
  );
}

function DomainRows({ domain, view, selected, onSelect }: { domain: HypervisorDomain; view: HypervisorInventoryView; selected: boolean; onSelect: (on: boolean) => void }) {
  const [open, setOpen] = useState(false);
  const plan = useApp((s) => s.planHypervisorOperation);
  const match = view.matches.find((m) => m.domain === domain.name);
  const unmatched = view.unmatched.includes(domain.name);
  const op = (o: HypervisorOperation) => void plan(o);
  return (
    <>
      <tr aria-label={`VM ${domain.name}`}>
        <td>
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'} <span className="mono">{domain.name}</span>
          </button>
          {domain.title && <div className="muted hv-title">{domain.title}</div>}
        </td>
        <td>
          <span className={STATE_CLASS[domain.state]}>{STATE_TEXT[domain.state]}</span>
          {domain.autostart && <div className="muted">autostart</div>}
        </td>
        <td>
          {domain.vcpus} · {domain.memoryMb >= 1024 ? `${Number((domain.memoryMb / 1024).toFixed(1))} GiB` : `${domain.memoryMb} MiB`} ·{' '}
          {gib(domain.disks.filter((d) => d.device === 'disk').reduce((n, d) => n + (d.capacityBytes ?? 0), 0))}
        </td>
        <td className="mono">
          {domain.nics.map((n) => (
            <div key={n.mac}>
              {n.mac}
              {n.addresses.length > 0 && <span className="muted"> {n.addresses.join(', ')}</span>}
            </div>
          ))}
        </td>
        <td>{domain.snapshots.length}</td>
        <td className="hv-match">
          {match ? (
            <span className="ok-text" title={match.detail}>
              ✓ {match.hostName} <span className="muted">by {match.reason}</span>
            </span>
          ) : unmatched ? (
            <label className="hv-import-pick">
              <input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Import ${domain.name}`} />
              <span className="warn-text">not in inventory</span>
            </label>
          ) : null}
        </td>
        <td className="hv-actions">
          {domain.state === 'shutoff' && (
            <button type="button" onClick={() => op({ kind: 'start', domain: domain.name })}>
              Start…
            </button>
          )}
          {domain.state !== 'shutoff' && (
            <button type="button" onClick={() => op({ kind: 'shutdown', domain: domain.name, force: false })}>
              Shut down…
            </button>
          )}
          {domain.state !== 'shutoff' && (
            <button type="button" onClick={() => op({ kind: 'shutdown', domain: domain.name, force: true })}>
              Power off…
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="hv-detail-row">
          <td colSpan={7}>
            <DomainDetail domain={domain} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Unmatched VMs chosen in the table become hosts of a service's stage under a role. */
function ImportBar({ chosen, onDone }: { chosen: string[]; onDone: () => void }) {
  const services = useApp((s) => s.services);
  const importDomains = useApp((s) => s.importDomains);
  const [serviceId, setServiceId] = useState<number | null>(null);
  const [stageId, setStageId] = useState<number | null>(null);
  const [role, setRole] = useState('');
  const service = services.find((s) => s.id === serviceId) ?? null;
  if (chosen.length === 0) return null;
  return (
    <form
      className="hv-import"
      aria-label="Import VMs as hosts"
      onSubmit={(e) => {
        e.preventDefault();
        if (stageId !== null && role) void importDomains(chosen, stageId, role).then((ok) => ok && onDone());
      }}
    >
      <span>
        Import {chosen.length} VM{chosen.length === 1 ? '' : 's'} as hosts of
      </span>
      <select aria-label="Service" value={serviceId ?? ''} onChange={(e) => (setServiceId(Number(e.target.value) || null), setStageId(null), setRole(''))} required>
        <option value="">service…</option>
        {services.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      <select aria-label="Stage" value={stageId ?? ''} onChange={(e) => setStageId(Number(e.target.value) || null)} required disabled={!service}>
        <option value="">stage…</option>
        {service?.stages.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
      <select aria-label="Role" value={role} onChange={(e) => setRole(e.target.value)} required disabled={!service}>
        <option value="">role…</option>
        {service?.roles.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </select>
      <button type="submit" className="primary">
        Import
      </button>
    </form>
  );
}

function Inventory({ view }: { view: HypervisorInventoryView }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const { refreshHypervisor, removeHypervisor } = useApp.getState();
  const job = useApp((s) => s.hypervisorJob);
  const reading = job?.hypervisorId === view.hypervisor.id && job.event.state === 'running';
  const counts = useMemo(() => ({ running: view.domains.filter((d) => d.state === 'running').length, matched: view.matches.length }), [view]);
  return (
    <section className="hv-inventory" aria-label={`Hypervisor ${view.hypervisor.name}`}>
      <header className="hv-head">
        <div>
          <h2>{view.hypervisor.name}</h2>
          <span className="muted mono">{view.hypervisor.uri}</span>
          <span className="muted">
            {' '}
            · {view.hostname ? `host ${view.hostname} · ` : ''}read {when(view.fetchedAt)} · {view.domains.length} VMs, {counts.running} running, {counts.matched} matched to hosts
          </span>
        </div>
        <button type="button" onClick={() => void refreshHypervisor(view.hypervisor.id)} disabled={reading} title="R">
          Refresh
        </button>
        <button type="button" onClick={() => void removeHypervisor(view.hypervisor.id)}>
          Remove connection
        </button>
      </header>
      <JobLine />
      {view.warnings.length > 0 && (
        <ul className="rules">
          {view.warnings.map((w) => (
            <li key={w} className="rule-warning">
              {w}
            </li>
          ))}
        </ul>
      )}
      {view.fetchedAt === null ? (
        <p className="empty">Not read yet: Refresh reads its VMs, storage and snapshots (nothing changes on the hypervisor).</p>
      ) : (
        <>
          <ImportBar chosen={chosen} onDone={() => setChosen([])} />
          <table className="hosts hv-domains" aria-label="Virtual machines">
            <thead>
              <tr>
                <th>VM</th>
                <th>State</th>
                <th>vCPU · memory · disks</th>
                <th>NICs</th>
                <th>Snapshots</th>
                <th>Inventory host</th>
                <th>Operations</th>
              </tr>
            </thead>
            <tbody>
              {view.domains.map((d) => (
                <DomainRows key={d.uuid || d.name} domain={d} view={view} selected={chosen.includes(d.name)} onSelect={(on) => setChosen(on ? [...chosen, d.name] : chosen.filter((n) => n !== d.name))} />
              ))}
            </tbody>
          </table>
          <h3>Storage pools</h3>
          <table className="hosts" aria-label="Storage pools">
            <thead>
              <tr>
                <th>Pool</th>
                <th>Type</th>
                <th>State</th>
                <th>Capacity</th>
                <th>Available</th>
                <th>Volumes</th>
              </tr>
            </thead>
            <tbody>
              {view.pools.map((p) => (
                <tr key={p.name}>
                  <td className="mono">{p.name}</td>
                  <td>{p.type}</td>
                  <td>{p.active ? 'active' : 'inactive'}</td>
                  <td>{gib(p.capacityBytes)}</td>
                  <td>{gib(p.availableBytes)}</td>
                  <td>
                    {p.volumes.map((v) => (
                      <div key={v.name}>
                        <span className="mono">{v.name}</span> <span className="muted">{gib(v.capacityBytes)} ({gib(v.allocationBytes)} used)</span>
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/** The dry run of a change: what it will do, the exact commands; nothing runs until "Run" is pressed. */
function DryRunDialog() {
  const dryRun = useApp((s) => s.dryRun);
  const { confirmDryRun, dismissDryRun } = useApp.getState();
  if (!dryRun) return null;
  const { plan } = dryRun;
  const n = plan.commands.length;
  return (
    <Dialog title="Confirm hypervisor change" onClose={dismissDryRun} wide>
      <div className="hv-dry-run" aria-label="Dry run">
        <Operation operation={plan} label="Commands" />
        <p className="muted">
          Dry run: nothing has changed yet. {n === 1 ? 'This command runs' : `These ${n} commands run, in order,`} only when you confirm (this confirmation is valid until {new Date(plan.expiresAt).toLocaleTimeString()}, once).
        </p>
        <div className="panel-actions">
          <button type="button" className="primary danger" onClick={() => void confirmDryRun()}>
            Run {n === 1 ? 'this command' : `these ${n} commands`}
          </button>
          <button type="button" onClick={dismissDryRun}>
            Cancel
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Hypervisor connections, their VMs with the inventory host each one is, snapshots and confirmed changes. */
export function HypervisorsPanel() {
  const view = useApp((s) => s.hypervisorInventory);
  const selected = useApp((s) => s.selectedHypervisorId);
  const { loadHypervisors, selectHypervisor, refreshHypervisor } = useApp.getState();

  useEffect(() => {
    void loadHypervisors().then(() => {
      const id = useApp.getState().selectedHypervisorId;
      if (id !== null) void selectHypervisor(id);
    });
  }, [loadHypervisors, selectHypervisor]);
  // R refreshes the hypervisor shown.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && e.target.closest('input, textarea, select, dialog');
      if (typing || e.ctrlKey || e.metaKey || e.altKey || e.key !== 'r' || selected === null) return;
      e.preventDefault();
      void refreshHypervisor(selected);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, refreshHypervisor]);

  return (
    <div className="hv-panel">
      <Connections />
      {view ? <Inventory view={view} /> : <p className="empty muted">{selected === null ? 'Add a hypervisor to see its VMs.' : 'Loading…'}</p>}
      <DryRunDialog />
    </div>
  );
}
