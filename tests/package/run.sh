#!/bin/sh
# The package-level checks: tests/package/run.sh BUILD_DIR [DEB_DIR]
#
# Runs verify-unit.sh (the unit read by systemd-analyze, its command lines against the binaries in
# BUILD_DIR), run-under-systemd.sh (the unit run by a real systemd with all its hardening, against
# PostgreSQL) and test-deb.sh (checks the Debian package in DEB_DIR, or builds one first when no
# DEB_DIR is given), and fails if any fails. scripts/test builds the package once into build/deb
# and passes that, so the system tests (tests/system) use the very same .deb.
# They take minutes, need root, systemd, debhelper, lintian, scdoc and the build dependencies, so
# they run only when TW_PACKAGE_TESTS=1 (scripts/test sets it in CI); otherwise this says so and
# does nothing.
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [DEB_DIR]" >&2
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
if [ $# -eq 2 ]; then
	"$here/test-deb.sh" "$2" || status=1
else
	"$here/test-deb.sh" || status=1
fi
if [ "$status" -eq 0 ]; then echo "package tests: passed"; else echo "package tests: FAILED" >&2; fi
exit "$status"
