/**
 * How much a drift matters. Rules are data, edited per workspace: the first rule whose category and
 * key glob match decides; a fact no rule matches is `low`.
 */
import type { FactCategory } from './facts';
import { globMatch } from './glob';
import { splitFactKey } from './normalise';

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SeverityRule {
  /** Absent: any category. */
  category?: FactCategory;
  /** Glob on the key within the category (see glob.ts), e.g. `*:openssh*:*` for packages. */
  match: string;
  severity: Severity;
}

/** Packages whose version decides what an attacker can do: TLS, SSH, libc, authentication, privilege, boot. */
const SECURITY_PACKAGES = [
  'openssh*',
  'openssl',
  'openssl-libs',
  'libssl*',
  'libc6',
  'libc-bin',
  'glibc',
  'glibc-common',
  'musl',
  'sudo',
  'systemd',
  'libsystemd0',
  'linux-image*',
  'kernel',
  'kernel-core',
  'ca-certificates',
  'gnupg*',
  'gpgv',
  'libpam*',
  'pam',
  'libgnutls*',
  'policykit-1',
  'polkit*',
];

export const defaultSeverityRules: readonly SeverityRule[] = Object.freeze([
  // A different kernel or release changes everything below it.
  { category: 'os', match: '{kernel,id,versionId,arch}', severity: 'high' },
  // Package keys are manager:name:arch.
  { category: 'packages', match: `*:{${SECURITY_PACKAGES.join(',')}}:*`, severity: 'high' },
  { category: 'packages', match: '**', severity: 'medium' },
  { category: 'files', match: '/etc/ssh/**', severity: 'high' },
  { category: 'files', match: '/etc/{sudoers,shadow,gshadow,passwd,group}', severity: 'high' },
  { category: 'files', match: '/etc/sudoers.d/**', severity: 'high' },
  { category: 'files', match: '/etc/pam.d/**', severity: 'high' },
  { category: 'files', match: '/etc/security/**', severity: 'high' },
  { category: 'files', match: '**', severity: 'medium' },
  // Whether a unit starts at boot is configuration; whether it runs right now is state (low, by default).
  { category: 'services', match: '*:enabled', severity: 'high' },
  { category: 'ports', match: '**', severity: 'high' },
  {
    category: 'sysctl',
    match: '{net.ipv4.ip_forward,net.ipv6.conf.all.forwarding,kernel.randomize_va_space,kernel.kptr_restrict,kernel.yama.ptrace_scope}',
    severity: 'high',
  },
  { category: 'users', match: 'root', severity: 'high' },
  { category: 'groups', match: '{root,sudo,wheel,adm,shadow}', severity: 'high' },
]);

export const DEFAULT_SEVERITY: Severity = 'low';

/** Sorting rank: high first. */
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

function firstMatch(rules: readonly SeverityRule[], category: FactCategory, key: string): Severity {
  for (const rule of rules) {
    if ((rule.category === undefined || rule.category === category) && globMatch(rule.match, key)) return rule.severity;
  }
  return DEFAULT_SEVERITY;
}

export function severityOf(item: { category: FactCategory; key: string }, rules: readonly SeverityRule[] = defaultSeverityRules): Severity {
  return firstMatch(rules, item.category, item.key);
}

/** A severity lookup by full fact key that remembers its answers: drift reports ask per item, often for the same keys. */
export function severityClassifier(rules: readonly SeverityRule[] = defaultSeverityRules): (fullKey: string) => Severity {
  const known = new Map<string, Severity>();
  return (fullKey) => {
    let severity = known.get(fullKey);
    if (severity === undefined) {
      const { category, key } = splitFactKey(fullKey);
      severity = firstMatch(rules, category, key);
      known.set(fullKey, severity);
    }
    return severity;
  };
}
