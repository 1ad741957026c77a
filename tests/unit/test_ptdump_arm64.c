// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm64 ptdump text against lines derived by hand from Linux 6.1's
 * arch/arm64/mm/ptdump.c: note_page() prints "0x%016lx-0x%016lx   ", then
 * "%9lu%c %s" with delta = (addr - start) >> 10 scaled through "KMGTPE" and
 * pg_level[level].name, then, when current_prot is non-zero, dump_prot()'s
 * " %s" for every pte_bits[] entry (set or clear string; the AttrIndx
 * entries have no clear string).  P() below is one such " %s".  Markers:
 * one in the else-branch, and note_page() tests again after it.
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

/* pte_bits[] order: VALID USER RDONLY PXN SHARED AF NG CONT TABLE UXN GP ATTR. */
#define PROT_KERNEL_PAGE  P(" ") P("   ") P("RW") P("NX") P("SHD") P("AF") P("  ") \
			  P("   ") P("   ") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_DEVICE_PAGE  P(" ") P("   ") P("RW") P("NX") P("SHD") P("AF") P("  ") \
			  P("   ") P("   ") P("UXN") P("  ") P("DEVICE/nGnRE")
#define PROT_TEXT_BLOCK   P(" ") P("   ") P("ro") P("x ") P("SHD") P("AF") P("  ") \
			  P("   ") P("BLK") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_USER_PAGE    P(" ") P("USR") P("RW") P("NX") P("SHD") P("AF") P("NG") \
			  P("   ") P("   ") P("   ") P("  ") P("MEM/NORMAL")
#define PROT_NONE_PAGE    P("F") P("   ") P("ro") P("NX") P("SHD") P("AF") P("NG") \
			  P("   ") P("   ") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_LINEAR_BLOCK P(" ") P("   ") P("RW") P("NX") P("SHD") P("AF") P("  ") \
			  P("   ") P("BLK") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_RO_TEXT_PAGE P(" ") P("   ") P("ro") P("x ") P("SHD") P("AF") P("  ") \
			  P("   ") P("   ") P("UXN") P("  ") P("MEM/NORMAL")
#define PROT_CONT_GP_PAGE P(" ") P("   ") P("ro") P("x ") P("SHD") P("AF") P("  ") \
			  P("CON") P("   ") P("UXN") P("GP") P("MEM/NORMAL")

/* Entry values as Linux 6.1's pgtable-prot.h builds them. */
#define DEFAULT    (ARM64_PTE_AF | ARM64_PTE_SHARED)  /* _PROT_DEFAULT */
#define PAGE_KERNEL (ARM64_DESC_TABLE | DEFAULT | ARM64_PTE_PXN | ARM64_PTE_UXN | ARM64_PTE_DBM)
#define PAGE_DEVICE (PAGE_KERNEL | ((uint64_t)ARM64_MT_DEVICE_nGnRE << 2))
#define BLOCK_TEXT (ARM64_DESC_BLOCK | DEFAULT | ARM64_PTE_RDONLY | ARM64_PTE_UXN)
#define PAGE_USER  (ARM64_DESC_TABLE | DEFAULT | ARM64_PTE_USER | ARM64_PTE_NG | \
		    ARM64_PTE_PXN | ARM64_PTE_DBM)
/* PAGE_NONE: valid bit clear, PROT_NONE set. */
#define PAGE_NONE  (ARM64_DESC_TABLE_BIT | DEFAULT | ARM64_PTE_PROT_NONE | ARM64_PTE_RDONLY | \
		    ARM64_PTE_NG | ARM64_PTE_PXN | ARM64_PTE_UXN)

static char out[1 << 16];

/* Walk [0, end) of fmt's root into `out` with the arm64 style. */
static const char *dump(struct syn *s, const struct pw_format *fmt, uint64_t root,
			uint64_t end, const struct pw_marker *markers, int nmarkers, int json)
{
	struct pw_space sp;
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = nmarkers, .json = json };

	o.fp = fmemopen(out, sizeof(out), "w");
	assert_non_null(o.fp);
	assert_int_equal(pw_space_init(&sp, &s->target, fmt, root), PW_OK);
	pw_ptdump_begin(&d, fmt, &pw_ptdump_style_arm64, &o);
	assert_int_equal(pw_walk_range(&sp, 0, end, &v), PW_OK);
	pw_ptdump_end(&d, end);
	fclose(o.fp);
	pw_space_release(&sp);
	return out;
}

