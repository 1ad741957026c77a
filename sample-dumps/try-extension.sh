#!/usr/bin/env bash
# Run ptwalk's commands on a sample dump, with arguments taken from its answer key, so
# their output can be compared with the key by eye (no verdicts here; the tests judge).
#
#   sample-dumps/try-extension.sh SCENARIO [PTWALK_SO]
#
# PTWALK_SO defaults to build/ptwalk.so of this repository.  Prints each command and its
# output; `ptdump -C` is reduced to its ANOMALY and CHECK lines.
set -euo pipefail

die() { echo "try-extension: error: $*" >&2; exit 1; }
[ $# -ge 1 ] || die "usage: $0 SCENARIO [PTWALK_SO]"
here=$(cd "$(dirname "$0")" && pwd)
scenario=$1
so=$(readlink -f "${2:-$here/../build/ptwalk.so}")
cache=${PTWALK_CACHE:-$HOME/.cache/ptwalk}
dir="$cache/dumps/$scenario"
[ -f "$dir/answer-key.txt" ] || die "no dump $dir (make dump-$scenario)"
[ -f "$so" ] || die "no $so (make)"
key() { sed -n "s/^$1=//p" "$dir/answer-key.txt" | head -n1; }
nohex() { printf '%x' "$(($1))"; }

cmds=()
add() { cmds+=("$1"); }
add "pttriage"
case "$scenario" in
*pmem*)
	add "pgmap"
	add "pgmap -j"
	base=$(key pgmap.altmap.base_pfn) reserve=$(key pgmap.altmap.reserve)
	dev=$(key pgmap.region.device)
	add "pfninfo $(nohex "$base") $(nohex $((base + 1))) $(nohex $((base + reserve))) $(nohex "${dev%-*}") $(nohex $((${dev#*-} - 1)))"
	add "pfninfo -s $(key pgmap.page.first.addr)"
	if [ -n "$(key poison.page.0.addr)" ]; then
		add "pfninfo -s $(key poison.page.0.addr)"
		add "pttriage -j"
	fi
	;;
*stale-table* | *kdump*)
	add "ptwalk $(key stale.va_start)"
	add "ptwalk $(key stale.vmalloc.start)"
	add "pfninfo $(nohex "$(key stale.table.pfn)")"
	add "ptdump -C -r $(nohex "$(key stale.vmalloc.start)")-$(nohex "$(key stale.vmalloc.end)")"
	;;
*directmap*)
	add "ptwalk $(key dmap.va)"
	add "ptwalk $(printf '0x%x' $(($(key dmap.va) + 0x1000)))"
	add "pfninfo $(nohex "$(key dmap.pfn)")"
	add "pttriage -j"
	;;
*hotremove*)
	add "pfninfo $(nohex "$(key hotremove.start_pfn)") $(nohex $(($(key hotremove.end_pfn) - 1)))"
	add "ptwalk $(printf '0x%x' $(($(key crash.page_offset_base) + $(key hotremove.start))))"
	add "pgmap"
	;;
*pti*)
	add "ptwalk -c $(key pid) $(key page.data0.va)"
	add "ptwalk -P -c $(key pid) $(key page.data0.va)"
	add "ptwalk -P _stext"
	add "ptwalk -P entry_SYSCALL_64"
	add "ptdump -u -c $(key pid)"
	;;
esac
add "ptdump -C"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	echo "extend $so"
	for i in "${!cmds[@]}"; do
		echo "${cmds[$i]} > $tmp/out$i"
	done
	echo quit
} >"$tmp/in"
crash -s "$dir/vmlinux" "$dir/vmcore" -i "$tmp/in" >"$tmp/console" 2>&1 </dev/null || true
for i in "${!cmds[@]}"; do
	echo "crash> ${cmds[$i]}"
	if [ "${cmds[$i]#ptdump -C}" != "${cmds[$i]}" ] || [ "${cmds[$i]#ptdump -u}" != "${cmds[$i]}" ]; then
		grep -E 'ANOMALY|CHECK|anomal|error|rror' "$tmp/out$i" | head -n 40 || true
		echo "($(wc -l <"$tmp/out$i") lines)"
	else
		head -n 80 "$tmp/out$i"
	fi
	echo
done
grep -v '^$' "$tmp/console" | grep -vE '^(crash|GNU gdb|Copyright|License|This|There|and|Type|For|Find|Documentation|For help)' | head -n 20 || true
