import { readFileSync, statSync } from 'node:fs';
import { imageSchema, snapshotSchema } from '../contract/snapshot';
import { StagecraftError } from '../domain/errors';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../domain/facts';
import { IMAGE_FORMAT, IMAGE_FORMAT_VERSION, type ImageContent } from '../domain/image';
import { normaliseSnapshot } from '../domain/normalise';

/** Snapshot and image files larger than this are refused before they are read: no real host needs it. */
export const MAX_SNAPSHOT_FILE_BYTES = 64 * 1024 * 1024;

function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** JSON syntax, with the line of the error and a hint when the text looks cut short. */
export function parseJsonDocument(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? NaN);
    const where = Number.isNaN(position) ? '' : ` at line ${lineOf(text, position)}`;
    const truncated = text.trimEnd().length > 0 && !/[}\]]\s*$/.test(text) ? ' (it looks truncated)' : '';
    throw new StagecraftError('invalid-input', `${origin} is not valid JSON${where}${truncated}: ${(error as Error).message}`, 'Export it again, or check the file was copied whole.');
  }
}

/**
 * Reads a snapshot JSON document and checks it completely before anything is stored: JSON syntax
 * (with the line of the error), format and version, then every field.
 */
export function parseSnapshotText(text: string, origin: string): Snapshot {
  return parseSnapshotDocument(parseJsonDocument(text, origin), origin);
}

export function parseSnapshotDocument(document: unknown, origin: string): Snapshot {
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

/** A JSON file read whole, bounded in size and checked to be UTF-8 before it is parsed. */
export function readJsonFile(path: string): unknown {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new StagecraftError('not-found', `${path} does not exist or cannot be read.`);
  }
  if (size > MAX_SNAPSHOT_FILE_BYTES) {
    throw new StagecraftError('invalid-input', `${path} is ${(size / 1048576).toFixed(0)} MB; documents are limited to ${MAX_SNAPSHOT_FILE_BYTES / 1048576} MB.`, 'Capture fewer or smaller watched files.');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new StagecraftError('invalid-input', `${path} is not UTF-8 text, so it cannot be a JSON document.`);
  }
  return parseJsonDocument(text, path);
}

export const readSnapshotFile = (path: string): Snapshot => parseSnapshotDocument(readJsonFile(path), path);

export type FactDocument = { kind: 'snapshot'; snapshot: Snapshot } | { kind: 'image'; image: ImageContent };

/** A snapshot or an image file, told apart by its "format" and checked whole. */
export function readFactDocument(path: string): FactDocument {
  const document = readJsonFile(path);
  if ((document as { format?: unknown } | null)?.format !== IMAGE_FORMAT) return { kind: 'snapshot', snapshot: parseSnapshotDocument(document, path) };
  const version = (document as { version?: unknown }).version;
  if (version !== IMAGE_FORMAT_VERSION) {
    throw new StagecraftError('unsupported', `${path} is image format version ${String(version)}; this Stagecraft reads version ${IMAGE_FORMAT_VERSION}.`);
  }
  const parsed = imageSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StagecraftError('invalid-input', `${path}: field ${issue.path.join('.') || '(document)'}: ${issue.message}.`);
  }
  return { kind: 'image', image: parsed.data };
}
