/**
 * A CSV list of hosts into the neutral import model. RFC 4180: a header row, fields separated by
 * commas (or semicolons, as some spreadsheets export), double-quoted fields may hold commas, line
 * breaks and doubled quotes. Header names are case-insensitive, with a few aliases.
 */
import { HOST_KINDS, type HostKind } from '../../domain/inventory';
import type { ExplicitPlacement, ImportedHost, ImportOrigin, ParsedImport } from './model';
import { emptyImport, invalidInput, isPlausibleHostName, parsePort } from './model';

export interface CsvRecord {
  /** Line the record starts on (1-based); a quoted field may span several lines. */
  line: number;
  fields: string[];
}

/** RFC 4180 records. Throws (naming the line) on a quote that is never closed or text after a closing quote. */
export function parseCsv(text: string, file: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 1;
  let afterQuote = false;
  let started = false;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '' && !afterQuote)) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
    started = false;
  };
  const source = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (!started) {
      recordLine = line;
      started = true;
    }
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else if (ch === '"' && field === '' && !afterQuote) {
      quoted = true;
      quoteLine = line;
    } else if (afterQuote) {
      throw invalidInput({ file, line }, `text after a closing quote ("…"${ch}).`, 'Inside a quoted field, write a quote as two quotes ("").');
    } else {
      field += ch;
    }
  }
  if (quoted) throw invalidInput({ file, line: quoteLine }, 'a quoted field is never closed.', 'Close the quote; inside a quoted field write a quote as two quotes ("").');
  if (started) endRecord();
  return records;
}

