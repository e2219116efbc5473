import { describe, expect, it } from 'vitest';
import { latestPerVm, type AssetProgress } from './asset-progress';

const event = (jobId: string, vm: string, step: string, state: AssetProgress['state'] = 'running'): AssetProgress => ({ jobId, kind: 'clone', runId: 1, vm, step, message: `${vm} ${step}`, state });

describe('per-VM progress of a job', () => {
  it("keeps each VM's latest step, in the order the VMs first appeared, and only the job's own events", () => {
    const events = [event('a', 'web-1', 'cloning'), event('b', 'db-9', 'cloning'), event('a', 'db-1', 'cloning'), event('a', 'web-1', 'cloned'), event('a', 'db-1', 'cloning', 'failed'), event('a', 'web-1', 'registered', 'done')];
    expect(latestPerVm(events, 'a').map((e) => [e.vm, e.step, e.state])).toEqual([
      ['web-1', 'registered', 'done'],
      ['db-1', 'cloning', 'failed'],
    ]);
    expect(latestPerVm(events, 'b').map((e) => e.vm)).toEqual(['db-9']);
    expect(latestPerVm(events, 'unknown')).toEqual([]);
  });
});
