#!/usr/bin/env bash
# Make one real x86_64 vmcore for a scenario.
#
#   sample-dumps/make-dump.sh [--if-changed] SCENARIO
#   sample-dumps/make-dump.sh --inputs SCENARIO     print the input manifest and its hash
#
# SCENARIO names sample-dumps/scenarios/SCENARIO.conf.  Fetches the kernel
# (fetch-kernel.sh), builds the initramfs (build-initramfs.sh, with the scenario's
# out-of-tree modules from build-modules.sh), boots QEMU (TCG), waits for the answer key
# and the panic on the serial console, dumps the guest (DUMP_METHOD=qmp: through QMP,
# qmp-dump.py, kdump-zlib; DUMP_METHOD=kdump: the guest's own kexec'ed capture kernel
# runs makedumpfile onto a virtio disk, converted here with makedumpfile -R), checks the
# dump with crash, and leaves
#   ${PTWALK_CACHE:-$HOME/.cache/ptwalk}/dumps/SCENARIO/
#     vmcore  serial.log  answer-key.txt  vmlinux -> debug vmlinux  System.map -> ...
#     initrd.gz  qemu-cmdline.txt  crash-check.txt  inputs.txt  inputs.sha256
#     modules/ (the out-of-tree .ko files, for crash's mod -s)
# The directory is built under a temporary name and renamed at the end, so a directory
# with that name is always complete.
# --if-changed: do nothing when the dump exists and its inputs.sha256 equals the hash of
# the inputs now (scripts, probe, guest library, scenario file, its modules' sources,
# kernel ABI and package version).  File times play no part, so a fresh clone reuses
# the cached dumps.
# Environment: PTWALK_CACHE, PTWALK_KVER (see fetch-kernel.sh), PTWALK_BOOT_TIMEOUT
# (seconds to wait for the panic, default 240), PTWALK_BOOT_RETRIES (boots tried again
# after a failed one, default 1), PTWALK_KEEP_TMP=1 (keep a failed run's
# files for inspection).
set -euo pipefail

