#!/usr/bin/env bash
# Fetch the Debian cloud kernel (x86_64) and its debug info into the ptwalk cache.
#
#   sample-dumps/fetch-kernel.sh [--dbg-module NAME]...
#
# Resolves the current ABI from the archive (apt-cache depends linux-image-cloud-amd64-dbg),
# unless PTWALK_KVER (e.g. 6.1.0-56-cloud-amd64) is set.  With PTWALK_KERNEL_SERIES (e.g.
# 6.12, a scenario's KERNEL_SERIES) the ABI of that series is taken instead, from its own
# meta package (apt-cache depends linux-image-6.12-cloud-amd64-dbg); PTWALK_KVER then
# applies only when it belongs to that series.  Downloads the image and -dbg
# packages with apt-get download and extracts, under
#   ${PTWALK_CACHE:-$HOME/.cache/ptwalk}/kernels/x86_64/<kver>/
#     vmlinuz        the bootable kernel (from the image package)
#     modules/       the image's whole lib/modules/<kver> tree (uncompressed .ko files;
#                    6.12 packages ship .ko.xz, which are decompressed here)
#     vmlinux        the debug vmlinux (from the -dbg package)
#     System.map     the real System.map (from the -dbg package)
#     dbg/           the parts of the -dbg package extracted so far (./usr/lib/debug/boot/*,
#                    plus usr/lib/debug/lib/modules/<kver>/.../NAME.ko for each --dbg-module)
#     debs/          the two .deb files (kept, so later extractions need no download)
#     version        the Debian package version, kver, and package names
# Every step leaves a stamp file; a second run does nothing.  The last line printed on
# stdout is the kernel directory.  Everything else goes to stderr.
set -euo pipefail

die() { echo "fetch-kernel: error: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*" >&2; }

dbg_modules=()
while [ $# -gt 0 ]; do
	case "$1" in
	--dbg-module) [ $# -ge 2 ] || die "--dbg-module needs a module name"; dbg_modules+=("$2"); shift 2 ;;
	-h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (see --help)" ;;
	esac
done

for tool in apt-get apt-cache dpkg-deb tar flock; do
	command -v "$tool" >/dev/null || die "'$tool' not found (this script needs a Debian system)"
done

cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
mkdir -p "$cache/kernels/x86_64"
# Serialise concurrent runs (e.g. make -j dumps) on the whole kernel cache.
exec 9>"$cache/kernels/x86_64/.lock"
flock 9

# shellcheck source-path=SCRIPTDIR source=apt-download.sh
. "$(dirname "$0")/apt-download.sh"

# Print the kernel ABI name (e.g. 6.1.0-56-cloud-amd64) the meta package currently points to.
# Prints nothing (and succeeds) when apt does not know the package yet.  apt-cache takes
# about 3 s here, so the answer is remembered together with the state (name, size, time)
# of apt's package lists, and asked again only when those change.
series=${PTWALK_KERNEL_SERIES:-}
case "$series" in
'') meta=linux-image-cloud-amd64-dbg memo_name=.resolved-kver ;;
[0-9]*.[0-9]*) meta=linux-image-$series-cloud-amd64-dbg memo_name=.resolved-kver-$series ;;
*) die "PTWALK_KERNEL_SERIES='$series' is not a kernel series like 6.12" ;;
esac
resolve_kver() {
	local memo="$cache/kernels/x86_64/$memo_name" lists v
	lists=$(stat -c '%n %s %Y' /var/lib/apt/lists/*Packages* 2>/dev/null | sha256sum | cut -c1-16)
	if [ -f "$memo" ] && [ "$(sed -n 1p "$memo")" = "$lists" ]; then
		sed -n 2p "$memo"
		return 0
	fi
	v=$({ apt-cache depends "$meta" 2>/dev/null || true; } |
		sed -n 's/^ *Depends: linux-image-\(.*-cloud-amd64\)-dbg.*/\1/p' | head -n1)
	[ -z "$v" ] || printf '%s\n%s\n' "$lists" "$v" >"$memo"
	echo "$v"
}

kver_env=${PTWALK_KVER:-}
if [ -n "$series" ] && [ -n "$kver_env" ] && [ "${kver_env#"$series".}" = "$kver_env" ]; then
	log "PTWALK_KVER=$kver_env is not of series $series: resolving the $series ABI instead"
	kver_env=""
fi
if [ -n "$kver_env" ]; then
	kver=$kver_env
	case "$kver" in
	*-cloud-amd64|*-amd64) ;;
	*) die "PTWALK_KVER='$kver' does not look like an amd64 kernel ABI (e.g. 6.1.0-56-cloud-amd64)" ;;
	esac
else
	kver=$(resolve_kver)
	if [ -z "$kver" ]; then
		apt_update_once
		kver=$(resolve_kver)
	fi
	[ -n "$kver" ] || die "cannot resolve the kernel ABI: 'apt-cache depends $meta' names no linux-image-*-cloud-amd64-dbg"
fi

kdir="$cache/kernels/x86_64/$kver"
img_pkg="linux-image-$kver"
dbg_pkg="linux-image-$kver-dbg"
mkdir -p "$kdir/debs"

