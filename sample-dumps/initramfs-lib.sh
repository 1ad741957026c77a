# shellcheck shell=bash disable=SC2154 # cache is the caller's
# What the two initramfs builders share: build-initramfs.sh (x86_64) and
# cross/build-initramfs.sh (arm64, s390x) source this file after defining die() and
# setting $cache.
#
#   probe_binary CC NAME HINT   $probe: guest/ptwalk-probe.c built statically with CC,
#                               cached as $cache/build/NAME-<hash of the source> (HINT:
#                               what a failed build needs)
#   new_root BUSYBOX            $root: a fresh tree, removed on exit, with BUSYBOX as
#                               /bin/busybox and /bin/sh, $probe as /bin/ptwalk-probe,
#                               /etc/ptwalk and, when run as root, /dev/console and /dev/null
#   pack DIR OUT [FIND-EXPR]    a gzip'ed newc cpio of DIR (or of what FIND-EXPR selects)

initramfs_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

probe_binary() {
	local cc=$1 name=$2 hint=$3 src sum
	src="$initramfs_lib_dir/guest/ptwalk-probe.c"
	sum=$(sha256sum "$src" | cut -c1-16)
	probe="$cache/build/$name-$sum"
	mkdir -p "$cache/build"
	[ ! -x "$probe" ] || return 0
	echo "initramfs: compiling $name" >&2
	"$cc" -static -O2 -Wall -Wextra -o "$probe.tmp.$$" "$src" ||
		die "compiling $src with $cc failed ($hint)"
	mv -f "$probe.tmp.$$" "$probe"
}

new_root() {
	root=$(mktemp -d "${TMPDIR:-/tmp}/ptwalk-initramfs.XXXXXX")
	trap 'rm -rf "$root"' EXIT
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc/ptwalk,lib/modules,usr/bin,usr/sbin}
	cp "$1" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$probe" "$root/bin/ptwalk-probe"
	if [ "$(id -u)" -eq 0 ]; then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi
}

pack() {
	local dir=$1 o=$2
	shift 2
	mkdir -p "$(dirname "$o")"
	(cd "$dir" && find . "$@" | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -n -6) >"$o.tmp" ||
		die "packing the initramfs failed"
	mv -f "$o.tmp" "$o"
}
