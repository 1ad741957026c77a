// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic walker over synthetic arm64 tables: every granule and level
 * count, the TTBR1/TTBR0 address rule, blocks where the granule allows
 * them, reserved encodings, LPA addresses, the contiguous hint and the
 * folding of APTable/PXNTable/UXNTable into effective permissions.
 * Expected indexes and addresses are worked out by hand from the VA bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_arm64.h"
#include "ptwalk/walk.h"
#include "synthetic.h"

#define MEM (96ULL << 20)
#define TABLES (32ULL << 20)

/* Linux 6.1's PAGE_KERNEL: valid page, AF, inner shareable, PXN, UXN, DBM. */
#define PAGE_KERNEL (ARM64_DESC_TABLE | ARM64_PTE_AF | ARM64_PTE_SHARED | \
		     ARM64_PTE_PXN | ARM64_PTE_UXN | ARM64_PTE_DBM)
/* A kernel-text block: read-only, executable by EL1 only. */
#define BLOCK_ROX (ARM64_DESC_BLOCK | ARM64_PTE_AF | ARM64_PTE_SHARED | \
		   ARM64_PTE_RDONLY | ARM64_PTE_UXN)
/* A user page: EL0 read/write, PXN, UXN clear (user-executable). */
#define PAGE_USER_X (ARM64_DESC_TABLE | ARM64_PTE_AF | ARM64_PTE_SHARED | \
		     ARM64_PTE_USER | ARM64_PTE_NG | ARM64_PTE_PXN)

struct fixture {
	struct syn *s;
	uint64_t root;
	struct pw_space sp;
};

static struct fixture *fixture_new(const struct pw_format *fmt)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->s = syn_new(MEM, TABLES, "arm64");
	f->root = syn_table(f->s, fmt->level[0].table_bytes);
	assert_int_equal(pw_space_init(&f->sp, &f->s->target, fmt, f->root), PW_OK);
	return f;
}

static void fixture_free(struct fixture *f)
{
	pw_space_release(&f->sp);
	assert_int_equal(f->s->allocs_live, 0);
	syn_free(f->s);
	test_free(f);
}

/* Write an entry; forget the walker's cached tables, which it may change. */
static uint64_t map(struct fixture *f, uint64_t va, int level, uint64_t raw)
{
	pw_space_invalidate(&f->sp);
	return syn_map(f->s, f->sp.fmt, f->root, va, level, raw, syn_arm64_table_entry);
}

static const struct pw_format *const all_arm64[] = {
	&pw_format_arm64_4k_39bit_3level,
	&pw_format_arm64_4k_48bit_4level,
	&pw_format_arm64_16k_36bit_2level,
	&pw_format_arm64_16k_47bit_3level,
	&pw_format_arm64_16k_48bit_4level,
	&pw_format_arm64_64k_42bit_2level,
	&pw_format_arm64_64k_48bit_3level,
	&pw_format_arm64_64k_52bit_3level,
};
#define N_ARM64 (sizeof(all_arm64) / sizeof(all_arm64[0]))

