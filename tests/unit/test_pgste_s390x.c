// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PGSTE decoding against Linux 6.1's arch/s390/include/asm/pgtable.h bit
 * definitions and the way arch/s390/mm/pgtable.c stores a storage key
 * (set_guest_storage_key(): R/C << 48, ACC/F << 56), and pw_pgste_read()
 * on 4K page tables with PGSTEs, 2K fragments and large frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/pgste.h"
#include "synthetic.h"

#define MEM (16ULL << 20)
#define TABLES (8ULL << 20)
#define PAGE_KERNEL (0x100ULL | 0x3d)

static const struct pw_format *fmt = &pw_format_s390x;

/* Storage-key byte bits (asm/page.h): ACC 0xf0, F 0x08, R 0x04, C 0x02. */
static uint64_t key_in_pgste(unsigned key)
{
	return ((uint64_t)(key & 0x06) << 48) | ((uint64_t)(key & 0xf8) << 56);
}

static void test_decode_storage_key(void **state)
{
	struct pw_pgste p;

	(void)state;
	/* Key 9, fetch-protected, referenced and changed: 0x9e. */
	pw_pgste_decode(key_in_pgste(0x9e), &p);
	assert_int_equal(p.raw, 0x9806000000000000ULL);
	assert_int_equal(p.acc, 9);
	assert_true(p.fp);
	assert_true(p.gr);
	assert_true(p.gc);
	assert_false(p.hr || p.hc || p.pcl || p.uc || p.in || p.vsie);
	assert_int_equal(p.usage, PW_PGSTE_STABLE);
	assert_false(p.zero || p.nodat);
	/* Key 0xf, nothing else. */
	pw_pgste_decode(key_in_pgste(0xf0), &p);
	assert_int_equal(p.acc, 15);
	assert_false(p.fp || p.gr || p.gc);
}

static void test_decode_bits(void **state)
{
	static const struct { uint64_t raw; size_t off; } bits[] = {
		{ 0x0080000000000000ULL, offsetof(struct pw_pgste, pcl) },
		{ 0x0040000000000000ULL, offsetof(struct pw_pgste, hr) },
		{ 0x0020000000000000ULL, offsetof(struct pw_pgste, hc) },
		{ 0x0004000000000000ULL, offsetof(struct pw_pgste, gr) },
		{ 0x0002000000000000ULL, offsetof(struct pw_pgste, gc) },
		{ 0x0000800000000000ULL, offsetof(struct pw_pgste, uc) },
		{ 0x0000400000000000ULL, offsetof(struct pw_pgste, in) },
		{ 0x0000200000000000ULL, offsetof(struct pw_pgste, vsie) },
		{ 0x0000000080000000ULL, offsetof(struct pw_pgste, zero) },
		{ 0x0000000040000000ULL, offsetof(struct pw_pgste, nodat) },
		{ 0x0800000000000000ULL, offsetof(struct pw_pgste, fp) },
	};
	static const size_t flags[] = {
		offsetof(struct pw_pgste, fp), offsetof(struct pw_pgste, pcl),
		offsetof(struct pw_pgste, hr), offsetof(struct pw_pgste, hc),
		offsetof(struct pw_pgste, gr), offsetof(struct pw_pgste, gc),
		offsetof(struct pw_pgste, uc), offsetof(struct pw_pgste, in),
		offsetof(struct pw_pgste, vsie), offsetof(struct pw_pgste, zero),
		offsetof(struct pw_pgste, nodat),
	};

	(void)state;
	/* Each bit alone sets exactly its own field. */
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		struct pw_pgste p;

		pw_pgste_decode(bits[i].raw, &p);
		for (size_t j = 0; j < sizeof(flags) / sizeof(flags[0]); j++) {
			bool set = *(const bool *)((const char *)&p + flags[j]);

			assert_int_equal(set, flags[j] == bits[i].off);
		}
		assert_int_equal(p.acc, 0);
		assert_int_equal(p.usage, PW_PGSTE_STABLE);
	}
}