static uint64_t map(struct syn *s, const struct pw_format *fmt, uint64_t root,
		    uint64_t va, int level, uint64_t raw)
{
	return syn_map(s, fmt, root, va, level, raw, syn_arm64_table_entry);
}

/*
 * A 4K/4-level space below 2^47 (the part of a TTBR0 space the core walks
 * today): pages of three kinds, a PROT_NONE entry, coalesced blocks, holes
 * at every level, two markers at one address and one inside a hole.
 */
static void test_lines_4k_4level(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;
	struct syn *s = syn_new(64 << 20, 32 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = {
		{ 0, "Start", 0 },
		{ 0x40000000, "One GiB", 0 },
		{ 0x40000000, "Also one GiB", 0 },
		{ 0x40002000, "Later", 0 },
	};
	const char *expect =
		"---[ Start ]---\n"
		"0x0000000000000000-0x0000000000001000           4K PTE\n"
		"0x0000000000001000-0x0000000000002000           4K PTE" PROT_KERNEL_PAGE "\n"
		"0x0000000000002000-0x0000000000003000           4K PTE" PROT_DEVICE_PAGE "\n"
		"0x0000000000003000-0x0000000000200000        2036K PTE\n"
		"0x0000000000200000-0x0000000000600000           4M PMD" PROT_TEXT_BLOCK "\n"
		"0x0000000000600000-0x0000000040000000        1018M PMD\n"
		"---[ One GiB ]---\n"
		"---[ Also one GiB ]---\n"
		"0x0000000040000000-0x0000000040001000           4K PTE" PROT_USER_PAGE "\n"
		"0x0000000040001000-0x0000000040002000           4K PTE" PROT_NONE_PAGE "\n"
		"---[ Later ]---\n"
		"0x0000000040002000-0x0000000040200000        2040K PTE\n"
		"0x0000000040200000-0x0000000080000000        1022M PMD\n"
		"0x0000000080000000-0x0000008000000000         510G PUD\n"
		"0x0000008000000000-0x0000800000000000      130560G PGD\n";

	(void)state;
	map(s, fmt, root, 0x1000, 3, 0x40001000ULL | PAGE_KERNEL);
	map(s, fmt, root, 0x2000, 3, 0x09000000ULL | PAGE_DEVICE);
	map(s, fmt, root, 0x200000, 2, 0x40200000ULL | BLOCK_TEXT);
	map(s, fmt, root, 0x400000, 2, 0x40400000ULL | BLOCK_TEXT);
	map(s, fmt, root, 0x40000000, 3, 0x50000000ULL | PAGE_USER);
	map(s, fmt, root, 0x40001000, 3, 0x50001000ULL | PAGE_NONE);
	assert_string_equal(dump(s, fmt, root, 1ULL << 47, markers, 4, 0), expect);
	syn_free(s);
}

/* With three levels the top table's blocks are named "PGD" (folded pud). */
static void test_lines_3level_top_blocks(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_39bit_3level;
	struct syn *s = syn_new(16 << 20, 8 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = { { 0, "Start", 0 } };
	const char *expect =
		"---[ Start ]---\n"
		"0x0000000000000000-0x0000000040000000           1G PGD\n"
		"0x0000000040000000-0x0000000080000000           1G PGD" PROT_TEXT_BLOCK "\n"
		"0x0000000080000000-0x0000004000000000         254G PGD\n";

	(void)state;
	map(s, fmt, root, 0x40000000, 0, 0x40000000ULL | BLOCK_TEXT);
	assert_string_equal(dump(s, fmt, root, 1ULL << 38, markers, 1, 0), expect);
	syn_free(s);
}

/* With two levels (64K, 42 bits) the top table's blocks print "PGD" too. */
static void test_lines_64k_2level(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_64k_42bit_2level;
	struct syn *s = syn_new(16 << 20, 8 << 20, "arm64");
	uint64_t root = syn_table(s, 65536);
	const struct pw_marker markers[] = { { 0, "Start", 0 } };
	const char *expect =
		"---[ Start ]---\n"
		"0x0000000000000000-0x0000000000010000          64K PTE" PROT_KERNEL_PAGE "\n"
		"0x0000000000010000-0x0000000020000000      524224K PTE\n"
		"0x0000000020000000-0x0000000040000000         512M PGD" PROT_LINEAR_BLOCK "\n"
		"0x0000000040000000-0x0000020000000000        2047G PGD\n";

	(void)state;
	map(s, fmt, root, 0, 1, 0x40000000ULL | PAGE_KERNEL);
	map(s, fmt, root, 0x20000000, 0, 0x60000000ULL |
	    (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT & ~ARM64_PTE_DBM));
	assert_string_equal(dump(s, fmt, root, 1ULL << 41, markers, 1, 0), expect);
	syn_free(s);
}

/* The contiguous hint and BTI's GP bit are printed; CONT does not merge anything. */
static void test_cont_and_gp(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;
	struct syn *s = syn_new(16 << 20, 8 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = { { 0, "Start", 0 } };
	const char *expect =
		"---[ Start ]---\n"
		"0x0000000000000000-0x0000000000010000          64K PTE" PROT_CONT_GP_PAGE "\n"
		"0x0000000000010000-0x0000000000011000           4K PTE" PROT_RO_TEXT_PAGE "\n"
		"0x0000000000011000-0x0000000000200000        1980K PTE\n"
		"0x0000000000200000-0x0000000040000000        1022M PMD\n"
		"0x0000000040000000-0x0000008000000000         511G PUD\n";

	(void)state;
	for (int i = 0; i < 16; i++)
		map(s, fmt, root, 0x1000ULL * (uint64_t)i, 3, (0x40000000ULL + 0x1000ULL * (uint64_t)i) |
		    ARM64_DESC_TABLE | DEFAULT | ARM64_PTE_RDONLY | ARM64_PTE_UXN |
		    ARM64_PTE_CONT | ARM64_PTE_GP);
	map(s, fmt, root, 0x10000, 3, 0x40010000ULL | ARM64_DESC_TABLE | DEFAULT |
	    ARM64_PTE_RDONLY | ARM64_PTE_UXN);
	assert_string_equal(dump(s, fmt, root, 1ULL << 39, markers, 1, 0), expect);
	syn_free(s);
}

/* A level-3 '01' entry: printed as the kernel would (BLK), flagged bad. */
static void test_reserved_entry_is_flagged(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;
	struct syn *s = syn_new(16 << 20, 8 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = { { 0, "Start", 0 } };
	const char *text;

	(void)state;
	map(s, fmt, root, 0x1000, 3, 0x40001000ULL | (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT));
	text = dump(s, fmt, root, 1ULL << 21, markers, 1, 0);
	assert_non_null(strstr(text, "0x0000000000001000-0x0000000000002000           4K PTE"
				     PROT_LINEAR_BLOCK "  [bad-entry]\n"));
	syn_free(s);
}

struct pw_note_seq {
	uint64_t va, end;
	int level;
	enum pw_status status;
	uint64_t raw;
};

/*
 * The kernel's own dump starts at PAGE_OFFSET with 6.1's marker list; here
 * fed note by note (the core's range walk cannot reach the lower half of
 * TTBR1's range yet).  PAGE_END and MODULES_VADDR share an address, as do
 * MODULES_END and VMALLOC_START: each pair prints together.
 */
static void test_kernel_markers_by_notes(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;
	const struct pw_marker markers[] = {
		{ 0xffff000000000000ULL, "Linear Mapping start", 0 },
		{ 0xffff800000000000ULL, "Linear Mapping end", 0 },
		{ 0xffff800000000000ULL, "Modules start", 0 },
		{ 0xffff800008000000ULL, "Modules end", 0 },
		{ 0xffff800008000000ULL, "vmalloc() area", 0 },
	};
	const struct pw_note_seq seq[] = {
		{ 0xffff000000000000ULL, 0xffff000000200000ULL, 2, PW_ST_MAPPED,
		  0x40000000ULL | (PAGE_KERNEL & ~ARM64_DESC_TABLE_BIT) },
		{ 0xffff000000200000ULL, 0xffff000040000000ULL, 2, PW_ST_NOT_PRESENT, 0 },
		{ 0xffff000040000000ULL, 0xffff800000000000ULL, 0, PW_ST_NOT_PRESENT, 0 },
		{ 0xffff800000000000ULL, 0xffff800008000000ULL, 2, PW_ST_NOT_PRESENT, 0 },
		{ 0xffff800008000000ULL, 0xffff800008001000ULL, 3, PW_ST_MAPPED,
		  0x41000000ULL | ARM64_DESC_TABLE | DEFAULT | ARM64_PTE_RDONLY | ARM64_PTE_UXN },
		{ 0xffff800008001000ULL, 0, 0, PW_ST_NOT_PRESENT, 0 },
	};
	const char *expect =
		"---[ Linear Mapping start ]---\n"
		"0xffff000000000000-0xffff000000200000           2M PMD" PROT_LINEAR_BLOCK "\n"
		"0xffff000000200000-0xffff000040000000        1022M PMD\n"
		"0xffff000040000000-0xffff800000000000      131071G PGD\n"
		"---[ Linear Mapping end ]---\n"
		"---[ Modules start ]---\n"
		"0xffff800000000000-0xffff800008000000         128M PMD\n"
		"---[ Modules end ]---\n"
		"---[ vmalloc() area ]---\n"
		"0xffff800008000000-0xffff800008001000           4K PTE" PROT_RO_TEXT_PAGE "\n"
		/* (2^64 - 0xffff800008001000) >> 10 = 137438822396, not a multiple of 1024 */
		"0xffff800008001000-0x0000000000000000   137438822396K PGD\n";
	struct pw_ptdump d;
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = 5 };

	(void)state;
	o.fp = fmemopen(out, sizeof(out), "w");
	pw_ptdump_begin(&d, fmt, &pw_ptdump_style_arm64, &o);
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		struct pw_entry e;
		struct pw_note n = {
			.va = seq[i].va, .end = seq[i].end, .level = seq[i].level,
			.raw = seq[i].raw, .e = &e, .status = seq[i].status,
		};

		pw_decode(fmt, seq[i].level, seq[i].raw, &e);
		pw_ptdump_note(&d, &n);
	}
	/* The kernel's final note_page(st, 0, -1, 0). */
	pw_ptdump_end(&d, 0);
	fclose(o.fp);
	assert_string_equal(out, expect);
	/* W+X as note_prot_wx() sees it: nothing here is writable and PXN-clear. */
	assert_int_equal(d.wx_bytes, 0);
}

static void test_json_and_wx(void **state)
{
	const struct pw_format *fmt = &pw_format_arm64_4k_48bit_4level;
	struct syn *s = syn_new(16 << 20, 8 << 20, "arm64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = { { 0, "Start", 0 } };
	struct pw_space sp;
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = 1, .json = 1 };

	(void)state;
	/* A writable page with PXN clear: W+X for the kernel's check. */
	map(s, fmt, root, 0x3000, 3, 0x40003000ULL | (PAGE_KERNEL & ~ARM64_PTE_PXN));
	o.fp = fmemopen(out, sizeof(out), "w");
	pw_space_init(&sp, &s->target, fmt, root);
	pw_ptdump_begin(&d, fmt, &pw_ptdump_style_arm64, &o);
	pw_walk_range(&sp, 0, 0x200000, &v);
	pw_ptdump_end(&d, 0x200000);
	fclose(o.fp);
	pw_space_release(&sp);
	assert_non_null(strstr(out, "{\"type\":\"range\",\"va_start\":\"0x3000\",\"va_end\":\"0x4000\","
				    "\"level\":\"PTE\",\"present\":true,"
				    "\"prot\":[\"RW\",\"x\",\"SHD\",\"AF\",\"UXN\",\"MEM/NORMAL\"]}\n"));
	assert_non_null(strstr(out, "\"va_start\":\"0x0\",\"va_end\":\"0x3000\",\"level\":\"PTE\","
				    "\"present\":false,\"prot\":[]}\n"));
	assert_int_equal(d.wx_bytes, 4096);
	syn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_4k_4level),
		cmocka_unit_test(test_lines_3level_top_blocks),
		cmocka_unit_test(test_lines_64k_2level),
		cmocka_unit_test(test_cont_and_gp),
		cmocka_unit_test(test_reserved_entry_is_flagged),
		cmocka_unit_test(test_kernel_markers_by_notes),
		cmocka_unit_test(test_json_and_wx),
	};

	return cmocka_run_group_tests_name("ptdump_arm64", tests, NULL, NULL);
}
