import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../core/contract/json-schemas';

describe('published JSON Schemas', () => {
  it.each(Object.keys(jsonSchemas()))('resources/schemas/%s matches the contract (run `npx tsx scripts/generate-schemas.ts`)', (name) => {
    const committed = JSON.parse(readFileSync(new URL(`../resources/schemas/${name}`, import.meta.url), 'utf8'));
    expect(committed).toEqual(jsonSchemas()[name]);
  });
});
