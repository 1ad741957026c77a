// SPDX-License-Identifier: GPL-2.0-or-later
/* The generic walker over synthetic x86_64 4- and 5-level page tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_x86_64.h"
#include "ptwalk/walk.h"
#include "synthetic.h"

#define MEM (64ULL << 20)
#define TABLES (32ULL << 20)
#define P_KERN (X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_ACCESSED | X86_PTE_DIRTY)
#define P_USER (P_KERN | X86_PTE_USER)

static const struct pw_format *f4 = &pw_format_x86_64_4level;
static const struct pw_format *f5 = &pw_format_x86_64_5level;

struct fixture {
	struct syn *s;
	uint64_t root;
	struct pw_space sp;
};

/* The walker's buffers alloc_offset bytes past a 64-byte boundary (synthetic.h). */
static struct fixture *fixture_new_offset(const struct pw_format *fmt, unsigned alloc_offset)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->s = syn_new(MEM, TABLES, "x86_64");
	f->s->alloc_offset = alloc_offset;
	f->root = syn_table(f->s, 4096);
	assert_int_equal(pw_space_init(&f->sp, &f->s->target, fmt, f->root), PW_OK);
	return f;
}

static struct fixture *fixture_new(const struct pw_format *fmt)
{
	return fixture_new_offset(fmt, 0);
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
	return syn_map(f->s, f->sp.fmt, f->root, va, level, raw, syn_x86_table_entry);
}

static void test_4k_page_4level(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;
	uint64_t va = 0x10000123;
	uint64_t epa = map(f, va, 3, 0x5000 | P_USER);

	(void)state;
	assert_int_equal(pw_translate(&f->sp, va, &tr), PW_OK);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.pa, 0x5123);
	assert_int_equal(tr.page_size, 4096);
	assert_int_equal(tr.nsteps, 4);
	/* Index of each level from the VA bits, by hand: 0x10000123. */
	assert_int_equal(tr.step[0].index, 0);
	assert_int_equal(tr.step[1].index, 0);
	assert_int_equal(tr.step[2].index, 0x80);  /* bits 21..29 */
	assert_int_equal(tr.step[3].index, 0);
	assert_int_equal(tr.step[0].table_pa, f->root);
	assert_int_equal(tr.step[3].entry_pa, epa);
	assert_int_equal(tr.step[3].raw, 0x5000 | P_USER);
	assert_int_equal(tr.eff_perm, PW_PERM_ALL);
	fixture_free(f);
}

static void test_large_pages(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;

	(void)state;
	/* 2M at pmd, 1G at pud, both in the upper (kernel) half. */
	map(f, 0xffff888000200000ULL, 2, 0x400000 | P_KERN | X86_PTE_PSE);
	map(f, 0xffff888040000000ULL, 1, 0x80000000ULL | P_KERN | X86_PTE_PSE | X86_PTE_NX);
	pw_translate(&f->sp, 0xffff888000212345ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 2 << 20);
	assert_int_equal(tr.pa, 0x412345);
	assert_int_equal(tr.nsteps, 3);
	pw_translate(&f->sp, 0xffff888041234567ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 1 << 30);
	assert_int_equal(tr.pa, 0x81234567ULL);
	assert_int_equal(tr.nsteps, 2);
	/* The leaf has no USER bit and has NX: kernel, writable, no-exec. */
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
	fixture_free(f);
}

static void test_5level_upper_half(void **state)
{
	struct fixture *f = fixture_new(f5);
	struct pw_translation tr;
	uint64_t va = 0xff11000000001000ULL;

	(void)state;
	map(f, va, 4, 0x7000 | P_KERN | X86_PTE_NX);
	pw_translate(&f->sp, va + 0x10, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 5);
	assert_int_equal(tr.pa, 0x7010);
	/* pgd index: bits 48..56 of 0xff11... = 0x111; p4d etc. 0. */
	assert_int_equal(tr.step[0].index, 0x111);
	assert_int_equal(tr.step[4].index, 1);
	/* Table entries carry USER, the leaf does not: effective is kernel. */
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
	fixture_free(f);
}

static void test_not_present_each_level(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;

	(void)state;
	map(f, 0x200000, 3, 0x9000 | P_USER);
	/* Empty pgd slot. */
	pw_translate(&f->sp, 0x7f0000000000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 1);
	/* Same pmd table, other pmd entry missing. */
	pw_translate(&f->sp, 0x40000000ULL - 0x200000, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 3);
	/* Same pte table, next pte zero. */
	pw_translate(&f->sp, 0x201000, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 4);
	assert_string_equal(tr.step[3].e.why, "not present");
	fixture_free(f);
}

