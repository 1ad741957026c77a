// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench, through a real backend: dump files read by libkdumpfile, with
 * the batch tool's target (batch/target_kdumpfile.c).
 *
 *   bench-kdump [--vtop-sample FILE N] [--profile REPS] [--cache-size PAGES]
 *               [--no-map] [--synthetic] VMCORE
 *
 * --profile REPS: only the warm ptdump, bare walk and floor, best of REPS
 * (for perf record).  --no-map: the target copies every table (read()), as
 * before it mapped them.
 *
 * For one dump, from one run:
 *   (a) ptdump: the kernel's default ranges (a real dump: its layout from
 *       VMCOREINFO, kallsyms and BTF) or the 64 GiB direct map (the
 *       synthetic dump of bench/mkvmcore.c), kernel-format text to
 *       /dev/null; time and mapped pages per second;
 *   (b) the same coverage one page at a time: every mapped 4K page (a
 *       sample on the synthetic dump, scaled) translated by libkdumpfile's
 *       addrxlat_walk() with its own page-table method for the dump, each
 *       result compared with the walker's;
 *   (c) the floor: every page-table page the walk visits taken once through
 *       the same target as the walker takes it: mapped (target.map_phys: the
 *       batch target maps libkdumpfile's pages), one load from each 64-byte
 *       line, or, where the target cannot map, read; beside it the floor
 *       through read(), each page copied;
 *   the walk alone (a counting visitor: the text's cost is the difference);
 *   the floor plus an OR of every table's words (the least look at every
 *       entry: what any walk costs at best through this target);
 *   the ratios, and: an empty 5-level space (the synthetic dump's zero top
 *   table walked over all 2^64) against the full walk (cost follows table
 *   pages, not span); max RSS around the ptdump.
 *
 * With --vtop-sample, N mapped addresses spread over the walk, with their
 * physical addresses, go to FILE ("va pa" per line) for crash's vtop
 * (bench/crash_vtop.py).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libkdumpfile/kdumpfile.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "batch.h"
#include "bench_layout.h"
#include "ptwalk/kernel.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/walk.h"

/* At most this many addrxlat translations per dump; more pages are sampled. */
#define XLAT_MAX (1u << 18)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident anonymous memory (the program's own) and file-backed (the
 * dump's pages libkdumpfile maps), in KiB. */
static long rss_kb(const char *which)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");
	size_t n = strlen(which);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, which, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* What the collecting walk keeps: mapped runs and the tables visited. */
struct run {
	uint64_t va, end, pa;
};

struct collect {
	struct run *runs;
	size_t nruns, cap_runs;
	uint64_t *tables;
	size_t ntables, cap_tables;
	uint64_t mapped_pages;
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 1024;
	if (*cap < need)
		*cap = need;
	p = realloc(p, *cap * elem);
	if (!p) {
		fprintf(stderr, "bench-kdump: out of memory\n");
		exit(1);
	}
	return p;
}

static void collect_note(void *state, const struct pw_note *n)
{
	struct collect *c = state;
	uint64_t end = n->end ? n->end : UINT64_MAX;

	if (n->status != PW_ST_MAPPED)
		return;
	c->runs = grow(c->runs, &c->cap_runs, c->nruns + 1, sizeof(*c->runs));
	c->runs[c->nruns].va = n->va;
	c->runs[c->nruns].end = end;
	/* The first entry's page, at the offset of the (maybe clamped) start. */
	c->runs[c->nruns].pa = n->e->addr + (n->va & (n->e->size - 1));
	c->nruns++;
	c->mapped_pages += (end - n->va) >> 12;
}

static int collect_table(void *state, const struct pw_table_visit *tv)
{
	struct collect *c = state;

	c->tables = grow(c->tables, &c->cap_tables, c->ntables + 1, sizeof(*c->tables));
	c->tables[c->ntables++] = tv->table_pa;
	return 0;
}

static void count_note(void *state, const struct pw_note *n)
{
	uint64_t *mapped = state;

	if (n->status == PW_ST_MAPPED)
		*mapped += ((n->end ? n->end : UINT64_MAX) - n->va) >> 12;
}

/* One dump under test. */
struct bench {
	const char *path;
	int synthetic;
	long cache_pages;	/* --cache-size: libkdumpfile's cache.size, 0: its default */
	struct batch_dump d;
	struct pw_kernel k;
	int have_kernel;
	struct pw_space sp;
	uint64_t ranges[PW_MAX_DUMP_RANGES][2];
	int nranges;
};

/* ptdump of the bench's ranges, text to fp; returns seconds. */
static double __attribute__((noinline)) run_ptdump(struct bench *b, FILE *fp, struct pw_ptdump *pd_out)
{
	struct pw_ptdump_opts o = { .fp = fp };
	struct pw_ptdump pd;
	struct pw_visitor v = { .state = &pd, .note = pw_ptdump_note, .runs_span_tables = 1 };
	double t;

	/* pw_ptdump_run() keeps its state to itself: no totals from it. */
	memset(&pd, 0, offsetof(struct pw_ptdump, out));
	t = now();
	pw_space_invalidate(&b->sp);
	if (b->have_kernel) {
		o.markers = b->k.markers;
		o.nmarkers = b->k.nmarkers;
		if (pw_ptdump_run(&b->k, &b->sp, &o, NULL, 0, NULL) != PW_OK) {
			fprintf(stderr, "bench-kdump: ptdump stopped\n");
			exit(1);
		}
	} else {
		pw_ptdump_begin(&pd, b->sp.fmt, &pw_ptdump_style_x86_64, &o);
		for (int r = 0; r < b->nranges; r++)
			pw_walk_range(&b->sp, b->ranges[r][0], b->ranges[r][1], &v);
		pw_ptdump_end(&pd, b->ranges[b->nranges - 1][1]);
	}
	t = now() - t;
	if (pd_out)
		*pd_out = pd;
	return t;
}

/* The bare walk: a visitor that only counts (the text's cost is the difference). */
static double __attribute__((noinline)) run_walk_only(struct bench *b)
{
	uint64_t mapped = 0;
	struct pw_visitor v = { .state = &mapped, .note = count_note, .runs_span_tables = 1 };
	double t = now();

	pw_space_invalidate(&b->sp);
	for (int r = 0; r < b->nranges; r++)
		pw_walk_range(&b->sp, b->ranges[r][0], b->ranges[r][1], &v);
	return now() - t;
}

/* Every table page the walk visits, read once (copied) through the target. */
static double __attribute__((noinline)) run_floor_copy(struct batch_dump *d, const struct collect *c)
{
	static uint8_t page[4096];
	double t = now();

	for (size_t j = 0; j < c->ntables; j++)
		if (d->target.read(d->target.ctx, PW_PHYS, c->tables[j], page, 4096)) {
			fprintf(stderr, "bench-kdump: table %#llx unreadable\n",
				(unsigned long long)c->tables[j]);
			exit(1);
		}
	return now() - t;
}

/*
 * The least look at every entry of a table: an OR of its 512 words, with the
 * walker's own vector width (AVX2 where the CPU has it), no decoding, no runs,
 * no notes.  Added to the floor, it is about the least that any walk that
 * reads every table and looks at every entry costs through this target (not a
 * proof: a cleverer order of reads could beat it); the gap from (a) to it is
 * the walk's own work, decoding, runs, notes and text.
 */
static uint64_t or_words_plain(const uint64_t *p)
{
	uint64_t a = 0, b = 0, c = 0, d = 0;

	for (int k = 0; k < 512; k += 4) {
		a |= p[k];
		b |= p[k + 1];
		c |= p[k + 2];
		d |= p[k + 3];
	}
	return a | b | c | d;
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) static uint64_t or_words_avx2(const uint64_t *p)
{
	const __m256i *v = (const __m256i *)p;
	__m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;

	for (int k = 0; k < 128; k += 4) {
		a = _mm256_or_si256(a, _mm256_loadu_si256(v + k));
		b = _mm256_or_si256(b, _mm256_loadu_si256(v + k + 1));
		c = _mm256_or_si256(c, _mm256_loadu_si256(v + k + 2));
		d = _mm256_or_si256(d, _mm256_loadu_si256(v + k + 3));
	}
	a = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
	return (uint64_t)_mm256_extract_epi64(a, 0) | (uint64_t)_mm256_extract_epi64(a, 1) |
	       (uint64_t)_mm256_extract_epi64(a, 2) | (uint64_t)_mm256_extract_epi64(a, 3);
}
#endif

typedef uint64_t (*page_look_fn)(const uint64_t *p);

/* The OR of a page's words with the walker's vector width, where the CPU has it. */
static page_look_fn or_words(void)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2"))
		return or_words_avx2;
#endif
	return or_words_plain;
}

