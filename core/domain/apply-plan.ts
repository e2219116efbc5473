/**
 * What applying a host's promotion plan runs on that host, exactly: argument vectors (never shell
 * text) for the backup taken before, each plan step, and the rollback of the steps that ran.
 * Where a shell is needed (atomic file writes, backups), the script is a constant of this module
 * and every value reaches it as a positional parameter ("$1", "$2"…), so a path or package name is
 * always data. The connector quotes each word when it sends the command.
 *
 * Every step is idempotent (a pinned install, a write of the same bytes, enable, restart): running
 * one again after an interruption leaves the host as running it once would.
 */
import { StagecraftError } from './errors';
import type { PackageManager } from './facts';
import type { PlanStep } from './promotion-plan';

export interface HostCommand {
  /** What it does, in words, for the dry run and the record. */
  label: string;
  /** The words to run, `sudo -n --` first when the account is not root. */
  argv: string[];
  /** Sent on the command's standard input (file contents). */
  stdin?: string;
  timeoutMs: number;
  /** There for the apply's own safety (a record, a clean-up), not to make the change itself. */
  safeguard?: true;
}

export interface ApplyStepScript {
  /** Position of the step in the host's plan, from 0. */
  index: number;
  step: PlanStep;
  label: string;
  commands: HostCommand[];
  /** Undoes this step once it has run (or may have run); empty when nothing needs undoing. */
  rollback: HostCommand[];
}

export interface HostApplyScript {
  host: string;
  /** Folder on the host that keeps the files as they were before the change. */
  backupDir: string;
  /** Run before the first step: package versions recorded, files copied into backupDir. */
  backup: HostCommand[];
  steps: ApplyStepScript[];
  /** Backup path of each file the plan writes or removes. */
  backups: { path: string; backupPath: string }[];
  /**
   * Once every package step that ran is undone: the configuration-file copies the package manager
   * left during this apply removed, the ones there before put back. Null without package steps.
   */
  settleLeftovers: HostCommand | null;
}

export interface ApplyScriptOptions {
  host: string;
  /** The SSH account: anything but root runs each command through `sudo -n`. */
  user: string;
  /** e.g. /var/backups/stagecraft/change-12/run-3 */
  backupDir: string;
}

export const COMMAND_TIMEOUTS = { package: 600_000, file: 60_000, sysctl: 30_000, service: 120_000, backup: 120_000 } as const;

/** Where systemd-sysctl reads the values this module persists, one file per key. */
export const sysctlFile = (key: string) => `/etc/sysctl.d/90-stagecraft-${sysctlWord(key)}.conf`;

// The constant scripts. "$0" is the script's name, the values follow.

/** $1 path, $2 mode (octal or empty), $3 owner (or empty), $4 group (or empty); content on stdin. */
const WRITE_FILE = [
  'set -eu',
  'dir=$(dirname -- "$1")',
  'mkdir -p -- "$dir"',
  'tmp=$(mktemp -- "$dir/.stagecraft-XXXXXX")',
  "trap 'rm -f -- \"$tmp\"' EXIT",
  'cat >"$tmp"',
  // Keep what the file had unless the plan says otherwise.
  'if [ -e "$1" ]; then chmod --reference="$1" -- "$tmp"; chown --reference="$1" -- "$tmp"; else chmod 0644 -- "$tmp"; fi',
  'if [ -n "$2" ]; then chmod -- "$2" "$tmp"; fi',
  'if [ -n "$3" ]; then chown -- "$3" "$tmp"; fi',
  'if [ -n "$4" ]; then chgrp -- "$4" "$tmp"; fi',
  'sync -- "$tmp"',
  'mv -f -- "$tmp" "$1"',
  'trap - EXIT',
  'sync -- "$dir"',
].join('\n');

/**
 * $1 path, $2 backup path, $3 where the topmost missing folder is recorded: a copy with mode, owner
 * and times, or "absent"; then the first folder the write will make (mkdir -p), if any.
 */
