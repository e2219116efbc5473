import { extname, resolve } from 'node:path';
import { CallFailed, type CallInput, type CallName, type CallOutput } from '../contract/index';
import { REPORT_FORMAT_NAMES, type ReportSelection } from '../contract/reports';
import { UsageError } from './main';

type Invoke = <N extends CallName>(name: N, input: CallInput<N>) => Promise<CallOutput<N>>;
type Format = (typeof REPORT_FORMAT_NAMES)[number];

const isFormat = (value: string): value is Format => (REPORT_FORMAT_NAMES as readonly string[]).includes(value);

/** The format asked for, or the one the output file's extension names. */
function formatOf(options: Map<string, string>, out: string): Format {
  const chosen = options.get('format') ?? extname(out).slice(1).toLowerCase();
  if (chosen === 'markdown') return 'md';
  if (!isFormat(chosen)) throw new UsageError(`--format must be one of ${REPORT_FORMAT_NAMES.join(', ')}${options.has('format') ? `, not "${chosen}"` : ' (or --out must end in one of them)'}.`);
  return chosen;
}

async function selectionOf(options: Map<string, string>, invoke: Invoke): Promise<ReportSelection> {
  const ways = ['changes', 'from', 'drift'].filter((k) => options.has(k));
  if (ways.length !== 1) throw new UsageError('report needs exactly one of --changes ID,ID, --from DATE --to DATE, or --drift.');
  if (options.has('drift')) {
    const name = options.get('service');
    if (name === undefined) return { kind: 'drift' };
    const services = await invoke('services.list', {});
    const service = services.find((s) => s.name === name);
    if (!service) throw new UsageError(`There is no service "${name}". Services: ${services.map((s) => s.name).join(', ')}.`);
    return { kind: 'drift', serviceId: service.id };
  }
  if (options.has('service')) throw new UsageError('--service goes with --drift only.');
  if (options.has('changes')) {
    const ids = options.get('changes')!.split(',').map((part) => part.trim().replace(/^#/, ''));
    if (ids.some((id) => !/^\d+$/.test(id) || Number(id) < 1)) throw new UsageError(`--changes takes change ids separated by commas, such as 12,15, not "${options.get('changes')}".`);
    return { kind: 'changes', changeIds: ids.map(Number) };
  }
  const to = options.get('to');
  if (to === undefined) throw new UsageError('--from needs --to (dates such as 2026-12-01, both days included).');
  return { kind: 'range', from: options.get('from')!, to };
}

/** stagecraft report WORKSPACE (--changes ID,ID | --from DATE --to DATE | --drift [--service S]) [--format F] --out FILE [--overwrite] */
export async function runReport(positional: string[], options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  const workspace = positional[0];
  if (!workspace || positional.length > 1) throw new UsageError('report needs one WORKSPACE.');
  const outFile = options.get('out');
  if (!outFile) throw new UsageError('report needs --out FILE (it never prints a report to the terminal).');
  const format = formatOf(options, outFile);
  await invoke('workspace.open', { path: resolve(workspace) });
  const selection = await selectionOf(options, invoke);
  const written = await invoke('reports.export', { selection, format, path: resolve(outFile), overwrite: options.has('overwrite') }).catch((error: unknown) => {
    if (error instanceof CallFailed && error.error.code === 'conflict') throw new UsageError(`${error.message} Add --overwrite to replace it, or choose another --out file.`);
    throw error;
  });
  out(`Wrote the ${selection.kind === 'drift' ? 'drift report' : 'CAB pack'} (${format.toUpperCase()}, ${written.bytes} bytes) to ${written.path}.`);
  return 0;
}
