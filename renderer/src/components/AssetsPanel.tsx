import { useEffect, useState, type FormEvent } from 'react';
import type { CallOutput } from '../../../core/contract/index';
import { POOL_KINDS } from '../../../core/domain/assets';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { attempt } from '../store/task';
import type { LeaseView, ReclaimOptions, StageUsage } from '../store/assets';
import { AssetJobProgress, useAssetJob } from './AssetJobProgress';
import { CloneDialog, type CloneTarget } from './CloneDialog';
import { Dialog } from './Dialog';
import { Operation } from './OperationCommands';
import './assets.css';

type Amounts = StageUsage['capacity'];
const DIMENSIONS: { key: keyof Amounts; label: string; unit: (n: number) => string }[] = [
  { key: 'vcpus', label: 'vCPU', unit: (n) => `${n} vCPU` },
  { key: 'memoryMb', label: 'Memory', unit: (n) => `${Math.round((n / 1024) * 10) / 10} GiB` },
  { key: 'diskGb', label: 'Disk', unit: (n) => `${n} GB` },
];
const money = (costs: Record<string, number>) =>
  Object.entries(costs)
    .map(([currency, amount]) => new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(amount))
    .join(' + ') || '—';
/** Green up to 80 % used, amber to 100 %, red beyond: always with the percentage in text. */
const levelOf = (used: number, capacity: number) => (capacity <= 0 ? (used > 0 ? 'bad' : 'unknown') : used / capacity > 1 ? 'bad' : used / capacity >= 0.8 ? 'warn' : 'ok');
const percent = (used: number, capacity: number) => (capacity > 0 ? `${Math.round((used / capacity) * 100)} %` : 'no capacity');

