/**
 * Ansible inventories, INI and YAML, into the neutral import model: hosts with their groups and
 * effective variables. Follows ansible-core's ini and yaml inventory plugins for what an inventory
 * written by hand contains: groups, `[group:children]`, `[group:vars]`, inline host variables,
 * `host:port`, host ranges (`web[01:03].example.com`, `db-[a:c]`, `[0:10:2]`), comments.
 * Not supported (an error, never a silent misreading): dynamic inventory scripts and plugins,
 * `!unsafe`/vault values (they are read as text).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { ExplicitPlacement, ImportedGroup, ImportedHost, ImportOrigin, ParsedImport } from './model';
import { invalidInput, isPlausibleHostName, parsePort } from './model';
import { splitWords, type WordRules } from '../../domain/words';

/** More hosts than this from one range is a typo, not an inventory. */
export const MAX_RANGE_HOSTS = 10_000;

const IMPLICIT_GROUPS = new Set(['all', 'ungrouped']);

// ---------------------------------------------------------------------------------------------
// Host ranges

const RANGE = /\[([A-Za-z0-9]*):([A-Za-z0-9]*)(?::([0-9]*))?\]/;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * `web[01:03].example.com` → web01, web02, web03 (as ansible-core: leading zeros fix the width,
 * letters range over a-zA-Z, an optional stride, several ranges multiply). Throws a plain Error
 * with the reason; callers add file and line.
 */
export function expandHostRange(pattern: string): string[] {
  const match = RANGE.exec(pattern);
  if (!match) return [pattern];
  const [whole, begRaw = '', end = '', stepRaw] = match;
  const head = pattern.slice(0, match.index);
  const tail = pattern.slice(match.index + whole.length);
  const beg = begRaw === '' ? '0' : begRaw;
  if (end === '') throw new Error(`host range "${whole}" has no end value`);
  const step = stepRaw === undefined || stepRaw === '' ? 1 : Number(stepRaw);
  if (!Number.isInteger(step) || step < 1) throw new Error(`host range "${whole}" has a stride that is not a positive number`);
  let values: string[];
  if (/^[0-9]+$/.test(beg) && /^[0-9]+$/.test(end)) {
    const width = beg.length > 1 && beg.startsWith('0') ? beg.length : 0;
    if (width > 0 && end.length !== width) throw new Error(`host range "${whole}" must give begin and end with the same number of digits`);
    const from = Number(beg);
    const to = Number(end);
    if (from > to) throw new Error(`host range "${whole}" runs backwards`);
    if ((to - from) / step + 1 > MAX_RANGE_HOSTS) throw new Error(`host range "${whole}" gives more than ${MAX_RANGE_HOSTS} hosts`);
    values = [];
    for (let i = from; i <= to; i += step) values.push(width > 0 ? String(i).padStart(width, '0') : String(i));
  } else if (/^[A-Za-z]$/.test(beg) && /^[A-Za-z]$/.test(end)) {
    const from = LETTERS.indexOf(beg);
    const to = LETTERS.indexOf(end);
    if (from > to) throw new Error(`host range "${whole}" runs backwards`);
    values = [];
    for (let i = from; i <= to; i += step) values.push(LETTERS[i]!);
  } else {
    throw new Error(`host range "${whole}" must be numbers ([01:20]) or single letters ([a:f])`);
  }
  const hosts = values.flatMap((value) => expandHostRange(`${head}${value}${tail}`));
  if (hosts.length > MAX_RANGE_HOSTS) throw new Error(`host pattern "${pattern}" gives more than ${MAX_RANGE_HOSTS} hosts`);
  return hosts;
}

// ---------------------------------------------------------------------------------------------
// The inventory being built, shared by both syntaxes

interface HostDraft {
  name: string;
  port?: number;
  vars: Record<string, string>;
  origin: ImportOrigin;
}

class InventoryBuilder {
  readonly groups = new Map<string, ImportedGroup>();
  readonly hosts = new Map<string, HostDraft>();
  readonly warnings: string[] = [];

  constructor(readonly file: string) {}

  group(name: string, origin: ImportOrigin): ImportedGroup {
    let group = this.groups.get(name);
    if (!group) {
      if (!isPlausibleHostName(name)) throw invalidInput(origin, `"${name}" is not a usable group name.`);
      group = { name, children: [], hosts: [], vars: {}, origin };
      this.groups.set(name, group);
    }
    return group;
  }

