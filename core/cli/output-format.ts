import { resolve } from 'node:path';
import { StagecraftError } from '../domain/errors';
import { writeExportFile } from '../services/export-file';
import { UsageError } from './main';

/** --format json|text (text when absent): anything else is a usage error, not silently text. */
export function textOrJson(options: Map<string, string>): 'json' | 'text' {
  const value = options.get('format') ?? 'text';
  if (value !== 'json' && value !== 'text') throw new UsageError(`--format must be json or text, not "${value}".`);
  return value;
}

/** Writes --out FILE whole or not at all; an existing file is replaced only with --overwrite. */
export function writeOutFile(file: string, text: string, options: Map<string, string>): void {
  try {
    writeExportFile(resolve(file), Buffer.from(text, 'utf8'), { overwrite: options.has('overwrite') });
  } catch (error) {
    if (error instanceof StagecraftError && error.code === 'conflict') throw new UsageError(`${file} already exists; add --overwrite to replace it, or choose another --out file.`);
    throw error;
  }
}