static void test_protnone_pfn_inverted(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;
	/* A PROT_NONE pte for pfn 0x1f064 as L1TF-era kernels store it:
	 * pfn bits inverted, _PAGE_PROTNONE (bit 8) set, present clear. */
	uint64_t raw = (~(0x1f064ULL << 12) & X86_PTE_ADDR_MASK) | 0x160;

	(void)state;
	map(f, 0x10200000, 3, raw);
	pw_translate(&f->sp, 0x10200000, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.step[3].e.addr, 0x1f064000);
	assert_non_null(strstr(tr.step[3].e.why, "PROT_NONE"));
	fixture_free(f);
}

static void test_noncanonical(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;

	(void)state;
	pw_translate(&f->sp, 0x0000800000000000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_NONCANONICAL);
	assert_int_equal(tr.nsteps, 0);
	assert_false(pw_va_canonical(f4, 0xff00000000000000ULL));
	assert_true(pw_va_canonical(f5, 0xff00000000000000ULL));
	assert_false(pw_va_canonical(f5, 0x0100000000000000ULL));
	fixture_free(f);
}

static void test_loops(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;
	uint64_t va = 0x40000000;
	uint64_t pmd_entry;

	(void)state;
	map(f, va, 3, 0x1000 | P_USER);
	/* Make the pmd entry point to the pud table: an ancestor. */
	pmd_entry = syn_entry_pa(f->s, f4, f->root, va, 2);
	syn_put(f->s, pmd_entry,
		(syn_entry_pa(f->s, f4, f->root, va, 1) & ~0xfffULL) | 0x67, 8);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_LOOP);
	/* The root pointing to itself. */
	syn_put(f->s, f->root, f->root | 0x67, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 0x1000, &tr);
	assert_int_equal(tr.status, PW_ST_LOOP);
	assert_int_equal(tr.nsteps, 2);
	fixture_free(f);
}

static void test_bad_entries(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;

	(void)state;
	/* 2M leaf with bit 13 set: reserved. */
	map(f, 0x600000, 2, 0x600000 | (1ULL << 13) | P_KERN | X86_PTE_PSE);
	pw_translate(&f->sp, 0x600000, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	/* PS at the pgd level is reserved. */
	syn_put(f->s, f->root + 8 * 5, 0x40000000ULL | P_KERN | X86_PTE_PSE, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 5ULL << 39, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	/* A table beyond the end of memory (mem_end known). */
	f->sp.mem_end = MEM;
	syn_put(f->s, f->root + 8 * 6, (MEM + 0x1000) | 0x67, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 6ULL << 39, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_PFN);
	/* The same without mem_end: the read fails instead. */
	f->sp.mem_end = 0;
	pw_translate(&f->sp, 6ULL << 39, &tr);
	assert_int_equal(tr.status, PW_ST_UNREADABLE);
	fixture_free(f);
}

static void test_excluded_table(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;
	uint64_t va = 0x1000;

	(void)state;
	map(f, va, 3, 0x3000 | P_USER);
	f->s->excluded[f->s->nexcluded++] =
		syn_entry_pa(f->s, f4, f->root, va, 3) & ~0xfffULL;
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_EXCLUDED);
	assert_int_equal(tr.err, PW_ERR_EXCLUDED);
	fixture_free(f);
}

static void test_effective_perms(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct pw_translation tr;
	uint64_t va = 0x7000000000ULL;
	uint64_t pud_entry;

	(void)state;
	map(f, va, 3, 0x2000 | P_USER);
	/* Clear RW and set NX in the pud entry: read-only, no-exec below. */
	pud_entry = syn_entry_pa(f->s, f4, f->root, va, 1);
	syn_put(f->s, pud_entry,
		(syn_get(f->s, pud_entry, 8) & ~X86_PTE_RW) | X86_PTE_NX, 8);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.eff_perm, PW_PERM_USER);
	fixture_free(f);
}

/* ---- range walks ---- */

struct collect {
	uint64_t next_va;
	int have_next;
	int gaps;
	uint64_t mapped;
	uint64_t notes;
	uint64_t leaf_pa_sum;
};

static void collect_note(void *state, const struct pw_note *n)
{
	struct collect *c = state;

	if (c->have_next && n->va != c->next_va)
		c->gaps++;
	c->next_va = n->end;
	c->have_next = 1;
	c->notes++;
	if (n->status == PW_ST_MAPPED) {
		c->mapped += n->end - n->va;
		c->leaf_pa_sum += n->e->addr;
	}
}

