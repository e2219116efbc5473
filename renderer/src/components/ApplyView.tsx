import { useEffect, useRef, useState } from 'react';
import { client } from '../api/client';
import { useApp } from '../store/index';
import type { ApplyChoice, ApplyDryRun } from '../store/apply';
import { applyMode, asTerminalShows, hostGroups, HOST_STATE_HEALTH, RUN_STATE_HEALTH, stepsDone, type ApplyHostView, type ApplyStatus } from '../store/apply-run';
import type { ChangeDetailView } from '../store/changes';
import { StateChip } from './ChangeBits';
import { Confirm } from './Confirm';
import { Dialog } from './Dialog';
import { DiffTable } from './DiffTable';
import './apply.css';

type DryRunHost = ApplyDryRun['hosts'][number];
type ChangeState = ChangeDetailView['state'];

const when = (instant: string) => new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const hostsText = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
/** While a run is live its record is read again this often, beside the pushed events (a lost event never freezes the view). */
const POLL_MS = 2_000;

/**
 * The way into applying a change, in its detail: "Apply…" once it is approved and scheduled, and
 * the record of its last run afterwards. Keeps the change and its run up to date while one runs.
 */
export function ApplyEntry({ change }: { change: ChangeDetailView }) {
  const status = useApp((s) => (s.applyChangeId === change.id ? s.applyStatus : null));
  const open = useApp((s) => s.applyOpen && s.applyChangeId === change.id);
  const loadStatus = useApp((s) => s.loadApplyStatus);
  const openApply = useApp((s) => s.openApply);
  const onApplyEvent = useApp((s) => s.onApplyEvent);
  // The run's end moves the change (App reloads it on workspace.changed 'apply'): its state changes, and with it the record is read.
  useEffect(() => void loadStatus(change.id), [change.id, change.state, loadStatus]);
  useEffect(() => client.on('apply.progress', onApplyEvent), [onApplyEvent]);
  const live = status?.run?.live ?? false;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void loadStatus(change.id), POLL_MS);
    return () => clearInterval(timer);
  }, [live, change.id, loadStatus]);

  const mode = status ? applyMode(status) : null;
  if (change.state !== 'scheduled' && !status?.run) return null;
  const label = mode === 'running' ? 'Apply: running…' : mode === 'interrupted' ? 'Apply: resume…' : change.state === 'scheduled' ? 'Apply…' : 'Apply run…';
  return (
    <section className="apply-entry" aria-label="Apply">
      <button type="button" className={change.state === 'scheduled' ? 'primary' : undefined} onClick={openApply}>
        {label}
      </button>
      <span className="muted">
        {mode === 'running' && 'Being applied to its hosts now.'}
        {mode === 'interrupted' && 'Its last apply run was cut short: resume it to complete it or roll it back.'}
        {mode === 'finished' && status?.run && `Last apply run ${status.run.state}.`}
        {mode === 'plan' && 'Dry run first: every command, file and rollback, host by host.'}
      </span>
      {open && <ApplyView change={change} />}
    </section>
  );
}

/** The dry run and Start; the run host by host as it happens; its outcome, or how to resume it. */
function ApplyView({ change }: { change: ChangeDetailView }) {
  const status = useApp((s) => s.applyStatus);
  const close = useApp((s) => s.closeApply);
  // After a finished run, a change still scheduled (e.g. its state could not move) may be applied again.
  const [planAgain, setPlanAgain] = useState(false);
  const mode = status ? applyMode(status) : null;
  const showPlan = mode === 'plan' || (mode === 'finished' && planAgain);
  return (
    <Dialog title={`Apply change #${change.id}`} onClose={close} wide>
      <div className="apply-view">
        <p className="apply-headline">
          <strong>{change.title}</strong>
          <span>
            {change.service} → <strong>{change.targetStage}</strong>
            {change.targetIsProduction && ' (production)'} · image {change.image}
          </span>
          <span>
            change <StateChip state={(status?.changeState ?? change.state) as ChangeState} />
          </span>
        </p>
        {!status && <p className="muted">Loading the apply record…</p>}
        {status && showPlan && <ApplyPlan change={change} />}
        {status && !showPlan && status.run && (
          <>
            <RunSummary status={status} />
            {mode === 'running' && <AbortButton change={change} />}
            {mode === 'interrupted' && <Interrupted status={status} change={change} />}
            {mode === 'finished' && <Outcome status={status} onPlanAgain={change.state === 'scheduled' ? () => setPlanAgain(true) : null} />}
            <RunHosts status={status} />
          </>
        )}
      </div>
    </Dialog>
  );
}

