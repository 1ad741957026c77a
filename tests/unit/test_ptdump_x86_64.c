// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptdump text against lines derived by hand from Linux 6.1's
 * arch/x86/mm/dump_pagetables.c (note_page(), printk_prot()): "0x%016lx-
 * 0x%016lx   ", "%9lu%c ", 30 blanks for a hole, "USR "/"    ", "RW "/"ro ",
 * "PWT ", "PCD ", "PSE ", "PAT ", "GLB ", "NX "/"x  ", then the level.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ptwalk/arch_x86_64.h"
#include "ptwalk/ptdump.h"
#include "synthetic.h"

#define HOLE "                              "
#define P_USER (X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_USER | X86_PTE_ACCESSED | X86_PTE_DIRTY)

static const struct pw_marker two_markers[] = {
	{ 0, "User Space", 0 },
	{ 1ULL << 63, "Kernel Space", 0 },
};

/* Run ptdump over the kernel's two x86_64 4-level ranges into a string. */
static char *dump_markers(struct syn *s, uint64_t root, int json, int phys,
			  const struct pw_marker *markers, int nmarkers)
{
	static char out[1 << 16];
	struct pw_space sp;
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .json = json, .phys = phys,
				    .markers = markers, .nmarkers = nmarkers };
	FILE *fp = fmemopen(out, sizeof(out), "w");

	assert_non_null(fp);
	o.fp = fp;
	assert_int_equal(pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, root), PW_OK);
	pw_ptdump_begin(&d, sp.fmt, &pw_ptdump_style_x86_64, &o);
	assert_int_equal(pw_walk_range(&sp, 0, 1ULL << 47, &v), PW_OK);
	assert_int_equal(pw_walk_range(&sp, 0xffff880000000000ULL, 0, &v), PW_OK);
	pw_ptdump_end(&d, 0);
	fclose(fp);
	pw_space_release(&sp);
	return out;
}

static char *dump(struct syn *s, uint64_t root, int json, int phys)
{
	return dump_markers(s, root, json, phys, two_markers, 2);
}

static void test_kernel_format_lines(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	const char *expect =
		"---[ User Space ]---\n"
		"0x0000000000000000-0x0000000000001000           4K " HOLE "pte\n"
		"0x0000000000001000-0x0000000000002000           4K USR RW " "    " "    " "    " "    " "    " "NX " "pte\n"
		"0x0000000000002000-0x0000000000200000        2040K " HOLE "pte\n"
		"0x0000000000200000-0x0000000040000000        1022M " HOLE "pmd\n"
		"0x0000000040000000-0x0000008000000000         511G " HOLE "pud\n"
		"0x0000008000000000-0xffff880000000000   17179745792G " HOLE "pgd\n"
		"---[ Kernel Space ]---\n"
		"0xffff880000000000-0xffffff8000000000      122368G " HOLE "pgd\n"
		"0xffffff8000000000-0xffffffff80000000         510G " HOLE "pud\n"
		"0xffffffff80000000-0xffffffff81000000          16M " HOLE "pmd\n"
		"0xffffffff81000000-0xffffffff81200000           2M " "    " "ro " "    " "    " "PSE " "    " "GLB " "x  " "pmd\n"
		"0xffffffff81200000-0xffffffffc0000000        1006M " HOLE "pmd\n"
		"0xffffffffc0000000-0x0000000000000000           1G " HOLE "pud\n";

	(void)state;
	syn_map(s, &pw_format_x86_64_4level, root, 0x1000, 3, 0x5000 | P_USER | X86_PTE_NX,
		syn_x86_table_entry);
	syn_map(s, &pw_format_x86_64_4level, root, 0xffffffff81000000ULL, 2,
		0x1000000 | X86_PTE_PRESENT | X86_PTE_ACCESSED | X86_PTE_PSE | X86_PTE_GLOBAL,
		syn_x86_table_entry);
	assert_string_equal(dump(s, root, 0, 0), expect);
	syn_free(s);
}

