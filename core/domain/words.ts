/** How a line is cut into words: which quotes group, and whether a backslash escapes. */
export interface WordRules {
  /** Quote characters that group words (`"` for ssh_config; `"` and `'` for shell-like files). */
  quotes: readonly ('"' | "'")[];
  /** A backslash takes the next character literally, outside quotes and inside double quotes (shlex). */
  backslashEscapes: boolean;
}

/**
 * The words of one line: whitespace separates, quotes group (and are removed), `#` at the start of
 * a word begins a comment. Null when a quote is left open.
 */
export function splitWords(line: string, rules: WordRules): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (rules.backslashEscapes && ch === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += ch;
    } else if ((rules.quotes as readonly string[]).includes(ch)) {
      quote = ch;
      inWord = true;
    } else if (rules.backslashEscapes && ch === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(word);
  return words;
}