/* Names, VA sizes, level counts and granules, as Linux's Kconfig pairs them. */
static void test_format_table(void **state)
{
	static const struct { const char *name; int va, levels, page_shift, top_entries; } want[] = {
		{ "arm64-4k-39bit-3level", 39, 3, 12, 512 },
		{ "arm64-4k-48bit-4level", 48, 4, 12, 512 },
		{ "arm64-16k-36bit-2level", 36, 2, 14, 2048 },
		{ "arm64-16k-47bit-3level", 47, 3, 14, 2048 },
		{ "arm64-16k-48bit-4level", 48, 4, 14, 2 },
		{ "arm64-64k-42bit-2level", 42, 2, 16, 8192 },
		{ "arm64-64k-48bit-3level", 48, 3, 16, 64 },
		{ "arm64-64k-52bit-3level", 52, 3, 16, 1024 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct pw_format *fmt = pw_format_by_name(want[i].name);

		assert_non_null(fmt);
		assert_ptr_equal(fmt, all_arm64[i]);
		assert_string_equal(fmt->arch, "arm64");
		assert_int_equal(fmt->nlevels, want[i].levels);
		assert_int_equal(ARM64_FMT_VA_BITS(fmt), want[i].va);
		assert_true(fmt->sign_extend);
		assert_false(fmt->big_endian);
		/* The top table resolves exactly VA_BITS; levels tile the VA. */
		assert_int_equal(fmt->level[0].va_shift + fmt->level[0].index_bits, want[i].va);
		assert_int_equal(fmt->level[fmt->nlevels - 1].va_shift, want[i].page_shift);
		assert_int_equal(pw_level_entries(fmt, 0), want[i].top_entries);
		for (int l = 1; l < fmt->nlevels; l++) {
			assert_int_equal(fmt->level[l].index_bits, want[i].page_shift - 3);
			assert_int_equal(fmt->level[l].table_bytes, 1u << want[i].page_shift);
			assert_int_equal(fmt->level[l - 1].va_shift,
					 fmt->level[l].va_shift + fmt->level[l].index_bits);
		}
		assert_int_equal(fmt->max_pa, 1ULL << (want[i].page_shift == 16 ? 52 : 48));
	}
}

/* The kernel's linear map starts at the bottom of TTBR1's range. */
static void test_4k_48bit_linear_map(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	uint64_t va = 0xffff000012345678ULL;
	uint64_t epa = map(f, va & ~0xfffULL, 3, 0x40345000ULL | PAGE_KERNEL);

	(void)state;
	assert_int_equal(pw_translate(&f->sp, va, &tr), PW_OK);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 4);
	/* Low 48 bits 0x0000_1234_5678: [47:39]=0 [38:30]=0 [29:21]=0x91 [20:12]=0x145. */
	assert_int_equal(tr.step[0].index, 0);
	assert_int_equal(tr.step[1].index, 0);
	assert_int_equal(tr.step[2].index, 0x91);
	assert_int_equal(tr.step[3].index, 0x145);
	assert_int_equal(tr.step[3].entry_pa, epa);
	assert_int_equal(tr.pa, 0x40345678ULL);
	assert_int_equal(tr.page_size, 4096);
	/* PAGE_KERNEL: writable, kernel only, PXN. */
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
	fixture_free(f);
}

/* The kernel image (KIMAGE_VADDR) sits in the top half of TTBR1's range. */
static void test_4k_48bit_kimage_block(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	uint64_t va = 0xffff800008000000ULL;

	(void)state;
	map(f, va, 2, 0x40200000ULL | BLOCK_ROX);
	pw_translate(&f->sp, va + 0x1234, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 3);
	assert_int_equal(tr.step[0].index, 0x100); /* bit 47 */
	assert_int_equal(tr.step[1].index, 0);
	assert_int_equal(tr.step[2].index, 0x40);  /* 0x08000000 >> 21 */
	assert_int_equal(tr.page_size, 2 << 20);
	assert_int_equal(tr.pa, 0x40201234ULL);
	assert_int_equal(tr.eff_perm, PW_PERM_EXEC); /* read-only kernel text */
	fixture_free(f);
}

/* A task's TTBR0 root covers all 2^48 bytes, including bit 47 set. */
static void test_ttbr0_user_half(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	uint64_t va = 0x0000ffffff7f1000ULL;

	(void)state;
	map(f, va, 3, 0x55000ULL | PAGE_USER_X);
	pw_translate(&f->sp, va + 8, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 0x1ff);
	assert_int_equal(tr.pa, 0x55008);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_USER | PW_PERM_EXEC);
	fixture_free(f);
}

