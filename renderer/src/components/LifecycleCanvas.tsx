import { Background, Controls, MiniMap, ReactFlow, type NodeMouseHandler } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { LifecycleDialog } from './LifecycleDialog';
import { lifecycleGraph, type ProductionOnlyNode, type StageNode } from '../graph/layout';
import { useApp, useSelectedService, useSelectedServiceDrift } from '../store/index';
import { nodeTypes } from './StageNodes';

function WhatIfToggle() {
  const active = useApp((s) => s.whatIf !== null);
  const canSimulate = useApp((s) => s.services.find((x) => x.id === s.selectedServiceId)?.stages.find((x) => x.id === s.selectedStageId)?.image != null);
  const toggle = useApp((s) => s.toggleWhatIf);
  return (
    <button type="button" aria-pressed={active} disabled={!active && !canSimulate} onClick={() => void toggle()} title="Simulate the selected stage's image moving on to production, without changing anything">
      {active ? 'Leave what-if' : 'What-if to production'}
    </button>
  );
}

export function LifecycleCanvas() {
  const service = useSelectedService();
  const selectedStageId = useApp((s) => s.selectedStageId);
  const selectStage = useApp((s) => s.selectStage);
  const drift = useSelectedServiceDrift();
  const graph = useMemo(() => (service ? lifecycleGraph(service, selectedStageId, drift) : null), [service, selectedStageId, drift]);
  const onNodeClick: NodeMouseHandler<StageNode | ProductionOnlyNode> = (_, node) => void (node.type === 'stage' && selectStage(node.data.stage.id));

  const [editing, setEditing] = useState(false);
  if (!service || !graph) return <p className="empty muted">Choose a service on the left.</p>;
  return (
    <div className="flow" data-testid="lifecycle-canvas">
      <div className="canvas-title">
        <h2>{service.name}</h2>
        <WhatIfToggle />
        <button type="button" onClick={() => setEditing(true)}>
          Edit lifecycle…
        </button>
      </div>
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
      {editing && <LifecycleDialog onClose={() => setEditing(false)} />}
    </div>
  );
}