static void test_phys_split_and_json(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	char *out;

	(void)state;
	/* Three pages with equal flags; the third is not physically contiguous. */
	syn_map(s, &pw_format_x86_64_4level, root, 0x1000, 3, 0x5000 | P_USER, syn_x86_table_entry);
	syn_map(s, &pw_format_x86_64_4level, root, 0x2000, 3, 0x6000 | P_USER, syn_x86_table_entry);
	syn_map(s, &pw_format_x86_64_4level, root, 0x3000, 3, 0x9000 | P_USER, syn_x86_table_entry);
	out = dump(s, root, 0, 0);
	assert_non_null(strstr(out, "0x0000000000001000-0x0000000000004000          12K USR RW"));
	out = dump(s, root, 0, 1);
	assert_non_null(strstr(out, "0x0000000000001000-0x0000000000003000           8K USR RW"));
	assert_non_null(strstr(out, "pte  pa=0x5000\n"));
	assert_non_null(strstr(out, "0x0000000000003000-0x0000000000004000           4K USR RW"));
	assert_non_null(strstr(out, "pte  pa=0x9000\n"));
	out = dump(s, root, 1, 1);
	assert_non_null(strstr(out, "{\"type\":\"marker\",\"name\":\"User Space\",\"va\":\"0x0\"}\n"));
	assert_non_null(strstr(out, "{\"type\":\"range\",\"va_start\":\"0x1000\",\"va_end\":\"0x3000\","
				    "\"level\":\"pte\",\"present\":true,\"prot\":[\"USR\",\"RW\"],"
				    "\"pa_start\":\"0x5000\"}\n"));
	assert_non_null(strstr(out, "\"va_end\":\"0x10000000000000000\""));
	syn_free(s);
}

static void test_excluded_table_line(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	char *out;

	(void)state;
	syn_map(s, &pw_format_x86_64_4level, root, 0x1000, 3, 0x5000 | P_USER, syn_x86_table_entry);
	/* The PTE table is filtered out of the dump: its 2M are one range that
	 * says so, without the flags of the PMD entry above it. */
	s->excluded[s->nexcluded++] =
		syn_entry_pa(s, &pw_format_x86_64_4level, root, 0x1000, 3) & ~0xfffULL;
	out = dump(s, root, 0, 0);
	assert_non_null(strstr(out, "0x0000000000000000-0x0000000000200000           2M " HOLE
				    "pte  [excluded]\n"));
	syn_free(s);
}

/* One line of a not-present range as note_page() prints it. */
static void hole_line(FILE *fp, uint64_t start, uint64_t end, const char *size)
{
	fprintf(fp, "0x%016llx-0x%016llx   %10s " HOLE "pgd\n", (unsigned long long)start,
		(unsigned long long)end, size);
}

/*
 * x86 note_page() crosses one marker a note.  The kernel's second range
 * starts at the guard hole's end, which is also where the LDT remap marker
 * lies: its first note there crosses "Kernel Space" only, and the next note,
 * one PGD entry on, crosses "LDT remap" (Linux 6.1 prints 512G, the marker,
 * then the rest).  A marker strictly inside a run cuts it where it lies.
 */
static void test_marker_passed_at_range_start(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	const struct pw_marker markers[] = {
		{ 0, "User Space", 0 },
		{ 1ULL << 63, "Kernel Space", 0 },
		{ 0xffff880000000000ULL, "LDT remap", 0 },
		{ 0xffff8e8000000000ULL, "Low Kernel Mapping", 0 },
	};
	char *expect;
	size_t expect_len;
	FILE *want = open_memstream(&expect, &expect_len);

	(void)state;
	assert_non_null(want);
	fputs("---[ User Space ]---\n", want);
	hole_line(want, 0, 0xffff880000000000ULL, "16777096T");
	fputs("---[ Kernel Space ]---\n", want);
	hole_line(want, 0xffff880000000000ULL, 0xffff888000000000ULL, "512G");
	fputs("---[ LDT remap ]---\n", want);
	hole_line(want, 0xffff888000000000ULL, 0xffff8e8000000000ULL, "6T");
	fputs("---[ Low Kernel Mapping ]---\n", want);
	hole_line(want, 0xffff8e8000000000ULL, 0, "116224G");
	fclose(want);
	assert_string_equal(dump_markers(s, root, 0, 0, markers, 4), expect);
	free(expect);
	syn_free(s);
}