die() { echo "make-dump: error: $*" >&2; exit 1; }
log() { echo "make-dump: $*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
mode=build
case "${1:-}" in
--if-changed) mode=if-changed; shift ;;
--inputs) mode=inputs; shift ;;
esac
if [ $# -ne 1 ]; then
	names=()
	for f in "$here"/scenarios/*.conf; do names+=("$(basename "$f" .conf)"); done
	die "usage: $0 [--if-changed | --inputs] SCENARIO (one of: ${names[*]})"
fi
scenario=$1
conf="$here/scenarios/$scenario.conf"
[ -f "$conf" ] || die "no scenario '$scenario' ($conf does not exist)"
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
export PTWALK_CACHE=$cache
python=/usr/bin/python3
# shellcheck source=sample-dumps/dump-lib.sh
. "$here/dump-lib.sh"

# --- scenario (defaults: see README.md, "Scenarios") -----------------------------------------
SCENARIO_ARCH=""
SCENARIO_DESCRIPTION=""
PAGING_LEVELS=""
QEMU_CPU=max
QEMU_MEM=512M
QEMU_ARGS=()
KERNEL_CMDLINE=""
MODULES=()
OOT_MODULES=()
GUEST_SCRIPT=""
PROBE_PANICS=1
EXPECT_PANIC=("sysrq triggered crash")
PANIC_COMM=ptwalk-probe
REQUIRED_KEYS=()
CHECK_PROBE_PAGES=1
DUMP_METHOD=qmp
DUMP_FORMAT=kdump-zlib
KDUMP_MAKEDUMPFILE_ARGS="-F -c -d 31"
KDUMP_DISK_SIZE=512M
KERNEL_SERIES=""
CRASH_CHECK=full
CRASH_ARGS=()
scenario_crash_commands() { :; }
scenario_crash_check() { :; }
scenario_host_keys() { :; }
BOOT_TIMEOUT=${PTWALK_BOOT_TIMEOUT:-240}
# shellcheck source=/dev/null
. "$conf"
[ "$SCENARIO_ARCH" = x86_64 ] || die "$conf: SCENARIO_ARCH='$SCENARIO_ARCH', only x86_64 is supported"
case "$PAGING_LEVELS" in 4|5) ;; *) die "$conf: PAGING_LEVELS must be 4 or 5, not '$PAGING_LEVELS'" ;; esac
case "$DUMP_METHOD" in
qmp) case "$DUMP_FORMAT" in kdump-zlib|elf) ;; *) die "$conf: DUMP_FORMAT='$DUMP_FORMAT' is not supported (kdump-zlib, elf)" ;; esac ;;
kdump) DUMP_FORMAT=makedumpfile ;;
*) die "$conf: DUMP_METHOD='$DUMP_METHOD' (qmp or kdump)" ;;
esac
case "$PROBE_PANICS" in
1) ;;
0) grep -q 'scenario_panic()' <<<"$GUEST_SCRIPT" ||
	die "$conf: PROBE_PANICS=0 needs a scenario_panic function in GUEST_SCRIPT" ;;
*) die "$conf: PROBE_PANICS must be 0 or 1" ;;
esac
case "$CRASH_CHECK" in full|partial) ;; *) die "$conf: CRASH_CHECK must be full or partial" ;; esac

# --- kernel ------------------------------------------------------------------------------------
dbg_args=()
for m in "${MODULES[@]}"; do
	dbg_args+=(--dbg-module "$m") # their debug info, for crash's 'mod -s'
done
kdir=$(PTWALK_KERNEL_SERIES=$KERNEL_SERIES "$here/fetch-kernel.sh" "${dbg_args[@]}" | tail -n1)
[ -f "$kdir/vmlinuz" ] && [ -f "$kdir/vmlinux" ] || die "fetch-kernel.sh did not provide vmlinuz and vmlinux in '$kdir'"
kver=$(basename "$kdir")
pkgver=$(sed -n 's/^package_version=//p' "$kdir/version")

# --- inputs: what the dump is made from ------------------------------------------------------------
inputs_manifest() {
	local f
	(
		cd "$here"
		for f in make-dump.sh dump-lib.sh build-initramfs.sh initramfs-lib.sh build-modules.sh fetch-kernel.sh apt-download.sh \
			qmp-dump.py guest/ptwalk-probe.c guest/lib.sh "scenarios/$scenario.conf"; do
			sha256sum "$f"
		done
	)
	[ ${#OOT_MODULES[@]} -eq 0 ] || module_sources_manifest "${OOT_MODULES[@]}"
	echo "kernel $kver $pkgver"
}
manifest=$(inputs_manifest)
inputs_hash=$(sha256sum <<<"$manifest" | cut -d' ' -f1)
mkdir -p "$cache/dumps"
out="$cache/dumps/$scenario"
case "$mode" in
inputs)
	printf '%s\n' "$manifest"
	echo "inputs.sha256 $inputs_hash"
	exit 0
	;;
if-changed)
	if [ -f "$out/answer-key.txt" ] && [ -f "$out/vmcore" ] && [ -f "$out/inputs.sha256" ] &&
		[ "$(cat "$out/inputs.sha256")" = "$inputs_hash" ]; then
		log "$scenario is up to date ($out)"
		exit 0
	fi
	;;
esac

for tool in qemu-system-x86_64 crash "$python"; do
	command -v "$tool" >/dev/null || die "'$tool' not found (run scripts/install-deps.sh)"
done
[ "$DUMP_METHOD" != kdump ] || command -v makedumpfile >/dev/null ||
	die "'makedumpfile' not found (run scripts/install-deps.sh)"

t_start=$(date +%s.%N)
make_workdir qmp

"$here/build-initramfs.sh" "$conf" "$kdir" "$tmp/initrd.gz"
if [ ${#OOT_MODULES[@]} -gt 0 ]; then # (cached: only copies) kept for crash's mod -s
	"$here/build-modules.sh" "$kver" "$tmp/modules" "${OOT_MODULES[@]}"
fi

# --- boot until the panic, extract the answer key -------------------------------------------------
serial="$tmp/serial.log"
key="$tmp/answer-key.txt"
disk_args=()
if [ "$DUMP_METHOD" = kdump ]; then
	disk_args=(-drive "file=$tmp/disk.img,format=raw,if=virtio")
fi
qemu=(qemu-system-x86_64 -accel tcg -cpu "$QEMU_CPU" -m "$QEMU_MEM" -smp 1
	-display none -nodefaults -serial "file:$serial" -no-reboot -action panic=pause
	-device vmcoreinfo -qmp "unix:$sockdir/qmp.sock,server=on,wait=off"
	-kernel "$kdir/vmlinuz" -initrd "$tmp/initrd.gz"
	-append "console=ttyS0 quiet${KERNEL_CMDLINE:+ $KERNEL_CMDLINE}"
	"${disk_args[@]}" "${QEMU_ARGS[@]}")
printf '%q ' "${qemu[@]}" | sed 's/ $/\n/' >"$tmp/qemu-cmdline.txt"

getkey() { sed -n "s/^$1=//p" "$key.guest" | head -n1; }
# The serial log without carriage returns and printk timestamps ("[    2.345678] ").
clean_serial() { tr -d '\r' <"$serial" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] //'; }

# Check the answer key and the panic in the serial log; 0 if all is well.
check_serial() {
	local bad want have dups k p
	if ! grep -q '^PTWALK_KEY_END' "$serial"; then
		report_failure "the kernel panicked, but ptwalk-probe's answer key is incomplete (no PTWALK_KEY_END)"; return 1
	fi
	for p in "${EXPECT_PANIC[@]}"; do
		if ! grep -qF -- "$p" "$serial"; then
			report_failure "the serial log lacks the expected panic text '$p'"; return 1
		fi
	done
	clean_serial | sed -n 's/^PTWALK_KEY \(.*\)$/\1/p' >"$key.guest"
	bad=$(grep -vcE '^[a-z0-9_.]+=' "$key.guest" || true)
	if [ "$bad" -ne 0 ]; then
		report_failure "$bad answer-key line(s) are malformed (console output mixed in?): $(grep -vE '^[a-z0-9_.]+=' "$key.guest" | head -n1)"
		return 1
	fi
	dups=$(cut -d= -f1 "$key.guest" | LC_ALL=C sort | uniq -d | head -n3 | tr '\n' ' ')
	if [ -n "$dups" ]; then
		report_failure "answer-key names printed more than once: $dups"; return 1
	fi
	# The probe's own lines lie between PTWALK_KEY_BEGIN and PTWALK_KEY_END.
	want=$(getkey key_count)
	have=$(clean_serial | sed -n '/^PTWALK_KEY_BEGIN/,/^PTWALK_KEY_END/p' | grep -c '^PTWALK_KEY ' || true)
	if [ -z "$want" ] || [ "$want" -ne "$have" ]; then
		report_failure "ptwalk-probe printed $have key lines, but key_count=$want"; return 1
	fi
	for k in "${REQUIRED_KEYS[@]}"; do
		if [ -z "$(getkey "$k")" ]; then
			report_failure "the scenario's key '$k' is missing or empty"; return 1
		fi
	done
	if [ "$PROBE_PANICS" = 1 ] && [ "$PANIC_COMM" = ptwalk-probe ]; then
		if ! grep -q "PID: $(getkey pid) Comm: $(getkey comm)" "$serial"; then
			report_failure "the panicking task is not ptwalk-probe (no 'PID: $(getkey pid) Comm: $(getkey comm)' in the panic)"
			return 1
		fi
	elif ! grep -qE "PID: [0-9]+ Comm: $PANIC_COMM( |$)" "$serial"; then
		report_failure "the panicking task is not $PANIC_COMM (no 'PID: ... Comm: $PANIC_COMM' in the panic)"
		return 1
	fi
	return 0
}

# One boot: returns 0 when the guest panicked with a complete and well-formed key (with
# DUMP_METHOD=qmp QEMU is still running, paused; with kdump it has powered off after the
# capture kernel wrote the dump), or reports why not, stops QEMU and returns 1.
boot_guest() {
	local deadline
	: >"$serial"
	rm -f "$sockdir/qmp.sock"
	if [ "$DUMP_METHOD" = kdump ]; then
		rm -f "$tmp/disk.img"
		truncate -s "$KDUMP_DISK_SIZE" "$tmp/disk.img"
	fi
	log "booting $scenario ($kver, ${QEMU_MEM}, TCG, dump by $DUMP_METHOD): $SCENARIO_DESCRIPTION"
	t_boot=$(date +%s.%N)
	"${qemu[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
	qemu_pid=$!
	deadline=$(($(date +%s) + BOOT_TIMEOUT))
	if [ "$DUMP_METHOD" = kdump ]; then
		# The capture kernel powers the machine off when makedumpfile is done.
		while kill -0 "$qemu_pid" 2>/dev/null; do
			if [ "$(date +%s)" -ge "$deadline" ]; then
				report_failure "QEMU still runs after ${BOOT_TIMEOUT} s (no kdump capture?)"; stop_qemu; return 1
			fi
			sleep 0.5
		done
		wait "$qemu_pid" 2>/dev/null || true
		qemu_pid=""
		log "guest panicked, kexec'ed the capture kernel, which powered off after $(elapsed "$t_boot") s"
		grep -q 'Kernel panic' "$serial" || { report_failure "QEMU exited, but the guest did not panic"; return 1; }
		grep -q 'PTWALK_KDUMP capture kernel' "$serial" ||
			{ report_failure "the capture kernel did not start (kexec -p failed?)"; return 1; }
		grep -q 'PTWALK_KDUMP makedumpfile exit=0' "$serial" ||
			{ report_failure "makedumpfile failed in the capture kernel"; return 1; }
		check_serial || return 1
		return 0
	fi
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
	check_serial || { stop_qemu; return 1; }
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
if [ "$DUMP_METHOD" = kdump ]; then
	# The disk holds makedumpfile's flattened output (it ends with its own end marker).
	makedumpfile -R "$tmp/vmcore" <"$tmp/disk.img" >"$tmp/makedumpfile-R.log" 2>&1 ||
		{ cat "$tmp/makedumpfile-R.log" >&2; fail_with_log "makedumpfile -R could not rebuild the dump from the disk"; }
	rm -f "$tmp/disk.img" "$tmp/makedumpfile-R.log"
else
	"$python" "$here/qmp-dump.py" --format "$DUMP_FORMAT" "$sockdir/qmp.sock" "$tmp/vmcore" ||
		fail_with_log "the QMP dump failed"
	stop_qemu_after_dump
fi
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
{
	cat <<EOF
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
EOF
	if [ "$CHECK_PROBE_PAGES" = 1 ]; then
		echo "rd -p -a $phys 64"
		echo "rd -p $phys 16"
	fi
	scenario_crash_commands
	echo quit
} >"$tmp/crash-check.in"
crash_rc=0
crash -s "${CRASH_ARGS[@]}" "$kdir/vmlinux" "$tmp/vmcore" -i "$tmp/crash-check.in" >"$tmp/crash-check.txt" 2>&1 </dev/null || crash_rc=$?
# CRASH_CHECK=partial (a kernel newer than crash knows): what crash cannot do is
# recorded (crash.unavailable, crash.exit) instead of failing the run.
crash_missing=()
[ "$crash_rc" = 0 ] || [ "$CRASH_CHECK" = partial ] ||
	{ cat "$tmp/crash-check.txt" >&2; die "crash could not open the dump"; }
rm -f "$tmp/crash-check.in"
crashval() { sed -n "s/^PTWALK_CRASH $1=//p" "$tmp/crash-check.txt" | head -n1; }
# For scenario_crash_check: fail unless crash's output matches an extended regex.
crash_expect() {
	grep -qE -- "$1" "$tmp/crash-check.txt" ||
		die "crash check of $scenario: ${2:-no match for $1} (see $tmp/crash-check.txt with PTWALK_KEEP_TMP=1)"
}
l5=$(crashval l5)
case "$l5" in
1) levels=5 ;;
0) levels=4 ;;
*) [ "$CRASH_CHECK" = partial ] || { cat "$tmp/crash-check.txt" >&2; die "crash did not print __pgtable_l5_enabled"; }
	crash_missing+=(l5); levels=$(getkey guest_paging_levels) ;;
esac
[ "$levels" = "$PAGING_LEVELS" ] ||
	die "scenario $scenario wants $PAGING_LEVELS-level paging, but the dump has __pgtable_l5_enabled=$l5 ($levels levels)"
[ "$(getkey guest_paging_levels)" = "$levels" ] ||
	die "the guest saw $(getkey guest_paging_levels)-level paging, crash says $levels"
if [ "$CHECK_PROBE_PAGES" = 1 ]; then
	grep -qF "${header}" "$tmp/crash-check.txt" || [ "$CRASH_CHECK" = partial ] ||
		{ grep -A3 'rd -p -a' "$tmp/crash-check.txt" >&2 || true; die "crash's 'rd -p -a $phys' does not show '$header'"; }
	grep -qF "${header}" "$tmp/crash-check.txt" || crash_missing+=(rd_data0)
fi
crash_facts=()
for v in page_offset_base vmemmap_base vmalloc_base phys_base task mm pgd; do
	val=$(crashval "$v")
	case "$val" in
	0x[0-9a-f]*) crash_facts+=("crash.$v=$val") ;;
	*) [ "$CRASH_CHECK" = partial ] || { cat "$tmp/crash-check.txt" >&2; die "crash did not print $v"; }
		crash_missing+=("$v") ;;
	esac
done
pgd=$(crashval pgd)
pob=$(crashval page_offset_base)
[ -z "$pgd" ] || [ -z "$pob" ] || crash_facts+=("crash.pgd_phys=$(printf '0x%x' $((pgd - pob)))")
[ "$CRASH_CHECK" = full ] || crash_facts+=("crash.exit=$crash_rc" "crash.unavailable=${crash_missing[*]}")
scenario_crash_check
checked="$levels-level paging"
[ "$CHECK_PROBE_PAGES" != 1 ] || checked+=", page data0 at $phys holds its pattern"
[ ${#crash_missing[@]} -eq 0 ] || checked="partly (crash exit $crash_rc; could not: ${crash_missing[*]})"
log "crash checked the dump in $(elapsed "$t_crash") s: $checked"

{
	cat "$key.guest"
	echo "scenario=$scenario"
	echo "paging_levels=$levels"
	echo "kernel_release=$kver"
	echo "kernel_package_version=$pkgver"
	echo "dump_format=$DUMP_FORMAT"
	echo "dump_method=$DUMP_METHOD"
	[ "$DUMP_METHOD" != kdump ] || echo "dump_makedumpfile_args=$KDUMP_MAKEDUMPFILE_ARGS"
	echo "qemu_mem=$QEMU_MEM"
	echo "qemu_cpu=$QEMU_CPU"
	printf '%s\n' "${crash_facts[@]}"
	scenario_host_keys
} >"$key"
rm -f "$key.guest"

# --- publish ---------------------------------------------------------------------------------------
printf '%s\n' "$manifest" >"$tmp/inputs.txt"
echo "$inputs_hash" >"$tmp/inputs.sha256"
publish_dump "$kdir" "$out"
rm -f "$cache/dumps/.$scenario.failed-serial.log".*
log "done in $(elapsed "$t_start") s: $out"
