/** The SSH connector's public surface: what core/services may use. */
export type { CredentialOptions, PassphraseRequest, PasswordRequest } from './auth';
export { collectorCommand, SSH_DEFAULTS, SshHostConnector } from './connector';
export type { CollectOptions, CollectPhase, CollectResult, CollectTimings, CollectorLimits, HostConnector } from './connector';
export { isSshFailure, SSH_REMEDIES, SshFailure } from './failures';
export type { SshFailureKind } from './failures';
export type { HostKeyTrustStore, HostKeyVerdict, TrustedHostKey } from './host-keys';
export { sha256Fingerprint } from './known-hosts';
export { parseSshTarget } from './route';
export { REMOTE_OUTPUT_LIMIT, RemoteShell } from './remote-exec';
export type { RemoteCommandResult, RemoteShellOptions } from './remote-exec';
export type { RouteOptions, SshTarget } from './route';
export { shellCommand, shellQuote } from './shell-quote';
