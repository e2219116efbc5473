import type { Handlers } from '../contract/dispatch';
import { StagecraftError } from '../domain/errors';
import type { ServiceContext } from './context';
import { Jobs, Prompts } from './jobs';
import { readCollectorScript, scanHosts } from './scan';
import { recordParityOfSaved, scanTargets } from './scan-targets';
import type { Session } from './session';

type ScanHandlers = Pick<Handlers, 'scan.start' | 'job.cancel' | 'credential.answer' | 'hostKeys.forget' | 'hosts.add'>;

export function scanHandlers(ctx: ServiceContext, session: Session, jobs = new Jobs(ctx), prompts = new Prompts(ctx)): ScanHandlers {
  return {
    'scan.start': ({ stageId, serviceId, hostIds, concurrency, acceptNewHostKeys }) => {
      const store = session.require();
      if (stageId === undefined && serviceId === undefined && hostIds === undefined) {
        throw new StagecraftError('invalid-input', 'Say what to scan: a stage, a service, or hosts.');
      }
      const hosts = scanTargets(store, { ...(stageId !== undefined && { stageId }), ...(serviceId !== undefined && { serviceId }), ...(hostIds && { hostIds }) });
      if (hosts.length === 0) throw new StagecraftError('conflict', 'There are no hosts to scan there.', 'Add hosts to the stage first.');
      const collectorScript = readCollectorScript(ctx.resourcesDir);
      const title = `Scanning ${hosts.length} host${hosts.length === 1 ? '' : 's'}`;
      const jobId = jobs.start(title, hosts.length, async (job) => {
        let finished = 0;
        const results = await scanHosts(
          store,
          hosts,
          {
            ...ctx.ssh,
            actor: ctx.actor(),
            concurrency,
            collectorScript,
            acceptNewHostKeys,
            askPassphrase: ({ keyFile, retry }) => prompts.ask({ kind: 'passphrase', subject: keyFile, retry }, job.signal),
            askPassword: ({ user, host, port }) => prompts.ask({ kind: 'password', subject: `${user}@${host}:${port}`, retry: false }, job.signal),
          },
          (event) => {
            ctx.emit('scan.progress', { jobId: job.id, ...event });
            if (event.phase === 'saved' || event.phase === 'failed') job.progress(++finished, `${event.hostName}: ${event.phase === 'saved' ? 'saved' : event.failure?.kind}`);
          },
          job.signal,
        );
        const saved = results.filter((r) => r.status === 'saved');
        if (saved.length > 0 && session.current === store) {
          recordParityOfSaved(store, ctx.actor(), hosts, results, new Date().toISOString());
          ctx.emit('workspace.changed', { reason: 'updated' });
        }
        const failed = results.length - saved.length;
        return { state: failed === 0 ? 'succeeded' : 'failed', message: `${saved.length} saved, ${failed} failed` };
      });
      return { jobId, hosts: hosts.map((h) => ({ id: h.id, name: h.name })) };
    },
    'job.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'credential.answer': ({ requestId, secret }) => ({ accepted: prompts.answer(requestId, secret) }),
    'hostKeys.forget': ({ host, port }) => {
      const store = session.require();
      const forgotten = store.write({ actor: ctx.actor(), action: 'hostKey.forget', subject: `${host}:${port}`, after: (n) => ({ forgotten: n }) }, () => store.hostKeys.forget(host, port));
      return { forgotten };
    },
    'hosts.add': ({ stageId, role, ...host }) => {
      const store = session.require();
      const hostId = store.write({ actor: ctx.actor(), action: 'host.add', subject: host.name, after: (id) => ({ id, ...host, stageId, role }) }, () => {
        const id = store.inventory.addHost(host);
        store.inventory.placeHost(stageId, id, role);
        return id;
      });
      ctx.emit('workspace.changed', { reason: 'updated' });
      return store.inventory.host(hostId);
    },
  };
}
