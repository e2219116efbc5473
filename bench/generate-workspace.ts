/**
 * A large, realistic workspace for benchmarks, built through the real store: services × 5 stages ×
 * 5 hosts (roles web, web, app, app, db) whose facts start from the real Debian captures in
 * resources/demo/captures and grow to ~2,000 packages and ~200 watched files per host.
 *
 * Overlap is what makes the store's deduplication and the drift engine's shortcuts matter, so it
 * follows how real fleets look:
 * - every host carries a site baseline of packages; each role adds its own; each service adds some
 *   and pins a few versions of its own;
 * - preproduction stages run the next release: a few packages newer than production's, and a stage
 *   file naming the stage;
 * - config files mostly repeat across the hosts of a role (role files shared by every service,
 *   service files shared by its roles), and a handful per host carry the host's own name, FQDN and
 *   address (/etc/hosts, postfix, the node's own config…), so normalisation has work to do;
 * - a few percent of hosts drift: older security updates (the real `.older` captures), a file
 *   edited by hand, a debugging package installed, a package removed.
 * Every production stage gets an image captured from it (v1), assigned to production, uat and
 * staging; a derived image (v2, the next release) is assigned to integration and testing.
 *
 * Deterministic: every choice comes from seeded PRNGs. `npx tsx bench/generate-workspace.ts PATH
 * [HOSTS]` builds one on its own (BENCH_HOSTS also sets the size).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFact, PackageFact, Snapshot } from '../core/domain/facts';
import { captureImage, deriveImage } from '../core/domain/image';
import { DEFAULT_GOVERNANCE } from '../core/domain/image-defaults';
import { normaliseSnapshot } from '../core/domain/normalise';
import { WorkspaceStore } from '../core/store/workspace-store';

export interface GenerateOptions {
  /** Hosts wanted: rounded up to whole services (of 25 hosts by default). */
  hosts?: number;
  /** Services wanted, instead of `hosts`. */
  services?: number;
  /** Hosts per stage (default 5: roles web, web, app, app, db; fewer take the first of those). */
  hostsPerStage?: number;
  /** The lifecycle, in order; the last stage is production (default: integration, testing, staging, uat, production). */
  stages?: readonly string[];
  /** Packages per host, roughly (default 2,000). */
  packages?: number;
  /** Watched files per host, roughly (default 200). */
  files?: number;
  /** Share of hosts that drift on their own (default 0.03). */
  driftedShare?: number;
}

export interface GeneratedWorkspace {
  store: WorkspaceStore;
  hosts: number;
  services: number;
  images: number;
  drifted: number;
  /** Averages over the hosts generated. */
  packagesPerHost: number;
  filesPerHost: number;
  /** The snapshots saved, each serialised as plain JSON (`JSON.stringify`), summed: the storage peer. */
  plainJsonBytes: number;
  seconds: number;
}

export const STAGES = ['integration', 'testing', 'staging', 'uat', 'production'] as const;
export const ROLES = ['web', 'app', 'db'] as const;
/** The roles of the hosts of a stage, in order: five by default. */
const HOST_ROLES = ['web', 'web', 'app', 'app', 'db'] as const;
/**
 * How many packages a preproduction stage runs newer than production (the next release on its way),
 * by its distance from production: the furthest upstream are furthest along.
 */
