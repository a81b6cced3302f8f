# Shared by scripts/demo and scripts/test: package installation and the build.
# shellcheck shell=bash

TW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# What building and running ticketwatch needs on Debian 12.
TW_BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libpqxx-dev libboost-dev libboost-program-options-dev libspdlog-dev libfmt-dev
  libtomlplusplus-dev libsystemd-dev nlohmann-json3-dev
  postgresql-15 postgresql-client-15 scdoc
)
# What the test suite needs on top.
TW_TEST_PACKAGES=(
  googletest libgtest-dev libgmock-dev
  clang libclang-rt-14-dev
  curl python3 prometheus
)

# What the package checks (TW_PACKAGE_TESTS=1) need: Debian packaging tools and systemd.
TW_PACKAGE_TEST_PACKAGES=(
  systemd debhelper dpkg-dev lintian scdoc groff-base util-linux procps curl
)

# What the system tests (TW_SYSTEM_TESTS=1, tests/system) need: building the VM image and the
# package, booting it, reading its disk, and journalctl to read the VM's journal off the disk.
TW_SYSTEM_TEST_PACKAGES=(
  debootstrap qemu-system-x86 e2fsprogs debhelper dpkg-dev systemd
)

# Installs the packages that are missing (and only those: apt-get update is slow).
tw_install_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "==> installing: ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "error: packages missing and not running as root: ${missing[*]}" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Packages such as prometheus (installed for promtool) ship a daemon; a build machine must not
  # start it. policy-rc.d is Debian's switch for that, in place only during this install.
  local policy=/usr/sbin/policy-rc.d
  local own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  local status=0
  apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
  if ((own_policy)); then
    rm -f "$policy"
  fi
  return "$status"
}

# tw_build BUILD_DIR [cmake args...]
tw_build() {
  local dir=$1
  shift
  cmake -S "$TW_ROOT" -B "$dir" -G Ninja "$@"
  cmake --build "$dir" -j "$(nproc)"
}
