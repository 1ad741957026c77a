// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * s390x ptdump text against lines derived by hand from Linux 6.1's
 * arch/s390/mm/dump_pagetables.c: note_page() keeps val & (_PAGE_PROTECT |
 * _PAGE_NOEXEC), or _PAGE_INVALID for an invalid PTE or a zero (hole)
 * upper entry; prints "0x%0*lx-0x%0*lx " (width 16), "%9lu%c " with
 * delta = (addr - start) >> 10 scaled through "KMGTPE", then print_prot():
 * "%s " with { "ASCE", "PGD", "PUD", "PMD", "PTE" }[level] and "I\n" or
 * "RO "/"RW " + "NX\n"/"X\n".  Markers: a while loop after each printed
 * range; the final flush is at max_addr = 1 << (11 * asce type + 31).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/ptdump.h"
#include "synthetic.h"

/* Linux 6.1 pgtable.h protections. */
#define PAGE_KERNEL      (0x100ULL | 0x3d)
#define PAGE_KERNEL_RO   (0x200ULL | 0x100 | 0x15)
#define PAGE_KERNEL_EXEC 0x3dULL
#define SEGMENT_KERNEL   (0x400ULL | 0x100 | 0x3000 | 0x3)
#define REGION3_KERNEL_EXEC (0x04ULL | 0x400 | 0x3000 | 0x3)

static const struct pw_format *fmt = &pw_format_s390x;
static char out[1 << 16];

static const struct pw_arch_layout s390x_layout = {
	.arch = "s390x",
	.ptdump_style = &pw_ptdump_style_s390x,
};

struct fixture {
	struct syn *s;
	uint64_t root;
	struct pw_space sp;
	struct pw_kernel k;
};

/* A kernel with a region-third ASCE: max_addr = 1 << 42. */
static struct fixture *fixture_new(void)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->s = syn_new(64 << 20, 32 << 20, "s390x");
	f->root = syn_s390x_table(f->s, fmt, S390_LEVEL_REGION3);
	assert_int_equal(pw_space_init(&f->sp, &f->s->target, fmt, 0), PW_OK);
	assert_int_equal(pw_s390x_space_from_asce(&f->sp, f->root | S390_ASCE_TYPE_REGION3 | 3),
			 PW_OK);
	f->k.arch = &s390x_layout;
	f->k.fmt = fmt;
	/* ptdump_show(): one range, 0 .. max_addr. */
	f->k.dump_range[0].start = 0;
	f->k.dump_range[0].end = 1ULL << 42;
	f->k.ndump_ranges = 1;
	return f;
}

static void fixture_free(struct fixture *f)
{
	pw_space_release(&f->sp);
	syn_free(f->s);
	test_free(f);
}

static void map(struct fixture *f, uint64_t va, int level, uint64_t raw)
{
	syn_s390x_map(f->s, fmt, f->root, S390_LEVEL_REGION3, va, level, raw);
}

static const char *run(struct fixture *f, const struct pw_marker *markers, int n, int json)
{
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = n, .json = json };

	o.fp = fmemopen(out, sizeof(out), "w");
	assert_non_null(o.fp);
	assert_int_equal(pw_ptdump_run(&f->k, &f->sp, &o, NULL, 0, NULL), PW_OK);
	fclose(o.fp);
	return out;
}

static void test_kernel_lines(void **state)
{
	struct fixture *f = fixture_new();
	/* Sorted as sort_address_markers() leaves them; equal addresses keep
	 * their order.  The last one sits at max_addr. */
	const struct pw_marker markers[] = {
		{ 0, "Identity Mapping Start", 0 },
		{ 0x2000, "Identity Mapping End", 0 },
		{ 0x2000, "Kernel Image Start", 0 },
		{ 0x100000, "Kernel Image End", 0 },
		{ 0x100000, "Identity Mapping Start", 0 },
		{ 0x80000000, "Identity Mapping End", 0 },
		{ 0x100000000ULL, "vmemmap Area Start", 0 },
		{ 1ULL << 42, "At max_addr", 0 },
	};
	const char *expect =
		"---[ Identity Mapping Start ]---\n"
		"0x0000000000000000-0x0000000000001000         4K PTE RW X\n"
		"0x0000000000001000-0x0000000000002000         4K PTE RO NX\n"
		"---[ Identity Mapping End ]---\n"
		"---[ Kernel Image Start ]---\n"
		"0x0000000000002000-0x0000000000003000         4K PTE RW NX\n"
		"0x0000000000003000-0x0000000000100000      1012K PTE I\n"
		"---[ Kernel Image End ]---\n"
		"---[ Identity Mapping Start ]---\n"
		"0x0000000000100000-0x0000000000200000         1M PMD RW NX\n"
		"0x0000000000200000-0x0000000000300000         1M PMD RO X\n"
		"0x0000000000300000-0x0000000080000000      2045M PMD I\n"
		"---[ Identity Mapping End ]---\n"
		"0x0000000080000000-0x0000000100000000         2G PUD RW X\n"
		"---[ vmemmap Area Start ]---\n"
		"0x0000000100000000-0x0000040000000000      4092G PUD I\n"
		"---[ At max_addr ]---\n";

	(void)state;
	map(f, 0x0000, S390_LEVEL_PAGE, 0x0000 | PAGE_KERNEL_EXEC);
	map(f, 0x1000, S390_LEVEL_PAGE, 0x1000 | PAGE_KERNEL_RO);
	map(f, 0x2000, S390_LEVEL_PAGE, 0x2000 | PAGE_KERNEL);
	map(f, 0x100000, S390_LEVEL_SEGMENT, 0x100000 | SEGMENT_KERNEL);
	/* An invalidated large segment (I and FC set): pmd_large(), so the
	 * kernel notes its value and prints its protect/no-exec bits. */
	map(f, 0x200000, S390_LEVEL_SEGMENT, 0x200000 | 0x400 | 0x200 | 0x20);
	map(f, 0x80000000, S390_LEVEL_REGION3, 0x80000000 | REGION3_KERNEL_EXEC);
	assert_string_equal(run(f, markers, 8, 0), expect);
	fixture_free(f);
}