/* One load from each 64-byte line of a page: the least that reads it. */
static uint64_t touch_lines(const uint64_t *p)
{
	uint64_t acc = 0;

	for (int k = 0; k < 512; k += 8)
		acc |= p[k];
	return acc;
}

static volatile uint64_t scan_sink; /* keeps the loads and ORs */

/*
 * Every table page the walk visits, mapped through the target (its bytes
 * in the backend, not copied), looked at with `look`, unmapped.
 */
static double __attribute__((noinline)) run_floor_map(struct batch_dump *d, const struct collect *c,
						      page_look_fn look)
{
	const struct pw_target *tg = &d->target;
	uint64_t acc = 0;
	double t = now();

	for (size_t j = 0; j < c->ntables; j++) {
		void *cookie = NULL;
		const uint64_t *p = tg->map_phys(tg->ctx, c->tables[j], 4096, &cookie);

		if (!p) {
			fprintf(stderr, "bench-kdump: table %#llx not mapped\n",
				(unsigned long long)c->tables[j]);
			exit(1);
		}
		acc |= look(p);
		tg->unmap(tg->ctx, cookie);
	}
	t = now() - t;
	scan_sink = acc;
	return t;
}

/*
 * (c) the floor: every table page the walk visits, read once through the
 * same target, the way the walker takes it: mapped where the target maps,
 * one load from each line (what reading a page costs when nothing copies
 * it); else copied.
 */
