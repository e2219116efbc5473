import { z } from 'zod';
import { call } from './define';
import { environmentView, id, serviceSummary } from './schemas';

export const inventoryCalls = {
  'services.list': call('Every service with its lifecycle and stage summaries', z.object({}), z.array(serviceSummary)),
  'environment.get': call('The hosts and roles of one service in one stage', z.object({ stageId: id }), environmentView),
  'inventory.search': call(
    'Services and hosts whose name (or a host address) contains the text, with where each host is placed',
    z.object({ query: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(200).default(20) }),
    z.array(z.object({ kind: z.enum(['service', 'host']), name: z.string(), serviceId: id, stageId: id.nullable(), detail: z.string() })),
  ),
};
