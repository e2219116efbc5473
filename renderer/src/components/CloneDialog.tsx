import { useEffect, useState, type FormEvent } from 'react';
import type { CallInput, CallOutput } from '../../../core/contract/index';
import { DEFAULT_NAMING_RULE } from '../../../core/domain/clone';
import { client } from '../api/client';
import { useApp } from '../store/index';
import { attempt, task } from '../store/task';
import { AssetJobProgress, useAssetJob } from './AssetJobProgress';
import { Dialog } from './Dialog';
import { Operation, OperationCommands } from './OperationCommands';
import { ParityBadge } from './Parity';
import './clone.css';

type CloneRequest = CallInput<'clone.plan'>;
type ClonePlan = CallOutput<'clone.plan'>;
type CloneStatus = CallOutput<'clone.status'>;
type ResumePlan = CallOutput<'clone.resumePlan'>;
type Inventory = CallOutput<'hypervisors.inventory'>;

/** Where the dialog starts: a stage to clone into, or to rebuild (replace what it holds). */
export interface CloneTarget {
  serviceId: number;
  stageId: number;
  rebuild: boolean;
}

const PLACEHOLDERS: [string, string][] = [
  ['{service}', 'the service'],
  ['{stage}', 'the target stage'],
  ['{role}', 'the role'],
  ['{n}', '1, 2… within each role'],
  ['{source}', 'the VM cloned from'],
];

type SnapshotMode = 'none' | 'latest' | 'named';
interface CloneForm {
  serviceId: number;
  toStageId: number;
  hypervisorId: number;
  /** 'production' or an image id. */
  source: string;
  snapshot: SnapshotMode;
  snapshotName: string;
  templates: Record<string, string>;
  /** Per role: '' as chosen for all, 'latest', or 'named:NAME'. */
  roleSnapshots: Record<string, string>;
  name: string;
  address: string;
  replace: boolean;
  scan: boolean;
}

function requestOf(form: CloneForm): CloneRequest {
  const templates = Object.fromEntries(Object.entries(form.templates).filter(([, vm]) => vm.trim() !== '').map(([role, vm]) => [role, vm.trim()]));
  const snapshots = Object.fromEntries(
    Object.entries(form.roleSnapshots)
      .filter(([, choice]) => choice !== '')
      .map(([role, choice]) => [role, choice === 'latest' ? { kind: 'latest' as const } : { kind: 'named' as const, name: choice.slice('named:'.length) }]),
  );
  return {
    serviceId: form.serviceId,
    toStageId: form.toStageId,
    hypervisorId: form.hypervisorId,
    from: form.source === 'production' ? { kind: 'production' } : { kind: 'image', imageId: Number(form.source) },
    ...(Object.keys(templates).length > 0 && { templates }),
    naming: { name: form.name, address: form.address },
    replace: form.replace,
    ...(form.snapshot === 'latest' && { snapshot: { kind: 'latest' as const } }),
    ...(form.snapshot === 'named' && { snapshot: { kind: 'named' as const, name: form.snapshotName.trim() } }),
    ...(Object.keys(snapshots).length > 0 && { snapshots }),
  };
}

