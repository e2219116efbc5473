import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parseArgs, runCli } from './main';

let dir: string;
let lines: string[];
const out = (line: string) => lines.push(line);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stagecraft-cli-'));
  lines = [];
  process.env['STAGECRAFT_DATA_DIR'] = join(dir, 'data');
});

describe('stagecraft CLI', () => {
  it('prints help and version', async () => {
    expect(await runCli(['--help'], out)).toBe(0);
    expect(lines.join('\n')).toMatch(/stagecraft workspace create PATH/);
    lines = [];
    expect(await runCli(['--version'], out)).toBe(0);
    expect(lines[0]).toMatch(/^(dev|\d+\.\d+\.\d+)$/);
  });

  it('creates a workspace and describes it', async () => {
    const path = join(dir, 'team.stagecraft');
    expect(await runCli(['workspace', 'create', path, '--name', 'Platform team'], out)).toBe(0);
    expect(lines[0]).toContain('Created workspace "Platform team"');
    lines = [];
    expect(await runCli(['workspace', 'info', path, '--format', 'json'], out)).toBe(0);
    expect(JSON.parse(lines.join('\n'))).toMatchObject({ name: 'Platform team', counts: { services: 0 } });
  });

  it('exits 2 with a clear message on a bad workspace or bad usage', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const notWorkspace = join(dir, 'notes.txt');
    writeFileSync(notWorkspace, 'hello');
    expect(await runCli(['workspace', 'info', notWorkspace], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/not a Stagecraft workspace/);
    expect(await runCli(['workspace', 'create'], out)).toBe(2);
    expect(await runCli(['frobnicate'], out)).toBe(2);
    expect(errors.mock.calls.flat().join(' ')).toMatch(/Unknown command/);
    errors.mockRestore();
  });

  it('parses options with and without =', () => {
    expect(parseArgs(['a', '--name', 'x y', '--format=json'])).toEqual({ positional: ['a'], options: new Map([['name', 'x y'], ['format', 'json']]) });
    expect(() => parseArgs(['--name'])).toThrow(/needs a value/);
  });
});
