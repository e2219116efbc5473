/**
 * OpenSSH client configuration (ssh_config(5)) for the keywords Stagecraft needs to reach a host
 * the way its administrator does: Host blocks, HostName, User, Port, IdentityFile, IdentitiesOnly,
 * UserKnownHostsFile, ProxyJump. Pure: the caller reads the file.
 *
 * As in OpenSSH, the first value obtained for a keyword wins (so specific Host blocks go first and
 * `Host *` last), except IdentityFile and UserKnownHostsFile lines, which accumulate.
 * Not supported (reported as warnings, never silently misread): Match other than `Match all`,
 * Include, ProxyCommand.
 */
import { splitWords } from './words';

export interface SshConfigOption {
  keyword: string; // lower case
  args: string[];
  line: number;
}

export interface SshConfigBlock {
  /** Host patterns of the block; null for lines before the first Host line (they apply to all). */
  patterns: string[] | null;
  options: SshConfigOption[];
}

export interface SshConfig {
  blocks: SshConfigBlock[];
  warnings: string[];
}

export interface SshJumpHop {
  host: string;
  port?: number;
  user?: string;
}

/** What the configuration says about one host alias, before defaults and command-line overrides. */
export interface SshHostSettings {
  alias: string;
  hostName?: string;
  port?: number;
  user?: string;
  identityFiles: string[];
  identitiesOnly?: boolean;
  userKnownHostsFiles: string[];
  /** Hops in order, the first one reached directly; empty when no ProxyJump (or `ProxyJump none`). */
  proxyJump: SshJumpHop[];
  warnings: string[];
}

export interface SshTokenContext {
  homeDir: string;
  localUser: string;
}

const ACCUMULATING = new Set(['identityfile', 'userknownhostsfile']);

export function parseSshConfig(text: string): SshConfig {
  const blocks: SshConfigBlock[] = [{ patterns: null, options: [] }];
  const warnings: string[] = [];
  let current = blocks[0]!;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const words = splitConfigLine(raw);
    if (words === null) {
      warnings.push(`line ${line}: unbalanced quotes, line ignored`);
      return;
    }
    const [keywordRaw, ...args] = words;
    if (keywordRaw === undefined) return;
    const keyword = keywordRaw.toLowerCase();
    if (keyword === 'host') {
      current = { patterns: args, options: [] };
      blocks.push(current);
    } else if (keyword === 'match') {
      const all = args.length === 1 && args[0]!.toLowerCase() === 'all';
      if (!all) warnings.push(`line ${line}: "Match ${args.join(' ')}" is not supported: its block is ignored`);
      current = { patterns: all ? ['*'] : [], options: [] };
      blocks.push(current);
    } else if (keyword === 'include' || keyword === 'proxycommand') {
      warnings.push(`line ${line}: ${keywordRaw} is not supported and was ignored`);
    } else {
      current.options.push({ keyword, args, line });
    }
  });
  return { blocks, warnings };
}

/** Words of one line: `Keyword value…` or `Keyword=value`, double quotes group, `#` starts a comment. */
function splitConfigLine(raw: string): string[] | null {
  return splitWords(raw.trim().replace(/^(\S+?)\s*=\s*/, '$1 '), { quotes: ['"'], backslashEscapes: false });
}

/** OpenSSH wildcards: `*` any run, `?` one character; case-insensitive like host names. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'is').test(text);
}

/**
 * A pattern list as in `Host a b !c` or known_hosts' `a,b,!c`: any negated pattern that matches
 * excludes the name outright; otherwise one positive match is needed.
 */
export function matchPatternList(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** `user@host:port,host2,[::1]:2222` (or `none`) into hops. Throws on an unusable entry. */
export function parseJumpSpec(spec: string): SshJumpHop[] {
  if (spec.toLowerCase() === 'none') return [];
  return spec.split(',').map((part) => {
    const hop = parseUserHostPort(part.trim().replace(/^ssh:\/\//, ''));
    if (hop === null) throw new Error(`"${part}" is not a [user@]host[:port] jump host`);
    return hop;
  });
}

/** `[user@]host[:port]`, with `[v6address]:port` for IPv6. Null when it is not that. */
export function parseUserHostPort(text: string): SshJumpHop | null {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:[\]\s/]+)(?::(\d+))?$/.exec(rest);
  if (!match || (user !== undefined && user === '')) return null;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { host: match[1]!, ...(port !== undefined ? { port } : {}), ...(user !== undefined ? { user } : {}) };
}

/** The settings that apply to `alias`: first value wins, blocks in file order. */
export function resolveSshHost(config: SshConfig, alias: string): SshHostSettings {
  const settings: SshHostSettings = { alias, identityFiles: [], userKnownHostsFiles: [], proxyJump: [], warnings: [...config.warnings] };
  const seen = new Set<string>();
  for (const block of config.blocks) {
    if (block.patterns !== null && !matchPatternList(block.patterns, alias)) continue;
    for (const { keyword, args, line } of block.options) {
      if (!ACCUMULATING.has(keyword)) {
        if (seen.has(keyword)) continue;
        seen.add(keyword);
      }
      const value = args[0];
      if (value === undefined) {
        settings.warnings.push(`line ${line}: ${keyword} has no value`);
        continue;
      }
      switch (keyword) {
        case 'hostname':
          settings.hostName = value;
          break;
        case 'user':
          settings.user = value;
          break;
        case 'port': {
          const port = Number(value);
          if (Number.isInteger(port) && port >= 1 && port <= 65535) settings.port = port;
          else settings.warnings.push(`line ${line}: Port ${value} is not a port number`);
          break;
        }
        case 'identityfile':
          settings.identityFiles.push(value);
          break;
        case 'identitiesonly':
          settings.identitiesOnly = value.toLowerCase() === 'yes';
          break;
        case 'userknownhostsfile':
          // One line may list several files; `none` disables them.
          settings.userKnownHostsFiles.push(...args.filter((file) => file.toLowerCase() !== 'none'));
          break;
        case 'proxyjump':
          try {
            settings.proxyJump = parseJumpSpec(value);
          } catch (error) {
            settings.warnings.push(`line ${line}: ${(error as Error).message}`);
          }
          break;
        default:
          break; // Keywords Stagecraft does not act on (Ciphers, ForwardAgent…).
      }
    }
  }
  return settings;
}

/**
 * `~` and the `%` tokens of IdentityFile and UserKnownHostsFile: %d home, %u local user, %h remote
 * host name, %r remote user, %p port, %n the alias as given, %% a percent sign.
 */
export function expandSshPath(path: string, context: SshTokenContext & { host: string; user: string; port: number; alias: string }): string {
  const tokens: Record<string, string> = {
    '%': '%',
    d: context.homeDir,
    u: context.localUser,
    h: context.host,
    r: context.user,
    p: String(context.port),
    n: context.alias,
  };
  const expanded = path.replace(/%(.)/g, (whole, token: string) => tokens[token] ?? whole);
  if (expanded === '~') return context.homeDir;
  return expanded.startsWith('~/') ? `${context.homeDir}${expanded.slice(1)}` : expanded;
}
