/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic walker: one address at a time (pw_translate) or a whole
 * range handed entry by entry to a visitor (pw_walk_range), the way the
 * kernel's mm/ptdump.c hands every entry to note_page().
 *
 * Every walk is bounded: at most nlevels steps per address, a table that
 * points back to itself or an ancestor stops the walk, and every table is
 * read whole, once, into a per-level buffer.
 */
#ifndef PTWALK_WALK_H
#define PTWALK_WALK_H

#include <stdint.h>
#include <stdio.h>

#include "ptwalk/format.h"
#include "ptwalk/target.h"

/* Why a walk ended. */
enum pw_status {
	PW_ST_MAPPED = 0,   /* reached a leaf */
	PW_ST_NOT_PRESENT,  /* an entry on the path is not present */
	PW_ST_BAD_ENTRY,    /* an entry uses a reserved encoding */
	PW_ST_UNREADABLE,   /* a table could not be read from the dump */
	PW_ST_EXCLUDED,     /* a table was excluded from the dump by filtering */
	PW_ST_LOOP,         /* a table points to itself or to an ancestor */
	PW_ST_BAD_PFN,      /* an entry points beyond the format's or memory's end */
	PW_ST_NONCANONICAL, /* the address cannot be translated at all */
	PW_ST_OUT_OF_RANGE, /* index outside the table's valid part (s390 TL) */
};

const char *pw_status_name(enum pw_status st);
struct pw_translation;
/* Why a translation ended where it did, in a few words. */
const char *pw_status_reason(const struct pw_translation *tr);

/*
 * 4M table visits: as many PTE tables as 8 TiB mapped with 4K pages, far
 * more than a real kernel has, and a corrupt DAG stops within seconds.
 */
#define PW_DEFAULT_MAX_VISITS (4ULL << 20)

/*
 * Read-ahead: a table naming several child tables has up to this many of
 * them read back to back, within PW_READAHEAD_BYTES per level, before the
 * first is walked.  Each is still read once, whole.  A copy whose result
 * is scanned at once stalls on it; copies in a row overlap (on the
 * synthetic 64 GiB dump, copy then scan per table took 2.3x the copies
 * alone, sixteen copies then sixteen scans 1.5x).  Only for targets that
 * copy: where the target maps tables (map_phys), each is mapped when the
 * walk comes to it.
 */
#define PW_READAHEAD_MAX 16
#define PW_READAHEAD_BYTES (32u << 10)

/* The address space being walked. */
struct pw_space {
	const struct pw_target *target;
	const struct pw_format *fmt;
	uint64_t root_pa;    /* physical address of the top table */
	int top_level;       /* format level of the top table (s390 ASCE type) */
	uint32_t top_first, top_last; /* valid indexes of the top table */
	/* Physical end of memory (max_pfn << PAGE_SHIFT); 0 = unknown. */
	uint64_t mem_end;
	/*
	 * Most table visits one range walk may make (0: PW_DEFAULT_MAX_VISITS).
	 * Loops are caught by the ancestor check, but tables shared by many
	 * parents (a corrupt DAG) could make a walk exponential: the budget
	 * bounds it.
	 */
	uint64_t max_visits;
	/* Counted by the walker: how many tables it read, for benches
	 * (tables_mapped of them through map_phys, tables_unreadable of them
	 * neither mapped nor read). */
	uint64_t tables_read;
	uint64_t bytes_read;
	uint64_t tables_mapped;
	uint64_t tables_unreadable;
	/*
	 * Per-level buffers, allocated by pw_space_init: the level's current
	 * table (data), inside a window of up to PW_READAHEAD_MAX tables that
	 * the walker reads back to back when a parent names several (walk.c;
	 * one slot where the target maps tables).  A slot's table is either
	 * copied into the window or, where the target maps it (map_phys), the
	 * backend's own bytes, held until the slot is reused or the space
	 * invalidated or released.
	 */
	struct pw_table_buf {
		uint64_t pa;
		int valid;
		int err;
		const uint8_t *data;
		uint8_t *window;     /* cap tables of the level's table_bytes */
		uint32_t cap, count; /* slots allocated, slots filled */
		uint32_t cursor;     /* the slot the walk should ask for next */
		uint64_t win_pa[PW_READAHEAD_MAX];
		int win_err[PW_READAHEAD_MAX];
		const uint8_t *win_data[PW_READAHEAD_MAX]; /* the slot's table */
		void *win_map[PW_READAHEAD_MAX];           /* its unmap cookie, or NULL */
	} buf[PW_MAX_LEVELS];
};

