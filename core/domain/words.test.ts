import { describe, expect, it } from 'vitest';
import { splitWords, type WordRules } from './words';

const SSH: WordRules = { quotes: ['"'], backslashEscapes: false };
const SHLEX: WordRules = { quotes: ['"', "'"], backslashEscapes: true };

describe('splitWords', () => {
  it('separates on whitespace, groups quotes, stops at a comment that starts a word', () => {
    expect(splitWords('  IdentityFile "~/.ssh/my key"  # work key', SSH)).toEqual(['IdentityFile', '~/.ssh/my key']);
    expect(splitWords('web-01 ansible_host=10.0.0.1#not-a-comment', SHLEX)).toEqual(['web-01', 'ansible_host=10.0.0.1#not-a-comment']);
    expect(splitWords('', SSH)).toEqual([]);
  });

  it('ssh_config rules: double quotes only, backslashes kept', () => {
    expect(splitWords(`Host 'a b' c\\ d`, SSH)).toEqual(['Host', "'a", "b'", 'c\\', 'd']);
  });

  it('shell-like rules: both quotes, backslash escapes outside quotes and inside double quotes only', () => {
    expect(splitWords(`h note='it is' msg="say \\"hi\\"" path=a\\ b raw='\\n'`, SHLEX)).toEqual(['h', 'note=it is', 'msg=say "hi"', 'path=a b', 'raw=\\n']);
  });

  it('refuses an open quote', () => {
    expect(splitWords('Host "unclosed', SSH)).toBeNull();
    expect(splitWords("h var='open", SHLEX)).toBeNull();
  });
});
