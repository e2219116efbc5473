#!/bin/sh
# Stops the private libvirtd of up.sh and every VM it started; removes its directory unless --keep.
# Idempotent: nothing running is fine. Only processes recorded in that directory's pid files are
# signalled.
set -u

DIR=${STAGECRAFT_LIBVIRT_DIR:-/tmp/stagecraft-libvirt}
SOCK="$DIR/sock/libvirt-sock"
URI="qemu+unix:///system?socket=$SOCK"
PIDFILE="$DIR/libvirtd.pid"

if [ -S "$SOCK" ] && command -v virsh >/dev/null 2>&1; then
  for dom in $(timeout 10 virsh -q -c "$URI" list --name 2>/dev/null); do
    timeout 10 virsh -q -c "$URI" destroy "$dom" >/dev/null 2>&1 || true
  done
fi
if [ -f "$PIDFILE" ]; then
  pid=$(cat "$PIDFILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do i=$((i + 1)); sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
fi
# QEMU processes the daemon left behind (it was killed while they ran): their pid files are ours.
for f in "$DIR"/run/qemu/*.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
done
if [ "${1:-}" != "--keep" ]; then
  rm -rf "$DIR"
fi
echo "down.sh: stopped ($DIR)"
