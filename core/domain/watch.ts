/**
 * Which files a role watches: path globs the collector reads (hash, mode, owner, and text content).
 * Every role watches the security-relevant basics; a role whose name says what it is also watches
 * that software's configuration. Administrators edit the list per role.
 */
export const BASELINE_WATCH_GLOBS = [
  '/etc/ssh/sshd_config',
  '/etc/ssh/sshd_config.d/*',
  '/etc/sudoers',
  '/etc/sudoers.d/*',
  '/etc/pam.d/*',
  '/etc/security/limits.conf',
  '/etc/sysctl.conf',
  '/etc/sysctl.d/*',
  '/etc/crontab',
  '/etc/cron.d/*',
  '/etc/systemd/system/*.service',
  '/etc/hosts',
  '/etc/resolv.conf',
] as const;

const ROLE_HINTS: readonly { match: RegExp; globs: readonly string[] }[] = [
  { match: /web|nginx|http|front|proxy|lb/, globs: ['/etc/nginx/**', '/etc/apache2/**', '/etc/haproxy/**'] },
  { match: /db|sql|postgres|data|warehouse/, globs: ['/etc/postgresql/**', '/etc/mysql/**'] },
  { match: /cache|redis|memcache/, globs: ['/etc/redis/**', '/etc/memcached.conf'] },
  { match: /ldap|directory|identity|idm|auth/, globs: ['/etc/ldap/**', '/etc/default/slapd'] },
  { match: /app|api|worker|backend/, globs: ['/etc/default/*', '/srv/*/*.conf', '/srv/*/*.ini'] },
];

/** The default watch list of a role, from the baseline and what its name suggests. */
export function defaultWatchGlobs(role: string): string[] {
  const name = role.toLowerCase();
  const hinted = ROLE_HINTS.filter((hint) => hint.match.test(name)).flatMap((hint) => hint.globs);
  return [...new Set([...BASELINE_WATCH_GLOBS, ...hinted])];
}
