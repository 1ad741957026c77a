// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic walker over synthetic s390x DAT tables: every ASCE type, the
 * ASCE's and region entries' table offset/length, invalid bits, table-type
 * checks, 1M and 2G frames, protection folding, 2K page-table fragments and
 * 4K page tables with PGSTEs.  Entries are stored big-endian.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/walk.h"
#include "synthetic.h"

#define MEM (64ULL << 20)
#define TABLES (32ULL << 20)
#define CRST 16384

/* Linux 6.1 pgtable.h protections, hardware and software bits together. */
#define PAGE_KERNEL      (0x100ULL | 0x3d)          /* NOEXEC | PRESENT READ WRITE YOUNG DIRTY */
#define PAGE_KERNEL_RO   (0x200ULL | 0x100 | 0x15)  /* PROTECT NOEXEC | PRESENT READ YOUNG */
#define PAGE_KERNEL_EXEC 0x3dULL
#define SEGMENT_KERNEL   (0x400ULL | 0x100 | 0x3000 | 0x3)  /* LARGE NOEXEC DIRTY YOUNG W R */
#define REGION3_KERNEL   (0x04ULL | 0x400 | 0x100 | 0x3000 | 0x3)

static const struct pw_format *fmt = &pw_format_s390x;

struct fixture {
	struct syn *s;
	uint64_t root;
	int top;
	struct pw_space sp;
};

/* A space whose ASCE designates a new table of type dt with length tl. */
static struct fixture *fixture_new(uint64_t dt, uint64_t tl)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->s = syn_new(MEM, TABLES, "s390x");
	/* DT 11 designates a region-first table ... DT 00 a segment table. */
	f->root = syn_s390x_table(f->s, fmt, S390_LEVEL_SEGMENT - (int)(dt >> 2));
	assert_int_equal(pw_space_init(&f->sp, &f->s->target, fmt, 0), PW_OK);
	assert_int_equal(pw_s390x_space_from_asce(&f->sp, f->root | dt | tl), PW_OK);
	f->top = f->sp.top_level;
	return f;
}

static void fixture_free(struct fixture *f)
{
	pw_space_release(&f->sp);
	assert_int_equal(f->s->allocs_live, 0);
	syn_free(f->s);
	test_free(f);
}

static uint64_t map(struct fixture *f, uint64_t va, int level, uint64_t raw)
{
	pw_space_invalidate(&f->sp);
	return syn_s390x_map(f->s, fmt, f->root, f->top, va, level, raw);
}

static uint64_t entry_pa(struct fixture *f, uint64_t va, int level)
{
	return syn_entry_pa_from(f->s, fmt, f->root, f->top, va, level);
}

static void put(struct fixture *f, uint64_t pa, uint64_t raw)
{
	syn_put(f->s, pa, raw, 8);
	pw_space_invalidate(&f->sp);
}

static void test_format(void **state)
{
	(void)state;
	assert_ptr_equal(pw_format_by_name("s390x"), fmt);
	assert_true(fmt->big_endian);
	assert_false(fmt->sign_extend);
	assert_int_equal(fmt->nlevels, 5);
	assert_int_equal(fmt->level[S390_LEVEL_REGION1].va_shift, 53);
	assert_int_equal(fmt->level[S390_LEVEL_REGION2].va_shift, 42);
	assert_int_equal(fmt->level[S390_LEVEL_REGION3].va_shift, 31);
	assert_int_equal(fmt->level[S390_LEVEL_SEGMENT].va_shift, 20);
	assert_int_equal(fmt->level[S390_LEVEL_PAGE].va_shift, 12);
	for (int l = 0; l < S390_LEVEL_PAGE; l++)
		assert_int_equal(pw_level_entries(fmt, l), 2048);
	assert_int_equal(pw_level_entries(fmt, S390_LEVEL_PAGE), 256);
	assert_int_equal(fmt->level[S390_LEVEL_PAGE].table_bytes, 2048);
}

