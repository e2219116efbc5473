/**
 * The parts of a change request written for people and for signatures: the implementation, backout
 * and test plans generated from a promotion plan (editable afterwards), and the canonical form of
 * what an approver signs. Pure.
 */
import { stepLabel } from './apply-plan';
import type { PlanStep, PromotionPlan } from './promotion-plan';

/** A step as the implementation plan lists it: packages and sysctls as apply labels their commands; files and services shorter. */
function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'package':
      return stepLabel(step);
    case 'file':
      return `${step.action === 'write' ? 'write' : 'remove'} ${step.path}`;
    case 'sysctl':
      return `${stepLabel(step)}${step.from !== undefined ? ` (was ${step.from})` : ''}`;
    case 'service':
      return `${step.action} ${step.name}${step.because ? ` (${step.because})` : ''}`;
  }
}

/** Hosts that get the very same steps are listed together. */
function groups(plan: PromotionPlan): { hosts: string[]; role: string; steps: PlanStep[]; reboot: boolean }[] {
  const byKey = new Map<string, { hosts: string[]; role: string; steps: PlanStep[]; reboot: boolean }>();
  for (const host of plan.hosts) {
    if (host.steps.length === 0) continue;
    const key = JSON.stringify([host.role, host.steps, host.rebootNeeded]);
    const group = byKey.get(key);
    if (group) group.hosts.push(host.host);
    else byKey.set(key, { hosts: [host.host], role: host.role, steps: host.steps, reboot: host.rebootNeeded });
  }
  return [...byKey.values()];
}

export function implementationPlanOf(plan: PromotionPlan, targetStage: string): string {
  const lines = [`Bring ${targetStage} to image ${plan.image}.`];
  const all = groups(plan);
  if (all.length === 0) lines.push('Every scanned host already matches the image: nothing to change.');
  all.forEach((group, i) => {
    lines.push(`${i + 1}. On ${group.hosts.join(', ')} (${group.role}):`);
    for (const step of group.steps) lines.push(`   - ${describeStep(step)}`);
    if (group.reboot) lines.push('   - reboot (kernel, libc or systemd changed)');
  });
  if (plan.unscanned.length > 0) lines.push(`Not planned (never scanned): ${plan.unscanned.join(', ')}. Scan them and re-plan before implementing.`);
  return lines.join('\n');
}

/** Where a target host is a VM of a known hypervisor: its snapshot is the quickest way back. */
export interface VmOfHost {
  host: string;
  hypervisor: string;
  domain: string;
}

/** The VM snapshot an apply run takes before touching a host: one per run, so a later run never meets an earlier one's. */
export const applySnapshotName = (changeId: number, runId: number | string) => `stagecraft-change-${changeId}-run-${runId}`;

export function backoutPlanOf(plan: PromotionPlan, context: { changeId: number; targetStage: string; previousImage: string | null; vms: readonly VmOfHost[] }): string {
  const touched = plan.hosts.filter((h) => h.steps.length > 0).map((h) => h.host);
  const vms = context.vms.filter((vm) => touched.includes(vm.host));
  const others = touched.filter((host) => !vms.some((vm) => vm.host === host));
  // The run's number is known only when it starts: the apply status shows it.
  const snapshot = applySnapshotName(context.changeId, 'R');
  const lines: string[] = [];
  if (vms.length > 0) {
    lines.push(`Before implementing, snapshot each VM as "${snapshot}" (R: the number of the apply run); to back out, revert it:`);
    for (const vm of vms) lines.push(`   - ${vm.host}: revert domain ${vm.domain} on hypervisor ${vm.hypervisor} to snapshot ${snapshot}`);
  }
  if (others.length > 0 || vms.length === 0) {
    const hosts = others.length > 0 ? others.join(', ') : touched.join(', ') || 'the target hosts';
    lines.push(
      context.previousImage
        ? `Return ${hosts} to the previous image of ${context.targetStage}, ${context.previousImage}: plan a promotion of ${context.previousImage} onto ${context.targetStage} and apply it.`
        : `${context.targetStage} had no image before: restore ${hosts} to the state of their last snapshot before the change (files and package versions listed in the plan's "from" values).`,
    );
  }
  lines.push(`Then rescan ${context.targetStage} and expect its drift to be what it was before the change.`);
  return lines.join('\n');
}

export function testPlanOf(plan: PromotionPlan, targetStage: string): string {
  const services = [...new Set(plan.hosts.flatMap((h) => h.steps.filter((s) => s.kind === 'service' && s.action !== 'stop' && s.action !== 'disable').map((s) => (s as { name: string }).name)))];
  const lines = [`Rescan every host of ${targetStage} and expect zero drift against image ${plan.image}.`];
  if (services.length > 0) lines.push(`Check that ${services.join(', ')} ${services.length === 1 ? 'is' : 'are'} active on the hosts that changed.`);
  if (plan.hosts.some((h) => h.rebootNeeded)) lines.push('Check that rebooted hosts came back and run the new kernel.');
  return lines.join('\n');
}

/**
 * What an approver signs: the change as it was decided, so any later edit of one of these fields breaks the signature.
 * The window is not among them: a release manager schedules an approved change (checked against freezes and conflicts,
 * and audited), so including it would void every approval given before scheduling.
 */
export interface ApprovalPayload {
  kind: 'stagecraft-change-decision';
  changeId: number;
  title: string;
  planHash: string;
  targetStageId: number;
  imageId: number;
  category: string;
  risk: { level: string; score: number };
  decision: 'approve' | 'reject';
  approver: { id: number; name: string };
  at: string;
}