/** One bar per dimension: each service's share of the capacity stacked, the free room after it. */
function UsageBars({ stage }: { stage: StageUsage }) {
  const width = 420;
  const row = 22;
  const labelWidth = 64;
  const barWidth = width - labelWidth - 70;
  return (
    <svg className="usage-bars" width={width} height={row * DIMENSIONS.length} role="img" aria-label={`Allocation of ${stage.stageName}`}>
      {DIMENSIONS.map((d, i) => {
        const capacity = Math.max(stage.capacity[d.key], 0);
        const scale = Math.max(capacity, stage.allocated[d.key], 1);
        let x = labelWidth;
        const level = levelOf(stage.allocated[d.key], capacity);
        return (
          <g key={d.key} transform={`translate(0 ${i * row})`}>
            <text x={0} y={15} className="bar-label">
              {d.label}
            </text>
            <rect x={labelWidth} y={4} width={barWidth} height={14} className="bar-track" />
            {stage.services.map((service, n) => {
              const w = (service.allocated[d.key] / scale) * barWidth;
              const segment = (
                <rect key={service.serviceName} x={x} y={4} width={Math.max(w, 0)} height={14} className={`bar-fill level-${level} shade-${n % 4}`}>
                  <title>{`${service.serviceName}: ${d.unit(service.allocated[d.key])}`}</title>
                </rect>
              );
              x += w;
              return segment;
            })}
            {capacity > 0 && <line x1={labelWidth + (capacity / scale) * barWidth} x2={labelWidth + (capacity / scale) * barWidth} y1={1} y2={21} className="bar-capacity" />}
            <text x={labelWidth + barWidth + 6} y={15} className={`bar-value level-${level}`}>
              {percent(stage.allocated[d.key], capacity)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function StageCapacity({ stage }: { stage: StageUsage }) {
  return (
    <section className="asset-stage" aria-label={`Stage ${stage.stageName}`}>
      <header>
        <h3>{stage.stageName}</h3>
        <span className="muted">
          {stage.pools.length === 0 ? 'no pool' : stage.pools.map((p) => `${p.pool.name} (${p.pool.kind})`).join(', ')} · {money(stage.monthlyCost)} a month
        </span>
      </header>
      <div className="asset-stage-body">
        <UsageBars stage={stage} />
        <table className="hosts asset-numbers" aria-label={`Capacity of ${stage.stageName}`}>
          <thead>
            <tr>
              <th />
              {DIMENSIONS.map((d) => (
                <th key={d.key}>{d.label}</th>
              ))}
              <th>Cost a month</th>
            </tr>
          </thead>
          <tbody>
            {(
              [
                ['Capacity', stage.capacity, stage.monthlyCost],
                ['Allocated', stage.allocated, null],
                ['Free', stage.free, null],
              ] as const
            ).map(([label, amounts, cost]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {DIMENSIONS.map((d) => (
                  <td key={d.key} className={label === 'Free' && amounts[d.key] < 0 ? 'over' : undefined}>
                    {d.unit(amounts[d.key])}
                  </td>
                ))}
                <td>{cost ? money(cost) : ''}</td>
              </tr>
            ))}
            {stage.services.map((service) => (
              <tr key={service.serviceName} className="service-row">
                <th scope="row">
                  {service.serviceName} <span className="muted">({service.hosts} hosts)</span>
                </th>
                {DIMENSIONS.map((d) => (
                  <td key={d.key}>{d.unit(service.allocated[d.key])}</td>
                ))}
                <td>{money(service.monthlyCost)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {stage.pools.some((p) => p.overcommitted) && <p className="note">Overcommitted: the environments hold more than the pool has.</p>}
      {stage.outsidePools.length > 0 && <p className="muted small">Outside any pool (not counted against capacity): {stage.outsidePools.join(', ')}</p>}
      {stage.services.some((s) => s.unsizedHosts.length > 0) && (
        <p className="muted small">Size not recorded (counted as 0): {stage.services.flatMap((s) => s.unsizedHosts).join(', ')}</p>
      )}
    </section>
  );
}

const statusText = (lease: LeaseView) =>
  lease.state !== 'active' ? lease.state : lease.status === 'expired' ? 'expired' : lease.status === 'expiring' ? `expiring: ${lease.daysLeft === 0 ? 'last day' : `${lease.daysLeft} day${lease.daysLeft === 1 ? '' : 's'} left`}` : `${lease.daysLeft} days left`;
const statusLevel = (lease: LeaseView) => (lease.state !== 'active' ? 'unknown' : lease.status === 'expired' ? 'bad' : lease.status === 'expiring' ? 'warn' : 'ok');

/** On a stage node: whose the environment is and until when, in the colours of urgency. */
export function LeaseBadge({ stageId }: { stageId: number }) {
  const lease = useApp((s) => s.assets?.leases.find((l) => l.stageId === stageId && l.state === 'active'));
  if (!lease) return null;
  return (
    <div className={`chip lease-badge health-${statusLevel(lease)}`} aria-label={`Lease of ${lease.owner}: ${statusText(lease)}`} title={`${lease.owner} until ${lease.expiresOn} (${lease.timeZone})${lease.reason ? `: ${lease.reason}` : ''}`}>
      {lease.owner} · {lease.status === 'expired' ? 'expired' : lease.daysLeft === 0 ? 'last day' : `${lease.daysLeft} d left`}
    </div>
  );
}

/** Cancel and the form's submit button, disabled until the form can be sent. */
function FormActions({ onCancel, submit, disabled }: { onCancel: () => void; submit: string; disabled: boolean }) {
  return (
    <div className="actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={disabled}>
        {submit}
      </button>
    </div>
  );
}

function ExtendDialog({ lease, onClose }: { lease: LeaseView; onClose: () => void }) {
  const extendLease = useApp((s) => s.extendLease);
  const [expiresOn, setExpiresOn] = useState(() => {
    const base = Math.max(Date.parse(`${lease.expiresOn}T00:00:00Z`), Date.now());
    return new Date(base + 7 * 86_400_000).toISOString().slice(0, 10);
  });
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await extendLease(lease.stageId, expiresOn, reason)) onClose();
  };
  return (
    <Dialog title={`Extend the lease of ${lease.serviceName} ${lease.stageName}`} onClose={onClose}>
      <form className="asset-form" onSubmit={(e) => void submit(e)}>
        <p className="muted">
          Now until {lease.expiresOn}, the last day in {lease.timeZone} ({lease.owner}).
        </p>
        <label>
          New last day
          <input type="date" value={expiresOn} min={lease.expiresOn} onChange={(e) => setExpiresOn(e.target.value)} required />
        </label>
        <label>
          Reason (goes into the audit log)
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} required rows={3} />
        </label>
        <FormActions onCancel={onClose} submit="Extend" disabled={reason.trim() === ''} />
      </form>
    </Dialog>
  );
}

function ArchiveDialog({ lease, onClose }: { lease: LeaseView; onClose: () => void }) {
  const archiveEnvironment = useApp((s) => s.archiveEnvironment);
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await archiveEnvironment(lease.stageId, reason)) onClose();
  };
  return (
    <Dialog title={`Archive ${lease.serviceName} ${lease.stageName}`} onClose={onClose}>
      <form className="asset-form" onSubmit={(e) => void submit(e)}>
        <p>Its hosts leave the stage and their pools, so their capacity is free again. Their snapshots and the stage&apos;s image stay; nothing changes on any hypervisor.</p>
        <label>
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} required rows={2} />
        </label>
        <FormActions onCancel={onClose} submit="Archive" disabled={reason.trim() === ''} />
      </form>
    </Dialog>
  );
}

const PHASES: Record<string, string> = {
  'power-off': 'Phase 1 of 2: power off, keep a way back',
  wait: 'Waiting for the grace period',
  delete: 'Phase 2 of 2: delete the VMs',
  done: 'Done',
};

function ReclaimDialog() {
  const reclaim = useApp((s) => s.reclaim);
  const lease = useApp((s) => s.assets?.leases.find((l) => l.stageId === s.reclaim?.stageId));
  const planReclaim = useApp((s) => s.planReclaim);
  const confirmReclaim = useApp((s) => s.confirmReclaim);
  const closeReclaim = useApp((s) => s.closeReclaim);
  const reclaimFinished = useApp((s) => s.reclaimFinished);
  const busy = useApp((s) => s.busy);
  const [options, setOptions] = useState<Required<ReclaimOptions>>({ keep: 'snapshot', graceHours: 24, force: false });
  const progress = useAssetJob(reclaim?.job?.jobId ?? null);
  const jobEnded = progress.job !== null && progress.job.state !== 'running';
  useEffect(() => {
    if (jobEnded) void reclaimFinished();
  }, [jobEnded, reclaimFinished]);
  if (!reclaim) return null;
  const { dryRun, outcome, job } = reclaim;
  const title = `Reclaim ${lease ? `${lease.serviceName} ${lease.stageName}` : 'the environment'}`;
  const operations = dryRun?.vms.reduce((n, vm) => n + vm.operations.length, 0) ?? 0;
  return (
    <Dialog title={title} onClose={closeReclaim} wide>
      <div className="reclaim">
        {job && <AssetJobProgress title={`Reclaim run ${job.runId}`} vms={progress.vms} job={progress.job} />}
        {outcome?.run && !job && (
          <section aria-label="Reclaim status" className="reclaim-status">
            <strong>
              Run {outcome.run.id}: {outcome.run.state === 'waiting' ? `VMs off; they may be deleted after the grace period (${outcome.run.graceHours} h)` : outcome.run.state}
            </strong>
            <ul>
              {outcome.vms.map((vm) => (
                <li key={`${vm.hypervisorId}:${vm.domain}`}>
                  <span className="mono">{vm.domain}</span> — {vm.step}
                  {vm.lastError && <span className="bad-text"> ({vm.lastError})</span>}
                </li>
              ))}
            </ul>
            {outcome.left.length > 0 && outcome.run.state !== 'waiting' && (
              <p className="note" aria-label="What is left">
                Left to do: {outcome.left.join('; ')}
              </p>
            )}
          </section>
        )}
        {!dryRun && !job && (
          <form
            className="asset-form"
            aria-label="Reclaim options"
            onSubmit={(e) => {
              e.preventDefault();
              void planReclaim(options);
            }}
          >
            {!outcome?.run && (
              <>
                <fieldset>
                  <legend>Keep, so it can be rebuilt</legend>
                  <label>
                    <input type="radio" name="keep" checked={options.keep === 'snapshot'} onChange={() => setOptions({ ...options, keep: 'snapshot' })} /> a hypervisor snapshot in each VM&apos;s disks (disks stay)
                  </label>
                  <label>
                    <input type="radio" name="keep" checked={options.keep === 'image'} onChange={() => setOptions({ ...options, keep: 'image' })} /> the stage&apos;s image (disks are deleted too)
                  </label>
                </fieldset>
                <label>
                  Grace period between power-off and delete (hours)
                  <input type="number" min={0} step={1} value={options.graceHours} onChange={(e) => setOptions({ ...options, graceHours: Number(e.target.value) })} />
                </label>
                <label className="inline">
                  <input type="checkbox" checked={options.force} onChange={(e) => setOptions({ ...options, force: e.target.checked })} /> power off at once (destroy) instead of asking the guests
                </label>
              </>
            )}
            <div className="actions">
              <button type="button" onClick={closeReclaim}>
                Close
              </button>
              <button type="submit" className="primary" disabled={busy !== null}>
                {outcome?.run ? 'Dry run of the next step' : 'Dry run'}
              </button>
            </div>
          </form>
        )}
        {dryRun && (
          <section aria-label="Reclaim dry run">
            <h3>{PHASES[dryRun.phase]}</h3>
            {dryRun.deleteAfter && <p className="muted">Deletion allowed after {new Date(dryRun.deleteAfter).toLocaleString()}.</p>}
            {dryRun.vms.map((vm) => (
              <div key={vm.domain} className="reclaim-vm" aria-label={`VM ${vm.domain}`}>
                <strong className="mono">{vm.domain}</strong> <span className="muted">host {vm.hostName} on {vm.hypervisorName} · {vm.step}</span>
                {vm.operations.map((op, i) => (
                  <div key={i}>
                    <Operation operation={op} label={`Commands for ${vm.domain}`} />
                  </div>
                ))}
                {vm.operations.length === 0 && <div className="muted small">nothing to do in this phase</div>}
              </div>
            ))}
            {dryRun.notVms.length > 0 && <p className="muted">Not VMs of a registered hypervisor, left as they are: {dryRun.notVms.join(', ')}</p>}
            {dryRun.warnings.map((w) => (
              <p key={w} className="note">
                {w}
              </p>
            ))}
            <div className="actions">
              <button type="button" onClick={closeReclaim}>
                Cancel
              </button>
              <button type="button" className="primary danger" disabled={busy !== null || operations === 0} onClick={() => void confirmReclaim()}>
                Run these {operations} operation{operations === 1 ? '' : 's'}
              </button>
            </div>
          </section>
        )}
      </div>
    </Dialog>
  );
}

/** A stable empty list: a selector must not return a new array each time. */
const NO_LEASES: LeaseView[] = [];

function NewLeaseDialog({ onClose }: { onClose: () => void }) {
  const services = useApp((s) => s.services);
  const leases = useApp((s) => s.assets?.leases);
  const leased = new Set((leases ?? []).filter((l) => l.state === 'active').map((l) => l.stageId));
  const setLease = useApp((s) => s.setLease);
  const stages = services.flatMap((service) => service.stages.filter((st) => !st.isProduction && !leased.has(st.id)).map((st) => ({ id: st.id, label: `${service.name} ${st.name}` })));
  const [stageId, setStageId] = useState(stages[0]?.id ?? 0);
  const [owner, setOwner] = useState('');
  const [expiresOn, setExpiresOn] = useState(() => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10));
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await setLease({ stageId, owner, expiresOn, timeZone, reason })) onClose();
  };
  return (
    <Dialog title="New lease" onClose={onClose}>
      <form className="asset-form" onSubmit={(e) => void submit(e)}>
        {stages.length === 0 && <p className="muted">Every preproduction environment already has a lease.</p>}
        <label>
          Environment
          <select value={stageId} onChange={(e) => setStageId(Number(e.target.value))}>
            {stages.map((st) => (
              <option key={st.id} value={st.id}>
                {st.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Owner
          <input value={owner} onChange={(e) => setOwner(e.target.value)} required />
        </label>
        <label>
          Last day
          <input type="date" value={expiresOn} onChange={(e) => setExpiresOn(e.target.value)} required />
        </label>
        <label>
          Owner&apos;s time zone (the day ends at midnight there)
          <input value={timeZone} onChange={(e) => setTimeZone(e.target.value)} required />
        </label>
        <label>
          Reason
          <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} />
        </label>
        <FormActions onCancel={onClose} submit="Set lease" disabled={stages.length === 0 || owner.trim() === ''} />
      </form>
    </Dialog>
  );
}

function NewPoolDialog({ onClose }: { onClose: () => void }) {
  const services = useApp((s) => s.services);
  const addPool = useApp((s) => s.addPool);
  const stageNames = [...new Set(services.flatMap((s) => s.stages.map((st) => st.name)))];
  const [form, setForm] = useState({ name: '', stageName: stageNames[0] ?? '', kind: 'hypervisor' as (typeof POOL_KINDS)[number], vcpus: 32, memoryGb: 128, diskGb: 2000, currency: 'EUR', perVcpu: '', perMemoryGb: '', perDiskGb: '' });
  const update = (changes: Partial<typeof form>) => setForm({ ...form, ...changes });
  const priced = form.perVcpu !== '' || form.perMemoryGb !== '' || form.perDiskGb !== '';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await addPool({
      name: form.name,
      stageName: form.stageName,
      kind: form.kind,
      capacity: form.kind === 'physical' ? null : { vcpus: form.vcpus, memoryMb: Math.round(form.memoryGb * 1024), diskGb: form.diskGb },
      rate: priced ? { currency: form.currency.toUpperCase(), perVcpu: Number(form.perVcpu || 0), perMemoryGb: Number(form.perMemoryGb || 0), perDiskGb: Number(form.perDiskGb || 0) } : null,
    });
    if (ok) onClose();
  };
  return (
    <Dialog title="Add a resource pool" onClose={onClose}>
      <form className="asset-form pool-form" onSubmit={(e) => void submit(e)}>
        <label>
          Name
          <input value={form.name} onChange={(e) => update({ name: e.target.value })} required />
        </label>
        <label>
          Stage
          <select value={form.stageName} onChange={(e) => update({ stageName: e.target.value })}>
            {stageNames.map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <label>
          Kind
          <select value={form.kind} onChange={(e) => update({ kind: e.target.value as (typeof POOL_KINDS)[number] })}>
            {POOL_KINDS.map((kind) => (
              <option key={kind}>{kind}</option>
            ))}
          </select>
        </label>
        {form.kind === 'physical' ? (
          <p className="muted">A pool of physical hosts is as big as the hosts you put in it.</p>
        ) : (
          <div className="pool-numbers">
            <label>
              vCPUs
              <input type="number" min={0} value={form.vcpus} onChange={(e) => update({ vcpus: Number(e.target.value) })} />
            </label>
            <label>
              Memory (GiB)
              <input type="number" min={0} value={form.memoryGb} onChange={(e) => update({ memoryGb: Number(e.target.value) })} />
            </label>
            <label>
              Disk (GB)
              <input type="number" min={0} value={form.diskGb} onChange={(e) => update({ diskGb: Number(e.target.value) })} />
            </label>
          </div>
        )}
        <div className="pool-numbers">
          <label>
            Currency
            <input value={form.currency} maxLength={3} onChange={(e) => update({ currency: e.target.value })} />
          </label>
          <label>
            per vCPU a month
            <input type="number" min={0} step="0.01" value={form.perVcpu} onChange={(e) => update({ perVcpu: e.target.value })} />
          </label>
          <label>
            per GiB memory
            <input type="number" min={0} step="0.01" value={form.perMemoryGb} onChange={(e) => update({ perMemoryGb: e.target.value })} />
          </label>
          <label>
            per GB disk
            <input type="number" min={0} step="0.001" value={form.perDiskGb} onChange={(e) => update({ perDiskGb: e.target.value })} />
          </label>
        </div>
        <FormActions onCancel={onClose} submit="Add pool" disabled={form.name.trim() === ''} />
      </form>
    </Dialog>
  );
}

function Leases({ onClone }: { onClone: (target: CloneTarget) => void }) {
  const leases = useApp((s) => s.assets?.leases ?? NO_LEASES);
  const services = useApp((s) => s.services);
  const hostsOf = (lease: LeaseView) => services.find((s) => s.id === lease.serviceId)?.stages.find((st) => st.id === lease.stageId)?.hostCount ?? 0;
  const horizon = useApp((s) => s.leaseHorizonDays);
  const setLeaseHorizon = useApp((s) => s.setLeaseHorizon);
  const openReclaim = useApp((s) => s.openReclaim);
  const [dialog, setDialog] = useState<{ kind: 'extend' | 'archive'; lease: LeaseView } | null>(null);
  const [creating, setCreating] = useState(false);
  const order = { expired: 0, expiring: 1, active: 2 };
  const sorted = [...leases].sort((a, b) => (a.state === 'active' ? 0 : 1) - (b.state === 'active' ? 0 : 1) || order[a.status] - order[b.status] || a.expiresOn.localeCompare(b.expiresOn));
  return (
    <section className="asset-leases" aria-label="Leases">
      <header>
        <h3>Leases</h3>
        <button type="button" onClick={() => setCreating(true)}>
          New lease…
        </button>
        <label className="muted">
          expiring within{' '}
          <select value={horizon} onChange={(e) => void setLeaseHorizon(Number(e.target.value))} aria-label="Expiring within">
            {[3, 7, 14, 30].map((d) => (
              <option key={d} value={d}>
                {d} days
              </option>
            ))}
          </select>
        </label>
      </header>
      {sorted.length === 0 ? (
        <p className="muted">No environment has a lease.</p>
      ) : (
        <table className="hosts" aria-label="Leases of preproduction environments">
          <thead>
            <tr>
              <th>Environment</th>
              <th>Owner</th>
              <th>Last day</th>
              <th>Status</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {sorted.map((lease) => (
              <tr key={lease.stageId} aria-label={`Lease ${lease.serviceName} ${lease.stageName}`}>
                <td>
                  {lease.serviceName} <strong>{lease.stageName}</strong>
                </td>
                <td>{lease.owner}</td>
                <td>
                  {lease.expiresOn} <span className="muted">{lease.timeZone}</span>
                </td>
                <td>
                  <span className={`chip health-${statusLevel(lease)} lease-status`}>{statusText(lease)}</span>
                </td>
                <td className="reason">{lease.reason}</td>
                <td className="lease-actions">
                  {lease.state === 'active' && (
                    <>
                      <button type="button" onClick={() => setDialog({ kind: 'extend', lease })}>
                        Extend…
                      </button>
                      <button type="button" onClick={() => setDialog({ kind: 'archive', lease })}>
                        Archive…
                      </button>
                    </>
                  )}
                  {lease.state !== 'reclaimed' && (
                    <button type="button" onClick={() => void openReclaim(lease.stageId)}>
                      Reclaim…
                    </button>
                  )}
                  {hostsOf(lease) > 0 ? (
                    <button type="button" onClick={() => onClone({ serviceId: lease.serviceId, stageId: lease.stageId, rebuild: true })}>
                      Rebuild…
                    </button>
                  ) : (
                    <button type="button" onClick={() => onClone({ serviceId: lease.serviceId, stageId: lease.stageId, rebuild: false })}>
                      Clone production into this stage…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {dialog?.kind === 'extend' && <ExtendDialog lease={dialog.lease} onClose={() => setDialog(null)} />}
      {dialog?.kind === 'archive' && <ArchiveDialog lease={dialog.lease} onClose={() => setDialog(null)} />}
      {creating && <NewLeaseDialog onClose={() => setCreating(false)} />}
    </section>
  );
}

/** Will a new environment of this size fit a stage? Which pool takes it, or why none can. */
function PlacementCheck() {
  const services = useApp((s) => s.services);
  const stageNames = [...new Set(services.flatMap((s) => s.stages.map((st) => st.name)))];
  const [form, setForm] = useState({ stageName: stageNames[0] ?? '', vcpus: 8, memoryGb: 32, diskGb: 200 });
  const [answer, setAnswer] = useState<CallOutput<'pools.place'> | null>(null);
  const check = async (e: FormEvent) => {
    e.preventDefault();
    const placement = await attempt(useApp.setState, () => client.call('pools.place', { stageName: form.stageName, required: { vcpus: form.vcpus, memoryMb: Math.round(form.memoryGb * 1024), diskGb: form.diskGb } }));
    if (placement) setAnswer(placement);
  };
  return (
    <section className="asset-place" aria-label="Place a new environment">
      <form className="asset-form place-form" onSubmit={(e) => void check(e)}>
        <h3>Will a new environment fit?</h3>
        <div className="pool-numbers">
          <label>
            Stage
            <select value={form.stageName} onChange={(e) => setForm({ ...form, stageName: e.target.value })}>
              {stageNames.map((name) => (
                <option key={name}>{name}</option>
              ))}
            </select>
          </label>
          <label>
            vCPUs
            <input type="number" min={0} value={form.vcpus} onChange={(e) => setForm({ ...form, vcpus: Number(e.target.value) })} />
          </label>
          <label>
            Memory (GiB)
            <input type="number" min={0} value={form.memoryGb} onChange={(e) => setForm({ ...form, memoryGb: Number(e.target.value) })} />
          </label>
          <label>
            Disk (GB)
            <input type="number" min={0} value={form.diskGb} onChange={(e) => setForm({ ...form, diskGb: Number(e.target.value) })} />
          </label>
          <button type="submit">Check</button>
        </div>
      </form>
      {answer && (
        <p className={`placement health-${answer.chosen ? 'ok' : 'bad'}`} role="status" aria-label="Placement">
          {answer.chosen ? `Fits in ${answer.chosen.poolName} (${money(answer.chosen.monthlyCost)} a month).` : answer.reason}
        </p>
      )}
    </section>
  );
}

/** Preproduction assets: capacity, allocation, free room and cost per stage and service; leases and their actions. */
export function AssetsPanel() {
  const assets = useApp((s) => s.assets);
  const loadAssets = useApp((s) => s.loadAssets);
  useEffect(() => void loadAssets(), [loadAssets]);
  const [addingPool, setAddingPool] = useState(false);
  /** The clone dialog: closed (undefined), or open on a stage (or none chosen yet: null). */
  const [cloning, setCloning] = useState<CloneTarget | null | undefined>(undefined);
  return (
    <main className="assets-panel" aria-label="Assets">
      <div className="assets-head">
        <h2>Preproduction assets</h2>
        {assets && <span className="muted">as of {new Date(assets.generatedAt).toLocaleString()}</span>}
        <button type="button" onClick={() => setCloning(null)}>
          Clone production into a stage…
        </button>
        <button type="button" onClick={() => setAddingPool(true)}>
          Add pool…
        </button>
        <button type="button" onClick={() => void loadAssets()}>
          Refresh
        </button>
      </div>
      {addingPool && <NewPoolDialog onClose={() => setAddingPool(false)} />}
      <Leases onClone={setCloning} />
      {cloning !== undefined && <CloneDialog initial={cloning} onClose={() => setCloning(undefined)} />}
      <PlacementCheck />
      <section aria-label="Capacity per stage">
        {assets?.stages.map((stage) => <StageCapacity key={stage.stageName} stage={stage} />)}
        {assets && assets.stages.length === 0 && <p className="muted">No pools and no hosts in any stage yet.</p>}
      </section>
      <ReclaimDialog />
    </main>
  );
}
