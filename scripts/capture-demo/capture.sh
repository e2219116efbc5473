#!/usr/bin/env bash
# Captures the demo workspace's host facts from real Debian systems.
#
#   sudo scripts/capture-demo/capture.sh [PROFILE...]     (default: all profiles)
#
# For each role profile: an overlay on the farm's cached bookworm base, the role's real Debian
# packages installed (upgraded to the current security updates), booted with systemd-nspawn in a
# private network namespace (so `ss` shows only its own sockets), resources/collector/collect.sh
# run inside with the role's watched files, and the output parsed into
# resources/demo/captures/<profile>.json. The "<profile>.older" variant is the same system with
# the previous archive version of OpenSSL and OpenSSH (what a stage that missed the last security
# updates runs), written to <profile>.older.json. Raw collector outputs stay in the work directory.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../farm/lib.sh
source "$REPO_DIR/scripts/farm/lib.sh"

CAPTURE_WORK_DIR=${STAGECRAFT_CAPTURE_WORK:-/var/lib/stagecraft-capture}
CAPTURES_DIR=$REPO_DIR/resources/demo/captures
COLLECTOR=$REPO_DIR/resources/collector/collect.sh
# Content of a watched file up to 128 KiB (redis.conf is ~105 KiB); larger files are hashed only.
CAPTURE_MAX_FILE_BYTES=131072
# Security-relevant packages the ".older" variant takes back one archive version.
OLDER_PACKAGES=(libssl3 openssl openssh-server openssh-client openssh-sftp-server)

COMMON_GLOBS=(/etc/ssh/sshd_config '/etc/ssh/sshd_config.d/*' '/etc/sysctl.d/*' '/etc/sudoers.d/*' /etc/crontab)

profile_packages() {
  case "$1" in
    web) echo nginx ;;
    app) echo python3 gunicorn ;;
    db) echo postgresql ;;
    cache) echo redis-server ;;
    ldap) echo slapd ldap-utils ;;
    *) return 1 ;;
  esac
}

profile_globs() {
  case "$1" in
    web) printf '%s\n' '/etc/nginx/**' ;;
    app) printf '%s\n' '/srv/app/**' /etc/systemd/system/app.service ;;
    db) printf '%s\n' '/etc/postgresql/**' '/etc/postgresql-common/*.conf' ;;
    cache) printf '%s\n' '/etc/redis/**' ;;
    # Not slapd.d: its LDIF holds the admin password hash.
    ldap) printf '%s\n' /etc/ldap/ldap.conf /etc/default/slapd ;;
  esac
  printf '%s\n' "${COMMON_GLOBS[@]}"
}

# The service that must be active before we collect (the role's daemon).
profile_service() {
  case "$1" in
    web) echo nginx.service ;;
    app) echo app.service ;;
    db) echo postgresql@15-main.service ;;
    cache) echo redis-server.service ;;
    ldap) echo slapd.service ;;
  esac
}

ALL_PROFILES=(web app db cache ldap)

# Stable per-capture identity: 10.40.<role>.<11 current|12 older>/24 and a matching MAC.
profile_number() {
  local i
  for i in "${!ALL_PROFILES[@]}"; do
    if [ "${ALL_PROFILES[$i]}" = "${1%.older}" ]; then echo $((i + 1)); return 0; fi
  done
  return 1
}
profile_host_octet() { case "$1" in *.older) echo 12 ;; *) echo 11 ;; esac; }
profile_address() { echo "10.40.$(profile_number "$1").$(profile_host_octet "$1")/24"; }
profile_mac() { printf '52:54:00:40:%02x:%02x\n' "$(profile_number "$1")" "$(profile_host_octet "$1")"; }

# Small, plausible per-role settings on top of the packages' defaults (what an admin would add).
configure_profile() {
  local profile=$1 root=$2
  case "$profile" in
    web)
      printf '# Stagecraft demo: web tier\nnet.core.somaxconn = 4096\nnet.ipv4.tcp_fin_timeout = 15\n' \
        >"$root/etc/sysctl.d/60-web.conf"
      ;;
    app)
      mkdir -p "$root/srv/app"
      cat >"$root/srv/app/app.py" <<'EOF'
