#!/bin/sh
# Builds the Debian package and checks what it installs and what its maintainer scripts do:
#   tests/package/test-deb.sh [DEB_DIR]
# Without DEB_DIR the package is built first with packaging/build-deb.sh (several minutes); with
# it, the ticketwatch_*.deb already in DEB_DIR is tested.
#
# 1. Metadata (dpkg-deb -I): dependencies, the conffile, the maintainer scripts' content
#    (user creation, enable without start, restart only if running on upgrade, stop on remove).
# 2. Contents (dpkg-deb -c, -x): both binaries run, the unit/sysusers/config are the source
#    tree's files, the man pages render without groff warnings, the install guide is there.
# 3. Installation into a fresh root with dpkg --root: the user and group exist, the service is
#    enabled but not started, the conffile is registered, a local edit survives a reinstall,
#    remove keeps /etc/ticketwatch, purge removes it (including db-password) and the enablement.
# 4. lintian reports no error.
set -eu

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/tw-test-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

passed=0
failures=0
pass() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: pass when COMMAND succeeds.
check() {
	description=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$description"; else fail "$description"; fi
}
finish() {
	echo "test-deb: $passed passed, $failures failed"
	if [ "$failures" -ne 0 ]; then exit 1; fi
	exit 0
}

for tool in dpkg-deb dpkg lintian groff; do
	command -v "$tool" >/dev/null || { echo "FAIL: $tool missing" >&2; exit 1; }
done

if [ $# -ge 1 ]; then
	deb_dir=$(cd "$1" && pwd)
else
	deb_dir="$work/out"
	"$source_dir/packaging/build-deb.sh" "$deb_dir" >"$work/build.log" 2>&1 || {
		tail -n 60 "$work/build.log" >&2
		echo "FAIL: packaging/build-deb.sh" >&2
		exit 1
	}
	pass "packaging/build-deb.sh builds the package"
fi
deb=$(ls "$deb_dir"/ticketwatch_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "FAIL: no ticketwatch_*.deb in $deb_dir" >&2; exit 1; }
echo "testing $deb"

# --- 1. metadata ----------------------------------------------------------------------------
dpkg-deb -f "$deb" >"$work/control"
version=$(sed -n 's/^Version: //p' "$work/control")
cmake_version=$(sed -n 's/^project(ticketwatch VERSION \([0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
if [ "$version" = "$cmake_version" ]; then pass "package version $version matches CMakeLists.txt"; else
	fail "package version $version, CMakeLists.txt says $cmake_version (update packaging/debian/changelog)"
fi
depends=$(sed -n 's/^Depends: //p' "$work/control")
for dep in libpqxx systemd-sysusers libsystemd0; do
	case "$depends" in
	*"$dep"*) pass "Depends names $dep" ;;
	*) fail "Depends lacks $dep: $depends" ;;
	esac
done

mkdir -p "$work/control-files"
dpkg-deb -e "$deb" "$work/control-files"
cf="$work/control-files"
if [ "$(cat "$cf/conffiles" 2>/dev/null)" = "/etc/ticketwatch/ticketwatch.toml" ]; then
	pass "the only conffile is /etc/ticketwatch/ticketwatch.toml"
else
	fail "conffiles: $(cat "$cf/conffiles" 2>/dev/null)"
fi
for script in postinst prerm postrm; do
	check "$script is a valid shell script" sh -n "$cf/$script"
done
check "postinst creates the user with systemd-sysusers" grep -q 'systemd-sysusers.* ticketwatch.conf' "$cf/postinst"
check "postinst enables the unit" grep -q 'deb-systemd-helper enable .ticketwatch.service' "$cf/postinst"
if grep -Eq 'deb-systemd-invoke (start|restart) ' "$cf/postinst"; then
	fail "postinst starts the service (it must wait until configured)"
else
	pass "postinst does not start the service"
fi
check "postinst restarts the service on upgrade only if running" grep -q 'deb-systemd-invoke try-restart .ticketwatch.service' "$cf/postinst"
check "prerm stops the service on remove" grep -q 'deb-systemd-invoke stop ticketwatch.service' "$cf/prerm"
check "postrm removes db-password on purge" grep -q 'rm -f "${DPKG_ROOT:-}/etc/ticketwatch/db-password"' "$cf/postrm"

# --- 2. contents ----------------------------------------------------------------------------
dpkg-deb -c "$deb" >"$work/contents"
for path in ./usr/sbin/ticketwatchd ./usr/bin/ticketwatchctl ./lib/systemd/system/ticketwatch.service \
	./usr/lib/sysusers.d/ticketwatch.conf ./etc/ticketwatch/ticketwatch.toml \
	./usr/share/man/man8/ticketwatchd.8.gz ./usr/share/man/man1/ticketwatchctl.1.gz \
	./usr/share/man/man5/ticketwatch.toml.5.gz ./usr/share/doc/ticketwatch/README.Debian \
	./usr/share/doc/ticketwatch/copyright; do
	if grep -q " $path\$" "$work/contents"; then pass "ships $path"; else fail "does not ship $path"; fi
