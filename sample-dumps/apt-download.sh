# shellcheck shell=bash
# Debian packages fetched with apt-get download (never installed), for the scripts that
# build the sample dumps: fetch-kernel.sh, build-modules.sh and cross/fetch.sh source
# this file.  The caller defines die() and log().
#
#   apt_update_once        apt-get update, at most once per run
#   apt_download PKG DIR   download PKG (NAME or NAME:ARCH) into DIR; the .deb's path is
#                          then in $apt_deb (no output: called in the script's own shell,
#                          not in $(...), the update-once flag holds for the whole run);
#                          apt's lists are updated once if apt does not know PKG
#
# A download goes through a temporary directory in DIR, so no half-written .deb is left.

apt_lists_updated=0
apt_update_once() {
	[ "$apt_lists_updated" -eq 0 ] || return 0
	apt_lists_updated=1
	log "running apt-get update"
	if [ "$(id -u)" -eq 0 ]; then
		apt-get update -q >&2 || die "apt-get update failed"
	else
		sudo apt-get update -q >&2 || die "apt-get update failed"
	fi
}

apt_download() {
	local pkg=$1 dir=$2 tmp debs f
	apt_deb=""
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.download.XXXXXX")
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2); then
		apt_update_once
		(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
			{ rm -rf "$tmp"; die "apt-get download $pkg failed"; }
	fi
	debs=("$tmp"/*.deb)
	[ -f "${debs[0]}" ] || { rm -rf "$tmp"; die "apt-get download $pkg produced no .deb"; }
	f=$(basename "${debs[0]}")
	mv -f "$tmp/$f" "$dir/$f"
	rm -rf "$tmp"
	# shellcheck disable=SC2034 # read by the caller
	apt_deb="$dir/$f"
}
