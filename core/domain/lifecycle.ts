import { StagecraftError } from './errors';

/** The stages most services walk through, in order. */
export const DEFAULT_STAGE_NAMES = ['integration', 'testing', 'staging', 'uat', 'production'] as const;

export interface LifecycleStage {
  id: number;
  name: string;
  position: number;
  isProduction: boolean;
}

export interface LifecycleEdge {
  from: number;
  to: number;
}

export interface Lifecycle {
  stages: LifecycleStage[];
  edges: LifecycleEdge[];
}

/** Edges of a straight line through the stages in position order. */
export function linearEdges(stages: readonly LifecycleStage[]): LifecycleEdge[] {
  const ordered = [...stages].sort((a, b) => a.position - b.position);
  return ordered.slice(1).map((stage, i) => ({ from: ordered[i]!.id, to: stage.id }));
}

/**
 * Stages in an order where every edge goes forward (Kahn's algorithm, ties broken by position).
 * Throws when the edges form a cycle or name a stage that is not in the lifecycle.
 */
export function topologicalStages(lifecycle: Lifecycle): LifecycleStage[] {
  const byId = new Map(lifecycle.stages.map((s) => [s.id, s]));
  const incoming = new Map<number, number>(lifecycle.stages.map((s) => [s.id, 0]));
  const outgoing = new Map<number, number[]>();
  for (const edge of lifecycle.edges) {
    if (!byId.has(edge.from) || !byId.has(edge.to)) {
      throw new StagecraftError('invalid-input', `Lifecycle edge ${edge.from} → ${edge.to} names a stage that does not exist.`);
    }
    if (edge.from === edge.to) throw new StagecraftError('invalid-input', `Stage "${byId.get(edge.from)!.name}" cannot promote to itself.`);
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge.to]);
  }
  const byPosition = (a: LifecycleStage, b: LifecycleStage) => a.position - b.position;
  const ready = lifecycle.stages.filter((s) => incoming.get(s.id) === 0).sort(byPosition);
  const ordered: LifecycleStage[] = [];
  while (ready.length > 0) {
    const stage = ready.shift()!;
    ordered.push(stage);
    for (const next of outgoing.get(stage.id) ?? []) {
      const left = incoming.get(next)! - 1;
      incoming.set(next, left);
      if (left === 0) {
        ready.push(byId.get(next)!);
        ready.sort(byPosition);
      }
    }
  }
  if (ordered.length !== lifecycle.stages.length) {
    const stuck = lifecycle.stages.filter((s) => !ordered.includes(s)).map((s) => s.name);
    throw new StagecraftError('invalid-input', `The lifecycle has a cycle through ${stuck.join(', ')}.`, 'Promotion edges must only go forward.');
  }
  return ordered;
}

/** Column of each stage when drawn left to right: the longest path from a first stage. */
export function stageDepths(lifecycle: Lifecycle): Map<number, number> {
  const depth = new Map<number, number>();
  for (const stage of topologicalStages(lifecycle)) {
    const parents = lifecycle.edges.filter((e) => e.to === stage.id).map((e) => depth.get(e.from) ?? 0);
    depth.set(stage.id, parents.length === 0 ? 0 : Math.max(...parents) + 1);
  }
  return depth;
}

/**
 * A lifecycle must be a DAG whose every stage lies on a path from a first stage to a production
 * stage, with at least one production stage and no edge out of production. Returns what is wrong,
 * in words, or an empty list.
 */
