import { useState } from 'react';
import { useApp } from '../store/index';
import type { ChangeDetailView } from '../store/changes';
import { ApplyEntry } from './ApplyView';
import { ChangeActions } from './ChangeActions';
import { ChangeEditForm } from './ChangeEditForm';
import { Markers, RISK_HEALTH, StateChip } from './ChangeBits';
import { Confirm } from './Confirm';
import { ReportButton } from './ExportDialog';

const when = (instant: string) => new Date(instant).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const SIGNATURE: Record<ChangeDetailView['decisions'][number]['signatureStatus'], { text: string; health: string }> = {
  valid: { text: 'signature valid', health: 'ok' },
  invalid: { text: 'signature INVALID', health: 'bad' },
  unsigned: { text: 'not signed', health: 'warn' },
  'unknown-key': { text: 'key unknown', health: 'warn' },
};
const RULE_HEALTH = { passed: 'ok', failed: 'bad', warning: 'warn', info: 'unknown' } as const;

/** The open change: its fields (editable while draft), plan, verdict, risk, conflicts, decisions, history and actions. */
export function ChangeDetail() {
  const change = useApp((s) => s.changeDetail);
  const openChange = useApp((s) => s.openChange);
  if (!change) return <aside className="change-detail muted">Loading the change…</aside>;
  return (
    <aside className="change-detail" aria-label={`Change ${change.id}`}>
      <header>
        <h2>
          <span className="muted">#{change.id}</span> {change.title}
        </h2>
        <button type="button" onClick={() => void openChange(null)} aria-label="Close the change">
          Close
        </button>
      </header>
      <div className="detail-line">
        <StateChip state={change.state} />
        <span>
          {change.service} → <strong>{change.targetStage}</strong>
          {change.targetIsProduction && ' (production)'} · image {change.image} · {change.category}
        </span>
        <Markers stale={change.stale} conflicts={change.conflictList.length} />
        <ReportButton selection={{ kind: 'changes', changeIds: [change.id] }} label="Export CAB pack…" />
      </div>
      {change.stale && <StaleNote reason={change.stale} />}
      <ChangeActions change={change} />
      <ApplyEntry change={change} />
      {change.state === 'draft' ? <ChangeEditForm key={`${change.id}-${change.history.length}`} change={change} /> : <ChangeFields change={change} />}
      <RiskSection change={change} />
      <PlanSection change={change} />
      <ConflictSection change={change} />
      <DecisionSection change={change} />
      <HistorySection change={change} />
    </aside>
  );
}