static void test_max_lines_marker(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	static char out[1 << 16];
	const struct pw_marker markers[] = {
		{ 0, "Low", 2 }, { 0x100000, "High", 0 },
	};
	struct pw_space sp;
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = 2 };

	(void)state;
	/* Alternate present / not present: 4 ranges below the second marker. */
	syn_map(s, &pw_format_x86_64_4level, root, 0x1000, 3, 0x5000 | P_USER, syn_x86_table_entry);
	syn_map(s, &pw_format_x86_64_4level, root, 0x3000, 3, 0x7000 | P_USER, syn_x86_table_entry);
	o.fp = fmemopen(out, sizeof(out), "w");
	pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, root);
	pw_ptdump_begin(&d, sp.fmt, &pw_ptdump_style_x86_64, &o);
	pw_walk_range(&sp, 0, 0x200000, &v);
	pw_ptdump_end(&d, 0x200000);
	fclose(o.fp);
	pw_space_release(&sp);
	/* Ranges 0-1000, 1000-2000 printed; 2000-3000, 3000-4000, 4000-100000
	 * counted; "... 3 entries skipped ... " when the marker is crossed. */
	assert_non_null(strstr(out, "0x0000000000001000-0x0000000000002000"));
	assert_null(strstr(out, "0x0000000000002000-0x0000000000003000"));
	assert_non_null(strstr(out, "... 3 entries skipped ... \n---[ High ]---\n"));
	syn_free(s);
}

static void test_range_dump_starts_at_its_marker(void **state)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	uint64_t root = syn_table(s, 4096);
	static char out[4096];
	const struct pw_marker markers[] = {
		{ 0, "Low", 0 }, { 0x100000, "Mid", 0 }, { 0x400000, "High", 0 },
	};
	struct pw_kernel k = { .arch = &pw_layout_x86_64, .ndump_ranges = 0 };
	struct pw_space sp;
	struct pw_ptdump_opts o = { .markers = markers, .nmarkers = 3 };
	const uint64_t range[1][2] = { { 0x180000, 0x300000 } };

	(void)state;
	o.fp = fmemopen(out, sizeof(out), "w");
	pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, root);
	assert_int_equal(pw_ptdump_run(&k, &sp, &o, range, 1, NULL), PW_OK);
	fclose(o.fp);
	pw_space_release(&sp);
	/* The marker in force at the start, and the last range ends at the end. */
	assert_string_equal(out, "---[ Mid ]---\n"
			    "0x0000000000180000-0x0000000000300000        1536K " HOLE "pgd\n");
	syn_free(s);
}

/*
 * More text than two output chunks (PW_OUT_BYTES): 3072 pages whose NX bit
 * alternates are 3072 lines; every line must arrive once, whole and in order
 * across the chunk boundaries.  The expected lines are printed here with
 * printf in the kernel's format.
 */
enum { CHUNK_TEST_PAGES = 3072 };

static struct syn *alternating_nx_pages(uint64_t *root, char **expect, size_t *expect_len)
{
	struct syn *s = syn_new(64 << 20, 32 << 20, "x86_64");
	FILE *want = open_memstream(expect, expect_len);

	assert_non_null(want);
	*root = syn_table(s, 4096);
	for (uint64_t i = 0; i < CHUNK_TEST_PAGES; i++) {
		uint64_t va = 0x200000 + i * 4096;

		syn_map(s, &pw_format_x86_64_4level, *root, va, 3,
			(0x800000 + i * 4096) | P_USER | (i & 1 ? X86_PTE_NX : 0),
			syn_x86_table_entry);
		fprintf(want, "0x%016llx-0x%016llx   %9u%c USR RW                     %s pte\n",
			(unsigned long long)va, (unsigned long long)(va + 4096), 4, 'K',
			i & 1 ? "NX" : "x ");
	}
	fclose(want);
	assert_true(*expect_len > 2 * PW_OUT_BYTES);
	return s;
}