static void test_usage_states(void **state)
{
	static const struct { uint64_t raw; enum pw_pgste_usage u; const char *name; } states[] = {
		{ 0x0000000000000000ULL, PW_PGSTE_STABLE, "stable" },
		{ 0x0000000001000000ULL, PW_PGSTE_UNUSED, "unused" },
		{ 0x0000000002000000ULL, PW_PGSTE_POT_VOLATILE, "pot-volatile" },
		{ 0x0000000003000000ULL, PW_PGSTE_VOLATILE, "volatile" },
	};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct pw_pgste p;

		/* With ZERO and NODAT around, the usage field stays apart. */
		pw_pgste_decode(states[i].raw | 0xc0000000ULL, &p);
		assert_int_equal(p.usage, states[i].u);
		assert_string_equal(pw_pgste_usage_name(p.usage), states[i].name);
		assert_true(p.zero);
		assert_true(p.nodat);
	}
}

struct fixture {
	struct syn *s;
	struct pw_space sp;
	uint64_t seg;   /* the segment table (the ASCE's) */
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->s = syn_new(MEM, TABLES, "s390x");
	f->seg = syn_s390x_table(f->s, fmt, S390_LEVEL_SEGMENT);
	assert_int_equal(pw_space_init(&f->sp, &f->s->target, fmt, 0), PW_OK);
	assert_int_equal(pw_s390x_space_from_asce(&f->sp, f->seg | S390_ASCE_TYPE_SEGMENT | 3),
			 PW_OK);
	return f;
}

static void fixture_free(struct fixture *f)
{
	pw_space_release(&f->sp);
	syn_free(f->s);
	test_free(f);
}

/* A 4K page table with PGSTEs behind segment `seg`, as page_table_alloc_pgste() makes it. */
static uint64_t pgste_table(struct fixture *f, int seg)
{
	uint64_t page = syn_table(f->s, 4096);

	for (int i = 0; i < 256; i++) {
		syn_put(f->s, page + 8 * (uint64_t)i, S390_PTE_INVALID, 8);
		syn_put(f->s, page + 2048 + 8 * (uint64_t)i, 0, 8);
	}
	syn_put(f->s, f->seg + 8 * (uint64_t)seg, page, 8);
	return page;
}

