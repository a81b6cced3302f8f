#!/bin/sh
# Builds the ticketwatch Debian binary package: packaging/build-deb.sh OUTDIR
#
# dpkg-buildpackage wants debian/ at the top of the source tree, while this repository keeps it
# in packaging/debian. So the script stages a copy of the source (the files git knows about,
# committed or not, never build directories) with packaging/debian copied to debian/, runs
# `dpkg-buildpackage -b -us -uc` there, and moves the results (.deb, .buildinfo, .changes) to
# OUTDIR. The working tree is never written to.
#
# Needs dpkg-dev, debhelper and the Build-Depends of packaging/debian/control (dpkg-buildpackage
# checks them and names any that are missing); not fakeroot (Rules-Requires-Root: no).
# Environment: DEB_BUILD_OPTIONS is honoured (default "parallel=2"); KEEP_STAGING=1 keeps the
# staging directory for inspection.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
mkdir -p "$1"
outdir=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")/.." && pwd)

staging=$(mktemp -d "${TMPDIR:-/tmp}/ticketwatch-deb.XXXXXX")
cleanup() {
	if [ "${KEEP_STAGING:-0}" = 1 ]; then
		echo "staging kept in $staging" >&2
	else
		rm -rf "$staging"
	fi
}
trap cleanup EXIT INT TERM

src="$staging/ticketwatch"
mkdir -p "$src"
if git -C "$source_dir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked and untracked-but-not-ignored files: what a commit of the tree would contain.
	# Files deleted in the working tree are still listed by --cached; skip them.
	git -C "$source_dir" ls-files -z --cached --others --exclude-standard |
		(cd "$source_dir" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
		(cd "$source_dir" && tar --null -T - -cf -) |
		(cd "$src" && tar -xf -)
else
	(cd "$source_dir" && tar --exclude='./build*' --exclude=./.git -cf - .) | (cd "$src" && tar -xf -)
fi
rm -rf "$src/debian"
cp -a "$source_dir/packaging/debian" "$src/debian"

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=2}"
(cd "$src" && dpkg-buildpackage -b -us -uc)

found=0
for f in "$staging"/*.deb "$staging"/*.ddeb "$staging"/*.buildinfo "$staging"/*.changes; do
	[ -e "$f" ] || continue
	mv "$f" "$outdir/"
	found=1
done
if [ "$found" = 0 ]; then
	echo "$0: dpkg-buildpackage produced no package" >&2
	exit 1
fi
ls -1 "$outdir"
