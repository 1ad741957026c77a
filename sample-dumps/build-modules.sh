#!/usr/bin/env bash
# Build out-of-tree modules of sample-dumps/modules/ for one guest kernel.
#
#   sample-dumps/build-modules.sh KVER OUTDIR MODULE...
#
# MODULE names a directory sample-dumps/modules/MODULE/ with a Kbuild file and its
# sources; sample-dumps/modules/common/*.h is copied next to them.  Each module is
# built against the EXACT guest kernel's headers, /usr/src/linux-headers-KVER
# (package linux-headers-KVER, installed here with apt-get when missing), with
#   make -C /usr/src/linux-headers-KVER M=<copy of the sources> modules
# and cached as $PTWALK_CACHE/build/modules/KVER/MODULE-<sha256 of its sources>/MODULE.ko,
# so a module is compiled again only when its sources (or common/) change.
# OUTDIR receives MODULE.ko for every MODULE.
set -euo pipefail

die() { echo "build-modules: error: $*" >&2; exit 1; }
log() { echo "build-modules: $*" >&2; }

[ $# -ge 2 ] || die "usage: $0 KVER OUTDIR MODULE..."
kver=$1 outdir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
[ $# -gt 0 ] || exit 0

# Serialise concurrent runs (make -j dumps): apt-get and the shared build directories.
mkdir -p "$cache/build/modules"
exec 9>"$cache/build/modules/.lock"
flock 9

headers=/usr/src/linux-headers-$kver
if [ ! -f "$headers/Makefile" ] || [ ! -f "$headers/Module.symvers" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	log "installing linux-headers-$kver (apt-get)"
	if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "linux-headers-$kver" >&2; then
		$SUDO apt-get update -q >&2 || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "linux-headers-$kver" >&2 ||
			die "apt-get install linux-headers-$kver failed"
	fi
	[ -f "$headers/Makefile" ] || die "linux-headers-$kver is installed, but $headers/Makefile does not exist"
fi
command -v make >/dev/null || die "make not found (apt-get install build-essential)"

mkdir -p "$outdir"
for m in "$@"; do
	src="$here/modules/$m"
	[ -f "$src/Kbuild" ] || die "no module '$m' ($src/Kbuild does not exist)"
	sum=$(cd "$here/modules" && find "$m" common -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
	dir="$cache/build/modules/$kver/$m-$sum"
	if [ ! -f "$dir/$m.ko" ]; then
		log "compiling $m for $kver"
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp"
		cp "$src"/* "$here"/modules/common/*.h "$dir.tmp/"
		make -s -C "$headers" M="$dir.tmp" modules >"$dir.tmp/build.log" 2>&1 ||
			{ cat "$dir.tmp/build.log" >&2; die "compiling module $m against $headers failed"; }
		[ -f "$dir.tmp/$m.ko" ] || die "building $m produced no $m.ko"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	cp "$dir/$m.ko" "$outdir/$m.ko"
done
