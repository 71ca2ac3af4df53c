#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What `make deb` runs: build the Debian packages netvsc-dkms and
# netvsc-tools with dpkg-buildpackage -us -uc -b, and check them with
# lintian.
#
# The build runs in a copy of the source (the files git tracks, and those
# it would track; every file outside a git checkout), under
# $BUILDDIR/deb/, so that neither the work tree nor its parent directory
# gets build products.  The packages, .buildinfo and .changes end up in
# $BUILDDIR/deb/.
#
# Usage: scripts/deb.sh
#
# Exit status 0 if the packages built and lintian found nothing (its
# overrides are in debian/*.lintian-overrides, each with its reason).

set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
BUILDDIR=${BUILDDIR:-$REPO/.build}
OUT=$BUILDDIR/deb

if ! "$REPO/scripts/deps.sh" deb; then
	echo "deb: missing packages, see above" >&2
	exit 1
fi

cd "$REPO"
version=$(dpkg-parsechangelog -S Version)
src=$OUT/netvsc-$version
rm -rf "$OUT"
mkdir -p "$src"

if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
	git ls-files -z -c -o --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$REPO" --exclude=./.build -cf - . | tar -C "$src" -xf -
fi

echo "deb: dpkg-buildpackage in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b)
rm -rf "$src"

debs=("$OUT"/netvsc-dkms_*.deb "$OUT"/netvsc-tools_*.deb)
echo "deb: built $(cd "$OUT" && echo *.deb)"
echo "deb: lintian"
lintian --fail-on error,warning,info --info "$OUT"/*.changes
echo "deb: lintian clean; install with"
rel=()
for d in "${debs[@]}"; do
	rel+=("./${d#"$REPO"/}")
done
echo "  apt-get install ${rel[*]}"
