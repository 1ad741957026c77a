#!/usr/bin/env bash
# Fetch what the cross-architecture pipeline needs from Debian's archive, for ARCH
# (arm64 or s390x), into ${PTWALK_CACHE:-$HOME/.cache/ptwalk}:
#
#   sample-dumps/cross/fetch.sh ARCH kernel    -> prints kernels/ARCH/<kver>
#       vmlinuz, modules/ (the image's lib/modules/<kver>), vmlinux + System.map (from
#       the -dbg package), version
#   sample-dumps/cross/fetch.sh ARCH sysroot   -> prints sysroots/ARCH
#       crash 8.0.2 for ARCH and its libraries (run with qemu-ARCH-static -L SYSROOT),
#       usr/include/crash/defs.h, and zlib.h/zconf.h (from zlib1g-dev:ARCH) under
#       include/ for cross-compiling the extension
#   sample-dumps/cross/fetch.sh ARCH busybox   -> prints the path of a static busybox
#
# Package names are resolved through apt (the kernel ABI from the meta package
# linux-image-ARCH-dbg); nothing is hard-coded but the meta-package names.  Needs
# `dpkg --add-architecture ARCH` and apt-get update (scripts/install-deps.sh does both).
# Every step leaves a stamp; a second run only prints the path.
set -euo pipefail

die() { echo "cross-fetch: error: $*" >&2; exit 1; }
log() { echo "cross-fetch: $*" >&2; }

[ $# -eq 2 ] || die "usage: $0 arm64|s390x kernel|sysroot|busybox"
arch=$1 what=$2
case "$arch" in arm64|s390x) ;; *) die "unknown architecture '$arch' (arm64 or s390x)" ;; esac
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
mkdir -p "$cache/debs/$arch"
exec 9>"$cache/debs/$arch/.lock"
flock 9

# shellcheck source-path=SCRIPTDIR source=../apt-download.sh
. "$(dirname "$0")/../apt-download.sh"
# apt knows ARCH's packages only once dpkg knows the architecture (asked before any
# apt command, so that a populated cache needs neither).
need_arch() {
	[[ " $(dpkg --print-foreign-architectures | tr '\n' ' ') " == *" $arch "* ]] ||
		die "dpkg does not know architecture $arch: run scripts/install-deps.sh (dpkg --add-architecture $arch)"
}

# Download PKG:ARCH (apt resolves the version) into debs/ARCH, once; print the .deb path.
download() {
	local pkg=$1 stamp="$cache/debs/$arch/.stamp-$1"
	if [ -f "$stamp" ] && [ -f "$cache/debs/$arch/$(cat "$stamp")" ]; then
		echo "$cache/debs/$arch/$(cat "$stamp")"
		return 0
	fi
	need_arch
	log "downloading $pkg:$arch (apt-get download)"
	apt_download "$pkg:$arch" "$cache/debs/$arch"
	basename "$apt_deb" >"$stamp"
	echo "$apt_deb"
}

resolve_kver() {
	{ apt-cache depends "linux-image-$arch-dbg:$arch" 2>/dev/null || true; } |
		sed -n "s/^ *Depends: linux-image-\(.*-$arch\)-dbg.*/\1/p" | head -n1
}

