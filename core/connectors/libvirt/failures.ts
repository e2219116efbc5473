import { ClassifiedFailure, remediesOf, type FailureCatalogue } from '../../domain/classified-failure';

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

/** What each kind of failure means: its error code and what the user should do. */
const LIBVIRT_FAILURES: FailureCatalogue<LibvirtFailureKind> = {
  'virsh-missing': {
    code: 'unsupported',
    remedy: 'Install the libvirt client (Debian/Ubuntu: apt-get install libvirt-clients; RHEL: dnf install libvirt-client) on the machine that runs virsh.',
  },
  unreachable: {
    code: 'io',
    remedy:
      'The hypervisor did not answer: check that libvirtd (or virtqemud) runs there, the URI (qemu:///system, qemu+ssh://user@host/system, socket path) and, for a remote one, the SSH route.',
  },
  'not-found': { code: 'not-found', remedy: 'The domain, snapshot, pool, volume or network does not exist (any more): refresh the inventory and choose again.' },
  permission: {
    code: 'refused',
    remedy: 'The account has no right to do this: use a URI and account with write access (e.g. qemu:///system as a member of the libvirt group), or ask the hypervisor\'s administrator.',
  },
  'operation-failed': {
    code: 'io',
    remedy: 'libvirt refused or failed the operation: read its message (state of the domain, disk format, free space) and fix the cause before trying again.',
  },
  timeout: { code: 'io', remedy: 'virsh did not finish in time: the hypervisor is slow or hung; check it, or raise the timeout.' },
  'invalid-output': { code: 'internal', remedy: 'virsh printed something Stagecraft does not understand: report it with the libvirt version.' },
  'not-confirmed': { code: 'refused', remedy: 'Review the planned commands and confirm them to run the operation.' },
  'plan-stale': { code: 'conflict', remedy: 'The hypervisor changed since the plan was made: plan the operation again and review the new commands.' },
  'invalid-input': { code: 'invalid-input', remedy: 'Check the names given: they must not be empty or contain control characters.' },
};

export const LIBVIRT_REMEDIES = remediesOf(LIBVIRT_FAILURES);

/** A classified libvirt failure: `kind` for programs, the message for people, `hint` is the remedy. */
export class LibvirtFailure extends ClassifiedFailure<LibvirtFailureKind> {
  constructor(
    kind: LibvirtFailureKind,
    message: string,
    /** virsh's own error output, when there is one. */
    readonly detail?: string,
  ) {
    super(kind, LIBVIRT_FAILURES, message);
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