static void test_space_from_asce(void **state)
{
	struct syn *s = syn_new(1 << 20, 0, "s390x");
	struct pw_space sp;
	static const struct { uint64_t dt; int top; } types[] = {
		{ S390_ASCE_TYPE_REGION1, S390_LEVEL_REGION1 },
		{ S390_ASCE_TYPE_REGION2, S390_LEVEL_REGION2 },
		{ S390_ASCE_TYPE_REGION3, S390_LEVEL_REGION3 },
		{ S390_ASCE_TYPE_SEGMENT, S390_LEVEL_SEGMENT },
	};

	(void)state;
	assert_int_equal(pw_space_init(&sp, &s->target, fmt, 0), PW_OK);
	for (size_t i = 0; i < 4; i++) {
		for (uint64_t tl = 0; tl < 4; tl++) {
			/* A kernel ASCE also carries the user/control bits. */
			uint64_t asce = 0x12345000ULL | types[i].dt | tl | S390_ASCE_PRIVATE_SPACE;

			assert_int_equal(pw_s390x_space_from_asce(&sp, asce), PW_OK);
			assert_int_equal(sp.root_pa, 0x12345000ULL);
			assert_int_equal(sp.top_level, types[i].top);
			assert_int_equal(sp.top_first, 0);
			assert_int_equal(sp.top_last, 512 * (tl + 1) - 1);
		}
	}
	assert_int_equal(pw_s390x_space_from_asce(&sp, 0x1000 | S390_ASCE_REAL_SPACE),
			 PW_ERR_UNSUPPORTED);
	pw_space_release(&sp);
	/* Not an s390x space. */
	assert_int_equal(pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, 0), PW_OK);
	assert_int_equal(pw_s390x_space_from_asce(&sp, 0x1000 | S390_ASCE_TYPE_REGION3),
			 PW_ERR_INVALID);
	pw_space_release(&sp);
	assert_int_equal(pw_s390x_space_from_asce(NULL, 0), PW_ERR_INVALID);
	syn_free(s);
}

/* Every ASCE type: the same shape of walk from a different top. */
static void test_every_asce_type(void **state)
{
	static const uint64_t dts[] = {
		S390_ASCE_TYPE_REGION1, S390_ASCE_TYPE_REGION2,
		S390_ASCE_TYPE_REGION3, S390_ASCE_TYPE_SEGMENT,
	};
	/* Indexes 5, 6, 7, 8, 9 from the top down; byte 0x123 of the page. */
	const uint64_t full = (5ULL << 53) | (6ULL << 42) | (7ULL << 31) | (8ULL << 20) |
			      (9ULL << 12) | 0x123;

	(void)state;
	for (int i = 0; i < 4; i++) {
		struct fixture *f = fixture_new(dts[i], 3);
		/* The bits above the top table must be zero. */
		uint64_t va = f->top == 0 ? full : full & ((1ULL << (53 - 11 * (f->top - 1))) - 1);
		struct pw_translation tr;
		uint64_t epa;

		assert_int_equal(f->top, i);
		epa = map(f, va & ~0xfffULL, S390_LEVEL_PAGE, 0x7000 | PAGE_KERNEL);
		assert_int_equal(pw_translate(&f->sp, va, &tr), PW_OK);
		assert_int_equal(tr.status, PW_ST_MAPPED);
		assert_int_equal(tr.nsteps, 5 - i);
		for (int s = 0; s < tr.nsteps; s++) {
			assert_int_equal(tr.step[s].level, i + s);
			assert_int_equal(tr.step[s].index, (uint32_t)(5 + i + s));
		}
		assert_int_equal(tr.step[tr.nsteps - 1].entry_pa, epa);
		assert_int_equal(tr.pa, 0x7123);
		assert_int_equal(tr.page_size, 4096);
		/* PAGE_KERNEL: writable, no-exec; s390 has no user bit. */
		assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
		/* Big-endian in memory: the PTE's last byte holds the low bits. */
		assert_int_equal(f->s->mem[epa + 7], (uint8_t)PAGE_KERNEL);
		assert_int_equal(f->s->mem[epa + 6], 0x71);
		fixture_free(f);
	}
}

