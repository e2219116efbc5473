import type { CallInput, CallOutput, WireError } from '../../../core/contract/index';

export type ShellInfo = CallOutput<'app.info'>;
export type WorkspaceSummary = NonNullable<CallOutput<'workspace.current'>>;
export type RecentWorkspace = CallOutput<'workspace.recent'>[number];
export type ServiceSummary = CallOutput<'services.list'>[number];
export type StageSummary = ServiceSummary['stages'][number];
export type EnvironmentView = CallOutput<'environment.get'>;
export type ServiceDrift = CallOutput<'drift.service'>;
export type StageDrift = ServiceDrift['stages'][number];
export type StageDriftDetail = CallOutput<'drift.stage'>;
export type DriftItem = StageDriftDetail['production']['items'][number];
export type ParityPoint = CallOutput<'drift.trend'>[number];
export type FileDiff = CallOutput<'drift.fileDiff'>;
export type ImageView = CallOutput<'images.list'>[number];
export type ImageEdit = CallInput<'image.derive'>['edits'][number];
export type Severity = DriftItem['severity'];
export type { WireError };
