// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pgste: the s390 page status table entries behind a task's PTEs -- the
 * storage key, reference/change bits and the guest's usage state (CMMA) that
 * KVM keeps next to the PTEs of a guest's backing mm.  Only an mm whose
 * context says so (alloc_pgste, or has_pgste once KVM ran) has 4K page
 * tables with PGSTEs; every other mm packs two 2K page tables into a page,
 * and what lies at +2048 there is the other table, not PGSTEs.  So the mm's
 * context is asked first, and the walk (pw_pgste_check) second.
 */
#include "defs.h"

#include "ext.h"
#include "help.h"
#include "ptwalk/arch_s390x.h"
#include "ptwalk/pgste.h"

/* Most PTE slots one range may visit: 2^24 slots (64 GiB of 4K pages). */
#define PGSTE_MAX_SLOTS (1ULL << 24)

struct pgste_range_stats {
	uint64_t slots, tables, used;
	uint64_t usage[4];
	uint64_t zero, nodat;
};

static int is_s390x(const struct ctx *c)
{
	return strcmp(c->k.fmt->arch, "s390x") == 0;
}

/* Whether sc's mm has page tables with PGSTEs; say why not when it has none. */
static int mm_has_pgstes(struct ctx *c, const struct space_choice *sc, int *alloc, int *has)
{
	int err = pw_s390x_mm_pgste(&c->k, sc->task.mm, alloc, has);

	if (err) {
		ctx_error(c, NULL, "cannot read mm->context of pid %lld: %s",
			  (long long)sc->task.pid, pw_strerror(err));
		return 0;
	}
	if (!*alloc && !*has) {
		ctx_error(c, NULL, "pid %lld (%s) has no PGSTEs: its mm->context has alloc_pgste=0 "
			  "and has_pgste=0, so its page tables are 2K fragments",
			  (long long)sc->task.pid, sc->task.comm);
		return 0;
	}
	return 1;
}

static void pgste_header(void)
{
	fprintf(fp, "%-16s  %-16s  %-16s  %-16s  %3s %2s %3s %2s %2s %2s %2s %2s %2s %4s %-12s %4s %5s\n",
		"VA", "PTE ADDR", "PTE", "PGSTE", "ACC", "FP", "PCL", "HR", "HC", "GR", "GC",
		"UC", "IN", "VSIE", "USAGE", "ZERO", "NODAT");
}

static void pgste_line(const struct space_choice *sc, uint64_t va, uint64_t pte_pa,
		       uint64_t pte, const struct pw_pgste *g, int json)
{
	if (json) {
		fprintf(fp, "{\"type\":\"pgste\",\"pid\":%lld,\"va\":\"0x%llx\",\"pte_pa\":\"0x%llx\","
			"\"pte\":\"0x%llx\",\"pte_valid\":%s,\"pgste_pa\":\"0x%llx\",\"pgste\":\"0x%llx\","
			"\"acc\":%u,\"fp\":%d,\"pcl\":%d,\"hr\":%d,\"hc\":%d,\"gr\":%d,\"gc\":%d,"
			"\"uc\":%d,\"in\":%d,\"vsie\":%d,\"usage\":\"%s\",\"zero\":%d,\"nodat\":%d}\n",
			(long long)sc->task.pid, (unsigned long long)va, (unsigned long long)pte_pa,
			(unsigned long long)pte, pte & S390_PTE_INVALID ? "false" : "true",
			(unsigned long long)(pte_pa + S390_PGSTE_OFFSET), (unsigned long long)g->raw,
			g->acc, g->fp, g->pcl, g->hr, g->hc, g->gr, g->gc, g->uc, g->in, g->vsie,
			pw_pgste_usage_name(g->usage), g->zero, g->nodat);
		return;
	}
	fprintf(fp, "%016llx  %016llx  %016llx  %016llx  %3u %2d %3d %2d %2d %2d %2d %2d %2d %4d %-12s %4d %5d\n",
		(unsigned long long)va, (unsigned long long)pte_pa, (unsigned long long)pte,
		(unsigned long long)g->raw, g->acc, g->fp, g->pcl, g->hr, g->hc, g->gr, g->gc,
		g->uc, g->in, g->vsie, pw_pgste_usage_name(g->usage), g->zero, g->nodat);
}

