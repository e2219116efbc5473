/**
 * Dry runs waiting for their confirmation, kept in the main process by token: the renderer
 * confirms one, it cannot alter what runs. A plan runs at most once, within PLAN_CONFIRMATION_MS,
 * in the workspace it was planned in; plans nobody confirmed are dropped once expired.
 */
import { randomUUID } from 'node:crypto';
import { StagecraftError } from '../domain/errors';
import type { WorkspaceStore } from '../store/workspace-store';

/** How long a dry run may wait for its confirmation: long enough to read it, short enough that it is still true. */
export const PLAN_CONFIRMATION_MS = 15 * 60_000;

interface Pending<P> {
  store: WorkspaceStore;
  plan: P;
  expiresAt: number;
}

export class PendingPlans<P> {
  private readonly plans = new Map<string, Pending<P>>();

  constructor(private readonly now: () => number) {}

  keep(store: WorkspaceStore, plan: P): { token: string; expiresAt: string } {
    this.forget((_, expiresAt) => expiresAt <= this.now());
    const token = randomUUID();
    const expiresAt = this.now() + PLAN_CONFIRMATION_MS;
    this.plans.set(token, { store, plan, expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** The plan of `token`, used up whatever happens next; `belongs` narrows which plans this confirmation may run (of this hypervisor…). */
  take(token: string, store: WorkspaceStore, belongs: (plan: P) => boolean = () => true): P {
    const entry = this.plans.get(token);
    this.plans.delete(token);
    if (!entry || entry.store !== store || !belongs(entry.plan)) throw new StagecraftError('not-found', 'Nothing was run: that dry run is unknown, was already used, or is not one of this workspace or hypervisor.', 'Make the dry run again and confirm it.');
    if (this.now() >= entry.expiresAt) throw new StagecraftError('refused', 'Nothing was run: that dry run has expired (what it read may have changed since).', 'Make the dry run again and confirm it.');
    return entry.plan;
  }

  /** Drops the plans that match (those of a hypervisor just removed, those expired). */
  forget(matches: (plan: P, expiresAt: number) => boolean): void {
    for (const [token, entry] of this.plans) if (matches(entry.plan, entry.expiresAt)) this.plans.delete(token);
  }

  get size(): number {
    return this.plans.size;
  }
}
