#!/usr/bin/env bash
# Make one real vmcore of a cross-architecture scenario (arm64, s390x) under QEMU (TCG).
#
#   sample-dumps/cross/make-dump.sh SCENARIO      (sample-dumps/cross/scenarios/SCENARIO.conf)
#
# Fetches the Debian kernel + debug vmlinux and a static busybox of the scenario's
# architecture (fetch.sh), builds the initramfs with a cross-compiled ptwalk-probe
# (build-initramfs.sh), boots QEMU, waits for the probe's answer key and the panic on the
# console; for INJECT_PGSTE scenarios writes known PGSTEs into the paused guest through
# QEMU's gdbstub (inject-pgste.py, gdb-multiarch); dumps the guest with QMP
# dump-guest-memory (ELF) and leaves
#   ${PTWALK_CACHE:-$HOME/.cache/ptwalk}/dumps/SCENARIO/
#     vmcore  answer-key.txt  serial.log  vmlinux -> debug vmlinux  System.map -> ...
#     qemu-cmdline.txt  inputs.txt  inputs.sha256
# The dump is stamped with a content hash of its inputs (this pipeline's files, the
# scenario, the probe's source, the kernel and busybox package versions): when
# inputs.sha256 matches, nothing is done.  The directory is built under a temporary
# name and renamed at the end, so a directory with that name is always complete.
# Environment: PTWALK_CACHE, PTWALK_CROSS_KVER (pin the kernel ABI), PTWALK_BOOT_TIMEOUT
# (default 300 s), PTWALK_KEEP_TMP=1 (keep a failed run's files), PTWALK_FORCE=1.
set -euo pipefail

die() { echo "cross-dump: error: $*" >&2; exit 1; }
log() { echo "cross-dump: $*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || die "usage: $0 SCENARIO (one of: $(find "$here/scenarios" -name '*.conf' -printf '%f ' | sed 's/\.conf//g'))"
scenario=$1
conf="$here/scenarios/$scenario.conf"
[ -f "$conf" ] || die "no scenario '$scenario' ($conf does not exist)"
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
export PTWALK_CACHE=$cache
# shellcheck source=sample-dumps/dump-lib.sh
. "$here/../dump-lib.sh"

SCENARIO_ARCH=""
SCENARIO_DESCRIPTION=""
QEMU_SYSTEM=""
QEMU_ARGS=()
CONSOLE=""
KERNEL_CMDLINE=""
INJECT_PGSTE=0
DUMP_FORMAT=elf
OOT_MODULES=()
BOOT_TIMEOUT=${PTWALK_BOOT_TIMEOUT:-300}
# shellcheck source=/dev/null
. "$conf"
case "$SCENARIO_ARCH" in arm64|s390x) ;; *) die "$conf: SCENARIO_ARCH must be arm64 or s390x" ;; esac
for tool in "$QEMU_SYSTEM" /usr/bin/python3 sha256sum; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/install-deps.sh)"
done
[ "$INJECT_PGSTE" = 0 ] || command -v gdb-multiarch >/dev/null || die "gdb-multiarch not found"

t_start=$(date +%s.%N)

kdir=$("$here/fetch.sh" "$SCENARIO_ARCH" kernel | tail -n1)
busybox=$("$here/fetch.sh" "$SCENARIO_ARCH" busybox | tail -n1)
{ [ -f "$kdir/vmlinuz" ] && [ -e "$kdir/vmlinux" ]; } || die "fetch.sh gave no vmlinuz/vmlinux in '$kdir'"
kver=$(basename "$kdir")
pkgver=$(sed -n 's/^package_version=//p' "$kdir/version")

