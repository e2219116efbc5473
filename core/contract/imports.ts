import { z } from 'zod';
import { call } from './define';
import { filePath } from './schemas';

export const IMPORT_FORMATS = ['ansible-ini', 'ansible-yaml', 'ansible-facts', 'csv', 'ssh-config', 'snapshot'] as const;

const importRequest = z.object({
  path: filePath,
  /** Guessed from the file when absent. */
  format: z.enum(IMPORT_FORMATS).optional(),
  /** For a snapshot file: the inventory host it belongs to (by name). */
  host: z.string().min(1).optional(),
});

const importSummary = z.object({
  format: z.enum(IMPORT_FORMATS),
  source: z.string(),
  counts: z.object({
    servicesCreated: z.number().int(),
    rolesCreated: z.number().int(),
    hostsCreated: z.number().int(),
    hostsUpdated: z.number().int(),
    hostsUnchanged: z.number().int(),
    placementsCreated: z.number().int(),
    snapshotsCreated: z.number().int(),
    snapshotsSkipped: z.number().int(),
  }),
  placements: z.array(z.object({ host: z.string(), service: z.string(), stage: z.string(), role: z.string() })),
  problems: z.array(z.object({ severity: z.enum(['error', 'warning']), message: z.string(), hint: z.string().optional(), host: z.string().optional() })),
  notes: z.array(z.string()),
  canApply: z.boolean(),
});

export const importCalls = {
  'import.preview': call('What importing a file would create or change, and its problems; nothing is written', importRequest, importSummary),
  'import.apply': call('Import a file in one transaction: all of it, or nothing when it has an error', importRequest, importSummary),
};