static void test_range_walk_covers_and_reads_once(void **state)
{
	struct fixture *f = fixture_new(f5);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };
	uint64_t base = 0xff11000000000000ULL;

	(void)state;
	/* 1024 4K pages (2 pte tables) and one 2M page. */
	for (int i = 0; i < 1024; i++)
		map(f, base + (uint64_t)i * 4096, 4, (0x100000 + (uint64_t)i * 4096) | P_KERN);
	map(f, base + (8ULL << 20), 3, 0x1000000 | P_KERN | X86_PTE_PSE);
	/* Tables: pgd, p4d, pud, pmd, 2 pte = 6. */
	assert_int_equal(pw_walk_range(&f->sp, base, base + (16ULL << 20), &v), PW_OK);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.mapped, 1024 * 4096 + (2 << 20));
	assert_int_equal(f->sp.tables_read, 6);
	/* The last note ends exactly at the requested end. */
	assert_int_equal(c.next_va, base + (16ULL << 20));
	fixture_free(f);
}

static void test_range_walk_whole_space(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };

	(void)state;
	map(f, 0x1000, 3, 0x1000 | P_USER);
	map(f, 0xffffffff81000000ULL, 2, 0x1000000 | P_KERN | X86_PTE_PSE);
	assert_int_equal(pw_walk_range(&f->sp, 0, 0, &v), PW_OK);
	/* The non-canonical hole is skipped: exactly one gap, at 2^47. */
	assert_int_equal(c.gaps, 1);
	assert_int_equal(c.mapped, 4096 + (2 << 20));
	assert_int_equal(c.next_va, 0); /* ended at 2^64 */
	fixture_free(f);
}

static void test_range_walk_loop_is_bounded(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };

	(void)state;
	/* Every pgd entry points to the pgd itself. */
	for (int i = 0; i < 512; i++)
		syn_put(f->s, f->root + 8 * (uint64_t)i, f->root | 0x67, 8);
	assert_int_equal(pw_walk_range(&f->sp, 0, 0, &v), PW_OK);
	assert_int_equal(c.mapped, 0);
	assert_int_equal(c.notes, 512);
	fixture_free(f);
}

static void test_shared_tables_are_bounded(void **state)
{
	struct fixture *f = fixture_new(f4);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };
	uint64_t t1 = syn_table(f->s, 4096), t2 = syn_table(f->s, 4096);

	(void)state;
	/* No loop, but every entry of each level points to the same next table:
	 * 512^3 PTE-table visits.  The budget stops it. */
	for (int i = 0; i < 512; i++) {
		syn_put(f->s, f->root + 8 * (uint64_t)i, t1 | 0x67, 8);
		syn_put(f->s, t1 + 8 * (uint64_t)i, t2 | 0x67, 8);
	}
	f->sp.max_visits = 5000;
	assert_int_equal(pw_walk_range(&f->sp, 0, 0, &v), PW_ERR_LIMIT);
	assert_true(c.notes < 5000 * 512);
	fixture_free(f);
}

/* Every note of a walk, for exact run boundaries. */
struct notes {
	int n;
	int all;  /* not-present notes too */
	uint64_t va[8], end[8], raw[8];
	enum pw_status st[8];
};

static void notes_note(void *state, const struct pw_note *n)
{
	struct notes *c = state;

	if (n->status != PW_ST_MAPPED && !c->all)
		return;
	assert_true(c->n < 8);
	c->va[c->n] = n->va;
	c->end[c->n] = n->end;
	c->raw[c->n] = n->raw;
	c->st[c->n] = n->status;
	c->n++;
}

static const uint32_t run_breaks[] = { 1, 2, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 63, 64, 65,
				       71, 72, 73, 100, 127, 128, 129, 136, 137, 255, 256, 383,
				       384, 385, 447, 448, 449, 455, 456, 479, 480, 481, 497,
				       510, 511 };

/*
 * Runs of contiguous leaves end exactly where an entry breaks the step, at every
 * position of the block-wise compare (8 entries with SSE2, 32 with AVX2, 64 with
 * AVX-512 from a 64-byte boundary, and the vector tails' last 32 or 64 entries
 * of the table) and at the table's last entry, with each vector loop this CPU
 * has.  The entries after the break go on with the run's step, so a compare that
 * skipped the break would merge them.
 */