const BUMPS_BY_DISTANCE = [0, 2, 6, 16, 24, 32, 40];
const bumpsAt = (distance: number) => BUMPS_BY_DISTANCE[Math.min(distance, BUMPS_BY_DISTANCE.length - 1)]!;
const ACTOR = 'bench-generator';

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** mulberry32: small, fast, good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from a label (FNV-1a), so each service, role or host has its own stream. */
function seedOf(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const intIn = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
/** `count` distinct items, in the order the list has them. */
function sample<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, items.length)) chosen.add(Math.floor(rng() * items.length));
  return [...chosen].sort((a, b) => a - b).map((i) => items[i]!);
}

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
/** Code-unit order, as normaliseSnapshot sorts: never the locale's. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const comparePackages = (a: PackageFact, b: PackageFact) => byCodeUnits(a.manager, b.manager) || byCodeUnits(a.name, b.name) || byCodeUnits(a.arch, b.arch) || byCodeUnits(a.version, b.version);
const compareFiles = (a: FileFact, b: FileFact) => byCodeUnits(a.path, b.path);

function textFile(path: string, content: string, mode = '0644', owner = 'root', group = 'root'): FileFact {
  return { path, sha256: sha(content), size: Buffer.byteLength(content), mode, owner, group, content };
}

// ---------------------------------------------------------------------------------------------
// Packages: an archive of plausible Debian names and versions

const STEMS = (
  'ssl xml2 png16 curl yaml json-c gtk-3 qt5core icu z bz2 lzma zstd ffi gmp mpfr pcre2 sqlite3 pq mariadb ldap sasl2 krb5 gssapi nghttp2 ssh2 ' +
  'idn2 unistring psl brotli expat freetype fontconfig harfbuzz pango cairo pixman jpeg tiff webp gif x11 xcb xext xrender drm gbm wayland glib ' +
  'dbus udev cap2 acl attr selinux semanage apparmor audit pam seccomp uuid blkid mount fdisk smartcols ncurses readline edit tinfo magic archive ' +
  'lz4 snappy protobuf grpc absl re2 boost-system boost-filesystem boost-thread tbb openblas lapack fftw3 hdf5 netcdf gdal proj geos spatialite ' +
  'event ev uv cares nettle hogweed gnutls tasn1 p11-kit gcrypt gpg-error assuan ksba npth sodium argon2 crypt oath yaml-cpp jansson jemalloc ' +
  'tcmalloc unwind dw elf bpf nl-3 nl-route pcap mnl nftnl nftables iptc ip4tc xtables netfilter-conntrack wrap tirpc nsl nss3 nspr4 sasl ' +
  'curl-gnutls rtmp ssh-gcrypt gsasl ntlm xslt exslt xmlsec1 opensc tss2 fido2 cbor hidapi usb pci sensors ipmi snmp net-snmp zmq rabbitmq ' +
  'hiredis memcached mongoc bson maxminddb geoip luajit lua tcl perl python ruby php node go rust llvm clang gcc stdc++ gfortran quadmath ' +
  'gomp itm atomic asan ubsan lsan tsan cc1 binutils ctf sframe bfd opcodes gprofng isl mpc zip unzip tar cpio pax gzip xz bzip2 lzo2 ' +
  'avahi cups sane colord polkit packagekit appstream flatpak ostree fwupd gusb jcat xmlb curl3 gpgme gnupg dirmngr pinentry ' +
  'monit nagios icinga zabbix prometheus grafana telegraf collectd rrd munin logrotate rsyslog journald auditd aide tripwire fail2ban ' +
  'chrony ntp sntp ptp linuxptp ethtool iw wpa dhcpcd isc-dhcp bind9 unbound dnsmasq knot powerdns haproxy keepalived conntrackd ' +
  'varnish squid traefik envoy consul vault nomad etcd zookeeper kafka pulsar nats mosquitto emqx vernemq activemq qpid'
).split(' ');
const SYLLABLES = 'ka lo mi ne ru ta si vo pe da ri mu ko zi ba le to fa gu ni ho ve xa ly qu br st tr cl pl gr'.split(' ');

function packageNames(count: number): string[] {
  const rng = prng(seedOf('archive'));
  const stems = [...STEMS];
  while (stems.length < 700) stems.push(Array.from({ length: intIn(rng, 2, 3) }, () => pick(rng, SYLLABLES)).join(''));
  const patterns: ((stem: string) => string)[] = [
    (s) => `lib${s}${intIn(rng, 0, 9)}`,
    (s) => `lib${s}-dev`,
    (s) => `lib${s}-common`,
    (s) => `python3-${s}`,
    (s) => `${s}-utils`,
    (s) => `${s}-data`,
    (s) => `golang-${s}-dev`,
    (s) => `node-${s}`,
    (s) => `ruby-${s}`,
    (s) => `lib${s}-perl`,
    (s) => `${s}-doc`,
    (s) => `fonts-${s}`,
  ];
  const names = new Set<string>();
  for (let i = 0; names.size < count; i++) names.add(patterns[i % patterns.length]!(stems[Math.floor(i / patterns.length) % stems.length]!).replace(/[^a-z0-9.+-]/g, ''));
  return [...names];
}

function versionOf(rng: Rng): string {
  const epoch = rng() < 0.08 ? `${intIn(rng, 1, 3)}:` : '';
  const upstream = rng() < 0.3 ? `${intIn(rng, 0, 12)}.${intIn(rng, 0, 40)}` : `${intIn(rng, 0, 9)}.${intIn(rng, 0, 30)}.${intIn(rng, 0, 20)}`;
  const debian = pick(rng, ['-1', '-2', '-1+b1', '-3', '-1+deb12u1', '-2~deb12u1', '+dfsg-1', '+dfsg-2+b2', '-4', '-1.1']);
  return `${epoch}${upstream}${debian}`;
}

/** The same package one upstream step on: what the next release ships. */
const newer = (version: string) => version.replace(/(\d+)([^\d]*)$/, (_, n: string, rest: string) => `${Number(n) + 1}${rest}`);