static void test_canonical(void **state)
{
	const struct pw_format *f48 = &pw_format_arm64_4k_48bit_4level;
	const struct pw_format *f52 = &pw_format_arm64_64k_52bit_3level;
	const struct pw_format *f39 = &pw_format_arm64_4k_39bit_3level;

	(void)state;
	/* Bits [63:48] all equal. */
	assert_true(pw_va_canonical(f48, 0x0000ffffffffffffULL));
	assert_true(pw_va_canonical(f48, 0xffff000000000000ULL));
	assert_false(pw_va_canonical(f48, 0x0001000000000000ULL));
	assert_false(pw_va_canonical(f48, 0xfffe000000000000ULL));
	assert_true(pw_va_canonical(f52, 0xfff0000000000000ULL));
	assert_false(pw_va_canonical(f52, 0xffe0000000000000ULL));
	assert_true(pw_va_canonical(f39, 0xffffff8000000000ULL));
	assert_false(pw_va_canonical(f39, 0xffffff0000000000ULL));
	{
		struct fixture *f = fixture_new(f48);
		struct pw_translation tr;

		pw_translate(&f->sp, 0x0001000000000000ULL, &tr);
		assert_int_equal(tr.status, PW_ST_NONCANONICAL);
		fixture_free(f);
	}
}

/* Every format: a page at the last level, in each half, from a fresh root. */
static void test_page_every_format(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ARM64; i++) {
		const struct pw_format *fmt = all_arm64[i];
		int last = fmt->nlevels - 1;
		uint64_t page = pw_level_span(fmt, last);
		int va = ARM64_FMT_VA_BITS(fmt);
		/* Third page of the kernel half, and the last user page. */
		uint64_t kva = (UINT64_MAX << va) + 2 * page;
		uint64_t uva = (1ULL << va) - page;
		struct fixture *f = fixture_new(fmt);
		struct pw_translation tr;

		map(f, kva, last, 0x100000ULL | PAGE_KERNEL);
		map(f, uva, last, 0x200000ULL | PAGE_USER_X);
		pw_translate(&f->sp, kva + 0x10, &tr);
		assert_int_equal(tr.status, PW_ST_MAPPED);
		assert_int_equal(tr.nsteps, fmt->nlevels);
		assert_int_equal(tr.page_size, page);
		assert_int_equal(tr.pa, 0x100010);
		assert_int_equal(tr.step[last].index, 2);
		assert_int_equal(tr.step[0].index, 0);
		pw_translate(&f->sp, uva + 0x20, &tr);
		assert_int_equal(tr.status, PW_ST_MAPPED);
		assert_int_equal(tr.pa, 0x200020);
		assert_int_equal(tr.step[0].index, pw_level_entries(fmt, 0) - 1);
		assert_int_equal(tr.step[last].index, pw_level_entries(fmt, last) - 1);
		/* The next page is not mapped: stopped at the last level. */
		pw_translate(&f->sp, kva + page, &tr);
		assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
		assert_int_equal(tr.nsteps, fmt->nlevels);
		fixture_free(f);
	}
}

/* 16K, 48 bits: a two-entry level-0 table that bit 47 indexes. */
static void test_16k_48bit_two_entry_top(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_16k_48bit_4level);
	struct pw_translation tr;

	(void)state;
	map(f, 0xffff000000004000ULL, 3, 0x8000ULL | PAGE_KERNEL);
	map(f, 0xffff800000000000ULL, 3, 0xc000ULL | PAGE_KERNEL);
	pw_translate(&f->sp, 0xffff000000004000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 0);
	assert_int_equal(tr.step[3].index, 1);
	assert_int_equal(tr.page_size, 16384);
	pw_translate(&f->sp, 0xffff800000000004ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 1);
	assert_int_equal(tr.step[0].entry_pa, f->root + 8);
	assert_int_equal(tr.pa, 0xc004);
	fixture_free(f);
}

/* 64K, 52 bits: the 1024-entry top table; 48-bit kernel addresses use its last 64. */
static void test_64k_52bit_top(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_64k_52bit_3level);
	struct pw_translation tr;

	(void)state;
	map(f, 0xfff0000000010000ULL, 2, 0x30000ULL | PAGE_KERNEL);
	map(f, 0xffff000000000000ULL, 2, 0x40000ULL | PAGE_KERNEL);
	pw_translate(&f->sp, 0xfff0000000010000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 0);
	assert_int_equal(tr.step[1].index, 0);
	assert_int_equal(tr.step[2].index, 1);
	assert_int_equal(tr.page_size, 65536);
	/* 0xffff000000000000: bits [51:42] = 0x3c0 = 1024 - 64, the entry
	 * TTBR1_BADDR_4852_OFFSET points a 48-bit walk at. */
	pw_translate(&f->sp, 0xffff000000000000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 960);
	assert_int_equal(tr.step[0].entry_pa - f->root, (1024 - 64) * 8);
	assert_int_equal(tr.pa, 0x40000);
	fixture_free(f);
}

