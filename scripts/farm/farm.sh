#!/usr/bin/env bash
# A farm of real Debian hosts on this machine for integration tests: systemd-nspawn containers
# booted from one cached debootstrap root, each with its own sshd on 127.0.0.1:22000+N.
#
#   sudo scripts/farm/farm.sh up N     create/boot hosts 1..N (idempotent; built hosts are reused)
#   sudo scripts/farm/farm.sh down     stop every host and remove its overlay (keeps the base cache)
#   sudo scripts/farm/farm.sh status   one line per host: name, port, running, sshd answering
#   scripts/farm/farm.sh env           shell lines for tests: eval "$(scripts/farm/farm.sh env)"
#   sudo scripts/farm/farm.sh base     only build the cached base
#   sudo scripts/farm/farm.sh scratch [--private-network] N...  reset scratch hosts N (41..99) from
#                                      the base and boot them (optionally in their own network namespace)
#
# Hosts really differ (see manifest.tsv, printed as FARM_MANIFEST by `env`): fixture package v1,
# v2 or none; one host with a real package one archive version back, one with the current
# security updates; hand-edited sshd_config and sysctl.d files; passwordless sudo for the user
# "stagecraft" on odd hosts only. Only 127.0.0.1 is listened on; nothing routes anywhere else.
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=./lib.sh
source "$REPO_DIR/scripts/farm/lib.sh"

FARM_DIR=${STAGECRAFT_FARM_DIR:-/var/lib/stagecraft-farm}
FARM_PORT_BASE=22000
FARM_KEY=$FARM_DIR/keys/id_ed25519
FARM_KNOWN_HOSTS=$FARM_DIR/known_hosts
FARM_MANIFEST=$FARM_DIR/manifest.tsv
FIXTURE_DEB_DIR=$FARM_CACHE_DIR/fixture-debs
# Packages the downgraded host takes one archive version back (first one that has an older version).
# The first group whose downgrade apt can do without removing anything is used.
DOWNGRADE_CANDIDATES=("openssh-server openssh-client openssh-sftp-server" "libssl3" "tzdata")
# Hosts built at once: each build is mostly dpkg in its own root.
BUILD_PARALLELISM=4

# Scratch hosts: disposable, for tests that change hosts (apply). Their own directory, names and
# ports, so they never show in FARM_HOSTS and never touch hosts 1..N; reset from the base on each call.
SCRATCH_DIR=$FARM_DIR/scratch
SCRATCH_PORT_BASE=23000
SCRATCH_KNOWN_HOSTS=$SCRATCH_DIR/known_hosts
# Both fixture versions as a local apt repository inside each scratch host (file:/, trusted).
SCRATCH_REPO=/opt/stagecraft-fixture-repo
SOCKET_PROXYD=/lib/systemd/systemd-socket-proxyd

host_name() { printf 'farm%02d' "$1"; }
host_dir() { printf '%s/host%s' "$FARM_DIR" "$1"; }
host_port() { echo $((FARM_PORT_BASE + $1)); }

# What makes host N different; the same N always gets the same variations.
fixture_version_for() { if [ $(($1 % 5)) -eq 0 ]; then echo none; elif [ $(($1 % 2)) -eq 1 ]; then echo 1.0-1; else echo 2.0-1; fi; }
sudo_for() { if [ $(($1 % 2)) -eq 1 ]; then echo nopasswd; else echo none; fi; }
sshd_edit_for() { if [ $(($1 % 3)) -eq 0 ]; then echo hardened; else echo default; fi; }
sysctl_edit_for() { case $(($1 % 4)) in 1) echo swappiness10 ;; 3) echo tuned ;; *) echo none ;; esac; }
packages_for() { case "$1" in 3) echo downgraded ;; 4) echo upgraded ;; *) echo base ;; esac; }

