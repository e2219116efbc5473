/**
 * Cloning an environment into another stage, pure: the names and addresses clones get from a
 * naming rule, and the network isolation check (a clone carries production's configuration and
 * identity; on production's network it could answer production's clients or write to its data).
 */
import { StagecraftError } from './errors';

export interface NamingRule {
  /** Placeholders {service} {stage} {role} {n} (1, 2… per role) {source} (the cloned VM's name). */
  name: string;
  /** The inventory address of the clone; {name} is the clone's name. */
  address: string;
}

export const DEFAULT_NAMING_RULE: NamingRule = { name: '{service}-{role}-{stage}-{n}', address: '{name}' };

export interface NamingVariables {
  service: string;
  stage: string;
  role: string;
  n: number;
  source: string;
}

const PLACEHOLDER = /\{(service|stage|role|n|source|name)\}/g;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function expand(template: string, values: Record<string, string>): string {
  const unknown = /\{([^}]*)\}/g.exec(template.replace(PLACEHOLDER, ''));
  if (unknown) throw new StagecraftError('invalid-input', `The naming rule "${template}" has an unknown placeholder {${unknown[1]}}.`, 'Use {service}, {stage}, {role}, {n}, {source} (and {name} in the address).');
  return template.replace(PLACEHOLDER, (_, key: string) => values[key] ?? '');
}

/** The clone's name and address; a rule that yields an unusable name is refused, saying which. */
export function nameClone(rule: NamingRule, vars: NamingVariables): { name: string; address: string } {
  const values = { service: vars.service, stage: vars.stage, role: vars.role, n: String(vars.n), source: vars.source };
  const name = expand(rule.name, values).toLowerCase();
  if (!HOST_NAME.test(name)) throw new StagecraftError('invalid-input', `The naming rule gives "${name}", which is not usable as a VM and host name.`, 'Names take letters, digits, dot, dash and underscore, at most 63 characters.');
  const address = expand(rule.address, { ...values, name });
  if (address.trim() === '' || /\s/.test(address)) throw new StagecraftError('invalid-input', `The address rule gives "${address}", which is not an address.`);
  return { name, address };
}

/** Names that would be taken twice: by two clones, or by a clone and an existing host or VM. */
export function nameCollisions(names: readonly string[], taken: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  const collisions: string[] = [];
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key) || taken.has(key)) collisions.push(name);
    seen.add(key);
  }
  return collisions;
}

export interface NicAttachment {
  mac: string;
  type: string;
  network: string | null;
  bridge: string | null;
}

/** Where a NIC is attached, as one comparable key; null for NICs on no shared segment (user-mode). */
export function segmentOf(nic: Pick<NicAttachment, 'type' | 'network' | 'bridge'>): string | null {
  if (nic.network) return `network ${nic.network}`;
  if (nic.bridge) return `bridge ${nic.bridge}`;
  return null;
}

/** The clone's NICs that sit on a segment production's VMs use: each one a warning to show before cloning. */
export function isolationWarnings(cloneName: string, cloneNics: readonly NicAttachment[], productionNics: readonly NicAttachment[]): string[] {
  const production = new Set(productionNics.map(segmentOf).filter((s): s is string => s !== null));
  return cloneNics
    .map((nic) => ({ nic, segment: segmentOf(nic) }))
    .filter(({ segment }) => segment !== null && production.has(segment))
    .map(({ nic, segment }) => `${cloneName}: NIC ${nic.mac} is on production's ${segment}: a clone with production's identity could reach production. Move it to an isolated network before starting it.`);
}