/* Invalid PTEs of any content, invalid upper entries: all "I". */
static void test_invalid_entries(void **state)
{
	struct fixture *f = fixture_new();
	const struct pw_marker markers[] = { { 0, "Identity Mapping Start", 0 } };
	const char *expect =
		"---[ Identity Mapping Start ]---\n"
		"0x0000000000000000-0x0000000000001000         4K PTE RO NX\n"
		"0x0000000000001000-0x0000000000100000      1020K PTE I\n"
		"0x0000000000100000-0x0000000080000000      2047M PMD I\n"
		"0x0000000080000000-0x0000040000000000      4094G PUD I\n";

	(void)state;
	map(f, 0x0000, S390_LEVEL_PAGE, 0x5000 | PAGE_KERNEL_RO);
	/* An invalid PTE with protect/no-exec bits (PAGE_NONE-like) is "I". */
	map(f, 0x1000, S390_LEVEL_PAGE, 0x6000 | 0x400 | 0x200 | 0x100 | 0x1);
	assert_string_equal(run(f, markers, 1, 0), expect);
	fixture_free(f);
}

/* A segment-table ASCE: max_addr = 1 << 31, levels "PMD" and "PTE". */
static void test_segment_asce(void **state)
{
	struct fixture *f = fixture_new();
	const struct pw_marker markers[] = { { 0, "Identity Mapping Start", 0 } };
	uint64_t seg = syn_s390x_table(f->s, fmt, S390_LEVEL_SEGMENT);
	const char *expect =
		"---[ Identity Mapping Start ]---\n"
		"0x0000000000000000-0x0000000000100000         1M PMD I\n"
		"0x0000000000100000-0x0000000000200000         1M PMD RW NX\n"
		"0x0000000000200000-0x0000000080000000      2046M PMD I\n";

	(void)state;
	syn_put(f->s, seg + 8, 0x100000 | SEGMENT_KERNEL, 8);
	assert_int_equal(pw_s390x_space_from_asce(&f->sp, seg | S390_ASCE_TYPE_SEGMENT | 3), PW_OK);
	f->k.dump_range[0].end = 1ULL << 31;
	assert_string_equal(run(f, markers, 1, 0), expect);
	fixture_free(f);
}

static void test_json_and_wx(void **state)
{
	struct fixture *f = fixture_new();
	const struct pw_marker markers[] = { { 0, "Identity Mapping Start", 0 } };
	const char *text;

	(void)state;
	map(f, 0x0000, S390_LEVEL_PAGE, 0x0000 | PAGE_KERNEL_EXEC);
	text = run(f, markers, 1, 1);
	assert_non_null(strstr(text, "{\"type\":\"range\",\"va_start\":\"0x0\",\"va_end\":\"0x1000\","
				     "\"level\":\"PTE\",\"present\":true,\"prot\":[\"RW\",\"X\"]}\n"));
	assert_non_null(strstr(text, "\"va_start\":\"0x1000\",\"va_end\":\"0x100000\","
				     "\"level\":\"PTE\",\"present\":false,\"prot\":[\"I\"]}\n"));
	assert_non_null(strstr(text, "\"va_end\":\"0x40000000000\""));
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_lines),
		cmocka_unit_test(test_invalid_entries),
		cmocka_unit_test(test_segment_asce),
		cmocka_unit_test(test_json_and_wx),
	};

	return cmocka_run_group_tests_name("ptdump_s390x", tests, NULL, NULL);
}
