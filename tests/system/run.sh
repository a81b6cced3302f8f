#!/usr/bin/env bash
# The system tests: boot Debian 12 in a VM with systemd as PID 1, install the package and operate
# it (tests/system/scenario.sh):
#   tests/system/run.sh DEB_DIR [WORK_DIR]
# DEB_DIR holds the freshly built ticketwatch_*.deb (packaging/build-deb.sh DEB_DIR); WORK_DIR
# (default: a temporary directory, removed afterwards) receives this run's disk and logs.
#
# 1. The image (tests/system/build-image.sh, cached; built now if missing) must satisfy the .deb's
#    Depends, since the VM has no network.
# 2. A copy of its disk gets the scenario, the .deb, the demo data and the source tree's unit
#    (debugfs, no loop mounts), and boots under qemu (TCG: KVM is not usable on every CI machine)
#    with -no-reboot; the scenario powers the VM off when done.
# 3. The verdict, the scenario's log and a journal excerpt are read back from the disk (debugfs).
#    A red run prints the scenario's log, the journal excerpt and the serial console; if the
#    scenario never ran, the VM's persistent journal is read from the disk instead.
# Needs root, qemu-system-x86, e2fsprogs and, for a cold cache, debootstrap and network.
# TW_SYSTEM_TIMEOUT (default 480 s) bounds the VM's whole run; TW_SYSTEM_IMAGE=DIR boots that image
# directory instead of the cached one.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source_dir=$(cd "$TW_SYSTEM_DIR/../.." && pwd)

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 DEB_DIR [WORK_DIR]" >&2
  exit 2
