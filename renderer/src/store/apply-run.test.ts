import { describe, expect, it } from 'vitest';
import { applyMode, asTerminalShows, hostGroups, isOfLaterRun, stepsDone, withEvent, type ApplyHostView, type ApplyStatus } from './apply-run';

const host = (position: number, hostName: string, state: ApplyHostView['state'], interruptedIn: ApplyHostView['interruptedIn'] = null): ApplyHostView => ({
  id: position + 1,
  hostId: position + 10,
  hostName,
  position,
  state,
  safeguard: null,
  vm: null,
  backupDir: null,
  backups: [],
  interruptedIn,
  beforeSnapshotId: null,
  afterSnapshotId: null,
  message: '',
  startedAt: null,
  endedAt: null,
  commands: [],
});

const status = (run: Partial<NonNullable<ApplyStatus['run']>> | null, hosts: ApplyHostView[] = []): ApplyStatus => ({
  run: run && { id: 7, changeId: 3, state: 'running', concurrency: 1, canary: null, actor: 'Rita', startedAt: '2026-11-26T22:00:00.000Z', endedAt: null, message: '', live: false, ...run },
  hosts,
  changeState: 'scheduled',
});

describe('applyMode', () => {
  it('plans when the change has no run yet', () => {
    expect(applyMode(status(null))).toBe('plan');
  });

  it('follows a run this process is applying', () => {
    expect(applyMode(status({ live: true }, [host(0, 'a', 'applying')]))).toBe('running');
  });

  it('calls a run cut short by a dead app (running, not live), an interrupted one, or one with a host in doubt interrupted', () => {
    expect(applyMode(status({ state: 'running', live: false }, [host(0, 'a', 'applying')]))).toBe('interrupted');
    expect(applyMode(status({ state: 'interrupted' }, [host(0, 'a', 'in-doubt', 'applying')]))).toBe('interrupted');
    expect(applyMode(status({ state: 'failed' }, [host(0, 'a', 'done'), host(1, 'b', 'in-doubt', 'rolling-back')]))).toBe('interrupted');
  });

  it('shows the outcome of a run that ended', () => {
    for (const state of ['succeeded', 'rolled-back', 'failed', 'aborted'] as const) expect(applyMode(status({ state }, [host(0, 'a', 'done')]))).toBe('finished');
  });
});

describe('hostGroups', () => {
  it('sorts hosts into done, in doubt (marked or caught mid-way), untouched, rolled back and failed, in apply order', () => {
    const groups = hostGroups([host(3, 'd', 'pending'), host(1, 'b', 'in-doubt', 'applying'), host(0, 'a', 'done'), host(2, 'c', 'verifying'), host(4, 'e', 'rolled-back'), host(5, 'f', 'failed'), host(6, 'g', 'pending')]);
    const names = (hosts: ApplyHostView[]) => hosts.map((h) => h.hostName);
    expect(names(groups.done)).toEqual(['a']);
    expect(names(groups.inDoubt)).toEqual(['b', 'c']);
    expect(names(groups.untouched)).toEqual(['d', 'g']);
    expect(names(groups.rolledBack)).toEqual(['e']);
    expect(names(groups.failed)).toEqual(['f']);
  });
});

describe('withEvent', () => {
  const event = { jobId: 'j', changeId: 3, runId: 7, host: 'b', state: 'applying' as const, message: 'upgrade package x' };

  it("moves the event's host to its new state and message, leaving the others", () => {
    const before = status({ live: true }, [host(0, 'a', 'done'), host(1, 'b', 'snapshotting')]);
    const after = withEvent(before, event);
    expect(after.hosts.map((h) => [h.hostName, h.state, h.message])).toEqual([
      ['a', 'done', ''],
      ['b', 'applying', 'upgrade package x'],
    ]);
    expect(before.hosts[1]!.state).toBe('snapshotting');
  });

  it('ignores an event of another run (the status read is older or newer)', () => {
    const before = status({ id: 6, live: true }, [host(1, 'b', 'snapshotting')]);
    expect(withEvent(before, event)).toBe(before);
    const none = status(null);
    expect(withEvent(none, event)).toBe(none);
  });

  it('tells an event of a later run (or of a first run) from one of an older run: only the first needs the status read again', () => {
    expect(isOfLaterRun(status({ id: 6 }), event)).toBe(true);
    expect(isOfLaterRun(status(null), event)).toBe(true);
    expect(isOfLaterRun(status({ id: 7 }), event)).toBe(false);
    expect(isOfLaterRun(status({ id: 8 }), event)).toBe(false);
  });
});

describe('stepsDone', () => {
  const planned = [
    { phase: 'backup' as const },
    { phase: 'step' as const, step: 0 },
    { phase: 'step' as const, step: 0 },
    { phase: 'step' as const, step: 1 },
    { phase: 'step' as const, step: 2 },
  ];
  const command = (phase: 'backup' | 'step' | 'rollback', stepIndex: number | null, state: 'running' | 'ok' | 'failed' | 'in-doubt') => ({
    phase,
    stepIndex,
    label: 'x',
    command: 'x',
    state,
    exitCode: state === 'ok' ? 0 : null,
    output: '',
    truncated: false,
    startedAt: '2026-11-26T22:00:00.000Z',
    endedAt: null,
  });

  it('counts a step done once every one of its commands ran ok; a step half run, running or in doubt is not', () => {
    const on = { ...host(0, 'a', 'applying'), commands: [command('backup', null, 'ok'), command('step', 0, 'ok'), command('step', 0, 'ok'), command('step', 1, 'in-doubt'), command('step', 1, 'ok'), command('step', 2, 'running')] };
    expect(stepsDone(on, planned)).toEqual({ done: 2, total: 3 });
    expect(stepsDone({ ...on, commands: [command('step', 0, 'ok')] }, planned)).toEqual({ done: 0, total: 3 });
  });

  it('does not count rollback commands, nor a host with no plan steps', () => {
    const rolledBack = { ...host(0, 'a', 'rolled-back'), commands: [command('rollback', null, 'ok')] };
    expect(stepsDone(rolledBack, planned)).toEqual({ done: 0, total: 3 });
    expect(stepsDone(rolledBack, [{ phase: 'backup' }])).toEqual({ done: 0, total: 0 });
  });
});

describe('command output as a terminal showed it', () => {
  it('keeps what the last rewrite of each line left, and leaves CRLF and plain lines alone', () => {
    expect(asTerminalShows('(Reading database ... 5%\r(Reading database ... 50%\r(Reading database ... 8006 files.)\nUnpacking x')).toBe('(Reading database ... 8006 files.)\nUnpacking x');
    expect(asTerminalShows('Progress: 100%\rDone\n')).toBe('Doneress: 100%\n');
    expect(asTerminalShows('one\r\ntwo\n')).toBe('one\ntwo\n');
  });
});
