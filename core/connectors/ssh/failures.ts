import { ClassifiedFailure, remediesOf, type FailureCatalogue } from '../../domain/classified-failure';

/** Why a collection did not give a complete snapshot, in terms a user can act on. */
export type SshFailureKind =
  | 'unreachable'
  | 'refused'
  | 'timeout'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'host-key-revoked'
  | 'command-failed'
  | 'partial'
  | 'cancelled';

/** What each kind of failure means: its error code and one line telling the user what to do. */
const SSH_FAILURES: FailureCatalogue<SshFailureKind> = {
  unreachable: { code: 'io', remedy: 'Check the address or name, and that this workstation has a route to the host (VPN, jump host).' },
  refused: { code: 'io', remedy: 'Nothing listens on that port: check that sshd runs on the host and the port is right.' },
  timeout: { code: 'io', remedy: 'The host or the network is too slow or drops packets: check the host is up, or raise the timeout.' },
  'auth-failed': { code: 'refused', remedy: 'Check the user name, load the key into ssh-agent or name it with --identity, and that the key is in the host\'s authorized_keys.' },
  'host-key-unknown': { code: 'refused', remedy: 'Compare the fingerprint with the host\'s own (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on its console), then accept it.' },
  'host-key-changed': {
    code: 'refused',
    remedy: 'The host presented a different key than the one trusted: this may be an attack. Verify with the host\'s administrator before replacing the trusted key.',
  },
  'host-key-revoked': { code: 'refused', remedy: 'The host presented a key marked @revoked in known_hosts: do not connect; ask the host\'s administrator.' },
  'command-failed': { code: 'io', remedy: 'The collector did not run: check that the account has a POSIX shell (sh) and read access, and see the error output.' },
  partial: { code: 'io', remedy: 'Some facts are missing: see the warnings (missing tools, unreadable files, output limit) and scan again.' },
  cancelled: { code: 'cancelled', remedy: 'The scan was cancelled; start it again when needed.' },
};

export const SSH_REMEDIES = remediesOf(SSH_FAILURES);

/** A classified SSH failure: `kind` for programs, the message for people, `hint` is the remedy. */
export class SshFailure extends ClassifiedFailure<SshFailureKind> {
  constructor(
    kind: SshFailureKind,
    message: string,
    /** SHA256:… of the key the host presented, for host-key failures. */
    readonly fingerprint?: string,
  ) {
    super(kind, SSH_FAILURES, message);
    this.name = 'SshFailure';
  }
}

export const isSshFailure = (e: unknown): e is SshFailure => e instanceof SshFailure;

const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** Classifies what ssh2 or the socket reported while connecting to `where` (e.g. "root@db1:22"). */
export function classifyConnectError(error: unknown, where: string): SshFailure {
  if (isSshFailure(error)) return error;
  const { code, level, message } = error as { code?: unknown; level?: unknown; message?: string };
  const detail = message ?? String(error);
  if (code === 'ECONNREFUSED' || /connection refused/i.test(detail)) return new SshFailure('refused', `${where}: connection refused`);
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return new SshFailure('unreachable', `${where}: host unreachable (${code})`);
  if (code === 'ETIMEDOUT' || level === 'client-timeout') return new SshFailure('timeout', `${where}: ${detail}`);
  if (level === 'client-authentication') return new SshFailure('auth-failed', `${where}: ${detail}`);
  return new SshFailure('unreachable', `${where}: connection failed: ${detail}`);
}
