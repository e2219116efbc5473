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
