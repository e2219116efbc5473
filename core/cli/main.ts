import { resolve } from 'node:path';
import { CallFailed, type CallName, type CallOutput } from '../contract/index';
import type { CallInput } from '../contract/index';
import { buildDemoWorkspace } from '../services/demo';
import { APP_VERSION, createApp, findResourcesDir } from '../services/app';

const HELP = `stagecraft ${APP_VERSION}: release-stage manager, headless

Usage:
  stagecraft workspace create PATH [--name NAME]   create an empty workspace file
  stagecraft workspace info PATH [--format json|text]
                                                   what a workspace holds
  stagecraft demo PATH                             build the demo workspace into PATH
  stagecraft --version | --help

Exit codes: 0 success, 2 error (bad arguments, unreadable or refused workspace).
`;

export class UsageError extends Error {}

/** Options of the form --name VALUE; anything else is positional. */
export function parseArgs(argv: string[]): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${key} needs a value.`);
      if (inline === undefined) i++;
      options.set(key, value);
    } else positional.push(arg);
  }
  return { positional, options };
}

export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(HELP);
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    out(APP_VERSION);
    return 0;
  }
  const app = createApp({ shell: 'cli', resourcesDir: findResourcesDir(import.meta.url) });
  const invoke = async <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> => {
    const result = await app.dispatch(name, input);
    if (!result.ok) throw new CallFailed(result.error);
    return result.value as CallOutput<N>;
  };
  try {
    const [command, sub, ...rest] = argv;
    if (command === 'workspace' && sub === 'create') {
      const { positional, options } = parseArgs(rest);
      const path = requirePath(positional);
      const summary = await invoke('workspace.create', { path: resolve(path), name: options.get('name') ?? defaultName(path) });
      out(`Created workspace "${summary.name}" at ${summary.path} (schema ${summary.schemaVersion}).`);
      return 0;
    }
    if (command === 'workspace' && sub === 'info') {
      const { positional, options } = parseArgs(rest);
      const summary = await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      if (options.get('format') === 'json') out(JSON.stringify(summary, null, 2));
      else {
        const c = summary.counts;
        out(`${summary.name}\n  file: ${summary.path}\n  schema: ${summary.schemaVersion}\n  created: ${summary.createdAt}\n  ${c.services} services, ${c.hosts} hosts, ${c.snapshots} snapshots, ${c.images} images`);
      }
      return 0;
    }
    if (command === 'demo') {
      const path = resolve(requirePath([sub ?? ''].filter(Boolean)));
      const store = buildDemoWorkspace(path, app.ctx.resourcesDir);
      const c = store.summary().counts;
      store.close();
      out(`Built the demo workspace at ${path}: ${c.services} services, ${c.hosts} hosts, ${c.snapshots} snapshots.`);
      return 0;
    }
    throw new UsageError(`Unknown command "${argv.join(' ')}". Run stagecraft --help.`);
  } catch (error) {
    if (error instanceof UsageError) console.error(`stagecraft: ${error.message}`);
    else if (error instanceof CallFailed) console.error(`stagecraft: ${error.message}${error.error.hint ? `\n  ${error.error.hint}` : ''}`);
    else if (error instanceof Error && 'code' in error && 'hint' in error) console.error(`stagecraft: ${error.message}${error.hint ? `\n  ${String(error.hint)}` : ''}`);
    else console.error(`stagecraft: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    app.session.close();
  }
}

function requirePath(positional: string[]): string {
  const path = positional[0];
  if (!path) throw new UsageError('a workspace PATH is required.');
  return path;
}

const defaultName = (path: string) => path.split(/[\\/]/).pop()!.replace(/\.stagecraft$/, '') || 'workspace';
