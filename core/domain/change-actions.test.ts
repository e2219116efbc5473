import { describe, expect, it } from 'vitest';
import { actionsFrom, CHANGE_ACTIONS, CHANGE_STATES, transition, type Person, type WorkflowChange } from './change-workflow';

describe('actionsFrom', () => {
  it('names the actions each state has', () => {
    expect(actionsFrom('draft')).toEqual(['submit', 'cancel']);
    expect(actionsFrom('submitted')).toEqual(['approve', 'reject', 'cancel']);
    expect(actionsFrom('scheduled')).toEqual(['schedule', 'implement', 'fail', 'cancel']);
    expect(actionsFrom('closed')).toEqual([]);
  });

  it('agrees with transition: any other action is refused for the state, whoever asks', () => {
    const boss: Person = { id: 1, name: 'Boss', roles: ['requester', 'approver', 'cab', 'release-manager'] };
    for (const state of CHANGE_STATES) {
      const change: WorkflowChange = { state, requesterId: 2, decisions: [], requirement: { count: 1, roles: [], allowSelfApproval: true }, window: null, stale: false };
      for (const action of CHANGE_ACTIONS) {
        if (actionsFrom(state).includes(action)) continue;
        const result = transition({ change, action, actor: boss, now: '2026-01-01T00:00:00Z' });
        expect(result.ok ? 'allowed' : result.reason).toMatch(/cannot be/);
      }
    }
  });
});
