import { describe, expect, it } from 'vitest';
import { healthOf, lifecycleGraph as graphOf, overviewGraph, OVERVIEW_NODE, STAGE_NODE, type StageNode } from './layout';

/** The stage nodes of a lifecycle graph (it may also hold a production-only node). */
const lifecycleGraph = (...args: Parameters<typeof graphOf>) => {
  const graph = graphOf(...args);
  return { ...graph, nodes: graph.nodes.filter((n): n is StageNode => n.type === 'stage') };
};

const stage = (id: number, name: string, position: number) => ({ id, name, position, isProduction: name === 'production', hostCount: 2, image: null });

const linear = {
  id: 1,
  name: 'payments-api',
  description: '',
  roles: ['web'],
  stages: ['integration', 'testing', 'staging', 'uat', 'production'].map((n, i) => stage(i + 1, n, i)),
  edges: [1, 2, 3, 4].map((n) => ({ from: n, to: n + 1 })),
};

const forked = {
  ...linear,
  id: 2,
  name: 'identity',
  stages: ['integration', 'testing', 'staging-eu', 'staging-us', 'production'].map((n, i) => stage(i + 11, n, i)),
  edges: [
    { from: 11, to: 12 },
    { from: 12, to: 13 },
    { from: 12, to: 14 },
    { from: 13, to: 15 },
    { from: 14, to: 15 },
  ],
};

describe('lifecycle layout', () => {
  it('draws a linear lifecycle left to right on one row', () => {
    const { nodes, edges } = lifecycleGraph(linear, 3);
    expect(nodes.map((n) => n.position.y)).toEqual([0, 0, 0, 0, 0]);
    const xs = nodes.map((n) => n.position.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
    expect(xs[1]! - xs[0]!).toBe(STAGE_NODE.width + STAGE_NODE.columnGap);
    expect(edges).toHaveLength(4);
    expect(nodes.find((n) => n.data.selected)?.data.stage.name).toBe('staging');
  });

  it('stacks parallel stages in one column and centres the others', () => {
    const { nodes } = lifecycleGraph(forked, null);
    const at = (name: string) => nodes.find((n) => n.data.stage.name === name)!.position;
    expect(at('staging-eu').x).toBe(at('staging-us').x);
    expect(at('staging-us').y - at('staging-eu').y).toBe(STAGE_NODE.height + STAGE_NODE.rowGap);
    expect(at('production').x).toBeGreaterThan(at('staging-eu').x);
    expect(at('testing').y).toBe((at('staging-eu').y + at('staging-us').y) / 2);
  });

  it('never overlaps two nodes', () => {
    const { nodes } = lifecycleGraph(forked, null);
    for (const a of nodes)
      for (const b of nodes)
        if (a !== b) expect(Math.abs(a.position.x - b.position.x) >= STAGE_NODE.width || Math.abs(a.position.y - b.position.y) >= STAGE_NODE.height).toBe(true);
  });
});

describe('overview layout', () => {
  it('gives every service its own row below the previous one', () => {
    const { nodes, edges } = overviewGraph([linear, forked]);
    const labels = nodes.filter((n) => n.type === 'serviceLabel');
    expect(labels.map((n) => n.position.y)).toEqual([0, OVERVIEW_NODE.height + OVERVIEW_NODE.rowGap]);
    expect(nodes.filter((n) => n.type === 'compactStage')).toHaveLength(10);
    expect(edges).toHaveLength(9);
    const secondRowTop = labels[1]!.position.y;
    for (const n of nodes.filter((n) => n.type === 'compactStage' && n.data.serviceId === 2)) expect(n.position.y).toBeGreaterThanOrEqual(secondRowTop);
  });
});

describe('drift on the graph', () => {
  const summary = (high: number, medium: number, low: number) => ({ compared: 100, matching: 100 - high - medium - low, parity: (100 - high - medium - low) / 100, severity: { high, medium, low } });

  it('reads health from the worst severity, never from parity alone', () => {
    expect(healthOf(summary(0, 0, 0))).toBe('ok');
    expect(healthOf(summary(0, 0, 3))).toBe('warn');
    expect(healthOf(summary(0, 1, 0))).toBe('warn');
    expect(healthOf(summary(1, 0, 0))).toBe('bad');
    expect(healthOf(null)).toBe('unknown');
  });

  it('labels an edge whose stages differ, and puts each stage its drift', () => {
    const drift = {
      serviceId: 1,
      parity: summary(1, 0, 0),
      stages: linear.stages.map((s) => ({ stageId: s.id, stageName: s.name, isProduction: s.isProduction, hosts: 2, snapshotted: 2, production: summary(s.id === 3 ? 1 : 0, 0, 0), image: null, productionOnly: 0 })),
      edges: [
        { from: 1, to: 2, differences: 0, parity: 1 },
        { from: 2, to: 3, differences: 4, parity: 0.96 },
      ],
    };
    const { nodes, edges } = lifecycleGraph(linear, null, drift);
    expect(edges.find((e) => e.id === 'edge-2-3')).toMatchObject({ label: '4 differ', className: 'edge-differs' });
    expect(edges.find((e) => e.id === 'edge-1-2')).toMatchObject({ className: 'edge-same' });
    expect(edges.find((e) => e.id === 'edge-3-4')!.className).toBeUndefined();
    expect(nodes.find((n) => n.data.stage.id === 3)!.data.drift!.production.severity.high).toBe(1);
  });
});

describe('production-only changes', () => {
  it('draw a backward edge from production to a node offering to capture them', () => {
    const summary = (n: number) => ({ compared: 10, matching: 10 - n, parity: (10 - n) / 10, severity: { high: n, medium: 0, low: 0 } });
    const withImage = { ...linear, stages: linear.stages.map((s) => ({ ...s, image: { id: 7, label: 'v1' } })) };
    const drift = {
      serviceId: 1,
      parity: summary(0),
      stages: withImage.stages.map((s) => ({ stageId: s.id, stageName: s.name, isProduction: s.isProduction, hosts: 2, snapshotted: 2, production: summary(0), image: summary(s.isProduction ? 2 : 0), productionOnly: s.isProduction ? 2 : 0 })),
      edges: [],
    };
    const { nodes, edges } = graphOf(withImage, null, drift);
    const node = nodes.find((n) => n.type === 'productionOnly');
    expect(node?.data).toMatchObject({ stageId: 5, imageLabel: 'v1', changes: 2 });
    expect(edges.find((e) => e.target === node!.id)).toMatchObject({ source: 'stage-5', sourceHandle: 'back', label: '2 not in v1' });
    expect(graphOf(withImage, null, { ...drift, stages: drift.stages.map((s) => ({ ...s, productionOnly: 0 })) }).nodes.some((n) => n.type === 'productionOnly')).toBe(false);
  });
});