/* 64K: PA bits [51:48] come from descriptor bits [15:12] (FEAT_LPA). */
static void test_64k_lpa_addresses(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_64k_52bit_3level);
	struct pw_translation tr;
	uint64_t pa = 0x000f123456780000ULL;  /* above 2^48 */
	uint64_t raw = syn_arm64_oa(f->sp.fmt, pa) | PAGE_KERNEL;

	(void)state;
	/* By hand: bits [47:16] as they are, PA[51:48]=0xf in bits [15:12]. */
	assert_int_equal(raw & 0x0000ffffffffffffULL & ~0xfffULL, 0x0000123456780000ULL | 0xf000);
	map(f, 0xfff0000000020000ULL, 2, raw);
	pw_translate(&f->sp, 0xfff0000000020000ULL + 0x1234, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.pa, pa + 0x1234);
	/* A 512M block at level 2 with a 52-bit PA. */
	map(f, 0xfff0000020000000ULL, 1, syn_arm64_oa(f->sp.fmt, 0x0008000020000000ULL) |
					  (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT));
	pw_translate(&f->sp, 0xfff0000020000000ULL + 0x123456, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 512ULL << 20);
	assert_int_equal(tr.pa, 0x0008000020123456ULL);
	fixture_free(f);
}

/* Without LPA2, descriptor bits [49:48] are RES0 (50 and 51 are GP and DBM). */
static void test_res0_high_address_bits(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;

	(void)state;
	map(f, 0xffff000000001000ULL, 3, 0x0001000000005000ULL | PAGE_KERNEL);
	map(f, 0xffff000000002000ULL, 3, 0x6000ULL | PAGE_KERNEL | ARM64_PTE_GP);
	pw_translate(&f->sp, 0xffff000000001000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[3].e.why, "descriptor bits 49:48 set (RES0 without FEAT_LPA2)");
	/* GP (50) and DBM (51, in PAGE_KERNEL) are attributes, not address bits. */
	pw_translate(&f->sp, 0xffff000000002000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.pa, 0x6000);
	/* The 64K granule has them RES0 too: PA[51:48] lives in bits [15:12]. */
	fixture_free(f);
	f = fixture_new(&pw_format_arm64_64k_48bit_3level);
	map(f, 0xffff000000010000ULL, 2, 0x0002000000020000ULL | PAGE_KERNEL);
	pw_translate(&f->sp, 0xffff000000010000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	fixture_free(f);
}

/* Blocks: where each granule allows them, and BAD where it does not. */
static void test_blocks_by_granule(void **state)
{
	struct pw_translation tr;
	struct fixture *f;

	(void)state;
	/* 4K: 1G at level 1, 2M at level 2; level 0 is reserved. */
	f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	map(f, 0xffff000040000000ULL, 1, 0x80000000ULL | (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT));
	pw_translate(&f->sp, 0xffff000040000000ULL + 0x12345678, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 1ULL << 30);
	assert_int_equal(tr.pa, 0x92345678ULL);
	assert_int_equal(tr.nsteps, 2);
	syn_put(f->s, f->root + 8 * 3, 0x8000000000ULL | ARM64_DESC_BLOCK | ARM64_PTE_AF, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 3ULL << 39, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why,
			    "block descriptor at level 0 is reserved with the 4K granule");
	fixture_free(f);

	/* 4K, 39 bits: the top table is level 1 and may hold 1G blocks. */
	f = fixture_new(&pw_format_arm64_4k_39bit_3level);
	map(f, 0xffffff80c0000000ULL, 0, 0xc0000000ULL | BLOCK_ROX);
	pw_translate(&f->sp, 0xffffff80c0000010ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 1);
	assert_int_equal(tr.step[0].index, 3);
	assert_int_equal(tr.pa, 0xc0000010ULL);
	fixture_free(f);

	/* 16K: 32M at level 2; level 1 (64G) is reserved. */
	f = fixture_new(&pw_format_arm64_16k_47bit_3level);
	map(f, 0xffff800002000000ULL, 1, 0x4000000ULL | BLOCK_ROX);
	pw_translate(&f->sp, 0xffff800002000000ULL + 0x1ffffff, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 32ULL << 20);
	assert_int_equal(tr.pa, 0x5ffffffULL);
	syn_put(f->s, f->root + 8 * 5, 0x1000000000ULL | BLOCK_ROX, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 0xffff800000000000ULL | (5ULL << 36), &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why,
			    "block descriptor at level 1 is reserved with the 16K granule");
	fixture_free(f);

	/* 16K, 48 bits: level 0 blocks are reserved too. */
	f = fixture_new(&pw_format_arm64_16k_48bit_4level);
	syn_put(f->s, f->root, BLOCK_ROX, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, 0xffff000000000000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_string_equal(tr.step[0].e.why,
			    "block descriptor at level 0 is reserved with the 16K granule");
	fixture_free(f);

	/* 64K: 512M at level 2, 4T at level 1 (the 48-bit top table). */
	f = fixture_new(&pw_format_arm64_64k_48bit_3level);
	map(f, 0xffff000020000000ULL, 1, 0x20000000ULL | BLOCK_ROX);
	map(f, 0xffff0c0000000000ULL, 0, 0x40000000000ULL | BLOCK_ROX);
	pw_translate(&f->sp, 0xffff000020000000ULL + 0x10000, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.page_size, 512ULL << 20);
	pw_translate(&f->sp, 0xffff0c0000000000ULL + 0x123456789ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.nsteps, 1);
	assert_int_equal(tr.step[0].index, 3);
	assert_int_equal(tr.page_size, 4ULL << 40);
	assert_int_equal(tr.pa, 0x40000000000ULL + 0x123456789ULL);
	fixture_free(f);

	/* 64K, 42 bits: the 8192-entry top table is level 2, with 512M blocks. */
	f = fixture_new(&pw_format_arm64_64k_42bit_2level);
	map(f, 0xfffffc0060000000ULL, 0, 0x20000000ULL | BLOCK_ROX);
	pw_translate(&f->sp, 0xfffffc0060000000ULL, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.step[0].index, 3);
	assert_int_equal(tr.page_size, 512ULL << 20);
	fixture_free(f);
}

/* bits[1:0]: 00 and 10 invalid; 01 at level 3 reserved. */
static void test_descriptor_types(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	uint64_t va = 0xffff000000400000ULL;
	uint64_t epa = map(f, va, 3, 0x1000ULL | PAGE_KERNEL);

	(void)state;
	syn_put(f->s, epa, 0x1000ULL | (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT), 8);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_BAD_ENTRY);
	assert_int_equal(tr.nsteps, 4);
	assert_string_equal(tr.step[3].e.why, "level 3 descriptor type 01 is reserved");
	syn_put(f->s, epa, 0x1000ULL | (PAGE_KERNEL & ~ARM64_DESC_VALID), 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_string_equal(tr.step[3].e.why, "invalid (bit 0 clear, non-zero)");
	/* Linux's PROT_NONE: invalid, software bit 58, the page's address kept. */
	syn_put(f->s, epa, 0x7000ULL | ARM64_PTE_PROT_NONE |
		(PAGE_KERNEL & ~ARM64_DESC_VALID), 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.step[3].e.addr, 0x7000);
	assert_non_null(strstr(tr.step[3].e.why, "PROT_NONE"));
	syn_put(f->s, epa, 0, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_string_equal(tr.step[3].e.why, "not present");
	assert_int_equal(tr.step[3].e.addr, 0);
	/* A table descriptor with bit 0 clear ('10') is invalid too. */
	syn_put(f->s, syn_entry_pa(f->s, f->sp.fmt, f->root, va, 2),
		(syn_entry_pa(f->s, f->sp.fmt, f->root, va, 3) & ~0xfffULL) | ARM64_DESC_TABLE_BIT, 8);
	pw_space_invalidate(&f->sp);
	pw_translate(&f->sp, va, &tr);
	assert_int_equal(tr.status, PW_ST_NOT_PRESENT);
	assert_int_equal(tr.nsteps, 3);
	fixture_free(f);
}

/* The contiguous hint changes nothing in the translation; it is shown. */
static void test_contiguous_hint(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	uint64_t va = 0xffff000000800000ULL;
	char buf[256];

	(void)state;
	/* 16 x 4K = one 64K contiguous run. */
	for (int i = 0; i < 16; i++)
		map(f, va + 4096 * (uint64_t)i, 3,
		    (0x50000ULL + 4096 * (uint64_t)i) | PAGE_KERNEL | ARM64_PTE_CONT);
	for (int i = 0; i < 16; i++) {
		pw_translate(&f->sp, va + 4096 * (uint64_t)i + 7, &tr);
		assert_int_equal(tr.status, PW_ST_MAPPED);
		assert_int_equal(tr.page_size, 4096);
		assert_int_equal(tr.pa, 0x50000ULL + 4096 * (uint64_t)i + 7);
	}
	pw_flag_string(f->sp.fmt, 3, tr.step[3].raw, PW_ENTRY_LEAF, buf, sizeof(buf));
	assert_string_equal(buf, "VALID ISH AF DBM CONT PXN UXN NORMAL");
	fixture_free(f);
}

/* Hierarchical attributes in table descriptors limit what lies below. */
static void test_table_attributes_fold(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_4k_48bit_4level);
	struct pw_translation tr;
	/* Kernel RWX page (PXN clear), user RWX page (UXN clear). */
	uint64_t kva = 0xffff000000200000ULL, uva = 0x0000008000400000ULL;
	uint64_t kpmd, upmd;
	char buf[256];

	(void)state;
	map(f, kva, 3, 0x1000ULL | (PAGE_KERNEL & ~ARM64_PTE_PXN));
	map(f, uva, 3, 0x2000ULL | (PAGE_USER_X & ~ARM64_PTE_PXN));
	kpmd = syn_entry_pa(f->s, f->sp.fmt, f->root, kva, 2);
	upmd = syn_entry_pa(f->s, f->sp.fmt, f->root, uva, 2);
	pw_translate(&f->sp, kva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_EXEC);

#define SET_PMD(pa, bits) do { \
	syn_put(f->s, (pa), (syn_get(f->s, (pa), 8) & ~0xfff8000000000000ULL) | (bits), 8); \
	pw_space_invalidate(&f->sp); } while (0)

	/* Linux's kernel tables: UXNTable alone leaves kernel execution. */
	SET_PMD(kpmd, ARM64_TABLE_UXN);
	pw_translate(&f->sp, kva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_EXEC);
	/* NO_EXEC_MAPPINGS tables: PXNTable + UXNTable, nobody executes. */
	SET_PMD(kpmd, ARM64_TABLE_UXN | ARM64_TABLE_PXN);
	pw_translate(&f->sp, kva, &tr);
	assert_int_equal(tr.status, PW_ST_MAPPED);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);
	pw_flag_string(f->sp.fmt, 2, tr.step[2].raw, PW_ENTRY_TABLE, buf, sizeof(buf));
	assert_string_equal(buf, "VALID PXNTable UXNTable");
	/* APTable[1]: read-only below. */
	SET_PMD(kpmd, ARM64_TABLE_AP_RDONLY);
	pw_translate(&f->sp, kva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_EXEC);
	/* APTable[0] with PXNTable: nothing below is EL0's, so no execution. */
	SET_PMD(kpmd, ARM64_TABLE_AP_NOEL0 | ARM64_TABLE_PXN);
	pw_translate(&f->sp, kva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE);

	/* Linux's user tables: PXNTable alone leaves EL0 execution. */
	pw_translate(&f->sp, uva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_USER | PW_PERM_EXEC);
	SET_PMD(upmd, ARM64_TABLE_PXN);
	pw_translate(&f->sp, uva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_USER | PW_PERM_EXEC);
	/* APTable[0]: no EL0 access below. */
	SET_PMD(upmd, ARM64_TABLE_AP_NOEL0);
	pw_translate(&f->sp, uva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_EXEC);
	/* A higher table's restriction reaches the leaf as well. */
	SET_PMD(upmd, 0);
	SET_PMD(syn_entry_pa(f->s, f->sp.fmt, f->root, uva, 0),
		ARM64_TABLE_AP_RDONLY | ARM64_TABLE_UXN | ARM64_TABLE_PXN);
	pw_translate(&f->sp, uva, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_USER);
#undef SET_PMD
	fixture_free(f);
}

