import { describe, expect, it } from 'vitest';
import { linearEdges, type Lifecycle } from './lifecycle';
import { defaultPolicy, evaluatePromotion, simulatePath, type StagePolicy } from './release-policy';

const names = ['integration', 'testing', 'staging', 'uat', 'production'];
const stages = names.map((name, i) => ({ id: i + 1, name, position: i, isProduction: name === 'production' }));
const lifecycle: Lifecycle = { stages, edges: linearEdges(stages) };
const id = (name: string) => stages.find((s) => s.name === name)!.id;
const policies = new Map<number, StagePolicy>(stages.map((s) => [s.id, defaultPolicy(s)]));
const now = '2026-12-01T12:00:00Z';
const ask = (from: string, to: string, history: Record<string, string>, extra = {}) =>
  evaluatePromotion({ lifecycle, policies, history: new Map(Object.entries(history).map(([k, v]) => [id(k), v])), fromStageId: id(from), toStageId: id(to), now, ...extra });
const rule = (verdict: ReturnType<typeof ask>, name: string) => verdict.rules.find((r) => r.rule === name);

describe('promotion verdicts', () => {
  it('allows the next stage when every rule passes, and says approvals are still needed', () => {
    const verdict = ask('testing', 'staging', { integration: '2026-11-01T00:00:00Z', testing: '2026-11-20T00:00:00Z' });
    expect(verdict).toMatchObject({ allowed: true, refusedOutright: false, earliestAt: '2026-12-01T12:00:00.000Z' });
    expect(rule(verdict, 'approvals')).toMatchObject({ status: 'info', reason: 'Needs 1 approval from approver, not by the requester.' });
  });

  it('refuses a skipped stage, an upstream stage and the same stage outright, saying why', () => {
    expect(ask('testing', 'uat', { testing: now })).toMatchObject({ allowed: false, refusedOutright: true, rules: [{ rule: 'edge', reason: 'uat is not next after testing: it would skip staging.' }] });
    expect(ask('uat', 'testing', { uat: now })).toMatchObject({ refusedOutright: true, rules: [{ reason: 'testing is upstream of uat: images only move forward.' }] });
    expect(ask('uat', 'uat', { uat: now })).toMatchObject({ refusedOutright: true, rules: [{ rule: 'same-stage' }] });
  });

  it('holds production until the image has soaked 72 h in UAT', () => {
    const verdict = ask('uat', 'production', { staging: '2026-11-01T00:00:00Z', uat: '2026-11-30T12:00:00Z' });
    expect(verdict.allowed).toBe(false);
    expect(rule(verdict, 'soak')).toMatchObject({ status: 'failed', reason: 'It must soak 72 h in uat: not before 2026-12-03T12:00:00.000Z.' });
    expect(verdict.earliestAt).toBe('2026-12-03T12:00:00.000Z');
    expect(rule(verdict, 'approvals')?.reason).toBe('Needs 2 approvals from cab, not by the requester.');
  });

  it('refuses a frozen target and gives the first time after the freeze', () => {
    const frozen = new Map(policies);
    frozen.set(id('production'), { ...defaultPolicy({ isProduction: true }), minSoakHours: 0, freezeWindows: [{ kind: 'once', start: '2026-12-01T00:00', end: '2026-12-05T00:00', timeZone: 'UTC', reason: 'peak season' }] });
    const verdict = evaluatePromotion({ lifecycle, policies: frozen, history: new Map([[id('uat'), '2026-11-01T00:00:00Z']]), fromStageId: id('uat'), toStageId: id('production'), now });
    expect(rule(verdict, 'freeze')).toMatchObject({ status: 'failed', reason: 'production is frozen: peak season, until 2026-12-05T00:00:00.000Z.' });
    expect(verdict.earliestAt).toBe('2026-12-05T00:00:00.000Z');
  });

  it('requires the predecessors the policy names, by default the stages with an edge into the target', () => {
    const verdict = ask('staging', 'uat', {});
    expect(rule(verdict, 'predecessors')).toMatchObject({ status: 'failed', reason: 'The image has not been through staging yet.' });
    expect(verdict.earliestAt).toBeNull();
  });

  it('asks for an acknowledgement when the target is below its parity threshold', () => {
    const history = { testing: '2026-11-01T00:00:00Z' };
    expect(rule(ask('testing', 'staging', history, { targetParity: 0.9 }), 'parity')).toMatchObject({ status: 'warning' });
    expect(ask('testing', 'staging', history, { targetParity: 0.9 }).allowed).toBe(false);
    expect(ask('testing', 'staging', history, { targetParity: 0.9, acknowledgedDrift: true }).allowed).toBe(true);
  });
});

describe('what-if along a path', () => {
  it('dates each hop as early as soak allows, and stops where a hop is blocked', () => {
    const soaking = new Map(policies);
    soaking.set(id('uat'), { ...defaultPolicy({ isProduction: false }), minSoakHours: 24 });
    const hops = simulatePath({ lifecycle, policies: soaking, history: new Map([[id('testing'), '2026-11-30T12:00:00Z']]), now }, [id('testing'), id('staging'), id('uat'), id('production')]);
    expect(hops.map((h) => h.arrivesAt)).toEqual(['2026-12-01T12:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-05T12:00:00.000Z']);
  });

  it('reports what blocks a hop', () => {
    const hops = simulatePath({ lifecycle, policies, history: new Map(), now }, [id('testing'), id('staging')]);
    expect(hops[0]).toMatchObject({ arrivesAt: null, blockers: ['The image has not been through testing yet.'] });
  });
});
