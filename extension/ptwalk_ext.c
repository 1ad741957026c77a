// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptwalk.so: crash commands over the ptwalk core.  Only argument parsing,
 * context selection and error reporting live here; walking and printing are
 * the core's.  Every error is one line through error(INFO, ...) and the
 * command returns; crash's session goes on.
 */
#include "defs.h"

#include <errno.h>
#include <stdlib.h>

#include "ext.h"
#include "help.h"
#include "ptwalk/check.h"
#include "ptwalk/json.h"
#include "ptwalk/kernel.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/walk.h"

/* ---- ptwalk ------------------------------------------------------------ */

static void print_explanation(const struct pw_format *fmt, const struct pw_translation *tr,
			      const struct pw_explanation *ex);

static void perm_text(const struct pw_format *fmt, const struct space_choice *sc,
		      uint32_t perm, char *buf, size_t len)
{
	int user = fmt->no_user_bit ? sc->have_task : !!(perm & PW_PERM_USER);

	snprintf(buf, len, "%s %s %s", user ? "user" : "kernel",
		 perm & PW_PERM_WRITE ? "rw" : "ro",
		 perm & PW_PERM_EXEC ? "x" : "nx");
}

static void print_size(char *buf, size_t len, uint64_t size)
{
	uint64_t n = size >> 10;
	char unit = pw_size_unit(&n, "KMGTPE");

	snprintf(buf, len, "%llu%c", (unsigned long long)n, unit);
}

static void ptwalk_text(struct ctx *c, const struct space_choice *sc,
			const struct pw_translation *tr, const struct pw_explanation *ex)
{
	const struct pw_format *fmt = c->k.fmt;
	char flags[256], sz[32], perm[32];

	fprintf(fp, "VIRTUAL: %llx  (%s", (unsigned long long)tr->va, sc->label);
	if (sc->have_task)
		fprintf(fp, ", pid %lld %s", (long long)sc->task.pid, sc->task.comm);
	fprintf(fp, ", %s, root %llx)\n", fmt->name, (unsigned long long)sc->root);
	if (tr->nsteps)
		fprintf(fp, "  %-5s %-16s %5s  %-16s  %-16s  %s\n", "LEVEL", "TABLE",
			"INDEX", "ENTRY ADDR", "ENTRY", "FLAGS");
	for (int i = 0; i < tr->nsteps; i++) {
		const struct pw_step *s = &tr->step[i];
		int read = i < tr->nsteps - 1 || tr->status == PW_ST_MAPPED ||
			   tr->status == PW_ST_NOT_PRESENT || tr->status == PW_ST_BAD_ENTRY ||
			   tr->status == PW_ST_BAD_PFN;

		fprintf(fp, "  %-5s %016llx %5u  %016llx  ", fmt->level[s->level].name,
			(unsigned long long)s->table_pa, s->index,
			(unsigned long long)s->entry_pa);
		if (!read) {
			fprintf(fp, "%-16s\n", "(unread)");
			continue;
		}
		fprintf(fp, "%016llx  %s\n", (unsigned long long)s->raw,
			pw_flag_string(fmt, s->level, s->raw, s->e.kind, flags,
				       sizeof(flags)));
		/* A not-present entry that still names a page (PROT_NONE). */
		if (s->e.kind == PW_ENTRY_NONE && s->e.addr)
			fprintf(fp, "        %s: pfn %llx\n", s->e.why,
				(unsigned long long)(s->e.addr >> 12));
	}
	if (tr->status == PW_ST_MAPPED) {
		print_size(sz, sizeof(sz), tr->page_size);
		perm_text(fmt, sc, tr->eff_perm, perm, sizeof(perm));
		fprintf(fp, "PHYSICAL: %llx  (%s page at %llx, %s)\n",
			(unsigned long long)tr->pa, sz,
			(unsigned long long)(tr->pa & ~(tr->page_size - 1)), perm);
	} else {
		const char *lvl = tr->nsteps ? fmt->level[tr->step[tr->nsteps - 1].level].name : "-";

		fprintf(fp, "NOT MAPPED: %s at %s: %s\n", pw_status_name(tr->status), lvl,
			pw_status_reason(tr));
	}
	print_explanation(fmt, tr, ex);
}

static void ptwalk_json(struct ctx *c, const struct space_choice *sc,
			const struct pw_translation *tr, const struct pw_explanation *ex,
			const struct pw_pgste_of_walk *pg)
{
	const struct pw_format *fmt = c->k.fmt;

	fprintf(fp, "{\"va\":\"0x%llx\",\"space\":\"%s\",", (unsigned long long)tr->va,
		sc->label);
	if (sc->have_task)
		fprintf(fp, "\"pid\":%lld,\"task\":\"0x%llx\",", (long long)sc->task.pid,
			(unsigned long long)sc->task.task);
	fprintf(fp, "\"format\":\"%s\",\"root\":\"0x%llx\",", fmt->name,
		(unsigned long long)sc->root);
	pw_translation_status_json(fp, tr);
	pw_translation_levels_json(fp, fmt, tr);
	pw_explanation_json(fp, fmt, tr, ex);
	pw_pgste_walk_json(fp, pg);
	fputs("}\n", fp);
}