const size = (s: ClonePlan['vms'][number]['size']) => `${s.vcpus} vCPU · ${Math.round((s.memoryMb / 1024) * 10) / 10} GiB · ${s.diskGb} GB`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Service, target stage, hypervisor, source, templates, snapshot and naming rule: what the dry run is asked for. */
function CloneChoices({ form, setForm, inventory, onPlan, onClose }: { form: CloneForm; setForm: (f: CloneForm) => void; inventory: Inventory | null; onPlan: () => void; onClose: () => void }) {
  const services = useApp((s) => s.services);
  const hypervisors = useApp((s) => s.hypervisors);
  const busy = useApp((s) => s.busy);
  const [images, setImages] = useState<CallOutput<'images.list'>>([]);
  const service = services.find((s) => s.id === form.serviceId);
  const target = service?.stages.find((st) => st.id === form.toStageId);
  useEffect(() => {
    let current = true;
    void attempt(useApp.setState, () => client.call('images.list', { serviceId: form.serviceId })).then((list) => current && list && setImages(list));
    return () => void (current = false);
  }, [form.serviceId]);
  const update = (changes: Partial<CloneForm>) => setForm({ ...form, ...changes });
  const snapshotsOf = (vm: string) => inventory?.domains.find((d) => d.name === vm.trim())?.snapshots.map((snap) => snap.name);
  const snapshotNames = [...new Set(inventory?.domains.flatMap((d) => d.snapshots.map((s) => s.name)) ?? [])];
  const held = target?.hostCount ?? 0;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onPlan();
  };
  return (
    <form className="asset-form clone-form" aria-label="Clone choices" onSubmit={submit}>
      <div className="clone-grid">
        <label>
          Service
          <select value={form.serviceId} onChange={(e) => {
            const next = services.find((s) => s.id === Number(e.target.value));
            update({ serviceId: Number(e.target.value), toStageId: next?.stages.find((st) => !st.isProduction)?.id ?? 0, source: 'production', templates: {}, roleSnapshots: {} });
          }}>
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target stage
          <select value={form.toStageId} onChange={(e) => {
            const stage = service?.stages.find((st) => st.id === Number(e.target.value));
            update({ toStageId: Number(e.target.value), replace: (stage?.hostCount ?? 0) > 0 && form.replace });
          }}>
            {service?.stages
              .filter((st) => !st.isProduction)
              .map((st) => (
                <option key={st.id} value={st.id}>
                  {st.name} ({st.hostCount === 0 ? 'empty' : plural(st.hostCount, 'host')})
                </option>
              ))}
          </select>
        </label>
        <label>
          Hypervisor
          <select value={form.hypervisorId} onChange={(e) => update({ hypervisorId: Number(e.target.value) })}>
            {hypervisors.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name} ({h.uri})
              </option>
            ))}
          </select>
        </label>
        <label>
          Clone from
          <select value={form.source} onChange={(e) => update({ source: e.target.value })}>
            <option value="production">production&apos;s VMs</option>
            {images.map((image) => (
              <option key={image.id} value={String(image.id)}>
                image {image.label} (templates per role)
              </option>
            ))}
          </select>
        </label>
      </div>
      {hypervisors.length === 0 && <p className="note">No hypervisor is registered: add one in the Hypervisors view (Ctrl+3) first.</p>}
      {held > 0 && (
        <label className="inline rebuild">
          <input type="checkbox" checked={form.replace} onChange={(e) => update({ replace: e.target.checked })} /> Rebuild: archive the {plural(held, 'host')} {target?.name} holds now (their snapshots and the stage&apos;s image stay), then register the clones in
          their place
        </label>
      )}
      <fieldset>
        <legend>Source VMs</legend>
        <label>
          <input type="radio" name="snapshot" checked={form.snapshot === 'none'} onChange={() => update({ snapshot: 'none' })} /> clone each VM as it is (it must be shut off)
        </label>
        <label>
          <input type="radio" name="snapshot" checked={form.snapshot === 'latest'} onChange={() => update({ snapshot: 'latest' })} /> copy from each VM&apos;s newest snapshot (the VM may run; it is not touched)
        </label>
        <label>
          <input type="radio" name="snapshot" checked={form.snapshot === 'named'} onChange={() => update({ snapshot: 'named' })} /> copy from the snapshot named{' '}
          <input className="inline-input" list="clone-snapshot-names" aria-label="Snapshot name" value={form.snapshotName} disabled={form.snapshot !== 'named'} onChange={(e) => update({ snapshotName: e.target.value })} />
        </label>
        <datalist id="clone-snapshot-names">
          {snapshotNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </fieldset>
      <fieldset>
        <legend>Per role: the VM to clone (empty: production&apos;s VM of that role) and its snapshot</legend>
        <div className="clone-roles">
          {service?.roles.map((role) => (
            <div key={role} className="clone-role">
              <span className="clone-role-name">{role}</span>
              <input list="clone-template-vms" aria-label={`Template for ${role}`} value={form.templates[role] ?? ''} placeholder={form.source === 'production' ? "production's VM" : 'a template VM'} onChange={(e) => update({ templates: { ...form.templates, [role]: e.target.value } })} />
              <select aria-label={`Snapshot for ${role}`} value={form.roleSnapshots[role] ?? ''} onChange={(e) => update({ roleSnapshots: { ...form.roleSnapshots, [role]: e.target.value } })}>
                <option value="">as chosen above</option>
                <option value="latest">its newest snapshot</option>
                {(snapshotsOf(form.templates[role] ?? '') ?? snapshotNames).map((name) => (
                  <option key={name} value={`named:${name}`}>
                    snapshot {name}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </div>
        <datalist id="clone-template-vms">
          {inventory?.domains.map((d) => (
            <option key={d.name} value={d.name}>
              {d.state}
              {d.snapshots.length > 0 ? `, ${plural(d.snapshots.length, 'snapshot')}` : ''}
            </option>
          ))}
        </datalist>
        {inventory?.fetchedAt === null && <p className="muted small">The hypervisor has not been read yet: refresh it in the Hypervisors view to get its VMs offered here.</p>}
      </fieldset>
      <fieldset>
        <legend>Naming rule</legend>
        <div className="clone-grid">
          <label>
            Name
            <input aria-label="Name pattern" value={form.name} onChange={(e) => update({ name: e.target.value })} required />
          </label>
          <label>
            Address
            <input aria-label="Address pattern" value={form.address} onChange={(e) => update({ address: e.target.value })} required />
          </label>
        </div>
        <p className="muted small placeholders" aria-label="Placeholders">
          {PLACEHOLDERS.map(([placeholder, meaning]) => (
            <span key={placeholder}>
              <code>{placeholder}</code> {meaning}
            </span>
          ))}
          <span>
            <code>{'{name}'}</code> the clone&apos;s name (address only)
          </span>
          <span>Names are lower-cased; letters, digits, dot, dash and underscore, at most 63 characters.</span>
        </p>
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={form.scan} onChange={(e) => update({ scan: e.target.checked })} /> scan the clones once registered, and show their parity against production
      </label>
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={busy !== null || hypervisors.length === 0 || form.toStageId === 0}>
          Dry run
        </button>
      </div>
    </form>
  );
}

/** Warnings to read, then what stops the run (its button stays off). */
function WarningsAndBlockers({ warnings, blockers, verb }: { warnings: string[]; blockers: string[]; verb: string }) {
  return (
    <>
      {warnings.map((w) => (
        <p key={w} className="note">
          {w}
        </p>
      ))}
      {blockers.length > 0 && (
        <section className="clone-blockers" aria-label="Blockers">
          <strong>Cannot {verb}:</strong>
          <ul>
            {blockers.map((b) => (
              <li key={b}>{b}</li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

/** Network isolation first: a clone on production's network is the one thing that must not be missed. */
function IsolationAlert({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <section className="clone-isolation" role="alert" aria-label="Network isolation">
      <strong>
        {plural(warnings.length, 'NIC')} of the clones {warnings.length === 1 ? 'is' : 'are'} on production&apos;s network
      </strong>
      <ul>
        {warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </section>
  );
}

function ClonePlanView({ plan, scan, onBack, onRun }: { plan: ClonePlan; scan: boolean; onBack: () => void; onRun: () => void }) {
  const busy = useApp((s) => s.busy);
  const isolation = plan.vms.flatMap((vm) => vm.isolation);
  const { placement } = plan;
  return (
    <section className="clone-plan" aria-label="Clone dry run">
      <h3>
        {plan.serviceName}: {plan.fromStage ?? 'image'} → {plan.toStage} on {plan.hypervisorName}
      </h3>
      <IsolationAlert warnings={isolation} />
      <table className="hosts clone-vms" aria-label="Clones">
        <thead>
          <tr>
            <th>Role</th>
            <th>From</th>
            <th>New name</th>
            <th>Address</th>
            <th>Size</th>
          </tr>
        </thead>
        <tbody>
          {plan.vms.map((vm) => (
            <tr key={vm.newName} aria-label={`Clone ${vm.newName}`} className={vm.isolation.length > 0 ? 'isolation-row' : undefined}>
              <td>{vm.role}</td>
              <td>
                <span className="mono">{vm.source}</span>
                {vm.snapshot && <span className="muted small"> snapshot {vm.snapshot.name}</span>}
                {vm.productionHost && vm.productionHost !== vm.source && <span className="muted small"> (production {vm.productionHost})</span>}
              </td>
              <td className="mono">{vm.newName}</td>
              <td className="mono">{vm.address}</td>
              <td>
                {size(vm.size)}
                {vm.isolation.length > 0 && <span className="chip isolation-chip">on production&apos;s network</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Hypervisor operations, in order</h4>
      {plan.vms.map((vm) => (
        <div key={vm.newName} className="reclaim-vm" aria-label={`Operation for ${vm.newName}`}>
          <Operation operation={vm.operation} label={`Commands for ${vm.newName}`} />
        </div>
      ))}
      <h4>Placement</h4>
      <div aria-label="Placement" className={`placement health-${placement.chosen?.fits ? 'ok' : placement.candidates.length === 0 ? 'unknown' : 'bad'}`}>
        {placement.chosen ? `${placement.chosen.fits ? 'Fits in' : 'Does not fit'} pool ${placement.chosen.poolName} of ${placement.stageName}` : (placement.reason ?? 'No pool.')}
        {placement.chosen?.shortfalls.map((s) => (
          <div key={s}>{s}</div>
        ))}
      </div>
      {placement.candidates.filter((c) => c.poolId !== placement.chosen?.poolId).length > 0 && (
        <ul className="small muted">
          {placement.candidates
            .filter((c) => c.poolId !== placement.chosen?.poolId)
            .map((c) => (
              <li key={c.poolId}>
                {c.poolName}: {c.fits ? 'fits too' : c.shortfalls.join('; ')}
              </li>
            ))}
        </ul>
      )}
      {plan.replaces.length > 0 && (
        <p className="note" aria-label="Replaced">
          Rebuild: {plan.replaces.join(', ')} {plan.replaces.length === 1 ? 'is' : 'are'} archived first (released from the stage and its pools; snapshots and image kept).
        </p>
      )}
      <WarningsAndBlockers warnings={plan.warnings} blockers={plan.blockers} verb="run" />
      <div className="actions">
        <button type="button" onClick={onBack}>
          Change the choices
        </button>
        <button type="button" className="primary danger" disabled={busy !== null || plan.blockers.length > 0} title={plan.blockers.length > 0 ? `Cannot run: ${plan.blockers[0]}` : undefined} onClick={onRun}>
          {plan.replaces.length > 0 ? 'Rebuild' : 'Clone'}: run {plan.vms.length === 1 ? 'this operation' : `these ${plan.vms.length} operations`}
          {scan ? ', then scan' : ''}
        </button>
      </div>
    </section>
  );
}

/** A run cut short, or one whose VMs failed, can go on from where each VM stands. */
const resumable = ({ run, left }: CloneStatus) => run !== null && !run.live && run.state !== 'done' && left.length > 0;

/** What a run did, from the workspace: hosts registered, failures, scans, parity against production. */
function CloneOutcome({ status }: { status: CloneStatus }) {
  const run = status.run;
  if (!run) return null;
  const registered = status.vms.filter((vm) => vm.hostId !== null);
  const failed = status.vms.filter((vm) => vm.lastError !== null);
  const interrupted = run.state === 'running' && !run.live;
  return (
    <section className="clone-outcome" aria-label="Clone result">
      <h3>
        Run {run.id}: {interrupted ? 'interrupted' : run.state} — {plural(registered.length, 'host')} registered in {run.toStage}
        {failed.length > 0 && `, ${failed.length} failed`}
      </h3>
      <table className="hosts" aria-label="Cloned hosts">
        <thead>
          <tr>
            <th>Clone</th>
            <th>Role</th>
            <th>Address</th>
            <th>Step</th>
            <th>Scan</th>
          </tr>
        </thead>
        <tbody>
          {status.vms.map((vm) => (
            <tr key={vm.newName} aria-label={`Cloned ${vm.newName}`}>
              <td className="mono">{vm.newName}</td>
              <td>{vm.role}</td>
              <td className="mono">{vm.address}</td>
              <td className={vm.lastError ? 'bad-text' : undefined}>
                {vm.step}
                {vm.lastError && ` — failed: ${vm.lastError}`}
              </td>
              <td className={vm.scan?.status === 'failed' ? 'bad-text' : undefined}>{vm.scan ? `${vm.scan.status}: ${vm.scan.message}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p aria-label="Parity against production">
        Parity of {run.toStage} against production:{' '}
        {status.parity && status.parity.compared > 0 ? <ParityBadge summary={status.parity} /> : <span className="muted">not compared yet: scan the clones (they start shut off)</span>}
      </p>
      {status.left.length > 0 && (
        <p className="note" aria-label="What is left">
          Left to do: {status.left.join('; ')}
        </p>
      )}
    </section>
  );
}

function ResumePlanView({ plan, onBack, onRun }: { plan: ResumePlan; onBack: () => void; onRun: () => void }) {
  const busy = useApp((s) => s.busy);
  const operations = plan.vms.filter((vm) => vm.action !== 'none' && vm.action !== 'blocked').length;
  return (
    <section className="clone-plan" aria-label="Resume dry run">
      <h3>
        Resume run {plan.runId}: {plan.serviceName} {plan.toStage} on {plan.hypervisorName}
      </h3>
      {plan.vms.map((vm) => (
        <div key={vm.newName} className="reclaim-vm" aria-label={`Resume ${vm.newName}`}>
          <div>
            <strong className="mono">{vm.newName}</strong> <span className="muted">{vm.role} · now {vm.step} · next: {vm.action}</span>
          </div>
          <div className="small">{vm.note}</div>
          {vm.operation && (
            <OperationCommands commands={vm.operation.commands} documents={vm.operation.documents} label={`Commands for ${vm.newName}`} />
          )}
        </div>
      ))}
      <WarningsAndBlockers warnings={plan.warnings} blockers={plan.blockers} verb="resume" />
      <div className="actions">
        <button type="button" onClick={onBack}>
          Back
        </button>
        <button type="button" className="primary danger" disabled={busy !== null || plan.blockers.length > 0 || operations === 0} onClick={onRun}>
          Resume: {plural(operations, 'VM')} to finish
        </button>
      </div>
    </section>
  );
}

type Step = { kind: 'choose' } | { kind: 'plan'; plan: ClonePlan } | { kind: 'running'; jobId: string; runId: number } | { kind: 'outcome'; status: CloneStatus } | { kind: 'resume'; plan: ResumePlan };

/**
 * Clone production (or an image) into a stage, or rebuild a stage from fresh clones: the choices,
 * the dry run (every hypervisor operation, names, placement, isolation, blockers), the confirmed run
 * with its per-VM progress, and its outcome; an interrupted run is offered for resuming.
 */
export function CloneDialog({ initial, onClose }: { initial: CloneTarget | null; onClose: () => void }) {
  const services = useApp((s) => s.services);
  const hypervisors = useApp((s) => s.hypervisors);
  const loadHypervisors = useApp((s) => s.loadHypervisors);
  const busy = useApp((s) => s.busy);
  const firstService = services.find((s) => s.id === initial?.serviceId) ?? services[0];
  const [form, setForm] = useState<CloneForm>(() => ({
    serviceId: firstService?.id ?? 0,
    toStageId: initial?.stageId ?? firstService?.stages.find((st) => !st.isProduction)?.id ?? 0,
    hypervisorId: 0,
    source: 'production',
    snapshot: 'none',
    snapshotName: '',
    templates: {},
    roleSnapshots: {},
    name: DEFAULT_NAMING_RULE.name,
    address: DEFAULT_NAMING_RULE.address,
    replace: initial?.rebuild ?? false,
    scan: false,
  }));
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [inventory, setInventory] = useState<Inventory | null>(null);
  const { vms, job } = useAssetJob(step.kind === 'running' ? step.jobId : null);
  const set = useApp.setState;

  useEffect(() => void loadHypervisors(), [loadHypervisors]);
  useEffect(() => {
    if (form.hypervisorId === 0 && hypervisors[0]) setForm((f) => ({ ...f, hypervisorId: hypervisors[0]!.id }));
  }, [hypervisors, form.hypervisorId]);
  useEffect(() => {
    if (form.hypervisorId === 0) return;
    let current = true;
    void attempt(set, () => client.call('hypervisors.inventory', { id: form.hypervisorId })).then((inv) => current && setInventory(inv ?? null));
    return () => void (current = false);
  }, [form.hypervisorId, set]);
  // The target stage's latest run, when it has work left: offered before cloning anew. Opened on a
  // stage whose run was cut short, the dialog starts on that run.
  const [unfinished, setUnfinished] = useState<CloneStatus | null>(null);
  useEffect(() => {
    if (form.toStageId === 0) return;
    let current = true;
    void attempt(set, () => client.call('clone.status', { stageId: form.toStageId })).then((status) => {
      if (!current) return;
      setUnfinished(status && resumable(status) ? status : null);
      if (status?.run && status.run.state === 'running' && !status.run.live && initial?.stageId === form.toStageId) setStep((now) => (now.kind === 'choose' ? { kind: 'outcome', status } : now));
    });
    return () => void (current = false);
  }, [form.toStageId, initial, set]);

  const finished = async (runId: number) => {
    const status = await attempt(set, () => client.call('clone.status', { stageId: form.toStageId, runId }));
    // The stage's new hosts and leases come with the workspace.changed the run emits.
    if (status) setStep({ kind: 'outcome', status });
  };
  useEffect(() => {
    if (step.kind === 'running' && job && job.state !== 'running') void finished(step.runId);
  }, [job?.state]);

  const plan = () =>
    void task(set, 'Planning the clone (reading the hypervisor)', async () => {
      const planned = await client.call('clone.plan', requestOf(form));
      setStep({ kind: 'plan', plan: planned });
    });
  const run = (token: string, call: 'clone.run' | 'clone.resume') =>
    void task(set, 'Starting the clone', async () => {
      const started = await client.call(call, { token, scan: form.scan });
      setStep({ kind: 'running', ...started });
    });
  const planResume = (runId: number) =>
    void task(set, 'Planning the resume (reading the hypervisor)', async () => {
      setStep({ kind: 'resume', plan: await client.call('clone.resumePlan', { runId }) });
    });

  const service = services.find((s) => s.id === form.serviceId);
  const stage = service?.stages.find((st) => st.id === form.toStageId);
  const title = `${form.replace ? 'Rebuild' : 'Clone production into'} ${service && stage ? `${service.name} ${stage.name}` : 'a stage'}`;
  return (
    <Dialog title={title} onClose={onClose} wide>
      <div className="reclaim clone">
        {busy && (
          <p className="muted busy" role="status" aria-label="Working">
            {busy}…
          </p>
        )}
        {step.kind === 'choose' && unfinished?.run && (
          <p className="note" aria-label="Unfinished run">
            Run {unfinished.run.id} into {unfinished.run.toStage} ({unfinished.run.createdAt.slice(0, 16).replace('T', ' ')} UTC, {unfinished.run.state === 'running' ? 'cut short' : unfinished.run.state}) has work left: {plural(unfinished.left.length, 'VM')}.{' '}
            <button type="button" onClick={() => setStep({ kind: 'outcome', status: unfinished })}>
              Show it…
            </button>
          </p>
        )}
        {step.kind === 'choose' && <CloneChoices form={form} setForm={setForm} inventory={inventory} onPlan={plan} onClose={onClose} />}
        {step.kind === 'plan' && <ClonePlanView plan={step.plan} scan={form.scan} onBack={() => setStep({ kind: 'choose' })} onRun={() => run(step.plan.token, 'clone.run')} />}
        {step.kind === 'running' && <AssetJobProgress title={`Clone run ${step.runId}`} vms={vms} job={job} />}
        {step.kind === 'outcome' && <CloneOutcome status={step.status} />}
        {step.kind === 'resume' && <ResumePlanView plan={step.plan} onBack={() => void finished(step.plan.runId)} onRun={() => run(step.plan.token, 'clone.resume')} />}
        {(step.kind === 'outcome' || step.kind === 'running') && (
          <div className="actions">
            <button type="button" onClick={onClose}>
              Close
            </button>
            {step.kind === 'running' && (
              <button type="button" disabled={job?.state !== undefined && job.state !== 'running'} onClick={() => void attempt(set, () => client.call('job.cancel', { jobId: step.jobId }))}>
                Stop after the current VM
              </button>
            )}
            {step.kind === 'outcome' && (
              <button type="button" onClick={() => setStep({ kind: 'choose' })}>
                New dry run…
              </button>
            )}
            {step.kind === 'outcome' && resumable(step.status) && (
              <button type="button" className="primary" onClick={() => planResume(step.status.run!.id)}>
                Dry run of the resume…
              </button>
            )}
          </div>
        )}
      </div>
    </Dialog>
  );
}
