#!/bin/sh
# The package-level checks: tests/package/run.sh BUILD_DIR
#
# Runs verify-unit.sh (the unit read by systemd-analyze, its command lines against the binaries in
# BUILD_DIR), run-under-systemd.sh (the unit run by a real systemd with all its hardening, against
# PostgreSQL) and test-deb.sh (builds the Debian package and checks it), and fails if any fails.
# They take minutes, need root, systemd, debhelper, lintian, scdoc and the build dependencies, so
# they run only when TW_PACKAGE_TESTS=1 (scripts/test sets it in CI); otherwise this says so and
# does nothing.
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
"$here/run-under-systemd.sh" "$1" || status=1
"$here/test-deb.sh" || status=1
if [ "$status" -eq 0 ]; then echo "package tests: passed"; else echo "package tests: FAILED" >&2; fi
exit "$status"
