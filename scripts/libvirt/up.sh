#!/bin/sh
# Brings up a private libvirtd (qemu driver, software emulation) for Stagecraft's tests. Idempotent:
# when it already runs, it only prints the URI. Nothing of the machine's own libvirt is touched:
# libvirtd runs in its own mount namespace where /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt,
# /var/log/libvirt and /run/libvirt are directories under $STAGECRAFT_LIBVIRT_DIR; its socket is
# there too, so clients connect with
#   qemu+unix:///system?socket=$STAGECRAFT_LIBVIRT_DIR/sock/libvirt-sock
# Needs root and: libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients.
# Prints the URI on stdout (last line); exits 2 when something is not installed, 1 on failure.
set -eu

DIR=${STAGECRAFT_LIBVIRT_DIR:-/tmp/stagecraft-libvirt}
SOCK="$DIR/sock/libvirt-sock"
URI="qemu+unix:///system?socket=$SOCK"
PIDFILE="$DIR/libvirtd.pid"

for tool in libvirtd virsh qemu-system-x86_64 qemu-img unshare; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "up.sh: $tool is not installed (apt-get install libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils libvirt-clients)" >&2
    exit 2
  fi
done
if [ "$(id -u)" != 0 ]; then
  echo "up.sh: must run as root (a private libvirtd with the qemu driver runs as root here)" >&2
  exit 2
fi

running() {
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && [ -S "$SOCK" ] &&
    timeout 10 virsh -q -c "$URI" version >/dev/null 2>&1
}

if running; then
  echo "$URI"
  exit 0
fi

# A stale pid file or socket of a daemon that died: start afresh (its state dirs are kept).
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  kill "$(cat "$PIDFILE")" 2>/dev/null || true
  sleep 1
fi
rm -f "$PIDFILE" "$SOCK" "$DIR/sock/libvirt-sock-ro" "$DIR/sock/libvirt-admin-sock"

mkdir -p "$DIR/etc/qemu/networks" "$DIR/lib" "$DIR/cache" "$DIR/log" "$DIR/run" "$DIR/sock" "$DIR/images"
cat > "$DIR/etc/libvirtd.conf" <<CONF
# Stagecraft test daemon: unix sockets only, in $DIR/sock; no TCP, no TLS, no auth on the sockets.
listen_tls = 0
listen_tcp = 0
unix_sock_dir = "$DIR/sock"
unix_sock_group = "root"
unix_sock_ro_perms = "0700"
unix_sock_rw_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$DIR/log/libvirtd.log"
CONF
cat > "$DIR/etc/qemu.conf" <<CONF
user = "root"
group = "root"
security_driver = "none"
stdio_handler = "file"
dynamic_ownership = 0
remember_owner = 0
lock_manager = "nop"
CONF
printf 'uri_default = "%s"\n' "$URI" > "$DIR/etc/libvirt.conf"
# The qemu driver resolves its compiled-in user (Debian: libvirt-qemu, group kvm) before it reads
# qemu.conf. Without libvirt-daemon-system that account does not exist: the daemon sees its own
# passwd and group files that add it, so the machine's accounts stay as they are.
cp /etc/passwd "$DIR/passwd"
cp /etc/group "$DIR/group"
grep -q '^libvirt-qemu:' "$DIR/passwd" || echo 'libvirt-qemu:x:64055:64055:Libvirt Qemu (stagecraft tests):/var/lib/libvirt:/usr/sbin/nologin' >> "$DIR/passwd"
grep -q '^libvirt-qemu:' "$DIR/group" || echo 'libvirt-qemu:x:64055:' >> "$DIR/group"
grep -q '^kvm:' "$DIR/group" || echo 'kvm:x:64056:' >> "$DIR/group"

# The daemon's own view of the system paths, then libvirtd in the foreground (setsid: it outlives us).
setsid unshare --mount --propagation private sh -c '
  D=$1
  mount --bind "$D/etc" /etc/libvirt
  mount --bind "$D/passwd" /etc/passwd
  mount --bind "$D/group" /etc/group
  mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt 2>/dev/null || true
  mount --bind "$D/lib" /var/lib/libvirt
  mount --bind "$D/cache" /var/cache/libvirt
  mount --bind "$D/log" /var/log/libvirt
  mount --bind "$D/run" /run/libvirt
  exec libvirtd -f "$D/etc/libvirtd.conf" -p "$D/libvirtd.pid"
' up.sh "$DIR" >"$DIR/libvirtd.out" 2>&1 </dev/null &

i=0
while [ $i -lt 300 ]; do
  if running; then
    echo "$URI"
    exit 0
  fi
  i=$((i + 1))
  sleep 0.1
done
echo "up.sh: libvirtd did not answer on $SOCK within 30 s; see $DIR/libvirtd.out and $DIR/log/libvirtd.log" >&2
tail -n 20 "$DIR/libvirtd.out" >&2 || true
exit 1
