import { z } from 'zod';
import { call } from './define';
import { environmentView, id, serviceSummary } from './schemas';

export const inventoryCalls = {
  'services.list': call('Every service with its lifecycle and stage summaries', z.object({}), z.array(serviceSummary)),
  'environment.get': call('The hosts and roles of one service in one stage', z.object({ stageId: id }), environmentView),
};
