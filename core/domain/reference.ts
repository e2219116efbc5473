/**
 * What a group of hosts agrees on: the reference that each of them (or the hosts of another stage)
 * is compared with. Production's reference is its plurality; an image captures what is unanimous.
 */
import { factsMatch, isFileKey, type FactSet } from './normalise';

/**
 * `plurality`: the value most hosts have (absence counts as a value); ties go to the value seen first
 * in the order the hosts were given, so callers list their primary host first.
 * `unanimous`: only a value every host has; anything else is undecided.
 */
export type Quorum = 'plurality' | 'unanimous';

/** The distinct values hosts have under one key, each with how many hosts have exactly that value. */
export interface KeyTally {
  groups: ValueGroup[];
  /** Hosts that have the key at all. */
  present: number;
}

interface ValueGroup {
  value: string;
  holder: FactSet;
  count: number;
  /** Index of the first host with this value: breaks ties. */
  first: number;
}

/** One pass over every fact of every host; the cost is one map lookup and one string comparison per fact. */
export function tallyFacts(sets: readonly FactSet[]): Map<string, KeyTally> {
  const tallies = new Map<string, KeyTally>();
  sets.forEach((set, index) => {
    for (const [key, value] of set.values) {
      const tally = tallies.get(key);
      if (tally === undefined) {
        tallies.set(key, { groups: [{ value, holder: set, count: 1, first: index }], present: 1 });
        continue;
      }
      tally.present++;
      const same = tally.groups.find((g) => g.value === value);
      if (same) same.count++;
      else tally.groups.push({ value, holder: set, count: 1, first: index });
    }
  });
  return tallies;
}

export interface Candidate {
  holder: FactSet;
  /** Hosts whose fact matches the holder's (for files: raw or normalised content). */
  matching: number;
  first: number;
}

/**
 * The candidate values of a key with how many hosts match each. Equal raw values are one group; for
 * files whose raw hashes differ, normalised content may join groups, so each candidate is counted
 * against every host (rare: only files hosts disagree on byte for byte).
 */
export function candidatesOf(key: string, tally: KeyTally, sets: readonly FactSet[]): Candidate[] {
  if (tally.groups.length === 1 || !isFileKey(key)) return tally.groups.map((g) => ({ holder: g.holder, matching: g.count, first: g.first }));
  return tally.groups.map((g) => ({
    holder: g.holder,
    matching: sets.reduce((n, set) => (set.values.has(key) && factsMatch(g.holder, set, key) ? n + 1 : n), 0),
    first: g.first,
  }));
}

function best(candidates: readonly Candidate[]): Candidate {
  return candidates.reduce((a, b) => (b.matching > a.matching || (b.matching === a.matching && b.first < a.first) ? b : a));
}

export interface Reference {
  /** Fact key → a host whose value under that key is the reference value. Keys absent here are expected absent. */
  holders: Map<string, FactSet>;
  /** Keys the hosts did not agree on (unanimous quorum only): neither expected present nor absent. */
  undecided: string[];
}

/**
 * The reference facts of a group of hosts. `include` filters keys (ignored or ungoverned ones) once
 * per distinct key rather than once per host.
 */
export function referenceOf(sets: readonly FactSet[], quorum: Quorum, include: (key: string) => boolean = () => true): Reference {
  const holders = new Map<string, FactSet>();
  const undecided: string[] = [];
  const hostCount = sets.length;
  for (const [key, tally] of tallyFacts(sets)) {
    if (!include(key)) continue;
    if (quorum === 'unanimous' && tally.present < hostCount) {
      undecided.push(key);
      continue;
    }
    const winner = best(candidatesOf(key, tally, sets));
    if (quorum === 'unanimous') {
      if (winner.matching === hostCount) holders.set(key, winner.holder);
      else undecided.push(key);
      continue;
    }
    const absent = hostCount - tally.present;
    const firstAbsent = absent === 0 ? Infinity : sets.findIndex((s) => !s.values.has(key));
    if (winner.matching > absent || (winner.matching === absent && winner.first < firstAbsent)) holders.set(key, winner.holder);
  }
  return { holders, undecided: undecided.sort() };
}
