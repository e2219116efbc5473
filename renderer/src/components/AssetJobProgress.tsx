import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../core/contract/index';
import { client } from '../api/client';
import { latestPerVm, withLatestStep, type AssetProgress, type LatestSteps } from './asset-progress';

type JobProgress = EventPayload<'job.progress'>;

/**
 * Follows a clone or reclaim job: each VM's latest step (assets.progress) and the job's end
 * (job.progress). Listening starts when the dialog opens, so events that arrive before the call
 * that started the job has answered are not lost.
 */
export function useAssetJob(jobId: string | null): { vms: AssetProgress[]; job: JobProgress | null } {
  const [steps, setSteps] = useState<LatestSteps>(new Map());
  const [jobs, setJobs] = useState<Record<string, JobProgress>>({});
  useEffect(() => {
    const off = [
      client.on('assets.progress', (event) => setSteps((held) => withLatestStep(held, event))),
      client.on('job.progress', (event) => setJobs((held) => ({ ...held, [event.jobId]: event }))),
    ];
    return () => off.forEach((unsubscribe) => unsubscribe());
  }, []);
  return { vms: jobId === null ? [] : latestPerVm(steps, jobId), job: jobId === null ? null : (jobs[jobId] ?? null) };
}

/** Per-VM steps of a running job, as they are reached; failures in words. */
export function AssetJobProgress({ title, vms, job }: { title: string; vms: AssetProgress[]; job: JobProgress | null }) {
  return (
    <section className="asset-job" aria-label={title} role="status">
      <strong>
        {title}: {job ? `${job.state}${job.total > 0 ? ` (${job.done} of ${job.total})` : ''}` : 'starting'}
      </strong>
      {job?.message && <span className="muted small"> {job.message}</span>}
      <ul>
        {vms.map((vm) => (
          <li key={vm.vm} aria-label={`Progress of ${vm.vm}`} className={vm.state === 'failed' ? 'bad-text' : undefined}>
            <span className="mono">{vm.vm}</span> — {vm.step}
            {vm.state === 'running' ? '…' : vm.state === 'failed' ? ' (failed)' : ''} <span className="muted small">{vm.message}</span>
          </li>
        ))}
        {vms.length === 0 && <li className="muted">waiting for the first VM…</li>}
      </ul>
    </section>
  );
}
