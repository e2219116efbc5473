/** Dry runs waiting for confirmation: used once, in their own workspace, before they expire; stale ones are dropped. Real workspace files. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkspaceStore } from '../store/workspace-store';
import { PendingPlans, PLAN_CONFIRMATION_MS } from './pending-plans';

const dir = mkdtempSync(join(tmpdir(), 'stagecraft-pending-'));
const [one, other] = ['one', 'other'].map((name) => WorkspaceStore.create(join(dir, `${name}.stagecraft`), name)) as [WorkspaceStore, WorkspaceStore];
afterAll(() => [one, other].forEach((store) => store.close()));

describe('pending dry runs', () => {
  it('run once, only in the workspace (and for the hypervisor) they were planned for, and not after they expired', () => {
    let now = Date.parse('2026-11-27T02:00:00Z');
    const plans = new PendingPlans<{ hypervisorId: number }>(() => now);
    const kept = plans.keep(one, { hypervisorId: 1 });
    expect(kept.expiresAt).toBe(new Date(now + PLAN_CONFIRMATION_MS).toISOString());
    expect(plans.take(kept.token, one, (p) => p.hypervisorId === 1)).toEqual({ hypervisorId: 1 });
    const unknown = { code: 'not-found', message: 'Nothing was run: that dry run is unknown, was already used, or is not one of this workspace or hypervisor.', hint: 'Make the dry run again and confirm it.' };
    expect(() => plans.take(kept.token, one)).toThrow(expect.objectContaining(unknown));
    // A token tried in another workspace or for another hypervisor is used up too.
    const elsewhere = plans.keep(one, { hypervisorId: 1 }).token;
    expect(() => plans.take(elsewhere, other)).toThrow(expect.objectContaining(unknown));
    expect(() => plans.take(elsewhere, one)).toThrow(expect.objectContaining(unknown));
    const wrongHypervisor = plans.keep(one, { hypervisorId: 1 }).token;
    expect(() => plans.take(wrongHypervisor, one, (p) => p.hypervisorId === 2)).toThrow(expect.objectContaining(unknown));
    const late = plans.keep(one, { hypervisorId: 1 }).token;
    now += PLAN_CONFIRMATION_MS;
    expect(() => plans.take(late, one)).toThrow(expect.objectContaining({ code: 'refused', message: expect.stringMatching(/has expired/) }));
  });

  it('nobody confirmed are dropped once expired, when another is kept; a removed hypervisor’s are forgotten', () => {
    let now = 0;
    const plans = new PendingPlans<{ hypervisorId: number }>(() => now);
    for (let i = 0; i < 50; i++) plans.keep(one, { hypervisorId: i % 2 });
    expect(plans.size).toBe(50);
    plans.forget((p) => p.hypervisorId === 1);
    expect(plans.size).toBe(25);
    now = PLAN_CONFIRMATION_MS - 1;
    plans.keep(one, { hypervisorId: 0 });
    expect(plans.size).toBe(26);
    now = PLAN_CONFIRMATION_MS;
    const fresh = plans.keep(other, { hypervisorId: 0 }).token;
    expect(plans.size).toBe(2);
    expect(plans.take(fresh, other)).toEqual({ hypervisorId: 0 });
  });
});
