#!/usr/bin/env bash
# Make one real x86_64 vmcore for a scenario.
#
#   sample-dumps/make-dump.sh SCENARIO
#
# SCENARIO names sample-dumps/scenarios/SCENARIO.conf.  Fetches the kernel
# (fetch-kernel.sh), builds the initramfs (build-initramfs.sh), boots QEMU (TCG), waits
# for ptwalk-probe's answer key and the panic on the serial console, dumps the guest
# through QMP (qmp-dump.py, kdump-zlib), checks the dump with crash, and leaves
#   ${PTWALK_CACHE:-$HOME/.cache/ptwalk}/dumps/SCENARIO/
#     vmcore  serial.log  answer-key.txt  vmlinux -> debug vmlinux  System.map -> ...
#     initrd.gz  qemu-cmdline.txt  crash-check.txt
# The directory is built under a temporary name and renamed at the end, so a directory
# with that name is always complete.
# Environment: PTWALK_CACHE, PTWALK_KVER (see fetch-kernel.sh), PTWALK_BOOT_TIMEOUT
# (seconds to wait for the panic, default 240), PTWALK_BOOT_RETRIES (boots tried again
# after a failed one, default 1), PTWALK_KEEP_TMP=1 (keep a failed run's
# files for inspection).
set -euo pipefail

