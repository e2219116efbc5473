import { describe, expect, it } from 'vitest';
import { addEdge, addStage, lifecycleProblems, linearEdges, moveStage, removeStage, renameStage, stageDepths, topologicalStages, type LifecycleStage } from './lifecycle';

const stages: LifecycleStage[] = ['integration', 'testing', 'staging-eu', 'staging-us', 'production'].map((name, i) => ({
  id: i + 1,
  name,
  position: i,
  isProduction: name === 'production',
}));

describe('lifecycle', () => {
  it('draws a straight line through the stages in position order', () => {
    expect(linearEdges([...stages].reverse())).toEqual([
      { from: 1, to: 2 },
      { from: 2, to: 3 },
      { from: 3, to: 4 },
      { from: 4, to: 5 },
    ]);
  });

  it('places parallel stages of a DAG in the same column', () => {
    const edges = [
      { from: 1, to: 2 },
      { from: 2, to: 3 },
      { from: 2, to: 4 },
      { from: 3, to: 5 },
      { from: 4, to: 5 },
    ];
    const depths = stageDepths({ stages, edges });
    expect([...depths.entries()]).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 3],
    ]);
  });

  it('refuses a cycle and names its stages', () => {
    const edges = [...linearEdges(stages), { from: 5, to: 2 }];
    expect(() => topologicalStages({ stages, edges })).toThrow(/cycle through testing, staging-eu, staging-us, production/);
  });

  it('refuses an edge to a stage that does not exist', () => {
    expect(() => topologicalStages({ stages, edges: [{ from: 1, to: 99 }] })).toThrow(/does not exist/);
  });
});

describe('lifecycle validation and edits', () => {
  const line = { stages, edges: linearEdges(stages) };

  it('accepts a line and a fork that joins again', () => {
    expect(lifecycleProblems(line)).toEqual([]);
    const fork = { stages, edges: [{ from: 1, to: 2 }, { from: 2, to: 3 }, { from: 2, to: 4 }, { from: 3, to: 5 }, { from: 4, to: 5 }] };
    expect(lifecycleProblems(fork)).toEqual([]);
  });

  it('names orphans, missing production, edges out of production and duplicates', () => {
    expect(lifecycleProblems({ stages, edges: linearEdges(stages).filter((e) => e.from !== 3) })).toEqual(expect.arrayContaining(['Stage "integration" leads nowhere: no path from it reaches production.']));
    expect(lifecycleProblems({ stages: stages.map((s) => ({ ...s, isProduction: false })), edges: linearEdges(stages) })).toContain('No stage is marked as production.');
    expect(lifecycleProblems({ stages, edges: [...linearEdges(stages), { from: 5, to: 1 }] })[0]).toMatch(/cycle/);
    expect(lifecycleProblems({ stages: [...stages, { id: 9, name: 'Testing', position: 9, isProduction: false }], edges: [...linearEdges(stages), { from: 9, to: 5 }] })).toContain('Two stages are named "Testing".');
  });

  it('adds a stage into the line, renames, reorders and removes it', () => {
    const added = addStage(line, { id: 6, name: 'perf', position: 3 });
    expect(added.ok && added.lifecycle.edges).toEqual(expect.arrayContaining([{ from: 3, to: 6 }, { from: 6, to: 4 }]));
    if (!added.ok) throw new Error(added.reason);
    expect(renameStage(added.lifecycle, 6, 'performance')).toMatchObject({ ok: true });
    expect(renameStage(added.lifecycle, 6, 'testing')).toMatchObject({ ok: false, reason: 'Two stages are named "testing".' });
    const moved = moveStage(added.lifecycle, 6, -1);
    expect(moved.ok && topologicalStages(moved.lifecycle).map((s) => s.name)).toEqual(['integration', 'testing', 'perf', 'staging-eu', 'staging-us', 'production']);
    expect(removeStage(added.lifecycle, 6, { hosts: 2, openChanges: 0 })).toEqual({ ok: false, reason: '"perf" still has 2 hosts: move or remove them first.' });
    expect(removeStage(added.lifecycle, 6, { hosts: 0, openChanges: 1 })).toEqual({ ok: false, reason: '"perf" has 1 open change: close or cancel them first.' });
    const removed = removeStage(added.lifecycle, 6, { hosts: 0, openChanges: 0 });
    expect(removed.ok && removed.lifecycle.edges).toContainEqual({ from: 3, to: 4 });
  });

  it('refuses an edge that would make a cycle, and a stage after production', () => {
    expect(addEdge(line, 4, 2)).toMatchObject({ ok: false, reason: expect.stringMatching(/cycle/) });
    expect(addStage(line, { id: 7, name: 'after', position: 99 })).toMatchObject({ ok: false });
    expect(removeStage(line, 5, { hosts: 0, openChanges: 0 })).toMatchObject({ ok: false, reason: 'The production stage cannot be removed.' });
  });
});