// ---- before: the dry run ----------------------------------------------------------------------------

function ApplyPlan({ change }: { change: ChangeDetailView }) {
  const dryRun = useApp((s) => s.applyDryRun);
  const dryRunApply = useApp((s) => s.dryRunApply);
  const busy = useApp((s) => s.busy);
  const [choice, setChoice] = useState<ApplyChoice>({});
  const [concurrencyText, setConcurrencyText] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // The stage's default, from the dry run made before any choice (later ones answer with the choice).
  const stageDefault = useRef<number | null>(null);
  useEffect(() => void dryRunApply(choice), [choice, dryRunApply]);
  if (!dryRun) return <p className="muted">Preparing the dry run…</p>;
  if (choice.concurrency === undefined) stageDefault.current = dryRun.concurrency;
  const concurrency = choice.concurrency ?? dryRun.concurrency;
  const concurrencyValid = concurrencyText === null || (/^\d+$/.test(concurrencyText) && Number(concurrencyText) >= 1 && Number(concurrencyText) <= 64);
  const hostNames = dryRun.hosts.map((h) => h.host);
  return (
    <>
      <form className="apply-choices" aria-label="How to apply" onSubmit={(e) => e.preventDefault()}>
        <label>
          Hosts at once
          <input
            type="number"
            min={1}
            max={64}
            value={concurrencyText ?? concurrency}
            aria-invalid={!concurrencyValid}
            onChange={(e) => {
              setConcurrencyText(e.target.value);
              const value = Number(e.target.value);
              if (/^\d+$/.test(e.target.value) && value >= 1 && value <= 64) setChoice({ ...choice, concurrency: value });
            }}
          />
        </label>
        <label>
          Canary host
          <select value={choice.canary ?? ''} onChange={(e) => setChoice({ ...choice, canary: e.target.value || undefined })}>
            <option value="">none: in the plan's order</option>
            {[...hostNames].sort().map((name) => (
              <option key={name}>{name}</option>
            ))}
          </select>
        </label>
        <p className="muted small">
          {!concurrencyValid && <strong className="warn-text">Hosts at once is a whole number from 1 to 64; the dry run keeps {concurrency}. </strong>}
          {change.targetIsProduction ? 'Production: one host at a time unless you choose more.' : `Default for ${change.targetStage}: ${stageDefault.current ?? dryRun.concurrency} at once.`} A canary is applied and verified alone first; the others follow only if it
          succeeds. A host that fails is rolled back by itself and no further host is started.
        </p>
      </form>
      <div className={`apply-verdict health-${dryRun.allowed ? 'ok' : 'bad'}`} role="note" aria-label="May it be applied now">
        {dryRun.allowed ? (
          <span>You may apply this change now: {dryRun.hosts.length === 1 ? 'its host' : `its ${dryRun.hosts.length} hosts`} in the order below.</span>
        ) : (
          <span>
            <strong>Not now:</strong> {dryRun.reason}
          </span>
        )}
        <button type="button" className="primary" disabled={!dryRun.allowed || busy !== null || dryRun.hosts.length === 0 || !concurrencyValid} onClick={() => setConfirming(true)}>
          Start…
        </button>
      </div>
      {dryRun.hosts.length === 0 && <p className="muted">Every host already matches the image: nothing to apply.</p>}
      <ol className="apply-plan" aria-label="Dry run, host by host">
        {dryRun.hosts.map((host, i) => (
          <DryRunHostCard key={host.host} host={host} order={i + 1} canary={choice.canary === host.host} />
        ))}
      </ol>
      {confirming && <ConfirmStart change={change} dryRun={dryRun} choice={choice} onClose={() => setConfirming(false)} />}
    </>
  );
}

