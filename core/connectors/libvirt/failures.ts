import { StagecraftError, type ErrorCode } from '../../domain/errors';

/** Why a libvirt call failed, in terms a user can act on. */
export type LibvirtFailureKind =
  | 'virsh-missing'
  | 'unreachable'
  | 'not-found'
  | 'permission'
  | 'operation-failed'
  | 'timeout'
  | 'invalid-output'
  | 'not-confirmed'
  | 'plan-stale'
  | 'invalid-input';

export const LIBVIRT_REMEDIES: Readonly<Record<LibvirtFailureKind, string>> = {
  'virsh-missing': 'Install the libvirt client (Debian/Ubuntu: apt-get install libvirt-clients; RHEL: dnf install libvirt-client) on the machine that runs virsh.',
  unreachable:
    'The hypervisor did not answer: check that libvirtd (or virtqemud) runs there, the URI (qemu:///system, qemu+ssh://user@host/system, socket path) and, for a remote one, the SSH route.',
  'not-found': 'The domain, snapshot, pool, volume or network does not exist (any more): refresh the inventory and choose again.',
  permission: 'The account has no right to do this: use a URI and account with write access (e.g. qemu:///system as a member of the libvirt group), or ask the hypervisor\'s administrator.',
  'operation-failed': 'libvirt refused or failed the operation: read its message (state of the domain, disk format, free space) and fix the cause before trying again.',
  timeout: 'virsh did not finish in time: the hypervisor is slow or hung; check it, or raise the timeout.',
  'invalid-output': 'virsh printed something Stagecraft does not understand: report it with the libvirt version.',
  'not-confirmed': 'Review the planned commands and confirm them to run the operation.',
  'plan-stale': 'The hypervisor changed since the plan was made: plan the operation again and review the new commands.',
  'invalid-input': 'Check the names given: they must not be empty or contain control characters.',
};

const ERROR_CODES: Readonly<Record<LibvirtFailureKind, ErrorCode>> = {
  'virsh-missing': 'unsupported',
  unreachable: 'io',
  'not-found': 'not-found',
  permission: 'refused',
  'operation-failed': 'io',
  timeout: 'io',
  'invalid-output': 'internal',
  'not-confirmed': 'refused',
  'plan-stale': 'conflict',
  'invalid-input': 'invalid-input',
};

/** A classified libvirt failure: `kind` for programs, the message for people, `hint` is the remedy. */
export class LibvirtFailure extends StagecraftError {
  constructor(
    readonly kind: LibvirtFailureKind,
    message: string,
    /** virsh's own error output, when there is one. */
    readonly detail?: string,
  ) {
    super(ERROR_CODES[kind], message, LIBVIRT_REMEDIES[kind]);
    this.name = 'LibvirtFailure';
  }
}

export const isLibvirtFailure = (e: unknown): e is LibvirtFailure => e instanceof LibvirtFailure;

/** virsh's "error: …" lines without the noise of log lines (libvirt prints "DATE: PID: info : …"). */
export function virshErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+\d{4}: \d+: (info|warning|debug) :/.test(l));
  return lines.map((l) => l.replace(/^error:\s*/, '')).join('; ');
}

const UNREACHABLE = [
  /failed to connect to the hypervisor/i,
  /failed to connect socket/i,
  /no such file or directory.*sock/i,
  /connection refused/i,
  /cannot recv data/i,
  /end of file while reading data/i,
  /unable to connect to server/i,
  /could not resolve hostname/i,
  /host key verification failed/i,
  /no connection driver available/i,
  /unable to open .*: no such file/i,
];
const NOT_FOUND = [/not found/i, /no domain with matching/i, /no network with matching/i, /no storage (pool|vol)/i, /no domain snapshot with matching/i, /failed to get (domain|network|pool|vol|snapshot)/i, /has no current snapshot/i];
const PERMISSION = [/permission denied/i, /access denied/i, /authentication (failed|unavailable)/i, /read.only access/i, /operation forbidden/i, /not authorized/i, /operation not permitted/i];

/** Classifies a virsh run that exited non-zero, from its error output. */
export function classifyVirshError(stderr: string, where: string, what: string): LibvirtFailure {
  const detail = virshErrorText(stderr);
  const say = (kind: LibvirtFailureKind, message: string) => new LibvirtFailure(kind, `${where}: ${message}${detail ? `: ${detail}` : ''}`, detail);
  // Order matters: "failed to connect … Permission denied" is a permission problem, not a dead daemon.
  if (PERMISSION.some((p) => p.test(detail))) return say('permission', `${what} was refused`);
  if (UNREACHABLE.some((p) => p.test(detail))) return say('unreachable', 'the hypervisor is unreachable');
  if (NOT_FOUND.some((p) => p.test(detail))) return say('not-found', `${what}: not found`);
  return say('operation-failed', `${what} failed`);
}
