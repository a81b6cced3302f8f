#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang++ and runs each for a bounded time.
#
#   tests/fuzz/run.sh [BUILD_DIR] [SECONDS]     (defaults: build/fuzz, $TW_FUZZ_SECONDS or 30)
#
# Exits non-zero when a harness finds a crash, a sanitizer report, a leak or an input slower than
# the per-input timeout; the input is kept as BUILD_DIR/fuzz-artifacts/<harness>-crash-<sha1> (run
# the harness on that file to reproduce it). The corpus grows in BUILD_DIR/fuzz-corpus/ and is
# reused by the next run; the seeds (tests/fuzz/seeds, config/) are only read.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m -- "${1:-$root/build/fuzz}")
seconds=${2:-${TW_FUZZ_SECONDS:-30}}

# Only the harnesses and the libraries they link; no tests, no daemon. Without precompiled
# headers: with clang and the sanitizers they made this build take 124 s instead of 78 s here.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -g" -DTW_PCH=OFF -DTW_FUZZ=ON -DTW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target tw_fuzz_config tw_fuzz_rules

run_harness() {
  local name=$1
  shift
  local corpus=$build/fuzz-corpus/$name
  local log=$build/fuzz-$name.log
  mkdir -p "$corpus" "$build/fuzz-artifacts"
  echo "==> fuzz $name for ${seconds}s (log: $log)"
  # The first directory receives new inputs; the seed directories after it are only read.
  # libFuzzer reports every new input: the log keeps that, the console gets the totals.
  if "$build/tests/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" "$corpus" "$@" \
    >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$log" | sed 's/^/  /'
  else
    tail -n 60 "$log"
    echo "error: $name failed; the input is in $build/fuzz-artifacts/ (run $build/tests/fuzz/$name FILE to reproduce)" >&2
    return 1
  fi
}

status=0
run_harness tw_fuzz_config "$root/tests/fuzz/seeds/config" "$root/config" || status=1
run_harness tw_fuzz_rules "$root/tests/fuzz/seeds/rules" || status=1
exit "$status"
