/**
 * Lifecycles as data an administrator edits: validation, edit operations that return a new
 * lifecycle or a refusal with a reason, and templates (stage names, edges, per-stage policy) to
 * start a new service from.
 *
 * What makes a lifecycle valid (decided here):
 * - at least one stage; names 1-40 letters, digits, dots, dashes or underscores, unique ignoring case;
 * - edges between existing stages, no self-edges, no duplicates, no cycles (it is a DAG);
 * - one or more production stages (prod-eu and prod-us may both be), each a sink: production is
 *   where a lifecycle ends;
 * - no orphans: every non-production stage reaches a production stage, and (when there is more
 *   than one stage) every production stage is reached from an earlier stage. In a DAG every stage is
 *   reachable from some first stage, so together this puts every stage on a path first → production.
 *
 * Edits are refused only for problems they introduce: an edit on a lifecycle that was already
 * invalid (imported, or older rules) is allowed as long as it makes nothing worse.
 */
import { StagecraftError } from './errors';
import {
  downstreamOf,
  findCycle,
  isLinear,
  linearEdges,
  predecessorsOf,
  stageNamed,
  successorsOf,
  type Lifecycle,
  type LifecycleEdge,
  type LifecycleStage,
} from './lifecycle';
import { defaultStagePolicy, stageKind, type StagePolicies, type StagePolicy } from './policy';

// ---------------------------------------------------------------------------------------------
// Validation

export type LifecycleProblemCode =
  | 'empty'
  | 'stage-name'
  | 'duplicate-name'
  | 'duplicate-id'
  | 'dangling-edge'
  | 'self-edge'
  | 'duplicate-edge'
  | 'cycle'
  | 'no-production'
  | 'production-not-sink'
  | 'dead-end'
  | 'unreachable-production';

export interface LifecycleProblem {
  code: LifecycleProblemCode;
  message: string;
  /** Names of the stages concerned. */
  stages: string[];
}

const STAGE_NAME = /^[a-z0-9][a-z0-9._-]{0,39}$/i;

export const isValidStageName = (name: string): boolean => STAGE_NAME.test(name);

const problemId = (p: LifecycleProblem) => `${p.code}:${[...p.stages].sort().join(',')}`;

