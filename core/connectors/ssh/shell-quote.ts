/**
 * One word for a POSIX shell, whatever it contains: wrapped in single quotes, inside which nothing
 * is special, and each single quote written as '\'' (close, escaped quote, reopen).
 */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line of quoted words: nothing the caller passes is ever read as shell syntax. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