fi
[[ $(id -u) -eq 0 ]] || { echo "FAIL: system tests need root" >&2; exit 1; }
for tool in qemu-system-x86_64 debugfs mkfs.ext4 dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool missing" >&2; exit 1; }
done
deb=$(ls "$1"/ticketwatch_*.deb 2>/dev/null | head -n 1)
[[ -n $deb ]] || { echo "FAIL: no ticketwatch_*.deb in $1" >&2; exit 1; }
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
if [[ $# -eq 2 ]]; then
  work=$2
  rm -rf "$work"
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/tw-system.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)
t0=$SECONDS
phase() { echo "system tests: $* (+$((SECONDS - t0)) s)"; }

# TW_SYSTEM_IMAGE: use that image directory as it is (debugging an image by hand).
if [[ -n ${TW_SYSTEM_IMAGE:-} ]]; then
  image=$TW_SYSTEM_IMAGE
else
  "$TW_SYSTEM_DIR/build-image.sh" >"$work/build-image.log" 2>&1 || {
    cat "$work/build-image.log" >&2
    echo "FAIL: tests/system/build-image.sh" >&2
    exit 1
  }
  sed 's/^/  /' "$work/build-image.log"
  image=$(tail -n 1 "$work/build-image.log")
fi
phase "image $image"

# --- 1. the image has every runtime dependency of the package ---------------------------------
# installed.txt: "package version provides" per installed package.
satisfied() {
  local alt name op version
  local IFS='|'
  for alt in $1; do
    alt=$(echo "$alt" | tr -d ' ')
    name=${alt%%(*}
    name=${name%%:*}
    if [[ $alt == *'('* ]]; then
      op=$(echo "$alt" | sed -E 's/.*\(([<>=]+).*/\1/')
      version=$(echo "$alt" | sed -E 's/.*\([<>=]+([^)]*)\).*/\1/')
    else
      op=
    fi
    local installed
    installed=$(awk -v n="$name" '$1 == n { print $2 }' "$image/installed.txt")
    if [[ -n $installed ]]; then
      if [[ -z $op ]] || dpkg --compare-versions "$installed" "$op" "$version"; then
        return 0
      fi
    elif cut -d' ' -f3- "$image/installed.txt" | grep -qE "(^|[ ,])${name//./\\.}( |,|$)"; then
      return 0
    fi
  done
  return 1
}
missing=()
IFS=',' read -ra groups <<<"$(dpkg-deb -f "$deb" Depends)"
for group in "${groups[@]}"; do
  satisfied "$group" || missing+=("$(echo "$group" | sed 's/^ *//')")
done
if ((${#missing[@]} > 0)); then
  echo "FAIL: the VM image lacks dependencies of $(basename "$deb"): ${missing[*]}" >&2
  echo "      add them to tests/system/image-packages (the image is rebuilt on the next run)" >&2
  exit 1
fi
phase "the image satisfies Depends: $(dpkg-deb -f "$deb" Depends)"

# --- 2. this run's disk -----------------------------------------------------------------------
disk="$work/disk.img"
cp --sparse=always "$image/disk.img" "$disk"
in="$work/in"
mkdir -p "$in/demo"
cp "$TW_SYSTEM_DIR/scenario.sh" "$deb" "$in/"
cp "$source_dir/systemd/ticketwatch.service" "$in/ticketwatch.service"
cp "$source_dir"/scripts/demo.d/*.sql "$in/demo/"
{
  echo "mkdir /var/lib/tw-system"
  echo "mkdir /var/lib/tw-system/in"
  echo "mkdir /var/lib/tw-system/in/demo"
  (cd "$in" && find . -type f | sed 's|^\./||' | sort) | while read -r f; do
    echo "write $in/$f /var/lib/tw-system/in/$f"
  done
} >"$work/debugfs.cmds"
debugfs -w -f "$work/debugfs.cmds" "$disk" >"$work/debugfs.log" 2>&1
if grep -qiE 'error|could not|not found|exists|fail|denied|read-only' "$work/debugfs.log"; then
  cat "$work/debugfs.log" >&2
  echo "FAIL: writing the scenario into the disk" >&2
  exit 1
fi
phase "disk prepared"

# --- 3. boot ------------------------------------------------------------------------------------
timeout_s=${TW_SYSTEM_TIMEOUT:-480}
console="$work/console.log"
boot_start=$SECONDS
qemu_status=0
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 -accel tcg,thread=multi -m 2048 -smp 2 \
  -nographic -no-reboot -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
  -append "console=ttyS0 root=/dev/vda rw quiet" \
  -drive "file=$disk,format=raw,if=virtio" -nic none </dev/null >"$console" 2>&1 || qemu_status=$?
phase "VM ran for $((SECONDS - boot_start)) s (qemu exit $qemu_status)"

# --- 4. the verdict -----------------------------------------------------------------------------
get() { debugfs -R "cat /var/lib/tw-system/out/$1" "$disk" 2>/dev/null; }
result=$(get result || true)
get scenario.log >"$work/scenario.log" || true
get journal.txt >"$work/journal.txt" || true
ok=0
if [[ $qemu_status -eq 0 && $result =~ ^passed\ ([0-9]+)\ failed\ 0$ ]] && ((BASH_REMATCH[1] > 0)); then
  ok=1
fi
if ((ok)); then
  grep -E '^\[ *[0-9]+s\] (===|ok:|    )' "$work/scenario.log" || true
  phase "passed: $result"
  exit 0
fi

echo "=== system tests FAILED: ${result:-no verdict} (qemu exit $qemu_status$([[ $qemu_status -eq 124 ]] && echo ", killed after ${timeout_s}s"))" >&2
if [[ -s $work/scenario.log ]]; then
  echo "=== scenario log" >&2
  cat "$work/scenario.log" >&2
else
  echo "=== the scenario left no log" >&2
fi
if [[ -s $work/journal.txt ]]; then
  echo "=== journal excerpt (from the scenario)" >&2
  cat "$work/journal.txt" >&2
elif command -v journalctl >/dev/null; then
  # The scenario never got to write one: read the VM's persistent journal off the disk.
  mkdir -p "$work/journal"
  debugfs -R "rdump /var/log/journal $work/journal" "$disk" >/dev/null 2>&1 || true
  echo "=== journal excerpt (from the disk)" >&2
  journalctl -D "$work/journal/journal" --no-pager -o short-monotonic -n 150 >&2 || true
fi
echo "=== serial console (last 60 lines)" >&2
tail -n 60 "$console" >&2
exit 1