const BACKUP_FILE = [
  'set -eu',
  'mkdir -p -- "$(dirname -- "$2")" "$(dirname -- "$3")"',
  'rm -f -- "$3"',
  'if [ -e "$1" ] || [ -L "$1" ]; then cp -a -- "$1" "$2"; sync -- "$2"; echo copied; exit 0; fi',
  'rm -f -- "$2"',
  'dir=$(dirname -- "$1"); top=',
  'while [ ! -e "$dir" ] && [ ! -L "$dir" ]; do top=$dir; dir=$(dirname -- "$dir"); done',
  'if [ -z "$top" ]; then echo absent; exit 0; fi',
  'printf %s "$top" >"$3"',
  'sync -- "$3"',
  'printf "absent; writing it makes %s\\n" "$top"',
].join('\n');

/**
 * $1 path, $2 backup path, $3 the topmost missing folder's record: the backup put back atomically,
 * or the file removed when there was none, with the folders its write made, as long as they are empty.
 */
const RESTORE_FILE = [
  'set -eu',
  'dir=$(dirname -- "$1")',
  'if [ -e "$2" ] || [ -L "$2" ]; then',
  '  tmp="$dir/.stagecraft-restore-$$"',
  '  cp -a -- "$2" "$tmp"',
  '  sync -- "$tmp"',
  '  mv -f -- "$tmp" "$1"',
  'else',
  '  rm -f -- "$1"',
  '  if [ -e "$3" ]; then',
  '    top=$(cat -- "$3")',
  '    while rmdir -- "$dir" 2>/dev/null; do',
  '      printf "removed %s (made by this apply)\\n" "$dir"',
  '      was=$dir; dir=$(dirname -- "$dir")',
  '      [ "$was" != "$top" ] || break',
  '    done',
  '  fi',
  'fi',
  'sync -- "$dir"',
].join('\n');

/** $1 path: removed (the backup keeps it). */
const REMOVE_FILE = 'set -eu\nrm -f -- "$1"\nsync -- "$(dirname -- "$1")"';

/** The /proc/sys node of the key in "$1". */
const SYSCTL_NODE = 'node="/proc/sys/$(printf %s "$1" | tr . /)"';

/** $1 key, $2 value: the live value, when this host may set it (a container's /proc/sys is read-only). */
const SET_SYSCTL_LIVE = ['set -eu', SYSCTL_NODE, 'if [ -w "$node" ]; then sysctl -w -- "$1=$2"; else echo "live value not writable here ($node); persisted only"; fi'].join('\n');

/** $1 key, $2 backup path: the live value as the kernel gives it, or none when it cannot be read. */
const RECORD_SYSCTL_LIVE = [
  'set -eu',
  SYSCTL_NODE,
  'mkdir -p -- "$(dirname -- "$2")"',
  'if [ -r "$node" ]; then cat -- "$node" >"$2"; sync -- "$2"; printf "%s = %s\\n" "$1" "$(cat -- "$2")"; else rm -f -- "$2"; echo "$1 has no live value here"; fi',
].join('\n');

/** $1 key, $2 backup path: the recorded live value written back, where it was recorded and may be set. */
const RESTORE_SYSCTL_LIVE = [
  'set -eu',
  SYSCTL_NODE,
  'if [ ! -e "$2" ]; then echo "no live value of $1 was recorded: left as it is"; exit 0; fi',
  'if [ ! -w "$node" ]; then echo "live value not writable here ($node); the restored files hold it"; exit 0; fi',
  'cat -- "$2" >"$node"',
  'printf "%s = %s\\n" "$1" "$(cat -- "$node")"',
].join('\n');

