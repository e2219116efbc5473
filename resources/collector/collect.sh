#!/bin/sh
# Stagecraft read-only fact collector (format version 1). See README.md next to this file.
#
#   sh collect.sh [--json] [--max-file-bytes N] [--max-total-bytes N] [--max-files N] [GLOB...]
#   ssh HOST sh -s -- GLOB... < collect.sh
#
# Portable POSIX sh (dash, busybox ash, bash --posix). It only reads: no temporary files, no
# package-manager locks, no service calls that change state. `sudo -n` is tried only when a
# root-only read fails and never prompts.
#
# Output: a sectioned text stream. Line 1 is "@@stagecraft collector 1"; each section starts with
# "@@stagecraft section NAME [VARIANT]" (the variant names the tool the lines came from, so the
# parser knows their format); "@@stagecraft warning TEXT" may appear anywhere; the last line is
# "@@stagecraft end", so a cut stream is recognisable. Watched-file contents are base64 lines.

STAGECRAFT_COLLECTOR_FORMAT=1

# Everything lives in functions and the single call at the bottom redirects stdin from /dev/null:
# with `ssh HOST sh -s < collect.sh` the shell reads this script from stdin, so no command we run
# may read stdin, and the shell must have parsed the whole body before the first command runs.

# STAGECRAFT_SKIP_TOOLS="ss ip" makes tools count as absent: it exercises the fallbacks in tests.
has() {
  case " ${STAGECRAFT_SKIP_TOOLS:-} " in *" $1 "*) return 1 ;; esac
  command -v "$1" >/dev/null 2>&1
}
mark() { printf '@@stagecraft section %s\n' "$*"; }
warn() { printf '@@stagecraft warning %s\n' "$*"; }

# Print a file's lines unchanged without forking cat (also prints a last line lacking "\n").
emit_lines() {
  while IFS= read -r emit_line || [ -n "$emit_line" ]; do
    printf '%s\n' "$emit_line"
  done < "$1"
}

# Run "$@" as root through sudo when we are not root and sudo works without a password.
# Decided once, lazily: `sudo -n true` costs a fork and an auth-log line, so only when needed.
sudo_state=unknown
can_sudo() {
  if [ "$sudo_state" = unknown ]; then
    sudo_state=no
    if [ "$is_root" != 1 ] && has sudo && sudo -n true >/dev/null 2>&1; then sudo_state=yes; fi
  fi
  [ "$sudo_state" = yes ]
}

collect_meta() {
  mark meta
  printf 'collector_format=%s\n' "$STAGECRAFT_COLLECTOR_FORMAT"
  printf 'collected_at=%s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ' 2>/dev/null)"
  printf 'uid=%s\n' "$current_uid"
  printf 'max_file_bytes=%s\nmax_total_bytes=%s\nmax_files=%s\n' \
    "$max_file_bytes" "$max_total_bytes" "$max_files"
}

collect_os() {
  mark os
  if [ -r /etc/os-release ]; then emit_lines /etc/os-release
  elif [ -r /usr/lib/os-release ]; then emit_lines /usr/lib/os-release
  else warn 'os: no /etc/os-release'
  fi
  mark kernel
  # One fork for both values; a kernel release never contains a space.
  printf '%s\n' "$(uname -r -m 2>/dev/null)"
}