function Safeguard({ safeguard }: { safeguard: DryRunHost['safeguard'] }) {
  return safeguard.kind === 'vm-snapshot' ? (
    <span className="safeguard">
      safeguard: VM <span className="mono">{safeguard.domain}</span> snapshotted on {safeguard.hypervisor}
    </span>
  ) : (
    <span className="safeguard">
      safeguard: files and package versions backed up on the host in <span className="mono">{safeguard.backupDir}</span>
    </span>
  );
}

function DryRunHostCard({ host, order, canary }: { host: DryRunHost; order: number; canary: boolean }) {
  return (
    <li className="apply-host" aria-label={`Host ${host.host}`}>
      <div className="apply-host-line">
        <span className="order">{order}</span>
        <strong>{host.host}</strong>
        <span className="muted">{host.role}</span>
        <span className="mono">{host.endpoint}</span>
        {canary && <span className="marker health-warn">canary</span>}
        <Safeguard safeguard={host.safeguard} />
      </div>
      <h4>Commands, in order</h4>
      <ol className="command-list" aria-label={`Commands on ${host.host}`}>
        {host.commands.map((command, i) => (
          <li key={i}>
            <span className="phase">{command.phase === 'backup' ? 'backup' : `step ${(command.step ?? 0) + 1}`}</span> {command.label}
            {command.stdinBytes > 0 && <span className="muted"> (content: {command.stdinBytes} bytes on standard input)</span>}
            <pre className="commands">{command.command}</pre>
          </li>
        ))}
      </ol>
      {host.files.length > 0 && (
        <>
          <h4>Files</h4>
          <ul className="file-list" aria-label={`Files on ${host.host}`}>
            {host.files.map((file) => (
              <li key={file.path}>
                <details>
                  <summary>
                    <span className="mono">{file.path}</span> {file.action === 'remove' ? 'removed' : 'written'}
                    {file.diff && (file.diff.identical ? ' (unchanged)' : ` (−${file.diff.removed} +${file.diff.added} lines)`)}
                  </summary>
                  {file.diff ? <DiffTable diff={file.diff} path={file.path} leftLabel="on the host now" rightLabel="after the change" /> : <p className="muted">No content to compare.</p>}
                </details>
              </li>
            ))}
          </ul>
        </>
      )}
      <h4>Rollback, if a step or the verification fails</h4>
      <ol className="command-list" aria-label={`Rollback on ${host.host}`}>
        {host.rollback.map((command, i) => (
          <li key={i}>
            {command.label}
            <pre className="commands">{command.command}</pre>
          </li>
        ))}
        {host.rollback.length === 0 && <li className="muted">Nothing to undo.</li>}
      </ol>
    </li>
  );
}

function ConfirmStart({ change, dryRun, choice, onClose }: { change: ChangeDetailView; dryRun: ApplyDryRun; choice: ApplyChoice; onClose: () => void }) {
  const start = useApp((s) => s.startApply);
  const person = useApp((s) => s.currentPerson);
  const concurrency = choice.concurrency ?? dryRun.concurrency;
  return (
    <Confirm title={`Start applying change #${change.id}`} action="Apply now" onConfirm={() => start(choice)} onClose={onClose}>
      <p>
        <strong>{change.title}</strong> will change {dryRun.hosts.length === 1 ? '1 host' : `${dryRun.hosts.length} hosts`} of <strong>{change.targetStage}</strong>
        {change.targetIsProduction && ' (production)'}, as <strong>{person?.name}</strong>: {concurrency === 1 ? 'one host at a time' : `${concurrency} hosts at once`}
        {choice.canary && `, ${choice.canary} first as the canary`}.
      </p>
      <p className="muted">Each host is safeguarded first, then its steps run, then it is rescanned and compared with the image. A host that fails is rolled back by itself and no further host is started.</p>
    </Confirm>
  );
}

