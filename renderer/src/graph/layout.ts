import type { Edge, Node } from '@xyflow/react';
import type { CallOutput } from '../../../core/contract/index';
import { stageDepths } from '../../../core/domain/lifecycle';

type ServiceSummary = CallOutput<'services.list'>[number];
type StageSummary = ServiceSummary['stages'][number];

export const STAGE_NODE = { width: 200, height: 112, columnGap: 90, rowGap: 36 } as const;
export const OVERVIEW_NODE = { width: 150, height: 56, columnGap: 36, rowGap: 18, labelWidth: 180 } as const;

export type StageNodeData = {
  stage: StageSummary;
  serviceName: string;
  selected: boolean;
};
export type StageNode = Node<StageNodeData, 'stage'>;

export type CompactStageNodeData = { stage: StageSummary; serviceId: number; serviceName: string };
export type CompactStageNode = Node<CompactStageNodeData, 'compactStage'>;
export type ServiceLabelNode = Node<{ service: ServiceSummary }, 'serviceLabel'>;

const lifecycleOf = (service: ServiceSummary) => ({
  stages: service.stages.map((s) => ({ id: s.id, name: s.name, position: s.position, isProduction: s.isProduction })),
  edges: service.edges,
});

/** Stage positions: columns by longest path from a first stage, parallel stages stacked in a column. */
function placeStages(service: ServiceSummary, columnWidth: number, rowHeight: number): Map<number, { x: number; y: number }> {
  const depths = stageDepths(lifecycleOf(service));
  const rowsUsed = new Map<number, number>();
  const positions = new Map<number, { x: number; y: number }>();
  for (const stage of [...service.stages].sort((a, b) => a.position - b.position)) {
    const column = depths.get(stage.id) ?? 0;
    const row = rowsUsed.get(column) ?? 0;
    rowsUsed.set(column, row + 1);
    positions.set(stage.id, { x: column * columnWidth, y: row * rowHeight });
  }
  // Centre each column vertically against the tallest one, so a fork reads symmetrically.
  const tallest = Math.max(1, ...rowsUsed.values());
  for (const stage of service.stages) {
    const p = positions.get(stage.id)!;
    const rows = rowsUsed.get(depths.get(stage.id) ?? 0) ?? 1;
    p.y += ((tallest - rows) * rowHeight) / 2;
  }
  return positions;
}

/** The selected service's lifecycle, left to right. */
export function lifecycleGraph(service: ServiceSummary, selectedStageId: number | null): { nodes: StageNode[]; edges: Edge[] } {
  const positions = placeStages(service, STAGE_NODE.width + STAGE_NODE.columnGap, STAGE_NODE.height + STAGE_NODE.rowGap);
  const nodes: StageNode[] = service.stages.map((stage) => ({
    id: `stage-${stage.id}`,
    type: 'stage',
    position: positions.get(stage.id)!,
    width: STAGE_NODE.width,
    height: STAGE_NODE.height,
    data: { stage, serviceName: service.name, selected: stage.id === selectedStageId },
    ariaLabel: `Stage ${stage.name} of ${service.name}`,
  }));
  const edges: Edge[] = service.edges.map((edge) => ({
    id: `edge-${edge.from}-${edge.to}`,
    source: `stage-${edge.from}`,
    target: `stage-${edge.to}`,
    type: 'smoothstep',
    ariaLabel: `Promotion from ${service.stages.find((s) => s.id === edge.from)?.name ?? edge.from} to ${service.stages.find((s) => s.id === edge.to)?.name ?? edge.to}`,
  }));
  return { nodes, edges };
}

/** Every service as a row of its stages. */
export function overviewGraph(services: ServiceSummary[]): { nodes: (CompactStageNode | ServiceLabelNode)[]; edges: Edge[] } {
  const nodes: (CompactStageNode | ServiceLabelNode)[] = [];
  const edges: Edge[] = [];
  let top = 0;
  for (const service of services) {
    const positions = placeStages(service, OVERVIEW_NODE.width + OVERVIEW_NODE.columnGap, OVERVIEW_NODE.height + OVERVIEW_NODE.rowGap / 2);
    const rowHeight = Math.max(...[...positions.values()].map((p) => p.y), 0) + OVERVIEW_NODE.height;
    nodes.push({
      id: `service-${service.id}`,
      type: 'serviceLabel',
      position: { x: 0, y: top },
      width: OVERVIEW_NODE.labelWidth,
      height: rowHeight,
      data: { service },
      draggable: false,
      ariaLabel: `Service ${service.name}`,
    });
    for (const stage of service.stages) {
      const p = positions.get(stage.id)!;
      nodes.push({
        id: `stage-${stage.id}`,
        type: 'compactStage',
        position: { x: OVERVIEW_NODE.labelWidth + OVERVIEW_NODE.columnGap + p.x, y: top + p.y },
        width: OVERVIEW_NODE.width,
        height: OVERVIEW_NODE.height,
        data: { stage, serviceId: service.id, serviceName: service.name },
        draggable: false,
        ariaLabel: `Stage ${stage.name} of ${service.name}`,
      });
    }
    for (const edge of service.edges) edges.push({ id: `edge-${edge.from}-${edge.to}`, source: `stage-${edge.from}`, target: `stage-${edge.to}`, focusable: false });
    top += rowHeight + OVERVIEW_NODE.rowGap;
  }
  return { nodes, edges };
}
