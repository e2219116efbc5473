/**
 * Images: the desired configuration of a service's roles, immutable and content-addressed by the
 * sha256 of their canonical JSON. Captured from the hosts of a stage (what each role's hosts agree
 * on) or derived from another image by edits.
 */
import { canonicalJson } from './canonical-json';
import { StagecraftError } from './errors';
import type { FactCategory, OsFacts, PackageFact, PackageManager, Snapshot, UnitActiveState, UnitEnabledState } from './facts';
import { FACT_CATEGORIES } from './facts';
import { escapeGlob, globMatch } from './glob';
import { ignoreMatcher, type IgnoreRule } from './ignore';
import {
  canonicalFactLists,
  cronKey,
  factSetOf,
  factsOf,
  fileKey,
  groupKey,
  mountKey,
  OS_FIELDS,
  osKey,
  packageKey,
  portKey,
  serviceActiveKey,
  serviceEnabledKey,
  splitFactKey,
  sysctlKey,
  userKey,
  type CanonicalFactLists,
  type FactSet,
  type OsField,
  type ServiceState,
} from './normalise';
import { applySubstitutions, type NormaliserContext } from './placeholders';
import { referenceOf } from './reference';
import { sha256Hex, utf8Length } from './sha256';

export const IMAGE_FORMAT = 'stagecraft.image';
export const IMAGE_FORMAT_VERSION = 1;

export interface ImageGovernance {
  /** Categories the image sets; facts of other categories are never drift against it. */
  categories: FactCategory[];
  /** File globs governed when `files` is among the categories; no paths means no files. */
  paths: string[];
}

/** The governed facts of one role: a snapshot's facts without identity, host-specific text as placeholders. */
export interface RoleFacts extends CanonicalFactLists<ServiceState> {
  os?: Partial<Pick<OsFacts, OsField>>;
  /** Fact keys the role's hosts disagreed on at capture: governed by nothing, so never drift. */
  ungoverned: string[];
}

export interface ImageLineage {
  /** Content hash of the image this one was derived from. */
  parent?: string;
  capturedFrom?: { stage: string; hosts: string[]; at: string };
  /** What was changed relative to the parent, one description per edit. */
  derivedBy?: string[];
}

export interface ImageContent {
  format: typeof IMAGE_FORMAT;
  version: typeof IMAGE_FORMAT_VERSION;
  service: string;
  label: string;
  governs: ImageGovernance;
  roles: Record<string, RoleFacts>;
  lineage: ImageLineage;
}

// ---------------------------------------------------------------------------------------------
// Canonical form and identity

/** The content address of an image: sha256 of its canonical JSON, as the store computes it. */
export const imageHash = (image: ImageContent): string => sha256Hex(canonicalJson(image));

function canonicalGovernance(governs: ImageGovernance): ImageGovernance {
  const categories = new Set(governs.categories);
  for (const category of categories) {
    if (!FACT_CATEGORIES.includes(category)) throw new StagecraftError('invalid-input', `"${category}" is not a fact category.`, `Use one of: ${FACT_CATEGORIES.join(', ')}.`);
  }
  return { categories: FACT_CATEGORIES.filter((c) => categories.has(c)), paths: [...new Set(governs.paths)].sort() };
}

function canonicalRole(role: Omit<RoleFacts, 'ungoverned'> & { ungoverned: readonly string[] }): RoleFacts {
  const os = role.os && Object.fromEntries(OS_FIELDS.filter((f) => role.os![f] !== undefined).map((f) => [f, role.os![f]]));
  return {
    ...(os && Object.keys(os).length > 0 && { os }),
    ...canonicalFactLists(role),
    ungoverned: [...new Set(role.ungoverned)].sort(),
  };
}

/** Whether a fact key is governed by an image (role): its category is, for files its path too, and it was not left ungoverned. */
export function governanceFilter(governs: ImageGovernance, ungoverned: readonly string[] = []): (fullKey: string) => boolean {
  const categories = new Set<string>(governs.categories);
  const left = new Set(ungoverned);
  return (fullKey) => {
    if (left.has(fullKey)) return false;
    const { category, key } = splitFactKey(fullKey);
    if (!categories.has(category)) return false;
    return category !== 'files' || governs.paths.some((glob) => globMatch(glob, key));
  };
}

const roleFactsCache = new WeakMap<RoleFacts, FactSet>();

