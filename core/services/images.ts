import { StagecraftError } from '../domain/errors';
import { captureImage, type ImageContent, type ImageGovernance } from '../domain/image';
import type { WorkspaceStore } from '../store/workspace-store';
import { driftServiceFor } from './drift-service';

/** Captures what the hosts of a stage agree on, within `governs`, as a new image content. */
export function captureFromStage(store: WorkspaceStore, stageId: number, label: string, governs: ImageGovernance, at: string, asOf?: string): { content: ImageContent; serviceId: number } {
  const environment = store.inventory.environment(stageId);
  const drift = driftServiceFor(store);
  const { byRole } = drift.environmentSnapshots(environment, asOf);
  if (Object.keys(byRole).length === 0) {
    throw new StagecraftError('conflict', `${environment.serviceName} has no snapshots in ${environment.stageName} to capture an image from.`, 'Scan its hosts or import their snapshots first.');
  }
  const options = drift.options(environment.serviceName);
  const content = captureImage({
    service: environment.serviceName,
    label,
    stage: environment.stageName,
    snapshotsByRole: byRole,
    governs,
    at,
    ...(options.ignore ? { ignore: options.ignore } : {}),
    ...(options.hostName ? { hostName: options.hostName } : {}),
  });
  return { content, serviceId: environment.serviceId };
}

