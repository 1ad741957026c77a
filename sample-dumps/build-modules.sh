#!/usr/bin/env bash
# Build out-of-tree modules of sample-dumps/modules/ for one guest kernel.
#
#   sample-dumps/build-modules.sh [--arch arm64] KVER OUTDIR MODULE...
#
# MODULE names a directory sample-dumps/modules/MODULE/ with a Kbuild file and its
# sources; sample-dumps/modules/common/*.h is copied next to them.  Each module is
# built against the EXACT guest kernel's headers: package linux-headers-KVER and the two
# it needs (linux-headers-*-common, linux-kbuild-*), fetched with apt-get download and
# unpacked, not installed, into $PTWALK_CACHE/kernels/ARCH/KVER/headers/ (installing
# 6.12's headers package would install the kernel image on the host: it depends on it):
#   make -C <headers>/usr/src/linux-headers-KVER M=<copy of the sources> modules
# With --arch arm64 (the cross pipeline, sample-dumps/cross) the headers package is
# linux-headers-KVER:arm64, the kbuild tools stay the host's own (linux-kbuild-* for
# amd64 runs here), and make gets ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-.  Modules
# are cached as $PTWALK_CACHE/build/modules/KVER/MODULE-<sha256 of its sources>/MODULE.ko,
# so a module is compiled again only when its sources (or common/) change.
# OUTDIR receives MODULE.ko for every MODULE.
set -euo pipefail

die() { echo "build-modules: error: $*" >&2; exit 1; }
log() { echo "build-modules: $*" >&2; }

# No BTF for the modules: 6.12's headers ship a vmlinux to take BTF from, and then
# kbuild runs pahole (package dwarves), which nothing else here needs.
arch=x86_64 pkg_arch="" make_args=(CONFIG_DEBUG_INFO_BTF_MODULES=)
if [ "${1:-}" = --arch ]; then
	arch=${2:-}
	shift 2
	case "$arch" in
	x86_64) ;;
	arm64) pkg_arch=:arm64 make_args+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) ;;
	*) die "--arch '$arch': x86_64 or arm64" ;;
	esac
fi
[ $# -ge 2 ] || die "usage: $0 [--arch arm64] KVER OUTDIR MODULE..."
kver=$1 outdir=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
[ $# -gt 0 ] || exit 0

# Serialise concurrent runs (make -j dumps): apt-get, the headers and the shared build
# directories.
mkdir -p "$cache/build/modules"
exec 9>"$cache/build/modules/.lock"
flock 9

# shellcheck source-path=SCRIPTDIR source=apt-download.sh
. "$here/apt-download.sh"

# The headers of kver unpacked into the cache (once); prints their directory.
unpacked_headers() {
	local kdir="$cache/kernels/$arch/$kver" tmp deb dep pkgs=()
	local final="$kdir/headers"
	if [ ! -f "$final/.stamp" ]; then
		mkdir -p "$kdir"
		rm -rf "$final"
		tmp=$(mktemp -d "$kdir/.headers.XXXXXX")
		# (This runs in $(...): the trap is the subshell's, and a failure leaves nothing.)
		# shellcheck disable=SC2064 # this $tmp, now: apt_download has a tmp of its own
		trap "rm -rf '$tmp'" EXIT
		mkdir -p "$tmp/debs"
		log "fetching linux-headers-$kver (apt-get download; unpacked, not installed)"
		apt_download "linux-headers-$kver$pkg_arch" "$tmp/debs"
		deb=$apt_deb
		# Its own Depends names the common headers and the kbuild tools it needs.
		for dep in $(dpkg-deb -f "$deb" Depends | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g'); do
			case "$dep" in linux-headers-*-common|linux-kbuild-*) pkgs+=("$dep") ;; esac
		done
		[ "${#pkgs[@]}" -eq 2 ] || die "linux-headers-$kver depends on '${pkgs[*]}', not on one common headers and one kbuild package"
		for dep in "${pkgs[@]}"; do
			apt_download "$dep" "$tmp/debs"
		done
		for deb in "$tmp"/debs/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root" || die "dpkg-deb -x $deb failed"
		done
		# The arch headers' Makefile includes the common one by its installed path.
		sed -i "s|^include /usr/src/|include $final/usr/src/|" \
			"$tmp/root/usr/src/linux-headers-$kver/Makefile"
		mv "$tmp/root" "$final"
		rm -rf "$tmp"
		touch "$final/.stamp"
	fi
	echo "$final/usr/src/linux-headers-$kver"
}

headers=$(unpacked_headers)
[ -f "$headers/Makefile" ] && [ -f "$headers/Module.symvers" ] ||
	die "no usable headers for $kver in $headers"
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
		make -s "${make_args[@]}" -C "$headers" M="$dir.tmp" modules >"$dir.tmp/build.log" 2>&1 ||
			{ cat "$dir.tmp/build.log" >&2; die "compiling module $m against $headers failed"; }
		[ -f "$dir.tmp/$m.ko" ] || die "building $m produced no $m.ko"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	cp "$dir/$m.ko" "$outdir/$m.ko"
done