const archOf = (name: string) => (/-(common|data|doc)$|^(python3|node|ruby|fonts|golang)-|-perl$/.test(name) ? 'all' : 'amd64');

// ---------------------------------------------------------------------------------------------
// Config files: contents that read like configuration and repeat where real ones do

const KEYS = (
  'workers timeout max_connections keepalive buffer_size cache_size log_level log_format listen_backlog retries retry_delay pool_size ' +
  'idle_timeout read_timeout write_timeout max_body_size compression tls_protocols ciphers session_cache user group pid_file data_dir ' +
  'tmp_dir socket metrics_port health_path rate_limit burst queue_depth batch_size flush_interval checkpoint_interval shared_buffers ' +
  'work_mem effective_cache_size wal_level max_wal_size autovacuum statement_timeout lock_timeout'
).split(' ');
const VALUES = ['on', 'off', 'yes', 'no', 'info', 'warn', 'json', 'combined', '/var/lib/app', '/run/app.sock', 'TLSv1.2 TLSv1.3', 'HIGH:!aNULL:!MD5', 'www-data', '256MB', '4GB', '30s', '5m'];

function configText(rng: Rng, title: string, lines: number): string {
  const out = [`# ${title}`, '# Managed by configuration management; local edits are overwritten.', ''];
  let section = 0;
  for (let i = 0; i < lines; i++) {
    if (i % 12 === 0) out.push('', `[section_${++section}]`);
    const key = pick(rng, KEYS);
    out.push(rng() < 0.15 ? `# ${key} = ${pick(rng, VALUES)}` : `${key} = ${rng() < 0.5 ? intIn(rng, 1, 4096) : pick(rng, VALUES)}`);
  }
  return `${out.join('\n')}\n`;
}

const ROLE_DIRS: Record<string, string> = { web: '/etc/nginx', app: '/srv/app', db: '/etc/postgresql/15/main', cache: '/etc/redis', ldap: '/etc/ldap' };
const TOPICS = 'upstream proxy cache gzip headers security limits logging metrics tls sessions access rewrite timeouts buffers pool replication backup tuning monitoring'.split(' ');

/** The role's own config files, shared by every service whose role runs this profile. */
function roleFiles(profile: string, count: number): FileFact[] {
  const rng = prng(seedOf(`role-files:${profile}`));
  const dir = ROLE_DIRS[profile] ?? `/etc/${profile}`;
  return Array.from({ length: count }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    return textFile(`${dir}/conf.d/${String(i).padStart(3, '0')}-${topic}.conf`, configText(rng, `${profile}: ${topic}`, intIn(rng, 8, 90)));
  });
}

