#!/bin/sh
# The package-level checks: tests/package/run.sh BUILD_DIR
#
# Runs verify-unit.sh (the systemd unit against the binaries in BUILD_DIR) and test-deb.sh (builds
# the Debian package and checks it), and fails if either fails. They take minutes and need
# systemd-analyze, debhelper, lintian and the build dependencies, so they run only when
# TW_PACKAGE_TESTS=1 (scripts/test sets it in CI); otherwise this says so and does nothing.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
if [ "${TW_PACKAGE_TESTS:-0}" != 1 ]; then
	echo "package tests not run: set TW_PACKAGE_TESTS=1 to run them"
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
status=0
"$here/verify-unit.sh" "$1" || status=1
"$here/test-deb.sh" || status=1
if [ "$status" -eq 0 ]; then echo "package tests: passed"; else echo "package tests: FAILED" >&2; fi
exit "$status"