/* What pw_explain() found, as text lines (JSON: pw_explanation_json()). */
static void print_explanation(const struct pw_format *fmt, const struct pw_translation *tr,
			      const struct pw_explanation *ex)
{
	for (int i = 0; i < ex->ntables; i++) {
		const struct pw_step *s = &tr->step[ex->table[i].step];

		fprintf(fp, "  ! %s table at %llx: %s: %s\n", fmt->level[s->level].name,
			(unsigned long long)s->table_pa, ex->table[i].kind, ex->table[i].detail);
	}
	if (ex->dm_kind)
		fprintf(fp, "  ! direct map: %s: %s\n", ex->dm_kind, ex->dm_detail);
}

static void cmd_ptwalk(void)
{
	int c, kernel = 0, user = 0, json = 0, pti = 0, have_mm;
	char *task_spec = NULL;
	struct memmap_ctx m;
	char why[WHY_LEN];

	while ((c = getopt(argcnt, args, "kuc:jP")) != EOF) {
		switch (c) {
		case 'k': kernel = 1; break;
		case 'u': user = 1; break;
		case 'c': task_spec = optarg; break;
		case 'j': json = 1; break;
		case 'P': pti = 1; break;
		default: argerrs++; break;
		}
	}
	if (argerrs || !args[optind] || (kernel && (user || task_spec))) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.c.json = json;
	if (ctx_open(&m.c))
		return;
	/* The memory model explains broken walks; without it, walks still work. */
	have_mm = pw_memmap_open(&m.mm, &m.c.k, why, sizeof(why)) == PW_OK;
	if (have_mm) {
		m.pgmaps = (struct pw_pgmap *)GETBUF(sizeof(struct pw_pgmap) * PW_MAX_PGMAPS);
		m.npgmaps = pw_pgmaps(&m.mm, m.pgmaps, PW_MAX_PGMAPS, why, sizeof(why));
		if (m.npgmaps < 0)
			m.npgmaps = 0;
	}
	for (; args[optind]; optind++) {
		struct space_choice sc;
		struct pw_translation tr;
		struct pw_space sp;
		struct pw_explanation ex;
		struct pw_pgste_of_walk pg;
		uint64_t va;
		int use_kernel;

		if (parse_address(args[optind], &va)) {
			ctx_error(&m.c, args[optind], "invalid address: %s (not hex, not a symbol)",
				  args[optind]);
			continue;
		}
		if (!pw_va_canonical(m.c.k.fmt, va)) {
			ctx_error(&m.c, args[optind], "%llx is not a canonical address for %s",
				  (unsigned long long)va, m.c.k.fmt->name);
			continue;
		}
		/* Without -k/-u/-c the address decides, as with crash's vtop. */
		use_kernel = kernel || (!user && !task_spec && (va >> 63));
		if (choose_space(&m.c, use_kernel, pti, task_spec, &sc))
			continue;
		if (open_space(&m.c, &sc, args[optind], &sp))
			break;
		pw_translate(&sp, va, &tr);
		memset(&ex, 0, sizeof(ex));
		if (have_mm)
			pw_explain(&m.mm, m.pgmaps, m.npgmaps, &tr,
				   (sc.have_task ? PW_CHECK_USER_MM : 0) |
				   (pti ? PW_CHECK_PTI_USER_ROOT : 0), &ex);
		/* s390x: the last PTE's PGSTE, in a task's mm that has them */
		pw_pgste_of_walk(&m.c.k, sc.have_task ? sc.task.mm : 0, &sp, &tr, &pg);
		if (json) {
			ptwalk_json(&m.c, &sc, &tr, &ex, &pg);
		} else {
			ptwalk_text(&m.c, &sc, &tr, &ex);
			pgste_print_walk(&pg);
		}
		pw_space_release(&sp);
	}
	if (have_mm)
		FREEBUF(m.pgmaps);
	ctx_close(&m.c);
}

/* ---- ptdump ------------------------------------------------------------ */

static void print_anomaly(const struct pw_checker *chk, const struct pw_anomaly *a,
			  int json)
{
	const struct pw_format *fmt = chk->mm->k->fmt;
	const char *lvl = a->level >= 0 ? fmt->level[a->level].name : "-";

	if (json) {
		pw_anomaly_json(fp, fmt, a);
		fputc('\n', fp);
		return;
	}
	if (strstr(a->kind, "table") && !a->entry_pa)
		fprintf(fp, "ANOMALY %-16s 0x%016llx-0x%016llx %s table (the root) pfn %llx: %s\n",
			a->kind, (unsigned long long)a->va, (unsigned long long)a->end, lvl,
			(unsigned long long)a->pfn, a->detail);
	else if (strstr(a->kind, "table"))
		fprintf(fp, "ANOMALY %-16s 0x%016llx-0x%016llx %s table pfn %llx, pointed to by entry %llx @ %llx: %s\n",
			a->kind, (unsigned long long)a->va, (unsigned long long)a->end, lvl,
			(unsigned long long)a->pfn, (unsigned long long)a->entry,
			(unsigned long long)a->entry_pa, a->detail);
	else
		fprintf(fp, "ANOMALY %-16s 0x%016llx-0x%016llx %s entry %llx @ %llx  pfn %llx: %s\n",
			a->kind, (unsigned long long)a->va, (unsigned long long)a->end, lvl,
			(unsigned long long)a->entry, (unsigned long long)a->entry_pa,
			(unsigned long long)a->pfn, a->detail);
}