/* Addresses beyond the ASCE type's reach cannot be translated. */
static void test_beyond_asce_reach(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION3, 3);
	struct pw_translation tr;

	(void)state;
	pw_translate(&f->sp, 1ULL << 42, &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	assert_int_equal(tr.nsteps, 0);
	pw_translate(&f->sp, (1ULL << 42) - 1, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 1);
	fixture_free(f);
	f = fixture_new(S390_ASCE_TYPE_SEGMENT, 3);
	pw_translate(&f->sp, 1ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	fixture_free(f);
}

/* The ASCE's TL: a region-third ASCE with TL=0 has 512 valid entries. */
static void test_asce_table_length(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION3, 0);
	struct pw_translation tr;

	(void)state;
	assert_int_equal(f->sp.top_last, 511);
	map(f, 511ULL << 31, S390_LEVEL_PAGE, 0x1000 | PAGE_KERNEL);
	pw_translate(&f->sp, 511ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	/* Index 512 is outside, even with an entry written there. */
	put(f, f->root + 512 * 8, syn_s390x_table_entry(fmt, S390_LEVEL_REGION3,
							syn_s390x_table(f->s, fmt, S390_LEVEL_SEGMENT)));
	pw_translate(&f->sp, 512ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	assert_int_equal(tr.nsteps, 1);
	assert_int_equal(tr.step[0].index, 512);
	fixture_free(f);
}

/* TF/TL of a region entry bound the indexes of the table it points to. */
static void test_region_entry_offset_length(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION2, 3);
	struct pw_translation tr;
	uint64_t r2e, seg;

	(void)state;
	map(f, 600ULL << 31, S390_LEVEL_PAGE, 0x2000 | PAGE_KERNEL);
	/* The region-second entry: TF=1, TL=1 -> region-third indexes 512..1023. */
	r2e = entry_pa(f, 600ULL << 31, S390_LEVEL_REGION2);
	put(f, r2e, (syn_get(f->s, r2e, 8) & ~0xffULL) | S390_REGION_TYPE_R2 |
		    (1 << S390_REGION_OFFSET_SHIFT) | 1);
	pw_translate(&f->sp, 600ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].e.next_first, 512);
	assert_int_equal(tr.step[0].e.next_last, 1023);
	pw_translate(&f->sp, 100ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	assert_int_equal(tr.nsteps, 2);
	pw_translate(&f->sp, 1024ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	/* A region-third entry's TL=0 bounds the segment index to 0..511. */
	seg = entry_pa(f, 600ULL << 31, S390_LEVEL_REGION3);
	put(f, seg, (syn_get(f->s, seg, 8) & ~0xffULL) | S390_REGION_TYPE_R3);
	pw_translate(&f->sp, (600ULL << 31) + (512ULL << 20), &tr);
	assert_int_equal(tr.status, PW_ST_OUT_OF_RANGE);
	assert_int_equal(tr.nsteps, 3);
	pw_translate(&f->sp, 600ULL << 31, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	fixture_free(f);
}

/* The I bit at each level, with the values Linux writes into empty entries. */
static void test_invalid_bits(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION2, 3);
	struct pw_translation tr;
	uint64_t va = (3ULL << 31) | (4ULL << 20) | (5ULL << 12);

	(void)state;
	map(f, va, S390_LEVEL_PAGE, 0x3000 | PAGE_KERNEL);
	/* _PAGE_INVALID alone: pte_none(). */
	put(f, entry_pa(f, va, S390_LEVEL_PAGE), 0x400);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 4);
	assert_string_equal(tr.step[3].e.why, "invalid (I bit)");
	/* An invalid PTE keeps its address (a swap entry, PROT_NONE...). */
	put(f, entry_pa(f, va, S390_LEVEL_PAGE), 0x3000 | 0x400 | 0x200 | 0x001);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	/* PRESENT without READ: PROT_NONE, its frame named. */
	assert_int_equal(tr.step[3].e.addr, 0x3000);
	assert_non_null(strstr(tr.step[3].e.why, "PROT_NONE"));
	/* PRESENT and READ, not YOUNG: an old page Linux invalidated. */
	put(f, entry_pa(f, va, S390_LEVEL_PAGE), 0x3000 | 0x400 | 0x010 | 0x001);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.step[3].e.addr, 0x3000);
	assert_non_null(strstr(tr.step[3].e.why, "old page"));
	/* A swap entry (no PRESENT) names no frame. */
	put(f, entry_pa(f, va, S390_LEVEL_PAGE), 0x3000 | 0x400 | 0x200);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.step[3].e.addr, 0);
	/* _SEGMENT_ENTRY_EMPTY and _REGION3_ENTRY_EMPTY. */
	put(f, entry_pa(f, va, S390_LEVEL_SEGMENT), 0x20);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 3);
	put(f, entry_pa(f, va, S390_LEVEL_REGION3), 0x24);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 2);
	/* A region-second entry with I set but an origin: still invalid. */
	put(f, f->root, (syn_get(f->s, f->root, 8) & ~0xfffULL) | 0x08 | 0x20 | 0x3);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 1);
	fixture_free(f);
}

