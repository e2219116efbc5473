import { describe, expect, it } from 'vitest';
import { EarlyEvents } from './early-events';

const event = (jobId: string, n: number) => ({ jobId, n });

describe('events held until their job is known', () => {
  it('gives back a job its own events in arrival order, once', () => {
    const early = new EarlyEvents<ReturnType<typeof event>>();
    early.hold(event('a', 1));
    early.hold(event('b', 1));
    early.hold(event('a', 2));
    expect(early.take('a')).toEqual([event('a', 1), event('a', 2)]);
    expect(early.take('a')).toEqual([]);
    expect(early.take('b')).toEqual([event('b', 1)]);
  });

  it("drops the oldest job's events first, so other jobs' events cannot crowd out the newest", () => {
    const early = new EarlyEvents<ReturnType<typeof event>>(3, 2);
    for (const job of ['old', 'x', 'y', 'new']) early.hold(event(job, 1));
    early.hold(event('new', 2));
    early.hold(event('new', 3));
    expect(early.take('old')).toEqual([]);
    expect(early.take('new')).toEqual([event('new', 1), event('new', 2)]);
    expect(early.take('x')).toEqual([event('x', 1)]);
  });
});