# --- download -------------------------------------------------------------------------
# Download one package into debs/ (via a temporary directory, so no half file is left).
download() {
	local pkg=$1 stamp="$kdir/.stamp-download-$1"
	if [ -f "$stamp" ] && [ -f "$kdir/debs/$(cat "$stamp")" ]; then
		return 0
	fi
	log "downloading $pkg (apt-get download)"
	apt_download "$pkg" "$kdir/debs"
	basename "$apt_deb" >"$stamp"
}

download "$img_pkg"
download "$dbg_pkg"
img_deb="$kdir/debs/$(cat "$kdir/.stamp-download-$img_pkg")"
dbg_deb="$kdir/debs/$(cat "$kdir/.stamp-download-$dbg_pkg")"

img_ver=$(dpkg-deb -f "$img_deb" Version)
dbg_ver=$(dpkg-deb -f "$dbg_deb" Version)
[ "$img_ver" = "$dbg_ver" ] ||
	die "version mismatch: $img_pkg is $img_ver but $dbg_pkg is $dbg_ver (remove $kdir/debs and .stamp-download-* and retry)"

# --- extract the image ----------------------------------------------------------------
if [ ! -f "$kdir/.stamp-image" ]; then
	log "extracting vmlinuz and modules from $(basename "$img_deb")"
	rm -rf "$kdir/.image.tmp"
	mkdir -p "$kdir/.image.tmp"
	dpkg-deb -x "$img_deb" "$kdir/.image.tmp"
	[ -f "$kdir/.image.tmp/boot/vmlinuz-$kver" ] || die "$img_pkg has no boot/vmlinuz-$kver"
	[ -d "$kdir/.image.tmp/lib/modules/$kver" ] || die "$img_pkg has no lib/modules/$kver"
	rm -rf "$kdir/modules" "$kdir/vmlinuz"
	mv "$kdir/.image.tmp/boot/vmlinuz-$kver" "$kdir/vmlinuz"
	mv "$kdir/.image.tmp/lib/modules/$kver" "$kdir/modules"
	rm -rf "$kdir/.image.tmp"
	touch "$kdir/.stamp-image"
fi
# Compressed modules (6.12: .ko.xz) become plain .ko files, as build-initramfs.sh and
# busybox insmod want them (also in a tree extracted before this step existed).
if [ ! -f "$kdir/.stamp-modules-plain" ]; then
	n=$(find "$kdir/modules" -name '*.ko.xz' | wc -l)
	if [ "$n" -gt 0 ]; then
		log "decompressing $n .ko.xz modules"
		find "$kdir/modules" -name '*.ko.xz' -print0 | xargs -0 -r xz -d -f ||
			die "decompressing the modules of $img_pkg failed"
	fi
	find "$kdir/modules" -name '*.ko.zst' -print0 | xargs -0 -r zstd -q -d --rm ||
		die "decompressing the modules of $img_pkg failed"
	touch "$kdir/.stamp-modules-plain"
fi

# --- extract debug vmlinux and System.map ----------------------------------------------
if [ ! -f "$kdir/.stamp-dbg-boot" ]; then
	log "extracting ./usr/lib/debug/boot/* from $(basename "$dbg_deb") (about 15 s)"
	mkdir -p "$kdir/dbg"
	dpkg-deb --fsys-tarfile "$dbg_deb" | tar -x -C "$kdir/dbg" --wildcards './usr/lib/debug/boot/*' ||
		die "extracting ./usr/lib/debug/boot/* from $dbg_deb failed"
	[ -f "$kdir/dbg/usr/lib/debug/boot/vmlinux-$kver" ] || die "$dbg_pkg has no usr/lib/debug/boot/vmlinux-$kver"
	[ -f "$kdir/dbg/usr/lib/debug/boot/System.map-$kver" ] || die "$dbg_pkg has no usr/lib/debug/boot/System.map-$kver"
	ln -sfn "dbg/usr/lib/debug/boot/vmlinux-$kver" "$kdir/vmlinux"
	ln -sfn "dbg/usr/lib/debug/boot/System.map-$kver" "$kdir/System.map"
	touch "$kdir/.stamp-dbg-boot"
fi

# --- optional: module debug info (for crash's `mod -s`) ----------------------------------
# All missing modules are taken out in one pass over the -dbg package (about 20 s).
want=() stamps=()
for m in "${dbg_modules[@]}"; do
	m=${m//-/_}
	stamp="$kdir/.stamp-dbg-module-$m"
	[ -f "$stamp" ] && continue
	rel=$(cd "$kdir/modules" && find . -name "$m.ko" -o -name "${m//_/-}.ko" | head -n1)
	[ -n "$rel" ] || die "module '$m' is not in $kdir/modules"
	want+=("./usr/lib/debug/lib/modules/$kver/${rel#./}")
	stamps+=("$stamp")
done
if [ ${#want[@]} -gt 0 ]; then
	log "extracting debug info for ${#want[@]} module(s): ${want[*]##*/}"
	mkdir -p "$kdir/dbg"
	dpkg-deb --fsys-tarfile "$dbg_deb" | tar -x -C "$kdir/dbg" "${want[@]}" ||
		die "extracting module debug info from $dbg_deb failed"
	touch "${stamps[@]}"
fi

if [ ! -f "$kdir/version" ]; then
	printf 'kver=%s\npackage_version=%s\nimage_package=%s\ndbg_package=%s\n' \
		"$kver" "$img_ver" "$img_pkg" "$dbg_pkg" >"$kdir/version"
fi
log "kernel $kver ($img_ver) ready in $kdir"
echo "$kdir"
