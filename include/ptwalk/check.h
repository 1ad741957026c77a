/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-table integrity: a visitor that checks every table page a walk
 * visits (is it RAM with a memmap, is its struct page free, slab, a
 * ZONE_DEVICE page, marked PageTable where 6.1 marks tables, in the dump)
 * and every entry (reserved encodings, loops, pfns beyond memory), plus
 * W+X mappings the way the kernel's DEBUG_WX counts them.
 */
#ifndef PTWALK_CHECK_H
#define PTWALK_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "ptwalk/memmap.h"
#include "ptwalk/walk.h"

#define PW_MAX_ANOMALIES 256

/* What the space being checked is (the `user_mm` arguments below). */
#define PW_CHECK_USER_MM 1        /* a task's mm: user PTE/PMD tables are PageTable */
#define PW_CHECK_PTI_USER_ROOT 2  /* root is the second page of an order-1 PTI pgd:
				   * its own refcount is 0 by design */

struct pw_anomaly {
	const char *kind;    /* stale-table, excluded-table, table-loop, ... */
	uint64_t va, end;    /* affected range (end exclusive, 0 = 2^64) */
	int level;           /* format level of the table or entry */
	uint64_t entry_pa;   /* the parent entry (pointing to the table) */
	uint64_t entry;
	uint64_t pfn;        /* table pfn or mapped pfn */
	char detail[120];
};

/* Offsets and values for judging struct pages, resolved once. */
struct pw_page_judge {
	uint64_t refcount_off, mapcount_off;
	int64_t pg_slab, pg_reserved;  /* bit numbers, -1 unknown */
	/*
	 * How page->page_type says buddy/table/slab: 6.1-6.10 clear a bit
	 * under PAGE_TYPE_BASE (type_mask_*); 6.11+ put enum pagetype in the
	 * top byte (type_top: PGTY_buddy 0xf0, PGTY_table 0xf2, PGTY_slab 0xf5).
	 */
	int type_top;
	uint32_t pgty_buddy, pgty_table, pgty_slab;
	int ok;
};

struct pw_checker {
	struct pw_memmap *mm;
	const struct pw_pgmap *pgmaps;
	int npgmaps;
	int user_mm;         /* a task's mm: its PTE/PMD tables carry PageTable */
	struct pw_page_judge judge;
	struct pw_anomaly *list;  /* from the target's alloc */
	int max;
	uint64_t count;      /* all anomalies, also those not kept */
	uint64_t tables;     /* table pages checked */
	uint64_t wx_pages;
	/* The W+X range being accumulated (kernel note_wx counts per range). */
	uint64_t wx_start, wx_end;
	int in_wx;
};

void pw_page_judge_init(struct pw_page_judge *j, const struct pw_target *t);

/*
 * Judge the struct page of a page-table page.  Returns NULL when it looks
 * like a live table, else a kind ("stale-table", "excluded-table",
 * "zone-device-table", "absent-table") and a detail line.
 */
const char *pw_judge_table_page(struct pw_memmap *mm, const struct pw_page_judge *j,
				const struct pw_pgmap *pgmaps, int npgmaps, uint64_t pfn,
				int expect_pagetable, char *detail, size_t len);

int pw_checker_init(struct pw_checker *c, struct pw_memmap *mm,
		    const struct pw_pgmap *pgmaps, int npgmaps, int user_mm);
void pw_checker_release(struct pw_checker *c);

/* Visitor hooks; state is a struct pw_checker. */
int pw_checker_enter_table(void *state, const struct pw_table_visit *tv);
void pw_checker_note(void *state, const struct pw_note *n);
/* Close an open W+X range at the end of a walk. */
void pw_checker_finish(struct pw_checker *c);

/* Why a single translation ended where it did, beyond its status. */
struct pw_explanation {
	int ntables;              /* tables on the path judged suspicious */
	struct {
		int step;             /* index into pw_translation.step */
		const char *kind;     /* stale-table, absent-table, ... */
		char detail[120];
	} table[PW_MAX_LEVELS];
	int direct_map;           /* the address is in the direct map */
	uint64_t dm_pfn;          /* the pfn it should map */
	const char *dm_kind;      /* invalid-direct-map, removed-section, NULL */
	char dm_detail[160];
};

/*
 * Judge every table a translation went through, and, for an unmapped
 * direct-map address, the pfn behind it: online RAM that the direct map
 * does not map is an invalid direct-map entry (set_direct_map_invalid,
 * DEBUG_PAGEALLOC); a pfn without a memmap was removed (hot-remove).
 */
void pw_explain(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
		const struct pw_translation *tr, int user_mm, struct pw_explanation *out);

#endif