# --- inputs: what the dump is made from (the scripts, the probe, modules, packages) ------
inputs_manifest() {
	(
		cd "$here/.."
		sha256sum cross/*.sh cross/*.py qmp-dump.py apt-download.sh dump-lib.sh initramfs-lib.sh \
			"cross/scenarios/$scenario.conf" guest/ptwalk-probe.c
		[ ${#OOT_MODULES[@]} -eq 0 ] || sha256sum build-modules.sh
	)
	[ ${#OOT_MODULES[@]} -eq 0 ] || module_sources_manifest "${OOT_MODULES[@]}"
	echo "kernel $kver $pkgver"
	echo "busybox $(sha256sum <"$busybox" | cut -d' ' -f1)"
}
manifest=$(inputs_manifest)
inputs=$(sha256sum <<<"$manifest" | cut -d' ' -f1)
out="$cache/dumps/$scenario"
if [ "${PTWALK_FORCE:-0}" != 1 ] && [ -f "$out/answer-key.txt" ] &&
	[ "$(cat "$out/inputs.sha256" 2>/dev/null)" = "$inputs" ]; then
	log "$scenario is up to date ($out)"
	exit 0
fi

make_workdir cross

"$here/build-initramfs.sh" "$conf" "$kdir" "$busybox" "$tmp/initrd.gz"

# --- boot until the panic ---------------------------------------------------------------
serial="$tmp/serial.log"
qemu=("$QEMU_SYSTEM" -accel tcg "${QEMU_ARGS[@]}" -smp 1 -display none -nodefaults
	-serial "file:$serial" -no-reboot -action panic=pause
	-qmp "unix:$sockdir/qmp.sock,server=on,wait=off"
	-kernel "$kdir/vmlinuz" -initrd "$tmp/initrd.gz"
	-append "console=$CONSOLE quiet${KERNEL_CMDLINE:+ $KERNEL_CMDLINE}")
if [ "$INJECT_PGSTE" = 1 ]; then
	qemu+=(-chardev "socket,id=gdb0,path=$sockdir/gdb.sock,server=on,wait=off" -gdb chardev:gdb0)
fi
printf '%q ' "${qemu[@]}" | sed 's/ $/\n/' >"$tmp/qemu-cmdline.txt"

log "booting $scenario ($kver, TCG): $SCENARIO_DESCRIPTION"
t_boot=$(date +%s.%N)
"${qemu[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!
deadline=$(($(date +%s) + BOOT_TIMEOUT))
until grep -q 'Kernel panic' "$serial" 2>/dev/null; do
	kill -0 "$qemu_pid" 2>/dev/null || fail_with_log "QEMU exited before the kernel panicked"
	[ "$(date +%s)" -lt "$deadline" ] || fail_with_log "no 'Kernel panic' on the console within $BOOT_TIMEOUT s"
	sleep 0.2
done
for _ in $(seq 100); do
	grep -q 'end Kernel panic' "$serial" && break
	sleep 0.1
done
sleep 1 # the CPU reaches its stop (disabled wait, WFI loop)
log "guest panicked after $(elapsed "$t_boot") s"

key="$tmp/answer-key.txt"
tr -d '\r' <"$serial" | sed -n 's/^PTWALK_KEY \(.*\)$/\1/p' >"$key.guest"
grep -q '^PTWALK_KEY_END' <(tr -d '\r' <"$serial") || fail_with_log "ptwalk-probe's answer key is incomplete (no PTWALK_KEY_END)"
grep -q 'sysrq triggered crash' "$serial" || fail_with_log "the kernel panicked, but not from ptwalk-probe's sysrq 'c'"
getkey() { sed -n "s/^$1=//p" "$key.guest" | head -n1; }
bad=$(grep -vcE '^[a-z0-9_.]+=' "$key.guest" || true)
[ "$bad" -eq 0 ] || fail_with_log "$bad malformed answer-key line(s): $(grep -vE '^[a-z0-9_.]+=' "$key.guest" | head -n1)"
[ "$(getkey key_count)" = "$(wc -l <"$key.guest")" ] || fail_with_log "answer key has $(wc -l <"$key.guest") lines, the probe said key_count=$(getkey key_count)"
[ "$(getkey uname_release)" = "$kver" ] || fail_with_log "guest runs '$(getkey uname_release)', expected $kver"

# --- PGSTEs, written into the paused guest ----------------------------------------------
if [ "$INJECT_PGSTE" = 1 ]; then
	t_inj=$(date +%s.%N)
	pages=""
	for p in $(getkey pages); do
		pages+="$p=$(getkey "page.$p.va") "
	done
	PTWALK_PID=$(getkey pid) PTWALK_PAGES="$pages" PTWALK_PGSTE_KEY="$tmp/pgste-key.txt" \
		timeout 300 gdb-multiarch -batch -nx -ex "file $kdir/vmlinux" \
		-ex "target remote $sockdir/gdb.sock" -x "$here/inject-pgste.py" \
		-ex detach >"$tmp/gdb.log" 2>&1 ||
		{ cat "$tmp/gdb.log" >&2; fail_with_log "writing the PGSTEs through the gdbstub failed"; }
	[ -s "$tmp/pgste-key.txt" ] || { cat "$tmp/gdb.log" >&2; fail_with_log "inject-pgste.py wrote no answer key"; }
	grep 'inject-pgste:' "$tmp/gdb.log" >&2 || true
	log "PGSTEs written in $(elapsed "$t_inj") s"
fi

# --- dump --------------------------------------------------------------------------------
t_dump=$(date +%s.%N)
/usr/bin/python3 "$here/../qmp-dump.py" --format "$DUMP_FORMAT" "$sockdir/qmp.sock" "$tmp/vmcore" ||
	fail_with_log "the QMP dump failed"
stop_qemu_after_dump
log "dumped in $(elapsed "$t_dump") s ($(du -h "$tmp/vmcore" | cut -f1))"

{
	cat "$key.guest"
	[ ! -f "$tmp/pgste-key.txt" ] || cat "$tmp/pgste-key.txt"
	echo "scenario=$scenario"
	echo "arch=$SCENARIO_ARCH"
	echo "kernel_release=$kver"
	echo "kernel_package_version=$pkgver"
	echo "dump_format=$DUMP_FORMAT"
} >"$key"
rm -f "$key.guest" "$tmp/pgste-key.txt" "$tmp/initrd.gz"

printf '%s\n' "$manifest" >"$tmp/inputs.txt"
echo "$inputs" >"$tmp/inputs.sha256"
publish_dump "$kdir" "$out"
log "done in $(elapsed "$t_start") s: $out"