static double run_floor(struct batch_dump *d, const struct collect *c)
{
	return d->target.map_phys ? run_floor_map(d, c, touch_lines) : run_floor_copy(d, c);
}

/*
 * (c) plus that least look: every table page read once, eight at a time
 * back to back (as the walker's read-ahead does: copies in a row overlap,
 * a copy scanned at once stalls), then each OR-ed.
 */
#define SCAN_BATCH 8
static double __attribute__((noinline)) run_floor_scan(struct bench *b, const struct collect *c)
{
	static uint64_t pages[SCAN_BATCH][512] __attribute__((aligned(64)));
	page_look_fn scan = or_words();
	uint64_t acc = 0;
	double t = now();

	for (size_t j = 0; j < c->ntables; j += SCAN_BATCH) {
		size_t n = c->ntables - j < SCAN_BATCH ? c->ntables - j : SCAN_BATCH;

		for (size_t k = 0; k < n; k++)
			if (b->d.target.read(b->d.target.ctx, PW_PHYS, c->tables[j + k],
					     pages[k], 4096)) {
				fprintf(stderr, "bench-kdump: table %#llx unreadable\n",
					(unsigned long long)c->tables[j + k]);
				exit(1);
			}
		for (size_t k = 0; k < n; k++)
			acc |= scan(pages[k]);
	}
	t = now() - t;
	scan_sink = acc;
	return t;
}