/* The table type in an entry must be its table's. */
static void test_table_type_mismatch(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION3, 3);
	struct pw_translation tr;
	uint64_t va = (2ULL << 31) | (3ULL << 20);
	uint64_t r3e, ste, raw;

	(void)state;
	map(f, va, S390_LEVEL_PAGE, 0x3000 | PAGE_KERNEL);
	r3e = entry_pa(f, va, S390_LEVEL_REGION3);
	ste = entry_pa(f, va, S390_LEVEL_SEGMENT);
	raw = syn_get(f->s, r3e, 8);
	/* A region-third table holding a region-second entry. */
	put(f, r3e, (raw & ~S390_REGION_TYPE_MASK) | S390_REGION_TYPE_R2);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why, "table type is not region-third (TT != 01)");
	put(f, r3e, raw);
	/* A segment table holding a region-third entry. */
	put(f, ste, syn_get(f->s, ste, 8) | S390_REGION_TYPE_R3);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_int_equal(tr.nsteps, 2);
	assert_string_equal(tr.step[1].e.why, "table type is not segment (TT != 00)");
	fixture_free(f);
	/* A region-first table whose entry says region-third. */
	f = fixture_new(S390_ASCE_TYPE_REGION1, 3);
	put(f, f->root, syn_s390x_table(f->s, fmt, S390_LEVEL_REGION2) | S390_REGION_TYPE_R3 | 3);
	pw_translate(&f->sp, 0x1000, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why, "table type is not region-first (TT != 11)");
	/* A zero region entry is not "empty" on s390: TT 00 is wrong there. */
	put(f, f->root + 8, 0);
	pw_translate(&f->sp, 1ULL << 53, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	fixture_free(f);
	/* ... while a zero segment entry is a valid page-table pointer to 0. */
	f = fixture_new(S390_ASCE_TYPE_SEGMENT, 3);
	put(f, f->root + 8 * 4, 0);
	pw_translate(&f->sp, 4ULL << 20, &tr);
	assert_int_equal(tr.nsteps, 2);
	assert_int_equal(tr.step[1].table_pa, 0);
	fixture_free(f);
}

/* FC=1: 1M frames in segment entries, 2G frames in region-third entries. */
static void test_large_frames(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION2, 3);
	struct pw_translation tr;
	uint64_t seg_va = (1ULL << 31) | (5ULL << 20);
	uint64_t r3_va = 9ULL << 31;
	char buf[128];

	(void)state;
	map(f, seg_va, S390_LEVEL_SEGMENT, 0x00500000ULL | SEGMENT_KERNEL);
	map(f, r3_va, S390_LEVEL_REGION3, 0x80000000ULL | (REGION3_KERNEL & ~0x100ULL));
	pw_translate(&f->sp, seg_va + 0xabcde, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 3);
	assert_int_equal(tr.page_size, 1 << 20);
	assert_int_equal(tr.pa, 0x005abcdeULL);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
	pw_flag_string(fmt, S390_LEVEL_SEGMENT, tr.step[2].raw, PW_ENTRY_LEAF, buf, sizeof(buf));
	assert_string_equal(buf, "IEP FC READ WRITE YOUNG DIRTY");
	pw_translate(&f->sp, r3_va + 0x12345678, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 2);
	assert_int_equal(tr.page_size, 1ULL << 31);
	assert_int_equal(tr.pa, 0x92345678ULL);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_EXEC);
	/* Read-only 1M frame. */
	put(f, entry_pa(f, seg_va, S390_LEVEL_SEGMENT),
	    0x00500000ULL | SEGMENT_KERNEL | S390_SEGMENT_PROTECT);
	pw_translate(&f->sp, seg_va, &tr);
	assert_int_equal(tr.eff_perm, 0);
	/* FC in a region-second entry is reserved. */
	put(f, f->root + 8 * 1, 0x80000000000ULL | S390_REGION_TYPE_R2 | S390_REGION_FC | 3);
	pw_translate(&f->sp, 1ULL << 42, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why,
			    "FC bit set in a region-first/second entry (reserved)");
	fixture_free(f);
}

