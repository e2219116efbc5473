/**
 * Ignore rules: facts an administrator has declared irrelevant to drift, for the whole workspace, one
 * service or one role of it. Host-specific values inside facts (hostname, addresses…) are not ignored
 * but normalised to placeholders before comparing: see placeholders.ts, applied by factsOf.
 */
import type { FactCategory, Snapshot } from './facts';
import { escapeGlob, globMatch } from './glob';
import { factsOf, splitFactKey } from './normalise';
import type { NormaliserContext } from './placeholders';
import { candidatesOf, tallyFacts } from './reference';

export interface IgnoreScope {
  service?: string;
  role?: string;
}

export interface IgnoreRule {
  /** Empty: the whole workspace. */
  scope: IgnoreScope;
  /** Absent: any category. */
  category?: FactCategory;
  /** Glob on the key within the category, e.g. `/etc/ssh/ssh_host_*` or `kernel.random.boot_id`. */
  key: string;
  reason?: string;
}

/** A rule for a service applies to all its roles; a rule for a role name alone applies to that role of every service. */
export function ruleApplies(rule: IgnoreRule, scope: IgnoreScope): boolean {
  return (rule.scope.service === undefined || rule.scope.service === scope.service) && (rule.scope.role === undefined || rule.scope.role === scope.role);
}

export function ruleMatches(rule: IgnoreRule, category: FactCategory, key: string): boolean {
  return (rule.category === undefined || rule.category === category) && globMatch(rule.key, key);
}

/** Whether a full fact key is ignored in a scope; answers are remembered, as the same keys recur on every host. */
export function ignoreMatcher(rules: readonly IgnoreRule[] | undefined, scope: IgnoreScope): (fullKey: string) => boolean {
  const applicable = (rules ?? []).filter((rule) => ruleApplies(rule, scope));
  if (applicable.length === 0) return () => false;
  const known = new Map<string, boolean>();
  return (fullKey) => {
    let ignored = known.get(fullKey);
    if (ignored === undefined) {
      const { category, key } = splitFactKey(fullKey);
      ignored = applicable.some((rule) => ruleMatches(rule, category, key));
      known.set(fullKey, ignored);
    }
    return ignored;
  };
}

export interface SuggestIgnoreOptions {
  /** Scope of the suggested rules, normally the service and role the snapshots play. */
  scope?: IgnoreScope;
  /** Rules already in force: facts they ignore are not suggested again. */
  existing?: readonly IgnoreRule[];
  normaliser?: NormaliserContext;
}

/**
 * Candidates for ignore rules: facts on which no two hosts of one role agree (absence counting as a
 * value), after host identities are normalised, such as SSH host keys or a per-host UUID in a config.
 * A fact only some hosts differ on is real drift, not noise, and is never suggested.
 */
export function suggestIgnoreRules(snapshotsOfOneRole: readonly Snapshot[], options: SuggestIgnoreOptions = {}): IgnoreRule[] {
  const hostCount = snapshotsOfOneRole.length;
  if (hostCount < 2) return [];
  const scope = options.scope ?? {};
  const ignored = ignoreMatcher(options.existing, scope);
  const sets = snapshotsOfOneRole.map((s) => factsOf(s, options.normaliser));
  const differingEverywhere: string[] = [];
  for (const [fullKey, tally] of tallyFacts(sets)) {
    if (hostCount - tally.present > 1 || ignored(fullKey)) continue;
    if (candidatesOf(fullKey, tally, sets).some((c) => c.matching > 1)) continue;
    differingEverywhere.push(fullKey);
  }
  return differingEverywhere.sort().map((fullKey) => {
    const { category, key } = splitFactKey(fullKey);
    return { scope: { ...scope }, category, key: escapeGlob(key), reason: `differs on every one of the role's ${hostCount} hosts` };
  });
}
