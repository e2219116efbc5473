/**
 * Import files read from disk: bounded in size, checked to be UTF-8, then handed to the parser of
 * their format. A fact cache is a directory (one file per host) or one of its files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { StagecraftError } from '../../domain/errors';
import { readJsonFile, readSnapshotFile } from '../snapshot-io';
import { parseAnsibleFactFile } from './ansible-facts';
import { parseAnsibleIni, parseAnsibleYaml } from './ansible-inventory';
import { parseHostsCsv } from './hosts-csv';
import type { ImportFormat, ParsedImport } from './model';
import { emptyImport, IMPORT_FORMATS } from './model';
import { parseSshConfigHosts } from './ssh-config-hosts';

/** Inventories, CSVs and SSH configurations larger than this are refused unread. */
export const MAX_IMPORT_FILE_BYTES = 16 * 1024 * 1024;
/** A fact cache directory with more files than this is refused (read it in parts). */
export const MAX_FACT_CACHE_FILES = 20_000;

function statOf(path: string) {
  try {
    return statSync(path);
  } catch {
    throw new StagecraftError('not-found', `${path} does not exist or cannot be read.`);
  }
}

/** A text file, whole, bounded and UTF-8 checked. */
export function readImportText(path: string, limit = MAX_IMPORT_FILE_BYTES): string {
  const stat = statOf(path);
  if (stat.isDirectory()) throw new StagecraftError('invalid-input', `${path} is a directory, not a file.`);
  if (stat.size > limit) throw new StagecraftError('invalid-input', `${path} is ${(stat.size / 1048576).toFixed(1)} MB; import files are limited to ${limit / 1048576} MB.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
  } catch {
    throw new StagecraftError('invalid-input', `${path} is not UTF-8 text.`, 'Save it as UTF-8 (spreadsheets: "CSV UTF-8").');
  }
}

/** The format a file most likely has, from its name: for a default in the UI and the CLI. */
export function guessImportFormat(path: string): ImportFormat {
  const stat = statOf(path);
  if (stat.isDirectory()) return 'ansible-facts';
  const name = basename(path).toLowerCase();
  const ext = extname(name);
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.yml' || ext === '.yaml') return 'ansible-yaml';
  if (ext === '.json') {
    const document = readJsonFile(path) as { format?: unknown } | null;
    return document?.format === 'stagecraft.snapshot' ? 'snapshot' : 'ansible-facts';
  }
  if (name === 'config' || name === 'ssh_config' || name.endsWith('.ssh_config')) return 'ssh-config';
  return 'ansible-ini';
}

/** Every host file of a jsonfile fact cache directory (or the one file given). */
function readFactCache(path: string): ParsedImport {
  const result = emptyImport('ansible-facts', path);
  const stat = statOf(path);
  const files = stat.isDirectory()
    ? readdirSync(path, { withFileTypes: true })
        .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
        .map((entry) => join(path, entry.name))
        .sort()
    : [path];
  if (files.length > MAX_FACT_CACHE_FILES) throw new StagecraftError('invalid-input', `${path} holds ${files.length} files; read at most ${MAX_FACT_CACHE_FILES} at once.`);
  if (files.length === 0) throw new StagecraftError('invalid-input', `${path} holds no fact files.`, 'Point at the directory of fact_caching_connection, after a play has gathered facts.');
  for (const file of files) {
    const capturedAt = statOf(file).mtime.toISOString();
    // `ansible -m setup --tree DIR` names files by host too; a .json extension is not part of the name.
    const hostName = basename(file).replace(/\.json$/i, '');
    const text = readImportText(file, 64 * 1024 * 1024);
    const parsed = parseAnsibleFactFile(text, file, hostName, { capturedAt });
    result.snapshots.push(parsed);
  }
  return result;
}

/** Reads and parses one import file (or fact cache directory) of the given format. */
export function readImportFile(path: string, format: ImportFormat): ParsedImport {
  switch (format) {
    case 'ansible-ini':
      return parseAnsibleIni(readImportText(path), path);
    case 'ansible-yaml':
      return parseAnsibleYaml(readImportText(path), path);
    case 'csv':
      return parseHostsCsv(readImportText(path), path);
    case 'ssh-config':
      return parseSshConfigHosts(readImportText(path), path);
    case 'ansible-facts':
      return readFactCache(path);
    case 'snapshot': {
      const result = emptyImport('snapshot', path);
      result.snapshots.push({ snapshot: readSnapshotFile(path), origin: { file: path } });
      return result;
    }
    default:
      throw new StagecraftError('invalid-input', `"${String(format)}" is not an import format (known: ${IMPORT_FORMATS.join(', ')}).`);
  }
}
