import { resolve } from 'node:path';
import { IMPORT_FORMATS } from '../contract/imports';
import { CallFailed, type CallName, type CallOutput, type EventPayload } from '../contract/index';
import type { CallInput } from '../contract/index';
import { driftItemsAsText, parityLine } from '../reports/drift-text';
import { runChange, runCalendar, runPeople } from './change';
import { runReport } from './report';
import { textOrJson, writeOutFile } from './output-format';
import { keyRingOf } from '../services/current-person';
import { runApplyCommand } from './apply';
import { runAssets, runCloneCommand } from './assets';
import { jobFollower } from './follow-job';
import { buildDemoWorkspace } from '../services/demo';
import { diffFiles } from '../services/diff';
import { addHypervisor, cachedInventory, matchHypervisorDomains, refreshInventory } from '../services/hypervisors';
import { collectSnapshot, readCollectorScript } from '../services/scan';
import { defaultWatchGlobs } from '../domain/watch';
import { APP_VERSION, createApp, findResourcesDir } from '../services/app';

const HELP = `stagecraft ${APP_VERSION}: release-stage manager, headless

Usage:
  stagecraft workspace create PATH [--name NAME]   create an empty workspace file
  stagecraft workspace info PATH [--format json|text]
                                                   what a workspace holds
  stagecraft demo PATH                             build the demo workspace into PATH
  stagecraft diff BASELINE.json ACTUAL.json [--role ROLE] [--format json|text]
                                                   drift between two snapshot files (or an image
                                                   file and a snapshot); exit 0 equal, 1 drift
  stagecraft drift WORKSPACE [--service S] [--stage T] [--format json|text]
                                                   the workspace's drift and parity; with --stage,
                                                   every drift item of that stage
  stagecraft collect ssh://USER@HOST[:PORT] [--identity KEY] [--known-hosts FILE] [--accept-new]
                   [--watch GLOB,GLOB] [--out FILE [--overwrite]]
                                                   collect one host's facts (read-only) as a
                                                   snapshot JSON, printed or written to FILE
  stagecraft scan WORKSPACE [--service S] [--stage T] [--concurrency N] [--accept-new]
                  [--identity KEY] [--known-hosts FILE]
                                                   collect every matching host into the workspace,
                                                   a line per host; exit 1 if any host failed
  stagecraft import WORKSPACE FILE [--format ansible-ini|ansible-yaml|ansible-facts|csv|ssh-config|snapshot]
                  [--host NAME] [--dry-run]
                                                   import hosts, placements and snapshots in one
                                                   transaction (the format is guessed when absent)
  stagecraft promote WORKSPACE --service S --image V --to STAGE --plan [--format json|text]
                                                   the plan, policy verdict and risk of promoting
                                                   image V to STAGE, nothing saved; exit 0 when the
                                                   policy allows it, 3 when it refuses
  stagecraft hypervisor add WORKSPACE --name N --uri URI
  stagecraft hypervisor list|refresh|match WORKSPACE [--name N]
                                                   libvirt hypervisors: read their VMs, pools and
                                                   snapshots (read-only), match VMs to hosts
  stagecraft assets WORKSPACE [--stage T] [--horizon DAYS] [--format json|text]
                                                   capacity, allocation, free room and monthly cost
                                                   per stage, pool and service; leases expiring
                                                   within DAYS (default 7) and expired
  stagecraft clone WORKSPACE --from production|image:LABEL --to STAGE --service S [--hypervisor H]
                  [--template ROLE=VM,...] [--snapshot NAME|latest|ROLE=NAME,...] [--name-rule R]
                  [--address-rule R] [--replace] [--scan] [--dry-run] [--resume RUN|latest]
                                                   clone production's VMs (shut off, or running from
                                                   a snapshot) or templates into STAGE as new hosts;
                                                   --dry-run lists every hypervisor operation; without
                                                   it the command confirms and runs them; --resume
                                                   finishes an interrupted run; exit 3 when something
                                                   blocks it, 1 when a VM is left
  stagecraft apply WORKSPACE --change ID [--dry-run] [--concurrency N] [--canary HOST]
                  [--resume complete|roll-back] [--as PERSON] [--identity KEY] [--known-hosts FILE]
                                                   apply an approved change in its window: the dry
                                                   run prints every command and file diff; exit 0
                                                   applied and verified, 4 rolled back, 2 error
  stagecraft change list WORKSPACE [--state S] [--service S] [--format json|text]
  stagecraft change show WORKSPACE ID [--format json|text]
  stagecraft change submit|approve|reject|schedule|implement|fail|close|cancel|roll-back|reopen|replan
                  WORKSPACE ID [--reason R] [--start T --end T --tz ZONE] [--as PERSON]
                                                   change requests: move one through its workflow
                                                   (approvals are signed with PERSON's key); exit 3
                                                   when the workflow refuses, saying why
  stagecraft people list|add WORKSPACE [--name N --roles R,R] [--as PERSON]
  stagecraft calendar export WORKSPACE --from DATE --to DATE --out FILE.ics [--no-freezes] [--no-leases] [--overwrite]
  stagecraft calendar import WORKSPACE FILE.ics [--tz ZONE] [--dry-run]
  stagecraft calendar remove WORKSPACE --source FILE.ics|--uid UID
                                                   the change calendar as iCalendar, and the
                                                   organisation's events imported for conflicts
  stagecraft audit verify WORKSPACE               check the audit log's hash chain; exit 1 naming
                                                   the first altered, removed or reordered entry
  stagecraft report WORKSPACE (--changes ID,ID | --from DATE --to DATE | --drift [--service S])
                  [--format pdf|html|md|csv|json] --out FILE [--overwrite]
                                                   a CAB pack of changes (by id, or due in a date
                                                   range) or a drift report; an existing FILE is
                                                   replaced only with --overwrite
  stagecraft --version | --help

Exit codes: 0 success (diff: no drift), 1 drift found (diff), 2 error (bad arguments, unreadable
or refused file), 3 promotion refused by the policy (promote) or change refused by its workflow,
4 change rolled back (apply).
`;