collect_host() {
  mark host
  host_name=
  if [ -r /proc/sys/kernel/hostname ]; then read -r host_name < /proc/sys/kernel/hostname; fi
  [ -n "$host_name" ] || host_name=$(uname -n 2>/dev/null)
  printf 'hostname=%s\n' "$host_name"
  # hostname -f may wait on DNS; bound it and accept failure (the fqdn is optional).
  host_fqdn=
  if has hostname; then
    if has timeout; then host_fqdn=$(timeout 2 hostname -f 2>/dev/null)
    else host_fqdn=$(hostname -f 2>/dev/null)
    fi
  fi
  printf 'fqdn=%s\n' "$host_fqdn"
  host_machine_id=
  for id_file in /etc/machine-id /var/lib/dbus/machine-id; do
    if [ -r "$id_file" ]; then read -r host_machine_id < "$id_file"; break; fi
  done
  printf 'machine_id=%s\n' "$host_machine_id"

  if has ip; then
    mark addresses ip
    ip -o addr show 2>/dev/null || warn 'addresses: ip -o addr failed'
  elif has hostname; then
    mark addresses hostname
    hostname -I 2>/dev/null || warn 'addresses: hostname -I failed'
  else
    warn 'addresses: neither ip nor hostname available'
  fi
  # MACs from sysfs: no fork at all, and present wherever ip is.
  if [ -d /sys/class/net ]; then
    mark links sysfs
    for link_dir in /sys/class/net/*; do
      [ -r "$link_dir/address" ] || continue
      read -r link_mac < "$link_dir/address" || continue
      printf '%s %s\n' "${link_dir##*/}" "$link_mac"
    done
  elif has ip; then
    mark links ip
    ip -o link show 2>/dev/null
  fi
}

collect_packages() {
  found_manager=0
  if has dpkg-query; then
    found_manager=1
    mark packages dpkg
    # Package, version, arch, status abbreviation ("ii ", "rc "…): the parser drops the not
    # installed ones. Without root dpkg-query still reads its database.
    dpkg-query -W -f '${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n' 2>/dev/null \
      || warn 'packages: dpkg-query failed'
  fi
  if has rpm; then
    found_manager=1
    mark packages rpm
    # Epoch only when set, as rpm itself prints an EVR.
    rpm -qa --qf '%{NAME}\t%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE}\t%{ARCH}\n' 2>/dev/null \
      || warn 'packages: rpm -qa failed'
  fi
  if [ -r /lib/apk/db/installed ]; then
    found_manager=1
    mark packages apk-db
    # The installed database holds name (P:), version (V:) and arch (A:) per package, unambiguous,
    # unlike "apk info -v" which joins name and version with a dash.
    grep '^[PVA]:' /lib/apk/db/installed 2>/dev/null
  elif has apk; then
    found_manager=1
    mark packages apk-info
    apk info -v 2>/dev/null || warn 'packages: apk info failed'
  fi
  [ "$found_manager" = 1 ] || warn 'packages: no dpkg-query, rpm or apk found'
}

