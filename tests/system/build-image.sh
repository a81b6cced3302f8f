#!/usr/bin/env bash
# Builds the Debian 12 VM image the system tests boot, unless it is cached already:
#   tests/system/build-image.sh
# Prints the image directory (disk.img, vmlinuz, initrd.img, installed.txt) on its last line.
#
# The image: debootstrap (minbase) with the packages of tests/system/image-packages, a kernel, a
# persistent journal, quiet timers masked, and tw-system-test.service, which runs the scenario
# tests/system/run.sh writes into the disk and powers off. It is cached in
# ${TW_SYSTEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ticketwatch-system}/<key>, the key hashing the
# package list and this script (tests/system/lib.sh); other keys there are removed after a build.
# Concurrent callers wait for one another (flock), so scripts/test can start this in the
# background and run.sh can call it again.
#
# The mirror is the one this machine's apt uses (TW_SYSTEM_MIRROR overrides it): no address is
# written into the repository. Needs root, debootstrap, e2fsprogs (mkfs.ext4 -d) and network.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ $(id -u) -eq 0 ]] || { echo "build-image: needs root (debootstrap, chroot)" >&2; exit 1; }
for tool in debootstrap mkfs.ext4 flock chroot; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool missing" >&2; exit 1; }
done

base=$(tw_system_cache_base)
key=$(tw_system_image_key)
image="$base/$key"
mkdir -p "$base"
exec 9>"$base/.lock"
flock 9
if [[ -f $image/complete ]]; then
  echo "build-image: cached image $image"
  echo "$image"
  exit 0
fi

# The first deb URI of the machine's apt sources serving bookworm: deb822 .sources files first
# (Debian 12's default), then the one-line format.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk '
      function flush() { if (deb && suite && uri != "") { print uri; found = 1; exit } deb = suite = 0; uri = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^Types:/ { deb = ($0 ~ /[[:space:]]deb([[:space:]]|$)/) }
      /^URIs:/ { uri = $2 }
      /^Suites:/ { suite = ($0 ~ /[[:space:]]bookworm([[:space:]]|$)/) }
      END { if (!found) flush() }
    ' "$f"
  done | head -n 1
}
mirror=${TW_SYSTEM_MIRROR:-}
if [[ -z $mirror ]]; then mirror=$(apt_mirror); fi
if [[ -z $mirror && -f /etc/apt/sources.list ]]; then
  mirror=$(sed -n -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+bookworm[[:space:]].*/\2/p' \
    /etc/apt/sources.list | head -n 1)
fi
[[ -n $mirror ]] || { echo "build-image: no bookworm mirror in the apt sources; set TW_SYSTEM_MIRROR" >&2; exit 1; }

packages=$(grep -v '^[[:space:]]*\(#\|$\)' "$TW_SYSTEM_DIR/image-packages" | tr -s ' \n' ',' | sed 's/,$//')
work="$base/$key.tmp"
root="$work/root"
rm -rf "$work"
mkdir -p "$work"
cleanup() {
  if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' INT TERM
start=$SECONDS
phase() { echo "build-image: $* ($((SECONDS - start)) s)"; }

phase "debootstrap bookworm from $mirror with $packages"
debootstrap --variant=minbase --include="$packages" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 40 "$work/debootstrap.log" >&2
  [[ -f $root/debootstrap/debootstrap.log ]] && tail -n 40 "$root/debootstrap/debootstrap.log" >&2
  echo "build-image: debootstrap failed" >&2
  exit 1
}

phase "kernel"
mount -t proc proc "$root/proc"
# Nothing installed into the chroot may start a daemon on this machine.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# An initrd with just what mounts a virtio ext4 root: the default (MODULES=most) takes minutes to
# compress on a busy machine, twice (postinst and trigger), and longer to unpack at every boot.
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
echo 'MODULES=list' >"$root/etc/initramfs-tools/conf.d/tw-system.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >"$root/usr/share/initramfs-tools/modules.d/tw-system"
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
  linux-image-amd64 >"$work/kernel.log" 2>&1 || {
  tail -n 40 "$work/kernel.log" >&2
  echo "build-image: kernel installation failed" >&2
  exit 1
}
chroot "$root" apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
chroot "$root" dpkg-query -W -f '${Package} ${Version} ${Provides}\n' >"$work/installed.txt"
umount "$root/proc"

phase "configure"
echo tw-system >"$root/etc/hostname"
echo '/dev/vda / ext4 rw 0 1' >"$root/etc/fstab"
# Persistent journal, so run.sh can read it from the disk when the scenario never got to run.
mkdir -p "$root/var/log/journal"
# Units that would only do network or disk housekeeping, or wait for a login, in the middle of a
# test (e2scrub_reap alone takes 40 s of a TCG boot).
for masked in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer \
  e2scrub_reap.service getty.target; do
  ln -sf /dev/null "$root/etc/systemd/system/$masked"
done
install -m 644 "$TW_SYSTEM_DIR/tw-system-test.service" "$root/etc/systemd/system/tw-system-test.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/tw-system-test.service \
  "$root/etc/systemd/system/multi-user.target.wants/tw-system-test.service"
cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd.img"

phase "disk image"
# Room for the package, the test's database and the journal on top of what is installed.
size_mb=$(($(du -sm "$root" | cut -f1) + 768))
truncate -s "${size_mb}M" "$work/disk.img"
mkfs.ext4 -q -F -L tw-system -d "$root" "$work/disk.img"
umount "$root/proc" 2>/dev/null || true
rm -rf "$root"

touch "$work/complete"
rm -rf "$image"
mv "$work" "$image"
# Older images (other keys) are dead weight of about a gigabyte each.
for old in "$base"/*; do
  if [[ $old != "$image" && -d $old && $(basename "$old") =~ ^[0-9a-f]{16}(\.tmp)?$ ]]; then
    rm -rf "$old"
  fi
done
phase "image ready in $image"
echo "$image"
