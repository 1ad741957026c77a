// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench: how fast ptdump is, measured against baselines in the same run.
 *
 *  1. A synthetic dump made here: a 64 GiB direct map mapped with 4K pages
 *     (16M PTEs in 32768 PTE tables), x86_64 4-level.
 *     - ptdump: the whole range through the core's walker and ptdump visitor;
 *     - per-address translation of every mapped page through libkdumpfile's
 *       addrxlat (what a user would script today), on a 1/16 sample, scaled;
 *     - per-address through the core's own pw_translate(), for reference;
 *     - the floor: reading every page-table page once through the same
 *       target (the memory callback both walkers use).
 *  2. Cost grows with table pages, not with the span: an empty 5-level space
 *     (2^57 bytes, one table) against the full 64 GiB one.
 *  3. Memory: the walk allocates nothing per entry (max RSS before/after).
 *
 * Prints ratios; the goals (>= 100x over per-address, <= 1.5x the floor) are
 * reported, not enforced: a benchmark measures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <libkdumpfile/addrxlat.h>

#include "ptwalk/arch_x86_64.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/walk.h"
#include "synthetic.h"

#define DIRECT_MAP 0xffff888000000000ULL
#define MAP_BYTES (64ULL << 30)
#define PAGES (MAP_BYTES >> 12)
#define SAMPLE_EVERY 16
#define REPS 15 /* best of, for the walks and the floor */
#define P_KERN (X86_PTE_PRESENT | X86_PTE_RW | X86_PTE_ACCESSED | X86_PTE_DIRTY | \
		X86_PTE_GLOBAL | X86_PTE_NX)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static long max_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The synthetic dump: tables only (leaf pages are never read). */
struct dump {
	struct syn *s;
	uint64_t root;
	uint64_t *tables;   /* every table's PA, for the floor */
	size_t ntables;
};

static void build(struct dump *d)
{
	const struct pw_format *fmt = &pw_format_x86_64_4level;
	uint64_t ptes = PAGES / 512;

	d->s = syn_new((ptes + 256) * 4096, 0, "x86_64");
	d->root = syn_table(d->s, 4096);
	d->tables = malloc(sizeof(uint64_t) * (ptes + 256));
	for (uint64_t t = 0; t < ptes; t++) {
		uint64_t va = DIRECT_MAP + t * (2ULL << 20);
		uint64_t pa = t * (2ULL << 20);
		/* The first page creates the tables; the rest fill the PTE table. */
		uint64_t epa = syn_map(d->s, fmt, d->root, va, 3, pa | P_KERN, syn_x86_table_entry);

		for (uint64_t i = 1; i < 512; i++)
			syn_put(d->s, epa + 8 * i, (pa + (i << 12)) | P_KERN, 8);
	}
	/* Tables were bump-allocated from 0: each 4K step is one table. */
	for (uint64_t pa = 0; pa < d->s->next_free; pa += 4096)
		d->tables[d->ntables++] = pa;
}

static void count_note(void *state, const struct pw_note *n)
{
	uint64_t *mapped = state;

	if (n->status == PW_ST_MAPPED)
		*mapped += (n->end - n->va) >> 12;
}

/* ---- libkdumpfile's addrxlat over the same memory ---- */

static void put_page(const addrxlat_buffer_t *buf)
{
	(void)buf;
}

static addrxlat_status get_page(const addrxlat_cb_t *cb, addrxlat_buffer_t *buf)
{
	struct syn *s = cb->priv;
	uint64_t page = buf->addr.addr & ~0xfffULL;

	if (page + 4096 > s->size)
		return ADDRXLAT_ERR_NODATA;
	buf->addr.addr = page;
	buf->ptr = s->mem + page;
	buf->size = 4096;
	buf->byte_order = ADDRXLAT_LITTLE_ENDIAN;
	buf->put_page = put_page;
	return ADDRXLAT_OK;
}

static unsigned long read_caps(const addrxlat_cb_t *cb)
{
	(void)cb;
	return ADDRXLAT_CAPS(ADDRXLAT_MACHPHYSADDR) | ADDRXLAT_CAPS(ADDRXLAT_KPHYSADDR);
}

static double bench_addrxlat(struct dump *d, uint64_t *checked)
{
	addrxlat_ctx_t *ctx = addrxlat_ctx_new();
	addrxlat_cb_t *cb = addrxlat_ctx_add_cb(ctx);
	addrxlat_meth_t meth;
	double t0;

	cb->priv = d->s;
	cb->get_page = get_page;
	cb->read_caps = read_caps;
	memset(&meth, 0, sizeof(meth));
	meth.kind = ADDRXLAT_PGT;
	meth.target_as = ADDRXLAT_MACHPHYSADDR;
	meth.param.pgt.root.addr = d->root;
	meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
	meth.param.pgt.pf.pte_format = ADDRXLAT_PTE_X86_64;
	meth.param.pgt.pf.nfields = 5;
	meth.param.pgt.pf.fieldsz[0] = 12;
	for (int i = 1; i < 5; i++)
		meth.param.pgt.pf.fieldsz[i] = 9;
	*checked = 0;
	t0 = now();
	for (uint64_t p = 0; p < PAGES; p += SAMPLE_EVERY) {
		addrxlat_step_t step;

		memset(&step, 0, sizeof(step));
		step.ctx = ctx;
		step.meth = &meth;
		step.base.addr = DIRECT_MAP + (p << 12);
		step.base.as = ADDRXLAT_KVADDR;
		if (addrxlat_walk(&step) != ADDRXLAT_OK || step.base.addr != p << 12) {
			fprintf(stderr, "bench: addrxlat disagrees at page %llu: %s\n",
				(unsigned long long)p, addrxlat_ctx_get_err(ctx));
			exit(1);
		}
		(*checked)++;
	}
	t0 = now() - t0;
	addrxlat_ctx_decref(ctx);
	return t0 * SAMPLE_EVERY;
}