# Two versions of a small package with a conffile and a systemd unit, built once.
build_fixture_debs() {
  local version mode workers
  mkdir -p "$FIXTURE_DEB_DIR"
  for version in 1.0-1 2.0-1; do
    [ -e "$FIXTURE_DEB_DIR/stagecraft-fixture_${version}_all.deb" ] && continue
    local tree
    tree=$(mktemp -d)
    mkdir -p "$tree/DEBIAN" "$tree/etc/stagecraft-fixture" "$tree/usr/lib/systemd/system"
    if [ "$version" = 1.0-1 ]; then mode=safe workers=2; else mode=fast workers=4; fi
    cat >"$tree/DEBIAN/control" <<EOF
Package: stagecraft-fixture
Version: $version
Architecture: all
Maintainer: Stagecraft tests <tests@stagecraft.invalid>
Section: misc
Priority: optional
Description: Stagecraft integration-test fixture
 A configuration file and an idle service whose content differs between versions.
EOF
    printf '/etc/stagecraft-fixture/fixture.conf\n' >"$tree/DEBIAN/conffiles"
    printf '# stagecraft-fixture %s\nmode = %s\nworkers = %s\n' "$version" "$mode" "$workers" \
      >"$tree/etc/stagecraft-fixture/fixture.conf"
    cat >"$tree/usr/lib/systemd/system/stagecraft-fixture.service" <<EOF
[Unit]
Description=Stagecraft fixture service ($version)

[Service]
Environment=FIXTURE_MODE=$mode
ExecStart=/bin/sleep infinity
$([ "$version" = 2.0-1 ] && printf 'Restart=always\n')

[Install]
WantedBy=multi-user.target
EOF
    # Enabled at install like a Debian service (systemctl works offline in an unbooted root).
    # shellcheck disable=SC2016 # $1 is for the maintainer script, not for us
    printf '#!/bin/sh\nset -e\nif [ "$1" = configure ]; then systemctl enable stagecraft-fixture.service >/dev/null 2>&1 || true; fi\n' \
      >"$tree/DEBIAN/postinst"
    # shellcheck disable=SC2016
    printf '#!/bin/sh\nset -e\nif [ "$1" = remove ]; then systemctl disable stagecraft-fixture.service >/dev/null 2>&1 || true; fi\n' \
      >"$tree/DEBIAN/prerm"
    chmod 0755 "$tree/DEBIAN/postinst" "$tree/DEBIAN/prerm"
    dpkg-deb --root-owner-group --build "$tree" "$FIXTURE_DEB_DIR/stagecraft-fixture_${version}_all.deb" >/dev/null
    rm -rf -- "$tree"
  done
}