/**
 * $1 record|settle, $2 manager, $3 this apply's folder for them. The copies a package manager
 * leaves beside a configuration file it did not overwrite (.dpkg-dist, .dpkg-old, .dpkg-new;
 * .rpmnew, .rpmsave; .apk-new): package steps leave them as they were. "record" (once per apply)
 * lists and copies those there before; "settle" removes the ones that appeared since, each named
 * in the output and in "removed", and puts back the recorded ones the packages changed or removed
 * (dpkg itself deletes a .dpkg-old and rewrites a .dpkg-dist).
 */
const CONFFILE_LEFTOVERS = [
  'set -eu',
  'mode=$1; manager=$2; dir=$3',
  'leftovers() {',
  '  case "$manager" in',
  "    dpkg) dpkg-query -W -f '${Conffiles}\\n' | awk '$1 ~ /^\\// { print $1 }' | while IFS= read -r f; do for s in .dpkg-dist .dpkg-old .dpkg-new; do if [ -e \"$f$s\" ]; then printf '%s\\n' \"$f$s\"; fi; done; done ;;",
  "    rpm) rpm -qa --configfiles | while IFS= read -r f; do for s in .rpmnew .rpmsave; do if [ -e \"$f$s\" ]; then printf '%s\\n' \"$f$s\"; fi; done; done ;;",
  "    apk) find /etc -xdev -name '*.apk-new' ;;",
  '  esac | sort -u',
  '}',
  'if [ "$mode" = record ]; then',
  '  if [ -e "$dir/before" ]; then echo "recorded before: $(wc -l <"$dir/before") leftover(s)"; exit 0; fi',
  '  mkdir -p -- "$dir/files"',
  '  leftovers >"$dir/before.tmp"',
  '  while IFS= read -r f; do mkdir -p -- "$dir/files$(dirname -- "$f")"; cp -a -- "$f" "$dir/files$f"; echo "there before: $f"; done <"$dir/before.tmp"',
  '  sync -- "$dir/before.tmp"',
  '  mv -f -- "$dir/before.tmp" "$dir/before"',
  '  exit 0',
  'fi',
  'if [ ! -e "$dir/before" ]; then echo "no record of the leftovers there before this apply: none removed"; exit 0; fi',
  'leftovers | while IFS= read -r f; do',
  '  if ! grep -qxF -- "$f" "$dir/before"; then rm -f -- "$f"; printf "%s\\n" "$f" >>"$dir/removed"; echo "removed $f (left by this apply)"; fi',
  'done',
  'while IFS= read -r f; do',
  '  if [ -e "$f" ] && cmp -s -- "$dir/files$f" "$f"; then continue; fi',
  '  cp -a -- "$dir/files$f" "$f.stagecraft-restore"',
  '  mv -f -- "$f.stagecraft-restore" "$f"',
  '  echo "put back $f"',
  'done <"$dir/before"',
].join('\n');

/** $1 manager, $2… names: the installed version of each, one "name version" line (or "name absent"). */
const RECORD_VERSIONS = [
  'manager=$1; shift',
  'for name in "$@"; do',
  '  case "$manager" in',
  "    dpkg) version=$(dpkg-query -W -f '${Version}' -- \"$name\" 2>/dev/null || true) ;;",
  "    rpm) version=$(rpm -q --qf '%{VERSION}-%{RELEASE}' -- \"$name\" 2>/dev/null || true) ;;",
  '    apk) version=$(apk info -e -v -- "$name" 2>/dev/null | sed "s/^$name-//" || true) ;;',
  '  esac',
  '  printf "%s %s\\n" "$name" "${version:-absent}"',
  'done',
].join('\n');

/** $1 manager, $2 name: removed when installed; nothing to do (exit 0) when it never got installed. */
const REMOVE_IF_INSTALLED = [
  'set -eu',
  'case "$1" in',
  "  dpkg) dpkg-query -W -f '${Status}' -- \"$2\" 2>/dev/null | grep -q ' installed$' || { echo \"$2 is not installed\"; exit 0; }",
  '    DEBIAN_FRONTEND=noninteractive apt-get -y -q remove -- "$2" ;;',
  '  rpm) rpm -q -- "$2" >/dev/null 2>&1 || { echo "$2 is not installed"; exit 0; }',
  '    dnf -y remove "$2" ;;',
  '  apk) apk info -e -- "$2" >/dev/null 2>&1 || { echo "$2 is not installed"; exit 0; }',
  '    apk del "$2" ;;',
  'esac',
].join('\n');

