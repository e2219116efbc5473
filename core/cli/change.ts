/** `stagecraft change|people|calendar`: change control headless, through the same contract as the app. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { changeAction } from '../contract/changes';
import { CallFailed, type CallInput, type CallName, type CallOutput } from '../contract/index';
import { UsageError } from './main';
import { approverWords } from '../reports/format';
import { textOrJson, writeOutFile } from './output-format';

type Invoke = <N extends CallName>(name: N, input: CallInput<N>) => Promise<CallOutput<N>>;
type Action = CallInput<'changes.transition'>['action'];
const ACTIONS: readonly Action[] = changeAction.options;

/** Exit code of a transition or edit the workflow refused (as for a refused promotion). */
export const REFUSED = 3;

function changeId(positional: string[]): number {
  const raw = positional[1]?.replace(/^#/, '');
  if (!raw || !/^\d+$/.test(raw) || Number(raw) < 1) throw new UsageError('a change ID is required after WORKSPACE, such as 12.');
  return Number(raw);
}

/** --as PERSON: act as that person (the choice is remembered for this workspace, as in the app). */
export async function actAs(options: Map<string, string>, invoke: Invoke): Promise<void> {
  const name = options.get('as');
  if (name === undefined) return;
  const { people } = await invoke('people.current', {});
  const person = people.find((p) => p.name.toLowerCase() === name.toLowerCase());
  if (!person) throw new UsageError(`--as must name a person of this workspace: ${people.map((p) => p.name).join(', ')}.`);
  await invoke('people.setCurrent', { personId: person.id });
}


function printChange(change: CallOutput<'changes.get'>, out: (line: string) => void): void {
  out(`#${change.id} ${change.title}`);
  out(`  ${change.state}, ${change.category}; ${change.service} ${change.targetStage} ← image ${change.image}; requested by ${change.requester?.name ?? change.createdBy}`);
  out(`  window: ${change.windowText ?? 'none yet'}`);
  out(`  risk: ${change.risk.level} (${change.risk.score}/100)${change.risk.override ? `, overridden from ${change.risk.computedLevel} by ${change.risk.override.by ?? 'someone'}: ${change.risk.override.reason}` : ''}`);
  out(`  approvals: ${change.approvals.given} of ${change.approvals.required}${change.approvalRule.roles.length ? ` (${change.approvalRule.roles.join(' or ')})` : ''}`);
  if (change.stale) out(`  STALE: ${change.stale}; re-plan the change`);
  for (const conflict of change.conflictList) out(`  conflict (${conflict.kind}): ${conflict.detail}`);
  for (const d of change.decisions) out(`  ${d.decision === 'approve' ? 'approved' : 'rejected'} by ${approverWords(d)} at ${d.at}: signature ${d.signatureStatus}${d.droppedAt ? ' (dropped by an edit)' : ''}${d.comment ? ` — ${d.comment}` : ''}`);
  for (const [label, text] of [['Description', change.description], ['Justification', change.justification], ['Impact', change.impact], ['Implementation plan', change.implementationPlan], ['Backout plan', change.backoutPlan], ['Test plan', change.testPlan]] as const) {
    if (text.trim()) out(`${label}:\n${text.replace(/^/gm, '  ')}`);
  }
  out('History:');
  for (const h of change.history) out(`  ${h.at} ${h.actor}: ${h.action}${h.fromState && h.toState !== h.fromState ? ` → ${h.toState}` : ''}${h.detail ? ` (${h.detail})` : ''}`);
}

/** change list and change show, as text or JSON. */
async function showChanges(sub: 'list' | 'show', positional: string[], options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  const json = textOrJson(options) === 'json';
  if (sub === 'list') {
    const services = await invoke('services.list', {});
    const service = options.has('service') ? services.find((s) => s.name === options.get('service')) : undefined;
    if (options.has('service') && !service) throw new UsageError(`There is no service "${options.get('service')}". Services: ${services.map((s) => s.name).join(', ')}.`);
    const state = options.get('state') as CallInput<'changes.list'>['state'];
    const changes = await invoke('changes.list', { ...(service && { serviceId: service.id }), ...(state && { state }) });
    if (json) out(JSON.stringify(changes, null, 2));
    else for (const c of changes) out(`#${String(c.id).padEnd(4)} ${c.state.padEnd(11)} ${c.riskLevel.padEnd(8)} ${c.approvals.given}/${c.approvals.required}  ${c.service} ${c.targetStage}  ${c.title}  [${c.windowText ?? 'no window'}]${c.stale ? '  STALE' : ''}${c.conflicts ? `  ${c.conflicts} conflicts` : ''}`);
    return 0;
  }
  const change = await invoke('changes.get', { changeId: changeId(positional) });
  if (json) out(JSON.stringify(change, null, 2));
  else printChange(change, out);
  return 0;
}

export async function runChange(sub: string | undefined, positional: string[], options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  if (sub === 'list' || sub === 'show') return await showChanges(sub, positional, options, invoke, out);
  if (sub === 'replan' || (sub !== undefined && (ACTIONS as readonly string[]).includes(sub))) {
    const id = changeId(positional);
    await actAs(options, invoke);
    const window = options.has('start') || options.has('end') ? { start: options.get('start') ?? '', end: options.get('end') ?? '', timeZone: options.get('tz') ?? 'UTC' } : undefined;
    if (window && (!window.start || !window.end)) throw new UsageError('A window needs --start and --end (such as 2026-12-01T22:00) and --tz (such as Europe/Berlin; UTC when absent).');
    try {
      if (sub === 'replan') {
        const result = await invoke('changes.replan', { changeId: id });
        out(`#${id}: re-planned, ${result.change.plan.summary.steps} steps; now ${result.state}${result.approvalsDropped ? `, ${result.approvalsDropped} decisions dropped` : ''}`);
        return 0;
      }
      const result = await invoke('changes.transition', { changeId: id, action: sub as Action, ...(options.has('reason') && { reason: options.get('reason')! }), ...(window && { window }) });
      out(`#${id}: ${result.from} → ${result.to} (approvals ${result.approvals.given} of ${result.approvals.required})`);
      return 0;
    } catch (error) {
      if (error instanceof CallFailed && error.error.code === 'refused') {
        out(`#${id}: refused: ${error.message}${error.error.hint ? `\n  ${error.error.hint}` : ''}`);
        return REFUSED;
      }
      throw error;
    }
  }
  throw new UsageError(`Unknown change command "${sub ?? ''}": use list, show, replan, or ${ACTIONS.join(', ')}.`);
}

export async function runPeople(sub: string | undefined, options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  if (sub === 'list') {
    const { person, people } = await invoke('people.current', {});
    for (const p of people) out(`${p.id === person?.id ? '*' : ' '} ${p.name.padEnd(24)} ${p.roles.join(', ').padEnd(40)} ${p.keyFingerprint ?? 'no key'}${p.canSignHere ? '' : ' (private key not on this computer)'}`);
    return 0;
  }
  if (sub === 'add') {
    const name = options.get('name');
    const roles = options.get('roles')?.split(',').map((r) => r.trim()).filter(Boolean);
    if (!name || !roles?.length) throw new UsageError('people add needs --name NAME and --roles requester,approver,cab,release-manager (one or more).');
    await actAs(options, invoke);
    const added = await invoke('people.add', { name, roles: roles as CallInput<'people.add'>['roles'] });
    out(`Added ${added.name} (${added.roles.join(', ')}), key ${added.keyFingerprint}.`);
    return 0;
  }
  throw new UsageError(`Unknown people command "${sub ?? ''}": use list or add.`);
}

export async function runCalendar(sub: string | undefined, positional: string[], options: Map<string, string>, invoke: Invoke, out: (line: string) => void): Promise<number> {
  if (sub === 'export') {
    const from = options.get('from');
    const to = options.get('to');
    const file = options.get('out');
    if (!from || !to || !file) throw new UsageError('calendar export needs --from DATE --to DATE --out FILE.ics.');
    const instant = (date: string) => (/^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T00:00:00Z` : date);
    const calendar = await invoke('calendar.exportIcs', { from: instant(from), to: instant(to), includeFreezes: !options.has('no-freezes'), includeLeases: !options.has('no-leases') });
    writeOutFile(file, calendar.text, options);
    out(`Wrote ${calendar.events} events to ${file}.`);
    return 0;
  }
  if (sub === 'import') {
    const file = positional[1];
    if (!file) throw new UsageError('calendar import needs WORKSPACE and FILE.ics.');
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch {
      throw new UsageError(`${file} cannot be read.`);
    }
    await actAs(options, invoke);
    const result = await invoke('calendar.importIcs', { text, source: file, apply: !options.has('dry-run'), timeZone: options.get('tz') ?? 'UTC' });
    for (const warning of result.warnings) out(`warning: ${warning}`);
    for (const e of result.events) out(`${e.isNew ? 'new    ' : 'updated'} ${e.start} to ${e.end}  ${e.summary}`);
    out(`${result.applied ? 'Imported' : 'Would import'} ${result.events.length} events (${result.added} new, ${result.updated} updated).`);
    return 0;
  }
  if (sub === 'remove') {
    const source = options.get('source');
    const uid = options.get('uid');
    if ((source === undefined) === (uid === undefined)) throw new UsageError('calendar remove needs --source FILE (everything that import brought) or --uid UID.');
    await actAs(options, invoke);
    const { removed } = await invoke('calendar.removeExternal', source !== undefined ? { source } : { uids: [uid!] });
    out(`Removed ${removed} imported event${removed === 1 ? '' : 's'}.`);
    return 0;
  }
  throw new UsageError(`Unknown calendar command "${sub ?? ''}": use export, import or remove.`);
}