static void check_run_boundaries(void)
{
	uint64_t base = 0xffff888000200000ULL;

	for (size_t b = 0; b < sizeof(run_breaks) / sizeof(run_breaks[0]); b++) {
		struct fixture *f = fixture_new(f4);
		struct notes c = { 0 };
		struct pw_visitor v = { .state = &c, .note = notes_note };
		uint32_t at = run_breaks[b];

		for (uint64_t i = 0; i < 512; i++) {
			uint64_t pa = 0x400000 + (i << 12);

			if (i == at)
				pa = 0x2000000; /* elsewhere: breaks the step */
			map(f, base + (i << 12), 3, pa | P_KERN);
		}
		assert_int_equal(pw_walk_range(&f->sp, base, base + (2ULL << 20), &v), PW_OK);
		/* [0, at), [at], [at + 1, 512) -- the last one empty when at == 511. */
		assert_int_equal(c.n, at == 511 ? 2 : 3);
		assert_int_equal(c.va[0], base);
		assert_int_equal(c.end[0], base + ((uint64_t)at << 12));
		assert_int_equal(c.raw[0], 0x400000 | P_KERN);
		assert_int_equal(c.va[1], base + ((uint64_t)at << 12));
		assert_int_equal(c.end[1], base + ((uint64_t)at << 12) + 4096);
		assert_int_equal(c.raw[1], 0x2000000 | P_KERN);
		if (at != 511) {
			assert_int_equal(c.va[2], base + ((uint64_t)(at + 1) << 12));
			assert_int_equal(c.end[2], base + (2ULL << 20));
			assert_int_equal(c.raw[2], (0x400000 + ((uint64_t)(at + 1) << 12)) | P_KERN);
		}
		fixture_free(f);
	}
}

/* Each vector level up to the CPU's best, then the best again. */
static void for_each_simd(void (*check)(void))
{
	for (int level = PW_SIMD_SSE2; level <= PW_SIMD_AVX512; level++)
		if (pw_walk_simd(level) == level)
			check();
	pw_walk_simd(PW_SIMD_AVX512);
}

static void test_run_boundaries(void **state)
{
	(void)state;
	for_each_simd(check_run_boundaries);
}

/*
 * The same for runs of step 0: a PTE table of one repeated value with one odd
 * entry at every block position.  The entries after the odd one repeat the
 * value again, so a compare that skipped it would merge them.
 */
static void check_repeated_runs(uint64_t value, uint64_t odd, enum pw_status odd_status)
{
	uint64_t base = 0xffff888000200000ULL;

	for (size_t b = 0; b < sizeof(run_breaks) / sizeof(run_breaks[0]); b++) {
		struct fixture *f = fixture_new(f4);
		struct notes c = { .all = 1 };
		struct pw_visitor v = { .state = &c, .note = notes_note };
		uint32_t at = run_breaks[b];
		uint64_t at_va = base + ((uint64_t)at << 12);

		for (uint64_t i = 0; i < 512; i++)
			if (value || i == at)
				map(f, base + (i << 12), 3, i == at ? odd : value);
		assert_int_equal(pw_walk_range(&f->sp, base, base + (2ULL << 20), &v), PW_OK);
		/* [0, at) the value, [at] the odd one, [at + 1, 512) the value
		 * unless at == 511. */
		assert_int_equal(c.n, at == 511 ? 2 : 3);
		assert_int_equal(c.st[0], PW_ST_NOT_PRESENT);
		assert_int_equal(c.va[0], base);
		assert_int_equal(c.end[0], at_va);
		assert_int_equal(c.raw[0], value);
		assert_int_equal(c.st[1], odd_status);
		assert_int_equal(c.va[1], at_va);
		assert_int_equal(c.end[1], at_va + 4096);
		assert_int_equal(c.raw[1], odd);
		if (at != 511) {
			assert_int_equal(c.st[2], PW_ST_NOT_PRESENT);
			assert_int_equal(c.va[2], at_va + 4096);
			assert_int_equal(c.end[2], base + (2ULL << 20));
			assert_int_equal(c.raw[2], value);
		}
		fixture_free(f);
	}
}

/* Empty entries around one mapped page: the zero compare (an OR of the loads). */
static void check_empty_runs(void)
{
	check_repeated_runs(0, 0x400000 | P_KERN, PW_ST_MAPPED);
}

static void test_empty_run_boundaries(void **state)
{
	(void)state;
	for_each_simd(check_empty_runs);
}

/*
 * One repeated non-zero not-present value (entries that keep a pfn, e.g.
 * swap entries) around one that differs in a single bit: the compare
 * against the value.
 */
static void check_swap_like_runs(void)
{
	const uint64_t value = 0x00000ffff1234000ULL;

	check_repeated_runs(value, value ^ (1ULL << 13), PW_ST_NOT_PRESENT);
}

static void test_repeated_run_boundaries(void **state)
{
	(void)state;
	for_each_simd(check_swap_like_runs);
}

/*
 * A run ends at its table's last entry however the table lies in memory: two
 * PTE tables read into one window, back to back, every page at contiguous
 * physical addresses but entry 502, so that the first table ends in a run of
 * nine (eight more after its first: the vector loops start at the table's end).
 * The bytes after the first table continue the run; a loop that read past the
 * end would merge them.  Every buffer alignment, every vector level, with and
 * without runs spanning tables.
 */