collect_services() {
  if [ -d /run/systemd/system ] && has systemctl; then
    # Active state: one D-Bus call for every loaded service.
    mark units systemd
    systemctl list-units --all --type=service --no-legend --plain --no-pager 2>/dev/null \
      || warn 'services: systemctl list-units failed'
    # Enablement is read from the unit directories instead of `systemctl list-unit-files`, which
    # costs ~260 ms per host because systemd parses every unit file to answer. Here: which unit
    # files exist (first directory wins, as in systemd's search path), which are symlinks to
    # /dev/null (masked) or to another unit (alias), which are pulled in by a .wants/.requires
    # link under /etc (enabled), and which have an [Install] section at all (disabled vs static).
    mark unit-files systemd
    set --
    for unit_dir in /etc/systemd/system /run/systemd/system /run/systemd/generator \
      /usr/local/lib/systemd/system /usr/lib/systemd/system /lib/systemd/system \
      /run/systemd/generator.late; do
      [ -d "$unit_dir" ] || continue
      # On merged-/usr systems /lib is a symlink to usr/lib: do not list the same files twice.
      case "$unit_dir" in /lib/*) [ -L /lib ] && continue ;; esac
      for unit_path in "$unit_dir"/*.service; do
        if [ -L "$unit_path" ]; then
          if [ -c "$unit_path" ]; then printf 'masked\t%s\n' "$unit_path"
          else printf 'link\t%s\n' "$unit_path"
          fi
        elif [ -f "$unit_path" ]; then
          printf 'file\t%s\n' "$unit_path"
          set -- "$@" "$unit_path"
        fi
      done
    done
    # /run holds runtime enablement (systemctl enable --runtime, generators such as the container
    # getty): systemctl calls that "enabled-runtime".
    for wants_link in /etc/systemd/system/*.wants/*.service /etc/systemd/system/*.requires/*.service \
      /run/systemd/system/*.wants/*.service /run/systemd/system/*.requires/*.service \
      /run/systemd/generator/*.wants/*.service /run/systemd/generator/*.requires/*.service; do
      if [ -L "$wants_link" ] || [ -e "$wants_link" ]; then printf 'wants\t%s\n' "$wants_link"; fi
    done
    if [ "$#" -gt 0 ]; then
      mark unit-install systemd
      grep -l -E '^[[:space:]]*(WantedBy|RequiredBy|UpheldBy|Alias|Also)[[:space:]]*=' -- "$@" 2>/dev/null
    fi
  elif has rc-status; then
    mark services openrc
    # rc-status is a cheap read of openrc's state directory; --nocolor keeps the output plain.
    rc-status --all --nocolor 2>/dev/null || warn 'services: rc-status failed'
    mark service-scripts openrc
    for script_path in /etc/init.d/* /etc/runlevels/*/*; do
      [ -e "$script_path" ] && printf '%s\n' "$script_path"
    done
  else
    # Plain SysV init: enablement from rcN.d start links. Running state would need every init
    # script's "status" verb (a fork per service and scripts of unknown side effects): not done.
    mark service-scripts sysv
    for script_path in /etc/init.d/* /etc/rc[2345].d/S*; do
      [ -e "$script_path" ] && printf '%s\n' "$script_path"
    done
  fi
}

collect_ports() {
  if has ss; then
    mark ports ss
    # No -H: older ss (RHEL 7) lacks it; the parser skips the header line instead.
    ss -tulnp 2>/dev/null || warn 'ports: ss failed'
  elif has netstat; then
    mark ports netstat
    netstat -tulnp 2>/dev/null || warn 'ports: netstat failed'
  else
    # Last resort: the kernel's socket tables (no process names). 0A = TCP LISTEN, 07 = UDP unconnected.
    mark ports proc
    for proc_proto in tcp tcp6 udp udp6; do
      [ -r "/proc/net/$proc_proto" ] || continue
      while read -r _ local_address _ st _; do
        case "$proc_proto:$st" in
          tcp*:0A | udp*:07) printf '%s %s\n' "$proc_proto" "$local_address" ;;
        esac
      done < "/proc/net/$proc_proto"
    done
  fi
}

collect_sysctl() {
  # Configured values from the files systemd-sysctl / `sysctl --system` apply, not the live values:
  # inside containers /proc/sys is the machine's, so live values would hide per-host drift, and
  # `sysctl -a` walks thousands of keys (expensive). The parser applies the precedence rules
  # (same basename: first directory wins; files in basename order; /etc/sysctl.conf last).
  mark sysctl files
  set --
  for sysctl_dir in /etc/sysctl.d /run/sysctl.d /usr/local/lib/sysctl.d /usr/lib/sysctl.d /lib/sysctl.d; do
    [ -d "$sysctl_dir" ] || continue
    case "$sysctl_dir" in /lib/*) [ -L /lib ] && continue ;; esac
    for sysctl_file in "$sysctl_dir"/*.conf; do
      [ -f "$sysctl_file" ] && set -- "$@" "$sysctl_file"
    done
  done
  [ -f /etc/sysctl.conf ] && set -- "$@" /etc/sysctl.conf
  if [ "$#" -gt 0 ]; then
    awk '/^[ \t]*([#;]|$)/ { next } { print FILENAME "\t" $0 }' "$@" 2>/dev/null
  fi
}

collect_accounts() {
  # Only name, uid, gid, home and shell from passwd and name, gid, members from group: no
  # password field (it may hold a hash on old systems) and no GECOS. Never /etc/shadow.
  if [ -r /etc/passwd ] && [ -r /etc/group ]; then
    awk -F: '
      FNR == 1 { print "@@stagecraft section " (FILENAME == "/etc/passwd" ? "users" : "groups") }
      FILENAME == "/etc/passwd" && NF >= 7 { print $1 ":" $3 ":" $4 ":" $6 ":" $7; next }
      FILENAME == "/etc/group" && NF >= 3 { print $1 ":" $3 ":" $4 }
    ' /etc/passwd /etc/group
  else
    mark users
    warn 'users: /etc/passwd or /etc/group not readable'
  fi
}

collect_mounts() {
  mark mounts
  [ -r /proc/mounts ] || { warn 'mounts: /proc/mounts not readable'; return 0; }
  while read -r mount_source mount_target mount_fstype mount_options rest; do
    # Kernel and runtime pseudo filesystems carry no configuration worth comparing.
    case "$mount_fstype" in
      proc | sysfs | devpts | devtmpfs | cgroup | cgroup2 | securityfs | debugfs | tracefs | pstore | \
        bpf | mqueue | hugetlbfs | configfs | fusectl | autofs | binfmt_misc | efivarfs | nsfs | \
        rpc_pipefs | selinuxfs | ramfs | fuse.lxcfs | fuse.gvfsd-fuse | overlay.private) continue ;;
    esac
    case "$mount_target" in
      /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /run | /run/*) continue ;;
    esac
    printf '%s %s %s %s\n' "$mount_source" "$mount_target" "$mount_fstype" "$mount_options"
  done < /proc/mounts
}

collect_cron() {
  # System crontabs (with a user column).
  mark cron system
  set --
  for cron_file in /etc/crontab /etc/cron.d/*; do
    [ -f "$cron_file" ] && set -- "$@" "$cron_file"
  done
  if [ "$#" -gt 0 ]; then
    awk '/^[ \t]*(#|$)/ { next } { print FILENAME "\t" $0 }' "$@" 2>/dev/null
  fi
  # Per-user crontabs (no user column; the file name is the user): Debian, RHEL, busybox.
  mark cron user
  set --
  cron_unreadable=0
  for cron_file in /var/spool/cron/crontabs/* /var/spool/cron/* /etc/crontabs/*; do
    [ -f "$cron_file" ] || continue
    if [ -r "$cron_file" ]; then set -- "$@" "$cron_file"; else cron_unreadable=1; fi
  done
  if [ "$#" -gt 0 ]; then
    awk '/^[ \t]*(#|$)/ { next } { print FILENAME "\t" $0 }' "$@" 2>/dev/null
  fi
  # The spool directory itself is usually root-only (so the glob above finds nothing).
  if [ "$is_root" != 1 ] && [ -d /var/spool/cron/crontabs ] && [ ! -r /var/spool/cron/crontabs ]; then
    cron_unreadable=1
  fi
  if [ "$cron_unreadable" = 1 ]; then
    if can_sudo; then
      sudo -n sh -c 'for f in /var/spool/cron/crontabs/* /var/spool/cron/* /etc/crontabs/*; do
          [ -f "$f" ] && awk '\''/^[ \t]*(#|$)/ { next } { print FILENAME "\t" $0 }'\'' "$f"
        done' 2>/dev/null
    else
      warn 'cron: per-user crontabs not readable (not root, no passwordless sudo)'
    fi
  fi
  # run-parts directories: each script is a job with a fixed schedule.
  mark cron periodic
  for cron_file in /etc/cron.hourly/* /etc/cron.daily/* /etc/cron.weekly/* /etc/cron.monthly/*; do
    case "${cron_file##*/}" in .placeholder | '*') continue ;; esac
    [ -f "$cron_file" ] && printf '%s\n' "$cron_file"
  done
}

