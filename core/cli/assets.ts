import type { CallInput, CallName, CallOutput, EventPayload } from '../contract/index';
import { jobFollower, type OnEvent } from './follow-job';
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

type SnapshotChoice = NonNullable<CallInput<'clone.plan'>['snapshot']>;

const snapshotChoice = (value: string): SnapshotChoice => (value === 'latest' ? { kind: 'latest' } : { kind: 'named', name: value });

/** --snapshot NAME|latest for every role, or ROLE=NAME|latest pairs separated by commas. */
function snapshotOptions(value: string | undefined): Pick<CallInput<'clone.plan'>, 'snapshot' | 'snapshots'> {
  if (value === undefined) return {};
  if (!value.includes('=')) {
    if (value.trim() === '') throw new UsageError('--snapshot takes a snapshot name, latest, or ROLE=NAME pairs.');
    return { snapshot: snapshotChoice(value.trim()) };
  }
  const pairs = value.split(',').filter(Boolean).map((pair) => {
    const [role, name] = pair.split('=');
    if (!role?.trim() || !name?.trim()) throw new UsageError(`--snapshot takes ROLE=NAME pairs (NAME may be latest) separated by commas, not "${pair}".`);
    return [role.trim(), snapshotChoice(name.trim())] as const;
  });
  return { snapshots: Object.fromEntries(pairs) };
}

/** Starts a clone job, prints each VM's steps as they come, and waits for the job's end. */
async function followClone(onEvent: OnEvent, out: (line: string) => void, start: () => Promise<{ jobId: string; runId: number }>): Promise<number> {
  const jobs = jobFollower(onEvent);
  onEvent((name, payload) => {
    if (name !== 'assets.progress') return;
    const p = payload as EventPayload<'assets.progress'>;
    out(`  ${p.vm}: ${p.state === 'failed' ? 'FAILED at ' : ''}${p.step} — ${p.message}`);
  });
  const started = await start();
  await jobs.ended(started.jobId);
  return started.runId;
}

async function printRun(invoke: Invoke, out: (line: string) => void, stageId: number, runId: number): Promise<number> {
  const status = await invoke('clone.status', { stageId, runId });
  for (const vm of status.vms) out(`${vm.newName} (${vm.role}): ${vm.step}${vm.hostId !== null ? ', a host of the stage' : ''}${vm.scan ? `; scan ${vm.scan.status} ${vm.scan.message}` : ''}${vm.lastError ? `; FAILED: ${vm.lastError}` : ''}`);
  for (const left of status.left) out(`left: ${left}`);
  if (status.parity) out(`Parity of ${status.run!.toStage} against production: ${Math.round(status.parity.parity * 100)} % (${status.parity.matching}/${status.parity.compared} facts)`);
  out(`Clone run ${runId}: ${status.run!.state}${status.run!.state === 'done' ? '' : `; resume it with --resume ${runId}`}`);
  return status.run!.state === 'done' ? 0 : 1;
}

/** stagecraft clone … --resume RUN|latest [--dry-run]: the dry run of what is left, then (confirmed by the command) the resume. */
async function resumeClone(options: Map<string, string>, invoke: Invoke, onEvent: OnEvent, out: (line: string) => void, stageId: number): Promise<number> {
  const which = options.get('resume')!;
  let runId: number;
  if (which === 'latest') {
    const latest = await invoke('clone.status', { stageId });
    if (!latest.run) throw new UsageError('That stage has no clone run to resume.');
    runId = latest.run.id;
  } else if (/^\d+$/.test(which)) runId = Number(which);
  else throw new UsageError(`--resume takes the number of a clone run or latest, not "${which}".`);
  const plan = await invoke('clone.resumePlan', { runId });
  out(`Resume clone run ${runId} of ${plan.serviceName} into ${plan.toStage} on ${plan.hypervisorName}`);
  for (const vm of plan.vms) {
    out(`  ${vm.newName} (${vm.role}, ${vm.step}): ${vm.action.toUpperCase()} — ${vm.note}`);
    for (const command of vm.operation?.commands ?? []) out(`    $ ${command}`);
  }
  for (const warning of plan.warnings) out(`warning: ${warning}`);
  for (const blocker of plan.blockers) out(`BLOCKED: ${blocker}`);
  if (plan.blockers.length > 0) return 3;
  if (options.has('dry-run')) return 0;
  await followClone(onEvent, out, () => invoke('clone.resume', { token: plan.token }));
  return printRun(invoke, out, stageId, runId);
}

/**
 * stagecraft clone WORKSPACE --from production --to STAGE --service S [--hypervisor H]
 *   [--template ROLE=VM,ROLE=VM] [--snapshot NAME|latest|ROLE=NAME,…] [--name-rule R] [--address-rule R]
 *   [--replace] [--scan] [--dry-run] [--resume RUN|latest]
 * The dry run prints every hypervisor operation and exits 0 (3 when something blocks the clone);
 * without --dry-run the command is the confirmation: it prints the same plan, then runs it, one
 * line per VM step. Exit 1 when a VM is left (the run can be resumed with --resume).
 */
export async function runCloneCommand(options: Map<string, string>, invoke: Invoke, onEvent: OnEvent, out: (line: string) => void): Promise<number> {
  const from = options.get('from') ?? 'production';
  const services = await invoke('services.list', {});
  const service = services.find((s) => s.name === options.get('service'));
  if (!service) throw new UsageError(`--service must name a service: ${services.map((s) => s.name).join(', ')}.`);
  const to = service.stages.find((s) => s.name === options.get('to'));
  if (!to) throw new UsageError(`--to must name a stage of ${service.name}: ${service.stages.filter((s) => !s.isProduction).map((s) => s.name).join(', ')}.`);
  if (options.has('resume')) return resumeClone(options, invoke, onEvent, out, to.id);
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
  const plan = await invoke('clone.plan', { serviceId: service.id, toStageId: to.id, hypervisorId: hypervisor.id, from: source, templates, ...(naming && { naming }), replace: options.has('replace'), ...snapshotOptions(options.get('snapshot')) });
  out(`Clone ${plan.fromStage ?? `image ${from}`} of ${plan.serviceName} into ${plan.toStage} on ${plan.hypervisorName}: ${plan.vms.length} VM(s)`);
  for (const vm of plan.vms) {
    const snapshot = vm.snapshot ? ` snapshot "${vm.snapshot.name}"${vm.snapshot.createdAt ? ` of ${vm.snapshot.createdAt}` : ''}` : '';
    out(`  ${vm.role}: ${vm.source}${snapshot} -> ${vm.newName} (${vm.address}), ${vm.size.vcpus} vCPU ${vm.size.memoryMb} MB ${vm.size.diskGb} GB`);
    for (const command of vm.operation.commands) out(`    $ ${command}`);
    for (const warning of [...vm.operation.warnings, ...vm.isolation]) out(`    warning: ${warning}`);
  }
  out(plan.placement.chosen ? `Pool: ${plan.placement.chosen.poolName} (${money(plan.placement.chosen.monthlyCost)} a month)` : `Pool: none (${plan.placement.reason})`);
  if (plan.replaces.length) out(`Rebuild: archives ${plan.replaces.join(', ')}`);
  for (const warning of plan.warnings) out(`warning: ${warning}`);
  for (const blocker of plan.blockers) out(`BLOCKED: ${blocker}`);
  if (plan.blockers.length > 0) return 3;
  if (options.has('dry-run')) return 0;
  const runId = await followClone(onEvent, out, () => invoke('clone.run', { token: plan.token, scan: options.has('scan') }));
  return printRun(invoke, out, to.id, runId);
}
