/** factDifferences: what "the host is back to its previous facts" compares after a rollback. */
import { describe, expect, it } from 'vitest';
import { debianHost, replaceFile, textFile } from '../domain/test-support';
import { factDifferences } from './apply';

describe('factDifferences', () => {
  it('compares files as drift does: text that differs only by the host’s own identity is no difference, a real edit is', () => {
    // The same host, re-addressed between the two scans: its own address in a file is templated away.
    const before = debianHost('web-01', { index: 1, extraFiles: [textFile('/etc/app.conf', 'listen 10.20.1.11:8080\n')] });
    const after = debianHost('web-01', { index: 2, extraFiles: [textFile('/etc/app.conf', 'listen 10.20.1.12:8080\n')] });
    expect(factDifferences(before, after)).toEqual([]);
    const edited = replaceFile(after, '/etc/app.conf', 'listen 0.0.0.0:8080\n');
    expect(factDifferences(before, edited)).toEqual([expect.stringMatching(/^files:\/etc\/app\.conf: 0644 root:root sha256:\w+ → 0644 root:root sha256:\w+$/)]);
  });
});
