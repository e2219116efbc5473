import { describe, expect, it } from 'vitest';
import { linearEdges, stageDepths, topologicalStages, type LifecycleStage } from './lifecycle';

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