/** Everything wrong with a lifecycle, in words; empty when it is a valid DAG. */
export function validateLifecycle(lifecycle: Lifecycle): LifecycleProblem[] {
  const problems: LifecycleProblem[] = [];
  const add = (code: LifecycleProblemCode, message: string, stages: string[] = []) => problems.push({ code, message, stages });
  if (lifecycle.stages.length === 0) {
    add('empty', 'The lifecycle has no stages.');
    return problems;
  }
  const names = new Map<string, string>();
  const ids = new Set<number>();
  for (const stage of lifecycle.stages) {
    if (!isValidStageName(stage.name)) add('stage-name', `"${stage.name}" is not a usable stage name: 1 to 40 letters, digits, dots, dashes or underscores.`, [stage.name]);
    const other = names.get(stage.name.toLowerCase());
    if (other !== undefined) add('duplicate-name', `Two stages are named "${stage.name}"${other === stage.name ? '' : ` and "${other}"`}: stage names must differ.`, [other, stage.name]);
    names.set(stage.name.toLowerCase(), stage.name);
    if (ids.has(stage.id)) add('duplicate-id', `Two stages have the id ${stage.id}.`, [stage.name]);
    ids.add(stage.id);
  }
  const nameOf = (id: number) => lifecycle.stages.find((s) => s.id === id)?.name;
  const seenEdges = new Set<string>();
  for (const edge of lifecycle.edges) {
    const from = nameOf(edge.from);
    const to = nameOf(edge.to);
    if (from === undefined || to === undefined) {
      add('dangling-edge', `An edge ${from ?? `(stage ${edge.from})`} → ${to ?? `(stage ${edge.to})`} names a stage that is not in the lifecycle.`, [from, to].filter((n) => n !== undefined));
      continue;
    }
    if (edge.from === edge.to) add('self-edge', `${from} cannot promote to itself.`, [from]);
    const id = `${edge.from}>${edge.to}`;
    if (seenEdges.has(id)) add('duplicate-edge', `The edge ${from} → ${to} is there twice.`, [from, to]);
    seenEdges.add(id);
  }
  const cycle = findCycle(lifecycle);
  if (cycle) {
    add('cycle', `The lifecycle goes round in a circle: ${cycle.map((s) => s.name).join(' → ')}. Promotion edges must only go forward.`, [...new Set(cycle.map((s) => s.name))]);
  }
  const production = lifecycle.stages.filter((s) => s.isProduction);
  if (production.length === 0) add('no-production', 'No stage is marked as production: a lifecycle must end in production.');
  for (const stage of production) {
    const next = successorsOf(lifecycle, stage.id).map((s) => s.name);
    if (next.length > 0) add('production-not-sink', `Production stage ${stage.name} promotes further (to ${next.join(', ')}): production is where a lifecycle ends.`, [stage.name]);
  }
  if (cycle || production.length === 0) return problems;
  const productionIds = new Set(production.map((s) => s.id));
  for (const stage of lifecycle.stages) {
    if (stage.isProduction) continue;
    if (![...downstreamOf(lifecycle, stage.id)].some((id) => productionIds.has(id))) {
      add('dead-end', `${stage.name} leads nowhere: no promotion path from it reaches production.`, [stage.name]);
    }
  }
  if (lifecycle.stages.length > 1) {
    for (const stage of production) {
      if (predecessorsOf(lifecycle, stage.id).length === 0) add('unreachable-production', `Nothing promotes to production stage ${stage.name}: connect a stage to it.`, [stage.name]);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Edits

/** What a stage still holds: it cannot be removed while any is above zero. */
export interface StageUsage {
  environments: number;
  hosts: number;
  openChanges: number;
}

export type LifecycleOperation =
  /** A new stage after `after` and/or before `before`; between two connected stages it splits their edge. */
  | { kind: 'add-stage'; name: string; after?: string; before?: string; isProduction?: boolean; id?: number }
  | { kind: 'rename-stage'; stage: string; name: string }
  /** A new order of all stages: a straight lifecycle is re-linked in that order; a branching one only re-laid out, and only if every edge still points forward. */
  | { kind: 'reorder-stages'; order: string[] }
  | { kind: 'move-stage'; stage: string; toIndex: number }
  /** Its predecessors are joined to its successors. */
  | { kind: 'remove-stage'; stage: string; usage: StageUsage }
  | { kind: 'add-edge'; from: string; to: string }
  | { kind: 'remove-edge'; from: string; to: string }
  | { kind: 'set-production'; stage: string; isProduction: boolean };

export type EditRefusalCode = 'not-found' | 'invalid-name' | 'name-taken' | 'in-use' | 'exists' | 'cycle' | 'invalid-result' | 'invalid-operation';

export type LifecycleEditResult =
  | { ok: true; lifecycle: Lifecycle; /** Policies keyed by the new stage names (renamed, removed stages dropped). */ policies: Record<string, StagePolicy>; description: string }
  | { ok: false; code: EditRefusalCode; reason: string };

const refuse = (code: EditRefusalCode, reason: string): LifecycleEditResult => ({ ok: false, code, reason });

export function describeOperation(op: LifecycleOperation): string {
  switch (op.kind) {
    case 'add-stage':
      return `add stage ${op.name}${op.after ? ` after ${op.after}` : ''}${op.before ? ` before ${op.before}` : ''}${op.isProduction ? ' (production)' : ''}`;
    case 'rename-stage':
      return `rename stage ${op.stage} to ${op.name}`;
    case 'reorder-stages':
      return `reorder stages: ${op.order.join(', ')}`;
    case 'move-stage':
      return `move stage ${op.stage} to place ${op.toIndex + 1}`;
    case 'remove-stage':
      return `remove stage ${op.stage}`;
    case 'add-edge':
      return `add promotion ${op.from} → ${op.to}`;
    case 'remove-edge':
      return `remove promotion ${op.from} → ${op.to}`;
    case 'set-production':
      return `${op.isProduction ? 'mark' : 'unmark'} ${op.stage} as production`;
  }
}

const ordered = (stages: readonly LifecycleStage[]) => [...stages].sort((a, b) => a.position - b.position || a.id - b.id);
const renumber = (stages: readonly LifecycleStage[]) => stages.map((s, i) => ({ ...s, position: i }));
const hasEdge = (edges: readonly LifecycleEdge[], from: number, to: number) => edges.some((e) => e.from === from && e.to === to);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function nameProblem(lifecycle: Lifecycle, name: string, except?: number): LifecycleEditResult | null {
  if (!isValidStageName(name)) return refuse('invalid-name', `"${name}" is not a usable stage name: 1 to 40 letters, digits, dots, dashes or underscores.`);
  const clash = lifecycle.stages.find((s) => s.id !== except && s.name.toLowerCase() === name.toLowerCase());
  return clash ? refuse('name-taken', `There is already a stage named "${clash.name}".`) : null;
}

function renamedPolicies(policies: StagePolicies, rename: (name: string) => string | null): Record<string, StagePolicy> {
  const out: Record<string, StagePolicy> = {};
  for (const [name, policy] of Object.entries(policies)) {
    const to = rename(name);
    if (to === null) continue;
    const required = policy.requiredPredecessors?.map(rename).filter((n): n is string => n !== null);
    out[to] = { ...policy, ...(required && { requiredPredecessors: required }) };
  }
  return out;
}

/** The result of an edit: accepted unless it introduces a problem the lifecycle did not have. */
function checked(before: Lifecycle, after: Lifecycle, policies: Record<string, StagePolicy>, op: LifecycleOperation): LifecycleEditResult {
  const known = new Set(validateLifecycle(before).map(problemId));
  const introduced = validateLifecycle(after).filter((p) => !known.has(problemId(p)));
  if (introduced.length > 0) {
    const [first] = introduced;
    return refuse(first!.code === 'cycle' ? 'cycle' : 'invalid-result', `Cannot ${describeOperation(op)}: ${first!.message}`);
  }
  return { ok: true, lifecycle: after, policies, description: describeOperation(op) };
}

/** Applies one edit to a lifecycle (and its stage policies, keyed by name); never changes its inputs. */
export function editLifecycle(lifecycle: Lifecycle, op: LifecycleOperation, policies: StagePolicies = {}): LifecycleEditResult {
  const same = { ...policies };
  const find = (name: string) => stageNamed(lifecycle, name);
  switch (op.kind) {
    case 'add-stage': {
      const bad = nameProblem(lifecycle, op.name);
      if (bad) return bad;
      const after = op.after === undefined ? undefined : find(op.after);
      const before = op.before === undefined ? undefined : find(op.before);
      if (op.after !== undefined && !after) return refuse('not-found', `There is no stage "${op.after}".`);
      if (op.before !== undefined && !before) return refuse('not-found', `There is no stage "${op.before}".`);
      if (!after && !before && lifecycle.stages.length > 0) return refuse('invalid-operation', `Say where ${op.name} goes: after which stage, before which, or both.`);
      if (after?.isProduction) return refuse('invalid-operation', `Nothing can come after production stage ${after.name}: production is where a lifecycle ends.`);
      const id = op.id ?? Math.max(0, ...lifecycle.stages.map((s) => s.id)) + 1;
      if (lifecycle.stages.some((s) => s.id === id)) return refuse('exists', `A stage already has the id ${id}.`);
      const stage: LifecycleStage = { id, name: op.name, position: 0, isProduction: op.isProduction ?? false };
      const list = ordered(lifecycle.stages);
      const at = after ? list.indexOf(after) + 1 : before ? list.indexOf(before) : 0;
      const stages = renumber([...list.slice(0, at), stage, ...list.slice(at)]);
      let edges = [...lifecycle.edges];
      if (after && before && hasEdge(edges, after.id, before.id)) edges = edges.filter((e) => !(e.from === after.id && e.to === before.id));
      if (after) edges.push({ from: after.id, to: id });
      if (before) edges.push({ from: id, to: before.id });
      return checked(lifecycle, { stages, edges }, same, op);
    }
    case 'rename-stage': {
      const stage = find(op.stage);
      if (!stage) return refuse('not-found', `There is no stage "${op.stage}".`);
      if (op.name === stage.name) return { ok: true, lifecycle, policies: same, description: describeOperation(op) };
      const bad = nameProblem(lifecycle, op.name, stage.id);
      if (bad) return bad;
      const stages = lifecycle.stages.map((s) => (s.id === stage.id ? { ...s, name: op.name } : s));
      return checked(lifecycle, { ...lifecycle, stages }, renamedPolicies(policies, (n) => (n === stage.name ? op.name : n)), op);
    }
    case 'move-stage': {
      const list = ordered(lifecycle.stages).map((s) => s.name);
      const index = list.indexOf(op.stage);
      if (index < 0) return refuse('not-found', `There is no stage "${op.stage}".`);
      if (!Number.isInteger(op.toIndex) || op.toIndex < 0 || op.toIndex >= list.length) return refuse('invalid-operation', `Place ${op.toIndex + 1} does not exist: there are ${list.length} stages.`);
      list.splice(index, 1);
      list.splice(op.toIndex, 0, op.stage);
      const result = editLifecycle(lifecycle, { kind: 'reorder-stages', order: list }, policies);
      return result.ok ? { ...result, description: describeOperation(op) } : result;
    }
    case 'reorder-stages': {
      const names = lifecycle.stages.map((s) => s.name);
      if (op.order.length !== names.length || new Set(op.order).size !== op.order.length || !op.order.every((n) => names.includes(n))) {
        return refuse('invalid-operation', `A new order must name every stage exactly once: ${names.join(', ')}.`);
      }
      const stages = op.order.map((name, position) => ({ ...find(name)!, position }));
      if (isLinear(lifecycle) && lifecycle.stages.length > 1) {
        const last = stages[stages.length - 1]!;
        const misplaced = stages.find((s) => s.isProduction && s !== last);
        if (misplaced) return refuse('invalid-operation', `Production stage ${misplaced.name} must stay last in a straight lifecycle.`);
        return checked(lifecycle, { stages, edges: linearEdges(stages) }, same, op);
      }
      const position = new Map(stages.map((s) => [s.id, s.position]));
      const backwards = lifecycle.edges.find((e) => (position.get(e.from) ?? 0) > (position.get(e.to) ?? 0));
      if (backwards) {
        const nameOf = (id: number) => find(stages.find((s) => s.id === id)?.name ?? '')?.name ?? `stage ${id}`;
        return refuse('invalid-operation', `That order puts ${nameOf(backwards.to)} before ${nameOf(backwards.from)}, which promotes to it: on a branching lifecycle, change the edges instead.`);
      }
      return checked(lifecycle, { ...lifecycle, stages }, same, op);
    }
    case 'remove-stage': {
      const stage = find(op.stage);
      if (!stage) return refuse('not-found', `There is no stage "${op.stage}".`);
      const held = [
        op.usage.environments > 0 ? plural(op.usage.environments, 'environment') : '',
        op.usage.hosts > 0 ? plural(op.usage.hosts, 'host') : '',
        op.usage.openChanges > 0 ? plural(op.usage.openChanges, 'open change') : '',
      ].filter(Boolean);
      if (held.length > 0) {
        return refuse('in-use', `${stage.name} still has ${held.join(', ')}: move or remove the hosts and environments, and close or cancel the changes, before removing it.`);
      }
      if (stage.isProduction && lifecycle.stages.filter((s) => s.isProduction).length === 1) return refuse('invalid-operation', `${stage.name} is the only production stage: a lifecycle must end in production.`);
      const into = predecessorsOf(lifecycle, stage.id).map((s) => s.id);
      const outOf = successorsOf(lifecycle, stage.id).map((s) => s.id);
      const edges = lifecycle.edges.filter((e) => e.from !== stage.id && e.to !== stage.id);
      for (const from of into) for (const to of outOf) if (!hasEdge(edges, from, to)) edges.push({ from, to });
      const stages = renumber(ordered(lifecycle.stages.filter((s) => s.id !== stage.id)));
      return checked(lifecycle, { stages, edges }, renamedPolicies(policies, (n) => (n === stage.name ? null : n)), op);
    }
    case 'add-edge': {
      const from = find(op.from);
      const to = find(op.to);
      if (!from || !to) return refuse('not-found', `There is no stage "${!from ? op.from : op.to}".`);
      if (from.id === to.id) return refuse('invalid-operation', `${from.name} cannot promote to itself.`);
      if (hasEdge(lifecycle.edges, from.id, to.id)) return refuse('exists', `${from.name} already promotes to ${to.name}.`);
      if (from.isProduction) return refuse('invalid-operation', `Production stage ${from.name} cannot promote further: production is where a lifecycle ends.`);
      if (downstreamOf(lifecycle, to.id).has(from.id) || to.id === from.id) {
        return refuse('cycle', `${to.name} already leads to ${from.name}: an edge ${from.name} → ${to.name} would make a cycle, and promotions only go forward.`);
      }
      return checked(lifecycle, { ...lifecycle, edges: [...lifecycle.edges, { from: from.id, to: to.id }] }, same, op);
    }
    case 'remove-edge': {
      const from = find(op.from);
      const to = find(op.to);
      if (!from || !to) return refuse('not-found', `There is no stage "${!from ? op.from : op.to}".`);
      if (!hasEdge(lifecycle.edges, from.id, to.id)) return refuse('not-found', `${from.name} does not promote to ${to.name}.`);
      return checked(lifecycle, { ...lifecycle, edges: lifecycle.edges.filter((e) => !(e.from === from.id && e.to === to.id)) }, same, op);
    }
    case 'set-production': {
      const stage = find(op.stage);
      if (!stage) return refuse('not-found', `There is no stage "${op.stage}".`);
      if (stage.isProduction === op.isProduction) return { ok: true, lifecycle, policies: same, description: describeOperation(op) };
      return checked(lifecycle, { ...lifecycle, stages: lifecycle.stages.map((s) => (s.id === stage.id ? { ...s, isProduction: op.isProduction } : s)) }, same, op);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Templates

export interface TemplateStage {
  name: string;
  isProduction?: boolean;
  /** Overrides of the default policy for the stage's kind (see defaultStagePolicy). */
  policy?: Partial<StagePolicy>;
}

export interface LifecycleTemplate {
  name: string;
  description?: string;
  /** In layout order. */
  stages: TemplateStage[];
  edges: { from: string; to: string }[];
}

/** A straight line through the stages; the last is production. */
export function linearTemplate(name: string, stageNames: readonly string[], description?: string): LifecycleTemplate {
  return {
    name,
    ...(description !== undefined && { description }),
    stages: stageNames.map((stage, i) => ({ name: stage, ...(i === stageNames.length - 1 && { isProduction: true }) })),
    edges: stageNames.slice(1).map((to, i) => ({ from: stageNames[i]!, to })),
  };
}

export const BUILTIN_TEMPLATES: readonly LifecycleTemplate[] = Object.freeze([
  linearTemplate('classic', ['integration', 'testing', 'staging', 'uat', 'production'], 'Five stages in a line, as most services walk them.'),
  linearTemplate('short', ['testing', 'staging', 'production'], 'Three stages for small services.'),
  {
    name: 'with-hotfix',
    description: 'The classic line, plus a hotfix stage that goes straight to staging.',
    stages: [{ name: 'integration' }, { name: 'testing' }, { name: 'hotfix', policy: { minSoakHours: 0 } }, { name: 'staging' }, { name: 'uat' }, { name: 'production', isProduction: true }],
    edges: [
      { from: 'integration', to: 'testing' },
      { from: 'testing', to: 'staging' },
      { from: 'hotfix', to: 'staging' },
      { from: 'staging', to: 'uat' },
      { from: 'uat', to: 'production' },
    ],
  },
  {
    name: 'two-regions',
    description: 'One line that ends in two production regions.',
    stages: [{ name: 'integration' }, { name: 'testing' }, { name: 'staging' }, { name: 'production-eu', isProduction: true }, { name: 'production-us', isProduction: true }],
    edges: [
      { from: 'integration', to: 'testing' },
      { from: 'testing', to: 'staging' },
      { from: 'staging', to: 'production-eu' },
      { from: 'staging', to: 'production-us' },
    ],
  },
]);

function lifecycleOfTemplate(template: LifecycleTemplate, idOf: (name: string, index: number) => number): Lifecycle {
  const stages = template.stages.map((s, i) => ({ id: idOf(s.name, i), name: s.name, position: i, isProduction: s.isProduction ?? false }));
  const id = (name: string) => stages.find((s) => s.name === name)?.id ?? -1;
  return { stages, edges: template.edges.map((e) => ({ from: id(e.from), to: id(e.to) })) };
}

/** What is wrong with a template, in words; empty when it can be applied. */
export function templateProblems(template: LifecycleTemplate): string[] {
  const problems: string[] = [];
  if (!template.name.trim()) problems.push('A template needs a name.');
  const names = new Set(template.stages.map((s) => s.name));
  for (const edge of template.edges) {
    for (const end of [edge.from, edge.to]) if (!names.has(end)) problems.push(`The edge ${edge.from} → ${edge.to} names "${end}", which is not one of the template's stages.`);
  }
  if (problems.length > 0) return problems;
  const lifecycle = lifecycleOfTemplate(template, (_, i) => i + 1);
  problems.push(...validateLifecycle(lifecycle).map((p) => p.message));
  for (const stage of template.stages) {
    const policy = stage.policy;
    if (!policy) continue;
    if (policy.minSoakHours !== undefined && (!Number.isFinite(policy.minSoakHours) || policy.minSoakHours < 0)) problems.push(`${stage.name}: the soak time must be zero or more hours.`);
    if (policy.parityThreshold !== undefined && !(policy.parityThreshold >= 0 && policy.parityThreshold <= 1)) problems.push(`${stage.name}: the parity threshold must be between 0 and 1.`);
    if (policy.approvals !== undefined && (!Number.isInteger(policy.approvals.count) || policy.approvals.count < 0)) problems.push(`${stage.name}: the number of approvals must be a whole number, zero or more.`);
    for (const name of policy.requiredPredecessors ?? []) if (!names.has(name)) problems.push(`${stage.name}: required stage "${name}" is not in the template.`);
  }
  return problems;
}

export type AppliedTemplate = { ok: true; lifecycle: Lifecycle; policies: Record<string, StagePolicy> } | { ok: false; reason: string };

/**
 * A new service's lifecycle and stage policies from a template: each stage's policy is the default
 * for its kind in the new lifecycle with the template's overrides on top. Stage ids come from
 * `idOf` (the store's, when it has inserted the stages), 1, 2, 3… by default.
 */
export function applyTemplate(template: LifecycleTemplate, idOf: (name: string, index: number) => number = (_, i) => i + 1): AppliedTemplate {
  const problems = templateProblems(template);
  if (problems.length > 0) return { ok: false, reason: `Template "${template.name}" cannot be used: ${problems[0]!}` };
  const lifecycle = lifecycleOfTemplate(template, idOf);
  const policies: Record<string, StagePolicy> = {};
  for (const stage of lifecycle.stages) {
    const overrides = template.stages.find((s) => s.name === stage.name)?.policy ?? {};
    const base = defaultStagePolicy(stageKind(lifecycle, stage));
    policies[stage.name] = { ...base, ...overrides, approvals: { ...base.approvals, ...overrides.approvals } };
  }
  return { ok: true, lifecycle, policies };
}

/** A template from an existing lifecycle, to reuse it for other services; policies are stored in full. */
export function templateFromLifecycle(name: string, lifecycle: Lifecycle, policies: StagePolicies = {}, description?: string): LifecycleTemplate {
  const stages = ordered(lifecycle.stages);
  const nameOf = (id: number) => {
    const stage = lifecycle.stages.find((s) => s.id === id);
    if (!stage) throw new StagecraftError('invalid-input', `An edge names stage ${id}, which is not in the lifecycle.`);
    return stage.name;
  };
  return {
    name,
    ...(description !== undefined && { description }),
    stages: stages.map((s) => ({ name: s.name, ...(s.isProduction && { isProduction: true }), ...(policies[s.name] && { policy: policies[s.name] }) })),
    edges: lifecycle.edges.map((e) => ({ from: nameOf(e.from), to: nameOf(e.to) })),
  };
}