ensure_client_key() {
  mkdir -p "$FARM_DIR/keys"
  chmod 0700 "$FARM_DIR/keys"
  [ -e "$FARM_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C stagecraft-farm -f "$FARM_KEY"
}

# Choose the downgrade once per farm (at setup time, from what the archive offers now).
choose_downgrade() {
  local cache=$FARM_DIR/downgrade.txt group pkg installed older targets
  if [ -e "$cache" ]; then cat "$cache"; return 0; fi
  for group in "${DOWNGRADE_CANDIDATES[@]}"; do
    targets=()
    for pkg in $group; do
      installed=$(dpkg-query --admindir="$FARM_BASE_DIR/var/lib/dpkg" -W -f '${Version}' "$pkg" 2>/dev/null || true)
      [ -n "$installed" ] || continue 2
      older=$(older_archive_version "$FARM_BASE_DIR" "$pkg" "$installed")
      [ -n "$older" ] || continue 2
      targets+=("$pkg=$older")
    done
    # Simulated against the base (reads only): e.g. an older libssl3 alone would make apt remove
    # the openssh packages that need a newer one.
    if apt-get -s -qq -o Dir="$FARM_BASE_DIR/" --no-remove --allow-downgrades install "${targets[@]}" >/dev/null 2>&1; then
      printf '%s\n' "${targets[*]}" | tee "$cache"
      return 0
    fi
  done
  die "no package of ${DOWNGRADE_CANDIDATES[*]} has an older version in the archive"
}

# What every farm host needs to be reached (fixed or scratch): its own sshd port on the shared
# loopback, root's key. PAM off: pam_loginuid cannot work in these containers, and key login is all
# tests need.
reachable_root() {
  local root=$1 port=$2
  printf '# stagecraft farm: one sshd per container on the shared loopback\nPort %s\nListenAddress 127.0.0.1\nUsePAM no\n' "$port" \
    >"$root/etc/ssh/sshd_config.d/00-farm.conf"
  install -d -m 0700 "$root/root/.ssh"
  install -m 0600 "$FARM_KEY.pub" "$root/root/.ssh/authorized_keys"
}

# The commands, run inside a host, that make the "stagecraft" account with the farm's key; with
# nopasswd, sudo without a password too.
stagecraft_account_setup() {
  local sudo_mode=$1
  printf '%s\n' 'useradd --create-home --shell /bin/bash stagecraft' "usermod -p '*' stagecraft" \
    'install -d -m 0700 -o stagecraft -g stagecraft /home/stagecraft/.ssh' \
    'install -m 0600 -o stagecraft -g stagecraft /tmp/farm-key.pub /home/stagecraft/.ssh/authorized_keys'
  if [ "$sudo_mode" = nopasswd ]; then
    printf '%s\n' "printf 'stagecraft ALL=(ALL) NOPASSWD: ALL\\n' >/etc/sudoers.d/stagecraft; chmod 0440 /etc/sudoers.d/stagecraft"
  fi
}

# Everything host N needs before its first boot. Runs once; marked by .built.
build_host() {
  local n=$1 dir name port root
  dir=$(host_dir "$n")
  name=$(host_name "$n")
  port=$(host_port "$n")
  root=$dir/root
  [ -e "$dir/.built" ] && return 0
  overlay_down "$dir"
  rm -rf -- "$dir/upper" "$dir/work"
  overlay_up "$dir"
  personalise_root "$root" "$name"
  reachable_root "$root" "$port"

  local fixture sudo_mode sshd_edit sysctl_edit packages
  fixture=$(fixture_version_for "$n")
  sudo_mode=$(sudo_for "$n")
  sshd_edit=$(sshd_edit_for "$n")
  sysctl_edit=$(sysctl_edit_for "$n")
  packages=$(packages_for "$n")

  if [ "$sshd_edit" = hardened ]; then
    # Appended to the main file, as an admin editing sshd_config by hand would.
    printf '\n# hardened by ops, ticket OPS-1432\nMaxAuthTries 3\nClientAliveInterval 300\nX11Forwarding no\n' \
      >>"$root/etc/ssh/sshd_config"
  fi
  if [ $((n % 2)) -eq 1 ]; then
    # A legacy ISO-8859-1 file ("Configuración regional"): not UTF-8, so compared by hash only.
    printf '# Configuraci\363n regional\nLANG=es_ES.ISO-8859-1\n' >"$root/etc/default/stagecraft-legacy"
  fi
  case "$sysctl_edit" in
    swappiness10) printf 'vm.swappiness = 10\n' >"$root/etc/sysctl.d/60-stagecraft.conf" ;;
    tuned) printf '# tuned for the batch jobs\nvm.swappiness = 60\nnet.core.somaxconn = 1024\n' >"$root/etc/sysctl.d/60-stagecraft.conf" ;;
  esac

  # One nspawn_run per host for everything that must run inside (user, sudo, packages).
  local setup="set -e
$(stagecraft_account_setup "$sudo_mode")
"
  if [ "$fixture" != none ]; then
    setup+="dpkg -i /tmp/fixture-debs/stagecraft-fixture_${fixture}_all.deb >/dev/null
"
  fi
  local lock_needed=0
  case "$packages" in
    downgraded)
      setup+="apt-get -qq -y --no-remove --allow-downgrades install $(cat "$FARM_DIR/downgrade.txt") >/dev/null
"
      lock_needed=1
      ;;
    upgraded)
      setup+="apt-get -qq -y upgrade >/dev/null
"
      lock_needed=1
      ;;
  esac
  policy_rc_deny "$root"
  # apt runs share the archive cache (and its lock): one at a time, serialised on fd 9.
  if ! {
    if [ "$lock_needed" = 1 ]; then flock 9; fi
    nspawn_run_farm "$root" sh -c "$setup"
  } 9>"$FARM_APT_ARCHIVES/.stagecraft-lock" >"$dir/build.log" 2>&1; then
    policy_rc_allow "$root"
    die "$name: setup failed, see $dir/build.log"
  fi
  policy_rc_allow "$root"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$port" "$fixture" "$packages" "$sshd_edit" "$sysctl_edit" "$sudo_mode" \
    >"$dir/manifest.line"
  touch "$dir/.built"
}