/** The service's own files (its settings, logging, monitoring), shared by all its roles and stages. */
function serviceFiles(service: string, count: number): FileFact[] {
  const rng = prng(seedOf(`service-files:${service}`));
  return Array.from({ length: count }, (_, i) => {
    const topic = TOPICS[(i * 7) % TOPICS.length]!;
    const path = i % 3 === 0 ? `/etc/${service}/${topic}-${i}.yaml` : i % 3 === 1 ? `/etc/${service}/conf.d/${topic}-${i}.conf` : `/etc/logrotate.d/${service}-${topic}-${i}`;
    return textFile(path, configText(rng, `${service}: ${topic}`, intIn(rng, 5, 60)), i % 5 === 0 ? '0640' : '0644', 'root', i % 5 === 0 ? service.slice(0, 8) : 'root');
  });
}

/** What differs by stage on purpose: the stage's own endpoints. Drift an administrator expects. */
function stageFiles(service: string, stage: string): FileFact[] {
  const domain = `${stage}.${service}.internal`;
  return [
    textFile(`/etc/${service}/environment`, `STAGE=${stage}\nDATABASE_URL=postgresql://${service}@db.${domain}:5432/${service}\nCACHE_URL=redis://cache.${domain}:6379/0\nLOG_SHIPPER=logs.${domain}:5044\n`),
    textFile(`/etc/${service}/peers.conf`, `# peers of this ${stage} environment\n${[1, 2, 3].map((n) => `peer.${n} = node-${n}.${domain}:7000`).join('\n')}\n`, '0640'),
  ];
}

const POSTFIX_MAIN = (fqdn: string) =>
  `# See /usr/share/postfix/main.cf.dist for a commented, more complete version\n\nsmtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)\nbiff = no\nappend_dot_mydomain = no\nreadme_directory = no\ncompatibility_level = 3.6\n\nsmtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem\nsmtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key\nsmtpd_tls_security_level=may\nsmtp_tls_CApath=/etc/ssl/certs\nsmtp_tls_security_level=may\nsmtp_tls_session_cache_database = btree:\${data_directory}/smtp_scache\n\nsmtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination\nmyhostname = ${fqdn}\nalias_maps = hash:/etc/aliases\nalias_database = hash:/etc/aliases\nmyorigin = /etc/mailname\nmydestination = $myhostname, localhost.localdomain, localhost\nrelayhost = [smtp.bench.invalid]:587\nmynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\nmailbox_size_limit = 0\nrecipient_delimiter = +\ninet_interfaces = loopback-only\ninet_protocols = all\n`;

/** Files that carry the host's own identity: equal across hosts only once normalised. */
function identityFiles(service: string, name: string, fqdn: string, ip: string, gateway: string): FileFact[] {
  return [
    textFile('/etc/hostname', `${name}\n`),
    textFile('/etc/mailname', `${fqdn}\n`),
    textFile(
      '/etc/hosts',
      `127.0.0.1\tlocalhost\n${ip}\t${fqdn}\t${name}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`,
    ),
    textFile('/etc/postfix/main.cf', POSTFIX_MAIN(fqdn)),
    textFile('/etc/systemd/network/10-eth0.network', `[Match]\nName=eth0\n\n[Network]\nAddress=${ip}/24\nGateway=${gateway}\nDNS=${gateway.replace(/\.1$/, '.53')}\nDomains=bench.invalid\n`),
    textFile(`/etc/${service}/node.conf`, `# this node\nnode.name = ${name}\nnode.fqdn = ${fqdn}\nlisten.address = ${ip}\nlisten.port = 8443\nadvertise = https://${fqdn}:8443\ncluster.join = true\n`, '0640'),
    textFile('/etc/default/node-exporter', `ARGS="--web.listen-address=${ip}:9100 --collector.textfile.directory=/var/lib/node-exporter"\n`),
    textFile('/etc/rsyslog.d/10-forward.conf', `# forward everything, tagged with this host\n$LocalHostName ${name}\n*.* @@logs.bench.invalid:514\n`),
  ];
}