die() { echo "make-dump: error: $*" >&2; exit 1; }
log() { echo "make-dump: $*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ]; then
	names=()
	for f in "$here"/scenarios/*.conf; do names+=("$(basename "$f" .conf)"); done
	die "usage: $0 SCENARIO (one of: ${names[*]})"
fi
scenario=$1
conf="$here/scenarios/$scenario.conf"
[ -f "$conf" ] || die "no scenario '$scenario' ($conf does not exist)"
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
export PTWALK_CACHE=$cache
python=/usr/bin/python3

# --- scenario ------------------------------------------------------------------------------
SCENARIO_ARCH=""
SCENARIO_DESCRIPTION=""
PAGING_LEVELS=""
QEMU_CPU=max
QEMU_MEM=512M
QEMU_ARGS=()
KERNEL_CMDLINE=""
MODULES=()
DUMP_FORMAT=kdump-zlib
BOOT_TIMEOUT=${PTWALK_BOOT_TIMEOUT:-240}
# shellcheck source=/dev/null
. "$conf"
[ "$SCENARIO_ARCH" = x86_64 ] || die "$conf: SCENARIO_ARCH='$SCENARIO_ARCH', only x86_64 is supported"
case "$PAGING_LEVELS" in 4|5) ;; *) die "$conf: PAGING_LEVELS must be 4 or 5, not '$PAGING_LEVELS'" ;; esac
case "$DUMP_FORMAT" in kdump-zlib) ;; *) die "$conf: DUMP_FORMAT='$DUMP_FORMAT' is not supported (kdump-zlib)" ;; esac

for tool in qemu-system-x86_64 crash "$python"; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/install-deps.sh)"
done

t_start=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# --- kernel and initramfs --------------------------------------------------------------------
dbg_args=()
for m in "${MODULES[@]}"; do
	dbg_args+=(--dbg-module "$m") # their debug info, for crash's 'mod -s'
done
kdir=$("$here/fetch-kernel.sh" "${dbg_args[@]}" | tail -n1)
[ -f "$kdir/vmlinuz" ] && [ -f "$kdir/vmlinux" ] || die "fetch-kernel.sh did not provide vmlinuz and vmlinux in '$kdir'"
kver=$(basename "$kdir")
pkgver=$(sed -n 's/^package_version=//p' "$kdir/version")

mkdir -p "$cache/dumps"
out="$cache/dumps/$scenario"
tmp=$(mktemp -d "$cache/dumps/.$scenario.tmp.XXXXXX")
sockdir=$(mktemp -d /tmp/ptwalk-qmp.XXXXXX) # unix socket paths must stay short
qemu_pid=""
cleanup() {
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
trap cleanup EXIT
trap 'exit 130' INT TERM

case "$tmp" in *,*) die "the cache path '$tmp' contains a comma, which QEMU options cannot take" ;; esac

"$here/build-initramfs.sh" "$conf" "$kdir" "$tmp/initrd.gz"

# --- boot until the panic, extract the answer key -------------------------------------------------
serial="$tmp/serial.log"
key="$tmp/answer-key.txt"
qemu=(qemu-system-x86_64 -accel tcg -cpu "$QEMU_CPU" -m "$QEMU_MEM" -smp 1
	-display none -nodefaults -serial "file:$serial" -no-reboot -action panic=pause
	-device vmcoreinfo -qmp "unix:$sockdir/qmp.sock,server=on,wait=off"
	-kernel "$kdir/vmlinuz" -initrd "$tmp/initrd.gz"
	-append "console=ttyS0 quiet${KERNEL_CMDLINE:+ $KERNEL_CMDLINE}"
	"${QEMU_ARGS[@]}")
printf '%q ' "${qemu[@]}" | sed 's/ $/\n/' >"$tmp/qemu-cmdline.txt"

# Print an error with the tail of the serial log and QEMU's output.
report_failure() {
	echo "make-dump: error: $*" >&2
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
getkey() { sed -n "s/^$1=//p" "$key.guest" | head -n1; }

# One boot: returns 0 with QEMU still running (the guest panicked, the key is complete
# and well-formed), or reports why not, stops QEMU and returns 1.
boot_guest() {
	local deadline bad want have
	: >"$serial"
	rm -f "$sockdir/qmp.sock"
	log "booting $scenario ($kver, ${QEMU_MEM}, TCG): $SCENARIO_DESCRIPTION"
	t_boot=$(date +%s.%N)
	"${qemu[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
	qemu_pid=$!
	deadline=$(($(date +%s) + BOOT_TIMEOUT))
	until grep -q 'Kernel panic' "$serial"; do
		if ! kill -0 "$qemu_pid" 2>/dev/null; then
			report_failure "QEMU exited before the kernel panicked"; stop_qemu; return 1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			report_failure "no 'Kernel panic' on the serial console within ${BOOT_TIMEOUT} s"; stop_qemu; return 1
		fi
		sleep 0.2
	done
	# The panic message ends with this line; after it the CPU only idles.
	for _ in $(seq 50); do
		grep -q 'end Kernel panic' "$serial" && break
		sleep 0.1
	done
	log "guest panicked after $(elapsed "$t_boot") s"
	if ! grep -q '^PTWALK_KEY_END' "$serial"; then
		report_failure "the kernel panicked, but ptwalk-probe's answer key is incomplete (no PTWALK_KEY_END)"; stop_qemu; return 1
	fi
	if ! grep -q 'sysrq triggered crash' "$serial"; then
		report_failure "the kernel panicked, but not from ptwalk-probe's sysrq 'c'"; stop_qemu; return 1
	fi
	tr -d '\r' <"$serial" | sed -n 's/^PTWALK_KEY \(.*\)$/\1/p' >"$key.guest"
	bad=$(grep -vcE '^[a-z0-9_.]+=' "$key.guest" || true)
	if [ "$bad" -ne 0 ]; then
		report_failure "$bad answer-key line(s) are malformed (console output mixed in?): $(grep -vE '^[a-z0-9_.]+=' "$key.guest" | head -n1)"
		stop_qemu; return 1
	fi
	want=$(getkey key_count)
	have=$(wc -l <"$key.guest")
	if [ -z "$want" ] || [ "$want" -ne "$have" ]; then
		report_failure "answer key has $have lines, ptwalk-probe printed key_count=$want"; stop_qemu; return 1
	fi
	if ! grep -q "PID: $(getkey pid) Comm: $(getkey comm)" "$serial"; then
		report_failure "the panicking task is not ptwalk-probe (no 'PID: $(getkey pid) Comm: $(getkey comm)' in the panic)"
		stop_qemu; return 1
	fi
	return 0
}

# A boot that goes wrong is tried again (PTWALK_BOOT_RETRIES, default 1); each failed
# serial log is kept as dumps/.<scenario>.failed-serial.log.<attempt>.
retries=${PTWALK_BOOT_RETRIES:-1}
attempt=0
until boot_guest; do
	attempt=$((attempt + 1))
	cp "$serial" "$cache/dumps/.$scenario.failed-serial.log.$attempt" 2>/dev/null || true
	[ "$attempt" -le "$retries" ] ||
		die "the guest failed $attempt time(s); serial logs kept in $cache/dumps/.$scenario.failed-serial.log.*"
	log "boot attempt $attempt failed (serial log kept in $cache/dumps/.$scenario.failed-serial.log.$attempt), trying again"
done

# --- dump ----------------------------------------------------------------------------------------
t_dump=$(date +%s.%N)
"$python" "$here/qmp-dump.py" --format "$DUMP_FORMAT" "$sockdir/qmp.sock" "$tmp/vmcore" ||
	fail_with_log "the QMP dump failed"
for _ in $(seq 50); do
	kill -0 "$qemu_pid" 2>/dev/null || break
	sleep 0.1
done
stop_qemu
log "dumped in $(elapsed "$t_dump") s ($(du -h "$tmp/vmcore" | cut -f1))"

# --- answer key checks -----------------------------------------------------------------------------
[ "$(getkey uname_release)" = "$kver" ] || fail_with_log "guest runs '$(getkey uname_release)', expected $kver"

# --- check the dump with crash ---------------------------------------------------------------------
t_crash=$(date +%s.%N)
phys=$(getkey page.data0.phys)
header=$(getkey page.data0.header)
[ -n "$phys" ] && [ -n "$header" ] || die "answer key has no page.data0.phys/header"
# Values are printed by gdb itself as 'PTWALK_CRASH name=value' lines (crash's own
# output and gdb's are buffered separately, so no marker lines in between).
cat >"$tmp/crash-check.in" <<EOF
gdb printf "PTWALK_CRASH l5=%d\\n", __pgtable_l5_enabled
gdb printf "PTWALK_CRASH page_offset_base=0x%lx\\n", page_offset_base
gdb printf "PTWALK_CRASH vmemmap_base=0x%lx\\n", vmemmap_base
gdb printf "PTWALK_CRASH vmalloc_base=0x%lx\\n", vmalloc_base
gdb printf "PTWALK_CRASH phys_base=0x%lx\\n", phys_base
p current_task:0
gdb printf "PTWALK_CRASH task=0x%lx\\n", \$
gdb printf "PTWALK_CRASH mm=0x%lx\\n", \$->mm
gdb printf "PTWALK_CRASH pgd=0x%lx\\n", \$->mm->pgd
sys
bt
rd -p -a $phys 64
rd -p $phys 16
quit
EOF
crash -s "$kdir/vmlinux" "$tmp/vmcore" -i "$tmp/crash-check.in" >"$tmp/crash-check.txt" 2>&1 </dev/null ||
	{ cat "$tmp/crash-check.txt" >&2; die "crash could not open the dump"; }
rm -f "$tmp/crash-check.in"
crashval() { sed -n "s/^PTWALK_CRASH $1=//p" "$tmp/crash-check.txt" | head -n1; }
l5=$(crashval l5)
case "$l5" in
1) levels=5 ;;
0) levels=4 ;;
*) cat "$tmp/crash-check.txt" >&2; die "crash did not print __pgtable_l5_enabled" ;;
esac
[ "$levels" = "$PAGING_LEVELS" ] ||
	die "scenario $scenario wants $PAGING_LEVELS-level paging, but the dump has __pgtable_l5_enabled=$l5 ($levels levels)"
[ "$(getkey guest_paging_levels)" = "$levels" ] ||
	die "the guest saw $(getkey guest_paging_levels)-level paging, crash says $levels"
grep -qF "${header}" "$tmp/crash-check.txt" ||
	{ grep -A3 'rd -p -a' "$tmp/crash-check.txt" >&2 || true; die "crash's 'rd -p -a $phys' does not show '$header'"; }
crash_facts=()
for v in page_offset_base vmemmap_base vmalloc_base phys_base task mm pgd; do
	val=$(crashval "$v")
	case "$val" in
	0x[0-9a-f]*) crash_facts+=("crash.$v=$val") ;;
	*) cat "$tmp/crash-check.txt" >&2; die "crash did not print $v" ;;
	esac
done
pgd=$(crashval pgd)
pob=$(crashval page_offset_base)
crash_facts+=("crash.pgd_phys=$(printf '0x%x' $((pgd - pob)))")
log "crash checked the dump in $(elapsed "$t_crash") s: $levels-level paging, page data0 at $phys holds its pattern"

{
	cat "$key.guest"
	echo "scenario=$scenario"
	echo "paging_levels=$levels"
	echo "kernel_release=$kver"
	echo "kernel_package_version=$pkgver"
	echo "dump_format=$DUMP_FORMAT"
	echo "qemu_mem=$QEMU_MEM"
	echo "qemu_cpu=$QEMU_CPU"
	printf '%s\n' "${crash_facts[@]}"
} >"$key"
rm -f "$key.guest"

# --- publish ---------------------------------------------------------------------------------------
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
rm -f "$cache/dumps/.$scenario.failed-serial.log".*
rm -rf "$out.old"
log "done in $(elapsed "$t_start") s: $out"
