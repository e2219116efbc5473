import { readFileSync, statSync } from 'node:fs';
import { snapshotSchema } from '../contract/snapshot';
import { StagecraftError } from '../domain/errors';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../domain/facts';
import { normaliseSnapshot } from '../domain/normalise';

/** Snapshot files larger than this are refused before they are read: no real host needs it. */
export const MAX_SNAPSHOT_FILE_BYTES = 64 * 1024 * 1024;

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Reads a snapshot JSON document and checks it completely before anything is stored: size, UTF-8,
 * JSON syntax (with the line of the error), format and version, then every field.
 */
export function parseSnapshotText(text: string, origin: string): Snapshot {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const position = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? NaN);
    const where = Number.isNaN(position) ? '' : ` at line ${lineOf(text, position)}`;
    const truncated = text.trimEnd().length > 0 && !/[}\]]\s*$/.test(text) ? ' (it looks truncated)' : '';
    throw new StagecraftError('invalid-input', `${origin} is not valid JSON${where}${truncated}: ${(error as Error).message}`, 'Export the snapshot again, or check the file was copied whole.');
  }
  if (typeof document !== 'object' || document === null || (document as { format?: unknown }).format !== SNAPSHOT_FORMAT) {
    throw new StagecraftError('invalid-input', `${origin} is not a Stagecraft snapshot (its "format" is not "${SNAPSHOT_FORMAT}").`);
  }
  const version = (document as { version?: unknown }).version;
  if (version !== SNAPSHOT_FORMAT_VERSION) {
    throw new StagecraftError('unsupported', `${origin} is snapshot format version ${String(version)}; this Stagecraft reads version ${SNAPSHOT_FORMAT_VERSION}.`, 'Update Stagecraft, or export the snapshot with a matching version.');
  }
  const parsed = snapshotSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new StagecraftError('invalid-input', `${origin}: field ${issue.path.join('.') || '(document)'}: ${issue.message}${more}.`);
  }
  return normaliseSnapshot(parsed.data);
}

export function readSnapshotFile(path: string): Snapshot {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StagecraftError('not-found', `${path} does not exist or cannot be read.`);
  }
  if (size > MAX_SNAPSHOT_FILE_BYTES) {
    throw new StagecraftError('invalid-input', `${path} is ${(size / 1048576).toFixed(0)} MB; snapshot files are limited to ${MAX_SNAPSHOT_FILE_BYTES / 1048576} MB.`, 'Capture fewer or smaller watched files.');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new StagecraftError('invalid-input', `${path} is not UTF-8 text, so it cannot be a snapshot JSON file.`);
  }
  return parseSnapshotText(text, path);
}
