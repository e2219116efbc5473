import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collectorCommand } from './connector';
import { shellCommand, shellQuote } from './shell-quote';

const HOSTILE = [
  'plain',
  'with space',
  "it's",
  '"double"',
  'a;rm -rf /',
  '$(touch /tmp/pwned)',
  '`id`',
  'line\nbreak',
  '',
  '-n',
  '*',
  '\\',
  "''",
  '$HOME && echo x | cat > y',
];

/** What a real sh receives as its arguments, one per NUL-terminated record. */
function argumentsSeenBySh(commandLine: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${commandLine}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

describe('shellQuote', () => {
  it('gives sh every hostile value back verbatim, as one word', () => {
    expect(argumentsSeenBySh(shellCommand(HOSTILE))).toEqual(HOSTILE);
    for (const value of HOSTILE) expect(argumentsSeenBySh(shellQuote(value))).toEqual([value]);
  });

  it('refuses NUL, which no argument can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('builds the collector command with the globs after both "--"', () => {
    const command = collectorCommand(['/etc/**', "-x'$(id)"], { maxFiles: 10 });
    expect(command).toBe(`'sh' '-s' '--' '--max-files' '10' '--' '/etc/**' '-x'\\''$(id)'`);
    expect(argumentsSeenBySh(command)).toEqual(['sh', '-s', '--', '--max-files', '10', '--', '/etc/**', "-x'$(id)"]);
  });
});
