#!/usr/bin/env bash
# Install the Debian packages listed in scripts/apt-packages.txt that are missing.
# Runs apt-get only when something is missing, so repeated runs are cheap.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# The cross-architecture dumps download arm64 and s390x packages (kernels, busybox,
# crash and its libraries) with apt-get download: dpkg must know those architectures.
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
added_arch=0
foreign=" $(dpkg --print-foreign-architectures | tr '\n' ' ') "
for arch in arm64 s390x; do
	if [[ "$foreign" != *" $arch "* ]]; then
		echo "install-deps: dpkg --add-architecture $arch" >&2
		$SUDO dpkg --add-architecture "$arch"
		added_arch=1
	fi
done
mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/apt-packages.txt")
missing=()
for pkg in "${wanted[@]}"; do
	dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	# New architectures need their package lists even when nothing is missing.
	[ "$added_arch" -eq 0 ] || $SUDO apt-get update -q
	exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
