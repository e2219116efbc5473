import { z } from 'zod';
import type { EnvironmentView, HostRecord, ServiceSummary, WorkspaceSummary } from '../domain/inventory';
import { HOST_KINDS } from '../domain/inventory';

export const id = z.number().int().positive();

export const imageRef = z.object({ id, label: z.string() });

export const stageSummary = z.object({
  id,
  name: z.string(),
  position: z.number().int(),
  isProduction: z.boolean(),
  hostCount: z.number().int().nonnegative(),
  image: imageRef.nullable(),
});

export const lifecycleEdge = z.object({ from: id, to: id });

export const serviceSummary = z.object({
  id,
  name: z.string(),
  description: z.string(),
  roles: z.array(z.string()),
  stages: z.array(stageSummary),
  edges: z.array(lifecycleEdge),
}) satisfies z.ZodType<ServiceSummary>;

export const hostRecord = z.object({
  id,
  name: z.string(),
  address: z.string(),
  port: z.number().int().min(1).max(65535),
  sshUser: z.string(),
  kind: z.enum(HOST_KINDS),
  vcpus: z.number().int().nullable(),
  memoryMb: z.number().int().nullable(),
  diskGb: z.number().int().nullable(),
  owner: z.string(),
  notes: z.string(),
}) satisfies z.ZodType<HostRecord>;

export const environmentView = z.object({
  serviceId: id,
  serviceName: z.string(),
  stageId: id,
  stageName: z.string(),
  isProduction: z.boolean(),
  image: imageRef.nullable(),
  hosts: z.array(hostRecord.extend({ roles: z.array(z.string()), lastSnapshotAt: z.string().nullable() })),
}) satisfies z.ZodType<EnvironmentView>;

export const workspaceSummary = z.object({
  path: z.string(),
  name: z.string(),
  schemaVersion: z.number().int(),
  createdAt: z.string(),
  counts: z.object({ services: z.number().int(), hosts: z.number().int(), snapshots: z.number().int(), images: z.number().int() }),
}) satisfies z.ZodType<WorkspaceSummary>;

export const recentWorkspace = z.object({ path: z.string(), name: z.string(), openedAt: z.string(), exists: z.boolean() });

/** A path typed by a user: absolute, no NUL bytes; the services resolve and check it further. */
export const filePath = z
  .string()
  .trim()
  .min(1, 'a path is required')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'a path cannot contain NUL bytes');