static void print_check_summary(const struct pw_checker *chk, int json)
{
	uint64_t kept = chk->count < (uint64_t)chk->max ? chk->count : (uint64_t)chk->max;

	for (uint64_t i = 0; i < kept; i++)
		print_anomaly(chk, &chk->list[i], json);
	if (json) {
		pw_check_summary_json(fp, chk);
		fputc('\n', fp);
	} else {
		fprintf(fp, "CHECK: %llu table pages checked, %llu anomal%s%s; W+X mappings: %s, %llu W+X pages\n",
			(unsigned long long)chk->tables, (unsigned long long)chk->count,
			chk->count == 1 ? "y" : "ies",
			chk->count > kept ? " (first ones listed)" : "",
			chk->wx_pages ? "FAILED" : "passed", (unsigned long long)chk->wx_pages);
	}
}

static void cmd_ptdump(void)
{
	int c, json = 0, phys = 0, pti = 0, check = 0;
	char *task_spec = NULL;
	uint64_t range[1][2];
	int nranges = 0;
	struct space_choice sc;
	struct pw_ptdump_opts o;
	struct pw_space sp;
	struct memmap_ctx m;
	struct pw_checker chk;
	struct pw_visitor also;
	int err;

	while ((c = getopt(argcnt, args, "c:r:pjukC")) != EOF) {
		switch (c) {
		case 'c': task_spec = optarg; break;
		case 'r':
			if (parse_range(optarg, range[0])) {
				error(INFO, "invalid range '%s': use START-END in hex, END exclusive\n",
				      optarg);
				return;
			}
			nranges = 1;
			break;
		case 'p': phys = 1; break;
		case 'j': json = 1; break;
		case 'u': pti = 1; break;
		case 'C': check = 1; break;
		case 'k': break;
		default: argerrs++; break;
		}
	}
	if (argerrs || args[optind]) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.c.json = json;
	if (check ? memmap_open(&m) : ctx_open(&m.c))
		return;
	if (choose_space(&m.c, task_spec == NULL, pti, task_spec, &sc) ||
	    open_space(&m.c, &sc, NULL, &sp)) {
		if (check)
			memmap_close(&m);
		else
			ctx_close(&m.c);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.fp = fp;
	o.json = json;
	o.phys = phys;
	o.markers = m.c.k.markers;
	o.nmarkers = m.c.k.nmarkers;
	if (check) {
		if (m.pgmap_problem)
			ctx_warning(&m.c, "%s; ZONE_DEVICE checks skipped", m.pgmap_problem);
		pw_checker_init(&chk, &m.mm, m.pgmaps, m.npgmaps,
				(sc.have_task ? PW_CHECK_USER_MM : 0) |
				(pti ? PW_CHECK_PTI_USER_ROOT : 0));
		also.state = &chk;
		also.note = pw_checker_note;
		also.enter_table = pw_checker_enter_table;
	}
	/* A user-only task root: its whole reach (lower half when sign-extended). */
	if (task_spec && !nranges && m.c.k.arch->task_root_is_user_only) {
		const struct pw_format *f = m.c.k.fmt;

		range[0][0] = 0;
		range[0][1] = f->sign_extend && f->va_bits < 64 ? 1ULL << (f->va_bits - 1) : 0;
		nranges = 1;
	}
	err = pw_ptdump_run(&m.c.k, &sp, &o, (const uint64_t (*)[2])range, nranges,
			    check ? &also : NULL);
	/* A closed pipe (ptdump | head) is not worth a message; Ctrl-C is. */
	if (err && !ferror(fp))
		ctx_error(&m.c, NULL, "stopped: %s", pw_strerror(err));
	if (check) {
		pw_checker_finish(&chk);
		if (!err)
			print_check_summary(&chk, json);
		pw_checker_release(&chk);
	}
	pw_space_release(&sp);
	if (check)
		memmap_close(&m);
	else
		ctx_close(&m.c);
}

static struct command_table_entry command_table[] = {
	{ "ptwalk", cmd_ptwalk, help_ptwalk, 0 },
	{ "ptdump", cmd_ptdump, help_ptdump, 0 },
	{ "pgmap", cmd_pgmap, help_pgmap, 0 },
	{ "pfninfo", cmd_pfninfo, help_pfninfo, 0 },
	{ "pttriage", cmd_pttriage, help_pttriage, 0 },
	{ "pgste", cmd_pgste, help_pgste, 0 },
	{ NULL, NULL, NULL, 0 },
};

void __attribute__((constructor)) ptwalk_init(void)
{
	register_extension(command_table);
}

void __attribute__((destructor)) ptwalk_fini(void)
{
}