# Replace every occurrence of $2 in $1 by $3 (POSIX sh has no ${var//a/b}).
replace_all() {
  replace_rest=$1 replace_out=
  while :; do
    case "$replace_rest" in
      *"$2"*)
        replace_out=$replace_out${replace_rest%%"$2"*}$3
        replace_rest=${replace_rest#*"$2"}
        ;;
      *) break ;;
    esac
  done
  printf '%s\n' "$replace_out$replace_rest"
}

# Print the regular files (or symlinks to regular files) matching one watched glob, one per line.
# Plain globs are expanded by the shell; "**" (any depth, not POSIX) is handed to find, whose
# -path "*" already crosses "/": "/etc/nginx/**" -> find /etc/nginx -path "/etc/nginx/*".
expand_glob() {
  case "$1" in
    *'**'*)
      glob_prefix=${1%%[*?[]*}
      glob_root=${glob_prefix%/*}
      [ -n "$glob_root" ] || glob_root=/
      glob_find=$(replace_all "$1" '**/' '*')
      glob_find=$(replace_all "$glob_find" '**' '*')
      if [ -d "$glob_root" ] && [ ! -r "$glob_root" ] && can_sudo; then
        sudo -n find "$glob_root" \( -type f -o -type l \) -path "$glob_find" 2>/dev/null
      else
        find "$glob_root" \( -type f -o -type l \) -path "$glob_find" 2>/dev/null
      fi
      ;;
    *)
      set +f
      for glob_match in $1; do
        if [ -f "$glob_match" ] || [ -L "$glob_match" ]; then printf '%s\n' "$glob_match"; fi
      done
      set -f
      ;;
  esac
}