fetch_kernel() {
	local kver kdir img dbg
	if [ -n "${PTWALK_CROSS_KVER:-}" ]; then
		kver=$PTWALK_CROSS_KVER
	else
		kver=$(resolve_kver)
		[ -n "$kver" ] || { need_arch; apt_update_once; kver=$(resolve_kver); }
		[ -n "$kver" ] || die "cannot resolve the kernel ABI: 'apt-cache depends linux-image-$arch-dbg:$arch' names no -dbg package"
	fi
	kdir="$cache/kernels/$arch/$kver"
	mkdir -p "$kdir"
	if [ ! -f "$kdir/.stamp-image" ]; then
		img=$(download "linux-image-$kver")
		log "extracting vmlinuz and modules from $(basename "$img")"
		rm -rf "$kdir/.image.tmp" && mkdir -p "$kdir/.image.tmp"
		dpkg-deb -x "$img" "$kdir/.image.tmp"
		[ -f "$kdir/.image.tmp/boot/vmlinuz-$kver" ] || die "linux-image-$kver has no boot/vmlinuz-$kver"
		rm -rf "$kdir/modules" "$kdir/vmlinuz"
		mv "$kdir/.image.tmp/boot/vmlinuz-$kver" "$kdir/vmlinuz"
		mv "$kdir/.image.tmp/lib/modules/$kver" "$kdir/modules"
		rm -rf "$kdir/.image.tmp"
		printf 'kver=%s\npackage_version=%s\n' "$kver" "$(dpkg-deb -f "$img" Version)" >"$kdir/version"
		touch "$kdir/.stamp-image"
	fi
	if [ ! -f "$kdir/.stamp-dbg-boot" ]; then
		dbg=$(download "linux-image-$kver-dbg")
		log "extracting ./usr/lib/debug/boot/* from $(basename "$dbg")"
		mkdir -p "$kdir/dbg"
		dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$kdir/dbg" --wildcards './usr/lib/debug/boot/*' ||
			die "extracting the debug vmlinux from $dbg failed"
		[ -f "$kdir/dbg/usr/lib/debug/boot/vmlinux-$kver" ] || die "no vmlinux-$kver in $dbg"
		ln -sfn "dbg/usr/lib/debug/boot/vmlinux-$kver" "$kdir/vmlinux"
		ln -sfn "dbg/usr/lib/debug/boot/System.map-$kver" "$kdir/System.map"
		# The .deb is 300+ MB and everything needed is extracted.
		rm -f "$dbg" "$cache/debs/$arch/.stamp-linux-image-$kver-dbg"
		touch "$kdir/.stamp-dbg-boot"
	fi
	echo "$kdir"
}

# crash and the libraries it loads (ldd under qemu-user is not available: the list
# is crash's Depends, resolved one level, which covers them in Debian 12).
SYSROOT_PKGS=(crash libc6 libgcc-s1 liblzo2-2 libncursesw6 libsnappy1v5 libstdc++6
	libtinfo6 libzstd1 zlib1g)

fetch_sysroot() {
	local root="$cache/sysroots/$arch" pkg deb
	if [ ! -f "$root/.stamp" ]; then
		rm -rf "$root.tmp" && mkdir -p "$root.tmp/include"
		for pkg in "${SYSROOT_PKGS[@]}"; do
			deb=$(download "$pkg")
			dpkg-deb -x "$deb" "$root.tmp"
		done
		deb=$(download zlib1g-dev)
		mkdir -p "$root.tmp/.zlib-dev"
		dpkg-deb -x "$deb" "$root.tmp/.zlib-dev"
		cp "$root.tmp/.zlib-dev/usr/include/zlib.h" "$root.tmp/include/"
		zconf=$(find "$root.tmp/.zlib-dev/usr/include" -name zconf.h | head -n1)
		cp "$zconf" "$root.tmp/include/"
		rm -rf "$root.tmp/.zlib-dev"
		[ -x "$root.tmp/usr/bin/crash" ] || die "the crash package has no usr/bin/crash"
		[ -f "$root.tmp/usr/include/crash/defs.h" ] || die "the crash package has no defs.h"
		rm -rf "$root" && mv "$root.tmp" "$root"
		touch "$root/.stamp"
		log "crash sysroot for $arch ready in $root"
	fi
	echo "$root"
}

fetch_busybox() {
	local dir="$cache/debs/$arch/busybox" deb
	if [ ! -x "$dir/busybox" ]; then
		deb=$(download busybox-static)
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
		dpkg-deb -x "$deb" "$dir.tmp/x"
		mv "$dir.tmp/x/bin/busybox" "$dir.tmp/busybox"
		rm -rf "$dir.tmp/x" "$dir" && mv "$dir.tmp" "$dir"
	fi
	echo "$dir/busybox"
}

case "$what" in
kernel) fetch_kernel ;;
sysroot) fetch_sysroot ;;
busybox) fetch_busybox ;;
*) die "unknown item '$what' (kernel, sysroot or busybox)" ;;
esac