  /** Adds each host of `pattern` (a range expands) to `group`, with its own variables. */
  addHosts(groupName: string, pattern: string, vars: Record<string, string>, origin: ImportOrigin): void {
    let names: string[];
    try {
      names = expandHostRange(pattern);
    } catch (error) {
      throw invalidInput(origin, `${(error as Error).message}.`, 'Write a range as name[01:10] or name[a:f].');
    }
    const group = this.group(groupName, origin);
    for (const raw of names) {
      let name = raw;
      let port: number | undefined;
      // `host:port`, but not an IPv6 address (several colons).
      const hostPort = /^([^:]+):([^:]*)$/.exec(raw);
      if (hostPort) {
        const parsed = parsePort(hostPort[2]!);
        if (parsed === null) throw invalidInput(origin, `"${raw}": "${hostPort[2]}" is not a port number.`, 'Write host:port with a port from 1 to 65535.');
        name = hostPort[1]!;
        port = parsed;
      }
      if (!isPlausibleHostName(name)) throw invalidInput(origin, `"${name}" is not a usable host name.`);
      const existing = this.hosts.get(name);
      if (existing) {
        Object.assign(existing.vars, vars);
        if (port !== undefined) existing.port = port;
      } else {
        this.hosts.set(name, { name, ...(port !== undefined && { port }), vars: { ...vars }, origin });
      }
      if (!group.hosts.includes(name)) group.hosts.push(name);
    }
  }

  addChild(parent: string, child: string, origin: ImportOrigin): void {
    const group = this.group(parent, origin);
    this.group(child, origin);
    if (child === parent) throw invalidInput(origin, `group "${parent}" cannot be its own child.`);
    if (!group.children.includes(child)) group.children.push(child);
  }

  /** Effective variables and connection settings per host; refuses a cycle of children. */
  finish(format: 'ansible-ini' | 'ansible-yaml'): ParsedImport {
    const depth = groupDepths(this.groups);
    const parents = new Map<string, string[]>();
    for (const group of this.groups.values()) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), group.name]);
    const ancestorsOf = (name: string): Set<string> => {
      const seen = new Set<string>();
      const stack = [name];
      while (stack.length > 0) {
        for (const parent of parents.get(stack.pop()!) ?? []) {
          if (!seen.has(parent)) {
            seen.add(parent);
            stack.push(parent);
          }
        }
      }
      return seen;
    };
    const directGroups = new Map<string, string[]>();
    for (const group of this.groups.values()) for (const host of group.hosts) directGroups.set(host, [...(directGroups.get(host) ?? []), group.name]);
    const all = this.groups.get('all');
    const hosts: ImportedHost[] = [...this.hosts.values()].map((draft) => {
      const direct = directGroups.get(draft.name) ?? [];
      const inherited = new Set(direct);
      for (const group of direct) for (const ancestor of ancestorsOf(group)) inherited.add(ancestor);
      const ordered = [...inherited].filter((g) => g !== 'all').sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
      const vars: Record<string, string> = { ...(all?.vars ?? {}) };
      for (const group of ordered) Object.assign(vars, this.groups.get(group)?.vars);
      Object.assign(vars, draft.vars);
      return this.connection(draft, direct.filter((g) => !IMPLICIT_GROUPS.has(g)), vars);
    });
    const groups = [...this.groups.values()].filter((g) => !IMPLICIT_GROUPS.has(g.name) || Object.keys(g.vars).length > 0);
    return { format, source: this.file, hosts, groups, snapshots: [], warnings: this.warnings };
  }

  private connection(draft: HostDraft, groups: string[], vars: Record<string, string>): ImportedHost {
    const pick = (...names: string[]) => names.map((n) => vars[n]).find((v) => v !== undefined && v !== '');
    const address = pick('ansible_host', 'ansible_ssh_host');
    const user = pick('ansible_user', 'ansible_ssh_user', 'ansible_ssh_user_name');
    const portText = pick('ansible_port', 'ansible_ssh_port');
    let port = draft.port;
    if (portText !== undefined) {
      const parsed = parsePort(portText);
      if (parsed === null) throw invalidInput(draft.origin, `host "${draft.name}": ansible_port "${portText}" is not a port number.`, 'Give ansible_port a number from 1 to 65535.');
      port = draft.port ?? parsed;
    }
    const placement: ExplicitPlacement = {
      ...(vars['stagecraft_service'] && { service: vars['stagecraft_service'] }),
      ...(vars['stagecraft_stage'] && { stage: vars['stagecraft_stage'] }),
      ...(vars['stagecraft_role'] && { role: vars['stagecraft_role'] }),
    };
    return {
      name: draft.name,
      ...(address !== undefined && { address }),
      ...(port !== undefined && { port }),
      ...(user !== undefined && { user }),
      groups,
      placements: Object.keys(placement).length > 0 ? [placement] : [],
      vars,
      origin: draft.origin,
    };
  }
}