# nspawn_run plus the farm's key and fixture packages visible under /tmp (read-only).
# FARM_SETUP_MACHINE names the run: without a name every root is "root", and runs at once collide
# on nspawn's /run/systemd/nspawn/propagate/root.
nspawn_run_farm() {
  local root=$1 machine=()
  shift
  [ -n "${FARM_SETUP_MACHINE:-}" ] && machine=(-M "$FARM_SETUP_MACHINE")
  systemd-nspawn -q -D "$root" "${machine[@]}" --register=no --keep-unit --resolv-conf=copy-host \
    --bind="$FARM_APT_ARCHIVES:/var/cache/apt/archives" \
    --bind-ro="$FARM_KEY.pub:/tmp/farm-key.pub" --bind-ro="$FIXTURE_DEB_DIR:/tmp/fixture-debs" \
    --setenv=DEBIAN_FRONTEND=noninteractive -- "$@"
}

host_numbers() {
  local dir
  for dir in "$FARM_DIR"/host*; do
    [ -d "$dir" ] || continue
    printf '%s\n' "${dir##*/host}"
  done | sort -n
}

wait_for_sshd() {
  local port=$1
  for _ in $(seq 1 150); do
    if ssh-keyscan -T 1 -t ed25519 -p "$port" 127.0.0.1 >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

write_known_hosts_and_manifest() {
  local n dir
  : >"$FARM_KNOWN_HOSTS.new"
  printf 'name\tport\tfixture\tpackages\tsshd_config\tsysctl\tsudo\n' >"$FARM_MANIFEST.new"
  for n in $(host_numbers); do
    dir=$(host_dir "$n")
    [ -e "$dir/.built" ] || continue
    # Host keys straight from each root (no trust on first use needed).
    printf '[127.0.0.1]:%s %s\n' "$(host_port "$n")" "$(cut -d' ' -f1,2 "$dir/upper/etc/ssh/ssh_host_ed25519_key.pub")" >>"$FARM_KNOWN_HOSTS.new"
    cat "$dir/manifest.line" >>"$FARM_MANIFEST.new"
  done
  mv -- "$FARM_KNOWN_HOSTS.new" "$FARM_KNOWN_HOSTS"
  mv -- "$FARM_MANIFEST.new" "$FARM_MANIFEST"
}

# Waits for every background job given (none is left running); fails when any of them failed.
wait_all() {
  local pid failed=0
  for pid in "$@"; do wait "$pid" || failed=1; done
  return "$failed"
}

cmd_up() {
  local count=${1:-}
  if ! [[ "$count" =~ ^[0-9]+$ ]] || [ "$count" -lt 1 ] || [ "$count" -gt 99 ]; then die "usage: farm.sh up N (1..99)"; fi
  require_root
  ensure_base
  mkdir -p "$FARM_DIR" "$FARM_APT_ARCHIVES/partial"
  ensure_client_key
  build_fixture_debs
  [ "$count" -ge 3 ] && choose_downgrade >/dev/null
  raise_inotify_limits

  # Build the missing hosts, a few at a time; after a failure none is started, and those running are waited for.
  local n pids=() failed=0 started=$SECONDS
  for n in $(seq 1 "$count"); do
    [ "$failed" = 0 ] || break
    [ -e "$(host_dir "$n")/.built" ] && continue
    build_host "$n" &
    pids+=("$!")
    if [ "${#pids[@]}" -ge "$BUILD_PARALLELISM" ]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
  wait_all "${pids[@]}" || failed=1
  [ "$failed" = 0 ] || die "a host build failed: see the messages above"
  write_known_hosts_and_manifest
  log "hosts built in $((SECONDS - started)) s"
  started=$SECONDS

  local dir
  for n in $(seq 1 "$count"); do
    dir=$(host_dir "$n")
    overlay_up "$dir"
    boot_container "$dir/root" "$(host_name "$n")" "$dir/state"
  done
  local failed=0
  for n in $(seq 1 "$count"); do
    wait_for_sshd "$(host_port "$n")" || { log "$(host_name "$n"): sshd not answering, see $(host_dir "$n")/state/console.log"; failed=1; }
  done
  [ "$failed" = 0 ] || die "some hosts did not come up"
  log "farm up: $count host(s) on 127.0.0.1:$((FARM_PORT_BASE + 1))-$((FARM_PORT_BASE + count)), booted in $((SECONDS - started)) s"
}

cmd_down() {
  require_root
  local n dir pids=()
  for n in $(host_numbers); do
    dir=$(host_dir "$n")
    stop_container "$dir/state" "$dir/root" &
    pids+=("$!")
  done
  # A host that did not stop keeps its files: its root may still be in use.
  wait_all "${pids[@]}" || die "a host could not be stopped: see the messages above, then run farm.sh down again"
  for n in $(host_numbers); do
    dir=$(host_dir "$n")
    overlay_down "$dir"
    rm -rf -- "$dir"
  done
  for dir in "$SCRATCH_DIR"/host*; do
    [ -d "$dir" ] || continue
    stop_scratch_proxy "$dir/state"
    stop_container "$dir/state" "$dir/root"
    overlay_down "$dir"
    rm -rf -- "$dir"
  done
  rm -f -- "$FARM_KNOWN_HOSTS" "$FARM_MANIFEST" "$FARM_DIR/downgrade.txt" "$SCRATCH_KNOWN_HOSTS"
  log "farm down (base kept in $FARM_BASE_DIR)"
}

cmd_status() {
  local n dir port state ssh_state
  printf '%-8s %-6s %-8s %s\n' HOST PORT RUNNING SSHD
  for n in $(host_numbers); do
    dir=$(host_dir "$n")
    port=$(host_port "$n")
    if container_running "$dir/state"; then state=yes; else state=no; fi
    if ssh-keyscan -T 1 -t ed25519 -p "$port" 127.0.0.1 >/dev/null 2>&1; then ssh_state=answering; else ssh_state=down; fi
    printf '%-8s %-6s %-8s %s\n' "$(host_name "$n")" "$port" "$state" "$ssh_state"
  done
}

cmd_env() {
  local n hosts=() sudo_hosts=() dir
  for n in $(host_numbers); do
    dir=$(host_dir "$n")
    container_running "$dir/state" || continue
    hosts+=("127.0.0.1:$(host_port "$n")")
    [ "$(sudo_for "$n")" = nopasswd ] && sudo_hosts+=("127.0.0.1:$(host_port "$n")")
  done
  printf 'FARM_KEY="%s"\n' "$FARM_KEY"
  printf 'FARM_KNOWN_HOSTS="%s"\n' "$FARM_KNOWN_HOSTS"
  printf 'FARM_MANIFEST="%s"\n' "$FARM_MANIFEST"
  printf 'FARM_USERS="root stagecraft"\n'
  printf 'FARM_HOSTS="%s"\n' "${hosts[*]}"
  printf 'FARM_SUDO_HOSTS="%s"\n' "${sudo_hosts[*]}"
  printf 'FARM_SCRATCH_KNOWN_HOSTS="%s"\n' "$SCRATCH_KNOWN_HOSTS"
  printf 'FARM_SCRATCH_PORT_BASE="%s"\n' "$SCRATCH_PORT_BASE"
}

# A scratch host as a fresh copy of the base: fixture 1.0-1 installed and running, both fixture
# versions in a local apt repository, passwordless sudo for "stagecraft". Anything a test did to it
# before is thrown away with its overlay.
#
# With a private network the host has its own network namespace (only its loopback, no route out):
# nspawn then leaves /proc/sys/net writable and the rest of /proc/sys read-only, so the host can
# take live net.* sysctls, which are that namespace's own, and never the machine's kernel settings.
reset_scratch_host() {
  local n=$1 private_network=$2 dir name port root
  dir=$SCRATCH_DIR/host$n
  name=$(printf 'scratch%02d' "$n")
  port=$((SCRATCH_PORT_BASE + n))
  root=$dir/root
  stop_scratch_proxy "$dir/state"
  stop_container "$dir/state" "$root"
  overlay_down "$dir"
  rm -rf -- "$dir/upper" "$dir/work" "$dir/state"
  overlay_up "$dir"
  personalise_root "$root" "$name"
  reachable_root "$root" "$port"
  install -d "$root$SCRATCH_REPO"
  cp -- "$FIXTURE_DEB_DIR"/stagecraft-fixture_*_all.deb "$root$SCRATCH_REPO/"
  (cd "$root$SCRATCH_REPO" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
  printf 'deb [trusted=yes] file:%s ./\n' "$SCRATCH_REPO" >"$root/etc/apt/sources.list.d/stagecraft-fixture.list"
  local setup="set -e
$(stagecraft_account_setup nopasswd)
apt-get -qq update -o Dir::Etc::sourcelist=sources.list.d/stagecraft-fixture.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0
dpkg -i /tmp/fixture-debs/stagecraft-fixture_1.0-1_all.deb >/dev/null
"
  policy_rc_deny "$root"
  FARM_SETUP_MACHINE="$name-setup" nspawn_run_farm "$root" sh -c "$setup" >"$dir/build.log" 2>&1 || { policy_rc_allow "$root"; die "$name: setup failed, see $dir/build.log"; }
  policy_rc_allow "$root"
  # 8>&-: the container must not inherit (and hold for its whole life) the reset lock.
  if [ "$private_network" = yes ]; then
    boot_container "$root" "$name" "$dir/state" --private-network 8>&-
    start_scratch_proxy "$dir/state" "$port" 8>&- || die "$name: no proxy to its sshd, see $dir/state/proxy.log"
  else
    boot_container "$root" "$name" "$dir/state" 8>&-
  fi
}

# A host in its own network namespace is still reached on 127.0.0.1:PORT of this machine: the
# listening socket is made here, then handed to systemd-socket-proxyd running in the container's
# namespace, which connects each client to the container's sshd on its own 127.0.0.1:PORT.
start_scratch_proxy() {
  local state=$1 port=$2 init=
  for _ in $(seq 1 300); do
    # The container's init once it runs systemd in its own network namespace: nspawn's set-up
    # children come and go first (one already in the new namespace), and nsenter runs only at the
    # first connection, so the process named must be the one that lives as long as the host.
    if init=$(container_init_pid "$state") && [ "$(cat "/proc/$init/comm" 2>/dev/null)" = systemd ] &&
      [ "$(readlink "/proc/$init/ns/net")" != "$(readlink /proc/self/ns/net)" ]; then break; fi
    init=
    sleep 0.1
  done
  [ -n "$init" ] || return 1
  setsid systemd-socket-activate -l "127.0.0.1:$port" -- \
    nsenter --net="/proc/$init/ns/net" -- "$SOCKET_PROXYD" "127.0.0.1:$port" </dev/null >"$state/proxy.log" 2>&1 &
  printf '%s\n' "$!" >"$state/proxy.pid"
}

stop_scratch_proxy() {
  local state=$1 pid
  [ -r "$state/proxy.pid" ] || return 0
  pid=$(cat "$state/proxy.pid")
  if [ -n "$pid" ] && grep -q socket "/proc/$pid/cmdline" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  rm -f -- "$state/proxy.pid"
}

cmd_scratch() {
  local private_network=no
  if [ "${1:-}" = --private-network ]; then private_network=yes; shift; fi
  [ $# -ge 1 ] || die "usage: farm.sh scratch [--private-network] N... (41..99)"
  local n
  for n in "$@"; do
    if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 41 ] || [ "$n" -gt 99 ]; then die "scratch host numbers are 41..99, not $n"; fi
  done
  require_root
  ensure_base
  mkdir -p "$SCRATCH_DIR"
  # One reset at a time (tests run in parallel): each rewrites the scratch known_hosts whole.
  exec 8>"$SCRATCH_DIR/.reset-lock"
  flock 8
  ensure_client_key
  build_fixture_debs
  raise_inotify_limits
  local pids=()
  for n in "$@"; do
    reset_scratch_host "$n" "$private_network" &
    pids+=("$!")
  done
  wait_all "${pids[@]}" || die "a scratch host could not be reset: see the messages above"
  local dir
  : >"$SCRATCH_KNOWN_HOSTS.new"
  for dir in "$SCRATCH_DIR"/host*; do
    [ -e "$dir/upper/etc/ssh/ssh_host_ed25519_key.pub" ] || continue
    printf '[127.0.0.1]:%s %s\n' "$((SCRATCH_PORT_BASE + ${dir##*/host}))" "$(cut -d' ' -f1,2 "$dir/upper/etc/ssh/ssh_host_ed25519_key.pub")" >>"$SCRATCH_KNOWN_HOSTS.new"
  done
  mv -- "$SCRATCH_KNOWN_HOSTS.new" "$SCRATCH_KNOWN_HOSTS"
  for n in "$@"; do
    wait_for_sshd "$((SCRATCH_PORT_BASE + n))" || die "scratch host $n: sshd not answering, see $SCRATCH_DIR/host$n/state/console.log"
    wait_booted "$SCRATCH_DIR/host$n/state" 60 || true
  done
  log "scratch hosts $* up on 127.0.0.1:$((SCRATCH_PORT_BASE))+N"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  scratch) shift; cmd_scratch "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  base) require_root; ensure_base ;;
  *) printf 'usage: %s up N | scratch N... | down | status | env | base\n' "$0" >&2; exit 2 ;;
esac
