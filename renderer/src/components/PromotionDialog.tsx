import { useEffect, useState } from 'react';
import { textDiff } from '../../../core/domain/textdiff';
import { useApp } from '../store/index';
import type { PromotionProposal } from '../store/promotion';
import { Dialog } from './Dialog';

type Step = PromotionProposal['plan']['hosts'][number]['steps'][number];
const STATUS_TEXT = { passed: 'passed', failed: 'failed', warning: 'needs acknowledgement', info: 'to do' } as const;
const when = (iso: string | null) => (iso === null ? 'not by this path' : new Date(iso).toLocaleString());

function StepLine({ step }: { step: Step }) {
  const [open, setOpen] = useState(false);
  switch (step.kind) {
    case 'package':
      return (
        <li>
          <span className={`sev sev-${step.severity}`}>{step.severity}</span> {step.action} <span className="mono">{step.name}</span>{' '}
          {step.from && <span className="mono">{step.from}</span>}
          {step.from && step.to && ' → '}
          {step.to && <span className="mono">{step.to}</span>}
        </li>
      );
    case 'file': {
      const diff = step.action === 'write' && step.content !== undefined ? textDiff(step.previous ?? '', step.content) : null;
      return (
        <li>
          <span className={`sev sev-${step.severity}`}>{step.severity}</span> {step.action === 'write' ? (step.previous === null ? 'create' : 'write') : 'remove'} <span className="mono">{step.path}</span>
          {step.mode && <span className="muted"> ({step.mode} {step.owner}:{step.group})</span>}
          {diff && (
            <>
              {' '}
              <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
                {open ? 'hide diff' : `diff (+${diff.added} −${diff.removed})`}
              </button>
              {open && (
                <pre className="mini-diff" aria-label={`Diff of ${step.path}`}>
                  {diff.hunks.flatMap((h) =>
                    h.rows.map((row, i) =>
                      row.kind === 'same' ? (
                        <span key={`${h.oldStart}-${i}`}>{`  ${row.left?.text ?? ''}\n`}</span>
                      ) : (
                        <span key={`${h.oldStart}-${i}`}>
                          {row.left && <span className="del">{`- ${row.left.text}\n`}</span>}
                          {row.right && <span className="ins">{`+ ${row.right.text}\n`}</span>}
                        </span>
                      ),
                    ),
                  )}
                </pre>
              )}
            </>
          )}
        </li>
      );
    }
    case 'sysctl':
      return (
        <li>
          <span className={`sev sev-${step.severity}`}>{step.severity}</span> set sysctl <span className="mono">{step.key}</span> {step.from ? `${step.from} → ` : ''}
          <span className="mono">{step.to}</span>
        </li>
      );
    case 'service':
      return (
        <li>
          <span className={`sev sev-${step.severity}`}>{step.severity}</span> {step.action} <span className="mono">{step.name}</span>
          {step.because && <span className="muted"> because {step.because}</span>}
        </li>
      );
  }
}

