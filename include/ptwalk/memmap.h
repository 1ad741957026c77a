/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's memory model, read from the dump: SPARSEMEM sections and
 * their state, struct page <-> pfn, ZONE_DEVICE pgmaps with their altmaps,
 * and a verdict on any pfn's struct page.  Layouts follow Linux 6.1
 * (include/linux/mmzone.h, include/linux/memremap.h, mm/memremap.c,
 * mm/page_alloc.c memmap_init_range(), mm/mm_init.c memmap_init_zone_device()).
 */
#ifndef PTWALK_MEMMAP_H
#define PTWALK_MEMMAP_H

#include <stdint.h>
#include <stdio.h>

#include "ptwalk/kernel.h"

/* section_mem_map flag bits (enum in include/linux/mmzone.h, 6.1). */
#define PW_SECTION_MARKED_PRESENT (1ULL << 0)
#define PW_SECTION_HAS_MEM_MAP (1ULL << 1)
#define PW_SECTION_IS_ONLINE (1ULL << 2)
#define PW_SECTION_IS_EARLY (1ULL << 3)
#define PW_SECTION_TAINT_ZONE_DEVICE (1ULL << 4)
#define PW_SECTION_MAP_LAST_BIT 5
#define PW_SECTION_MAP_MASK (~((1ULL << PW_SECTION_MAP_LAST_BIT) - 1))
#define PW_SUBSECTION_SHIFT 21

#define PW_MAX_PGMAPS 64
#define PW_STRUCT_PAGE_MAX 128

/* Offsets and sizes, resolved once. */
struct pw_memmap {
	struct pw_kernel *k;
	unsigned section_size_bits;
	unsigned max_physmem_bits;
	uint64_t nr_mem_sections;
	uint64_t sections_per_root;
	uint64_t mem_section;      /* value of the mem_section variable */
	int extreme;               /* mem_section is an array of root pointers */
	uint64_t ms_size, ms_map_off, ms_usage_off;
	uint64_t usage_subsection_off;
	uint64_t page_struct_size; /* sizeof(struct page) */
	uint64_t vmemmap;          /* vmemmap base, 0 without SPARSEMEM_VMEMMAP */
	uint64_t max_pfn;
};

int pw_memmap_open(struct pw_memmap *mm, struct pw_kernel *k, char *why, size_t why_len);

struct pw_section {
	uint64_t nr;
	int exists;        /* a mem_section is allocated for it */
	uint64_t addr;     /* struct mem_section address */
	uint64_t raw;      /* section_mem_map */
	uint64_t usage;
	uint64_t subsection_map[4]; /* one bit per 2 MiB subsection (up to 512 MiB sections) */
	int usage_readable;
};

int pw_section_of_pfn(struct pw_memmap *mm, uint64_t pfn, struct pw_section *s);
/* struct page address of a pfn (vmemmap or section memmap). */
int pw_pfn_to_page(struct pw_memmap *mm, uint64_t pfn, uint64_t *page);
/* The pfn whose struct page contains addr (any byte inside it). */
int pw_page_to_pfn(struct pw_memmap *mm, uint64_t addr, uint64_t *pfn);

/* One dev_pagemap. */
struct pw_pgmap {
	uint64_t addr;
	int64_t type;      /* enum memory_type */
	uint64_t flags;
	uint64_t vmemmap_shift;
	uint64_t owner;
	int64_t nr_range;
	uint64_t range_start, range_end; /* first range, bytes, inclusive end */
	int has_altmap;    /* PGMAP_ALTMAP_VALID */
	uint64_t base_pfn, end_pfn, reserve, free, align, alloc;
};

/* The pfn regions a pgmap implies (6.1): see pw_pgmap_regions() in memmap.c. */
enum pw_region_kind {
	PW_R_UNINITIALIZED,  /* altmap reserve: struct pages never initialized */
	PW_R_ALTMAP_PADDING, /* altmap free, skipped to align the memmap */
	PW_R_ALTMAP_MEMMAP,  /* altmap free, holding the memmap */
	PW_R_ALTMAP_UNUSED,  /* altmap free, not used */
	PW_R_DEVICE,         /* ZONE_DEVICE pages pointing to the pgmap */
};
#define PW_MAX_REGIONS 5
struct pw_pgmap_region {
	enum pw_region_kind kind;
	uint64_t start, end; /* pfns, end exclusive; never empty */
};
/* The non-empty regions of a pgmap, in pfn order; returns how many. */
int pw_pgmap_regions(const struct pw_pgmap *p, struct pw_pgmap_region *out);
const char *pw_region_name(enum pw_region_kind kind);
const char *pw_region_meaning(enum pw_region_kind kind);
const char *pw_pgmap_type_name(int64_t type);
/* One pgmap as a JSON object (no newline): what pgmap -j and the batch print. */
void pw_pgmap_json(FILE *fp, const struct pw_pgmap *p);

/* Every dev_pagemap in pgmap_array; returns how many (<= max) or < 0 on error. */
int pw_pgmaps(struct pw_memmap *mm, struct pw_pgmap *out, int max, char *why, size_t why_len);

enum pw_verdict {
	PW_V_UNINITIALIZED,  /* struct page never initialized: never trust it */
	PW_V_ALTMAP_MEMMAP,  /* a page holding the device's memmap */
	PW_V_ALTMAP_RESERVED,/* altmap free space not holding the memmap (reserved page) */
	PW_V_DEVICE,         /* a ZONE_DEVICE data page */
	PW_V_ONLINE,         /* ordinary memory, section online */
	PW_V_OFFLINE,        /* has a memmap, but its section is offline */
	PW_V_ABSENT,         /* no memmap at all (no section, beyond memory) */
	PW_V_UNREADABLE,     /* the struct page is not in the dump */
};
const char *pw_verdict_name(enum pw_verdict v);

struct pw_pfninfo {
	uint64_t pfn;
	struct pw_section sec;
	int subsection_valid;
	uint64_t page;          /* struct page address, 0 when none */
	int page_read;
	/*
	 * When the struct page could not be read: why (PW_ERR_EXCLUDED: the
	 * dump's filter left it out; PW_ERR_READ: the dump does not hold it),
	 * its physical address if the kernel's page tables map it, and whether
	 * that lies inside a pgmap's own range: a memmap on the device (altmap),
	 * which a kdump usually does not capture (pmem is not System RAM).
	 */
	int page_err;
	int page_pa_known;
	uint64_t page_pa;
	int page_on_device;
	uint8_t raw[PW_STRUCT_PAGE_MAX];
	unsigned raw_len;
	const char *poison;     /* "all 0xff", "all 0x00", NULL */
	const struct pw_pgmap *pgmap;
	enum pw_verdict verdict;
	const char *why;        /* one line behind the verdict */
};

int pw_pfninfo(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
	       uint64_t pfn, struct pw_pfninfo *out);

#endif