static void check_run_ends_at_table_end(void)
{
	uint64_t base = 0xffff888000000000ULL;

	for (unsigned offset = 0; offset < 64; offset += 8) {
		struct fixture *f = fixture_new_offset(f4, offset);
		struct notes c = { 0 };

		for (uint64_t i = 0; i < 1024; i++)
			map(f, base + (i << 12), 3, (i == 502 ? 0x2000000 : 0x400000 + (i << 12)) | P_KERN);
		for (int span = 0; span <= 1; span++) {
			struct pw_visitor v = { .state = &c, .note = notes_note, .runs_span_tables = span };

			c.n = 0;
			pw_space_invalidate(&f->sp);
			assert_int_equal(pw_walk_range(&f->sp, base, base + (4ULL << 20), &v), PW_OK);
			/* [0, 502), [502], [503, 512) and [512, 1024), or [503, 1024). */
			assert_int_equal(c.n, span ? 3 : 4);
			assert_int_equal(c.va[2], base + (503ULL << 12));
			assert_int_equal(c.end[2], base + ((span ? 1024ULL : 512ULL) << 12));
			if (!span) {
				assert_int_equal(c.va[3], base + (512ULL << 12));
				assert_int_equal(c.end[3], base + (4ULL << 20));
			}
		}
		fixture_free(f);
	}
}

static void test_run_ends_at_table_end(void **state)
{
	(void)state;
	for_each_simd(check_run_ends_at_table_end);
}

/*
 * Runs across tables: two PTE tables under one PMD map 4 MiB in 4K pages at
 * contiguous physical addresses.  A visitor with runs_span_tables gets one
 * note (naming the first table and entry), one without gets a note a table;
 * either way every note is sent before any later one, in VA order.
 */
static int walk_notes_to(struct fixture *f, uint64_t base, uint64_t end, int span,
			 struct notes *c)
{
	struct pw_visitor v = { .state = c, .note = notes_note, .runs_span_tables = span };
	int rc;

	memset(c->va, 0, sizeof(c->va));
	c->n = 0;
	pw_space_invalidate(&f->sp);
	rc = pw_walk_range(&f->sp, base, end, &v);
	for (int k = 1; k < c->n; k++)
		assert_true(c->va[k] >= c->end[k - 1]);
	return rc;
}

static void walk_two_tables(struct fixture *f, uint64_t base, int span, struct notes *c)
{
	assert_int_equal(walk_notes_to(f, base, base + (4ULL << 20), span, c), PW_OK);
}

