/**
 * Drift: what hosts have against what they should have. Three comparisons share one engine — a
 * reference (fact key → a fact set holding the expected value) and hosts compared with it:
 *   driftAgainstImage  one host against the role of an image, within what the image governs;
 *   stageParity        the hosts of a stage against production's plurality, role by role;
 *   roleConsistency    the hosts of one role against their own plurality.
 */
import { StagecraftError } from './errors';
import type { FactCategory, Snapshot } from './facts';
import { FACT_CATEGORIES } from './facts';
import { ignoreMatcher, type IgnoreRule } from './ignore';
import { governanceFilter, imageRoleFacts, type ImageContent } from './image';
import { factsMatch, factsOf, splitFactKey, type FactSet } from './normalise';
import { parityRatio } from './parity';
import type { NormaliserContext } from './placeholders';
import { referenceOf } from './reference';
import { severityClassifier, severityRank, type Severity, type SeverityRule } from './severity';

export type DriftKind = 'changed' | 'missing' | 'extra';

export interface DriftItem {
  category: FactCategory;
  /** Key within the category, e.g. `dpkg:openssl:amd64`. */
  key: string;
  kind: DriftKind;
  /** Display value expected (absent for `extra`). Files: `0644 root:root sha256:…` of normalised content. */
  expected?: string;
  /** Display value found (absent for `missing`). */
  actual?: string;
  severity: Severity;
  /** Hosts showing exactly this difference, sorted. */
  hosts: string[];
  /** The role the hosts were compared as, when the comparison knows it. */
  role?: string;
}

export interface DriftReport {
  /** Sorted: high severity first, then category, key, kind. */
  items: DriftItem[];
  /** Host × fact pairs compared (ignored and ungoverned facts are not compared). */
  compared: number;
  /** Of those, the pairs that matched. */
  matching: number;
  /** matching / compared; 1 when nothing was compared (see parity.ts). */
  parity: number;
}

export interface DriftOptions {
  /** Scope for ignore rules (driftAgainstImage takes it from the image). */
  service?: string;
  ignore?: readonly IgnoreRule[];
  severityRules?: readonly SeverityRule[];
  /** What to normalise to placeholders on the hosts compared. */
  normaliser?: NormaliserContext;
  /** How hosts are named in items; their hostname by default. */
  hostName?: (snapshot: Snapshot) => string;
}

const defaultHostName = (snapshot: Snapshot) => snapshot.host.hostname;

/** Accumulates differences, merging hosts that show the same one into one item. */
class DriftCollector {
  compared = 0;
  matching = 0;
  private readonly items = new Map<string, DriftItem>();
  private readonly severity: (fullKey: string) => Severity;

  constructor(rules: readonly SeverityRule[] | undefined) {
    this.severity = severityClassifier(rules);
  }

  add(fullKey: string, kind: DriftKind, expected: string | undefined, actual: string | undefined, host: string, role: string | undefined): void {
    const id = `${role ?? ''}\0${kind}\0${fullKey}\0${expected ?? ''}\0${actual ?? ''}`;
    const item = this.items.get(id);
    if (item) {
      item.hosts.push(host);
      return;
    }
    const { category, key } = splitFactKey(fullKey);
    this.items.set(id, {
      category,
      key,
      kind,
      ...(expected !== undefined && { expected }),
      ...(actual !== undefined && { actual }),
      severity: this.severity(fullKey),
      hosts: [host],
      ...(role !== undefined && { role }),
    });
  }

  report(): DriftReport {
    const items = [...this.items.values()];
    for (const item of items) item.hosts.sort();
    items.sort(compareItems);
    return { items, compared: this.compared, matching: this.matching, parity: parityRatio(this.compared, this.matching) };
  }
}

const categoryRank = (category: FactCategory) => FACT_CATEGORIES.indexOf(category);
const compareText = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

function compareItems(a: DriftItem, b: DriftItem): number {
  return (
    severityRank(a.severity) - severityRank(b.severity) ||
    categoryRank(a.category) - categoryRank(b.category) ||
    compareText(a.key, b.key) ||
    compareText(a.kind, b.kind) ||
    compareText(a.role, b.role) ||
    compareText(a.expected, b.expected) ||
    compareText(a.actual, b.actual)
  );
}

