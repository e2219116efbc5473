/**
 * A promotion's risk: a score from 0 to 100 and its level, with every factor that contributed and
 * why, so a change board can see how it was reached and argue with it.
 */
import type { PromotionPlan } from './promotion-plan';

export interface RiskFactor {
  name: string;
  points: number;
  why: string;
}

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface Risk {
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
}

export interface RiskInput {
  plan: PromotionPlan;
  toProduction: boolean;
  /** Parity of the target with production before the change (0..1), when known. */
  targetParity?: number;
}

const levelOf = (score: number): RiskLevel => (score >= 75 ? 'critical' : score >= 50 ? 'high' : score >= 25 ? 'medium' : 'low');

export function assessRisk({ plan, toProduction, targetParity }: RiskInput): Risk {
  const factors: RiskFactor[] = [];
  const add = (name: string, points: number, why: string) => points > 0 && factors.push({ name, points: Math.round(points), why });
  const steps = plan.hosts.flatMap((h) => h.steps);
  add('production', toProduction ? 30 : 0, 'The target is production: users see any mistake.');
  add('hosts affected', Math.min(20, plan.summary.hostsAffected * 2), `${plan.summary.hostsAffected} host${plan.summary.hostsAffected === 1 ? '' : 's'} change.`);
  add('high-severity changes', Math.min(20, plan.summary.highSeverity * 4), `${plan.summary.highSeverity} change${plan.summary.highSeverity === 1 ? '' : 's'} to security-relevant packages, files or services.`);
  add('reboot', plan.summary.rebootNeeded > 0 ? 15 : 0, `${plan.summary.rebootNeeded} host${plan.summary.rebootNeeded === 1 ? '' : 's'} need a reboot (kernel, libc or systemd).`);
  const downgrades = steps.filter((s) => s.kind === 'package' && s.action === 'downgrade').length;
  add('downgrades', Math.min(10, downgrades * 3), `${downgrades} package${downgrades === 1 ? '' : 's'} go back to an older version.`);
  add('size', Math.min(10, steps.length / 5), `${steps.length} steps in all.`);
  if (targetParity !== undefined) add('drift in the target', Math.min(15, (1 - targetParity) * 300), `The target already differs from production (${(targetParity * 100).toFixed(1)} % parity): the plan meets hosts in an unusual state.`);
  add('unscanned hosts', plan.unscanned.length > 0 ? 10 : 0, `${plan.unscanned.length} host${plan.unscanned.length === 1 ? ' has' : 's have'} never been scanned: what it will do there is unknown.`);
  const score = Math.min(100, factors.reduce((sum, f) => sum + f.points, 0));
  return { score, level: levelOf(score), factors: factors.sort((a, b) => b.points - a.points) };
}