/* PTE bit 52 must be zero in a valid PTE. */
static void test_pte_bit52(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_SEGMENT, 3);
	struct pw_translation tr;

	(void)state;
	map(f, 0x5000, S390_LEVEL_PAGE, 0x9000 | 0x800 | PAGE_KERNEL);
	pw_translate(&f->sp, 0x5000, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_int_equal(tr.nsteps, 2);
	/* Invalid PTEs may use it (Linux's swap-exclusive bit). */
	map(f, 0x5000, S390_LEVEL_PAGE, 0x9000 | 0x800 | 0x400);
	pw_translate(&f->sp, 0x5000, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	fixture_free(f);
}

/* DAT protection anywhere on the path makes the page read-only. */
static void test_protection_folds(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION3, 3);
	struct pw_translation tr;
	uint64_t va = (4ULL << 31) | (6ULL << 20) | 0x3000;
	uint64_t ste, r3e;

	(void)state;
	map(f, va, S390_LEVEL_PAGE, 0x4000 | PAGE_KERNEL_EXEC);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_EXEC);
	ste = entry_pa(f, va, S390_LEVEL_SEGMENT);
	put(f, ste, syn_get(f->s, ste, 8) | S390_SEGMENT_PROTECT);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.eff_perm, PW_PERM_EXEC);
	put(f, ste, syn_get(f->s, ste, 8) & ~S390_SEGMENT_PROTECT);
	r3e = entry_pa(f, va, S390_LEVEL_REGION3);
	put(f, r3e, syn_get(f->s, r3e, 8) | S390_REGION_PROTECT);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_EXEC);
	/* The leaf's own bits: PAGE_KERNEL_RO is protected and no-exec. */
	put(f, r3e, syn_get(f->s, r3e, 8) & ~S390_REGION_PROTECT);
	map(f, va, S390_LEVEL_PAGE, 0x4000 | PAGE_KERNEL_RO);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.eff_perm, 0);
	fixture_free(f);
}

