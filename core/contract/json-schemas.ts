import { z } from 'zod';
import { cabPackSchema, driftReportSchema } from './reports';
import { imageSchema, snapshotSchema } from './snapshot';

/** The documented file formats, as JSON Schema (draft 2020-12), keyed by their file name under resources/schemas. */
export function jsonSchemas(): Record<string, unknown> {
  const withId = (name: string, title: string, schema: z.ZodType) => ({
    $id: `https://stagecraft.invalid/schemas/${name}`,
    title,
    ...z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }),
  });
  return {
    'snapshot.schema.json': withId('snapshot.schema.json', 'Stagecraft host snapshot, format version 1', snapshotSchema),
    'image.schema.json': withId('image.schema.json', 'Stagecraft configuration image, format version 1', imageSchema),
    'cab-pack.schema.json': withId('cab-pack.schema.json', 'Stagecraft CAB pack (JSON report), format version 1', cabPackSchema),
    'drift-report.schema.json': withId('drift-report.schema.json', 'Stagecraft drift report (JSON), format version 1', driftReportSchema),
  };
}