/* Leaf permissions: AP[2] and the XN bit of the owning privilege. */
static void test_leaf_permissions(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_16k_47bit_3level);
	struct pw_translation tr;

	(void)state;
	map(f, 0x4000, 2, 0x8000ULL | PAGE_USER_X | ARM64_PTE_UXN);
	map(f, 0x8000, 2, 0x8000ULL | PAGE_USER_X | ARM64_PTE_RDONLY);
	/* Kernel half, another top-level entry. */
	map(f, 0xffff801000004000ULL, 2, 0x8000ULL | (PAGE_KERNEL & ~ARM64_PTE_PXN) |
					 ARM64_PTE_RDONLY);
	pw_translate(&f->sp, 0x4000, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_WRITE | PW_PERM_USER);
	pw_translate(&f->sp, 0x8000, &tr);
	assert_int_equal(tr.eff_perm, PW_PERM_USER | PW_PERM_EXEC);
	pw_translate(&f->sp, 0xffff801000004000ULL, &tr);
	assert_int_equal(tr.step[0].index, 1);
	assert_int_equal(tr.eff_perm, PW_PERM_EXEC);
	fixture_free(f);
}

struct collect {
	uint64_t next_va, mapped, notes;
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
}

/* A range walk over a user (TTBR0) root: pages, a block, holes, no gaps. */
static void test_range_walk_user_half(void **state)
{
	struct fixture *f = fixture_new(&pw_format_arm64_64k_48bit_3level);
	struct collect c = { 0 };
	struct pw_visitor v = { .state = &c, .note = collect_note };

	(void)state;
	for (int i = 0; i < 4; i++)
		map(f, 0x10000ULL * (uint64_t)(i + 1), 2, (0x100000ULL + 0x10000ULL * (uint64_t)i) |
							   PAGE_USER_X);
	map(f, 0x40000000ULL, 1, 0x20000000ULL | (PAGE_USER_X & ~ARM64_DESC_TABLE_BIT));
	assert_int_equal(pw_walk_range(&f->sp, 0, 1ULL << 32, &v), PW_OK);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.mapped, 4 * 0x10000ULL + (512ULL << 20));
	assert_int_equal(c.next_va, 1ULL << 32);
	/* Tables: the 512-byte top, one pmd table, one pte table. */
	assert_int_equal(f->sp.tables_read, 3);
	assert_int_equal(f->sp.bytes_read, 512 + 2 * 65536);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_4k_48bit_linear_map),
		cmocka_unit_test(test_4k_48bit_kimage_block),
		cmocka_unit_test(test_ttbr0_user_half),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_page_every_format),
		cmocka_unit_test(test_16k_48bit_two_entry_top),
		cmocka_unit_test(test_64k_52bit_top),
		cmocka_unit_test(test_64k_lpa_addresses),
		cmocka_unit_test(test_res0_high_address_bits),
		cmocka_unit_test(test_blocks_by_granule),
		cmocka_unit_test(test_descriptor_types),
		cmocka_unit_test(test_contiguous_hint),
		cmocka_unit_test(test_table_attributes_fold),
		cmocka_unit_test(test_leaf_permissions),
		cmocka_unit_test(test_range_walk_user_half),
	};

	return cmocka_run_group_tests_name("walk_arm64", tests, NULL, NULL);
}
