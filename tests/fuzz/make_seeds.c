// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the fuzzers' seed corpus: small valid page-table images of every
 * format family (built with the unit tests' synthetic builders), so the
 * fuzzers start from tables that walk deep.  Usage: make_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/arch_s390x.h"
#include "synthetic.h"

#define IMAGE (256 * 1024)

/* DIR/SUB/NAME: a harness's header, then the image up to its last table. */
static void write_input(const char *dir, const char *sub, const char *name,
			const uint8_t *hdr, size_t hdr_len, const struct syn *s)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, 1, hdr_len, f) != hdr_len ||
	    fwrite(s->mem, 1, s->next_free, f) != s->next_free) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static void write_seed(const char *dir, const char *arch, const char *name, uint8_t pick,
		       uint64_t va_seed, uint64_t asce, struct syn *s)
{
	uint8_t hdr[18] = { pick, 0 };

	for (int i = 0; i < 8; i++) {
		hdr[2 + i] = (uint8_t)(va_seed >> (56 - 8 * i));
		hdr[10 + i] = (uint8_t)(asce >> (56 - 8 * i));
	}
	write_input(dir, arch, name, hdr, sizeof(hdr), s);
}

static void x86(const char *dir, int l5)
{
	const struct pw_format *fmt = l5 ? &pw_format_x86_64_5level : &pw_format_x86_64_4level;
	struct syn *s = syn_new(IMAGE, 0, "x86_64");
	uint64_t root = syn_table(s, 4096);
	int pte = l5 ? 4 : 3;

	syn_map(s, fmt, root, 0x1000, pte, 0x5067, syn_x86_table_entry);
	syn_map(s, fmt, root, 0x2000, pte, 0x8000000000006063ULL, syn_x86_table_entry);
	syn_map(s, fmt, root, 0xffffffff81000000ULL, pte - 1, 0x10000e3, syn_x86_table_entry);
	syn_map(s, fmt, root, 0xffff888000000000ULL, pte - 2, 0x800000000000008bULL | 0x63,
		syn_x86_table_entry);
	/* A PROT_NONE pte and an entry pointing back at the root. */
	syn_map(s, fmt, root, 0x3000, pte, 0x000fffffe0f9b960ULL, syn_x86_table_entry);
	syn_put(s, root + 8 * 100, root | 0x67, 8);
	write_seed(dir, "x86_64", l5 ? "5level" : "4level", (uint8_t)l5, 0x1000, 0, s);
	syn_free(s);
}

static void arm64(const char *dir)
{
	const struct pw_format *fmt = pw_format_by_name("arm64-4k-48bit-4level");
	struct syn *s = syn_new(IMAGE, 0, "arm64");
	uint64_t root = syn_table(s, 4096);
	int pick = 0;

	for (int i = 0; pw_format_nth(i); i++) {
		if (pw_format_nth(i) == fmt)
			break;
		if (strcmp(pw_format_nth(i)->arch, "arm64") == 0)
			pick++;
	}
	/* A page (AF | page descriptor) and a 2M block. */
	syn_map(s, fmt, root, 0xffff800008001000ULL, 3, syn_arm64_oa(fmt, 0x5000) | 0x403,
		syn_arm64_table_entry);
	syn_map(s, fmt, root, 0xffff800010000000ULL, 2, syn_arm64_oa(fmt, 0x200000) | 0x401,
		syn_arm64_table_entry);
	write_seed(dir, "arm64", "4k-48bit", (uint8_t)pick, 0xffff800008001000ULL, 0, s);
	syn_free(s);
}

static void s390x(const char *dir)
{
	const struct pw_format *fmt = &pw_format_s390x;
	struct syn *s = syn_new(IMAGE, 0, "s390x");
	uint64_t root = syn_s390x_table(s, fmt, S390_LEVEL_REGION3);

	syn_s390x_map(s, fmt, root, S390_LEVEL_REGION3, 0x10000000, S390_LEVEL_PAGE, 0x7000);
	syn_s390x_map(s, fmt, root, S390_LEVEL_REGION3, 0x20000000, S390_LEVEL_PAGE, 0x8000);
	/* ASCE: origin 0, region-third designation, table length 3. */
	write_seed(dir, "s390x", "region3", 0, 0x10000000, root | S390_ASCE_TYPE_REGION3 | 3, s);
	syn_free(s);
}

/*
 * fuzz_tasks: its header (what to look for), then an image with init_task
 * (pid 0) -> pid 1 -> pid 42 on the tasks list, pid 43 a thread of 42 on
 * 42's thread list only, 42 and 43 sharing an mm whose pgd the kernel's
 * tables at 0x1000 map (see tests/fuzz/fuzz_tasks.c for the layout).
 */
#define TASK_KBASE 0xffff888000000000ULL
static void task_seed(const char *dir, const char *name, uint8_t by_addr, uint32_t arg,
		      const struct syn *s)
{
	uint8_t hdr[5] = { by_addr, (uint8_t)arg, (uint8_t)(arg >> 8), (uint8_t)(arg >> 16),
			   (uint8_t)(arg >> 24) };

	write_input(dir, "tasks", name, hdr, sizeof(hdr), s);
}

static void tasks(const char *dir)
{
	const struct pw_format *fmt = &pw_format_x86_64_4level;
	struct syn *s = syn_new(0x10000, 0, "x86_64");
	uint64_t area = syn_table(s, 4096); /* tasks at 0, 0x200, 0x400, 0x600 */
	uint64_t root = syn_table(s, 4096); /* 0x1000 */
	static const int pid[] = { 0, 1, 42, 43 };
	uint64_t kv = TASK_KBASE;

	/* KBASE .. +2M -> physical 0 (a 2M leaf). */
	syn_map(s, fmt, root, kv, 2, 0xe3, syn_x86_table_entry);
	for (int i = 0; i < 4; i++) {
		uint64_t t = area + 0x200 * (uint64_t)i;
		uint64_t sig = area + 0xa00 + 0x40 * (uint64_t)(i == 3 ? 2 : i);

		if (i < 3)
			syn_put(s, t + 0x10, kv + area + 0x200 * (uint64_t)((i + 1) % 3) + 0x10, 8);
		syn_put(s, t + 0x20, (uint64_t)pid[i], 4);
		memcpy(s->mem + t + 0x30, "task", 4);
		syn_put(s, t + 0x40, i >= 2 ? kv + area + 0x800 : 0, 8);
		syn_put(s, t + 0x50, kv + sig, 8);
	}
	/* Thread lists: each head -> its leader's node -> (43's node) -> head. */
	for (int i = 0; i < 3; i++) {
		uint64_t t = area + 0x200 * (uint64_t)i, head = area + 0xa00 + 0x40 * (uint64_t)i + 8;

		syn_put(s, head, kv + t + 0x60, 8);
		syn_put(s, t + 0x60, kv + (i == 2 ? area + 0x600 + 0x60 : head), 8);
	}
	syn_put(s, area + 0x600 + 0x60, kv + area + 0xa00 + 0x80 + 8, 8);
	syn_put(s, area + 0x800 + 0x8, kv + root, 8); /* mm->pgd */
	task_seed(dir, "thread-by-pid", 0, 43, s);
	task_seed(dir, "thread-by-address", 1, 0x600, s);
	task_seed(dir, "missing-pid", 0, 7, s);
	syn_free(s);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	x86(argv[1], 0);
	x86(argv[1], 1);
	arm64(argv[1]);
	s390x(argv[1]);
	tasks(argv[1]);
	return 0;
}
