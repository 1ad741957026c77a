// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench, inside crash: the extension's own backend.  A separate
 * extension (build/ptwalk-bench.so, never installed) with one command:
 *
 *   ptbench [-n REPS]
 *
 * For the kernel's default ptdump ranges, from one run in the crash session
 * that has the dump open: ptdump (kernel-format text to /dev/null), the
 * bare walk (a visitor that only counts), and the floor -- every page-table
 * page the walk visits read once with readmem(PHYSADDR), the very call the
 * extension's target makes -- each the best of REPS repeats taken in turns,
 * and the ratios.  bench-kdump measures the same through libkdumpfile.
 */
#include "defs.h"

#include <time.h>

#include "crash_target.h"
#include "ext.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/walk.h"

#define PTBENCH_MAX_TABLES (1u << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Every table the walk visits, in visiting order (GETBUF'd: Ctrl-C safe). */
struct visited {
	uint64_t *pa;
	size_t n, cap;
	uint64_t mapped_pages;
	int overflow;
};

static int visited_table(void *state, const struct pw_table_visit *tv)
{
	struct visited *v = state;

	if (v->n == v->cap) {
		v->overflow = 1;
		return 1;
	}
	v->pa[v->n++] = tv->table_pa;
	return 0;
}

static void count_mapped(void *state, const struct pw_note *n)
{
	uint64_t *mapped = state;

	if (n->status == PW_ST_MAPPED)
		*mapped += ((n->end ? n->end : UINT64_MAX) - n->va) >> 12;
}

static void visited_note(void *state, const struct pw_note *n)
{
	count_mapped(&((struct visited *)state)->mapped_pages, n);
}

static int walk_default_ranges(const struct pw_kernel *k, struct pw_space *sp,
			       const struct pw_visitor *v)
{
	int err = PW_OK;

	pw_space_invalidate(sp);
	for (int i = 0; i < k->ndump_ranges && !err; i++)
		err = pw_walk_range(sp, k->dump_range[i].start, k->dump_range[i].end, v);
	return err;
}

static double __attribute__((noinline)) time_ptdump(struct ctx *c, struct pw_space *sp, FILE *out)
{
	struct pw_ptdump_opts o = { .fp = out, .markers = c->k.markers,
				    .nmarkers = c->k.nmarkers };
	double t = now();

	pw_space_invalidate(sp);
	if (pw_ptdump_run(&c->k, sp, &o, NULL, 0, NULL) != PW_OK)
		return -1;
	return now() - t;
}

static double __attribute__((noinline)) time_walk(struct ctx *c, struct pw_space *sp)
{
	uint64_t mapped = 0;
	struct pw_visitor v = { .state = &mapped, .note = count_mapped, .runs_span_tables = 1 };
	double t = now();

	if (walk_default_ranges(&c->k, sp, &v) != PW_OK)
		return -1;
	return now() - t;
}

/* A table the dump lacks (filtered out) fails here as it did in the walk:
 * the same call either way, counted in *unreadable. */
static double __attribute__((noinline)) time_floor(struct ctx *c, const struct visited *vis,
						   void *page, size_t bytes, size_t *unreadable)
{
	size_t bad = 0;
	double t = now();

	for (size_t i = 0; i < vis->n; i++)
		if (c->t.read(c->t.ctx, PW_PHYS, vis->pa[i], page, bytes) != PW_OK)
			bad++;
	t = now() - t;
	*unreadable = bad;
	return received_SIGINT() ? -1 : t;
}

