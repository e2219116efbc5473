/**
 * The neutral model every importer produces: hosts (with the groups they are in, their connection
 * settings, and any explicit placement), the group graph, and snapshots. Parsers are pure functions
 * from text to this model; `previewImport` / `applyImport` take it into a workspace.
 */
import { StagecraftError } from '../../domain/errors';
import type { Snapshot } from '../../domain/facts';
import type { HostKind } from '../../domain/inventory';

export const IMPORT_FORMATS = ['ansible-ini', 'ansible-yaml', 'ansible-facts', 'csv', 'ssh-config', 'snapshot'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Where something came from: the file and, where known, the line. */
export interface ImportOrigin {
  file: string;
  line?: number;
}

/** A placement the file states outright (a CSV row, `stagecraft_service` host vars). */
export interface ExplicitPlacement {
  service?: string;
  stage?: string;
  role?: string;
}

export interface ImportedHost {
  /** Inventory name: the host's name in Stagecraft. */
  name: string;
  /** Only what the file says: an absent field leaves an existing host's value alone. */
  address?: string;
  port?: number;
  user?: string;
  kind?: HostKind;
  owner?: string;
  vcpus?: number;
  memoryMb?: number;
  diskGb?: number;
  notes?: string;
  /** Groups the host is directly in (Ansible); ancestors come from `ParsedImport.groups`. */
  groups: string[];
  /** Placements stated in the file; when present they replace the group mapping for this host. */
  placements: ExplicitPlacement[];
  /** Effective variables (Ansible: all < parent groups < groups < host), as text. */
  vars: Record<string, string>;
  origin: ImportOrigin;
}

export interface ImportedGroup {
  name: string;
  /** Direct child groups. */
  children: string[];
  /** Hosts listed directly in the group. */
  hosts: string[];
  vars: Record<string, string>;
  origin: ImportOrigin;
}

export interface ImportedSnapshot {
  snapshot: Snapshot;
  /** The host it belongs to, when the file says (fact cache file name, an explicit host). */
  hostName?: string;
  origin: ImportOrigin;
}

export interface ParsedImport {
  format: ImportFormat;
  /** The file (or directory) read; named in messages and the audit entry. */
  source: string;
  hosts: ImportedHost[];
  groups: ImportedGroup[];
  snapshots: ImportedSnapshot[];
  /** Things the parser noticed and did not act on (unsupported keywords, ignored columns). */
  warnings: string[];
}

export const emptyImport = (format: ImportFormat, source: string): ParsedImport => ({ format, source, hosts: [], groups: [], snapshots: [], warnings: [] });

/** `file line N` or `file`, for messages. */
export const where = (origin: ImportOrigin): string => (origin.line === undefined ? origin.file : `${origin.file} line ${origin.line}`);

/** The error of a file that cannot be imported: names the file and line (or field), with a hint. */
export function invalidInput(origin: ImportOrigin, message: string, hint?: string): StagecraftError {
  return new StagecraftError('invalid-input', `${where(origin)}: ${message}`, hint);
}

/** Several files' worth of import (an inventory and its fact cache) as one. */
export function mergeImports(first: ParsedImport, ...rest: ParsedImport[]): ParsedImport {
  return rest.reduce<ParsedImport>(
    (all, next) => ({
      format: all.format,
      source: `${all.source}, ${next.source}`,
      hosts: [...all.hosts, ...next.hosts],
      groups: [...all.groups, ...next.groups],
      snapshots: [...all.snapshots, ...next.snapshots],
      warnings: [...all.warnings, ...next.warnings],
    }),
    first,
  );
}

/** A TCP port given as text, or null when it is not one. */
export function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/** Host name characters Stagecraft accepts from a file: no spaces or control characters. */
export const isPlausibleHostName = (name: string): boolean => name.length > 0 && name.length <= 253 && !/[\s\p{Cc}]/u.test(name);