// ---- during and after: the run ------------------------------------------------------------------------

function RunSummary({ status }: { status: ApplyStatus }) {
  const run = status.run!;
  return (
    <p className="apply-run-line" aria-label="Apply run">
      Run {run.id}{' '}
      <span className={`state-chip health-${RUN_STATE_HEALTH[run.state]}`}>{run.live ? 'running' : run.state === 'running' ? 'cut short' : run.state}</span> started by {run.actor} {when(run.startedAt)}
      {run.endedAt && `, ended ${when(run.endedAt)}`} · {run.concurrency === 1 ? 'one host at a time' : `${run.concurrency} hosts at once`}
      {run.canary && ` · canary ${run.canary}`}
    </p>
  );
}

function Outcome({ status, onPlanAgain }: { status: ApplyStatus; onPlanAgain: (() => void) | null }) {
  const run = status.run!;
  return (
    <div className={`apply-outcome health-${RUN_STATE_HEALTH[run.state]}`} role="status" aria-label="Outcome">
      <div>
        <strong>{run.state === 'succeeded' ? 'Applied.' : run.state === 'aborted' ? 'Aborted.' : run.state === 'rolled-back' ? 'Rolled back.' : 'Failed.'}</strong> {run.message}
      </div>
      <div>
        The change is now <StateChip state={status.changeState as ChangeState} />.
      </div>
      {onPlanAgain && (
        <button type="button" onClick={onPlanAgain}>
          Dry run again…
        </button>
      )}
    </div>
  );
}

function AbortButton({ change }: { change: ChangeDetailView }) {
  const abort = useApp((s) => s.abortApply);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="apply-controls">
      <button type="button" className="danger" onClick={() => setConfirming(true)}>
        Abort…
      </button>
      {confirming && (
        <Confirm
          title={`Abort applying change #${change.id}`}
          action="Abort the run"
          danger
          onConfirm={() => abort()}
          onClose={() => setConfirming(false)}
        >
          <p>The host being changed now is rolled back to its safeguard. Hosts not yet started stay untouched; hosts already done stay as they are.</p>
        </Confirm>
      )}
    </div>
  );
}

function Interrupted({ status, change }: { status: ApplyStatus; change: ChangeDetailView }) {
  const resume = useApp((s) => s.resumeApply);
  const [confirming, setConfirming] = useState<'complete' | 'roll-back' | null>(null);
  const groups = hostGroups(status.hosts);
  const names = (hosts: ApplyHostView[]) => hosts.map((h) => h.hostName);
  const doubt = names(groups.inDoubt);
  return (
    <div className="apply-interrupted health-bad" role="status" aria-label="Run cut short">
      <p>
        <strong>This run was cut short.</strong> {status.run!.message}
      </p>
      <dl className="host-groups">
        <dt>Done</dt>
        <dd>{hostsText(names(groups.done))}</dd>
        <dt>In doubt</dt>
        <dd>
          {groups.inDoubt.length === 0
            ? 'none'
            : groups.inDoubt.map((h) => (
                <div key={h.id}>
                  <strong>{h.hostName}</strong> (was {h.interruptedIn ?? h.state}): {h.message}
                </div>
              ))}
        </dd>
        <dt>Untouched</dt>
        <dd>{hostsText(names(groups.untouched))}</dd>
        {groups.rolledBack.length > 0 && (
          <>
            <dt>Rolled back</dt>
            <dd>{hostsText(names(groups.rolledBack))}</dd>
          </>
        )}
        {groups.failed.length > 0 && (
          <>
            <dt>Failed</dt>
            <dd>{hostsText(names(groups.failed))}</dd>
          </>
        )}
      </dl>
      <div className="apply-controls">
        <button type="button" className="primary" onClick={() => setConfirming('complete')}>
          Resume: complete…
        </button>
        <button type="button" className="danger" onClick={() => setConfirming('roll-back')}>
          Resume: roll back…
        </button>
      </div>
      {confirming === 'complete' && (
        <Confirm title={`Complete applying change #${change.id}`} action="Complete the run" onConfirm={() => resume('complete')} onClose={() => setConfirming(null)}>
          <p>
            On {hostsText(doubt)} the step in doubt runs again (every step is idempotent); steps that finished are never run again. Then the untouched hosts ({hostsText(names(groups.untouched))}) are applied. Hosts
            already done stay as they are.
          </p>
        </Confirm>
      )}
      {confirming === 'roll-back' && (
        <Confirm title={`Roll back change #${change.id}`} action="Roll back" danger onConfirm={() => resume('roll-back')} onClose={() => setConfirming(null)}>
          <p>
            {hostsText(doubt)} {doubt.length === 1 ? 'is' : 'are'} rolled back to {doubt.length === 1 ? 'its' : 'their'} safeguard and rescanned. Untouched hosts ({hostsText(names(groups.untouched))}) stay untouched; hosts
            already done ({hostsText(names(groups.done))}) stay as they are.
          </p>
        </Confirm>
      )}
    </div>
  );
}