static void test_runs_span_tables(void **state)
{
	struct fixture *f = fixture_new(f4);
	uint64_t base = 0xffff888000000000ULL, pmd1, pmd_raw;
	struct notes c = { .all = 1 };

	(void)state;
	for (uint64_t i = 0; i < 1024; i++)
		map(f, base + (i << 12), 3, (0x400000 + (i << 12)) | P_KERN);
	pmd1 = syn_entry_pa(f->s, f4, f->root, base + (2ULL << 20), 2);
	pmd_raw = syn_get(f->s, pmd1, 8);

	/* One note with runs_span_tables, two without. */
	walk_two_tables(f, base, 1, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.st[0], PW_ST_MAPPED);
	assert_int_equal(c.va[0], base);
	assert_int_equal(c.end[0], base + (4ULL << 20));
	assert_int_equal(c.raw[0], 0x400000 | P_KERN);
	walk_two_tables(f, base, 0, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.end[0], base + (2ULL << 20));
	assert_int_equal(c.va[1], base + (2ULL << 20));
	assert_int_equal(c.raw[1], (0x400000 + (512ULL << 12)) | P_KERN);

	/* A range that ends inside the second table: the run stops there (the
	 * second table is walked, not taken whole). */
	assert_int_equal(walk_notes_to(f, base, base + (3ULL << 20), 1, &c), PW_OK);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.end[0], base + (3ULL << 20));
	/* Taken whole or walked, a table counts against the visit budget:
	 * the PGD, PUD, PMD and the first PTE table fit in four. */
	f->sp.max_visits = 4;
	assert_int_equal(walk_notes_to(f, base, base + (4ULL << 20), 1, &c), PW_ERR_LIMIT);
	f->sp.max_visits = 5;
	assert_int_equal(walk_notes_to(f, base, base + (4ULL << 20), 1, &c), PW_OK);
	f->sp.max_visits = 0;

	/* The second table's PMD entry read-only: other effective permissions,
	 * so the run stops at the table. */
	syn_put(f->s, pmd1, pmd_raw & ~X86_PTE_RW, 8);
	walk_two_tables(f, base, 1, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.end[0], base + (2ULL << 20));
	syn_put(f->s, pmd1, pmd_raw, 8);

	/* Not-present entries across the boundary (first table's last 100,
	 * second's first 100) are one hole; the pages after it start a run. */
	for (uint64_t i = 412; i < 612; i++)
		syn_put(f->s, syn_entry_pa(f->s, f4, f->root, base + (i << 12), 3), 0, 8);
	walk_two_tables(f, base, 1, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.st[1], PW_ST_NOT_PRESENT);
	assert_int_equal(c.va[1], base + (412ULL << 12));
	assert_int_equal(c.end[1], base + (612ULL << 12));
	assert_int_equal(c.va[2], base + (612ULL << 12));
	assert_int_equal(c.end[2], base + (4ULL << 20));
	walk_two_tables(f, base, 0, &c);
	assert_int_equal(c.n, 4);

	/* A run that would carry out of the address bits: the first table's
	 * last page at the top of the 52-bit space, the next entry one page on,
	 * which sets bit 52 (software bits: another attribute, not the next
	 * page).  Two notes, with the entry after them a run of its own. */
	for (uint64_t i = 0; i < 1024; i++)
		map(f, base + (i << 12), 3, (0x400000 + (i << 12)) | P_KERN);
	syn_put(f->s, syn_entry_pa(f->s, f4, f->root, base + (511ULL << 12), 3),
		((1ULL << 52) - 4096) | P_KERN, 8);
	syn_put(f->s, syn_entry_pa(f->s, f4, f->root, base + (512ULL << 12), 3),
		(1ULL << 52) | P_KERN, 8);
	walk_two_tables(f, base, 1, &c);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.va[1], base + (511ULL << 12));
	assert_int_equal(c.end[1], base + (512ULL << 12));
	assert_int_equal(c.va[2], base + (512ULL << 12));
	assert_int_equal(c.end[2], base + (513ULL << 12));
	assert_int_equal(c.raw[2], (1ULL << 52) | P_KERN);
	assert_int_equal(c.va[3], base + (513ULL << 12));

	/* A reserved entry right after a spanning run: the run's note first. */
	for (uint64_t i = 0; i < 1024; i++)
		map(f, base + (i << 12), 3, (0x400000 + (i << 12)) | P_KERN);
	map(f, base + (2ULL << 20), 2, 0x800000 | P_KERN | X86_PTE_PSE | (1ULL << 13));
	walk_two_tables(f, base, 1, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.st[0], PW_ST_MAPPED);
	assert_int_equal(c.end[0], base + (2ULL << 20));
	assert_int_equal(c.st[1], PW_ST_BAD_ENTRY);
	assert_int_equal(c.va[1], base + (2ULL << 20));
	fixture_free(f);
}

/* What a walk said about each 2M slot of a window: mapped bytes, and the
 * last status other than mapped or not-present. */
#define SLOTS 64
struct by_slot {
	uint64_t base;
	uint64_t mapped[SLOTS];
	enum pw_status odd[SLOTS];
	const uint64_t *reads;     /* the target's read count */
	uint64_t reads_at_first;   /* its value at the first mapped note */
};

static void slot_note(void *state, const struct pw_note *n)
{
	struct by_slot *b = state;

	for (uint64_t va = n->va; va < n->end; va = (va | ((2ULL << 20) - 1)) + 1) {
		uint64_t k = (va - b->base) >> 21;
		uint64_t slot_end = b->base + ((k + 1) << 21);
		uint64_t end = n->end < slot_end ? n->end : slot_end;

		assert_true(k < SLOTS);
		if (n->status == PW_ST_MAPPED && !b->reads_at_first && b->reads)
			b->reads_at_first = *b->reads;
		if (n->status == PW_ST_MAPPED)
			b->mapped[k] += end - va;
		else if (n->status != PW_ST_NOT_PRESENT)
			b->odd[k] = n->status;
	}
}

/*
 * Read-ahead: a PMD table whose entries 0..39 name 40 PTE tables (one 4K
 * page mapped in each) has them read back to back, a window at a time,
 * where the target copies them (PTWALK_TEST_MAP=none); one at a time where
 * it maps them.
 * Every table is read once; a walk of part of the PMD reads only the PTE
 * tables inside it; a child that is not in the dump, one that is the PMD
 * itself, repeats of one child and a child whose entry differs in its
 * attribute bits each come out as without read-ahead.
 */
