import type { Handlers } from '../contract/dispatch';
import { StagecraftError } from '../domain/errors';
import type { OperationPlan } from '../connectors/libvirt/index';
import type { ServiceContext } from './context';
import {
  addHypervisor,
  cachedInventory,
  describeHypervisorFailure,
  executeHypervisorOperation,
  importDomainsAsHosts,
  matchCandidates,
  matchDomains,
  operationView,
  planHypervisorOperation,
  refreshInventory,
  removeHypervisor,
} from './hypervisors';
import { Jobs } from './jobs';
import { PendingPlans } from './pending-plans';
import type { Session } from './session';

type HypervisorHandlers = Pick<
  Handlers,
  'hypervisors.list' | 'hypervisors.add' | 'hypervisors.remove' | 'hypervisors.refresh' | 'hypervisors.inventory' | 'hypervisors.importDomains' | 'hypervisors.plan' | 'hypervisors.execute'
>;


const failureText = (error: unknown) => {
  const failure = describeHypervisorFailure(error);
  return failure.remedy ? `${failure.message}. ${failure.remedy}` : failure.message;
};

/**
 * Hypervisors through the contract. A change runs only with the token of its own dry run: the
 * plan stays here (the renderer cannot alter what runs), is used once, and expires; the connector
 * then plans again and refuses when the commands differ from what the user read.
 */
export function hypervisorHandlers(ctx: ServiceContext, session: Session, jobs = new Jobs(ctx), now = () => Date.now()): HypervisorHandlers {
  const pending = new PendingPlans<{ hypervisorId: number; plan: OperationPlan }>(now);
  const connect = () => ({ actor: ctx.actor(), ...(ctx.ssh && { ssh: ctx.ssh }) });

  return {
    'hypervisors.list': () => {
      const store = session.require();
      return store.hypervisors.list().map((record) => {
        const cached = cachedInventory(store, record.id);
        return { ...record, fetchedAt: cached?.fetchedAt ?? null, domainCount: cached?.inventory.domains.length ?? null };
      });
    },
    'hypervisors.add': ({ name, uri, sshTarget }) => addHypervisor(session.require(), ctx.actor(), { name, uri, ...(sshTarget && { sshTarget }) }),
    'hypervisors.remove': ({ id }) => {
      const store = session.require();
      removeHypervisor(store, ctx.actor(), id);
      pending.forget((p) => p.hypervisorId === id);
      return { removed: true };
    },
    'hypervisors.refresh': ({ id }) => {
      const store = session.require();
      const record = store.hypervisors.get(id);
      const jobId = jobs.start(`Reading hypervisor ${record.name}`, 1, async (job) => {
        try {
          const { inventory } = await refreshInventory(store, id, { ...connect(), signal: job.signal });
          job.progress(1, 'read');
          const warned = inventory.warnings.length ? `, ${inventory.warnings.length} warning(s)` : '';
          return { state: 'succeeded', message: `${record.name}: ${inventory.domains.length} VMs, ${inventory.pools.length} storage pools${warned}` };
        } catch (error) {
          return { state: job.signal.aborted ? 'cancelled' : 'failed', message: failureText(error) };
        }
      });
      return { jobId };
    },
    'hypervisors.inventory': ({ id }) => {
      const store = session.require();
      const hypervisor = store.hypervisors.get(id);
      const cached = cachedInventory(store, id);
      if (!cached) return { hypervisor, fetchedAt: null, hostname: null, domains: [], pools: [], warnings: [], matches: [], unmatched: [] };
      const { inventory } = cached;
      const matching = matchDomains(inventory, matchCandidates(store));
      return {
        hypervisor,
        fetchedAt: cached.fetchedAt,
        hostname: inventory.hostname,
        domains: inventory.domains,
        pools: inventory.pools,
        warnings: inventory.warnings,
        matches: matching.matched,
        unmatched: matching.unmatched.map((d) => d.name),
      };
    },
    'hypervisors.importDomains': ({ id, domains, stageId, role }) => {
      const store = session.require();
      const unmatched = new Set(matchDomains(cachedInventory(store, id)?.inventory ?? { domains: [] }, matchCandidates(store)).unmatched.map((d) => d.name));
      const claimed = domains.filter((d) => !unmatched.has(d));
      if (claimed.length > 0) throw new StagecraftError('conflict', `Already in the inventory (matched to a host) or unknown: ${claimed.join(', ')}.`, 'Refresh the hypervisor and choose among the unmatched VMs.');
      const created = importDomainsAsHosts(store, ctx.actor(), id, { domains, stageId, role });
      ctx.emit('workspace.changed', { reason: 'updated' });
      return created;
    },
    'hypervisors.plan': async ({ id, op }) => {
      const store = session.require();
      const plan = await planHypervisorOperation(store, id, op, connect());
      return { ...operationView(plan), ...pending.keep(store, { hypervisorId: id, plan }) };
    },
    'hypervisors.execute': ({ id, token }) => {
      const store = session.require();
      const { plan } = pending.take(token, store, (p) => p.hypervisorId === id);
      const jobId = jobs.start(plan.description, plan.commands.length, async (job) => {
        try {
          const result = await executeHypervisorOperation(store, ctx.actor(), id, plan, { ...connect(), confirmed: true, onCommand: (done, command) => job.progress(done, command) });
          return { state: 'succeeded', message: `Done in ${result.durationMs} ms${result.output ? `: ${result.output.replace(/\s*\n\s*/g, '; ')}` : ''}` };
        } catch (error) {
          return { state: 'failed', message: failureText(error) };
        }
      }, { uncancellable: 'stopping a hypervisor change between its commands would leave it half done' });
      return { jobId };
    },
  };
}