static int open_dump(struct bench *b, char *why, size_t len)
{
	int64_t l5 = 0;

	memset(&b->d, 0, sizeof(b->d));
	b->d.fd = -1;
	b->d.cache_pages = b->cache_pages;
	if (bd_open(&b->d, b->path, 1, why, len))
		return -1;
	if (strcmp(b->d.arch, "x86_64") != 0) {
		snprintf(why, len, "the bench walks x86_64 dumps, this one is %s", b->d.arch);
		return -1;
	}
	if (b->synthetic) {
		/* Its layout is bench_layout.h; the format from its VMCOREINFO. */
		pw_number(&b->d.target, "pgtable_l5_enabled", &l5);
		if (pw_space_init(&b->sp, &b->d.target,
				  l5 ? &pw_format_x86_64_5level : &pw_format_x86_64_4level,
				  BENCH_ROOT_PA)) {
			snprintf(why, len, "out of memory");
			return -1;
		}
		b->ranges[0][0] = BENCH_DIRECT_MAP;
		b->ranges[0][1] = BENCH_DIRECT_MAP + BENCH_MAP_BYTES;
		b->nranges = 1;
		return 0;
	}
	if (pw_kernel_open(&b->k, &b->d.target, why, len))
		return -1;
	b->have_kernel = 1;
	if (pw_kernel_space(&b->k, &b->sp, b->k.kernel_root)) {
		snprintf(why, len, "cannot set up the kernel's space");
		return -1;
	}
	for (int r = 0; r < b->k.ndump_ranges; r++) {
		b->ranges[r][0] = b->k.dump_range[r].start;
		b->ranges[r][1] = b->k.dump_range[r].end;
	}
	b->nranges = b->k.ndump_ranges;
	return 0;
}

/*
 * libkdumpfile's own page-table method for the kernel (its root is
 * init_top_pgt's virtual address, which it translates itself); NULL when
 * it set none up.  Its results are compared with the walker's anyway.
 */
static const addrxlat_meth_t *kdump_pgt(addrxlat_sys_t *sys)
{
	const addrxlat_meth_t *m = sys ? addrxlat_sys_get_meth(sys, ADDRXLAT_SYS_METH_PGT) : NULL;

	return m && m->kind == ADDRXLAT_PGT ? m : NULL;
}

/*
 * Every mapped page (every stride-th) through addrxlat_walk(); returns
 * seconds scaled to all pages, or a negative value on a disagreement.
 */
