import type { CallInput, CallName, CallOutput } from '../contract/index';
import { UsageError } from './main';

type Invoke = <N extends CallName>(name: N, input: CallInput<N>) => Promise<CallOutput<N>>;
type Report = CallOutput<'assets.report'>;
type Amounts = Report['stages'][number]['capacity'];

const gib = (mb: number) => `${(mb / 1024).toFixed(mb % 1024 === 0 ? 0 : 1)} GiB`;
const amounts = (a: Amounts) => `${a.vcpus} vCPU, ${gib(a.memoryMb)}, ${a.diskGb} GB`;
const money = (costs: Record<string, number>) => Object.entries(costs).map(([currency, amount]) => `${currency} ${amount.toFixed(2)}`).join(' + ') || 'no rate';

export function assetsAsText(report: Report): string[] {
  const lines: string[] = [];
  for (const stage of report.stages) {
    lines.push(`${stage.stageName}: capacity ${amounts(stage.capacity)}; allocated ${amounts(stage.allocated)}; free ${amounts(stage.free)}; ${money(stage.monthlyCost)} a month`);
    for (const usage of stage.pools) {
      const flags = [usage.overcommitted ? 'OVERCOMMITTED' : '', usage.unsizedHosts.length ? `size unknown: ${usage.unsizedHosts.join(', ')}` : ''].filter(Boolean).join('; ');
      lines.push(`  pool ${usage.pool.name} (${usage.pool.kind}): ${usage.allocatedHosts} hosts, allocated ${amounts(usage.allocated)} of ${amounts(usage.capacity)}; ${money(usage.monthlyCost)} a month, idle ${money(usage.idleCost)}${flags ? `; ${flags}` : ''}`);
    }
    for (const service of stage.services) lines.push(`  ${service.serviceName}: ${service.hosts} hosts, ${amounts(service.allocated)}; ${money(service.monthlyCost)} a month`);
    if (stage.outsidePools.length) lines.push(`  outside any pool: ${stage.outsidePools.join(', ')}`);
  }
  lines.push(`Leases (expiring: ${report.horizonDays} days or less left):`);
  if (report.leases.length === 0) lines.push('  none');
  for (const lease of report.leases) {
    const status = lease.state !== 'active' ? lease.state.toUpperCase() : lease.status === 'active' ? 'active' : lease.status.toUpperCase();
    const left = lease.state !== 'active' ? '' : lease.status === 'expired' ? `, ended ${lease.endsAt}` : `, ${lease.daysLeft} day(s) left`;
    lines.push(`  ${status.padEnd(9)} ${`${lease.serviceName} ${lease.stageName}`.padEnd(28)} ${lease.owner}, until ${lease.expiresOn} (${lease.timeZone})${left}${lease.reason ? ` — ${lease.reason}` : ''}`);
  }
  return lines;
}

/** stagecraft assets WORKSPACE [--stage T] [--format json|text] */
export async function runAssets(options: Map<string, string>, format: 'json' | 'text', invoke: Invoke, out: (line: string) => void): Promise<number> {
  const report = await invoke('assets.report', { ...(options.has('stage') && { stageName: options.get('stage')! }), ...(options.has('horizon') && { horizonDays: Number(options.get('horizon')) }) });
  if (format === 'json') out(JSON.stringify(report, null, 2));
  else for (const line of assetsAsText(report)) out(line);
  return 0;
}

/**
 * stagecraft clone WORKSPACE --from production --to STAGE --service S [--hypervisor H]
 *   [--template ROLE=VM,ROLE=VM] [--name-rule R] [--address-rule R] [--replace] [--scan] [--dry-run]
 * The dry run prints every hypervisor operation and exits 0 (3 when something blocks the clone);
 * without --dry-run the command is the confirmation: it prints the same plan, then runs it.
 */