int main(void)
{
	struct dump d = { 0 };
	struct pw_space sp;
	struct pw_translation tr;
	struct pw_ptdump pd;
	struct pw_ptdump_opts o = { 0 };
	struct pw_visitor v = { .state = &pd, .note = pw_ptdump_note, .runs_span_tables = 1 };
	uint64_t mapped = 0, checked, empty_root;
	double t_build, t_dump, t_count, t_floor, t_ours, t_xlat, t_empty;
	long rss_before, rss_after;
	uint8_t buf[4096];

	t_build = now();
	build(&d);
	t_build = now() - t_build;
	printf("synthetic dump: 64 GiB direct map in 4K pages: %llu PTEs in %zu table pages "
	       "(built in %.2f s)\n", (unsigned long long)PAGES, d.ntables, t_build);
	pw_space_init(&sp, &d.s->target, &pw_format_x86_64_4level, d.root);

	/*
	 * ptdump (text to /dev/null), a bare counting walk, and the floor: every
	 * table page read once through the same target.  Best of REPS, taken in
	 * turns so that all three see the same machine.
	 */
	o.fp = fopen("/dev/null", "w");
	rss_before = max_rss_kb();
	t_dump = t_count = t_floor = 1e30;
	for (int r = 0; r < REPS; r++) {
		double t = now();

		pw_space_invalidate(&sp);
		v.state = &pd;
		v.note = pw_ptdump_note;
		pw_ptdump_begin(&pd, sp.fmt, &pw_ptdump_style_x86_64, &o);
		pw_walk_range(&sp, DIRECT_MAP, DIRECT_MAP + MAP_BYTES, &v);
		pw_ptdump_end(&pd, DIRECT_MAP + MAP_BYTES);
		t = now() - t;
		if (t < t_dump)
			t_dump = t;

		mapped = 0;
		t = now();
		pw_space_invalidate(&sp);
		v.state = &mapped;
		v.note = count_note;
		pw_walk_range(&sp, DIRECT_MAP, DIRECT_MAP + MAP_BYTES, &v);
		t = now() - t;
		if (t < t_count)
			t_count = t;
		if (mapped != PAGES) {
			fprintf(stderr, "bench: walk found %llu pages, expected %llu\n",
				(unsigned long long)mapped, (unsigned long long)PAGES);
			return 1;
		}

		t = now();
		for (size_t i = 0; i < d.ntables; i++)
			pw_read_phys(&d.s->target, d.tables[i], buf, sizeof(buf));
		t = now() - t;
		if (t < t_floor)
			t_floor = t;
	}
	rss_after = max_rss_kb();

	/* Per-address: the core's pw_translate and libkdumpfile's addrxlat. */
	t_ours = now();
	for (uint64_t p = 0; p < PAGES; p += SAMPLE_EVERY) {
		pw_translate(&sp, DIRECT_MAP + (p << 12), &tr);
		if (tr.status != PW_ST_MAPPED || tr.pa != p << 12)
			return 1;
	}
	t_ours = (now() - t_ours) * SAMPLE_EVERY;
	t_xlat = bench_addrxlat(&d, &checked);

	/* An empty 5-level space: 2^57 bytes, one table. */
	empty_root = syn_table(d.s, 4096);
	pw_space_release(&sp);
	pw_space_init(&sp, &d.s->target, &pw_format_x86_64_5level, empty_root);
	v.state = &mapped;
	t_empty = now();
	pw_walk_range(&sp, 0, 0, &v);
	t_empty = now() - t_empty;
	pw_space_release(&sp);

	printf("\n%-52s %10s %14s\n", "", "seconds", "ns/mapped page");
#define ROW(name, t) printf("%-52s %10.3f %14.1f\n", name, t, (t) * 1e9 / (double)PAGES)
	ROW("ptdump (walk + kernel-format text to /dev/null)", t_dump);
	ROW("walk only (counting visitor)", t_count);
	ROW("floor: read every table page once", t_floor);
	ROW("per-address: libkdumpfile addrxlat_walk (scaled)", t_xlat);
	ROW("per-address: ptwalk pw_translate (scaled)", t_ours);
	printf("\nmapped pages per second, ptdump: %.0f\n", (double)PAGES / t_dump);
	printf("ratio per-address (addrxlat) / ptdump: %8.1fx   (goal >= 100x: %s)\n",
	       t_xlat / t_dump, t_xlat / t_dump >= 100 ? "met" : "NOT met");
	printf("ratio ptdump / floor:                   %8.2fx   (goal <= 1.5x: %s)\n",
	       t_dump / t_floor, t_dump / t_floor <= 1.5 ? "met" : "NOT met");
	printf("ratio walk only / floor:                %8.2fx\n", t_count / t_floor);
	printf("empty 5-level space (2^57 bytes, 1 table): %.6f s vs full 64 GiB (%zu tables): "
	       "%.3f s -- cost follows tables, not span\n", t_empty, d.ntables, t_count);
	printf("max RSS: %ld KiB before the walks, %ld KiB after (the image is %llu KiB)\n",
	       rss_before, rss_after, (unsigned long long)(d.s->size >> 10));
	printf("addrxlat sample: %llu translations, all equal to the walker's\n",
	       (unsigned long long)checked);
	fclose(o.fp);
	syn_free(d.s);
	free(d.tables);
	return 0;
}
