import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { memo } from 'react';
import type { CompactStageNode, ServiceLabelNode, StageNode } from '../graph/layout';

const StageCard = memo(function StageCard({ data }: NodeProps<StageNode>) {
  const { stage } = data;
  return (
    <div className={`stage-node${data.selected ? ' selected' : ''}${stage.isProduction ? ' production' : ''}`} data-testid={`stage-${stage.name}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="stage-head">
        <span className="stage-name">{stage.name}</span>
        {stage.isProduction && <span className="badge">production</span>}
      </div>
      <div className="stage-meta">
        <span aria-label={`${stage.hostCount} hosts`}>{stage.hostCount} hosts</span>
      </div>
      <div className="stage-image">{stage.image ? <span className="chip">image {stage.image.label}</span> : <span className="muted">no image assigned</span>}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const CompactStage = memo(function CompactStage({ data }: NodeProps<CompactStageNode>) {
  const { stage } = data;
  return (
    <div className={`compact-stage${stage.isProduction ? ' production' : ''}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="stage-name">{stage.name}</span>
      <span className="muted">
        {stage.hostCount} hosts{stage.image ? ` · ${stage.image.label}` : ''}
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const ServiceLabel = memo(function ServiceLabel({ data }: NodeProps<ServiceLabelNode>) {
  return (
    <div className="service-label">
      <strong>{data.service.name}</strong>
      <span className="muted">{data.service.description}</span>
    </div>
  );
});

/** Module scope: React Flow re-mounts every node when this object changes identity. */
export const nodeTypes: NodeTypes = { stage: StageCard, compactStage: CompactStage, serviceLabel: ServiceLabel };
