/** The test farm (scripts/farm/farm.sh): real Debian hosts on 127.0.0.1:22000+N, for tests and benchmarks. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Farm {
  /** "127.0.0.1:22001"…, host N at index N-1. */
  hosts: string[];
  key: string;
  knownHosts: string;
}

export const FARM_SCRIPT = new URL('../../../../scripts/farm/farm.sh', import.meta.url).pathname;

/** A variable of `farm.sh env` (FARM_KEY, FARM_HOSTS…), '' when unset or when the farm script cannot run. */
export function farmVariables(): (name: string) => string {
  let env = '';
  try {
    env = execFileSync('bash', [FARM_SCRIPT, 'env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // Not there or not runnable: treated as not up.
  }
  return (name) => new RegExp(`^${name}="([^"]*)"`, 'm').exec(env)?.[1] ?? '';
}

/** The farm when at least `needed` hosts are up; otherwise null, after saying why `suite` is skipped. */
export function readFarm(needed: number, suite: string): Farm | null {
  const value = farmVariables();
  const hosts = value('FARM_HOSTS').split(' ').filter(Boolean);
  if (hosts.length < needed || !existsSync(value('FARM_KEY'))) {
    console.log(`${suite}: skipped, the farm is not up (${hosts.length} hosts running; needs ${needed}: sudo scripts/farm/farm.sh up ${needed})`);
    return null;
  }
  return { hosts, key: value('FARM_KEY'), knownHosts: value('FARM_KNOWN_HOSTS') };
}

/** Why `farm.sh scratch` cannot run here (it boots containers as root from the built base), or null. */
export function scratchUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'not root (farm.sh scratch boots containers)';
  if (!existsSync('/var/cache/stagecraft-farm/base/.stagecraft-base-ready')) return 'the farm base is not built (sudo scripts/farm/farm.sh base)';
  return null;
}

/** The root key, the scratch hosts' known_hosts and their port base (host N on portBase + N). */
export const farmEnv = () => {
  const value = farmVariables();
  return { key: value('FARM_KEY'), knownHosts: value('FARM_SCRATCH_KNOWN_HOSTS'), portBase: Number(value('FARM_SCRATCH_PORT_BASE')) };
};

const resetScratch = (flags: string[], numbers: number[]) => {
  execFileSync('bash', [FARM_SCRIPT, 'scratch', ...flags, ...numbers.map(String)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return farmEnv();
};

/**
 * Fresh scratch hosts (reset from the base): fixture 1.0-1 installed and running. Each test file
 * uses numbers of its own: files run in parallel, and a reset under another file's test breaks it.
 */
export const scratch = (...numbers: number[]) => resetScratch([], numbers);

/** Fresh scratch hosts each in its own network namespace: they can take live net.* sysctls (theirs only). */
export const scratchWithOwnNetwork = (...numbers: number[]) => resetScratch(['--private-network'], numbers);

/** Address and port of "127.0.0.1:22001". */
export function farmEndpoint(endpoint: string): { address: string; port: number } {
  const [address, port] = endpoint.split(':');
  return { address: address!, port: Number(port) };
}
