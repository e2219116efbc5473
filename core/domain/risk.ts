/**
 * A promotion's risk: a score from 0 to 100 and a level, with every factor listed — its weight,
 * what it contributed and why — so a change board sees how the figure was reached and can argue
 * with it. Factors that contributed nothing are listed too ("not production"), so the absence of
 * a risk is explained as well as its presence.
 *
 * Changes are counted once per distinct change (the same upgrade on ten hosts is one change):
 * the number of hosts is its own factor.
 */
import type { PlanStep, PromotionPlan } from './plan';
import { formatParity } from './parity';

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

export type RiskFactorName = 'production' | 'hosts' | 'high-severity' | 'reboot' | 'target-drift' | 'steps' | 'downgrades' | 'unknown-state' | 'manual-steps';

export interface RiskFactor {
  name: RiskFactorName;
  /** Points this factor added. */
  contribution: number;
  /** The most it can add. */
  weight: number;
  why: string;
}

export interface Risk {
  score: number;
  level: RiskLevel;
  /** Largest contribution first. */
  factors: RiskFactor[];
}

/** The most each factor can add; they sum to more than 100, and the score is capped. */
export const RISK_WEIGHTS: Readonly<Record<RiskFactorName, number>> = Object.freeze({
  production: 25,
  hosts: 15,
  'high-severity': 20,
  reboot: 15,
  'target-drift': 10,
  steps: 10,
  downgrades: 10,
  'unknown-state': 5,
  'manual-steps': 5,
});

/** Level thresholds: below 25 low, below 50 medium, below 75 high, else critical. */
export const levelOf = (score: number): RiskLevel => (score >= 75 ? 'critical' : score >= 50 ? 'high' : score >= 25 ? 'medium' : 'low');

export interface RiskInput {
  plan: PromotionPlan;
  /** Whether the target stage is production. */
  toProduction: boolean;
  /** The target stage's parity with production before the change (0..1), when known. */
  targetParity?: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The identity of a change regardless of host. */
function changeId(step: PlanStep): string {
  switch (step.kind) {
    case 'package':
      return `package:${step.action}:${step.manager}:${step.name}:${step.arch}:${step.from ?? ''}:${step.to ?? ''}`;
    case 'file':
      return `file:${step.action}:${step.path}:${step.sha256 ?? ''}`;
    case 'sysctl':
      return `sysctl:${step.key}:${step.to}`;
    case 'service':
      return `service:${step.action}:${step.name}`;
    case 'manual':
      return `manual:${step.category}:${step.key}:${step.expected ?? ''}`;
    default:
      return step.kind;
  }
}

export function assessRisk({ plan, toProduction, targetParity }: RiskInput): Risk {
  const factors: RiskFactor[] = [];
  const add = (name: RiskFactorName, share: number, why: string) => {
    const weight = RISK_WEIGHTS[name];
    factors.push({ name, weight, contribution: Math.round(Math.max(0, Math.min(1, share)) * weight), why });
  };
  const distinct = new Map<string, PlanStep>();
  for (const host of plan.hosts) for (const step of host.steps) distinct.set(changeId(step), step);
  const changes = [...distinct.values()];
  const nothing = plan.hosts.length === 0;

  add('production', toProduction && !nothing ? 1 : 0, toProduction ? (nothing ? 'The target is production, but nothing changes there.' : 'The target is production: users meet any mistake.') : 'The target is not production.');

  const n = plan.summary.hostsAffected;
  add('hosts', n === 0 ? 0 : n === 1 ? 0.35 : n <= 5 ? 0.55 : n <= 20 ? 0.8 : 1, n === 0 ? 'No host changes.' : `${plural(n, 'host')} change${n === 1 ? 's' : ''}${n > 5 ? ': a mistake repeats across many of them' : ''}.`);

  const high = changes.filter((s) => s.severity === 'high');
  add(
    'high-severity',
    high.length / 4,
    high.length === 0
      ? 'No change touches security-relevant packages, files or services.'
      : `${plural(high.length, 'change')} to security-relevant packages, files or services (e.g. ${high
          .slice(0, 3)
          .map((s) => (s.kind === 'package' ? s.name : s.kind === 'file' ? s.path : s.kind === 'service' ? s.name : s.kind === 'sysctl' ? s.key : s.kind))
          .join(', ')}).`,
  );

  const rebooting = plan.hosts.filter((h) => h.rebootNeeded);
  const reasons = [...new Set(rebooting.flatMap((h) => h.rebootReasons))];
  add('reboot', rebooting.length > 0 ? 1 : 0, rebooting.length === 0 ? 'No reboot is needed.' : `${plural(rebooting.length, 'host')} must reboot: ${reasons.slice(0, 3).join('; ')}.`);

  if (nothing) {
    add('target-drift', 0, 'Nothing changes, so the state of the target does not matter.');
  } else if (targetParity === undefined) {
    add('target-drift', 0.5, 'The target\'s parity with production is unknown: its hosts may be in an unexpected state.');
  } else {
    // 100 % parity adds nothing; 90 % or less adds the full weight.
    add('target-drift', (1 - targetParity) * 10, targetParity >= 1 ? 'The target matches production.' : `The target already drifts from production (${formatParity(targetParity)} parity): the plan meets hosts in an unusual state.`);
  }

  add('steps', changes.length / 40, `${plural(changes.length, 'distinct change')}${changes.length >= 40 ? ': a large change is hard to review and to back out' : ''}.`);

  const downgrades = changes.filter((s) => s.kind === 'package' && s.action === 'downgrade');
  add('downgrades', downgrades.length / 3, downgrades.length === 0 ? 'No package goes back to an older version.' : `${plural(downgrades.length, 'package')} go${downgrades.length === 1 ? 'es' : ''} back to an older version: downgrades are less tested than upgrades.`);

  const unknown = plan.unscanned.length + plan.roleless.length;
  add(
    'unknown-state',
    unknown > 0 ? 1 : 0,
    unknown === 0 ? 'Every host of the target was scanned and plays a role of the image.' : `${plural(unknown, 'host')} could not be planned (never scanned, or a role the image lacks): what the change does there is unknown.`,
  );

  const manual = changes.filter((s) => s.kind === 'manual').length;
  add('manual-steps', manual > 0 ? Math.min(1, 0.4 + manual / 10) : 0, manual === 0 ? 'Every difference is applied by a step.' : `${plural(manual, 'difference')} must be handled by hand.`);

  const score = Math.min(100, factors.reduce((sum, f) => sum + f.contribution, 0));
  factors.sort((a, b) => b.contribution - a.contribution || b.weight - a.weight);
  return { score, level: levelOf(score), factors };
}
