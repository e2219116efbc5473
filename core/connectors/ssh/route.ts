/**
 * From what the user typed (an alias, user, port) to the endpoints to connect to, through the
 * user's ssh_config: HostName, User, Port, IdentityFile, ProxyJump hops, known_hosts files.
 * Explicit values (ssh://user@host:port, --identity) win over the file, as on ssh's command line.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { StagecraftError } from '../../domain/errors';
import { expandSshPath, parseSshConfig, parseUserHostPort, resolveSshHost, type SshConfig, type SshJumpHop } from '../../domain/ssh-config';

export interface SshTarget {
  /** A host name, an address, or an alias of the ssh config. */
  host: string;
  port?: number;
  user?: string;
}

export interface RouteOptions {
  /** ssh_config file; default ~/.ssh/config; null: none. A missing file counts as empty. */
  sshConfigFile?: string | null;
  /** Tried before the config's IdentityFile lines, on every hop (like ssh -i). */
  identityFiles?: readonly string[];
  /** When given, exactly these files; otherwise UserKnownHostsFile or ~/.ssh/known_hosts{,2}, plus /etc/ssh/ssh_known_hosts{,2}. */
  knownHostsFiles?: readonly string[];
  localUser?: string;
  homeDir?: string;
}

export interface SshEndpoint {
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
}

export interface SshRoute {
  /** Jump hosts first, in order, then the target itself (always last). */
  hops: SshEndpoint[];
  knownHostsFiles: string[];
  warnings: string[];
}

const DEFAULT_IDENTITIES = ['id_ecdsa', 'id_ed25519', 'id_rsa'];

export const describeEndpoint = (endpoint: Pick<SshEndpoint, 'user' | 'host' | 'port'>): string => `${endpoint.user}@${endpoint.host}:${endpoint.port}`;

export function resolveRoute(target: SshTarget, options: RouteOptions = {}): SshRoute {
  const homeDir = options.homeDir ?? homedir();
  const localUser = options.localUser ?? userInfo().username;
  const configFile = options.sshConfigFile === undefined ? join(homeDir, '.ssh', 'config') : options.sshConfigFile;
  const config = readConfig(configFile);
  const tokens = { homeDir, localUser };

  const endpoint = (hop: SshJumpHop): { endpoint: SshEndpoint; settings: ReturnType<typeof resolveSshHost> } => {
    const settings = resolveSshHost(config, hop.host);
    const host = settings.hostName ? expandSshPath(settings.hostName, { ...tokens, host: hop.host, user: '', port: 22, alias: hop.host }) : hop.host;
    const port = hop.port ?? settings.port ?? 22;
    const user = hop.user ?? settings.user ?? localUser;
    const context = { ...tokens, host, user, port, alias: hop.host };
    const configured = settings.identityFiles.map((file) => expandSshPath(file, context));
    const fallback = configured.length === 0 && !(options.identityFiles?.length) ? DEFAULT_IDENTITIES.map((name) => join(homeDir, '.ssh', name)) : [];
    // Missing files are skipped silently, as ssh does for its defaults and config entries.
    const identityFiles = [...(options.identityFiles ?? []), ...configured, ...fallback].filter((file, index, all) => existsSync(file) && all.indexOf(file) === index);
    return { endpoint: { alias: hop.host, host, port, user, identityFiles, identitiesOnly: settings.identitiesOnly ?? false }, settings };
  };

  const { endpoint: final, settings } = endpoint(target);
  const jumps = settings.proxyJump.map((hop) => endpoint(hop).endpoint);
  const userFiles = settings.userKnownHostsFiles.length
    ? settings.userKnownHostsFiles.map((file) => expandSshPath(file, { ...tokens, host: final.host, user: final.user, port: final.port, alias: target.host }))
    : [join(homeDir, '.ssh', 'known_hosts'), join(homeDir, '.ssh', 'known_hosts2')];
  const knownHostsFiles = options.knownHostsFiles ? [...options.knownHostsFiles] : [...userFiles, '/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  return { hops: [...jumps, final], knownHostsFiles, warnings: settings.warnings };
}

function readConfig(file: string | null): SshConfig {
  if (file === null) return parseSshConfig('');
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // No config file is the common case.
  }
  return parseSshConfig(text);
}

/** `ssh://[user@]host[:port]` or `[user@]host[:port]` (IPv6 as `[::1]:22`) as a target. */
export function parseSshTarget(text: string): SshTarget {
  const hop = parseUserHostPort(text.trim().replace(/^ssh:\/\//i, '').replace(/\/$/, ''));
  if (hop === null) throw new StagecraftError('invalid-input', `"${text}" is not an SSH target`, 'Use ssh://USER@HOST[:PORT].');
  return hop;
}
