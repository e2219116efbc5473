#!/usr/bin/env bash
# Regenerates the parser's test fixtures (core/domain/fixtures/collector/) from real hosts: the
# farm's containers (through ssh, as root and as the unprivileged user, with and without sudo),
# and an unbooted container root (no systemd as PID 1, netstat instead of ss).
#
#   sudo scripts/farm/farm.sh up 6 && sudo scripts/farm/capture-fixtures.sh
#
# The Alpine fixture is hand-written (no Alpine system or apk-tools package is reachable here).
set -euo pipefail

REPO_DIR=$(cd "$(dirname "$0")/../.." && pwd)
COLLECTOR=$REPO_DIR/resources/collector/collect.sh
OUT=$REPO_DIR/core/domain/fixtures/collector
eval "$("$REPO_DIR/scripts/farm/farm.sh" env)"
mkdir -p "$OUT"

# Watched files that exercise every case: text, a private key (hash only), a file over the
# per-file limit (moduli), a non-UTF-8 file, a conffile, root-only files, /etc/shadow (refused).
GLOBS=(/etc/ssh/sshd_config '/etc/ssh/sshd_config.d/*' '/etc/ssh/ssh_host_ed25519_key*' /etc/ssh/moduli
  '/etc/sysctl.d/*' '/etc/stagecraft-fixture/**' '/etc/sudoers.d/*' /etc/default/stagecraft-legacy /etc/shadow)

farm_ssh() {
  local user=$1 port=$2
  shift 2
  ssh -i "$FARM_KEY" -o UserKnownHostsFile="$FARM_KNOWN_HOSTS" -o StrictHostKeyChecking=yes -o BatchMode=yes \
    -p "$port" "$user@127.0.0.1" "$@"
}

# Remote argv is one string for ssh: quote every glob for the remote shell.
quoted_globs() { printf "'%s' " "${GLOBS[@]}"; }

# farm03: root, downgraded package, hand-edited sshd_config and sysctl, fixture v1.
farm_ssh root 22003 "sh -s -- $(quoted_globs)" <"$COLLECTOR" >"$OUT/debian12-farm03-root.txt"
# farm02: unprivileged, no sudo: root-only files and crontabs are reported, not read.
farm_ssh stagecraft 22002 "sh -s -- $(quoted_globs)" <"$COLLECTOR" >"$OUT/debian12-farm02-user-nosudo.txt"
# farm01: unprivileged with passwordless sudo, air-gapped JSON mode.
farm_ssh stagecraft 22001 "sh -s -- --json $(quoted_globs)" <"$COLLECTOR" >"$OUT/debian12-farm01-user-sudo.json"
# farm04 (current security updates): text and --json back to back, for the equivalence test.
farm_ssh root 22004 "sh -s -- $(quoted_globs)" <"$COLLECTOR" >"$OUT/debian12-farm04-root.txt"
farm_ssh root 22004 "sh -s -- --json $(quoted_globs)" <"$COLLECTOR" >"$OUT/debian12-farm04-root.json"
# farm05: as if ss and ip were missing: /proc/net sockets and hostname -I.
farm_ssh root 22005 "STAGECRAFT_SKIP_TOOLS='ss ip' sh -s -- /etc/ssh/sshd_config" <"$COLLECTOR" \
  >"$OUT/debian12-farm05-fallbacks.txt"

# farm06: an rpm database with two real packages built here with rpmbuild (one with an epoch),
# collected with dpkg-query hidden so the rpm path stands alone.
rpm_work=$(mktemp -d)
trap 'rm -rf -- "$rpm_work"' EXIT
for spec in "stagecraft-agent 2 1.4.2 3.el9 noarch" "libstagecraft 0 0.9.1 1.el9 x86_64"; do
  read -r name epoch version release arch <<<"$spec"
  cat >"$rpm_work/$name.spec" <<EOF
Name: $name
$([ "$epoch" != 0 ] && echo "Epoch: $epoch")
Version: $version
Release: $release
Summary: Stagecraft fixture package
License: MIT
BuildArch: $arch
%description
Fixture package for the collector's rpm path.
%files
%changelog
EOF
  rpmbuild -bb --quiet --define "_topdir $rpm_work/top" --define "_build_id_links none" \
    --target "$arch" "$rpm_work/$name.spec" >/dev/null 2>&1
done
farm_ssh root 22006 'command -v rpm >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get -qq -y install rpm >/dev/null'
for rpm_file in "$rpm_work"/top/RPMS/*/*.rpm; do
  farm_ssh root 22006 "cat > /tmp/fixture.rpm && rpm -i --nodeps --replacepkgs /tmp/fixture.rpm; rm -f /tmp/fixture.rpm" <"$rpm_file"
done
farm_ssh root 22006 "STAGECRAFT_SKIP_TOOLS='dpkg-query' sh -s --" <"$COLLECTOR" >"$OUT/rpm-farm06.txt"

# A root that is not booted (systemd-nspawn without -b: no systemd as PID 1, so init.d scripts
# are all there is) with net-tools installed and ss hidden: the SysV and netstat paths.
source "$REPO_DIR/scripts/farm/lib.sh"
sysv_dir=$(mktemp -d /var/tmp/stagecraft-sysv.XXXXXX)
trap 'rm -rf -- "$rpm_work"; overlay_down "$sysv_dir"; rm -rf -- "$sysv_dir"' EXIT
overlay_up "$sysv_dir"
personalise_root "$sysv_dir/root" legacy01
policy_rc_deny "$sysv_dir/root"
nspawn_run "$sysv_dir/root" apt-get -qq -y install net-tools >/dev/null
policy_rc_allow "$sysv_dir/root"
systemd-nspawn -q -D "$sysv_dir/root" --register=no --keep-unit -M legacy01 \
  --bind-ro="$COLLECTOR:/tmp/collect.sh" --setenv=STAGECRAFT_SKIP_TOOLS=ss -- sh /tmp/collect.sh /etc/hostname \
  >"$OUT/debian12-sysv-netstat.txt"

ls -l "$OUT"
