import { Controls, ReactFlow, type NodeMouseHandler } from '@xyflow/react';
import { useMemo } from 'react';
import { overviewGraph, type CompactStageNode, type ServiceLabelNode } from '../graph/layout';
import { useApp } from '../store/index';
import { nodeTypes } from './StageNodes';

export function OverviewCanvas() {
  const services = useApp((s) => s.services);
  const drift = useApp((s) => s.serviceDrift);
  const graph = useMemo(() => overviewGraph(services, drift), [services, drift]);
  const onNodeClick: NodeMouseHandler<CompactStageNode | ServiceLabelNode> = (_, node) => {
    const { selectService, selectStage } = useApp.getState();
    if (node.type === 'serviceLabel') return selectService(node.data.service.id);
    selectService(node.data.serviceId);
    void selectStage(node.data.stage.id);
  };
  return (
    <div className="flow" data-testid="overview-canvas">
      <ReactFlow
        nodes={graph.nodes}
        edges={graph.edges}
        nodeTypes={nodeTypes}
        onNodeClick={onNodeClick}
        nodesDraggable={false}
        nodesConnectable={false}
        onlyRenderVisibleElements
        fitView
        minZoom={0.05}
        proOptions={{ hideAttribution: true }}
      >
        {/* No minimap and no background pattern here: zoomed out over hundreds of services, the
            minimap redraws every node and the dot pattern thousands of dots on each frame of a pan. */}
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
