# shellcheck shell=dash disable=SC2034
# Helpers for the scenario scripts that the guest's /init sources (busybox sh).
# Generated into the initramfs as /etc/ptwalk/lib.sh by build-initramfs.sh; /init
# sources it before the scenario's GUEST_SCRIPT.  See sample-dumps/README.md.

# key NAME VALUE: one answer-key line (names: [a-z0-9_.]+, the value is one line).
key() {
	printf 'PTWALK_KEY %s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ' | sed 's/ *$//')"
}

# key_file NAME PATH: the contents of a (sysfs) file, newlines turned into spaces, or
# "error: ..." when it cannot be read (e.g. ENXIO from a disabled nd device).
key_file() {
	local v
	if v=$(cat "$2" 2>&1); then
		key "$1" "$v"
	else
		key "$1" "error: ${v##*: }"
	fi
}

# note TEXT: a progress line on the console (not a key).
note() {
	echo "PTWALK_INIT $*"
}

# hex N: print a number (decimal or 0x-hex) as 0x-hex.
hex() {
	printf '0x%x' "$(($1))"
}

# ptw_insmod MODULE [PARAM=VALUE]...: insmod an out-of-tree module of the scenario
# (OOT_MODULES, built for the guest kernel), from /lib/modules/extra.
ptw_insmod() {
	local m=$1
	shift
	note "insmod $m $*"
	insmod "/lib/modules/extra/$m.ko" "$@"
}

# --- pmem (legacy e820 'memmap=SIZE!START', modules libnvdimm nd_btt nd_pmem nd_e820) ---

# pmem_wait: wait until namespace0.0 is bound to nd_pmem and /sys/block/pmem0 exists.
# The nd bus probes asynchronously: right after insmod, memremap_pages() may still be
# running (pgmap in pgmap_array, nr_range 0, struct pages not yet initialized).
pmem_wait() {
	local i=0
	while [ ! -e /sys/bus/nd/devices/namespace0.0/driver ] || [ ! -e /sys/block/pmem0 ] ||
		[ ! -e /sys/bus/nd/devices/region0/pfn_seed ]; do
		i=$((i + 1))
		[ "$i" -le 200 ] || { note "pmem: namespace0.0 not bound with pmem0 after 20 s"; return 1; }
		sleep 0.1
	done
}

# pmem_raw_pgmap_keys: before pmem_fsdax, the pgmap of the namespace in raw mode
# (nd_pmem binds it at insmod; no altmap, memmap in RAM) as pgmap_raw.* keys, printed by
# ptwalk_pgmap_key (which is unloaded again, so the scenario can load it once more).
# pmem_fsdax frees this pgmap: in a section shared with RAM, the struct pages that the
# fsdax pgmap never initializes still point to it.
pmem_raw_pgmap_keys() {
	pmem_wait || return 1
	ptw_insmod ptwalk_pgmap_key pfn=$(($(cat /sys/bus/nd/devices/namespace0.0/resource) >> 12)) prefix=pgmap_raw
	rmmod ptwalk_pgmap_key
	PMEM_RAW_PGMAP=$(dmesg | sed -n "s/.*PTWALK_KEY pgmap_raw.address=//p" | tail -n1)
}

# pmem_fsdax [ALIGN]: reconfigure namespace0.0 to fsdax with the memmap on the device
# (pfn device mode 'pmem'), only through sysfs (no ndctl).  Sets PMEM_PFN to the pfn
# device's name (e.g. pfn0.0).
pmem_fsdax() {
	local align=${1:-0x200000} nd=/sys/bus/nd
	pmem_wait || return 1
	PMEM_PFN=$(cat $nd/devices/region0/pfn_seed)
	note "pmem: namespace0.0 -> fsdax through $PMEM_PFN (align $align, memmap on the device)"
	echo namespace0.0 >$nd/drivers/nd_pmem/unbind
	cat /proc/sys/kernel/random/uuid >$nd/devices/"$PMEM_PFN"/uuid
	echo pmem >$nd/devices/"$PMEM_PFN"/mode
	echo "$align" >$nd/devices/"$PMEM_PFN"/align
	echo namespace0.0 >$nd/devices/"$PMEM_PFN"/namespace
	echo "$PMEM_PFN" >$nd/drivers/nd_pmem/bind
	[ -e $nd/devices/"$PMEM_PFN"/driver ] || { note "pmem: binding $PMEM_PFN failed"; return 1; }
}

# pmem_keys: what sysfs and /proc/iomem show about the namespace and its pfn device,
# as pmem.* keys.  Sets PMEM_NS_START (namespace start, 0x-hex) for the caller.
pmem_keys() {
	local ns=/sys/bus/nd/devices/namespace0.0 pfn=/sys/bus/nd/devices/${PMEM_PFN:-pfn0.0}
	local start size pstart psize i line
	start=$(cat $ns/resource)
	size=$(cat $ns/size)
	PMEM_NS_START=$(hex "$start")
	key pmem.namespace namespace0.0
	key pmem.namespace.start "$PMEM_NS_START"
	key pmem.namespace.size "$(hex "$size")"
	key pmem.namespace.range "$(hex "$start")-$(hex $((start + size - 1)))"
	key pmem.namespace.start_pfn "$(hex $((start >> 12)))"
	key_file pmem.namespace.mode $ns/mode
	key_file pmem.namespace.holder $ns/holder
	key_file pmem.region.resource /sys/bus/nd/devices/region0/resource
	key pmem.region.size "$(hex "$(cat /sys/bus/nd/devices/region0/size)")"
	key pmem.pfn.device "${pfn##*/}"
	for a in mode align uuid namespace resource size supported_alignments; do
		key_file "pmem.pfn.$a" "$pfn/$a"
	done
	if pstart=$(cat "$pfn/resource" 2>/dev/null) && psize=$(cat "$pfn/size" 2>/dev/null); then
		# resource = namespace start + start_pad + dataoff (pfn_devs.c resource_show())
		key pmem.pfn.data_start "$(hex "$pstart")"
		key pmem.pfn.data_start_pfn "$(hex $((pstart >> 12)))"
		key pmem.pfn.data_size "$(hex "$psize")"
		key pmem.pfn.dataoff_plus_start_pad "$(hex $((pstart - start)))"
	fi
	key_file pmem.block.size_sectors /sys/block/pmem0/size
	# /proc/iomem lines of the pmem (top-level range and the namespace below it)
	i=0
	grep -iE 'persistent|namespace|pmem' /proc/iomem >/tmp/pmem-iomem || true
	while IFS= read -r line; do
		key "pmem.iomem.$i" "$(echo "$line" | sed 's/^ *//')"
		i=$((i + 1))
	done </tmp/pmem-iomem
	key pmem.iomem.count "$i"
}
