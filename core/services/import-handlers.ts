import type { Handlers } from '../contract/dispatch';
import type { CallOutput } from '../contract/index';
import type { ServiceContext } from './context';
import { applyImport, guessImportFormat, previewImport, readImportFile, suggestMapping, type ImportPreview } from './import/index';
import type { Session } from './session';

type ImportHandlers = Pick<Handlers, 'import.preview' | 'import.apply'>;
type Summary = CallOutput<'import.preview'>;

const summarise = (preview: ImportPreview): Summary => ({
  format: preview.format,
  source: preview.source,
  counts: preview.counts,
  placements: preview.placements.filter((p) => p.action === 'create').map(({ host, service, stage, role }) => ({ host, service, stage, role })),
  problems: preview.problems.map(({ severity, message, hint, host }) => ({ severity, message, ...(hint && { hint }), ...(host && { host }) })),
  notes: preview.notes,
  canApply: preview.canApply,
});

export function importHandlers(ctx: ServiceContext, session: Session): ImportHandlers {
  /** The file, parsed, and the mapping its groups suggest against the services the workspace has. */
  const prepare = ({ path, format, host }: { path: string; format?: Summary['format'] | undefined; host?: string | undefined }) => {
    const store = session.require();
    const parsed = readImportFile(path, format ?? guessImportFormat(path));
    const services = store.inventory.listServices().map((s) => ({ name: s.name, stages: s.stages.map((x) => x.name) }));
    const mapping = { ...suggestMapping(parsed, { services }), ...(host && { snapshotHost: host }) };
    return { store, parsed, mapping };
  };
  return {
    'import.preview': (request) => {
      const { store, parsed, mapping } = prepare(request);
      return summarise(previewImport(store, parsed, mapping));
    },
    'import.apply': (request) => {
      const { store, parsed, mapping } = prepare(request);
      const result = applyImport(store, parsed, mapping, ctx.actor());
      ctx.emit('workspace.changed', { reason: 'updated' });
      return summarise(result);
    },
  };
}
