# Shared by tests/system/build-image.sh and tests/system/run.sh: where the cached VM image lives.
# shellcheck shell=bash

TW_SYSTEM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The image depends on its package list and on how it is built (the build script and the unit
# baked into it); a change to any of them gives a new key and so a new image.
tw_system_image_key() {
  cat "$TW_SYSTEM_DIR/image-packages" "$TW_SYSTEM_DIR/build-image.sh" \
    "$TW_SYSTEM_DIR/tw-system-test.service" | sha256sum | cut -c1-16
}

# Outside every build tree, so `rm -rf build` or a fresh clone keeps it.
tw_system_cache_base() {
  echo "${TW_SYSTEM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ticketwatch-system}"
}

tw_system_image_dir() {
  echo "$(tw_system_cache_base)/$(tw_system_image_key)"
}
