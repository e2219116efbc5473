import { Handle, Position, type NodeProps, type NodeTypes } from '@xyflow/react';
import { memo } from 'react';
import { healthOf, type CompactStageNode, type ServiceLabelNode, type StageNode } from '../graph/layout';
import { ParityBadge, SeverityCounts } from './Parity';

const StageCard = memo(function StageCard({ data }: NodeProps<StageNode>) {
  const { stage, drift } = data;
  return (
    <div
      className={`stage-node health-${healthOf(drift?.production)}${data.selected ? ' selected' : ''}${stage.isProduction ? ' production' : ''}`}
      data-testid={`stage-${stage.name}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="stage-head">
        <span className="stage-name">{stage.name}</span>
        {stage.isProduction ? <span className="badge">production</span> : <ParityBadge summary={drift?.production} label="parity with production" />}
      </div>
      <div className="stage-meta">
        <span>{stage.hostCount} hosts</span>
        {drift && drift.snapshotted < drift.hosts && <span> · {drift.hosts - drift.snapshotted} never scanned</span>}
      </div>
      <div className="stage-drift">
        <SeverityCounts summary={drift?.production} />
      </div>
      <div className="stage-image">
        {stage.image ? (
          <span className={`chip image-chip health-${healthOf(drift?.image)}`} title={drift?.image ? `Hosts against image ${stage.image.label}` : undefined}>
            image {stage.image.label}
          </span>
        ) : (
          <span className="muted">no image assigned</span>
        )}
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const CompactStage = memo(function CompactStage({ data }: NodeProps<CompactStageNode>) {
  const { stage, drift } = data;
  return (
    <div className={`compact-stage health-${healthOf(drift?.production)}${stage.isProduction ? ' production' : ''}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="stage-name">{stage.name}</span>
      <span className="compact-meta">
        {stage.isProduction ? <span className="muted">production</span> : <ParityBadge summary={drift?.production} />}
        <span className="muted">
          {stage.hostCount} hosts{stage.image ? ` · ${stage.image.label}` : ''}
        </span>
      </span>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const ServiceLabel = memo(function ServiceLabel({ data }: NodeProps<ServiceLabelNode>) {
  return (
    <div className="service-label">
      <strong>{data.service.name}</strong>
      <span className="entropy">
        <ParityBadge summary={data.parity} label="parity of preproduction with production" /> <SeverityCounts summary={data.parity} />
      </span>
    </div>
  );
});

/** Module scope: React Flow re-mounts every node when this object changes identity. */
export const nodeTypes: NodeTypes = { stage: StageCard, compactStage: CompactStage, serviceLabel: ServiceLabel };
