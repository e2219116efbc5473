import type { LifecycleEdge } from './lifecycle';

export const HOST_KINDS = ['vm', 'server', 'storage', 'network'] as const;
export type HostKind = (typeof HOST_KINDS)[number];

export interface HostRecord {
  id: number;
  name: string;
  address: string;
  port: number;
  sshUser: string;
  kind: HostKind;
  vcpus: number | null;
  memoryMb: number | null;
  diskGb: number | null;
  owner: string;
  notes: string;
}

export type NewHost = Omit<HostRecord, 'id' | 'port' | 'sshUser' | 'kind' | 'vcpus' | 'memoryMb' | 'diskGb' | 'owner' | 'notes'> &
  Partial<Omit<HostRecord, 'id' | 'name' | 'address'>>;

export interface ImageRef {
  id: number;
  label: string;
}

export interface StageSummary {
  id: number;
  name: string;
  position: number;
  isProduction: boolean;
  hostCount: number;
  image: ImageRef | null;
}

export interface ServiceSummary {
  id: number;
  name: string;
  description: string;
  roles: string[];
  stages: StageSummary[];
  edges: LifecycleEdge[];
}

export interface EnvironmentHost extends HostRecord {
  roles: string[];
  lastSnapshotAt: string | null;
}

export interface EnvironmentView {
  serviceId: number;
  serviceName: string;
  stageId: number;
  stageName: string;
  isProduction: boolean;
  image: ImageRef | null;
  hosts: EnvironmentHost[];
}

export interface WorkspaceSummary {
  path: string;
  name: string;
  schemaVersion: number;
  createdAt: string;
  counts: { services: number; hosts: number; snapshots: number; images: number };
}
