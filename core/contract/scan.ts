import { z } from 'zod';
import { HOST_KINDS } from '../domain/inventory';
import { call } from './define';
import { hostRecord, id } from './schemas';

export const scanCalls = {
  'scan.start': call(
    'Collect the facts of hosts over SSH, in the background (progress: job.progress and scan.progress)',
    z.object({
      stageId: id.optional(),
      serviceId: id.optional(),
      hostIds: z.array(id).optional(),
      concurrency: z.number().int().min(1).max(64).default(8),
      acceptNewHostKeys: z.boolean().default(false),
    }),
    z.object({ jobId: z.string(), hosts: z.array(z.object({ id, name: z.string() })) }),
  ),
  'job.cancel': call('Cancel a background job', z.object({ jobId: z.string() }), z.object({ cancelled: z.boolean() })),
  'credential.answer': call(
    'Answer a credential.request (null declines); the secret is used once and never stored',
    z.object({ requestId: z.string(), secret: z.string().max(4096).nullable() }),
    z.object({ accepted: z.boolean() }),
  ),
  'hostKeys.forget': call(
    'Forget the trusted key of a host (after verifying a legitimate key change)',
    z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
    z.object({ forgotten: z.number().int() }),
  ),
  'hosts.add': call(
    'Add a host to the inventory and place it in a stage under a role',
    z.object({
      name: z.string().trim().min(1).max(253),
      address: z.string().trim().min(1).max(253),
      port: z.number().int().min(1).max(65535).default(22),
      sshUser: z.string().trim().max(64).default(''),
      kind: z.enum(HOST_KINDS).default('vm'),
      owner: z.string().max(200).default(''),
      stageId: id,
      role: z.string().min(1),
    }),
    hostRecord,
  ),
};