export class UsageError extends Error {}

/** Options that take no value. */
const FLAGS = new Set(['accept-new', 'dry-run', 'plan', 'drift', 'overwrite', 'replace', 'scan', 'no-freezes', 'no-leases']);

/** Options of the form --name VALUE (or a flag such as --accept-new); anything else is positional. */
export function parseArgs(argv: string[]): { positional: string[]; options: Map<string, string> } {
  const positional: string[] = [];
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (FLAGS.has(key)) {
        options.set(key, 'true');
        continue;
      }
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`--${key} needs a value.`);
      if (inline === undefined) i++;
      options.set(key, value);
    } else positional.push(arg);
  }
  return { positional, options };
}

export async function runCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    out(HELP);
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    out(APP_VERSION);
    return 0;
  }
  const app = createApp({ shell: 'cli', resourcesDir: findResourcesDir(import.meta.url) });
  const invoke = async <N extends CallName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> => {
    const result = await app.dispatch(name, input);
    if (!result.ok) throw new CallFailed(result.error);
    return result.value as CallOutput<N>;
  };
  try {
    const [command, sub, ...rest] = argv;
    if (command === 'workspace' && sub === 'create') {
      const { positional, options } = parseArgs(rest);
      const path = requirePath(positional);
      const summary = await invoke('workspace.create', { path: resolve(path), name: options.get('name') ?? defaultName(path) });
      out(`Created workspace "${summary.name}" at ${summary.path} (schema ${summary.schemaVersion}).`);
      return 0;
    }
    if (command === 'workspace' && sub === 'info') {
      const { positional, options } = parseArgs(rest);
      const summary = await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      if (textOrJson(options) === 'json') out(JSON.stringify(summary, null, 2));
      else {
        const c = summary.counts;
        out(`${summary.name}\n  file: ${summary.path}\n  schema: ${summary.schemaVersion}\n  created: ${summary.createdAt}\n  ${c.services} services, ${c.hosts} hosts, ${c.snapshots} snapshots, ${c.images} images`);
      }
      return 0;
    }
    if (command === 'import') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      if (positional.length !== 2) throw new UsageError('import needs WORKSPACE and FILE.');
      await invoke('workspace.open', { path: resolve(positional[0]!) });
      const format = options.get('format');
      if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}.`);
      const request = { path: resolve(positional[1]!), ...(format && { format: format as (typeof IMPORT_FORMATS)[number] }), ...(options.has('host') && { host: options.get('host')! }) };
      const summary = await invoke(options.has('dry-run') ? 'import.preview' : 'import.apply', request);
      const c = summary.counts;
      for (const problem of summary.problems) out(`${problem.severity === 'error' ? 'ERROR' : 'warning'}: ${problem.message}${problem.hint ? `\n  ${problem.hint}` : ''}`);
      out(
        `${options.has('dry-run') ? 'Would import' : 'Imported'} from ${summary.source} (${summary.format}): ${c.servicesCreated} services, ${c.hostsCreated} new hosts, ${c.hostsUpdated} updated, ${c.placementsCreated} placements, ${c.snapshotsCreated} snapshots.`,
      );
      return 0;
    }
    if (command === 'promote') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      if (!options.has('plan')) throw new UsageError('promote only plans for now: add --plan (nothing is saved or applied).');
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      const services = await invoke('services.list', {});
      const service = services.find((s) => s.name === options.get('service'));
      if (!service) throw new UsageError(`--service must name a service: ${services.map((s) => s.name).join(', ')}.`);
      const images = await invoke('images.list', { serviceId: service.id });
      const image = images.find((i) => i.label === options.get('image'));
      if (!image) throw new UsageError(`--image must name an image of ${service.name}: ${images.map((i) => i.label).join(', ') || 'it has none'}.`);
      const to = service.stages.find((s) => s.name === options.get('to'));
      if (!to) throw new UsageError(`--to must name a stage of ${service.name}: ${service.stages.map((s) => s.name).join(', ')}.`);
      // The image moves from the latest stage it is assigned to that has an edge into the target, else its newest stage.
      const from = service.stages.find((s) => image.assignedTo.includes(s.id) && service.edges.some((e) => e.from === s.id && e.to === to.id)) ?? service.stages.find((s) => s.id === image.assignedTo.at(-1));
      if (!from) throw new UsageError(`Image ${image.label} is not assigned to any stage of ${service.name}, so it cannot be promoted.`);
      const proposal = await invoke('promotion.plan', { serviceId: service.id, imageId: image.id, fromStageId: from.id, toStageId: to.id, acknowledgeDrift: false });
      if (textOrJson(options) === 'json') out(JSON.stringify(proposal, null, 2));
      else {
        out(`Promote image ${image.label} of ${service.name} from ${from.name} to ${to.name}: ${proposal.verdict.allowed ? 'allowed' : 'REFUSED'}`);
        for (const rule of proposal.verdict.rules) out(`  ${rule.status.padEnd(7)} ${rule.reason}`);
        out(`  earliest allowed: ${proposal.verdict.earliestAt ?? 'never by this path'}`);
        out(`Risk ${proposal.risk.level} (${proposal.risk.score}/100): ${proposal.risk.factors.map((f) => `${f.name} +${f.points}`).join(', ')}`);
        out(`Plan: ${proposal.plan.summary.steps} steps on ${proposal.plan.summary.hostsAffected} hosts${proposal.plan.unscanned.length ? `; never scanned: ${proposal.plan.unscanned.join(', ')}` : ''}`);
        for (const host of proposal.plan.hosts) {
          out(`  ${host.host} (${host.role})${host.rebootNeeded ? ', reboot needed' : ''}`);
          for (const step of host.steps) {
            const what =
              step.kind === 'package' ? `${step.action} ${step.name} ${step.from ?? ''}${step.from && step.to ? ' -> ' : ''}${step.to ?? ''}`
              : step.kind === 'file' ? `${step.action} ${step.path}`
              : step.kind === 'sysctl' ? `sysctl ${step.key} = ${step.to}`
              : `${step.action} ${step.name}${step.because ? ` (${step.because})` : ''}`;
            out(`    [${step.severity}] ${what.trim()}`);
          }
        }
      }
      return proposal.verdict.allowed ? 0 : 3;
    }
    if (command === 'hypervisor' && sub !== undefined) {
      const { positional, options } = parseArgs(rest);
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      const store = app.session.require();
      if (sub === 'add') {
        const name = options.get('name');
        const uri = options.get('uri');
        if (!name || !uri) throw new UsageError('hypervisor add needs --name and --uri (e.g. qemu+ssh://admin@kvm-01/system).');
        const added = addHypervisor(store, app.ctx.actor(), { name, uri });
        out(`Added hypervisor ${added.name} (${added.uri}).`);
        return 0;
      }
      const chosen = store.hypervisors.list().filter((h) => !options.has('name') || h.name === options.get('name'));
      if (chosen.length === 0) throw new UsageError(options.has('name') ? `There is no hypervisor "${options.get('name')}".` : 'The workspace has no hypervisors: add one first.');
      for (const hypervisor of chosen) {
        if (sub === 'list') {
          const cached = cachedInventory(store, hypervisor.id);
          out(`${hypervisor.name}  ${hypervisor.uri}  ${cached ? `${cached.inventory.domains.length} VMs, read ${cached.fetchedAt}` : 'never read'}`);
        } else if (sub === 'refresh') {
          const { inventory } = await refreshInventory(store, hypervisor.id, { ...(app.ctx.ssh && { ssh: app.ctx.ssh }) });
          out(`${hypervisor.name}: ${inventory.domains.length} VMs, ${inventory.pools.length} pools, ${inventory.networks.length} networks`);
          for (const d of inventory.domains) out(`  ${d.name.padEnd(24)} ${d.state.padEnd(9)} ${d.vcpus} vCPU ${d.memoryMb} MB${d.snapshots.length ? `, ${d.snapshots.length} snapshots` : ''}`);
          for (const warning of inventory.warnings) out(`  warning: ${warning}`);
        } else if (sub === 'match') {
          const matching = matchHypervisorDomains(store, hypervisor.id);
          for (const m of matching.matched) out(`${m.domain} = ${m.hostName} (${m.detail})`);
          for (const d of matching.unmatched) out(`${d.name}: no host (can be imported)`);
        } else throw new UsageError(`Unknown hypervisor command "${sub}".`);
      }
      return 0;
    }
    if (command === 'assets' || command === 'clone') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      return command === 'assets' ? await runAssets(options, textOrJson(options), invoke, out) : await runCloneCommand(options, invoke, app.onEvent, out);
    }
    if (command === 'apply') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      Object.assign(app.ctx, { ssh: sshOptions(options) });
      return await runApplyCommand(options, invoke, app.onEvent, out);
    }
    if (command === 'change' || command === 'people' || command === 'calendar') {
      const { positional, options } = parseArgs(rest);
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      if (command === 'change') return await runChange(sub, positional, options, invoke, out);
      if (command === 'people') return await runPeople(sub, options, invoke, out);
      return await runCalendar(sub, positional, options, invoke, out);
    }
    if (command === 'report') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      return await runReport(positional, options, invoke, out);
    }
    if (command === 'audit' && sub === 'verify') {
      const { positional } = parseArgs(rest);
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      const verdict = await invoke('audit.verify', {});
      if (verdict.ok) {
        out(`The audit log is intact: ${verdict.entries} entries, chain head ${verdict.head}.`);
        return 0;
      }
      out(`The audit log was tampered with: entry ${verdict.firstBadSeq} — ${verdict.reason} (${verdict.entries} entries).`);
      return 1;
    }
    if (command === 'collect') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      const target = positional[0];
      if (!target) throw new UsageError('collect needs a target such as ssh://admin@web-01:22.');
      const result = await collectSnapshot(target, {
        collectorScript: readCollectorScript(app.ctx.resourcesDir),
        ...sshOptions(options),
        acceptNewHostKeys: options.has('accept-new'),
        watchGlobs: options.get('watch')?.split(',').filter(Boolean) ?? defaultWatchGlobs(''),
      });
      const json = JSON.stringify(result.snapshot, null, 2);
      const outFile = options.get('out');
      if (outFile) {
        writeOutFile(outFile, `${json}\n`, options);
        out(`Wrote the snapshot of ${result.endpoint} (host key ${result.hostKey.fingerprint}) to ${outFile}${result.partial ? ', with missing facts: see its warnings' : ''}.`);
      } else out(json);
      return 0;
    }
    if (command === 'scan') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      const services = await invoke('services.list', {});
      const service = options.has('service') ? services.find((s) => s.name === options.get('service')) : undefined;
      if (options.has('service') && !service) throw new UsageError(`There is no service "${options.get('service')}".`);
      const stageName = options.get('stage');
      const stages = (service ? [service] : services).flatMap((s) => s.stages.filter((st) => st.name === stageName));
      if (stageName !== undefined && stages.length === 0) throw new UsageError(`No stage is named "${stageName}".`);
      const concurrency = Number(options.get('concurrency') ?? 8);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency needs a whole number of at least 1.');
      Object.assign(app.ctx, { ssh: sshOptions(options) });
      const targets = stageName !== undefined ? stages.map((st) => ({ stageId: st.id })) : service ? [{ serviceId: service.id }] : services.map((s) => ({ serviceId: s.id }));
      let failed = 0;
      const jobs = jobFollower(app.onEvent);
      app.onEvent((name, payload) => {
        if (name === 'scan.progress') {
          const p = payload as EventPayload<'scan.progress'>;
          if (p.phase === 'saved') out(`${p.hostName}: saved${p.partial ? ` (partial: ${p.partial.remedy})` : ''}`);
          if (p.phase === 'failed') {
            failed++;
            out(`${p.hostName}: FAILED, ${p.failure?.kind}: ${p.failure?.message}\n  ${p.failure?.remedy}${p.failure?.fingerprint ? `\n  host key ${p.failure.fingerprint}` : ''}`);
          }
        }
      });
      for (const target of targets) {
        const started = await invoke('scan.start', { ...target, concurrency, acceptNewHostKeys: options.has('accept-new') });
        out(`Scanning ${started.hosts.length} hosts…`);
        out(await jobs.ended(started.jobId));
      }
      return failed === 0 ? 0 : 1;
    }
    if (command === 'demo') {
      const path = resolve(requirePath([sub ?? ''].filter(Boolean)));
      const store = buildDemoWorkspace(path, app.ctx.resourcesDir, { keys: keyRingOf(app.ctx) });
      const c = store.summary().counts;
      store.close();
      out(`Built the demo workspace at ${path}: ${c.services} services, ${c.hosts} hosts, ${c.snapshots} snapshots.`);
      return 0;
    }
    if (command === 'diff') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      if (positional.length !== 2) throw new UsageError('diff needs BASELINE and ACTUAL files.');
      const report = diffFiles(resolve(positional[0]!), resolve(positional[1]!), options.get('role'));
      if (textOrJson(options) === 'json') out(JSON.stringify(report.items, null, 2));
      else {
        out(parityLine('diff', report));
        for (const line of driftItemsAsText(report.items)) out(line);
      }
      return report.items.length === 0 ? 0 : 1;
    }
    if (command === 'drift') {
      const { positional, options } = parseArgs([sub ?? '', ...rest].filter(Boolean));
      await invoke('workspace.open', { path: resolve(requirePath(positional)) });
      const services = await invoke('services.list', {});
      const wanted = options.get('service');
      const chosen = wanted === undefined ? services : services.filter((s) => s.name === wanted);
      if (chosen.length === 0) throw new UsageError(`There is no service "${wanted}". Services: ${services.map((s) => s.name).join(', ')}.`);
      const stageName = options.get('stage');
      if (stageName !== undefined) {
        const details = [];
        for (const service of chosen) {
          const stage = service.stages.find((s) => s.name === stageName);
          if (!stage) throw new UsageError(`${service.name} has no stage "${stageName}".`);
          details.push({ service: service.name, stage: stageName, ...(await invoke('drift.stage', { stageId: stage.id })) });
        }
        if (textOrJson(options) === 'json') out(JSON.stringify(details, null, 2));
        else
          for (const detail of details) {
            out(parityLine(`${detail.service} ${detail.stage} against production`, detail.production));
            for (const line of driftItemsAsText(detail.production.items)) out(`  ${line}`);
            if (detail.image) {
              out(parityLine(`${detail.service} ${detail.stage} against image ${detail.image.label}`, detail.image));
              for (const line of driftItemsAsText(detail.image.items)) out(`  ${line}`);
            }
          }
        return 0;
      }
      const drifts = [];
      for (const service of chosen) drifts.push({ service: service.name, ...(await invoke('drift.service', { serviceId: service.id })) });
      if (textOrJson(options) === 'json') out(JSON.stringify(drifts, null, 2));
      else
        for (const drift of drifts) {
          out(parityLine(drift.service, drift.parity));
          for (const stage of drift.stages) {
            out(`  ${parityLine(stage.stageName.padEnd(12), stage.production)}${stage.snapshotted < stage.hosts ? `  ${stage.hosts - stage.snapshotted} hosts never scanned` : ''}`);
          }
        }
      return 0;
    }
    throw new UsageError(`Unknown command "${argv.join(' ')}". Run stagecraft --help.`);
  } catch (error) {
    if (error instanceof UsageError) console.error(`stagecraft: ${error.message}`);
    else if (error instanceof CallFailed) console.error(`stagecraft: ${error.message}${error.error.hint ? `\n  ${error.error.hint}` : ''}`);
    else if (error instanceof Error && 'code' in error && 'hint' in error) console.error(`stagecraft: ${error.message}${error.hint ? `\n  ${String(error.hint)}` : ''}`);
    else console.error(`stagecraft: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  } finally {
    app.session.close();
  }
}

/** --identity and --known-hosts replace the defaults (~/.ssh keys and known_hosts) when given. */
function sshOptions(options: Map<string, string>) {
  return {
    ...(options.has('identity') && { identityFiles: [resolve(options.get('identity')!)] }),
    ...(options.has('known-hosts') && { knownHostsFiles: [resolve(options.get('known-hosts')!)] }),
  };
}

function requirePath(positional: string[]): string {
  const path = positional[0];
  if (!path) throw new UsageError('a workspace PATH is required.');
  return path;
}

const defaultName = (path: string) => path.split(/[\\/]/).pop()!.replace(/\.stagecraft$/, '') || 'workspace';
