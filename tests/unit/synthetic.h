/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synthetic dump for unit tests: a flat physical memory image, a bump
 * allocator for page-table pages, a builder that writes entries in any
 * format's byte order, and a struct pw_target over all of it (symbols,
 * member offsets, numbers and a linear kernel-virtual window are tables the
 * test fills in).
 */
#ifndef PTWALK_SYNTHETIC_H
#define PTWALK_SYNTHETIC_H

#include <stddef.h>
#include <stdint.h>

#include "ptwalk/format.h"
#include "ptwalk/target.h"

#define SYN_MAX_NAMES 64

struct syn_name {
	const char *type;   /* member offsets: struct; symbols/numbers: NULL */
	const char *name;
	int64_t value;
};

struct syn {
	uint8_t *mem;
	uint64_t size;       /* bytes of physical memory */
	uint64_t next_free;  /* bump allocator for tables */
	int big_endian;
	/* Kernel virtual window: [kv_base, kv_base + size) -> [0, size). */
	uint64_t kv_base;
	/* More kernel virtual windows (vmemmap...), see syn_window(). */
	struct { uint64_t va, pa, len; } win[8];
	int nwin;
	struct syn_name symbols[SYN_MAX_NAMES];
	struct syn_name members[SYN_MAX_NAMES];
	struct syn_name numbers[SYN_MAX_NAMES];
	int nsymbols, nmembers, nnumbers;
	/* Physical pages that read as "excluded" (a filtered dump). */
	uint64_t excluded[16];
	int nexcluded;
	/* Counters the tests check (a map counts as a read). */
	uint64_t reads, read_bytes, allocs_live;
	/*
	 * Whether the target maps physical memory (target.map_phys) instead
	 * of copying it: SYN_MAP_NONE, SYN_MAP_ALL, or SYN_MAP_EVEN (pages of
	 * even frame number only: the rest are read).  From the environment's
	 * PTWALK_TEST_MAP ("all", "even") at syn_new(), so that the whole
	 * suite runs on each path.  maps_live: mapped and not yet unmapped.
	 */
	int map_mode;
	uint64_t maps, maps_live;
	/* Buffers from target.alloc start this many bytes past a 64-byte
	 * boundary (0..56): the walker's vector loops align themselves. */
	unsigned alloc_offset;
	struct pw_target target;
};

enum { SYN_MAP_NONE, SYN_MAP_ALL, SYN_MAP_EVEN };

/* A memory image of `size` bytes; tables are allocated from `table_base` up. */
struct syn *syn_new(uint64_t size, uint64_t table_base, const char *arch);
/* Switch target.map_phys on or off (SYN_MAP_*). */
void syn_set_map_mode(struct syn *s, int mode);
void syn_free(struct syn *s);

/* A zeroed, aligned table of `bytes` bytes; returns its PA. */
uint64_t syn_table(struct syn *s, uint32_t bytes);

void syn_put(struct syn *s, uint64_t pa, uint64_t value, int bytes);
uint64_t syn_get(struct syn *s, uint64_t pa, int bytes);

/* Encodes a table entry pointing at table_pa for the given level. */
typedef uint64_t (*syn_table_entry_fn)(const struct pw_format *fmt, int level,
				       uint64_t table_pa);

/*
 * Walk from root down to leaf_level, creating tables with table_entry()
 * where entries are zero, and write leaf_raw at leaf_level.  Returns the
 * PA of the entry written.
 */
uint64_t syn_map(struct syn *s, const struct pw_format *fmt, uint64_t root,
		 uint64_t va, int leaf_level, uint64_t leaf_raw,
		 syn_table_entry_fn table_entry);

/* PA of the entry for va at `level` (tables must exist); 0 if missing. */
uint64_t syn_entry_pa(struct syn *s, const struct pw_format *fmt, uint64_t root,
		      uint64_t va, int level);

void syn_symbol(struct syn *s, const char *name, uint64_t value);
void syn_member(struct syn *s, const char *type, const char *member, uint64_t off);
void syn_number(struct syn *s, const char *name, int64_t value);
/* Struct sizes: syn_number(s, "sizeof(page)", 64). */

/* x86_64 helpers. */
uint64_t syn_x86_table_entry(const struct pw_format *fmt, int level, uint64_t pa);

/*
 * syn_map() and syn_entry_pa() for a root whose table is at format level
 * top_level rather than 0 (s390x: the ASCE's designation type).
 */
uint64_t syn_map_from(struct syn *s, const struct pw_format *fmt, uint64_t root,
		      int top_level, uint64_t va, int leaf_level, uint64_t leaf_raw,
		      syn_table_entry_fn table_entry);
uint64_t syn_entry_pa_from(struct syn *s, const struct pw_format *fmt, uint64_t root,
			   int top_level, uint64_t va, int level);

/* arm64 helpers: the granule's encoding of an address (64K: PA[51:48] in
 * bits [15:12]) and a plain table descriptor (bits[1:0] = 11). */
uint64_t syn_arm64_oa(const struct pw_format *fmt, uint64_t pa);
uint64_t syn_arm64_table_entry(const struct pw_format *fmt, int level, uint64_t pa);

/* s390x helper: a valid region entry of the level's type with TF=0, TL=3,
 * or a valid segment entry (TT=00). */
uint64_t syn_s390x_table_entry(const struct pw_format *fmt, int level, uint64_t pa);
/*
 * s390x tables as Linux initialises them (crst_table_init(), page_table_alloc()):
 * every entry the empty value of its level -- _REGION{1,2,3}_ENTRY_EMPTY,
 * _SEGMENT_ENTRY_EMPTY, _PAGE_INVALID -- since a zero entry is a valid
 * segment entry or PTE on s390.  Returns the table's PA.
 */
uint64_t syn_s390x_table(struct syn *s, const struct pw_format *fmt, int level);
/* syn_map_from() creating tables with syn_s390x_table(). */
uint64_t syn_s390x_map(struct syn *s, const struct pw_format *fmt, uint64_t root,
		       int top_level, uint64_t va, int leaf_level, uint64_t leaf_raw);

/* Map [va, va + len) of kernel virtual reads to [pa, pa + len). */
void syn_window(struct syn *s, uint64_t va, uint64_t pa, uint64_t len);

/*
 * A synthetic x86_64 kernel that pw_kernel_open() accepts: a top table with
 * a 1G direct map of physical 0 at kv, the variables page_offset_base,
 * vmalloc_base, vmemmap_base (SYN_VMEMMAP), max_pfn, boot_cpu_data (PTI
 * bit as asked), and the VMCOREINFO numbers.  Variables live from
 * SYN_VARS_PA on, one 8-byte slot each.
 */
#define SYN_VARS_PA 0x100000ULL
#define SYN_PHYS_BASE 0x1000000ULL
#define SYN_VMEMMAP 0xffffea0000000000ULL
struct syn_x86 {
	struct syn *s;
	uint64_t root;   /* top table (order-1 allocation, as with PTI) */
	uint64_t kv;     /* page_offset_base */
	int nvars;
};
void syn_x86_kernel(struct syn_x86 *k, uint64_t mem, int l5, int pti);
/* A kernel variable holding value; returns its (kernel virtual) address. */
uint64_t syn_x86_var(struct syn_x86 *k, const char *name, uint64_t value);

#endif