static void test_read_pgste(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t page = pgste_table(f, 2);
	struct pw_translation tr;
	struct pw_pgste p;
	uint64_t v = 0;

	(void)state;
	/* PTE 17 mapped with key 3; PTE 18 invalid, discarded by the guest. */
	syn_put(f->s, page + 8 * 17, 0x40000 | PAGE_KERNEL, 8);
	syn_put(f->s, page + 2048 + 8 * 17, key_in_pgste(0x36) | 0x0040000000000000ULL, 8);
	syn_put(f->s, page + 2048 + 8 * 18, 0x0000000081000000ULL, 8);
	pw_translate(&f->sp, (2ULL << 20) | (17 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_null(pw_pgste_check(&f->sp, &tr));
	assert_int_equal(pw_pgste_read(&f->sp, &tr, &v), PW_OK);
	assert_int_equal(v, 0x3046000000000000ULL);
	pw_pgste_decode(v, &p);
	assert_int_equal(p.acc, 3);
	assert_true(p.gr && p.gc && p.hr);
	/* An invalid PTE has its PGSTE too: unused and zero. */
	pw_translate(&f->sp, (2ULL << 20) | (18 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(pw_pgste_read(&f->sp, &tr, &v), PW_OK);
	pw_pgste_decode(v, &p);
	assert_int_equal(p.usage, PW_PGSTE_UNUSED);
	assert_true(p.zero);
	fixture_free(f);
}

static void test_what_has_no_pgste(void **state)
{
	struct fixture *f = fixture_new();
	uint64_t frag = syn_s390x_table(f->s, fmt, S390_LEVEL_PAGE);
	uint64_t frag2 = syn_s390x_table(f->s, fmt, S390_LEVEL_PAGE);
	struct pw_translation tr;
	uint64_t v = 0;

	(void)state;
	assert_int_equal(frag2, frag + 2048);
	syn_put(f->s, f->seg + 8 * 1, frag, 8);
	syn_put(f->s, f->seg + 8 * 2, frag2, 8);
	syn_put(f->s, frag2 + 8 * 3, 0x5000 | PAGE_KERNEL, 8);
	syn_put(f->s, f->seg + 8 * 4, 0x00400000ULL | 0x400 | 0x100, 8);  /* 1M frame */

	/* The second half of a page: a 2K fragment, no PGSTEs. */
	pw_translate(&f->sp, (2ULL << 20) | (3 << 12), &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(pw_pgste_read(&f->sp, &tr, &v), PW_ERR_INVALID);
	assert_string_equal(pw_pgste_check(&f->sp, &tr),
			    "the page table is the second 2K half of a page: a 2K "
			    "fragment, without PGSTEs");
	/* A 1M frame has no page table. */
	pw_translate(&f->sp, 4ULL << 20, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(pw_pgste_read(&f->sp, &tr, &v), PW_ERR_INVALID);
	assert_string_equal(pw_pgste_check(&f->sp, &tr),
			    "mapped by a large frame: large frames have no PGSTEs");
	/* An empty segment entry: no page table reached. */
	pw_translate(&f->sp, 5ULL << 20, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_string_equal(pw_pgste_check(&f->sp, &tr), "the walk stopped above the page table");
	/* Undetectable: the first half of a fragment page "has" a PGSTE -- the
	 * other fragment's PTE.  Only the mm's has_pgste can tell. */
	pw_translate(&f->sp, (1ULL << 20) | (3 << 12), &tr);
	assert_null(pw_pgste_check(&f->sp, &tr));
	assert_int_equal(pw_pgste_read(&f->sp, &tr, &v), PW_OK);
	assert_int_equal(v, 0x5000 | PAGE_KERNEL);
	fixture_free(f);
}

static void test_not_s390x_or_unreadable(void **state)
{
	struct syn *s = syn_new(1 << 20, 0, "x86_64");
	struct pw_space sp;
	struct pw_translation tr;
	uint64_t v;

	(void)state;
	memset(&tr, 0, sizeof(tr));
	tr.status = PW_ST_MAPPED;
	tr.nsteps = 5;
	tr.step[4].level = S390_LEVEL_PAGE;
	assert_int_equal(pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, 0), PW_OK);
	assert_int_equal(pw_pgste_read(&sp, &tr, &v), PW_ERR_INVALID);
	assert_string_equal(pw_pgste_check(&sp, &tr), "PGSTEs exist only in s390x page tables");
	pw_space_release(&sp);
	syn_free(s);

	/* A page table at the end of memory: its PGSTEs cannot be read. */
	s = syn_new(1 << 20, 0, "s390x");
	assert_int_equal(pw_space_init(&sp, &s->target, fmt, 0), PW_OK);
	tr.step[4].table_pa = 1 << 20;
	tr.step[4].entry_pa = (1 << 20) + 8;
	assert_int_equal(pw_pgste_read(&sp, &tr, &v), PW_ERR_READ);
	tr.status = PW_ST_UNREADABLE;
	assert_string_equal(pw_pgste_check(&sp, &tr), "the page table could not be read");
	tr.nsteps = 0;
	assert_string_equal(pw_pgste_check(&sp, &tr), "the address was not translated");
	pw_space_release(&sp);
	syn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_storage_key),
		cmocka_unit_test(test_decode_bits),
		cmocka_unit_test(test_usage_states),
		cmocka_unit_test(test_read_pgste),
		cmocka_unit_test(test_what_has_no_pgste),
		cmocka_unit_test(test_not_s390x_or_unreadable),
	};

	return cmocka_run_group_tests_name("pgste_s390x", tests, NULL, NULL);
}