/** The flat facts of one role of an image (placeholders stay as they are: they are the desired text). */
export function imageRoleFacts(image: ImageContent, role: string): FactSet {
  const roleFacts = image.roles[role];
  if (!roleFacts) throw new StagecraftError('not-found', `Image "${image.label}" has no role "${role}".`);
  let facts = roleFactsCache.get(roleFacts);
  if (!facts) roleFactsCache.set(roleFacts, (facts = factSetOf(roleFacts)));
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Capture

export interface CaptureImageInput {
  service: string;
  label: string;
  /** The stage captured from, usually production. */
  stage: string;
  snapshotsByRole: Readonly<Record<string, readonly Snapshot[]>>;
  governs: ImageGovernance;
  ignore?: readonly IgnoreRule[];
  /** ISO 8601 time of capture. */
  at: string;
  normaliser?: NormaliserContext;
  hostName?: (snapshot: Snapshot) => string;
}

/**
 * An image of what each role's hosts agree on. A governed fact every host of the role has with the
 * same value (after normalising host identities) is captured; one they disagree on, or only some
 * have, is listed in the role's `ungoverned` keys so the UI can say so, and is never drift later.
 */
export function captureImage(input: CaptureImageInput): ImageContent {
  const governs = canonicalGovernance(input.governs);
  const governed = governanceFilter(governs);
  const roles: Record<string, RoleFacts> = {};
  const hosts: string[] = [];
  for (const role of Object.keys(input.snapshotsByRole).sort()) {
    const snapshots = input.snapshotsByRole[role] ?? [];
    if (snapshots.length === 0) {
      throw new StagecraftError('invalid-input', `Role "${role}" has no host to capture from.`, 'Assign a host to the role, or leave the role out of the capture.');
    }
    const ignored = ignoreMatcher(input.ignore, { service: input.service, role });
    const sets = snapshots.map((s) => factsOf(s, input.normaliser));
    const reference = referenceOf(sets, 'unanimous', (key) => governed(key) && !ignored(key));
    roles[role] = roleFactsFrom(snapshots[0]!, sets, reference.holders, reference.undecided);
    hosts.push(...snapshots.map(input.hostName ?? ((s) => s.host.hostname)));
  }
  return {
    format: IMAGE_FORMAT,
    version: IMAGE_FORMAT_VERSION,
    service: input.service,
    label: input.label,
    governs,
    roles,
    lineage: { capturedFrom: { stage: input.stage, hosts: [...new Set(hosts)].sort(), at: input.at } },
  };
}

/**
 * The captured facts in structured form, taken from the first host (under unanimity every host holds
 * the same values). Host-specific text becomes placeholders exactly as factsOf normalised it, so the
 * role's facts flatten to the very keys and values that were agreed on.
 */
function roleFactsFrom(first: Snapshot, sets: readonly FactSet[], agreed: ReadonlyMap<string, FactSet>, ungoverned: readonly string[]): RoleFacts {
  const firstSet = sets[0]!;
  const keep = (key: string) => agreed.has(key);
  const normalise = (text: string) => applySubstitutions(text, firstSet.substitutions);
  const os = Object.fromEntries(OS_FIELDS.filter((f) => keep(osKey(f))).map((f) => [f, first.os[f]]));
  const services: ServiceState[] = [];
  for (const s of first.services) {
    const enabled = keep(serviceEnabledKey(s.name));
    const active = keep(serviceActiveKey(s.name));
    if (enabled || active) services.push({ name: s.name, ...(enabled && { enabled: s.enabled }), ...(active && { active: s.active }) });
  }
  /** Byte-identical everywhere: keep it literal (an /etc/hosts naming every peer must not become a template). */
  // With one host there is no evidence a value is shared: its identity must still become placeholders.
  const sameEverywhere = (key: string) => sets.length > 1 && sets.every((set) => set.values.get(key) === firstSet.values.get(key));
  return canonicalRole({
    os,
    packages: first.packages.filter((p) => keep(packageKey(p))),
    services,
    ports: first.ports.map((p) => ({ ...p, address: normalise(p.address) })).filter((p) => keep(portKey(p.proto, p.address, p.port))),
    sysctl: Object.fromEntries(
      Object.entries(first.sysctl)
        .filter(([name]) => keep(sysctlKey(name)))
        .map(([name, value]) => [name, normalise(value)]),
    ),
    users: first.users.filter((u) => keep(userKey(u.name))),
    groups: first.groups.filter((g) => keep(groupKey(g.name))),
    mounts: first.mounts.filter((m) => keep(mountKey(m.target))).map((m) => ({ ...m, source: normalise(m.source), options: normalise(m.options) })),
    cron: first.cron.map((c) => ({ ...c, command: normalise(c.command) })).filter((c) => keep(cronKey(c.source, c.user, c.command))),
    files: first.files
      .filter((f) => keep(fileKey(f.path)))
      .map((f) => (sameEverywhere(fileKey(f.path)) ? f : firstSet.normalisedFile(fileKey(f.path))!.file)),
    ungoverned,
  });
}

// ---------------------------------------------------------------------------------------------
// Derivation

export type ImageEdit =
  | { kind: 'set-package'; role: string; name: string; version: string; manager?: PackageManager; arch?: string }
  | { kind: 'remove-package'; role: string; name: string; manager?: PackageManager; arch?: string }
  | { kind: 'set-file'; role: string; path: string; content: string; mode?: string; owner?: string; group?: string }
  | { kind: 'remove-file'; role: string; path: string }
  | { kind: 'set-service'; role: string; name: string; enabled?: UnitEnabledState; active?: UnitActiveState }
  | { kind: 'remove-service'; role: string; name: string }
  | { kind: 'set-sysctl'; role: string; key: string; value: string }
  | { kind: 'remove-sysctl'; role: string; key: string };

const EDIT_CATEGORY: Record<ImageEdit['kind'], FactCategory> = {
  'set-package': 'packages',
  'remove-package': 'packages',
  'set-file': 'files',
  'remove-file': 'files',
  'set-service': 'services',
  'remove-service': 'services',
  'set-sysctl': 'sysctl',
  'remove-sysctl': 'sysctl',
};

/** One line for the lineage and the change report. */
export function describeEdit(edit: ImageEdit): string {
  const where = `${edit.role}: `;
  switch (edit.kind) {
    case 'set-package':
      return `${where}set package ${edit.name}${edit.arch ? `:${edit.arch}` : ''} to ${edit.version}`;
    case 'remove-package':
      return `${where}remove package ${edit.name}${edit.arch ? `:${edit.arch}` : ''}`;
    case 'set-file':
      return `${where}set file ${edit.path} (sha256 ${sha256Hex(edit.content).slice(0, 12)})`;
    case 'remove-file':
      return `${where}remove file ${edit.path}`;
    case 'set-service': {
      const states = [edit.enabled, edit.active].filter(Boolean).join(', ');
      return `${where}set service ${edit.name} ${states}`;
    }
    case 'remove-service':
      return `${where}remove service ${edit.name}`;
    case 'set-sysctl':
      return `${where}set sysctl ${edit.key} = ${edit.value}`;
    case 'remove-sysctl':
      return `${where}remove sysctl ${edit.key}`;
  }
}

/** An edit applied to one role: the new facts and the keys it decided (they are governed from now on). */
interface EditResult {
  role: RoleFacts;
  decided: string[];
}

const refuse = (message: string, hint?: string) => new StagecraftError('invalid-input', message, hint);

/** The value most packages of a role have, for a new package that does not say its manager or arch. */
function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function matchingPackages(edit: { name: string; manager?: PackageManager; arch?: string }) {
  return (p: PackageFact) => p.name === edit.name && (edit.manager === undefined || p.manager === edit.manager) && (edit.arch === undefined || p.arch === edit.arch);
}

function applyEdit(role: RoleFacts, edit: ImageEdit): EditResult {
  switch (edit.kind) {
    case 'set-package': {
      const matches = role.packages.filter(matchingPackages(edit));
      let updated: PackageFact[];
      if (matches.length > 0) {
        // One version per manager and arch: setting a version also collapses rpm's parallel installs.
        const identities = new Map(matches.map((p) => [`${p.manager}:${p.arch}`, p]));
        updated = [...identities.values()].map((p) => ({ ...p, version: edit.version }));
      } else {
        const manager = (edit.manager ?? mostCommon(role.packages.map((p) => p.manager))) as PackageManager | undefined;
        const arch = edit.arch ?? mostCommon(role.packages.filter((p) => p.manager === manager && p.arch !== 'all' && p.arch !== 'noarch').map((p) => p.arch));
        if (manager === undefined || arch === undefined) {
          throw refuse(`Cannot add package ${edit.name}: the role has no packages to take a manager and architecture from.`, 'Give the manager and arch of the package.');
        }
        updated = [{ manager, name: edit.name, version: edit.version, arch }];
      }
      const isMatch = matchingPackages(edit);
      return { role: { ...role, packages: [...role.packages.filter((p) => !isMatch(p)), ...updated] }, decided: updated.map(packageKey) };
    }
    case 'remove-package': {
      const isMatch = matchingPackages(edit);
      const removed = role.packages.filter(isMatch);
      if (removed.length === 0) throw refuse(`The image has no package ${edit.name} in role "${edit.role}" to remove.`);
      return { role: { ...role, packages: role.packages.filter((p) => !isMatch(p)) }, decided: removed.map(packageKey) };
    }
    case 'set-file': {
      const existing = role.files.find((f) => f.path === edit.path);
      const file = {
        path: edit.path,
        sha256: sha256Hex(edit.content),
        size: utf8Length(edit.content),
        mode: edit.mode ?? existing?.mode ?? '0644',
        owner: edit.owner ?? existing?.owner ?? 'root',
        group: edit.group ?? existing?.group ?? 'root',
        content: edit.content,
      };
      return { role: { ...role, files: [...role.files.filter((f) => f.path !== edit.path), file] }, decided: [fileKey(edit.path)] };
    }
    case 'remove-file': {
      if (!role.files.some((f) => f.path === edit.path)) throw refuse(`The image has no file ${edit.path} in role "${edit.role}" to remove.`);
      return { role: { ...role, files: role.files.filter((f) => f.path !== edit.path) }, decided: [fileKey(edit.path)] };
    }
    case 'set-service': {
      if (edit.enabled === undefined && edit.active === undefined) throw refuse(`Setting service ${edit.name} needs an enabled or an active state.`);
      const existing = role.services.find((s) => s.name === edit.name);
      const service: ServiceState = { ...existing, name: edit.name, ...(edit.enabled && { enabled: edit.enabled }), ...(edit.active && { active: edit.active }) };
      const decided = [...(edit.enabled ? [serviceEnabledKey(edit.name)] : []), ...(edit.active ? [serviceActiveKey(edit.name)] : [])];
      return { role: { ...role, services: [...role.services.filter((s) => s.name !== edit.name), service] }, decided };
    }
    case 'remove-service': {
      if (!role.services.some((s) => s.name === edit.name)) throw refuse(`The image has no service ${edit.name} in role "${edit.role}" to remove.`);
      return {
        role: { ...role, services: role.services.filter((s) => s.name !== edit.name) },
        decided: [serviceEnabledKey(edit.name), serviceActiveKey(edit.name)],
      };
    }
    case 'set-sysctl':
      return { role: { ...role, sysctl: { ...role.sysctl, [edit.key]: edit.value } }, decided: [sysctlKey(edit.key)] };
    case 'remove-sysctl': {
      if (!(edit.key in role.sysctl)) throw refuse(`The image sets no sysctl ${edit.key} in role "${edit.role}" to remove.`);
      const { [edit.key]: _removed, ...sysctl } = role.sysctl;
      return { role: { ...role, sysctl }, decided: [sysctlKey(edit.key)] };
    }
  }
}

export interface DeriveImageOptions {
  /** Label of the new image; the parent's by default. */
  label?: string;
}

/**
 * A new image: the parent with `edits` applied in order, lineage pointing at the parent's hash.
 * An edit makes its category (and, for files, its path) governed, and takes its key out of the role's
 * ungoverned list, so drift against the new image shows exactly what was edited.
 */
export function deriveImage(parent: ImageContent, edits: readonly ImageEdit[], options: DeriveImageOptions = {}): ImageContent {
  if (edits.length === 0) throw refuse('Deriving an image needs at least one edit.');
  const roles: Record<string, RoleFacts> = { ...parent.roles };
  const categories = new Set(parent.governs.categories);
  const paths = [...parent.governs.paths];
  for (const edit of edits) {
    const role = roles[edit.role];
    if (!role) throw new StagecraftError('not-found', `Image "${parent.label}" has no role "${edit.role}".`, `Its roles are: ${Object.keys(parent.roles).join(', ') || 'none'}.`);
    const { role: edited, decided } = applyEdit(role, edit);
    const nowDecided = new Set(decided);
    roles[edit.role] = canonicalRole({ ...edited, ungoverned: edited.ungoverned.filter((key) => !nowDecided.has(key)) });
    categories.add(EDIT_CATEGORY[edit.kind]);
    if ((edit.kind === 'set-file' || edit.kind === 'remove-file') && !paths.some((glob) => globMatch(glob, edit.path))) paths.push(escapeGlob(edit.path));
  }
  return {
    format: IMAGE_FORMAT,
    version: IMAGE_FORMAT_VERSION,
    service: parent.service,
    label: options.label ?? parent.label,
    governs: canonicalGovernance({ categories: [...categories], paths }),
    roles,
    lineage: { parent: imageHash(parent), derivedBy: edits.map(describeEdit) },
  };
}