"""Stagecraft demo application: answers every request with its version."""
VERSION = "2.4.1"


def application(environ, start_response):
    body = f"payments-api {VERSION}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
EOF
      cat >"$root/etc/systemd/system/app.service" <<'EOF'
[Unit]
Description=payments-api (gunicorn)
After=network.target

[Service]
User=www-data
Group=www-data
WorkingDirectory=/srv/app
ExecStart=/usr/bin/gunicorn --workers 2 --bind 127.0.0.1:8000 app:application
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
      ln -sf /etc/systemd/system/app.service "$root/etc/systemd/system/multi-user.target.wants/app.service"
      printf '# Stagecraft demo: app tier\nvm.swappiness = 10\n' >"$root/etc/sysctl.d/60-app.conf"
      ;;
    db)
      printf '# Stagecraft demo: database tier\nvm.swappiness = 1\nvm.overcommit_memory = 2\nkernel.shmmax = 8589934592\n' \
        >"$root/etc/sysctl.d/60-postgresql.conf"
      ;;
    cache)
      printf '# Stagecraft demo: cache tier (redis asks for these)\nvm.overcommit_memory = 1\nnet.core.somaxconn = 1024\n' \
        >"$root/etc/sysctl.d/60-redis.conf"
      ;;
    ldap) ;;
  esac
  # Admins of every tier: a sudo rule and the usual sshd hardening.
  printf '%%sysadmin ALL=(ALL:ALL) ALL\n' >"$root/etc/sudoers.d/sysadmin"
  chmod 0440 "$root/etc/sudoers.d/sysadmin"
  printf 'PermitRootLogin prohibit-password\nPasswordAuthentication no\n' >"$root/etc/ssh/sshd_config.d/50-stagecraft.conf"
}

# Build the profile's upper layer once (packages + configuration); reused by later runs.
build_profile() {
  local profile=$1 dir=$CAPTURE_WORK_DIR/$1
  if [ -e "$dir/.built" ]; then return 0; fi
  log "$profile: installing $(profile_packages "$profile")"
  overlay_down "$dir"
  rm -rf -- "$dir/upper" "$dir/work"
  overlay_up "$dir"
  personalise_root "$dir/root" "$profile-01"
  policy_rc_deny "$dir/root"
  # shellcheck disable=SC2046 # the package list is meant to split
  nspawn_run "$dir/root" sh -c 'apt-get -qq -y upgrade && apt-get -qq -y install "$@"' sh $(profile_packages "$profile") \
    >"$dir/install.log" 2>&1 || die "$profile: install failed, see $dir/install.log"
  nspawn_run "$dir/root" groupadd --system sysadmin
  policy_rc_allow "$dir/root"
  configure_profile "$profile" "$dir/root"
  overlay_down "$dir"
  touch "$dir/.built"
}

# The older variant: a copy of the profile's layer with OLDER_PACKAGES one archive version back.
build_older() {
  local profile=$1 dir=$CAPTURE_WORK_DIR/$1 older=$CAPTURE_WORK_DIR/$1.older
  if [ -e "$older/.built" ]; then return 0; fi
  overlay_down "$older"
  rm -rf -- "$older"
  mkdir -p "$older"
  cp -a -- "$dir/upper" "$older/upper"
  overlay_up "$older"
  personalise_root "$older/root" "$profile-02"
  local pkg installed older_version targets=()
  for pkg in "${OLDER_PACKAGES[@]}"; do
    installed=$(nspawn_run "$older/root" dpkg-query -W -f '${db:Status-Abbrev} ${Version}' "$pkg" 2>/dev/null || true)
    case "$installed" in "ii "*) ;; *) continue ;; esac
    installed=${installed#ii  }
    older_version=$(older_archive_version "$older/root" "$pkg" "$installed")
    if [ -n "$older_version" ]; then targets+=("$pkg=$older_version"); fi
  done
  [ "${#targets[@]}" -gt 0 ] || die "$profile: no older archive version found for ${OLDER_PACKAGES[*]}"
  log "$profile.older: downgrading ${targets[*]}"
  policy_rc_deny "$older/root"
  nspawn_run "$older/root" apt-get -qq -y --no-remove --allow-downgrades install "${targets[@]}" \
    >"$older/install.log" 2>&1 || die "$profile.older: downgrade failed, see $older/install.log"
  policy_rc_allow "$older/root"
  printf '%s\n' "${targets[@]}" >"$older/downgraded.txt"
  overlay_down "$older"
  touch "$older/.built"
}

