// Writes resources/schemas/*.schema.json from the zod schemas of core/contract (run after changing a format).
import { writeFileSync } from 'node:fs';
import { jsonSchemas } from '../core/contract/json-schemas';

for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(new URL(`../resources/schemas/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote resources/schemas/${name}`);
}