static void test_read_ahead_children(void **state)
{
	struct fixture *f = fixture_new(f4);
	uint64_t base = 0xffff888000000000ULL, pmd, pte[40];
	struct by_slot b = { .base = base };
	struct pw_visitor v = { .state = &b, .note = slot_note };
	/* Read-ahead is for copies: a target that maps tables has each mapped
	 * when the walk comes to it. */
	uint64_t window = f->sp.target->map_phys ? 1
			  : PW_READAHEAD_BYTES / 4096 < PW_READAHEAD_MAX ? PW_READAHEAD_BYTES / 4096
									  : PW_READAHEAD_MAX;

	(void)state;
	b.reads = &f->s->reads;
	for (int k = 0; k < 40; k++) {
		map(f, base + ((uint64_t)k << 21), 3, (0x100000 + (uint64_t)k * 4096) | P_KERN);
		pte[k] = syn_entry_pa(f->s, f4, f->root, base + ((uint64_t)k << 21), 3) & ~0xfffULL;
	}
	pmd = syn_entry_pa(f->s, f4, f->root, base, 2) & ~0xfffULL;

	/* Whole: pgd, pud, pmd and 40 PTE tables, each read once. */
	assert_int_equal(pw_walk_range(&f->sp, base, base + ((uint64_t)SLOTS << 21), &v), PW_OK);
	assert_int_equal(f->sp.tables_read, 43);
	assert_int_equal(f->s->reads, 43);
	/* The first page was seen with a whole window of PTE tables read (a
	 * window of one where the target maps). */
	assert_true(window > 1 || f->sp.target->map_phys);
	assert_int_equal(b.reads_at_first, 3 + window);
	for (int k = 0; k < SLOTS; k++) {
		assert_int_equal(b.mapped[k], k < 40 ? 4096 : 0);
		assert_int_equal(b.odd[k], 0);
	}

	/* Part: PMD entries 10..12 only; nothing read ahead past them. */
	memset(b.mapped, 0, sizeof(b.mapped));
	pw_space_invalidate(&f->sp);
	f->sp.tables_read = 0;
	f->s->reads = 0;
	assert_int_equal(pw_walk_range(&f->sp, base + (10ULL << 21), base + (13ULL << 21), &v),
			 PW_OK);
	assert_int_equal(f->sp.tables_read, 3 + 3);
	for (int k = 10; k < 13; k++)
		assert_int_equal(b.mapped[k], 4096);

	/* Entry 5's table excluded from the dump, entry 7 naming the PMD itself,
	 * entries 21 and 22 naming entry 20's table, entry 30 with its
	 * accessed bit clear (the others have it set). */
	f->s->excluded[f->s->nexcluded++] = pte[5];
	syn_put(f->s, pmd + 7 * 8, syn_x86_table_entry(f4, 2, pmd), 8);
	syn_put(f->s, pmd + 21 * 8, syn_x86_table_entry(f4, 2, pte[20]), 8);
	syn_put(f->s, pmd + 22 * 8, syn_x86_table_entry(f4, 2, pte[20]), 8);
	syn_put(f->s, pmd + 30 * 8, syn_get(f->s, pmd + 30 * 8, 8) & ~X86_PTE_ACCESSED, 8);
	memset(&b, 0, sizeof(b));
	b.base = base;
	pw_space_invalidate(&f->sp);
	f->sp.tables_read = 0;
	assert_int_equal(pw_walk_range(&f->sp, base, base + ((uint64_t)SLOTS << 21), &v), PW_OK);
	/* pgd, pud, pmd, and 40 - 3 PTE tables (7 is the PMD, 21 and 22 are 20's). */
	assert_int_equal(f->sp.tables_read, 3 + 37);
	for (int k = 0; k < 40; k++) {
		if (k == 5) {
			assert_int_equal(b.odd[k], PW_ST_EXCLUDED);
			assert_int_equal(b.mapped[k], 0);
		} else if (k == 7) {
			assert_int_equal(b.odd[k], PW_ST_LOOP);
			assert_int_equal(b.mapped[k], 0);
		} else {
			assert_int_equal(b.odd[k], 0);
			assert_int_equal(b.mapped[k], 4096);
		}
	}
	fixture_free(f);
}

/* A digest of every note of a walk: two walks that saw the same, alike. */
struct digest {
	uint64_t hash, notes;
};

static void digest_mix(struct digest *d, uint64_t v)
{
	d->hash = (d->hash ^ v) * 0x100000001b3ULL;
}

static void digest_note(void *state, const struct pw_note *n)
{
	struct digest *d = state;

	digest_mix(d, n->va);
	digest_mix(d, n->end);
	digest_mix(d, (uint64_t)n->level << 8 | (uint64_t)n->status);
	digest_mix(d, n->raw);
	digest_mix(d, n->status == PW_ST_MAPPED ? n->e->addr : 0);
	d->notes++;
}

static struct digest walk_digest(struct fixture *f, int runs_span_tables)
{
	struct digest d = { .hash = 0xcbf29ce484222325ULL };
	struct pw_visitor v = { .state = &d, .note = digest_note,
				.runs_span_tables = runs_span_tables };