# Boot, wait for the role's service, run the collector, shut down. Output to $dir/collector.out.
collect_from() {
  local name=$1 profile=$2 dir=$CAPTURE_WORK_DIR/$1 state service status globs=()
  state=$dir/state
  mapfile -t globs < <(profile_globs "$profile")
  overlay_up "$dir"
  boot_container "$dir/root" "$name" "$state" --private-network
  wait_booted "$state" 90 || die "$name: did not boot, see $state/console.log"
  # A private network has only lo; an eth0 with a fixed MAC and a private address gives the
  # capture the identity facts a real server has, without any route out of the namespace. (A
  # bridge device because this kernel has no "dummy" driver; it has no ports, so no traffic.)
  container_exec "$state" sh -c 'ip link add eth0 type bridge && ip link set eth0 address "$1" &&
    ip addr add "$2" dev eth0 && ip link set eth0 up' sh "$(profile_mac "$name")" "$(profile_address "$name")"
  service=$(profile_service "$profile")
  for _ in $(seq 1 100); do
    status=$(container_exec "$state" systemctl is-active "$service" 2>/dev/null || true)
    [ "$status" = active ] && break
    sleep 0.2
  done
  [ "$status" = active ] || log "$name: warning: $service is ${status:-unknown}"
  # Daemons open their sockets just after systemd reports them active.
  sleep 1
  container_exec "$state" sh -s -- --max-file-bytes "$CAPTURE_MAX_FILE_BYTES" "${globs[@]}" \
    <"$COLLECTOR" >"$dir/collector.out"
  stop_container "$state"
  overlay_down "$dir"
}

# On any exit: no capture container left running, no overlay left mounted.
cleanup() {
  local dir
  for dir in "$CAPTURE_WORK_DIR"/*/; do
    [ -d "$dir" ] || continue
    stop_container "${dir}state" "${dir}root"
    overlay_down "${dir%/}"
  done
}

main() {
  require_root
  trap cleanup EXIT
  local profiles=("$@") profile captured_at
  [ "${#profiles[@]}" -gt 0 ] || profiles=("${ALL_PROFILES[@]}")
  for profile in "${profiles[@]}"; do
    profile_packages "$profile" >/dev/null || die "unknown profile $profile (known: ${ALL_PROFILES[*]})"
  done
  [ -x "$REPO_DIR/node_modules/.bin/tsx" ] || die "tsx missing: run npm install in $REPO_DIR first"
  ensure_base
  raise_inotify_limits
  mkdir -p "$CAPTURE_WORK_DIR" "$FARM_APT_ARCHIVES" "$CAPTURES_DIR"
  for profile in "${profiles[@]}"; do
    build_profile "$profile"
    build_older "$profile"
    for variant in "$profile" "$profile.older"; do
      collect_from "$variant" "$profile"
      captured_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
      (cd "$REPO_DIR" && node_modules/.bin/tsx scripts/capture-demo/to-snapshot.ts \
        "$CAPTURE_WORK_DIR/$variant/collector.out" "$CAPTURES_DIR/$variant.json" "$captured_at")
    done
  done
  log "captures written to $CAPTURES_DIR ($(du -ch "$CAPTURES_DIR"/*.json | tail -n 1 | cut -f1) in total)"
}

main "$@"