/* Two 2K page tables share a 4K page; each segment entry picks its half. */
static void test_2k_fragments(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_SEGMENT, 3);
	struct pw_translation tr;
	uint64_t page = syn_s390x_table(f->s, fmt, S390_LEVEL_PAGE);

	(void)state;
	/* page_table_alloc() hands out the two halves of one page. */
	assert_int_equal(page & 0xfff, 0);
	assert_int_equal(syn_s390x_table(f->s, fmt, S390_LEVEL_PAGE), page + 2048);
	/* Segment 1 -> first half, segment 2 -> second half. */
	put(f, f->root + 8 * 1, page);
	put(f, f->root + 8 * 2, page + 2048);
	syn_put(f->s, page + 8 * 7, 0x11000 | PAGE_KERNEL, 8);
	syn_put(f->s, page + 2048 + 8 * 7, 0x22000 | PAGE_KERNEL, 8);
	pw_translate(&f->sp, (1ULL << 20) | (7 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[1].table_pa, page);
	assert_int_equal(tr.pa, 0x11000);
	pw_translate(&f->sp, (2ULL << 20) | (7 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[1].table_pa, page + 2048);
	assert_int_equal(tr.step[1].entry_pa, page + 2048 + 8 * 7);
	assert_int_equal(tr.pa, 0x22000);
	/* The walker reads 2K per page table, whichever half. */
	assert_int_equal(f->sp.bytes_read, CRST + 2048 + 2048);
	fixture_free(f);
}

/* With PGSTEs the second 2K of the page holds PGSTEs, not PTEs. */
static void test_4k_page_table_with_pgstes(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_SEGMENT, 3);
	struct pw_translation tr;
	uint64_t page = syn_table(f->s, 4096);

	(void)state;
	put(f, f->root + 8 * 3, page);
	for (int i = 0; i < 256; i++) {
		/* page_table_alloc_pgste(): PTEs invalid, PGSTEs zero; then set. */
		syn_put(f->s, page + 8 * (uint64_t)i, 0x400, 8);
		syn_put(f->s, page + 2048 + 8 * (uint64_t)i, 0x0000000001000000ULL, 8);
	}
	syn_put(f->s, page + 8 * 255, 0x33000 | PAGE_KERNEL, 8);
	pw_translate(&f->sp, (3ULL << 20) | (255 << 12) | 0x10, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.pa, 0x33010);
	pw_translate(&f->sp, (3ULL << 20) | (254 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	fixture_free(f);
}

struct collect {
	uint64_t next_va, mapped, notes, out_of_range;
	int have_next, gaps;
};

static void collect_note(void *state, const struct pw_note *n)
{
	struct collect *c = state;

	if (c->have_next && n->va != c->next_va)
		c->gaps++;
	c->next_va = n->end;
	c->have_next = 1;
	c->notes++;
	if (n->status == PW_ST_MAPPED)
		c->mapped += n->end - n->va;
	if (n->status == PW_ST_OUT_OF_RANGE)
		c->out_of_range += n->end - n->va;
}

/* A whole-space walk: up to the ASCE's reach, TL-limited parts reported. */
static void test_range_walk(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION3, 1);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };

	(void)state;
	map(f, 0x1000, S390_LEVEL_PAGE, 0x1000 | PAGE_KERNEL);
	map(f, 0x100000, S390_LEVEL_SEGMENT, 0x100000 | SEGMENT_KERNEL);
	map(f, 0x80000000ULL, S390_LEVEL_REGION3, 0x80000000ULL | REGION3_KERNEL);
	assert_int_equal(pw_walk_range(&f->sp, 0, 0, &v), PW_OK);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.mapped, 4096 + (1 << 20) + (1ULL << 31));
	/* TL=1: region-third indexes 1024..2047 (the upper half) are outside. */
	assert_int_equal(c.out_of_range, 1ULL << 41);
	assert_int_equal(c.next_va, 1ULL << 42);
	fixture_free(f);
}

/*
 * A corrupt region entry whose TF is past its TL (offset 3, length 1: valid
 * part 1536..1023, none): the table it names is outside its valid part
 * entry by entry, each entry once and in order.
 */
static void test_offset_past_length(void **state)
{
	struct fixture *f = fixture_new(S390_ASCE_TYPE_REGION2, 3);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };
	uint64_t r2e;

	(void)state;
	map(f, 600ULL << 31, S390_LEVEL_PAGE, 0x2000 | PAGE_KERNEL);
	r2e = entry_pa(f, 600ULL << 31, S390_LEVEL_REGION2);
	put(f, r2e, (syn_get(f->s, r2e, 8) & ~0xffULL) | S390_REGION_TYPE_R2 |
		    (3 << S390_REGION_OFFSET_SHIFT) | 1);
	assert_int_equal(pw_walk_range(&f->sp, 0, 1ULL << 42, &v), PW_OK);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.notes, 2048);
	assert_int_equal(c.out_of_range, 1ULL << 42);
	assert_int_equal(c.mapped, 0);
	assert_int_equal(c.next_va, 1ULL << 42);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_space_from_asce),
		cmocka_unit_test(test_every_asce_type),
		cmocka_unit_test(test_beyond_asce_reach),
		cmocka_unit_test(test_asce_table_length),
		cmocka_unit_test(test_region_entry_offset_length),
		cmocka_unit_test(test_invalid_bits),
		cmocka_unit_test(test_table_type_mismatch),
		cmocka_unit_test(test_large_frames),
		cmocka_unit_test(test_pte_bit52),
		cmocka_unit_test(test_protection_folds),
		cmocka_unit_test(test_2k_fragments),
		cmocka_unit_test(test_4k_page_table_with_pgstes),
		cmocka_unit_test(test_range_walk),
		cmocka_unit_test(test_offset_past_length),
	};

	return cmocka_run_group_tests_name("walk_s390x", tests, NULL, NULL);
}
