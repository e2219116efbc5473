/** Debian's python3-icalendar: an independent RFC 5545 implementation for tests to read ours and write for us. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PYTHON = '/usr/bin/python3';

export const hasPythonIcalendar =
  existsSync(PYTHON) &&
  (() => {
    try {
      execFileSync(PYTHON, ['-c', 'import icalendar'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

/** Runs a Python script with `input` on its standard input; returns what it printed. */
export const python = (script: string, input = '') => execFileSync(PYTHON, ['-c', script], { input, encoding: 'utf8' });
