# shellcheck shell=bash disable=SC2154 # scenario, cache and serial are the caller's
# What the two dump makers share: make-dump.sh (x86_64) and cross/make-dump.sh (arm64,
# s390x) source this file after defining die() and log(), and after setting $scenario
# and $cache.
#
#   elapsed T0                      seconds since T0 (a date +%s.%N), one decimal
#   module_sources_manifest M...    sha256sum lines of modules/common and modules/M...,
#                                   paths relative to sample-dumps/ (dies when one is missing)
#   make_workdir TAG                $tmp (the dump's directory until it is published) and
#                                   $sockdir (QEMU's sockets); both go on exit, and QEMU
#                                   ($qemu_pid) is stopped; PTWALK_KEEP_TMP=1 keeps a failed
#                                   run's $tmp
#   report_failure MSG              MSG, then the tails of $serial and $tmp/qemu.log
#   fail_with_log MSG               report_failure MSG, exit 1
#   stop_qemu                       kill QEMU ($qemu_pid) and reap it
#   stop_qemu_after_dump            let QEMU end by itself (the QMP dump quits it), else stop it
#   publish_dump KDIR OUT           link KDIR's vmlinux and System.map into $tmp, then
#                                   make $tmp the directory OUT at once

dump_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

module_sources_manifest() {
	local m
	for m in "$@"; do
		[ -d "$dump_lib_dir/modules/$m" ] ||
			die "OOT_MODULES names '$m', but sample-dumps/modules/$m does not exist"
	done
	(cd "$dump_lib_dir" && find modules/common "${@/#/modules/}" -type f | LC_ALL=C sort | xargs sha256sum)
}

qemu_pid=""
make_workdir() {
	mkdir -p "$cache/dumps"
	tmp=$(mktemp -d "$cache/dumps/.$scenario.tmp.XXXXXX")
	sockdir=$(mktemp -d "/tmp/ptwalk-$1.XXXXXX") # unix socket paths must stay short
	trap dump_cleanup EXIT
	trap 'exit 130' INT TERM
	case "$tmp" in *,*) die "the cache path '$tmp' contains a comma, which QEMU options cannot take" ;; esac
}

dump_cleanup() {
	local rc=$?
	if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill "$qemu_pid" 2>/dev/null || true
		sleep 0.5
		kill -9 "$qemu_pid" 2>/dev/null || true
	fi
	rm -rf "$sockdir"
	if [ -d "$tmp" ]; then
		if [ "$rc" -ne 0 ] && [ "${PTWALK_KEEP_TMP:-0}" = 1 ]; then
			log "kept the failed run's files in $tmp"
		else
			rm -rf "$tmp"
		fi
	fi
}

report_failure() {
	log "error: $*"
	if [ -s "$serial" ]; then
		echo "---- last 40 lines of $scenario serial.log ----" >&2
		tail -n 40 "$serial" | tr -d '\r' >&2 || true
	else
		echo "---- $scenario serial.log is empty ----" >&2
	fi
	if [ -s "$tmp/qemu.log" ]; then
		echo "---- qemu output ----" >&2
		tail -n 20 "$tmp/qemu.log" >&2
	fi
}

fail_with_log() {
	report_failure "$@"
	exit 1
}

stop_qemu() {
	if [ -n "$qemu_pid" ]; then
		kill "$qemu_pid" 2>/dev/null || true
		wait "$qemu_pid" 2>/dev/null || true
		qemu_pid=""
	fi
}

stop_qemu_after_dump() {
	for _ in $(seq 50); do
		kill -0 "$qemu_pid" 2>/dev/null || break
		sleep 0.1
	done
	stop_qemu
}

publish_dump() {
	local kdir=$1 out=$2 cmdline
	ln -sfn "$(readlink -f "$kdir/vmlinux")" "$tmp/vmlinux"
	ln -sfn "$(readlink -f "$kdir/System.map")" "$tmp/System.map"
	[ -s "$tmp/qemu.log" ] || rm -f "$tmp/qemu.log"
	cmdline=$(<"$tmp/qemu-cmdline.txt")
	printf '%s\n' "${cmdline//"$tmp"/"$out"}" >"$tmp/qemu-cmdline.txt" # paths as they will be
	chmod 755 "$tmp"
	chmod 644 "$tmp/vmcore"
	rm -rf "$out.old"
	[ ! -e "$out" ] || mv "$out" "$out.old"
	mv "$tmp" "$out"
	rm -rf "$out.old"
}
