import type { Edge, Node } from '@xyflow/react';
import type { CallOutput } from '../../../core/contract/index';
import { stageDepths } from '../../../core/domain/lifecycle';

type ServiceSummary = CallOutput<'services.list'>[number];
type StageSummary = ServiceSummary['stages'][number];
type ServiceDrift = CallOutput<'drift.service'>;
type StageDrift = ServiceDrift['stages'][number];
type ParitySummary = ServiceDrift['parity'];

/** How a parity summary reads at a glance: red with any high-severity drift, amber with any other, green with none. */
export type Health = 'ok' | 'warn' | 'bad' | 'unknown';
export function healthOf(summary: ParitySummary | null | undefined): Health {
  if (!summary) return 'unknown';
  if (summary.severity.high > 0) return 'bad';
  return summary.severity.medium + summary.severity.low > 0 ? 'warn' : 'ok';
}

export const STAGE_NODE = { width: 176, height: 112, columnGap: 56, rowGap: 36 } as const;
export const OVERVIEW_NODE = { width: 150, height: 56, columnGap: 36, rowGap: 18, labelWidth: 180 } as const;

export type StageNodeData = {
  stage: StageSummary;
  serviceId: number;
  serviceName: string;
  selected: boolean;
  drift: StageDrift | null;
};
export type StageNode = Node<StageNodeData, 'stage'>;

/** Drift in production that its image does not have: shown behind production, to be captured into a new image. */
export type ProductionOnlyNode = Node<{ stageId: number; imageLabel: string; changes: number; serviceName: string }, 'productionOnly'>;

export type CompactStageNodeData = { stage: StageSummary; serviceId: number; serviceName: string; drift: StageDrift | null };
export type CompactStageNode = Node<CompactStageNodeData, 'compactStage'>;
export type ServiceLabelNode = Node<{ service: ServiceSummary; parity: ParitySummary | null }, 'serviceLabel'>;

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

/** An edge says when the downstream stage differs from the upstream one, and by how many facts. */
function promotionEdge(service: ServiceSummary, edge: { from: number; to: number }, drift: ServiceDrift | undefined, compact: boolean): Edge {
  const differences = drift?.edges.find((e) => e.from === edge.from && e.to === edge.to)?.differences;
  const name = (id: number) => service.stages.find((s) => s.id === id)?.name ?? String(id);
  const differ = differences !== undefined && differences > 0;
  return {
    id: `edge-${edge.from}-${edge.to}`,
    source: `stage-${edge.from}`,
    target: `stage-${edge.to}`,
    ...(compact ? { focusable: false } : { type: 'smoothstep', sourceHandle: 'forward' }),
    className: differ ? 'edge-differs' : differences === 0 ? 'edge-same' : undefined,
    ...(differ && !compact ? { label: `${differences} differ` } : {}),
    ariaLabel: `Promotion from ${name(edge.from)} to ${name(edge.to)}${differ ? `: ${differences} differences` : ''}`,
  };
}

/** The selected service's lifecycle, left to right. */
export function lifecycleGraph(service: ServiceSummary, selectedStageId: number | null, drift?: ServiceDrift): { nodes: (StageNode | ProductionOnlyNode)[]; edges: Edge[] } {
  const positions = placeStages(service, STAGE_NODE.width + STAGE_NODE.columnGap, STAGE_NODE.height + STAGE_NODE.rowGap);
  const nodes: StageNode[] = service.stages.map((stage) => ({
    id: `stage-${stage.id}`,
    type: 'stage',
    position: positions.get(stage.id)!,
    width: STAGE_NODE.width,
    height: STAGE_NODE.height,
    data: { stage, serviceId: service.id, serviceName: service.name, selected: stage.id === selectedStageId, drift: drift?.stages.find((d) => d.stageId === stage.id) ?? null },
    ariaLabel: `Stage ${stage.name} of ${service.name}`,
  }));
  const edges = service.edges.map((edge) => promotionEdge(service, edge, drift, false));
  const extra: ProductionOnlyNode[] = [];
  for (const stage of service.stages.filter((s) => s.isProduction && s.image)) {
    const changes = drift?.stages.find((d) => d.stageId === stage.id)?.productionOnly ?? 0;
    if (changes === 0) continue;
    const at = positions.get(stage.id)!;
    extra.push({
      id: `production-only-${stage.id}`,
      type: 'productionOnly',
      position: { x: at.x - STAGE_NODE.width / 2 - STAGE_NODE.columnGap / 2, y: at.y + STAGE_NODE.height + STAGE_NODE.rowGap * 2 },
      width: STAGE_NODE.width,
      height: 84,
      draggable: false,
      data: { stageId: stage.id, imageLabel: stage.image!.label, changes, serviceName: service.name },
      ariaLabel: `${changes} production-only changes not in image ${stage.image!.label}`,
    });
    edges.push({
      id: `edge-production-only-${stage.id}`,
      source: `stage-${stage.id}`,
      target: `production-only-${stage.id}`,
      sourceHandle: 'back',
      type: 'smoothstep',
      animated: true,
      className: 'edge-backward',
      label: `${changes} not in ${stage.image!.label}`,
      ariaLabel: `Production-only changes flowing back from ${stage.name}`,
    });
  }
  return { nodes: [...nodes, ...extra], edges };
}

/** Every service as a row of its stages. */
export function overviewGraph(services: ServiceSummary[], drift: Readonly<Record<number, ServiceDrift>> = {}): { nodes: (CompactStageNode | ServiceLabelNode)[]; edges: Edge[] } {
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
      data: { service, parity: drift[service.id]?.parity ?? null },
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
        data: { stage, serviceId: service.id, serviceName: service.name, drift: drift[service.id]?.stages.find((d) => d.stageId === stage.id) ?? null },
        draggable: false,
        ariaLabel: `Stage ${stage.name} of ${service.name}`,
      });
    }
    for (const edge of service.edges) edges.push(promotionEdge(service, edge, drift[service.id], true));
    top += rowHeight + OVERVIEW_NODE.rowGap;
  }
  return { nodes, edges };
}