const SETTLE_LEFTOVERS = 'remove configuration-file copies this apply left; put back those there before';

const sh = (script: string, ...values: string[]) => ['sh', '-c', script, 'stagecraft-apply', ...values];

/**
 * A sysctl key is a file name (its persisted file) and a /proc/sys path: dot-separated words only,
 * so no key reaches another folder.
 */
function sysctlWord(key: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.:@+-]*$/.test(key)) throw new StagecraftError('invalid-input', `"${key}" is not a sysctl key this apply can set.`, 'Use dot-separated names (e.g. net.core.somaxconn) in the image and plan again.');
  return key;
}

/** A package name that would read as an option can never be one: refused, not passed on. */
function packageWord(name: string): string {
  if (name.startsWith('-') || name.length === 0) throw new StagecraftError('invalid-input', `"${name}" is not a package name.`, 'Fix the package name in the image and plan again.');
  return name;
}

function installCommand(manager: PackageManager, name: string, version: string, direction: 'install' | 'downgrade'): string[] {
  const word = packageWord(name);
  switch (manager) {
    case 'dpkg':
      // confold: a conffile the admin changed stays; the plan's own file steps write what the image wants.
      return ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-y', '-q', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', '--allow-downgrades', '--no-remove', 'install', `${word}=${version}`];
    case 'rpm':
      return ['dnf', '-y', direction === 'downgrade' ? 'downgrade' : 'install', `${word}-${version}`];
    case 'apk':
      return ['apk', 'add', `${word}=${version}`];
  }
}

function removeCommand(manager: PackageManager, name: string): string[] {
  const word = packageWord(name);
  switch (manager) {
    case 'dpkg':
      return ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-y', '-q', 'remove', '--', word];
    case 'rpm':
      return ['dnf', '-y', 'remove', word];
    case 'apk':
      return ['apk', 'del', word];
  }
}

const systemctl = (verb: string, unit: string) => ['systemctl', verb, '--', unit];

/** The opposite of a service action, to put the previous state back. */
const SERVICE_INVERSE = { enable: 'disable', disable: 'enable', start: 'stop', stop: 'start', restart: 'restart' } as const;

export function stepLabel(step: PlanStep): string {
  switch (step.kind) {
    case 'package':
      return step.action === 'remove' ? `remove package ${step.name} ${step.from ?? ''}`.trim() : `${step.action} package ${step.name} ${step.from ? `${step.from} → ` : ''}${step.to}`;
    case 'file':
      return `${step.action} file ${step.path}`;
    case 'sysctl':
      return `set sysctl ${step.key} = ${step.to}`;
    case 'service':
      return `${step.action} service ${step.name}${step.because ? ` (${step.because})` : ''}`;
  }
}

/** The files a step writes or removes on the host (each is backed up first). */
export function filesTouched(step: PlanStep): string[] {
  if (step.kind === 'file') return [step.path];
  if (step.kind === 'sysctl') return [sysctlFile(step.key)];
  return [];
}

/** Where a file's copy is kept: its absolute path under the backup folder. */
export const backupPathOf = (backupDir: string, path: string, tree = 'files') => `${backupDir.replace(/\/+$/, '')}/${tree}${path.startsWith('/') ? '' : '/'}${path}`;