function StaleNote({ reason }: { reason: string }) {
  const replan = useApp((s) => s.replanChange);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="stale-note health-bad" role="note">
      <strong>Stale:</strong> {reason}
      <button type="button" onClick={() => setConfirming(true)}>
        Re-plan…
      </button>
      {confirming && (
        <Confirm title="Re-plan the change" action="Re-plan" onConfirm={replan} onClose={() => setConfirming(false)}>
          <p>The plan, verdict, risk and generated plans are made again against the target as it is now. The change returns to draft and its approvals are dropped.</p>
        </Confirm>
      )}
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="detail-section" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function ChangeFields({ change }: { change: ChangeDetailView }) {
  const text = (value: string) => (value.trim() ? <pre className="plan-text">{value}</pre> : <span className="muted">—</span>);
  return (
    <Section title="Request">
      <dl className="detail-fields">
        <dt>Requester</dt>
        <dd>{change.requester?.name ?? change.createdBy}</dd>
        <dt>Window</dt>
        <dd>{change.windowText ?? <span className="muted">not planned</span>}</dd>
        <dt>Approvers</dt>
        <dd>{change.requiredApprovers.map((p) => p.name).join(', ') || <span className="muted">anyone qualified</span>}</dd>
        <dt>Description</dt>
        <dd>{text(change.description)}</dd>
        <dt>Justification</dt>
        <dd>{text(change.justification)}</dd>
        <dt>Impact</dt>
        <dd>{text(change.impact)}</dd>
        <dt>Implementation</dt>
        <dd>{text(change.implementationPlan)}</dd>
        <dt>Backout</dt>
        <dd>{text(change.backoutPlan)}</dd>
        <dt>Test</dt>
        <dd>{text(change.testPlan)}</dd>
      </dl>
    </Section>
  );
}

function RiskSection({ change }: { change: ChangeDetailView }) {
  const { risk, verdict, approvalRule } = change;
  return (
    <Section title="Risk and policy">
      <p>
        <span className={`risk-chip health-${RISK_HEALTH[risk.level]}`}>{risk.level}</span> risk, score {risk.score}
        {risk.override && (
          <>
            {' '}
            — overridden from {risk.computedLevel}
            {risk.override.by && ` by ${risk.override.by}`}: {risk.override.reason}
          </>
        )}
      </p>
      <ul className="compact-list">
        {risk.factors.map((f) => (
          <li key={f.name}>
            +{f.points} {f.name}: <span className="muted">{f.why}</span>
          </li>
        ))}
      </ul>
      <p>
        Approvals {approvalRule.given}/{approvalRule.required}
        {approvalRule.roles.length > 0 && ` from ${approvalRule.roles.join(' or ')}`}
        {approvalRule.allowSelfApproval ? ', the requester may approve' : ', not by the requester'}. Verdict: {verdict.allowed ? 'allowed' : 'refused'}
        {verdict.earliestAt && `, not before ${when(verdict.earliestAt)}`}.
      </p>
      <ul className="compact-list" aria-label="Policy rules">
        {verdict.rules.map((rule) => (
          <li key={rule.rule}>
            <span className={`rule-status health-${RULE_HEALTH[rule.status]}`}>{rule.status}</span> {rule.reason}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function PlanSection({ change }: { change: ChangeDetailView }) {
  const { summary, unscanned } = change.plan;
  const kinds = Object.entries(summary.byKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
  return (
    <Section title="Plan">
      <p>
        {summary.steps} steps on {summary.hostsAffected} {summary.hostsAffected === 1 ? 'host' : 'hosts'}
        {kinds && ` (${kinds})`}; {summary.highSeverity} of high severity; {summary.rebootNeeded} {summary.rebootNeeded === 1 ? 'host needs' : 'hosts need'} a reboot. Target parity{' '}
        {Math.round(change.targetParity * 1000) / 10} %{change.acknowledgedDrift && ', drift acknowledged'}.
      </p>
      {unscanned.length > 0 && <p className="warn-text">Not scanned, so not planned: {unscanned.join(', ')}.</p>}
    </Section>
  );
}

function ConflictSection({ change }: { change: ChangeDetailView }) {
  return (
    <Section title="Conflicts">
      {change.conflictList.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul className="compact-list conflicts">
          {change.conflictList.map((c, i) => (
            <li key={i}>
              <span className="marker health-warn">{c.kind.replace('-', ' ')}</span> {c.detail}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function DecisionSection({ change }: { change: ChangeDetailView }) {
  return (
    <Section title="Decisions">
      {change.decisions.length === 0 && <p className="muted">No decision yet.</p>}
      <ul className="compact-list decisions">
        {change.decisions.map((d) => (
          <li key={d.id} className={d.droppedAt ? 'dropped' : undefined}>
            <strong>{d.approver}</strong>
            {d.signedAs && <span className="muted"> (signed as {d.signedAs})</span>} {d.decision === 'approve' ? 'approved' : 'rejected'} {when(d.at)}
            {d.comment && `: “${d.comment}”`} <span className={`marker health-${SIGNATURE[d.signatureStatus].health}`}>{SIGNATURE[d.signatureStatus].text}</span>
            {d.keyFingerprint && <span className="muted mono small"> {d.keyFingerprint.slice(0, 23)}</span>}
            {!d.counted && !d.droppedAt && <span className="muted"> (not counted)</span>}
            {d.droppedAt && <span className="muted"> (dropped by an edit {when(d.droppedAt)})</span>}
          </li>
        ))}
      </ul>
    </Section>
  );
}

function HistorySection({ change }: { change: ChangeDetailView }) {
  return (
    <Section title="History">
      <table className="history-table">
        <tbody>
          {change.history.map((h, i) => (
            <tr key={i}>
              <td className="muted">{when(h.at)}</td>
              <td>{h.actor}</td>
              <td>
                {h.action}
                {h.fromState && h.toState && h.fromState !== h.toState && ` (${h.fromState} → ${h.toState})`}
              </td>
              <td className="muted">{h.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