function RunHosts({ status }: { status: ApplyStatus }) {
  const live = useApp((s) => s.applyLive);
  const dryRun = useApp((s) => s.applyDryRun);
  return (
    <ol className="apply-run-hosts" aria-label="Hosts of the run">
      {[...status.hosts]
        .sort((a, b) => a.position - b.position)
        .map((host) => {
          const planned = dryRun?.hosts.find((h) => h.host === host.hostName)?.commands;
          return <RunHost key={host.id} host={host} current={status.run?.live ? live[host.hostName]?.command : undefined} steps={planned ? stepsDone(host, planned) : null} />;
        })}
    </ol>
  );
}

function RunHost({ host, current, steps }: { host: ApplyHostView; current: { label: string; status: string } | undefined; steps: { done: number; total: number } | null }) {
  return (
    <li className="apply-host" aria-label={`Host ${host.hostName}`}>
      <div className="apply-host-line">
        <span className="order">{host.position + 1}</span>
        <strong>{host.hostName}</strong>
        <span className={`host-state health-${HOST_STATE_HEALTH[host.state]}`}>{host.state}</span>
        {steps && steps.total > 0 && (
          <span className="step-progress">
            <progress max={steps.total} value={steps.done} aria-label={`Steps done on ${host.hostName}`} /> {steps.done}/{steps.total} steps
            {host.state === 'rolled-back' && ', then undone'}
          </span>
        )}
        {host.safeguard === 'vm-snapshot' && host.vm && <span className="safeguard">VM snapshot {host.vm.snapshot}</span>}
        {host.safeguard === 'host-backup' && host.backupDir && <span className="safeguard mono">{host.backupDir}</span>}
      </div>
      {current && current.status === 'running' && (
        <p className="current-command" aria-label={`Now on ${host.hostName}`}>
          now: {current.label}…
        </p>
      )}
      {host.message && <p className="host-message">{host.message}</p>}
      {host.commands.length > 0 && (
        <details className="run-commands">
          <summary>
            Commands and their output ({host.commands.length})
          </summary>
          <ol className="command-list">
            {host.commands.map((command, i) => (
              <li key={i}>
                <details>
                  <summary>
                    <span className="phase">{command.phase === 'step' ? `step ${(command.stepIndex ?? 0) + 1}` : command.phase}</span> {command.label}{' '}
                    <span className={`command-state health-${command.state === 'ok' ? 'ok' : command.state === 'running' ? 'warn' : 'bad'}`}>
                      {command.state}
                      {command.exitCode !== null && command.state !== 'ok' && ` (exit ${command.exitCode})`}
                    </span>
                  </summary>
                  <pre className="commands">{command.command}</pre>
                  <pre className="output" aria-label={`Output of ${command.label}`}>
                    {asTerminalShows(command.output) || (command.state === 'running' ? 'running…' : '(no output)')}
                    {command.truncated && '\n… (output cut short: only its first 64 KiB are kept)'}
                  </pre>
                </details>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}
