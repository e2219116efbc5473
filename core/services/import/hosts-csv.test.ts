import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseHostsCsv } from './hosts-csv';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('CSV records (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks, CRLF and a missing final newline', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\n\r\n1,,3', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
      { line: 5, fields: ['1', '', '3'] },
    ]);
  });

  it('names the line of a quote never closed and of text after a closing quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n', 'f.csv')).toThrow(/f\.csv line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n"x"y,2\n', 'f.csv')).toThrow(/f\.csv line 2: text after a closing quote/);
  });
});

describe('hosts CSV', () => {
  it('reads a spreadsheet export with aliased headers, multi-line notes and several roles', () => {
    const parsed = parseHostsCsv(fixture('hosts.csv'), 'hosts.csv');
    expect(parsed.hosts.map((h) => h.name)).toEqual(['pay-web01.prod.example.com', 'pay-web02.prod.example.com', 'pay-db01.prod.example.com', 'pay-web01.stg.example.com', 'backup01.example.com']);
    expect(parsed.hosts[2]).toMatchObject({ address: '10.20.1.18', port: 2222, user: 'ops', kind: 'server', owner: 'team-payments', vcpus: 16, memoryMb: 65536, diskGb: 2000, notes: 'Primary PostgreSQL; failover to pay-db02 is manual, see "DB runbook"', placements: [{ service: 'payments', stage: 'production', role: 'db' }], origin: { line: 4 } });
    expect(parsed.hosts[3]).toMatchObject({ notes: 'Shared web+app\nhost (multi-line note)', placements: [{ role: 'web' }, { role: 'app' }], origin: { line: 5 } });
    expect(parsed.hosts[3]!.port).toBeUndefined();
    expect(parsed.hosts[4]).toMatchObject({ kind: 'storage', placements: [] });
    expect(parsed.warnings).toEqual(['hosts.csv: column "Rack" is not known and was ignored (known: name, address, port, user, service, stage, role, kind, owner, vcpus, memory_mb, disk_gb, notes).']);
  });

  it('names the line of a row with too many fields, and a missing name column', () => {
    expect(() => parseHostsCsv(fixture('bad/too-many-fields.csv'), 'too-many-fields.csv')).toThrow(/^too-many-fields\.csv line 3: the row has 7 fields but the header has 6\./);
    expect(() => parseHostsCsv(fixture('bad/missing-name-column.csv'), 'missing.csv')).toThrow(/^missing\.csv line 1: the header has no "name" column/);
  });

  it('names the line and column of a bad value', () => {
    expect(() => parseHostsCsv('name,port\nw1,22\nw2,twenty\n', 'h.csv')).toThrow(/h\.csv line 3: column port: "twenty" is not a port number/);
    expect(() => parseHostsCsv('name,kind\nw1,laptop\n', 'h.csv')).toThrow(/h\.csv line 2: column kind: "laptop" is not one of vm, server, storage, network/);
    expect(() => parseHostsCsv('name,vcpus\nw1,2.5\n', 'h.csv')).toThrow(/column vcpus: "2\.5" is not a whole number/);
    expect(() => parseHostsCsv('name,address\n,10.0.0.1\n', 'h.csv')).toThrow(/h\.csv line 2: column name: every row needs a host name/);
    expect(() => parseHostsCsv('name,address,hostname\n', 'h.csv')).toThrow(/columns "name" and "hostname" both give name/);
    expect(() => parseHostsCsv('', 'h.csv')).toThrow(/the file is empty/);
    expect(() => parseHostsCsv('name,address\nw1,10.0.0.1\nw1,10.0.0.2\n', 'h.csv')).toThrow(/h\.csv line 3: host "w1" is also on line 2 with address "10\.0\.0\.1", here "10\.0\.0\.2"/);
  });

  it('reads semicolon-separated files and merges rows of one host into several placements', () => {
    const parsed = parseHostsCsv('Name;Service;Stage;Role\nw1;shop;prod;web\nw1;shop;uat;web\n', 'h.csv');
    expect(parsed.hosts).toHaveLength(1);
    expect(parsed.hosts[0]!.placements).toEqual([
      { service: 'shop', stage: 'prod', role: 'web' },
      { service: 'shop', stage: 'uat', role: 'web' },
    ]);
  });
});