static double run_addrxlat(struct bench *b, const struct collect *c, uint64_t stride,
			   int use_kdump_meth, uint64_t *done, const char **how)
{
	addrxlat_ctx_t *ctx = NULL;
	addrxlat_sys_t *sys = NULL;
	addrxlat_meth_t own;
	const addrxlat_meth_t *meth;
	uint64_t k = 0, bad = 0;
	double t;

	if (kdump_get_addrxlat(b->d.kd, &ctx, &sys) != KDUMP_OK) {
		fprintf(stderr, "bench-kdump: no addrxlat context: %s\n", kdump_get_err(b->d.kd));
		return -1;
	}
	meth = use_kdump_meth ? kdump_pgt(sys) : NULL;
	*how = "libkdumpfile's own kernel method: root at init_top_pgt's virtual address";
	if (use_kdump_meth && !meth) {
		fprintf(stderr, "bench-kdump: libkdumpfile has no kernel page-table method\n");
		addrxlat_ctx_decref(ctx);
		if (sys)
			addrxlat_sys_decref(sys);
		return -1;
	}
	if (!meth) {
		/* The same walk, described by hand (the root is the walker's). */
		memset(&own, 0, sizeof(own));
		own.kind = ADDRXLAT_PGT;
		own.target_as = ADDRXLAT_MACHPHYSADDR;
		own.param.pgt.root.addr = b->sp.root_pa;
		own.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
		own.param.pgt.pf.pte_format = ADDRXLAT_PTE_X86_64;
		own.param.pgt.pf.nfields = b->sp.fmt == &pw_format_x86_64_5level ? 6 : 5;
		own.param.pgt.pf.fieldsz[0] = 12;
		for (int i = 1; i < own.param.pgt.pf.nfields; i++)
			own.param.pgt.pf.fieldsz[i] = 9;
		meth = &own;
		*how = "a page-table method with the root's physical address";
	}
	*done = 0;
	t = now();
	for (size_t r = 0; r < c->nruns; r++) {
		const struct run *run = &c->runs[r];

		for (uint64_t va = run->va; va < run->end && va >= run->va; va += 4096, k++) {
			addrxlat_step_t step;

			if (k % stride)
				continue;
			memset(&step, 0, sizeof(step));
			step.ctx = ctx;
			step.sys = sys;
			step.meth = meth;
			step.base.addr = va;
			step.base.as = ADDRXLAT_KVADDR;
			if (addrxlat_walk(&step) != ADDRXLAT_OK ||
			    step.base.addr != run->pa + (va - run->va)) {
				if (bad++ < 3)
					fprintf(stderr, "bench-kdump: addrxlat disagrees at %#llx: %s\n",
						(unsigned long long)va, addrxlat_ctx_get_err(ctx));
			}
			(*done)++;
		}
	}
	t = now() - t;
	addrxlat_ctx_decref(ctx);
	if (sys)
		addrxlat_sys_decref(sys);
	if (bad) {
		fprintf(stderr, "bench-kdump: %llu of %llu translations disagree\n",
			(unsigned long long)bad, (unsigned long long)*done);
		return -1;
	}
	return t * (double)stride;
}

static void write_vtop_sample(const struct collect *c, const char *file, uint64_t n)
{
	FILE *f = fopen(file, "w");
	uint64_t step = c->mapped_pages / (n ? n : 1), k = 0, next = step / 2, written = 0;

	if (!f) {
		perror(file);
		exit(1);
	}
	if (!step)
		step = 1;
	fprintf(f, "# mapped_pages %llu\n", (unsigned long long)c->mapped_pages);
	for (size_t r = 0; r < c->nruns && written < n; r++) {
		uint64_t pages = (c->runs[r].end - c->runs[r].va) >> 12;

		while (next < k + pages && written < n) {
			uint64_t off = (next - k) << 12;

			fprintf(f, "%llx %llx\n", (unsigned long long)(c->runs[r].va + off),
				(unsigned long long)(c->runs[r].pa + off));
			written++;
			next += step;
		}
		k += pages;
	}
	fclose(f);
}

#define ROW(name, t, pages) printf("  %-58s %10.6f %10.1f\n", name, t, (t) * 1e9 / (double)(pages))

