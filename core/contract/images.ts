import { z } from 'zod';
import { DEFAULT_GOVERNANCE } from '../domain/image-defaults';
import { call } from './define';
import { id } from './schemas';
import { factCategory } from './snapshot';

const imageRecord = z.object({
  id,
  serviceId: id,
  label: z.string(),
  contentHash: z.string(),
  parentId: id.nullable(),
  sourceStageId: id.nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  note: z.string(),
  assignedTo: z.array(id),
  governs: z.object({ categories: z.array(factCategory), paths: z.array(z.string()) }),
  roles: z.array(z.object({ role: z.string(), packages: z.number().int(), files: z.number().int(), services: z.number().int(), ungoverned: z.number().int() })),
  lineage: z.object({ parent: z.string().optional(), capturedFrom: z.object({ stage: z.string(), hosts: z.array(z.string()), at: z.string() }).optional(), derivedBy: z.array(z.string()).optional() }),
});

const label = z.string().trim().min(1).max(64).regex(/^[\w.+-]+$/, 'letters, digits, dot, dash, plus and underscore only');

const imageEdit = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('set-package'), role: z.string(), name: z.string().min(1), version: z.string().min(1), manager: z.enum(['dpkg', 'rpm', 'apk']).optional(), arch: z.string().optional() }),
  z.object({ kind: z.literal('remove-package'), role: z.string(), name: z.string().min(1), manager: z.enum(['dpkg', 'rpm', 'apk']).optional(), arch: z.string().optional() }),
  z.object({ kind: z.literal('set-file'), role: z.string(), path: z.string().startsWith('/'), content: z.string().max(1_000_000), mode: z.string().regex(/^[0-7]{3,4}$/).optional(), owner: z.string().optional(), group: z.string().optional() }),
  z.object({ kind: z.literal('remove-file'), role: z.string(), path: z.string().startsWith('/') }),
  z.object({
    kind: z.literal('set-service'),
    role: z.string(),
    name: z.string().min(1),
    enabled: z.enum(['enabled', 'disabled', 'static', 'masked', 'indirect', 'generated', 'alias', 'unknown']).optional(),
    active: z.enum(['active', 'inactive', 'failed', 'activating', 'deactivating', 'unknown']).optional(),
  }),
  z.object({ kind: z.literal('remove-service'), role: z.string(), name: z.string().min(1) }),
  z.object({ kind: z.literal('set-sysctl'), role: z.string(), key: z.string().min(1), value: z.string() }),
  z.object({ kind: z.literal('remove-sysctl'), role: z.string(), key: z.string().min(1) }),
]);

export const imageCalls = {
  'images.list': call('Every image of a service, oldest first, with lineage and assignments', z.object({ serviceId: id }), z.array(imageRecord)),
  'image.capture': call(
    'Capture a new image from what the hosts of a stage agree on',
    z.object({
      stageId: id,
      label: label.optional(),
      categories: z.array(factCategory).min(1).default([...DEFAULT_GOVERNANCE.categories]),
      paths: z.array(z.string().min(1)).optional(),
      note: z.string().max(2000).default(''),
    }),
    imageRecord,
  ),
  'image.derive': call('A new image: an existing one with edits', z.object({ imageId: id, edits: z.array(imageEdit).min(1), label: label.optional(), note: z.string().max(2000).default('') }), imageRecord),
  'image.assign': call('Assign an image to a stage (or clear it)', z.object({ stageId: id, imageId: id.nullable() }), z.object({ stageId: id, imageId: id.nullable(), previous: id.nullable() })),
  'image.acceptDrift': call(
    'Accept what a stage has now into a new image derived from its assigned image',
    z.object({ stageId: id, label: label.optional() }),
    imageRecord,
  ),
};