export const CSV_COLUMNS = ['name', 'address', 'port', 'user', 'service', 'stage', 'role', 'kind', 'owner', 'vcpus', 'memory_mb', 'disk_gb', 'notes'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Other header names people write for the same column (compared lower case, spaces and dashes as underscores). */
export const CSV_ALIASES: Record<string, CsvColumn> = {
  host: 'name',
  hostname: 'name',
  host_name: 'name',
  inventory_hostname: 'name',
  ip: 'address',
  ip_address: 'address',
  ipaddress: 'address',
  ansible_host: 'address',
  ssh_port: 'port',
  ansible_port: 'port',
  ssh_user: 'user',
  username: 'user',
  ansible_user: 'user',
  environment: 'stage',
  env: 'stage',
  type: 'kind',
  cpu: 'vcpus',
  cpus: 'vcpus',
  vcpu: 'vcpus',
  memory: 'memory_mb',
  ram: 'memory_mb',
  ram_mb: 'memory_mb',
  mem_mb: 'memory_mb',
  disk: 'disk_gb',
  disk_size_gb: 'disk_gb',
  comment: 'notes',
  comments: 'notes',
  description: 'notes',
  note: 'notes',
};

const headerKey = (name: string): string => name.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** A CSV of hosts. `name` is required; each row with a service, stage or role states a placement. */
export function parseHostsCsv(text: string, file: string): ParsedImport {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : ',';
  const records = parseCsv(text, file, delimiter);
  const result = emptyImport('csv', file);
  const header = records[0];
  if (!header) throw invalidInput({ file }, 'the file is empty: a header row is needed.', `Start with a header such as ${CSV_COLUMNS.join(',')}.`);
  const columns = new Map<CsvColumn, number>();
  header.fields.forEach((raw, index) => {
    const key = headerKey(raw);
    if (key === '') return;
    const column = (CSV_COLUMNS as readonly string[]).includes(key) ? (key as CsvColumn) : CSV_ALIASES[key];
    if (column === undefined) {
      result.warnings.push(`${file}: column "${raw.trim()}" is not known and was ignored (known: ${CSV_COLUMNS.join(', ')}).`);
      return;
    }
    if (columns.has(column)) throw invalidInput({ file, line: header.line }, `columns "${header.fields[columns.get(column)!]?.trim()}" and "${raw.trim()}" both give ${column}.`, 'Keep one of them.');
    columns.set(column, index);
  });
  if (!columns.has('name')) {
    throw invalidInput({ file, line: header.line }, `the header has no "name" column (it has: ${header.fields.map((f) => f.trim()).join(', ')}).`, `The header row names the columns, e.g. ${CSV_COLUMNS.join(',')}.`);
  }

  const byName = new Map<string, ImportedHost>();
  for (const record of records.slice(1)) {
    const origin: ImportOrigin = { file, line: record.line };
    if (record.fields.length > header.fields.length) {
      throw invalidInput(origin, `the row has ${record.fields.length} fields but the header has ${header.fields.length}.`, 'Quote fields that contain a comma ("a, b").');
    }
    if (record.fields.every((f) => f.trim() === '')) continue;
    const cell = (column: CsvColumn): string | undefined => {
      const index = columns.get(column);
      const value = index === undefined ? undefined : record.fields[index]?.trim();
      return value === undefined || value === '' ? undefined : value;
    };
    const fail = (column: CsvColumn, message: string, hint?: string) => invalidInput(origin, `column ${column}: ${message}`, hint);
    const count = (column: 'vcpus' | 'memory_mb' | 'disk_gb'): number | undefined => {
      const value = cell(column);
      if (value === undefined) return undefined;
      if (!/^\d+$/.test(value) || Number(value) > 2 ** 31) throw fail(column, `"${value}" is not a whole number.`);
      return Number(value);
    };
    const name = cell('name');
    if (name === undefined) throw fail('name', 'every row needs a host name.');
    if (!isPlausibleHostName(name)) throw fail('name', `"${name}" is not a usable host name.`);
    const portText = cell('port');
    const port = portText === undefined ? undefined : parsePort(portText);
    if (port === null) throw fail('port', `"${portText}" is not a port number.`, 'Give a port from 1 to 65535, or leave it empty for 22.');
    const kindText = cell('kind')?.toLowerCase();
    if (kindText !== undefined && !(HOST_KINDS as readonly string[]).includes(kindText)) throw fail('kind', `"${kindText}" is not one of ${HOST_KINDS.join(', ')}.`);
    const address = cell('address');
    if (address !== undefined && !isPlausibleHostName(address)) throw fail('address', `"${address}" is not a usable address.`);
    const fields: Omit<ImportedHost, 'name' | 'groups' | 'placements' | 'vars' | 'origin'> = {
      ...(address !== undefined && { address }),
      ...(port !== undefined && { port }),
      ...(cell('user') !== undefined && { user: cell('user') }),
      ...(kindText !== undefined && { kind: kindText as HostKind }),
      ...(cell('owner') !== undefined && { owner: cell('owner') }),
      ...(count('vcpus') !== undefined && { vcpus: count('vcpus') }),
      ...(count('memory_mb') !== undefined && { memoryMb: count('memory_mb') }),
      ...(count('disk_gb') !== undefined && { diskGb: count('disk_gb') }),
      ...(cell('notes') !== undefined && { notes: cell('notes') }),
    };
    const service = cell('service');
    const stage = cell('stage');
    const roles = (cell('role') ?? '').split(/[;|]/).map((r) => r.trim()).filter(Boolean);
    const placements: ExplicitPlacement[] =
      service === undefined && stage === undefined && roles.length === 0
        ? []
        : (roles.length > 0 ? roles : [undefined]).map((role) => ({ ...(service !== undefined && { service }), ...(stage !== undefined && { stage }), ...(role !== undefined && { role }) }));

    const key = name.toLowerCase();
    const existing = byName.get(key);
    if (existing) {
      // The same host on several rows: one more placement each; its settings must agree.
      for (const [field, value] of Object.entries(fields) as [keyof typeof fields, unknown][]) {
        const before = existing[field];
        if (before !== undefined && before !== value) {
          throw invalidInput(origin, `host "${name}" is also on line ${existing.origin.line} with ${field} "${String(before)}", here "${String(value)}".`, 'Give a host the same settings on every row, or leave them empty on the later rows.');
        }
      }
      Object.assign(existing, fields);
      existing.placements.push(...placements);
    } else {
      const host: ImportedHost = { name, ...fields, groups: [], placements, vars: {}, origin };
      byName.set(key, host);
      result.hosts.push(host);
    }
  }
  return result;
}