int main(int argc, char **argv)
{
	struct bench b;
	struct collect c;
	struct pw_visitor cv = { .state = &c, .note = collect_note, .enter_table = collect_table };
	struct pw_ptdump pd;
	const char *sample_file = NULL, *how = "";
	/* Each timing is the best of several runs (a shared, noisy machine). */
	uint64_t sample_n = 0, xlat_done = 0, stride, mapped_empty = 0, empty_tables = 0;
	double t_cold, t_dump = 1e30, t_walk, t_count, t_floor, t_floor_cold, t_scan, t_xlat, t_xlat_kd, t_empty = 0;
	double t_copy; /* the floor through read(), where (c) maps */
	long anon_open, anon_dump, file_dump;
	kdump_num_t cache_pages = 0;
	const char *how_kd = "";
	int reps, argi = 1, profile_reps = 0, no_map = 0;
	char why[512];
	FILE *null;

	memset(&b, 0, sizeof(b));
	for (; argi < argc && argv[argi][0] == '-'; argi++) {
		if (!strcmp(argv[argi], "--synthetic")) {
			b.synthetic = 1;
		} else if (!strcmp(argv[argi], "--profile") && argi + 1 < argc) {
			/* Only warm ptdumps, for perf record. */
			profile_reps = atoi(argv[++argi]);
		} else if (!strcmp(argv[argi], "--no-map")) {
			/* Tables copied through read(), as before the target mapped
			 * them: the same walk, for comparisons in turns. */
			no_map = 1;
		} else if (!strcmp(argv[argi], "--cache-size") && argi + 1 < argc) {
			/* libkdumpfile's page cache, in pages (its default: 1024). */
			b.cache_pages = strtol(argv[++argi], NULL, 0);
		} else if (!strcmp(argv[argi], "--vtop-sample") && argi + 2 < argc) {
			sample_file = argv[++argi];
			sample_n = strtoull(argv[++argi], NULL, 0);
		} else {
			break;
		}
	}
	if (argi + 1 != argc) {
		fprintf(stderr, "usage: %s [--vtop-sample FILE N] [--profile REPS] [--cache-size PAGES] "
			"[--no-map] [--synthetic] VMCORE\n",
			argv[0]);
		return 2;
	}
	b.path = argv[argi];
	if (open_dump(&b, why, sizeof(why))) {
		fprintf(stderr, "bench-kdump: %s: %s\n", b.path, why);
		return 1;
	}
	if (no_map)
		b.d.target.map_phys = NULL;
	null = fopen("/dev/null", "w");
	if (!null)
		return 1;
	printf("%s (%s, %s, libkdumpfile %s file; tables %s)\n", b.path,
	       b.synthetic ? "synthetic: 64 GiB direct map in 4K pages" : b.d.osrelease,
	       b.sp.fmt->name, b.d.file_format ? b.d.file_format : "?",
	       b.d.target.map_phys ? "mapped, not copied" : "copied by read()");

	/* (a) ptdump: the first run reads the file cold. */
	anon_open = rss_kb("RssAnon");
	t_cold = run_ptdump(&b, null, &pd);
	anon_dump = rss_kb("RssAnon");
	file_dump = rss_kb("RssFile");

	/* What the walk covers: mapped runs, and the tables it reads. */
	memset(&c, 0, sizeof(c));
	pw_space_invalidate(&b.sp);
	t_walk = now();
	for (int r = 0; r < b.nranges; r++)
		pw_walk_range(&b.sp, b.ranges[r][0], b.ranges[r][1], &cv);
	t_walk = now() - t_walk;
	if (!c.mapped_pages) {
		fprintf(stderr, "bench-kdump: nothing mapped\n");
		return 1;
	}
	if (b.synthetic && c.mapped_pages != BENCH_MAP_BYTES >> 12) {
		fprintf(stderr, "bench-kdump: %llu pages mapped, expected %llu\n",
			(unsigned long long)c.mapped_pages,
			(unsigned long long)(BENCH_MAP_BYTES >> 12));
		return 1;
	}

	/*
	 * Warm (a) ptdump, the bare walk (a visitor that only counts: what the
	 * text costs is the difference) and (c) the floor -- each table page once,
	 * through the same target -- taken in turns, so that all see the same
	 * machine.
	 */
	reps = profile_reps > 0 ? profile_reps : b.synthetic ? 30 : 40;
	t_floor = t_count = t_scan = t_copy = 1e30;
	for (int i = 0; i < reps; i++) {
		double t = run_ptdump(&b, null, NULL);

		if (t < t_dump)
			t_dump = t;
		t = run_walk_only(&b);
		if (t < t_count)
			t_count = t;
		t = run_floor(&b.d, &c);
		if (t < t_floor)
			t_floor = t;
		t = b.d.target.map_phys ? run_floor_map(&b.d, &c, or_words()) : run_floor_scan(&b, &c);
		if (t < t_scan)
			t_scan = t;
		if (b.d.target.map_phys) {
			t = run_floor_copy(&b.d, &c);
			if (t < t_copy)
				t_copy = t;
		}
	}
	if (profile_reps > 0) {
		printf("  best of %d: ptdump %.6f s, walk only %.6f s, floor %.6f s, "
		       "floor + OR scan %.6f s, ratio %.3f",
		       reps, t_dump, t_count, t_floor, t_scan, t_dump / t_floor);
		if (b.d.target.map_phys)
			printf("; floor through read() %.6f s, ptdump / it %.3f", t_copy,
			       t_dump / t_copy);
		printf("\n");
		return 0;
	}

	/* The cold floor: the same reads from a freshly opened dump. */
	{
		struct batch_dump fresh;

		memset(&fresh, 0, sizeof(fresh));
		fresh.fd = -1;
		fresh.cache_pages = b.cache_pages;
		if (bd_open(&fresh, b.path, 1, why, sizeof(why))) {
			fprintf(stderr, "bench-kdump: reopening: %s\n", why);
			return 1;
		}
		if (no_map)
			fresh.target.map_phys = NULL;
		t_floor_cold = run_floor(&fresh, &c);
		bd_close(&fresh);
	}

	/* (b) per address through libkdumpfile: its own method, and one with
	 * the physical root (no root translation: the cheapest it can do). */
	stride = (c.mapped_pages + XLAT_MAX - 1) / XLAT_MAX;
	t_xlat_kd = t_xlat = 1e30;
	for (int i = 0; i < 3; i++) {
		double t1 = run_addrxlat(&b, &c, stride, 1, &xlat_done, &how_kd);
		double t2 = run_addrxlat(&b, &c, stride, 0, &xlat_done, &how);

		if (t1 < 0 || t2 < 0)
			return 1;
		t_xlat_kd = t1 < t_xlat_kd ? t1 : t_xlat_kd;
		t_xlat = t2 < t_xlat ? t2 : t_xlat;
	}

	/* An empty 5-level space: the synthetic dump's zero top table. */
	if (b.synthetic) {
		struct pw_space e;
		struct pw_visitor v = { .state = &mapped_empty, .note = count_note };

		if (pw_space_init(&e, &b.d.target, &pw_format_x86_64_5level, BENCH_EMPTY_ROOT_PA))
			return 1;
		t_empty = 1e30;
		for (int i = 0; i < 20; i++) {
			double t = now();

			pw_space_invalidate(&e);
			pw_walk_range(&e, 0, 0, &v);
			t = now() - t;
			if (t < t_empty)
				t_empty = t;
		}
		empty_tables = e.tables_read / 20;
		pw_space_release(&e);
	}

	printf("  mapped: %llu pages (%.1f GiB) in %zu runs; %zu page-table pages visited\n",
	       (unsigned long long)c.mapped_pages, (double)c.mapped_pages / 262144.0, c.nruns,
	       c.ntables);
	printf("  %-58s %10s %10s\n", "", "seconds", "ns/page");
	ROW("ptdump, first run (cold libkdumpfile cache)", t_cold, c.mapped_pages);
	ROW("(a) ptdump (kernel-format text to /dev/null)", t_dump, c.mapped_pages);
	ROW("    walk only (a visitor that counts; no text)", t_count, c.mapped_pages);
	ROW(b.d.target.map_phys ? "(c) floor: every table page once, same target, mapped"
				: "(c) floor: read every table page once, same target",
	    t_floor, c.mapped_pages);
	if (b.d.target.map_phys) {
		printf("      (mapped as the walker takes them, one load from each 64-byte line)\n");
		ROW("    floor through read(), each page copied", t_copy, c.mapped_pages);
	}
	ROW("    floor, cold (a freshly opened dump)", t_floor_cold, c.mapped_pages);
	ROW("    floor + an OR of each page's words (least look)", t_scan,
	    c.mapped_pages);
	if (stride > 1)
		printf("  (b) per-address, every mapped 4K page through libkdumpfile's addrxlat_walk()"
		       " (1 in %llu, scaled):\n", (unsigned long long)stride);
	else
		printf("  (b) per-address, every mapped 4K page through libkdumpfile's addrxlat_walk():\n");
	ROW("    (b1) its own method for the dump (root: a virtual address)", t_xlat_kd,
	    c.mapped_pages);
	ROW("    (b2) the same walk with the root's physical address", t_xlat, c.mapped_pages);
	printf("      (%llu translations each, all equal to the walker's)\n",
	       (unsigned long long)xlat_done);
	printf("  mapped pages per second, ptdump: %.3g\n", (double)c.mapped_pages / t_dump);
	printf("  ratio (b1) per-address / (a) ptdump: %8.1fx  (goal >= 100x: %s)\n",
	       t_xlat_kd / t_dump, t_xlat_kd / t_dump >= 100 ? "met" : "NOT met");
	printf("  ratio (b2) per-address / (a) ptdump: %8.1fx  (goal >= 100x: %s)\n",
	       t_xlat / t_dump, t_xlat / t_dump >= 100 ? "met" : "NOT met");
	printf("  ratio (a) ptdump / (c) floor:        %8.2fx  (goal <= 1.5x: %s)\n",
	       t_dump / t_floor, t_dump / t_floor <= 1.5 ? "met" : "NOT met");
	printf("  ratio, walk only / (c) floor:        %8.2fx\n", t_count / t_floor);
	if (b.d.target.map_phys)
		printf("  ratio (a) ptdump / floor through read(): %5.2fx (the floor the walk "
		       "had when it copied its tables)\n", t_dump / t_copy);
	/* Reading every table and looking at every entry, nothing more: how
	 * much of (a)'s gap is the backend's and how much the walk's. */
	printf("  least look: floor + OR scan / (c) floor: %6.2fx\n", t_scan / t_floor);
	/* A walk that reads every table once through this target is no faster
	 * than (c): per-address over the floor is the most (b) can be here. */
	printf("  bound on (b): (b2) per-address / (c) floor: %6.1fx\n", t_xlat / t_floor);
	if (kdump_get_number_attr(b.d.kd, "cache.size", &cache_pages) == KDUMP_OK)
		printf("  libkdumpfile's cache: %llu pages, %s the %zu table pages%s\n",
		       (unsigned long long)cache_pages,
		       c.ntables > cache_pages ? "fewer than" : "room for",
		       c.ntables, c.ntables > cache_pages ?
		       ": every warm pass reads them from the file again (and decompresses "
		       "them, in a compressed dump)" : "");
	printf("  ratio, cold: first ptdump / cold floor: %5.2fx\n", t_cold / t_floor_cold);
	if (b.synthetic)
		printf("  empty 5-level space (2^64 walked, %llu table read): %.6f s, vs this "
		       "walk's %zu tables: %.4f s -- cost follows tables, not span\n",
		       (unsigned long long)empty_tables, t_empty, c.ntables, t_walk);
	printf("  memory: anonymous RSS %ld KiB after opening, %ld KiB after the first ptdump "
	       "(+ %ld KiB of the file mapped by libkdumpfile)\n", anon_open, anon_dump, file_dump);
	/* One line for scripts: name, pages, tables, ptdump, floor, addrxlat. */
	printf("RESULT %s pages=%llu tables=%zu ptdump=%.6f floor=%.6f addrxlat=%.6f "
	       "anon_growth_kb=%ld\n",
	       b.synthetic ? "synthetic" : b.d.osrelease, (unsigned long long)c.mapped_pages,
	       c.ntables, t_dump, t_floor, t_xlat, anon_dump - anon_open);
	if (sample_file)
		write_vtop_sample(&c, sample_file, sample_n);

	free(c.runs);
	free(c.tables);
	fclose(null);
	pw_space_release(&b.sp);
	if (b.have_kernel)
		pw_kernel_close(&b.k);
	bd_close(&b.d);
	return 0;
}