export function lifecycleProblems(lifecycle: Lifecycle): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const stage of lifecycle.stages) {
    if (!stage.name.trim()) problems.push('A stage has no name.');
    if (names.has(stage.name.toLowerCase())) problems.push(`Two stages are named "${stage.name}".`);
    names.add(stage.name.toLowerCase());
  }
  try {
    topologicalStages(lifecycle);
  } catch (error) {
    return [...problems, (error as Error).message];
  }
  const production = lifecycle.stages.filter((s) => s.isProduction);
  if (production.length === 0) problems.push('No stage is marked as production.');
  for (const stage of production) {
    if (lifecycle.edges.some((e) => e.from === stage.id)) problems.push(`Production stage "${stage.name}" promotes further; production is where a lifecycle ends.`);
  }
  const reachesProduction = new Set(production.map((s) => s.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const edge of lifecycle.edges) {
      if (!reachesProduction.has(edge.to) || reachesProduction.has(edge.from)) continue;
      reachesProduction.add(edge.from);
      grew = true;
    }
  }
  for (const stage of lifecycle.stages) {
    if (!reachesProduction.has(stage.id)) problems.push(`Stage "${stage.name}" leads nowhere: no path from it reaches production.`);
  }
  return problems;
}

/** The outcome of an edit: the new lifecycle, or why it was refused. */
export type LifecycleEdit = { ok: true; lifecycle: Lifecycle } | { ok: false; reason: string };

const refused = (reason: string): LifecycleEdit => ({ ok: false, reason });

function checked(lifecycle: Lifecycle): LifecycleEdit {
  const problems = lifecycleProblems(lifecycle);
  return problems.length === 0 ? { ok: true, lifecycle } : refused(problems[0]!);
}

/** Inserts a stage at `position` (0 = first); it joins the line between its neighbours when the lifecycle is linear there. */
export function addStage(lifecycle: Lifecycle, stage: { id: number; name: string; position: number }): LifecycleEdit {
  const ordered = [...lifecycle.stages].sort((a, b) => a.position - b.position);
  const position = Math.max(0, Math.min(stage.position, ordered.length));
  const before = ordered[position - 1];
  const after = ordered[position];
  const stages = [...ordered.slice(0, position), { ...stage, isProduction: false }, ...ordered.slice(position)].map((s, i) => ({ ...s, position: i }));
  let edges = [...lifecycle.edges];
  if (before && after && edges.some((e) => e.from === before.id && e.to === after.id)) {
    edges = edges.filter((e) => !(e.from === before.id && e.to === after.id));
    edges.push({ from: before.id, to: stage.id }, { from: stage.id, to: after.id });
  } else if (after) edges.push({ from: stage.id, to: after.id });
  else if (before) return refused('A new stage cannot come after production: production is where a lifecycle ends.');
  return checked({ stages, edges });
}

export function renameStage(lifecycle: Lifecycle, stageId: number, name: string): LifecycleEdit {
  if (!/^[a-z0-9][a-z0-9._-]{0,39}$/i.test(name)) return refused('A stage name is 1 to 40 letters, digits, dots, dashes or underscores.');
  if (!lifecycle.stages.some((s) => s.id === stageId)) return refused(`Stage ${stageId} is not in this lifecycle.`);
  return checked({ ...lifecycle, stages: lifecycle.stages.map((s) => (s.id === stageId ? { ...s, name } : s)) });
}