static void pgste_one(const struct ctx *c, struct pw_space *sp, const struct space_choice *sc,
		      const char *arg, uint64_t va, int *printed_header)
{
	struct pw_translation tr;
	struct pw_pgste g;
	const struct pw_step *last;
	const char *why;
	uint64_t raw;
	int err;

	pw_translate(sp, va, &tr);
	if (tr.status == PW_ST_OUT_OF_RANGE) {
		ctx_error(c, arg, "%llx: no PGSTE: the address is beyond what ASCE %llx translates "
			  "(designation type %llu, table length %llu)", (unsigned long long)va,
			  (unsigned long long)sc->root,
			  (unsigned long long)((sc->root & S390_ASCE_TYPE_MASK) >> 2),
			  (unsigned long long)(sc->root & S390_ASCE_TABLE_LENGTH));
		return;
	}
	why = pw_pgste_check(sp, &tr);
	if (why) {
		ctx_error(c, arg, "%llx: no PGSTE: %s", (unsigned long long)va, why);
		return;
	}
	err = pw_pgste_read(sp, &tr, &raw);
	if (err) {
		ctx_error(c, arg, "%llx: the PGSTE is not readable: %s", (unsigned long long)va,
			  pw_strerror(err));
		return;
	}
	last = &tr.step[tr.nsteps - 1];
	pw_pgste_decode(raw, &g);
	if (!c->json && !*printed_header) {
		pgste_header();
		*printed_header = 1;
	}
	pgste_line(sc, va, last->entry_pa, last->raw, &g, c->json);
}

/* Every PTE slot of the page tables that map [start, end). */
static void pgste_range(const struct ctx *c, struct pw_space *sp, const struct space_choice *sc,
			uint64_t start, uint64_t end)
{
	struct pgste_range_stats st;
	struct pw_translation tr;
	uint64_t va = start & ~0xfffULL, table = ~0ULL;
	int printed_header = 0, stopped = 0;

	memset(&st, 0, sizeof(st));
	while ((end == 0 || va < end) && !stopped) {
		const struct pw_step *last;
		struct pw_pgste g;
		uint64_t raw, next;

		if (st.slots >= PGSTE_MAX_SLOTS || received_SIGINT() || ferror(fp)) {
			stopped = 1;
			break;
		}
		pw_translate(sp, va, &tr);
		last = tr.nsteps ? &tr.step[tr.nsteps - 1] : NULL;
		if (!last || last->level != S390_LEVEL_PAGE || pw_pgste_check(sp, &tr)) {
			/* No page table here (or a large frame): skip what the
			 * last entry covers, or what the top table's limit ends. */
			int lvl = last ? last->level : sp->top_level;

			if (last && last->level == S390_LEVEL_PAGE) {
				/* A page table without PGSTEs in a PGSTE mm: odd; say so. */
				ctx_error(c, NULL, "%llx: %s", (unsigned long long)va,
					  pw_pgste_check(sp, &tr));
				lvl = S390_LEVEL_SEGMENT;
			}
			if (tr.status == PW_ST_OUT_OF_RANGE)
				break;
			next = (va | (pw_level_span(sp->fmt, lvl) - 1)) + 1;
			if (next <= va)
				break;
			va = next;
			continue;
		}
		if (pw_pgste_read(sp, &tr, &raw)) {
			ctx_error(c, NULL, "%llx: the PGSTE is not readable", (unsigned long long)va);
			raw = 0;
		}
		pw_pgste_decode(raw, &g);
		if (last->table_pa != table) {
			table = last->table_pa;
			st.tables++;
		}
		st.slots++;
		st.usage[g.usage & 3]++;
		st.zero += g.zero;
		st.nodat += g.nodat;
		/* Lines for slots that hold something: a PTE other than the
		 * empty one, or a non-zero PGSTE. */
		if (last->raw != S390_PTE_INVALID || raw) {
			st.used++;
			if (!c->json && !printed_header) {
				pgste_header();
				printed_header = 1;
			}
			pgste_line(sc, va, last->entry_pa, last->raw, &g, c->json);
		}
		va += 4096;
		if (va == 0)
			break;
	}
	if (c->json) {
		fprintf(fp, "{\"type\":\"histogram\",\"pid\":%lld,\"start\":\"0x%llx\",\"end\":\"0x%llx\","
			"\"page_tables\":%llu,\"slots\":%llu,\"listed\":%llu,\"stable\":%llu,"
			"\"unused\":%llu,\"pot-volatile\":%llu,\"volatile\":%llu,\"zero\":%llu,"
			"\"nodat\":%llu,\"complete\":%s}\n",
			(long long)sc->task.pid, (unsigned long long)start, (unsigned long long)end,
			(unsigned long long)st.tables, (unsigned long long)st.slots,
			(unsigned long long)st.used, (unsigned long long)st.usage[0],
			(unsigned long long)st.usage[1], (unsigned long long)st.usage[2],
			(unsigned long long)st.usage[3], (unsigned long long)st.zero,
			(unsigned long long)st.nodat, stopped ? "false" : "true");
		return;
	}
	fprintf(fp, "%sUSAGE STATES %llx-%llx: %llu PTE slots in %llu page tables (%llu listed)%s\n",
		printed_header ? "\n" : "", (unsigned long long)start, (unsigned long long)end,
		(unsigned long long)st.slots, (unsigned long long)st.tables,
		(unsigned long long)st.used, stopped ? " [stopped early]" : "");
	for (int u = 0; u < 4; u++)
		fprintf(fp, "  %-12s %10llu\n", pw_pgste_usage_name((enum pw_pgste_usage)u),
			(unsigned long long)st.usage[u]);
	fprintf(fp, "  %-12s %10llu\n  %-12s %10llu\n", "zero", (unsigned long long)st.zero,
		"nodat", (unsigned long long)st.nodat);
}