	pw_space_invalidate(&f->sp);
	f->sp.tables_read = f->sp.tables_mapped = f->sp.tables_unreadable = 0;
	assert_int_equal(pw_walk_range(&f->sp, 0, 0, &v), PW_OK);
	return d;
}

/*
 * Tables the target maps (target.map_phys: the backend's bytes, no copy)
 * walk exactly as tables read into the walker's windows, with every map
 * given back on invalidate and release: read-ahead windows of PTE tables,
 * 2M and 1G pages, a run spanning tables, an excluded table (not mapped:
 * the read says why), a table naming its parent, a table mapped and its
 * neighbour read (SYN_MAP_EVEN).
 */
static void test_mapped_tables(void **state)
{
	struct fixture *f = fixture_new(f4);
	uint64_t base = 0xffff888000000000ULL, pmd, pte5;
	struct digest copied, mapped;

	(void)state;
	syn_set_map_mode(f->s, SYN_MAP_NONE);
	for (int k = 0; k < 40; k++)
		map(f, base + ((uint64_t)k << 21), 3, (0x100000 + (uint64_t)k * 4096) | P_KERN);
	for (int i = 0; i < 1024; i++)
		map(f, base + (1ULL << 30) + (uint64_t)i * 4096, 3,
		    (0x800000 + (uint64_t)i * 4096) | P_KERN);
	map(f, base + (2ULL << 30), 2, 0x40000000 | P_KERN | X86_PTE_PSE);
	map(f, base + (3ULL << 30), 1, 0x40000000 | P_KERN | X86_PTE_PSE);
	map(f, 0x400000, 3, 0x5000 | P_USER);
	pmd = syn_entry_pa(f->s, f4, f->root, base, 2) & ~0xfffULL;
	pte5 = syn_entry_pa(f->s, f4, f->root, base + (5ULL << 21), 3) & ~0xfffULL;
	f->s->excluded[f->s->nexcluded++] = pte5;
	syn_put(f->s, pmd + 7 * 8, syn_x86_table_entry(f4, 2, pmd), 8);

	for (int span = 0; span <= 1; span++) {
		copied = walk_digest(f, span);
		assert_int_equal(f->sp.tables_mapped, 0);
		assert_int_equal(f->sp.tables_unreadable, 1); /* the excluded one */
		assert_true(copied.notes > 10);

		syn_set_map_mode(f->s, SYN_MAP_ALL);
		mapped = walk_digest(f, span);
		assert_int_equal(mapped.hash, copied.hash);
		assert_int_equal(mapped.notes, copied.notes);
		/* Every table but the excluded one mapped, each once. */
		assert_int_equal(f->sp.tables_mapped, f->sp.tables_read - 1);
		assert_int_equal(f->sp.tables_unreadable, 1);
		assert_int_equal(f->s->maps_live > 0, 1); /* held in the windows */
		pw_space_invalidate(&f->sp);
		assert_int_equal(f->s->maps_live, 0);

		syn_set_map_mode(f->s, SYN_MAP_EVEN);
		mapped = walk_digest(f, span);
		assert_int_equal(mapped.hash, copied.hash);
		assert_true(f->sp.tables_mapped > 0 && f->sp.tables_mapped < f->sp.tables_read - 1);
		syn_set_map_mode(f->s, SYN_MAP_NONE);
	}
	/* What a walk holds mapped goes back on release (syn_free checks). */
	syn_set_map_mode(f->s, SYN_MAP_ALL);
	walk_digest(f, 1);
	assert_true(f->s->maps_live > 0);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4k_page_4level),
		cmocka_unit_test(test_large_pages),
		cmocka_unit_test(test_5level_upper_half),
		cmocka_unit_test(test_not_present_each_level),
		cmocka_unit_test(test_protnone_pfn_inverted),
		cmocka_unit_test(test_noncanonical),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_bad_entries),
		cmocka_unit_test(test_excluded_table),
		cmocka_unit_test(test_effective_perms),
		cmocka_unit_test(test_range_walk_covers_and_reads_once),
		cmocka_unit_test(test_range_walk_whole_space),
		cmocka_unit_test(test_range_walk_loop_is_bounded),
		cmocka_unit_test(test_shared_tables_are_bounded),
		cmocka_unit_test(test_run_boundaries),
		cmocka_unit_test(test_empty_run_boundaries),
		cmocka_unit_test(test_repeated_run_boundaries),
		cmocka_unit_test(test_read_ahead_children),
		cmocka_unit_test(test_run_ends_at_table_end),
		cmocka_unit_test(test_runs_span_tables),
		cmocka_unit_test(test_mapped_tables),
	};

	return cmocka_run_group_tests_name("walk_x86_64", tests, NULL, NULL);
}
