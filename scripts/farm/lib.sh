# shellcheck shell=bash
# Shared helpers of scripts/farm/farm.sh and scripts/capture-demo/capture.sh (sourced, bash).
# Containers: one cached debootstrap root, an overlayfs per host, systemd-nspawn to run them.

FARM_CACHE_DIR=${STAGECRAFT_FARM_CACHE:-/var/cache/stagecraft-farm}
FARM_BASE_DIR=${STAGECRAFT_FARM_BASE:-$FARM_CACHE_DIR/base}
FARM_APT_ARCHIVES=$FARM_CACHE_DIR/apt-archives
FARM_MIRROR=${STAGECRAFT_FARM_MIRROR:-http://deb.debian.org/debian}
FARM_SECURITY_MIRROR=${STAGECRAFT_FARM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
FARM_SUITE=bookworm
FARM_BASE_PACKAGES=openssh-server,systemd-sysv,dbus,iproute2,procps,sudo,cron
FARM_READY_MARK=.stagecraft-base-ready

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (debootstrap, overlayfs, systemd-nspawn)"; }

# Build the base root once: debootstrap into a .partial directory, configure apt (main, updates
# and security suites, so older and newer versions of a package are both installable), then
# rename. An interrupted build leaves only the .partial directory, which is rebuilt next time.
ensure_base() {
  if [ -e "$FARM_BASE_DIR/$FARM_READY_MARK" ]; then return 0; fi
  local partial="$FARM_BASE_DIR.partial"
  mkdir -p "$FARM_CACHE_DIR" "$FARM_APT_ARCHIVES/partial"
  if [ ! -e "$partial/.stagecraft-debootstrap-done" ]; then
    rm -rf -- "$partial"
    log "debootstrap $FARM_SUITE minbase into $partial (about a minute)"
    debootstrap --variant=minbase --include="$FARM_BASE_PACKAGES" \
      "$FARM_SUITE" "$partial" "$FARM_MIRROR" >"$FARM_CACHE_DIR/debootstrap.log" 2>&1 \
      || die "debootstrap failed, see $FARM_CACHE_DIR/debootstrap.log"
    touch "$partial/.stagecraft-debootstrap-done"
  fi
  log "configuring apt sources in the base"
  cat >"$partial/etc/apt/sources.list" <<EOF
deb $FARM_MIRROR $FARM_SUITE main
deb $FARM_MIRROR $FARM_SUITE-updates main
deb $FARM_SECURITY_MIRROR $FARM_SUITE-security main
EOF
  # No recommends: keeps role profiles small and their package lists explainable.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
    >"$partial/etc/apt/apt.conf.d/90stagecraft-no-recommends"
  # An empty machine-id: every host gets its own, written when its overlay is created.
  : >"$partial/etc/machine-id"
  rm -f -- "$partial"/etc/ssh/ssh_host_*
  nspawn_run "$partial" apt-get -qq update >/dev/null || die "apt-get update in the base failed"
  touch "$partial/$FARM_READY_MARK"
  rm -rf -- "$FARM_BASE_DIR"
  mv -- "$partial" "$FARM_BASE_DIR"
  log "base ready: $FARM_BASE_DIR ($(du -sh "$FARM_BASE_DIR" | cut -f1))"
}

# Run one command in a root without booting it (package installs, configuration). The host's
# network is shared (apt needs the mirror); downloaded .debs are cached across runs.
nspawn_run() {
  local root=$1
  shift
  systemd-nspawn -q -D "$root" --register=no --keep-unit --resolv-conf=copy-host \
    --bind="$FARM_APT_ARCHIVES:/var/cache/apt/archives" \
    --setenv=DEBIAN_FRONTEND=noninteractive -- "$@"
}

# Keep maintainer scripts from starting services while we install into a root that is not booted.
policy_rc_deny() {
  printf '#!/bin/sh\n# stagecraft: no service starts during image builds\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
  chmod 0755 "$1/usr/sbin/policy-rc.d"
}
policy_rc_allow() { rm -f -- "$1/usr/sbin/policy-rc.d"; }

# overlay_up DIR: DIR/root becomes base + DIR/upper. Idempotent.
overlay_up() {
  local dir=$1
  mkdir -p "$dir/upper" "$dir/work" "$dir/root"
  if ! mountpoint -q "$dir/root"; then
    mount -t overlay overlay -o "lowerdir=$FARM_BASE_DIR,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
  fi
}
overlay_down() {
  local dir=$1
  if mountpoint -q "$dir/root"; then umount -- "$dir/root" || umount -l -- "$dir/root"; fi
}

# Per-host identity: hostname, machine-id, fresh SSH host keys (never shared between hosts).
personalise_root() {
  local root=$1 name=$2
  printf '%s\n' "$name" >"$root/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 %s.farm.test %s\n' "$name" "$name" >"$root/etc/hosts"
  tr -d '-' </proc/sys/kernel/random/uuid >"$root/etc/machine-id"
  rm -f -- "$root"/etc/ssh/ssh_host_*
  local type
  for type in ed25519 ecdsa; do  # no RSA: its key generation is the slow part of a host build
    ssh-keygen -q -t "$type" -N '' -C "root@$name" -f "$root/etc/ssh/ssh_host_${type}_key"
  done
}

raise_inotify_limits() {
  # Each booted systemd uses inotify instances; the default 128 stops the ~19th container.
  local current
  current=$(cat /proc/sys/fs/inotify/max_user_instances)
  if [ "$current" -lt 8192 ]; then sysctl -q -w fs.inotify.max_user_instances=8192; fi
}

# Kill a container left behind by a systemd-nspawn that died (SIGKILL leaves its init running):
# the process that is PID 1 of its namespace and whose root directory is ROOT. Compared by device
# and inode: the path seen through /proc/PID/root is "/" inside the container's mount namespace.
# Killing that init ends every process of the container.
kill_orphaned_container() {
  local root=$1 root_id status_file pid
  root_id=$(stat -L -c '%d:%i' "$root" 2>/dev/null) || return 0
  for status_file in /proc/[0-9]*/status; do
    pid=${status_file#/proc/}
    pid=${pid%/status}
    [ "$(stat -L -c '%d:%i' "/proc/$pid/root" 2>/dev/null)" = "$root_id" ] || continue
    if awk '$1 == "NSpid:" && NF > 2 && $NF == 1 { found = 1 } END { exit !found }' "$status_file" 2>/dev/null; then
      log "killing orphaned container init $pid (root $root)"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# boot_container ROOT NAME STATE_DIR [extra nspawn args...]: start detached; pid in STATE_DIR/nspawn.pid.
boot_container() {
  local root=$1 name=$2 state=$3
  shift 3
  if container_running "$state"; then return 0; fi
  kill_orphaned_container "$root"
  mkdir -p "$state"
  # setsid: own session, so the container survives this script and its terminal.
  setsid systemd-nspawn -q -b -D "$root" -M "$name" --register=no --keep-unit \
    --console=passive "$@" </dev/null >"$state/console.log" 2>&1 &
  printf '%s\n' "$!" >"$state/nspawn.pid"
}

container_running() {
  local state=$1 pid
  [ -r "$state/nspawn.pid" ] || return 1
  pid=$(cat "$state/nspawn.pid")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q systemd-nspawn "/proc/$pid/cmdline" 2>/dev/null
}

# PID (in our namespace) of the container's init: the nspawn process's child.
container_init_pid() {
  local state=$1 pid child
  pid=$(cat "$state/nspawn.pid")
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    printf '%s\n' "$child"
    return 0
  done
  return 1
}

# Run a command inside a booted container (all its namespaces), stdin passed through.
container_exec() {
  local state=$1 init
  shift
  init=$(container_init_pid "$state") || return 1
  nsenter --target "$init" --mount --uts --ipc --net --pid -- "$@"
}

# Wait until the container's systemd reports running/degraded (or timeout seconds pass).
wait_booted() {
  local state=$1 timeout=${2:-60} waited=0 status
  while [ "$waited" -lt $((timeout * 5)) ]; do
    status=$(container_exec "$state" systemctl is-system-running 2>/dev/null || true)
    case "$status" in running | degraded) return 0 ;; esac
    sleep 0.2
    waited=$((waited + 1))
  done
  log "container in $state not booted after ${timeout}s (state: ${status:-none})"
  return 1
}

# Orderly shutdown: SIGTERM makes nspawn send SIGRTMIN+3 (poweroff) to the container's systemd.
# With ROOT given, a container orphaned by a dead nspawn is killed too.
stop_container() {
  local state=$1 root=${2:-} pid
  # Anything still running in ROOT once its nspawn is gone is an orphan: checked on every path out.
  if ! container_running "$state"; then
    rm -f -- "$state/nspawn.pid"
    if [ -n "$root" ] && [ -d "$root" ]; then kill_orphaned_container "$root"; fi
    return 0
  fi
  pid=$(cat "$state/nspawn.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  rm -f -- "$state/nspawn.pid"
  if [ -n "$root" ] && [ -d "$root" ]; then kill_orphaned_container "$root"; fi
}

# Highest version of PKG offered by the configured archives that is lower than VERSION (Debian
# version ordering via dpkg --compare-versions), or nothing.
older_archive_version() {
  local root=$1 pkg=$2 version=$3 candidate best=
  # apt-cache with Dir= reads that root's sources, lists and dpkg status, and writes nothing: safe
  # on the base even while overlays use it as their lower layer.
  for candidate in $(apt-cache -o Dir="$root/" madison "$pkg" | awk -F'|' '{gsub(/ /, "", $2); print $2}'); do
    dpkg --compare-versions "$candidate" lt "$version" || continue
    if [ -z "$best" ] || dpkg --compare-versions "$candidate" gt "$best"; then best=$candidate; fi
  done
  if [ -n "$best" ]; then printf '%s\n' "$best"; fi
}