/** The backup, the commands and the rollback of one host's plan, in the plan's order. */
export function hostApplyScript(steps: readonly PlanStep[], options: ApplyScriptOptions): HostApplyScript {
  const asRoot = (argv: string[]) => (options.user === 'root' ? argv : ['sudo', '-n', '--', ...argv]);
  const command = (label: string, argv: string[], timeoutMs: number, stdin?: string): HostCommand => ({ label, argv: asRoot(argv), timeoutMs, ...(stdin !== undefined && { stdin }) });
  const packageSteps = steps.filter((s): s is Extract<PlanStep, { kind: 'package' }> => s.kind === 'package');
  // Read only when the plan has package steps (the conffile copies and versions are theirs).
  const manager: PackageManager = packageSteps[0]?.manager ?? 'dpkg';
  const backups = [...new Set(steps.flatMap(filesTouched))].map((path) => ({ path, backupPath: backupPathOf(options.backupDir, path) }));
  // The first folder a file's write makes is recorded beside the backups, in a tree of its own.
  const createdDirRecord = (path: string) => backupPathOf(options.backupDir, path, 'created-dirs');
  const restoreFile = (path: string) => command(`restore ${path}`, sh(RESTORE_FILE, path, backupPathOf(options.backupDir, path), createdDirRecord(path)), COMMAND_TIMEOUTS.file);
  const liveSysctlBackup = (key: string) => backupPathOf(options.backupDir, key, 'sysctl');
  const leftoversDir = `${options.backupDir.replace(/\/+$/, '')}/conffile-leftovers`;
  const recordLeftovers: HostCommand = { ...command('record configuration-file copies there before', sh(CONFFILE_LEFTOVERS, 'record', manager, leftoversDir), COMMAND_TIMEOUTS.backup), safeguard: true };
  const settleLeftovers: HostCommand = { ...command(SETTLE_LEFTOVERS, sh(CONFFILE_LEFTOVERS, 'settle', manager, leftoversDir), COMMAND_TIMEOUTS.backup), safeguard: true };

  const backup: HostCommand[] = [];
  if (packageSteps.length > 0) {
    backup.push(command('record package versions', sh(RECORD_VERSIONS, manager, ...packageSteps.map((s) => packageWord(s.name))), COMMAND_TIMEOUTS.backup));
  }
  for (const { path, backupPath } of backups) backup.push(command(`back up ${path}`, sh(BACKUP_FILE, path, backupPath, createdDirRecord(path)), COMMAND_TIMEOUTS.backup));
  for (const step of steps) if (step.kind === 'sysctl') backup.push(command(`record the live value of ${step.key}`, sh(RECORD_SYSCTL_LIVE, step.key, liveSysctlBackup(step.key)), COMMAND_TIMEOUTS.sysctl));
  // Part of the package steps, not of the backup, so a VM's apply (no backup commands) cleans them too.
  const firstPackage = steps.findIndex((s) => s.kind === 'package');
  const lastPackage = steps.findLastIndex((s) => s.kind === 'package');
  /** A package command, with the configuration-file copies recorded ahead of the first and settled after the last. */
  const aroundPackages = (index: number, install: HostCommand): HostCommand[] => [...(index === firstPackage ? [recordLeftovers] : []), install, ...(index === lastPackage ? [settleLeftovers] : [])];

  const scripts = steps.map((step, index): ApplyStepScript => {
    const label = stepLabel(step);
    switch (step.kind) {
      case 'package': {
        if (step.action === 'remove') {
          return { index, step, label, commands: aroundPackages(index, command(label, removeCommand(step.manager, step.name), COMMAND_TIMEOUTS.package)), rollback: step.from ? [command(`reinstall ${step.name} ${step.from}`, installCommand(step.manager, step.name, step.from, 'install'), COMMAND_TIMEOUTS.package)] : [] };
        }
        if (!step.to) throw new StagecraftError('invalid-input', `The plan's step "${label}" has no version to install.`, 'Plan the change again.');
        const rollback = step.from
          ? [command(`reinstall ${step.name} ${step.from}`, installCommand(step.manager, step.name, step.from, step.action === 'upgrade' ? 'downgrade' : 'install'), COMMAND_TIMEOUTS.package)]
          : [command(`remove ${step.name} if installed`, sh(REMOVE_IF_INSTALLED, step.manager, packageWord(step.name)), COMMAND_TIMEOUTS.package)];
        return { index, step, label, commands: aroundPackages(index, command(label, installCommand(step.manager, step.name, step.to, step.action === 'downgrade' ? 'downgrade' : 'install'), COMMAND_TIMEOUTS.package)), rollback };
      }
      case 'file': {
        if (step.action === 'remove') return { index, step, label, commands: [command(label, sh(REMOVE_FILE, step.path), COMMAND_TIMEOUTS.file)], rollback: [restoreFile(step.path)] };
        if (step.content === undefined) throw new StagecraftError('unsupported', `The image has no text content for ${step.path} (binary or too large), so it cannot be written.`, 'Govern that file by hash only, or capture its content.');
        const write = command(label, sh(WRITE_FILE, step.path, step.mode ?? '', step.owner ?? '', step.group ?? ''), COMMAND_TIMEOUTS.file, step.content);
        return { index, step, label, commands: [write], rollback: [restoreFile(step.path)] };
      }
      case 'sysctl': {
        const path = sysctlFile(step.key);
        const persist = command(`persist ${step.key} in ${path}`, sh(WRITE_FILE, path, '0644', 'root', 'root'), COMMAND_TIMEOUTS.file, `${step.key} = ${step.to}\n`);
        const live = command(`set ${step.key} = ${step.to} now`, sh(SET_SYSCTL_LIVE, step.key, step.to), COMMAND_TIMEOUTS.sysctl);
        // The live value goes back to what the kernel had, which a file need not say.
        const rollback = [restoreFile(path), command(`put back the live value of ${step.key}`, sh(RESTORE_SYSCTL_LIVE, step.key, liveSysctlBackup(step.key)), COMMAND_TIMEOUTS.sysctl)];
        return { index, step, label, commands: [persist, live], rollback };
      }
      case 'service': {
        // A unit file may have changed: systemd reads units again before acting on one.
        const reload = command('reload systemd units', ['systemctl', 'daemon-reload'], COMMAND_TIMEOUTS.service);
        const inverse = SERVICE_INVERSE[step.action];
        return {
          index,
          step,
          label,
          commands: [reload, command(label, systemctl(step.action, step.name), COMMAND_TIMEOUTS.service)],
          rollback: [reload, command(`${inverse} service ${step.name}`, systemctl(inverse, step.name), COMMAND_TIMEOUTS.service)],
        };
      }
    }
  });
  return {
    host: options.host,
    backupDir: options.backupDir,
    backup,
    steps: scripts,
    backups,
    settleLeftovers: packageSteps.length > 0 ? settleLeftovers : null,
  };
}

/**
 * Undo order: files first, so a package going back to its previous version finds its conffile
 * already as it was (as that version shipped it, dpkg leaves no .dpkg-dist beside it; an admin's
 * edit makes one, settled after the packages); then packages, then services, which restart last to
 * read what was restored.
 */
const ROLLBACK_ORDER: Record<PlanStep['kind'], number> = { file: 0, sysctl: 1, package: 2, service: 3 };

/** What undoes the steps that ran (or may have run). */
export function rollbackCommands(script: HostApplyScript, started: ReadonlySet<number>): HostCommand[] {
  const undone = script.steps.filter((s) => started.has(s.index)).sort((a, b) => ROLLBACK_ORDER[a.step.kind] - ROLLBACK_ORDER[b.step.kind] || a.index - b.index);
  const lastPackage = undone.findLast((u) => u.step.kind === 'package');
  const commands = undone.flatMap((s) => [...s.rollback, ...(s === lastPackage && script.settleLeftovers ? [script.settleLeftovers] : [])]);
  // One daemon-reload before the service commands is enough.
  return commands.filter((c, i) => c.label !== 'reload systemd units' || commands.findIndex((d) => d.label === c.label) === i);
}