/** Longest distance from a root group; throws on a cycle, naming a group on it. */
function groupDepths(groups: Map<string, ImportedGroup>): Map<string, number> {
  const depth = new Map<string, number>();
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, d: number, path: string[]): void => {
    const group = groups.get(name);
    if (!group) return;
    if (state.get(name) === 'visiting') {
      throw invalidInput(group.origin, `groups form a cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}.`, 'A group cannot be its own ancestor; remove one of the :children entries.');
    }
    if ((depth.get(name) ?? -1) >= d && state.get(name) === 'done') return;
    depth.set(name, Math.max(depth.get(name) ?? 0, d));
    state.set(name, 'visiting');
    for (const child of group.children) visit(child, d + 1, [...path, name]);
    state.set(name, 'done');
  };
  const isChild = new Set([...groups.values()].flatMap((g) => g.children));
  for (const name of groups.keys()) if (!isChild.has(name)) visit(name, name === 'all' ? 0 : 1, []);
  // Groups only reachable through a cycle are never roots: visit them to find it.
  for (const name of groups.keys()) if (!state.has(name)) visit(name, 1, []);
  return depth;
}

// ---------------------------------------------------------------------------------------------
// INI

/** shlex-like words: single and double quotes group, backslash escapes. */
const INI_WORDS: WordRules = { quotes: ['"', "'"], backslashEscapes: true };

const unquote = (value: string): string => {
  const v = value.trim();
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0] ? v.slice(1, -1) : v;
};

/** An Ansible INI inventory. `file` is named in errors. */
export function parseAnsibleIni(text: string, file: string): ParsedImport {
  const inventory = new InventoryBuilder(file);
  inventory.group('all', { file, line: 1 });
  inventory.group('ungrouped', { file, line: 1 });
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const origin = { file, line: index + 1 };
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    if (line.startsWith('[')) {
      const header = /^\[([^\]\s]+?)(?::([A-Za-z]+))?\]\s*(?:[#;].*)?$/.exec(line);
      if (!header) {
        throw invalidInput(origin, `"${line}" is not a section header.`, 'Write a section as [group], [group:children] or [group:vars].');
      }
      const [, group = '', kind] = header;
      if (kind !== undefined && kind !== 'vars' && kind !== 'children') {
        throw invalidInput(origin, `section [${group}:${kind}] has an unknown type "${kind}".`, 'Only :vars and :children follow a group name.');
      }
      inventory.group(group, origin);
      section = { group, kind: kind === undefined ? 'hosts' : kind };
      return;
    }
    if (section.kind === 'vars') {
      const eq = line.indexOf('=');
      if (eq <= 0) throw invalidInput(origin, `"${line}" is not a variable: [${section.group}:vars] holds key=value lines.`);
      const key = line.slice(0, eq).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw invalidInput(origin, `"${key}" is not a variable name.`);
      const value = line.slice(eq + 1).trim();
      // An inline comment ends an unquoted value; a quoted value keeps what is inside its quotes.
      inventory.group(section.group, origin).vars[key] = /^["']/.test(value) ? unquote(value.replace(/(["'])\s*[#;].*$/, '$1')) : value.replace(/\s+[#;].*$/, '');
      return;
    }
    const words = splitWords(line, INI_WORDS);
    if (words === null) throw invalidInput(origin, `unbalanced quotes in "${line}".`, 'Close the quote, or escape it with a backslash.');
    const [first, ...rest] = words;
    if (first === undefined) return;
    if (section.kind === 'children') {
      if (rest.length > 0) throw invalidInput(origin, `"${line}": a [${section.group}:children] line names one group.`);
      inventory.addChild(section.group, first, origin);
      return;
    }
    if (first.includes('=')) {
      throw invalidInput(origin, `"${line}" starts with a variable; a host line starts with the host name.`, `Put variables of the group under [${section.group}:vars].`);
    }
    const vars: Record<string, string> = {};
    for (const word of rest) {
      const eq = word.indexOf('=');
      if (eq <= 0) {
        throw invalidInput(origin, `host "${first}": "${word}" is not key=value.`, 'Host variables are written key=value; quote values with spaces.');
      }
      vars[word.slice(0, eq)] = word.slice(eq + 1);
    }
    inventory.addHosts(section.group, first, vars, origin);
  });
  // Like Ansible: every group is a child of all; ungrouped holds hosts in no other group.
  return inventory.finish('ansible-ini');
}