static void cmd_ptbench(void)
{
	int opt, reps = 20;
	struct ctx c;
	struct space_choice sc;
	struct pw_space sp;
	struct visited vis = { 0 };
	struct pw_visitor collect = { .state = &vis, .note = visited_note,
				      .enter_table = visited_table };
	double best_dump = 1e30, best_walk = 1e30, best_floor = 1e30;
	size_t bytes, unreadable = 0;
	void *page;
	FILE *out;

	while ((opt = getopt(argcnt, args, "n:")) != EOF) {
		if (opt == 'n')
			reps = atoi(optarg);
		else
			argerrs++;
	}
	if (argerrs || args[optind] || reps < 1) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	if (ctx_open(&c))
		return;
	if (choose_space(&c, 1, 0, NULL, &sc) || pw_kernel_space(&c.k, &sp, sc.root)) {
		ctx_close(&c);
		return;
	}
	bytes = c.k.fmt->level[0].table_bytes;
	page = GETBUF(bytes);
	vis.cap = PTBENCH_MAX_TABLES;
	vis.pa = (uint64_t *)GETBUF(vis.cap * sizeof(*vis.pa));
	if (walk_default_ranges(&c.k, &sp, &collect) != PW_OK || vis.overflow) {
		error(INFO, "the walk stopped (or visited over %u tables)\n",
		      PTBENCH_MAX_TABLES);
		goto out;
	}
	/* crash's own /dev/null stream: nothing to close when Ctrl-C longjmps. */
	out = pc->nullfp;
	if (!out) {
		error(INFO, "crash has no null stream open\n");
		goto out;
	}
	/* In turns, so that all three see the same machine. */
	for (int r = 0; r < reps; r++) {
		double td = time_ptdump(&c, &sp, out), tw = time_walk(&c, &sp),
		       tf = time_floor(&c, &vis, page, bytes, &unreadable);

		if (td < 0 || tw < 0 || tf < 0) {
			error(INFO, "a pass stopped: %s\n",
			      td < 0 ? "ptdump" : tw < 0 ? "the walk" : "interrupted");
			goto out;
		}
		best_dump = td < best_dump ? td : best_dump;
		best_walk = tw < best_walk ? tw : best_walk;
		best_floor = tf < best_floor ? tf : best_floor;
	}
	fprintf(fp, "  in crash (readmem), %zu table pages visited, %llu mapped 4K pages; best of %d:\n",
		vis.n, (unsigned long long)vis.mapped_pages, reps);
	fprintf(fp, "  (a) ptdump (kernel-format text to /dev/null)       %10.6f s  %8.3g pages/s\n",
		best_dump, (double)vis.mapped_pages / best_dump);
	fprintf(fp, "      walk only (counting visitor)                   %10.6f s\n", best_walk);
	fprintf(fp, "  (c) floor: readmem(PHYSADDR) of every table page   %10.6f s  (%.2f us a page)\n",
		best_floor, best_floor / (double)vis.n * 1e6);
	if (unreadable)
		fprintf(fp, "      (%zu of them not in the dump: they fail in the walk and in the floor alike)\n",
			unreadable);
	fprintf(fp, "  ratio (a) ptdump / (c) floor, in crash:   %6.2fx  (goal <= 1.5x: %s)\n",
		best_dump / best_floor, best_dump / best_floor <= 1.5 ? "met" : "NOT met");
	fprintf(fp, "  ratio, walk only / (c) floor, in crash:   %6.2fx\n", best_walk / best_floor);
	fprintf(fp, "RESULT crash-floor tables=%zu ptdump=%.6f walk=%.6f floor=%.6f\n",
		vis.n, best_dump, best_walk, best_floor);
out:
	FREEBUF(vis.pa);
	FREEBUF(page);
	pw_space_release(&sp);
	ctx_close(&c);
}

static char *help_ptbench[] = {
	"ptbench",
	"time ptdump against reading every page-table page once (make bench)",
	"[-n reps]",
	"  Walks the kernel's default ptdump ranges and times, best of reps",
	"  (default 20) repeats taken in turns: ptdump with its text to /dev/null,",
	"  the walk alone, and the floor: every table page the walk visits read",
	"  once with readmem(PHYSADDR).  Prints the times and the ratios.",
	NULL
};

static struct command_table_entry bench_commands[] = {
	{ "ptbench", cmd_ptbench, help_ptbench, 0 },
	{ NULL, NULL, NULL, 0 },
};

void __attribute__((constructor)) ptbench_init(void)
{
	register_extension(bench_commands);
}