done
# dh_compress compresses documents above 4 kB only.
check "ships the install guide" grep -Eq ' \./usr/share/doc/ticketwatch/install\.md(\.gz)?$' "$work/contents"
check "binaries are executable" grep -Eq '^-rwxr-xr-x .* \./usr/sbin/ticketwatchd$' "$work/contents"

files="$work/files"
dpkg-deb -x "$deb" "$files"
check "ticketwatchd --version runs" "$files/usr/sbin/ticketwatchd" --version
check "ticketwatchctl --version runs" "$files/usr/bin/ticketwatchctl" --version
check "the unit is systemd/ticketwatch.service" cmp "$files/lib/systemd/system/ticketwatch.service" \
	"$source_dir/systemd/ticketwatch.service"
check "the sysusers entry is systemd/ticketwatch.sysusers" cmp "$files/usr/lib/sysusers.d/ticketwatch.conf" \
	"$source_dir/systemd/ticketwatch.sysusers"
check "the conffile is config/ticketwatch.toml" cmp "$files/etc/ticketwatch/ticketwatch.toml" \
	"$source_dir/config/ticketwatch.toml"
check "the shipped config passes check-config" "$files/usr/sbin/ticketwatchd" check-config \
	--config "$files/etc/ticketwatch/ticketwatch.toml"
for page in man8/ticketwatchd.8 man1/ticketwatchctl.1 man5/ticketwatch.toml.5; do
	gzip -dc "$files/usr/share/man/$page.gz" >"$work/page"
	if groff -man -ww -z "$work/page" >"$work/groff.log" 2>&1 && [ ! -s "$work/groff.log" ]; then
		pass "$page renders without groff warnings"
	else
		fail "$page: $(cat "$work/groff.log")"
	fi
done

# --- 3. install, reinstall, remove, purge into a fresh root ----------------------------------
# --force-script-chrootless runs the maintainer scripts on the host with DPKG_ROOT set, as the
# debhelper snippets and systemd-sysusers --root support; --force-depends because the root has no
# libraries. The root never has /run/systemd/system, so nothing tries to start anything.
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/etc"
: >"$root/var/lib/dpkg/status"
: >"$root/var/lib/dpkg/available"
: >"$root/etc/passwd"
: >"$root/etc/group"
dpkg_root() {
	dpkg --root="$root" --force-script-chrootless --force-depends --force-not-root \
		--log="$work/dpkg.log" "$@"
}
if dpkg_root -i "$deb" >"$work/install.log" 2>&1; then
	pass "dpkg --root installs the package"
else
	fail "dpkg --root -i: $(cat "$work/install.log")"
fi
check "the user ticketwatch exists" grep -q '^ticketwatch:x:[0-9]*:[0-9]*:ticketwatch daemon:/:/usr/sbin/nologin$' "$root/etc/passwd"
check "the group ticketwatch exists" grep -q '^ticketwatch:x:' "$root/etc/group"
check "the service is enabled" test -L "$root/etc/systemd/system/multi-user.target.wants/ticketwatch.service"
check "dpkg registered the conffile" grep -q '^ /etc/ticketwatch/ticketwatch.toml [0-9a-f]\{32\}$' "$root/var/lib/dpkg/status"

echo '# local edit' >>"$root/etc/ticketwatch/ticketwatch.toml"
if dpkg_root -i "$deb" >"$work/reinstall.log" 2>&1 && grep -q '^# local edit$' "$root/etc/ticketwatch/ticketwatch.toml"; then
	pass "a reinstall keeps the local edit of the conffile"
else
	fail "reinstall: $(cat "$work/reinstall.log")"
fi

printf 'secret\n' >"$root/etc/ticketwatch/db-password"
if dpkg_root -r ticketwatch >"$work/remove.log" 2>&1; then pass "dpkg --root removes the package"; else
	fail "dpkg -r: $(cat "$work/remove.log")"
fi
check "remove deletes the daemon" test ! -e "$root/usr/sbin/ticketwatchd"
check "remove keeps the config" test -f "$root/etc/ticketwatch/ticketwatch.toml"
if dpkg_root -P ticketwatch >"$work/purge.log" 2>&1; then pass "dpkg --root purges the package"; else
	fail "dpkg -P: $(cat "$work/purge.log")"
fi
check "purge removes /etc/ticketwatch with db-password" test ! -e "$root/etc/ticketwatch"
check "purge removes the enablement" test ! -e "$root/etc/systemd/system/multi-user.target.wants/ticketwatch.service"

# --- 4. lintian -----------------------------------------------------------------------------
changes=$(ls "$deb_dir"/ticketwatch_*.changes 2>/dev/null | head -n 1)
target=${changes:-$deb}
lintian --tag-display-limit 0 "$target" >"$work/lintian.log" 2>&1 || true
errors=$(grep -c '^E: ' "$work/lintian.log" || true)
warnings=$(grep -c '^W: ' "$work/lintian.log" || true)
echo "lintian on $(basename "$target"): $errors error(s), $warnings warning(s)"
sed 's/^/  /' "$work/lintian.log"
if [ "$errors" -eq 0 ] && ! grep -q '^internal error\|^lintian: ' "$work/lintian.log"; then
	pass "lintian reports no error"
else
	fail "lintian reports errors"
fi

finish