static void dump_alternating(struct syn *s, uint64_t root, FILE *fp)
{
	struct pw_space sp;
	struct pw_ptdump d;
	struct pw_visitor v = { .state = &d, .note = pw_ptdump_note };
	struct pw_ptdump_opts o = { .fp = fp };
	uint64_t end = 0x200000 + CHUNK_TEST_PAGES * 4096;

	assert_int_equal(pw_space_init(&sp, &s->target, &pw_format_x86_64_4level, root), PW_OK);
	pw_ptdump_begin(&d, sp.fmt, &pw_ptdump_style_x86_64, &o);
	assert_int_equal(pw_walk_range(&sp, 0x200000, end, &v), PW_OK);
	pw_ptdump_end(&d, end);
	pw_space_release(&sp);
}

/* A memory stream: no descriptor, every chunk through fwrite(). */
static void test_text_longer_than_one_chunk(void **state)
{
	char *out = NULL, *expect = NULL;
	size_t out_len = 0, expect_len = 0;
	uint64_t root;
	struct syn *s = alternating_nx_pages(&root, &expect, &expect_len);
	FILE *fp = open_memstream(&out, &out_len);

	(void)state;
	assert_non_null(fp);
	dump_alternating(s, root, fp);
	fclose(fp);
	assert_int_equal(out_len, expect_len);
	assert_string_equal(out, expect);
	free(out);
	free(expect);
	syn_free(s);
}

/*
 * A file stream, as crash's redirection gives: the chunks go to its
 * descriptor directly, after the text the stream still buffers (written
 * before the dump, it must come first).
 */
static void test_text_to_a_file_after_buffered_text(void **state)
{
	static const char before[] = "crash printed this first\n";
	char *expect = NULL;
	size_t expect_len = 0;
	uint64_t root;
	struct syn *s = alternating_nx_pages(&root, &expect, &expect_len);
	FILE *fp = tmpfile();
	char *back = malloc(expect_len + sizeof(before) + 16);
	size_t got;

	(void)state;
	assert_non_null(fp);
	assert_non_null(back);
	fputs(before, fp);
	dump_alternating(s, root, fp);
	fputs("and this after\n", fp);
	rewind(fp);
	got = fread(back, 1, expect_len + sizeof(before) + 16, fp);
	assert_int_equal(got, strlen(before) + expect_len + strlen("and this after\n"));
	assert_memory_equal(back, before, strlen(before));
	assert_memory_equal(back + strlen(before), expect, expect_len);
	assert_memory_equal(back + strlen(before) + expect_len, "and this after\n", 15);
	assert_false(ferror(fp));
	fclose(fp);
	free(back);
	free(expect);
	syn_free(s);
}

/* ptdump | head: the reader is gone; the stream's error flag says so. */
static void test_text_to_a_closed_pipe_sets_the_error(void **state)
{
	char *expect = NULL;
	size_t expect_len = 0;
	uint64_t root;
	struct syn *s = alternating_nx_pages(&root, &expect, &expect_len);
	int ends[2];
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	FILE *fp;

	(void)state;
	assert_int_equal(pipe(ends), 0);
	close(ends[0]);
	fp = fdopen(ends[1], "w");
	assert_non_null(fp);
	dump_alternating(s, root, fp);
	assert_true(ferror(fp));
	fclose(fp);
	signal(SIGPIPE, old);
	free(expect);
	syn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_format_lines),
		cmocka_unit_test(test_phys_split_and_json),
		cmocka_unit_test(test_excluded_table_line),
		cmocka_unit_test(test_marker_passed_at_range_start),
		cmocka_unit_test(test_max_lines_marker),
		cmocka_unit_test(test_range_dump_starts_at_its_marker),
		cmocka_unit_test(test_text_longer_than_one_chunk),
		cmocka_unit_test(test_text_to_a_file_after_buffered_text),
		cmocka_unit_test(test_text_to_a_closed_pipe_sets_the_error),
	};

	return cmocka_run_group_tests_name("ptdump_x86_64", tests, NULL, NULL);
}