# Private keys are compared by hash only: their content must never leave the host.
is_secret_path() {
  case "$1" in
    */ssh_host_*_key | *.key | */id_rsa | */id_dsa | */id_ecdsa | */id_ed25519 | */private/* | \
      *.p12 | *.pfx | *.keytab) return 0 ;;
  esac
  return 1
}

# stat + sha256 for a batch of files (one fork each for the whole batch), then base64 content for
# the ones within the per-file and total limits. $1 is "sudo" or "plain"; the rest are paths.
emit_file_batch() {
  batch_mode=$1
  shift
  [ "$#" -gt 0 ] || return 0
  batch_stat_format="stat${tab}%s${tab}%a${tab}%U${tab}%G${tab}%n"
  if [ "$batch_mode" = sudo ]; then
    batch_stats=$(sudo -n stat -L -c "$batch_stat_format" -- "$@" 2>/dev/null)
  else
    batch_stats=$(stat -L -c "$batch_stat_format" -- "$@" 2>/dev/null)
  fi
  printf '%s\n' "$batch_stats"
  # sha256sum prints "HASH  PATH" (a leading "\" escapes odd paths); openssl as a fallback.
  if has sha256sum; then
    if [ "$batch_mode" = sudo ]; then sudo -n sha256sum -- "$@" 2>/dev/null; else sha256sum -- "$@" 2>/dev/null; fi \
      | while IFS= read -r hash_line; do printf 'sha256\t%s\n' "$hash_line"; done
  elif has openssl; then
    if [ "$batch_mode" = sudo ]; then sudo -n openssl dgst -sha256 -r -- "$@" 2>/dev/null; else openssl dgst -sha256 -r -- "$@" 2>/dev/null; fi \
      | while IFS= read -r hash_line; do printf 'sha256\t%s\n' "$(replace_all "$hash_line" ' *' '  ')"; done
  else
    warn 'files: neither sha256sum nor openssl available'
  fi
  # Content: lines without a tab after a "content" header are its base64 (76 columns). The loop
  # runs in this shell (not a pipeline) so the running total carries over to the next batch.
  set -f
  IFS=$newline
  for stat_line in $batch_stats; do
    IFS=$default_ifs
    case "$stat_line" in "stat$tab"*) ;; *) continue ;; esac
    stat_rest=${stat_line#"stat$tab"}
    stat_size=${stat_rest%%"$tab"*}
    stat_path=${stat_rest#*"$tab"*"$tab"*"$tab"*"$tab"}
    case "$stat_size" in '' | *[!0-9]*) continue ;; esac
    if is_secret_path "$stat_path"; then
      printf 'skipped\tsecret\t%s\n' "$stat_path"
    elif [ "$stat_size" -gt "$max_file_bytes" ]; then
      printf 'skipped\tfile-limit\t%s\n' "$stat_path"
    elif [ $((content_total + stat_size)) -gt "$max_total_bytes" ]; then
      printf 'skipped\ttotal-limit\t%s\n' "$stat_path"
    else
      content_total=$((content_total + stat_size))
      printf 'content\t%s\t%s\n' "$stat_size" "$stat_path"
      if has base64; then
        if [ "$batch_mode" = sudo ]; then sudo -n base64 -- "$stat_path" 2>/dev/null; else base64 -- "$stat_path" 2>/dev/null; fi
      else
        if [ "$batch_mode" = sudo ]; then sudo -n openssl base64 -in "$stat_path" 2>/dev/null; else openssl base64 -in "$stat_path" 2>/dev/null; fi
      fi
    fi
  done
  IFS=$default_ifs
  set +f
}

collect_files() {
  mark files
  [ -n "$watch_globs" ] || return 0
  set -f
  IFS=$newline
  file_list=
  file_count=0
  files_capped=0
  for watch_glob in $watch_globs; do
    glob_matched=0
    for matched_path in $(expand_glob "$watch_glob"); do
      glob_matched=1
      [ -f "$matched_path" ] || continue
      # Password hashes are never read, not even to hash them.
      case "$matched_path" in
        /etc/shadow | /etc/shadow- | /etc/gshadow | /etc/gshadow- | /etc/security/opasswd | /etc/master.passwd)
          printf 'excluded\t%s\n' "$matched_path"
          continue
          ;;
      esac
      case "$newline$file_list$newline" in *"$newline$matched_path$newline"*) continue ;; esac
      if [ "$file_count" -ge "$max_files" ]; then files_capped=1; break; fi
      file_list=$file_list$newline$matched_path
      file_count=$((file_count + 1))
    done
    [ "$glob_matched" = 1 ] || printf 'nomatch\t%s\n' "$watch_glob"
  done
  [ "$files_capped" = 1 ] && printf 'capped\tmax-files\t%s\n' "$max_files"
  # Readable files in one batch; root-only ones through sudo when it works, else reported.
  set --
  unreadable_list=
  for listed_path in $file_list; do
    [ -n "$listed_path" ] || continue
    if [ -r "$listed_path" ]; then set -- "$@" "$listed_path"
    else unreadable_list=$unreadable_list$newline$listed_path
    fi
  done
  IFS=$default_ifs
  set +f
  content_total=0
  emit_file_batch plain "$@"
  if [ -n "$unreadable_list" ]; then
    set -f
    IFS=$newline
    set --
    for listed_path in $unreadable_list; do [ -n "$listed_path" ] && set -- "$@" "$listed_path"; done
    IFS=$default_ifs
    set +f
    if can_sudo; then
      emit_file_batch sudo "$@"
    else
      for listed_path in "$@"; do printf 'unreadable\t%s\n' "$listed_path"; done
      warn "files: $# watched file(s) not readable (not root, no passwordless sudo)"
    fi
  fi
}

main() {
  tab=$(printf '\t')
  newline='
'
  default_ifs=$IFS
  json=0
  max_file_bytes=${STAGECRAFT_MAX_FILE_BYTES:-65536}
  max_total_bytes=${STAGECRAFT_MAX_TOTAL_BYTES:-4194304}
  max_files=${STAGECRAFT_MAX_FILES:-2000}
  # Globs from the environment are whitespace-separated; arguments may contain anything but newlines.
  watch_globs=
  set -f
  for env_glob in ${STAGECRAFT_WATCH:-}; do watch_globs=$watch_globs$newline$env_glob; done
  set +f
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --json) json=1 ;;
      --max-file-bytes) max_file_bytes=$2; shift ;;
      --max-total-bytes) max_total_bytes=$2; shift ;;
      --max-files) max_files=$2; shift ;;
      --help | -h)
        printf 'usage: sh collect.sh [--json] [--max-file-bytes N] [--max-total-bytes N] [--max-files N] [GLOB...]\n'
        return 0
        ;;
      --) shift; break ;;
      -*) printf 'collect.sh: unknown option %s\n' "$1" >&2; return 2 ;;
      *) break ;;
    esac
    shift
  done
  for arg_glob in "$@"; do watch_globs=$watch_globs$newline$arg_glob; done
  for limit in "$max_file_bytes" "$max_total_bytes" "$max_files"; do
    case "$limit" in '' | *[!0-9]*) printf 'collect.sh: limits must be whole numbers\n' >&2; return 2 ;; esac
  done
  # Tools' messages and formats must not depend on the caller's locale; sbin holds ss, ip, sysctl.
  LC_ALL=C
  export LC_ALL
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
  export PATH
  current_uid=$(id -u 2>/dev/null)
  is_root=0
  [ "$current_uid" = 0 ] && is_root=1

  if [ "$json" = 1 ]; then
    collect_all | to_json
  else
    collect_all
  fi
}

collect_all() {
  printf '@@stagecraft collector %s\n' "$STAGECRAFT_COLLECTOR_FORMAT"
  collect_meta
  collect_os
  collect_host
  collect_packages
  collect_services
  collect_ports
  collect_sysctl
  collect_accounts
  collect_mounts
  collect_cron
  collect_files
  printf '@@stagecraft end\n'
}

# Wrap the stream as one JSON document for air-gapped hosts: every section becomes an array of its
# lines (JSON-escaped; the marker lines become keys). Bytes that are not UTF-8 can only occur in
# plain lines such as os-release, never in file contents (base64).
to_json() {
  awk -v format_version="$STAGECRAFT_COLLECTOR_FORMAT" '
    # Replace by splitting and joining: gsub replacement strings treat "\\" differently in
    # mawk, gawk and busybox awk, concatenation does not. (Patterns are strings: a /regex/
    # argument would be evaluated as $0 ~ /regex/.)
    function replace(s, pattern, with,    parts, n, i, out) {
      n = split(s, parts, pattern)
      out = parts[1]
      for (i = 2; i <= n; i++) out = out with parts[i]
      return out
    }
    function esc(s,    out, i, c) {
      if (index(s, "\\")) s = replace(s, "\\\\", "\\\\")
      if (index(s, "\"")) s = replace(s, "\"", "\\\"")
      if (s ~ /[\001-\037]/) {
        out = ""
        for (i = 1; i <= length(s); i++) {
          c = substr(s, i, 1)
          if (c ~ /[\001-\037]/) out = out sprintf("\\u%04x", ord[c]); else out = out c
        }
        s = out
      }
      return s
    }
    BEGIN {
      for (i = 1; i < 32; i++) ord[sprintf("%c", i)] = i
      printf "{\"format\":\"stagecraft.collector\",\"version\":%d,\"sections\":{", format_version
      sections = 0
      in_section = 0
    }
    NR == 1 && /^@@stagecraft collector / { next }
    /^@@stagecraft section / {
      if (in_section) printf "]"
      printf "%s\n\"%s\":[", (sections++ ? "," : ""), esc(substr($0, 22))
      in_section = 1
      first = 1
      next
    }
    {
      if (!in_section) { printf "%s\n\"preamble\":[", (sections++ ? "," : ""); in_section = 1; first = 1 }
      printf "%s\"%s\"", (first ? "" : ","), esc($0)
      first = 0
    }
    END {
      if (in_section) printf "]"
      printf "}}\n"
    }
  '
}

main "$@" < /dev/null