// ---------------------------------------------------------------------------------------------
// YAML

const varText = (node: unknown): string => {
  if (node === null || node === undefined) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean' || typeof node === 'bigint') return String(node);
  return JSON.stringify(node);
};

/** An Ansible YAML inventory (`all:` / `children:` / `hosts:` / `vars:`). `file` is named in errors. */
export function parseAnsibleYaml(text: string, file: string): ParsedImport {
  const lineCounter = new LineCounter();
  const document = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, uniqueKeys: true, prettyErrors: false });
  const firstError = document.errors[0];
  if (firstError) {
    const line = lineCounter.linePos(firstError.pos[0]).line;
    throw invalidInput({ file, line }, `YAML syntax error: ${firstError.message.split('\n')[0]}`, 'Check the indentation and the colons around that line.');
  }
  const originOf = (node: YamlNode | null | undefined): ImportOrigin => (node?.range ? { file, line: lineCounter.linePos(node.range[0]).line } : { file });
  const inventory = new InventoryBuilder(file);
  inventory.group('all', { file, line: 1 });
  const root = document.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return inventory.finish('ansible-yaml');
  if (!isMap(root)) throw invalidInput(originOf(root), 'the inventory must be a mapping of groups (usually starting with "all:").');

  const entries = (map: YAMLMap, path: string): { key: string; value: unknown; origin: ImportOrigin }[] =>
    map.items.map((pair) => {
      const keyNode = pair.key as YamlNode | null;
      const key = isScalar(keyNode) ? varText(keyNode.value) : '';
      if (key === '') throw invalidInput(originOf(keyNode ?? map), `${path} has a key that is not a name.`);
      return { key, value: pair.value, origin: originOf((keyNode ?? map) as YamlNode) };
    });

  const isEmpty = (node: unknown) => node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === ''));

  const readVars = (node: unknown, path: string): Record<string, string> => {
    if (isEmpty(node)) return {};
    if (!isMap(node)) throw invalidInput(originOf(node as YamlNode), `${path} must be a mapping of variable names to values.`);
    const vars: Record<string, string> = {};
    for (const { key, value } of entries(node, path)) vars[key] = varText(isScalar(value) ? value.value : (value as { toJSON?: () => unknown } | null)?.toJSON?.());
    return vars;
  };

  const readGroup = (name: string, node: unknown, path: string, origin: ImportOrigin): void => {
    const group = inventory.group(name, origin);
    if (isEmpty(node)) return;
    if (!isMap(node)) throw invalidInput(originOf(node as YamlNode), `${path} must be a mapping with hosts, children or vars.`);
    for (const { key, value, origin: keyOrigin } of entries(node, path)) {
      if (key === 'vars') {
        Object.assign(group.vars, readVars(value, `${path}.vars`));
      } else if (key === 'hosts') {
        if (isEmpty(value)) continue;
        if (!isMap(value)) {
          const hint = isSeq(value) ? 'List hosts as a mapping: "web01:" on its own line (with its variables under it), not "- web01".' : undefined;
          throw invalidInput(originOf(value as YamlNode), `${path}.hosts must be a mapping of host names.`, hint);
        }
        for (const host of entries(value, `${path}.hosts`)) inventory.addHosts(name, host.key, readVars(host.value, `${path}.hosts.${host.key}`), host.origin);
      } else if (key === 'children') {
        if (isEmpty(value)) continue;
        if (!isMap(value)) throw invalidInput(originOf(value as YamlNode), `${path}.children must be a mapping of group names.`);
        for (const child of entries(value, `${path}.children`)) {
          inventory.addChild(name, child.key, child.origin);
          readGroup(child.key, child.value, `${path}.children.${child.key}`, child.origin);
        }
      } else {
        throw invalidInput(keyOrigin, `${path} has an unknown key "${key}".`, 'A group holds only hosts, children and vars.');
      }
    }
  };

  for (const { key, value, origin } of entries(root, '(top level)')) {
    readGroup(key, value, key, origin);
    if (key !== 'all') inventory.addChild('all', key, origin);
  }
  return inventory.finish('ansible-yaml');
}