// ---------------------------------------------------------------------------------------------
// The workspace

function loadCapture(name: string): Snapshot {
  const file = join(import.meta.dirname, '..', 'resources', 'demo', 'captures', `${name}.json`);
  return normaliseSnapshot(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
}

/** Which real capture each role of a service starts from: db is postgres, redis or slapd by service. */
const profileOf = (role: string, service: number) => (role === 'db' ? (['db', 'cache', 'ldap'] as const)[service % 3]! : role);

export function generateWorkspace(path: string, options: GenerateOptions): GeneratedWorkspace {
  const started = performance.now();
  const lifecycle = [...(options.stages ?? STAGES)];
  const hostRoles = Array.from({ length: options.hostsPerStage ?? HOST_ROLES.length }, (_, i) => HOST_ROLES[i % HOST_ROLES.length]!);
  const roles = ROLES.filter((r) => hostRoles.includes(r));
  const serviceCount = Math.max(1, options.services ?? Math.ceil((options.hosts ?? 5000) / (lifecycle.length * hostRoles.length)));
  /** Stages running v1 (captured from production) rather than v2 (the next release): the half nearest production. */
  const onV1 = new Set(lifecycle.slice(Math.floor((lifecycle.length - 1) / 2)));
  const targetPackages = options.packages ?? 2000;
  const targetFiles = options.files ?? 200;
  const driftedShare = options.driftedShare ?? 0.03;
  const profiles = ['web', 'app', 'db', 'cache', 'ldap'];
  const captures = new Map(profiles.map((p) => [p, loadCapture(p)]));
  const older = new Map(profiles.map((p) => [p, loadCapture(`${p}.older`)]));

  // The archive, and what every host, every role and every service installs from it.
  const archiveRng = prng(seedOf('versions'));
  const archive: PackageFact[] = packageNames(Math.round(targetPackages * 3.5)).map((name) => ({ manager: 'dpkg', name, version: versionOf(archiveRng), arch: archOf(name) }));
  const baselineShare = 0.68;
  const roleShare = 0.16;
  const baseline = sample(prng(seedOf('baseline')), archive, Math.round(targetPackages * baselineShare));
  const inBaseline = new Set(baseline.map((p) => p.name));
  const rest = archive.filter((p) => !inBaseline.has(p.name));
  const rolePackages = new Map(profiles.map((p) => [p, sample(prng(seedOf(`role-packages:${p}`)), rest, Math.round(targetPackages * roleShare))]));
  const debugTools = ['strace', 'tcpdump', 'gdb', 'htop', 'lsof', 'iotop', 'sysstat', 'ltrace'].map((name, i) => ({ manager: 'dpkg' as const, name, version: `${5 + i}.${i}.1-1`, arch: 'amd64' }));
  const roleFileSets = new Map<string, FileFact[]>();

  const store = WorkspaceStore.create(path, 'Benchmark');
  let plainJsonBytes = 0;
  let hosts = 0;
  let drifted = 0;
  let images = 0;
  let packageTotal = 0;
  let fileTotal = 0;
  const hostRng = prng(seedOf('hosts'));
  const day = 86_400_000;
  const now = Date.parse('2026-11-20T08:00:00Z');

  for (let s = 0; s < serviceCount; s++) {
    const serviceName = `svc-${String(s).padStart(3, '0')}`;
    const rng = prng(seedOf(`service:${serviceName}`));
    const own = sample(rng, rest, Math.round(targetPackages * 0.08));
    // Versions this service pins on its own (its vendor repository, a held package).
    const pinned = new Map(sample(rng, baseline, Math.round(baseline.length * 0.02)).map((p) => [p.name, versionOf(rng)]));
    const mine = serviceFiles(serviceName, Math.round(targetFiles * 0.27));
    // The next release: packages the preproduction stages already run newer, the first ones furthest along.
    const nextRelease = sample(rng, baseline, bumpsAt(lifecycle.length - 1));

    /** Production's package list of one role of this service, in canonical order. */
    const productionPackages = new Map<string, PackageFact[]>();
    for (const role of roles) {
      const profile = profileOf(role, s);
      const byName = new Map<string, PackageFact>();
      for (const p of [...baseline, ...rolePackages.get(profile)!, ...own]) byName.set(p.name, pinned.has(p.name) ? { ...p, version: pinned.get(p.name)! } : p);
      for (const p of captures.get(profile)!.packages) byName.set(p.name, p); // the real ones win
      productionPackages.set(role, [...byName.values()].sort(comparePackages));
    }

    const saved: { stageId: number; stage: string; role: string; hostName: string; snapshot: Snapshot }[] = [];
    store.write({ actor: ACTOR, action: 'bench.generate', subject: serviceName }, () => {
      const serviceId = store.inventory.createService({ name: serviceName, description: `Generated service ${s}`, stages: lifecycle, roles });
      const production = lifecycle[lifecycle.length - 1]!;
      for (const stage of store.inventory.getService(serviceId).stages) {
        const bumped = new Set(nextRelease.slice(0, bumpsAt(lifecycle.length - 1 - lifecycle.indexOf(stage.name))).map((p) => p.name));
        const stageOwn = stageFiles(serviceName, stage.name);
        const gateway = `10.${s % 250}.${stage.position * 10 + Math.floor(s / 250)}.1`;
        for (let h = 0; h < hostRoles.length; h++) {
          const role = hostRoles[h]!;
          const profile = profileOf(role, s);
          const capture = captures.get(profile)!;
          const name = `${serviceName}-${stage.name.slice(0, 4)}-${role}-${String(h + 1).padStart(2, '0')}`;
          const fqdn = `${name}.bench.invalid`;
          const ip = gateway.replace(/\.1$/, `.${11 + h}`);
          const hostId = store.inventory.addHost({ name, address: fqdn, owner: `${serviceName}-team`, kind: 'vm', vcpus: role === 'db' ? 8 : 4, memoryMb: role === 'db' ? 32768 : 8192, diskGb: role === 'db' ? 500 : 60 });
          store.inventory.placeHost(stage.id, hostId, role);

          let packages = productionPackages.get(role)!;
          if (bumped.size > 0) packages = packages.map((p) => (bumped.has(p.name) ? { ...p, version: newer(p.version) } : p));
          let roleOwn = roleFileSets.get(profile);
          if (!roleOwn) roleFileSets.set(profile, (roleOwn = roleFiles(profile, Math.max(0, targetFiles - capture.files.length - mine.length - stageOwn.length - 8))));
          let files = [...capture.files, ...roleOwn, ...mine, ...stageOwn, ...identityFiles(serviceName, name, fqdn, ip, gateway)];

          // A few hosts drift on their own, one to three ways.
          if (hostRng() < driftedShare) {
            drifted++;
            const ways = sample(hostRng, ['older', 'edit', 'extra', 'missing'], intIn(hostRng, 1, 3));
            if (ways.includes('older')) {
              const olderVersions = new Map(older.get(profile)!.packages.map((p) => [p.name, p.version]));
              packages = packages.map((p) => (olderVersions.has(p.name) && olderVersions.get(p.name) !== p.version ? { ...p, version: olderVersions.get(p.name)! } : p));
            }
            if (ways.includes('extra')) packages = [...packages, ...sample(hostRng, debugTools, intIn(hostRng, 1, 3))].sort(comparePackages);
            if (ways.includes('missing')) {
              const gone = pick(hostRng, packages).name;
              packages = packages.filter((p) => p.name !== gone);
            }
            if (ways.includes('edit')) {
              const target = pick(hostRng, roleOwn);
              const edited = target.content!.replace(/= (\d+)/, (_, n: string) => `= ${Number(n) * 2}`) + '# tuned by hand during an incident\n';
              files = files.map((f) => (f === target ? textFile(f.path, edited, f.mode, f.owner, f.group) : f));
            }
          }

          const snapshot: Snapshot = {
            ...capture,
            capturedAt: new Date(now - Math.floor(hostRng() * day)).toISOString(),
            source: 'collector',
            host: { hostname: name, fqdn, machineId: sha(name).slice(0, 32), addresses: [ip], macs: [`52:54:00:${[s >> 8, s & 255, stage.position * 8 + h].map((b) => b.toString(16).padStart(2, '0')).join(':')}`] },
            packages,
            files: files.sort(compareFiles),
          };
          plainJsonBytes += Buffer.byteLength(JSON.stringify(snapshot));
          store.snapshots.save(hostId, snapshot);
          saved.push({ stageId: stage.id, stage: stage.name, role, hostName: name, snapshot });
          hosts++;
          packageTotal += packages.length;
          fileTotal += files.length;
        }
      }

      // Images: v1 captured from production; v2, the next release, derived from it.
      const stages = new Map(store.inventory.getService(serviceId).stages.map((st) => [st.name, st.id]));
      const snapshotsByRole: Record<string, Snapshot[]> = {};
      const names = new Map<Snapshot, string>();
      for (const entry of saved.filter((e) => e.stage === production)) {
        (snapshotsByRole[entry.role] ??= []).push(entry.snapshot);
        names.set(entry.snapshot, entry.hostName);
      }
      const at = new Date(now - 30 * day).toISOString();
      const v1 = captureImage({ service: serviceName, label: 'v1', stage: production, snapshotsByRole, governs: DEFAULT_GOVERNANCE, at, hostName: (snap) => names.get(snap)! });
      const v1Record = store.images.save({ serviceId, content: v1, sourceStageId: stages.get(production)!, createdBy: ACTOR, note: `captured from ${production}`, at });
      for (const stage of lifecycle.filter((st) => onV1.has(st))) store.images.assign(stages.get(stage)!, v1Record.id, ACTOR, at);
      // v2 carries what the v2 stage nearest production already runs.
      const onV2 = lifecycle.filter((st) => !onV1.has(st));
      const v2Bumps = onV2.length === 0 ? 0 : bumpsAt(lifecycle.length - 1 - lifecycle.indexOf(onV2[onV2.length - 1]!));
      const edits = nextRelease.slice(0, v2Bumps).flatMap((p) =>
        roles.filter((role) => v1.roles[role]?.packages.some((q) => q.name === p.name)).map((role) => ({ kind: 'set-package' as const, role, name: p.name, version: newer(p.version) })),
      );
      images++;
      if (edits.length > 0) {
        const v2 = deriveImage(v1, edits, { label: 'v2' });
        const v2Record = store.images.save({ serviceId, content: v2, parentId: v1Record.id, createdBy: ACTOR, note: 'the next release', at: new Date(now - 2 * day).toISOString() });
        for (const stage of onV2) store.images.assign(stages.get(stage)!, v2Record.id, ACTOR, at);
        images++;
      }
    });
  }
  return {
    store,
    hosts,
    services: serviceCount,
    images,
    drifted,
    packagesPerHost: packageTotal / hosts,
    filesPerHost: fileTotal / hosts,
    plainJsonBytes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Hosts wanted, from BENCH_HOSTS (default 5,000). */
export function benchHosts(): number {
  const value = Number(process.env['BENCH_HOSTS'] ?? 5000);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_HOSTS must be a positive whole number, not "${process.env['BENCH_HOSTS']}".`);
  return value;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [target, size] = process.argv.slice(2);
  if (!target) {
    console.error('usage: npx tsx bench/generate-workspace.ts PATH [HOSTS]');
    process.exit(2);
  }
  const generated = generateWorkspace(target, { hosts: size ? Number(size) : benchHosts() });
  generated.store.close();
  console.log(
    `${target}: ${generated.hosts} hosts in ${generated.services} services (${generated.drifted} drifted, ${generated.packagesPerHost.toFixed(0)} packages and ${generated.filesPerHost.toFixed(0)} files per host), ${generated.images} images, in ${generated.seconds.toFixed(1)} s`,
  );
}