void cmd_pgste(void)
{
	int c, json = 0, have_range = 0, alloc, has, printed_header = 0;
	char *task_spec = NULL;
	uint64_t range[2] = { 0, 0 };
	struct space_choice sc;
	struct pw_space sp;
	struct ctx ctx;

	while ((c = getopt(argcnt, args, "c:jr:")) != EOF) {
		switch (c) {
		case 'c': task_spec = optarg; break;
		case 'j': json = 1; break;
		case 'r':
			if (parse_range(optarg, range)) {
				error(INFO, "invalid range '%s': use START-END in hex, END exclusive\n",
				      optarg);
				return;
			}
			have_range = 1;
			break;
		default: argerrs++; break;
		}
	}
	if (argerrs || (!have_range && !args[optind]) || (have_range && args[optind])) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.json = json;
	if (ctx_open(&ctx))
		return;
	if (!is_s390x(&ctx)) {
		ctx_error(&ctx, NULL, "only s390x page tables have PGSTEs");
		ctx_close(&ctx);
		return;
	}
	if (choose_space(&ctx, 0, 0, task_spec, &sc) ||
	    !mm_has_pgstes(&ctx, &sc, &alloc, &has)) {
		ctx_close(&ctx);
		return;
	}
	if (pw_kernel_space(&ctx.k, &sp, sc.root)) {
		ctx_error(&ctx, NULL, "cannot walk the ASCE %llx of pid %lld: its type or length does not fit",
			  (unsigned long long)sc.root, (long long)sc.task.pid);
		ctx_close(&ctx);
		return;
	}
	if (json)
		fprintf(fp, "{\"type\":\"mm\",\"pid\":%lld,\"task\":\"0x%llx\",\"mm\":\"0x%llx\","
			"\"asce\":\"0x%llx\",\"alloc_pgste\":%d,\"has_pgste\":%d}\n",
			(long long)sc.task.pid, (unsigned long long)sc.task.task,
			(unsigned long long)sc.task.mm, (unsigned long long)sc.root, alloc, has);
	else
		fprintf(fp, "PID: %lld  COMMAND: \"%s\"  MM: %llx  ASCE: %llx  alloc_pgste=%d has_pgste=%d\n",
			(long long)sc.task.pid, sc.task.comm, (unsigned long long)sc.task.mm,
			(unsigned long long)sc.root, alloc, has);
	if (have_range) {
		pgste_range(&ctx, &sp, &sc, range[0], range[1]);
	} else {
		for (; args[optind]; optind++) {
			uint64_t va;

			if (parse_hex(args[optind], &va)) {
				ctx_error(&ctx, args[optind], "invalid address: %s (not hex)", args[optind]);
				continue;
			}
			pgste_one(&ctx, &sp, &sc, args[optind], va, &printed_header);
		}
	}
	pw_space_release(&sp);
	ctx_close(&ctx);
}

/* ---- ptwalk's PGSTE line on s390x ---------------------------------------- */

/* ptwalk's text line for the PGSTE of a walk (JSON: pw_pgste_walk_json()). */
void pgste_print_walk(const struct pw_pgste_of_walk *w)
{
	struct pw_pgste g;

	if (!w->valid)
		return;
	pw_pgste_decode(w->raw, &g);
	fprintf(fp, "PGSTE: %016llx at %llx  (acc %u%s%s%s%s%s%s%s%s%s, usage %s%s%s)\n",
		(unsigned long long)w->raw, (unsigned long long)w->pa, g.acc,
		g.fp ? " FP" : "", g.pcl ? " PCL" : "", g.hr ? " HR" : "", g.hc ? " HC" : "",
		g.gr ? " GR" : "", g.gc ? " GC" : "", g.uc ? " UC" : "", g.in ? " IN" : "",
		g.vsie ? " VSIE" : "", pw_pgste_usage_name(g.usage), g.zero ? ", ZERO" : "",
		g.nodat ? ", NODAT" : "");
}
