// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Range walks over arm64 roots across the whole of each half: the kernel's
 * TTBR1 range from PAGE_OFFSET (0xffff000000000000 with 48 bits) and a
 * TTBR0 range up to 2^48.  Needs pw_walk_range() to split the halves at
 * fmt->va_bits - 1 (see the walk.c patch of issue 5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_arm64.h"
#include "ptwalk/ptdump.h"
#include "synthetic.h"

#define P(s) " " s
#define DEFAULT (ARM64_PTE_AF | ARM64_PTE_SHARED)
#define PROT_LINEAR_BLOCK P(" ") P("   ") P("RW") P("NX") P("SHD") P("AF") P("  ") \
			  P("   ") P("BLK") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_RO_TEXT_PAGE P(" ") P("   ") P("ro") P("x ") P("SHD") P("AF") P("  ") \
			  P("   ") P("   ") P("UXN") P("  ") P("MEM/NORMAL")

static const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;

struct collect { uint64_t first, next, mapped; int have, gaps; };

static void collect_note(void *state, const struct pw_note *n)
{
	struct collect *c = state;

	if (!c->have)
		c->first = n->va;
	else if (n->va != c->next)
		c->gaps++;
	c->have = 1;
	c->next = n->end;
	if (n->status == PW_ST_MAPPED)
		c->mapped += n->end - n->va;
}

static void test_kernel_half_walk_and_ptdump(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	struct pw_space sp;
	struct collect c = { 0 };
	struct pw_visitor cv = { .state = &c, .note = collect_note };
	static char out[1 << 14];
	const struct pw_marker markers[] = {
		{ 0xffff000000000000ULL, "Linear Mapping start", 0 },
		{ 0xffff800000000000ULL, "Linear Mapping end", 0 },
		{ 0xffff800000000000ULL, "Modules start", 0 },
		{ 0xffff800008000000ULL, "Modules end", 0 },
		{ 0xffff800008000000ULL, "vmalloc() area", 0 },
	};
	const char *expect =
		"---[ Linear Mapping start ]---\n"
		"0xffff000000000000-0xffff000000200000           2M PMD" PROT_LINEAR_BLOCK "\n"
		"0xffff000000200000-0xffff000040000000        1022M PMD\n"
		"0xffff000040000000-0xffff008000000000         511G PUD\n"
		"0xffff008000000000-0xffff800000000000      130560G PGD\n"
		"---[ Linear Mapping end ]---\n"
		"---[ Modules start ]---\n"
		"0xffff800000000000-0xffff800008000000         128M PMD\n"
		"---[ Modules end ]---\n"
		"---[ vmalloc() area ]---\n"
		"0xffff800008000000-0xffff800008001000           4K PTE" PROT_RO_TEXT_PAGE "\n"
		"0xffff800008001000-0xffff800008200000        2044K PTE\n"
		"0xffff800008200000-0xffff800040000000         894M PMD\n"
		"0xffff800040000000-0xffff808000000000         511G PUD\n"
		"0xffff808000000000-0x0000000000000000      130560G PGD\n";
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = 5 };

	(void)state;
	syn_map(s, fmt, root, 0xffff000000000000ULL, 2, 0x40000000ULL | ARM64_DESC_BLOCK |
		DEFAULT | ARM64_PTE_PXN | ARM64_PTE_UXN, syn_arm64_table_entry);
	syn_map(s, fmt, root, 0xffff800008000000ULL, 3, 0x41000000ULL | ARM64_DESC_TABLE |
		DEFAULT | ARM64_PTE_RDONLY | ARM64_PTE_UXN, syn_arm64_table_entry);
	assert_int_equal(pw_space_init(&sp, &s->target, fmt, root), PW_OK);
	assert_int_equal(pw_walk_range(&sp, 0xffff000000000000ULL, 0, &cv), PW_OK);
	assert_int_equal(c.first, 0xffff000000000000ULL);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.next, 0);
	assert_int_equal(c.mapped, (2 << 20) + 4096);
	o.fp = fmemopen(out, sizeof(out), "w");
	pw_ptdump_begin(&d, fmt, &pw_ptdump_style_arm64, &o);
	assert_int_equal(pw_walk_range(&sp, 0xffff000000000000ULL, 0, &v), PW_OK);
	pw_ptdump_end(&d, 0);
	fclose(o.fp);
	assert_string_equal(out, expect);
	pw_space_release(&sp);
	syn_free(s);
}

static void test_user_half_to_2_48(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	struct pw_space sp;
	struct collect c = { 0 };
	struct pw_visitor cv = { .state = &c, .note = collect_note };

	(void)state;
	syn_map(s, fmt, root, 0x0000ffffffff0000ULL, 3, 0x5000ULL | ARM64_DESC_TABLE | DEFAULT |
		ARM64_PTE_USER | ARM64_PTE_PXN, syn_arm64_table_entry);
	assert_int_equal(pw_space_init(&sp, &s->target, fmt, root), PW_OK);
	assert_int_equal(pw_walk_range(&sp, 0, 1ULL << 48, &cv), PW_OK);
	assert_int_equal(c.gaps, 0);
	assert_int_equal(c.next, 1ULL << 48);
	assert_int_equal(c.mapped, 4096);
	pw_space_release(&sp);
	syn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_half_walk_and_ptdump),
		cmocka_unit_test(test_user_half_to_2_48),
	};

	return cmocka_run_group_tests_name("walk_arm64_upper", tests, NULL, NULL);
}