/**
 * A reference laid out for the inner loop: parallel arrays, so comparing a host costs one lookup in
 * the host's facts per reference fact, plus one per host fact to find the extras.
 */
interface PreparedReference {
  keys: string[];
  values: string[];
  holders: FactSet[];
  has: (fullKey: string) => boolean;
}

function prepare(
  keys: Iterable<string>,
  holderOf: (fullKey: string) => FactSet,
  has: (fullKey: string) => boolean,
  skip: (fullKey: string) => boolean,
): PreparedReference {
  const prepared: PreparedReference = { keys: [], values: [], holders: [], has };
  for (const key of keys) {
    if (skip(key)) continue;
    const holder = holderOf(key);
    prepared.keys.push(key);
    prepared.values.push(holder.values.get(key)!);
    prepared.holders.push(holder);
  }
  return prepared;
}

/** A plurality or unanimous reference, ready to compare hosts with. */
function prepareReference(holders: ReadonlyMap<string, FactSet>, skip: (fullKey: string) => boolean): PreparedReference {
  return prepare(holders.keys(), (key) => holders.get(key)!, (key) => holders.has(key), skip);
}

/** Compares one host with a reference. `skip` says which of the host's own facts are not compared. */
function compareHost(
  reference: PreparedReference,
  host: FactSet,
  hostName: string,
  role: string | undefined,
  skip: (fullKey: string) => boolean,
  out: DriftCollector,
): void {
  const { keys, values, holders } = reference;
  out.compared += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const actual = host.values.get(key);
    if (actual === values[i]) {
      out.matching++;
      continue;
    }
    const holder = holders[i]!;
    if (actual === undefined) out.add(key, 'missing', holder.display(key), undefined, hostName, role);
    else if (factsMatch(holder, host, key)) out.matching++;
    else out.add(key, 'changed', holder.display(key), host.display(key), hostName, role);
  }
  for (const key of host.values.keys()) {
    if (reference.has(key) || skip(key)) continue;
    out.compared++;
    out.add(key, 'extra', undefined, host.display(key), hostName, role);
  }
}

/** Compares hosts with the role they play in an image; shared by the one-host and the environment forms. */
function imageComparison(image: ImageContent, role: string, options: DriftOptions) {
  const roleFacts = image.roles[role];
  if (!roleFacts) {
    throw new StagecraftError('not-found', `Image "${image.label}" has no role "${role}".`, `Its roles are: ${Object.keys(image.roles).join(', ') || 'none'}.`);
  }
  const governed = governanceFilter(image.governs, roleFacts.ungoverned);
  const ignored = ignoreMatcher(options.ignore, { service: options.service ?? image.service, role });
  const skip = memoised((key) => !governed(key) || ignored(key));
  const reference = imageRoleFacts(image, role);
  const prepared = prepare(reference.values.keys(), () => reference, (key) => reference.values.has(key), skip);
  const hostName = options.hostName ?? defaultHostName;
  return (host: Snapshot, out: DriftCollector) => compareHost(prepared, factsOf(host, options.normaliser), hostName(host), role, skip, out);
}

/**
 * One host against the role it plays in an image: only the categories and paths the image governs,
 * never the facts its role left ungoverned at capture, never ignored facts.
 */
export function driftAgainstImage(image: ImageContent, role: string, host: Snapshot, options: DriftOptions = {}): DriftReport {
  const out = new DriftCollector(options.severityRules);
  imageComparison(image, role, options)(host, out);
  return out.report();
}

/** Every host of an environment against the image it should run, role by role, hosts merged into items. */
export function environmentAgainstImage(
  image: ImageContent,
  snapshotsByRole: Readonly<Record<string, readonly Snapshot[]>>,
  options: DriftOptions = {},
): DriftReport {
  const out = new DriftCollector(options.severityRules);
  for (const role of Object.keys(snapshotsByRole).sort()) {
    const hosts = snapshotsByRole[role] ?? [];
    if (hosts.length === 0) continue;
    const compare = imageComparison(image, role, options);
    for (const host of hosts) compare(host, out);
  }
  return out.report();
}