export async function runCloneCommand(options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  const from = options.get('from') ?? 'production';
  const services = await invoke('services.list', {});
  const service = services.find((s) => s.name === options.get('service'));
  if (!service) throw new UsageError(`--service must name a service: ${services.map((s) => s.name).join(', ')}.`);
  const to = service.stages.find((s) => s.name === options.get('to'));
  if (!to) throw new UsageError(`--to must name a stage of ${service.name}: ${service.stages.filter((s) => !s.isProduction).map((s) => s.name).join(', ')}.`);
  let source: CallInput<'clone.plan'>['from'];
  if (from === 'production') source = { kind: 'production' };
  else {
    const image = (await invoke('images.list', { serviceId: service.id })).find((i) => i.label === from.replace(/^image:/, ''));
    if (!image) throw new UsageError(`--from takes "production" or an image label of ${service.name} (image:LABEL), not "${from}".`);
    source = { kind: 'image', imageId: image.id };
  }
  const hypervisors = await invoke('hypervisors.list', {});
  const hypervisor = options.has('hypervisor') ? hypervisors.find((h) => h.name === options.get('hypervisor')) : hypervisors.length === 1 ? hypervisors[0] : undefined;
  if (!hypervisor) throw new UsageError(hypervisors.length === 0 ? 'The workspace has no hypervisors: add one with stagecraft hypervisor add.' : `--hypervisor must name one of ${hypervisors.map((h) => h.name).join(', ')}.`);
  const templates = Object.fromEntries(
    (options.get('template') ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const [role, vm] = pair.split('=');
        if (!role || !vm) throw new UsageError(`--template takes ROLE=VM pairs separated by commas, not "${pair}".`);
        return [role.trim(), vm.trim()];
      }),
  );
  const naming = options.has('name-rule') || options.has('address-rule') ? { name: options.get('name-rule') ?? '{service}-{role}-{stage}-{n}', address: options.get('address-rule') ?? '{name}' } : undefined;
  const plan = await invoke('clone.plan', { serviceId: service.id, toStageId: to.id, hypervisorId: hypervisor.id, from: source, templates, ...(naming && { naming }), replace: options.has('replace') });
  out(`Clone ${plan.fromStage ?? `image ${from}`} of ${plan.serviceName} into ${plan.toStage} on ${plan.hypervisorName}: ${plan.vms.length} VM(s)`);
  for (const vm of plan.vms) {
    out(`  ${vm.role}: ${vm.source} -> ${vm.newName} (${vm.address}), ${vm.size.vcpus} vCPU ${vm.size.memoryMb} MB ${vm.size.diskGb} GB`);
    for (const command of vm.operation.commands) out(`    $ ${command}`);
    for (const warning of [...vm.operation.warnings, ...vm.isolation]) out(`    warning: ${warning}`);
  }
  out(plan.placement.chosen ? `Pool: ${plan.placement.chosen.poolName} (${money(plan.placement.chosen.monthlyCost)} a month)` : `Pool: none (${plan.placement.reason})`);
  if (plan.replaces.length) out(`Rebuild: archives ${plan.replaces.join(', ')}`);
  for (const warning of plan.warnings) out(`warning: ${warning}`);
  for (const blocker of plan.blockers) out(`BLOCKED: ${blocker}`);
  if (plan.blockers.length > 0) return 3;
  if (options.has('dry-run')) return 0;
  const result = await invoke('clone.run', { token: plan.token, scan: options.has('scan') });
  for (const host of result.hosts) out(`cloned ${host.name} (${host.role}) as a host of ${plan.toStage}`);
  for (const failure of result.failed) out(`FAILED ${failure.name}: ${failure.error}`);
  for (const scan of result.scans) out(`scan ${scan.host}: ${scan.status} ${scan.message}`);
  if (result.parity) out(`Parity of ${plan.toStage} against production: ${Math.round(result.parity.parity * 100)} % (${result.parity.matching}/${result.parity.compared} facts)`);
  return result.failed.length === 0 ? 0 : 1;
}
