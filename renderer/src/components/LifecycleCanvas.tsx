import { Background, Controls, MiniMap, ReactFlow, type NodeMouseHandler } from '@xyflow/react';
import { useMemo } from 'react';
import { lifecycleGraph, type StageNode } from '../graph/layout';
import { useApp, useSelectedService, useSelectedServiceDrift } from '../store/index';
import { nodeTypes } from './StageNodes';

export function LifecycleCanvas() {
  const service = useSelectedService();
  const selectedStageId = useApp((s) => s.selectedStageId);
  const selectStage = useApp((s) => s.selectStage);
  const drift = useSelectedServiceDrift();
  const graph = useMemo(() => (service ? lifecycleGraph(service, selectedStageId, drift) : null), [service, selectedStageId, drift]);
  const onNodeClick: NodeMouseHandler<StageNode> = (_, node) => void selectStage(node.data.stage.id);

  if (!service || !graph) return <p className="empty muted">Choose a service on the left.</p>;
  return (
    <div className="flow" data-testid="lifecycle-canvas">
      <h2 className="canvas-title">{service.name}</h2>
      <ReactFlow
        key={service.id}
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        onPaneClick={() => void selectStage(null)}
        nodesDraggable={false}
        nodesConnectable={false}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: 1.25 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable ariaLabel="Minimap of the lifecycle" />
      </ReactFlow>
    </div>
  );
}