export interface StageParityOptions extends DriftOptions {
  /** Normalisation of production's hosts when it differs from the stage's (e.g. another domain); defaults to `normaliser`. */
  productionNormaliser?: NormaliserContext;
}

export interface RoleParity {
  role: string;
  productionHosts: number;
  stageHosts: number;
  compared: number;
  matching: number;
  parity: number;
}

export interface StageParity extends DriftReport {
  roles: RoleParity[];
  /** Roles with hosts on one side only: nothing to compare, so they count for nothing in `parity`. */
  unpairedRoles: { role: string; onlyIn: 'production' | 'stage' }[];
}

/**
 * A stage against production. For each role, production's reference is the value most of its hosts
 * have (ties: the first host listed); every host of the stage's same role is compared with it.
 * Items merge hosts that differ in the same way.
 */
export function stageParity(
  productionByRole: Readonly<Record<string, readonly Snapshot[]>>,
  stageByRole: Readonly<Record<string, readonly Snapshot[]>>,
  options: StageParityOptions = {},
): StageParity {
  const hostName = options.hostName ?? defaultHostName;
  const out = new DriftCollector(options.severityRules);
  const roles: RoleParity[] = [];
  const unpairedRoles: StageParity['unpairedRoles'] = [];
  const roleNames = [...new Set([...Object.keys(productionByRole), ...Object.keys(stageByRole)])].sort();
  for (const role of roleNames) {
    const production = productionByRole[role] ?? [];
    const stage = stageByRole[role] ?? [];
    if (production.length === 0 || stage.length === 0) {
      if (production.length > 0 || stage.length > 0) unpairedRoles.push({ role, onlyIn: production.length > 0 ? 'production' : 'stage' });
      continue;
    }
    const ignored = ignoreMatcher(options.ignore, { service: options.service, role });
    const reference = referenceOf(
      production.map((s) => factsOf(s, options.productionNormaliser ?? options.normaliser)),
      'plurality',
    );
    const before = { compared: out.compared, matching: out.matching };
    const prepared = prepareReference(reference.holders, ignored);
    for (const snapshot of stage) compareHost(prepared, factsOf(snapshot, options.normaliser), hostName(snapshot), role, ignored, out);
    const compared = out.compared - before.compared;
    const matching = out.matching - before.matching;
    roles.push({ role, productionHosts: production.length, stageHosts: stage.length, compared, matching, parity: parityRatio(compared, matching) });
  }
  return { ...out.report(), roles, unpairedRoles };
}

export interface RoleConsistencyOptions extends DriftOptions {
  /** The role the hosts play: scopes ignore rules and labels items. */
  role?: string;
}

/**
 * The hosts of one role against each other: each against the value most of them have (ties: the
 * first host listed). Hosts in the plurality show no items; the others show how they stray.
 */
export function roleConsistency(snapshotsOfOneRole: readonly Snapshot[], options: RoleConsistencyOptions = {}): DriftReport {
  const hostName = options.hostName ?? defaultHostName;
  const ignored = ignoreMatcher(options.ignore, { service: options.service, role: options.role });
  const sets = snapshotsOfOneRole.map((s) => factsOf(s, options.normaliser));
  const prepared = prepareReference(referenceOf(sets, 'plurality').holders, ignored);
  const out = new DriftCollector(options.severityRules);
  sets.forEach((set, i) => compareHost(prepared, set, hostName(snapshotsOfOneRole[i]!), options.role, ignored, out));
  return out.report();
}

/** Remembers a key predicate's answers: the same keys come up once per host. */
function memoised(predicate: (fullKey: string) => boolean): (fullKey: string) => boolean {
  const known = new Map<string, boolean>();
  return (key) => {
    let answer = known.get(key);
    if (answer === undefined) known.set(key, (answer = predicate(key)));
    return answer;
  };
}