/* Allocates the level buffers through target->alloc; PW_ERR_NOMEM. */
int pw_space_init(struct pw_space *sp, const struct pw_target *t,
		  const struct pw_format *fmt, uint64_t root_pa);
void pw_space_release(struct pw_space *sp);
/* Forget the cached tables (a dump never changes; tests rewrite memory). */
void pw_space_invalidate(struct pw_space *sp);

/* One level of a translation. */
struct pw_step {
	int level;
	uint64_t table_pa;
	uint32_t index;
	uint64_t entry_pa;
	uint64_t raw;
	struct pw_entry e;
};

struct pw_translation {
	uint64_t va;
	enum pw_status status;
	int nsteps;
	struct pw_step step[PW_MAX_LEVELS];
	uint64_t pa;        /* valid when status == PW_ST_MAPPED */
	uint64_t page_size;
	uint32_t eff_perm;  /* effective permissions along the path */
	int err;            /* enum pw_err of a failed read */
};

int pw_translate(struct pw_space *sp, uint64_t va, struct pw_translation *tr);

/*
 * The "levels" JSON array of a translation (ptwalk -j and the batch tool):
 * [{level, table_pa, index, entry_pa, entry, kind, addr, flags}...].
 */
void pw_translation_levels_json(FILE *fp, const struct pw_format *fmt,
				const struct pw_translation *tr);

/* What a visitor is told for each leaf or hole, in ascending VA order. */
struct pw_note {
	uint64_t va;       /* first address of the range (canonical) */
	uint64_t end;      /* last address + 1 (0 when the range ends at 2^64) */
	int level;         /* format level of the entry */
	uint64_t raw;      /* the raw entry (0 for a hole the walk made up) */
	const struct pw_entry *e;
	uint32_t eff_perm; /* effective permissions (LEAF only) */
	uint64_t table_pa; /* table holding the entry (0 when none) */
	uint64_t entry_pa;
	enum pw_status status; /* PW_ST_MAPPED, NOT_PRESENT, or why not walked */
	int err;               /* enum pw_err when a table could not be read */
};

/* Told before a table is descended into; can veto the descent. */
struct pw_table_visit {
	int level;         /* level of the table being entered */
	uint64_t table_pa;
	uint64_t va;       /* first address the table covers */
	uint64_t parent_entry_pa; /* 0 for the root */
	uint64_t parent_raw;
	int depth;         /* 0 for the root */
};

struct pw_visitor {
	void *state;
	void (*note)(void *state, const struct pw_note *n);
	/* Optional: return non-zero to skip the table's subtree. */
	int (*enter_table)(void *state, const struct pw_table_visit *tv);
	/*
	 * Optional: a run of equal, or linearly stepping, entries may go on
	 * into the next table of its level (a direct map in 4K pages is then
	 * one note, not one a PTE table).  Its note names the table and entry
	 * where it starts, and may come after later tables were entered.
	 */
	int runs_span_tables;
};

/*
 * The vector extensions the walker's run loops may use, for tests that check
 * each loop on one machine: the best the CPU has up to `allowed`.  Returns the
 * one now in use.  Not for concurrent walks.
 */
enum pw_simd { PW_SIMD_SSE2 = 0, PW_SIMD_AVX2, PW_SIMD_AVX512 };
int pw_walk_simd(int allowed);

/*
 * Walk [start, end) (end == 0 means up to 2^64); addresses are canonical.
 * Non-canonical parts are skipped without notes.  Returns PW_OK,
 * PW_ERR_INTERRUPTED or PW_ERR_LIMIT; problems with tables are reported
 * through notes.
 */
int pw_walk_range(struct pw_space *sp, uint64_t start, uint64_t end,
		  const struct pw_visitor *v);

#endif
