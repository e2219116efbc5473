import { describe, expect, it } from 'vitest';
import { latestPerVm, withLatestStep, type AssetProgress, type LatestSteps } from './asset-progress';

const event = (jobId: string, vm: string, step: string, state: AssetProgress['state'] = 'running'): AssetProgress => ({ jobId, kind: 'clone', runId: 1, vm, step, message: `${vm} ${step}`, state });
const fold = (events: AssetProgress[]): LatestSteps => events.reduce(withLatestStep, new Map() as LatestSteps);

describe('per-VM progress of a job', () => {
  it("keeps each VM's latest step, in the order the VMs first appeared, and only the job's own events", () => {
    const latest = fold([event('a', 'web-1', 'cloning'), event('b', 'db-9', 'cloning'), event('a', 'db-1', 'cloning'), event('a', 'web-1', 'cloned'), event('a', 'db-1', 'cloning', 'failed'), event('a', 'web-1', 'registered', 'done')]);
    expect(latestPerVm(latest, 'a').map((e) => [e.vm, e.step, e.state])).toEqual([
      ['web-1', 'registered', 'done'],
      ['db-1', 'cloning', 'failed'],
    ]);
    expect(latestPerVm(latest, 'b').map((e) => e.vm)).toEqual(['db-9']);
    expect(latestPerVm(latest, 'unknown')).toEqual([]);
  });

  it('follows job after job while the view stays open: one entry per VM, the newest step shown however many events came before', () => {
    let latest: LatestSteps = new Map();
    for (let job = 1; job <= 30; job++) for (let n = 0; n < 300; n++) latest = withLatestStep(latest, event(`job-${job}`, `vm-${n % 3}`, `step ${n}`));
    latest = withLatestStep(latest, event('job-31', 'vm-0', 'registered', 'done'));
    expect(latestPerVm(latest, 'job-31').map((e) => [e.vm, e.step, e.state])).toEqual([['vm-0', 'registered', 'done']]);
    expect(latestPerVm(latest, 'job-30').map((e) => e.step)).toEqual(['step 297', 'step 298', 'step 299']);
    expect([...latest.values()].reduce((n, vms) => n + vms.size, 0)).toBe(31 * 3 - 2);
  });
});
