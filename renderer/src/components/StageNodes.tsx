import { Handle, Position, useStore, type NodeProps, type NodeTypes, type ReactFlowState } from '@xyflow/react';
import { memo } from 'react';
import { useApp } from '../store/index';
import { healthOf, type CompactStageNode, type ProductionOnlyNode, type ServiceLabelNode, type StageNode } from '../graph/layout';
import { LeaseBadge } from './AssetsPanel';
import { ParityBadge, SeverityCounts } from './Parity';

/** While an image is dragged: is this stage a valid target, the one under the pointer? */
function useDropState(stageId: number): string {
  return useApp((s) => {
    if (!s.drag || s.drag.fromStageId === stageId) return '';
    const target = s.targets[stageId];
    const validity = target === undefined ? ' drop-pending' : target.allowed ? ' drop-valid' : ' drop-invalid';
    return `${validity}${s.hoverStageId === stageId ? ' drop-hover' : ''}`;
  });
}

function ImageChip({ stage, serviceId, health }: { stage: StageNode['data']['stage']; serviceId: number; health: string }) {
  const beginDrag = useApp((s) => s.beginDrag);
  if (!stage.image) return <span className="muted">no image assigned</span>;
  const image = stage.image;
  return (
    <span
      className={`chip image-chip nodrag health-${health}`}
      role="button"
      tabIndex={0}
      aria-label={`Image ${image.label} of ${stage.name}: drag it onto another stage to plan a promotion`}
      title="Drag onto another stage to plan a promotion"
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        e.stopPropagation();
        beginDrag({ serviceId, imageId: image.id, imageLabel: image.label, fromStageId: stage.id, x: e.clientX, y: e.clientY });
      }}
    >
      image {image.label}
    </span>
  );
}

const StageCard = memo(function StageCard({ data }: NodeProps<StageNode>) {
  const { stage, drift } = data;
  const drop = useDropState(stage.id);
  return (
    <div
      className={`stage-node health-${healthOf(drift?.production)}${data.selected ? ' selected' : ''}${stage.isProduction ? ' production' : ''}${drop}`}
      data-testid={`stage-${stage.name}`}
      data-stage-id={stage.id}
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
        <ImageChip stage={stage} serviceId={data.serviceId} health={healthOf(drift?.image)} />
      </div>
      <WhatIfBadge stageId={stage.id} />
      {!stage.isProduction && <LeaseBadge stageId={stage.id} />}
      <Handle type="source" id="forward" position={Position.Right} isConnectable={false} />
      {stage.isProduction && <Handle type="source" id="back" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
});

/** In what-if mode: when the image would arrive here at the earliest, or what blocks it. */
function WhatIfBadge({ stageId }: { stageId: number }) {
  const hop = useApp((s) => s.whatIf?.hops.find((h) => h.to.id === stageId));
  const origin = useApp((s) => s.whatIf?.fromStageId === stageId);
  if (origin) return <div className="what-if origin">what-if starts here</div>;
  if (!hop) return null;
  return (
    <div className={`what-if ${hop.arrivesAt ? 'eta' : 'blocked'}`} title={hop.blockers.join(' ')}>
      {hop.arrivesAt ? `earliest ${new Date(hop.arrivesAt).toLocaleDateString()}` : `blocked: ${hop.blockers[0] ?? 'not allowed'}`}
    </div>
  );
}

const ProductionOnly = memo(function ProductionOnly({ data }: NodeProps<ProductionOnlyNode>) {
  const acceptDrift = useApp((s) => s.acceptDrift);
  return (
    <div className="production-only" data-testid="production-only">
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <strong>{data.changes} production-only change{data.changes === 1 ? '' : 's'}</strong>
      <span className="muted">in production but not in image {data.imageLabel}</span>
      <button type="button" className="nodrag" onClick={() => void acceptDrift(data.stageId)}>
        Capture into a new image
      </button>
    </div>
  );
});

/** Below this zoom the overview's text is unreadable anyway: nodes draw as coloured boxes, cheap to paint. */
const DETAIL_ZOOM = 0.35;
const zoomedOut = (s: ReactFlowState) => s.transform[2] < DETAIL_ZOOM;

const CompactStage = memo(function CompactStage({ data }: NodeProps<CompactStageNode>) {
  const { stage, drift } = data;
  const coarse = useStore(zoomedOut);
  if (coarse) {
    return (
      <div className={`compact-stage coarse health-${healthOf(drift?.production)}${stage.isProduction ? ' production' : ''}`} aria-label={`${stage.name}: ${stage.hostCount} hosts`}>
        <Handle type="target" position={Position.Left} isConnectable={false} />
        <Handle type="source" position={Position.Right} isConnectable={false} />
      </div>
    );
  }
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
  const coarse = useStore(zoomedOut);
  if (coarse) return <div className="service-label coarse">{data.service.name}</div>;
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
export const nodeTypes: NodeTypes = { stage: StageCard, compactStage: CompactStage, serviceLabel: ServiceLabel, productionOnly: ProductionOnly };
