// The peer of the overview benchmark: React Flow alone, default nodes, the same count and positions
// as Stagecraft's overview of `?services=N&stages=M`, rendered when the button is pressed.
import { ReactFlow, type Edge, type Node } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { OVERVIEW_NODE } from '../../renderer/src/graph/layout';

const params = new URLSearchParams(location.search);
const services = Number(params.get('services') ?? 200);
const stages = Number(params.get('stages') ?? 6);

const nodes: Node[] = [];
const edges: Edge[] = [];
for (let s = 0; s < services; s++) {
  const y = s * (OVERVIEW_NODE.height + OVERVIEW_NODE.rowGap);
  nodes.push({ id: `label-${s}`, position: { x: 0, y }, data: { label: `svc-${s}` }, width: OVERVIEW_NODE.labelWidth, height: OVERVIEW_NODE.height });
  for (let t = 0; t < stages; t++) {
    nodes.push({ id: `n-${s}-${t}`, position: { x: OVERVIEW_NODE.labelWidth + OVERVIEW_NODE.columnGap + t * (OVERVIEW_NODE.width + OVERVIEW_NODE.columnGap), y }, data: { label: `stage ${t}` }, width: OVERVIEW_NODE.width, height: OVERVIEW_NODE.height });
    if (t > 0) edges.push({ id: `e-${s}-${t}`, source: `n-${s}-${t - 1}`, target: `n-${s}-${t}` });
  }
}

function Bare() {
  const [shown, setShown] = useState(false);
  return shown ? (
    <ReactFlow defaultNodes={nodes} defaultEdges={edges} onlyRenderVisibleElements fitView minZoom={0.05} proOptions={{ hideAttribution: true }} />
  ) : (
    <button type="button" onClick={() => setShown(true)}>
      Render
    </button>
  );
}

createRoot(document.getElementById('root')!).render(<Bare />);
