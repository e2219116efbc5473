import { describe, expect, it } from 'vitest';
import { BASELINE_WATCH_GLOBS, defaultWatchGlobs } from './watch';

describe('default watched files', () => {
  it('always include the security-relevant basics', () => {
    for (const role of ['web', 'db', 'mystery']) expect(defaultWatchGlobs(role)).toEqual(expect.arrayContaining([...BASELINE_WATCH_GLOBS]));
  });
  it('add the configuration of what the role name says it runs', () => {
    expect(defaultWatchGlobs('web')).toContain('/etc/nginx/**');
    expect(defaultWatchGlobs('reporting-db')).toContain('/etc/postgresql/**');
    expect(defaultWatchGlobs('cache')).toContain('/etc/redis/**');
    expect(defaultWatchGlobs('mystery')).toHaveLength(BASELINE_WATCH_GLOBS.length);
  });
});