/** Removing a stage joins its predecessors to its successors; refused while it holds hosts or open changes. */
export function removeStage(lifecycle: Lifecycle, stageId: number, usage: { hosts: number; openChanges: number }): LifecycleEdit {
  const stage = lifecycle.stages.find((s) => s.id === stageId);
  if (!stage) return refused(`Stage ${stageId} is not in this lifecycle.`);
  if (usage.hosts > 0) return refused(`"${stage.name}" still has ${usage.hosts} host${usage.hosts === 1 ? '' : 's'}: move or remove them first.`);
  if (usage.openChanges > 0) return refused(`"${stage.name}" has ${usage.openChanges} open change${usage.openChanges === 1 ? '' : 's'}: close or cancel them first.`);
  if (stage.isProduction) return refused('The production stage cannot be removed.');
  const into = lifecycle.edges.filter((e) => e.to === stageId).map((e) => e.from);
  const outOf = lifecycle.edges.filter((e) => e.from === stageId).map((e) => e.to);
  const edges = lifecycle.edges.filter((e) => e.from !== stageId && e.to !== stageId);
  for (const from of into) for (const to of outOf) if (!edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
  const stages = lifecycle.stages.filter((s) => s.id !== stageId).sort((a, b) => a.position - b.position).map((s, i) => ({ ...s, position: i }));
  return checked({ stages, edges });
}

/** Moves a stage one place earlier (-1) or later (+1) in a linear lifecycle, keeping the line. */
export function moveStage(lifecycle: Lifecycle, stageId: number, by: -1 | 1): LifecycleEdit {
  const ordered = [...lifecycle.stages].sort((a, b) => a.position - b.position);
  const index = ordered.findIndex((s) => s.id === stageId);
  const other = ordered[index + by];
  if (index < 0 || !other) return refused('The stage cannot move further that way.');
  if (!isLinear(lifecycle)) return refused('Reordering works on a straight lifecycle; edit the edges of a branching one instead.');
  const swapped = [...ordered];
  swapped[index] = other;
  swapped[index + by] = ordered[index]!;
  const stages = swapped.map((s, i) => ({ ...s, position: i }));
  return checked({ stages, edges: linearEdges(stages) });
}

export function addEdge(lifecycle: Lifecycle, from: number, to: number): LifecycleEdit {
  if (lifecycle.edges.some((e) => e.from === from && e.to === to)) return refused('That promotion edge already exists.');
  return checked({ ...lifecycle, edges: [...lifecycle.edges, { from, to }] });
}

export function removeEdge(lifecycle: Lifecycle, from: number, to: number): LifecycleEdit {
  if (!lifecycle.edges.some((e) => e.from === from && e.to === to)) return refused('There is no such promotion edge.');
  return checked({ ...lifecycle, edges: lifecycle.edges.filter((e) => !(e.from === from && e.to === to)) });
}

// ---------------------------------------------------------------------------------------------
// Graph queries (used by the policy, what-if and edits). Tolerant: they never throw, even on a
// lifecycle with cycles or dangling edges.

/** The stage with this id. */
export const stageWithId = (lifecycle: Lifecycle, id: number): LifecycleStage | undefined => lifecycle.stages.find((s) => s.id === id);

const byPositionThenName = (a: LifecycleStage, b: LifecycleStage) => a.position - b.position || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Stages an edge leads to from this one, by position. */
export function successorsOf(lifecycle: Lifecycle, stageId: number): LifecycleStage[] {
  const ids = new Set(lifecycle.edges.filter((e) => e.from === stageId).map((e) => e.to));
  return lifecycle.stages.filter((s) => ids.has(s.id)).sort(byPositionThenName);
}

/** Ids of the stages reachable from `stageId` along one or more edges (itself only through a cycle). */
export function downstreamOf(lifecycle: Lifecycle, stageId: number): Set<number> {
  const seen = new Set<number>();
  const queue = [stageId];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const edge of lifecycle.edges) {
      if (edge.from !== id || seen.has(edge.to)) continue;
      seen.add(edge.to);
      queue.push(edge.to);
    }
  }
  return seen;
}

/** The shortest path of stages from one to another along edges, both ends included; null when there is none. */
export function shortestPath(lifecycle: Lifecycle, fromId: number, toId: number): LifecycleStage[] | null {
  const previous = new Map<number, number>();
  const queue = [fromId];
  const seen = new Set([fromId]);
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (id === toId) {
      const ids = [id];
      while (previous.has(ids[0]!)) ids.unshift(previous.get(ids[0]!)!);
      const stages = ids.map((i) => stageWithId(lifecycle, i));
      return stages.every((s) => s !== undefined) ? (stages as LifecycleStage[]) : null;
    }
    for (const next of successorsOf(lifecycle, id)) {
      if (seen.has(next.id)) continue;
      seen.add(next.id);
      previous.set(next.id, id);
      queue.push(next.id);
    }
  }
  return null;
}

/** Whether the lifecycle is one straight line through all its stages, in position order. */
export function isLinear(lifecycle: Lifecycle): boolean {
  const ordered = [...lifecycle.stages].sort(byPositionThenName);
  const line = linearEdges(ordered);
  return lifecycle.edges.length === line.length && line.every((e) => lifecycle.edges.some((x) => x.from === e.from && x.to === e.to));
}