/** The plan of a promotion before anything is saved: steps per host, policy verdict, risk, earliest time. */
export function PromotionDialog() {
  const proposal = useApp((s) => s.proposal);
  const { closePromotion, saveDraft, proposePromotion } = useApp.getState();
  const [title, setTitle] = useState('');
  if (!proposal) return null;
  const { verdict, risk, plan } = proposal;
  const needsAcknowledgement = verdict.rules.some((r) => r.status === 'warning');
  const heading = `Promote image ${proposal.image.label} from ${proposal.fromStage.name} to ${proposal.toStage.name}`;
  return (
    <Dialog title={heading} onClose={closePromotion} wide>
      <div className="promotion">
        <section aria-label="Policy verdict">
          <h3>
            Policy verdict: <span className={verdict.allowed ? 'ok-text' : 'bad-text'}>{verdict.allowed ? 'allowed' : 'not allowed yet'}</span>
          </h3>
          <ul className="rules">
            {verdict.rules.map((rule) => (
              <li key={rule.rule} className={`rule-${rule.status}`}>
                <strong>{STATUS_TEXT[rule.status]}</strong> · {rule.reason}
              </li>
            ))}
          </ul>
          <p>
            Earliest allowed: <strong>{when(verdict.earliestAt)}</strong>
          </p>
          {needsAcknowledgement && (
            <label className="acknowledge">
              <input
                type="checkbox"
                onChange={(e) =>
                  void proposePromotion({ serviceId: proposal.serviceId, imageId: proposal.image.id, fromStageId: proposal.fromStage.id, toStageId: proposal.toStage.id, acknowledgeDrift: e.target.checked })
                }
              />{' '}
              I acknowledge that {proposal.toStage.name} has drifted ({(proposal.targetParity * 100).toFixed(1)} % parity) and want to plan the promotion anyway.
            </label>
          )}
        </section>
        <section aria-label="Risk">
          <h3>
            Risk: <span className={`risk risk-${risk.level}`}>{risk.level}</span> ({risk.score} / 100)
          </h3>
          <ul className="factors">
            {risk.factors.map((f) => (
              <li key={f.name}>
                +{f.points} {f.name}: <span className="muted">{f.why}</span>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label="Plan" className="plan">
          <h3>
            Plan: {plan.summary.steps} steps on {plan.summary.hostsAffected} host{plan.summary.hostsAffected === 1 ? '' : 's'}
          </h3>
          <p className="muted">{Object.entries(plan.summary.byKind).map(([kind, n]) => `${n} ${kind}`).join(' · ') || 'Nothing to change: every host already runs this image.'}</p>
          {plan.unscanned.length > 0 && <p className="note">Never scanned, so not planned: {plan.unscanned.join(', ')}. Scan them first.</p>}
          {plan.hosts.map((host) => (
            <details key={host.host} className="host-plan">
              <summary>
                <span className="mono">{host.host}</span> <span className="muted">({host.role})</span> · {host.steps.length} steps
                {host.rebootNeeded && <span className="sev sev-high"> reboot</span>}
              </summary>
              <ol className="steps">
                {host.steps.map((step, i) => (
                  <StepLine key={i} step={step} />
                ))}
              </ol>
            </details>
          ))}
        </section>
        <form
          className="row save-draft"
          onSubmit={(e) => {
            e.preventDefault();
            void saveDraft(title || heading);
          }}
        >
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={heading} aria-label="Title of the change" />
          <button type="submit" className="primary" disabled={needsAcknowledgement && !proposal.acknowledgedDrift}>
            Save as draft change
          </button>
          <button type="button" onClick={closePromotion}>
            Cancel
          </button>
        </form>
      </div>
    </Dialog>
  );
}

/** A drop (or choice) the lifecycle does not allow: why, in words. */
export function RefusalDialog() {
  const refusal = useApp((s) => s.refusal);
  const close = useApp((s) => s.closePromotion);
  if (!refusal) return null;
  return (
    <Dialog title={`Cannot promote to ${refusal.stageName}`} onClose={close}>
      <ul className="rules">
        {refusal.reasons.map((reason) => (
          <li key={reason} className="rule-failed">
            {reason}
          </li>
        ))}
      </ul>
      <button type="button" onClick={close}>
        OK
      </button>
    </Dialog>
  );
}

/** The keyboard way to promote: the selected stage's image, to a chosen stage, with the same checks. */
export function PromoteMenu({ onClose }: { onClose: () => void }) {
  const stageId = useApp((s) => s.selectedStageId);
  const service = useApp((s) => s.services.find((x) => x.id === s.selectedServiceId));
  const targets = useApp((s) => s.targets);
  const { loadTargets, proposePromotion } = useApp.getState();
  const stage = service?.stages.find((s) => s.id === stageId);
  const image = stage?.image ?? null;
  useEffect(() => {
    if (service && stage && image) void loadTargets(service.id, image.id, stage.id);
  }, [service, stage, image, loadTargets]);
  if (!service || !stage || !image) {
    return (
      <Dialog title="Promote" onClose={onClose}>
        <p>Select a stage that has an image assigned first.</p>
      </Dialog>
    );
  }
  return (
    <Dialog title={`Promote image ${image.label} from ${stage.name} to…`} onClose={onClose}>
      <ul className="promote-menu">
        {service.stages
          .filter((s) => s.id !== stage.id)
          .map((target) => {
            const check = targets[target.id];
            return (
              <li key={target.id}>
                <button
                  type="button"
                  onClick={() => {
                    onClose();
                    void proposePromotion({ serviceId: service.id, imageId: image.id, fromStageId: stage.id, toStageId: target.id });
                  }}
                  aria-describedby={`why-${target.id}`}
                >
                  {target.name}
                </button>{' '}
                <span id={`why-${target.id}`} className={check?.allowed ? 'ok-text' : 'muted'}>
                  {check === undefined ? 'checking…' : check.allowed ? 'allowed' : check.reasons.join(' ')}
                </span>
              </li>
            );
          })}
      </ul>
    </Dialog>
  );
}
