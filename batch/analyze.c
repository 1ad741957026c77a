// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One dump: open it, pick the type sources (vmlinux DWARF if given, else
 * the dump's own BTF), learn the kernel's layout, then run every analysis
 * the crash commands offer and write one JSON object.  Each analysis says
 * which sources answered it, or why it could not run.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "batch.h"
#include "ptwalk/check.h"
#include "ptwalk/json.h"
#include "ptwalk/kernel.h"
#include "ptwalk/memmap.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/triage.h"
#include "report.h"

#define WHY 512
/* The tail of the log that can hold the last oops (as cmd_triage.c). */
#define LOG_MAX (4u << 20)
#define BANNER_MAX 512

struct run {
	const struct batch_opts *o;
	struct batch_dump d;
	struct dwarf_info *dw;
	FILE *j;                 /* the JSON object being built */
	char *jbuf;
	size_t jlen;
	char error[2 * WHY + 256];
	int status;
	double t0, tphase;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A macro: clang's analyzer misreads a va_list wrapper (see core/kernel.c). */
#define fail(r, ...) \
	(snprintf((r)->error, sizeof((r)->error), __VA_ARGS__), (r)->status = BATCH_FAILED)

static void hexfield(FILE *j, const char *name, uint64_t v)
{
	fprintf(j, "\"%s\":\"0x%llx\"", name, (unsigned long long)v);
}

/* What the sources lacked, and why the lazy ones did not open. */
static void missing_json(struct run *r)
{
	struct batch_dump *d = &r->d;

	fputs(",\"missing\":[", r->j);
	for (int i = 0; i < d->nmissing; i++) {
		if (i)
			fputc(',', r->j);
		json_str(r->j, d->missing[i]);
	}
	fputc(']', r->j);
}

/* Open one analysis: {"status":..., "sources":[...] ...}. */
static void analysis_ok(struct run *r, const char *name)
{
	fprintf(r->j, ",\"%s\":{\"status\":\"ok\",\"sources\":", name);
	bd_used_json(&r->d, r->j);
}

static void analysis_error(struct run *r, const char *name, const char *why)
{
	fprintf(r->j, ",\"%s\":{\"status\":\"error\",\"error\":", name);
	json_str(r->j, why);
	fputs(",\"sources\":", r->j);
	bd_used_json(&r->d, r->j);
	missing_json(r);
	fputc('}', r->j);
}

static void phase_time(struct run *r, const char *name)
{
	double t = now();

	if (r->o->timings)
		fprintf(r->j, ",\"seconds\":%.3f", t - r->tphase);
	(void)name;
	r->tphase = t;
}

/* ---- identity and the vmlinux ---- */

static void identity(struct run *r)
{
	struct batch_dump *d = &r->d;
	FILE *j = r->j;

	fputs(",\"dump\":{\"format\":", j);
	json_str(j, d->file_format ? d->file_format : "unknown");
	fputs(",\"converted\":", j);
	if (d->converted)
		json_str(j, d->converted);
	else
		fputs("null", j);
	fprintf(j, ",\"arch\":\"%s\",\"osrelease\":", d->arch);
	json_str(j, d->osrelease);
	fputs(",\"build_id\":", j);
	if (d->build_id[0])
		json_str(j, d->build_id);
	else
		fputs("null", j);
	fputs(",\"crash_time\":", j);
	if (d->crash_time[0]) {
		time_t t = (time_t)strtoll(d->crash_time, NULL, 10);
		struct tm tm;
		char iso[40];

		gmtime_r(&t, &tm);
		strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(j, "%lld,\"crash_time_utc\":\"%s\"", (long long)t, iso);
	} else {
		fputs("null", j);
	}
	fprintf(j, ",\"page_size\":%llu,", (unsigned long long)d->page_size);
	hexfield(j, "kernel_offset", d->kernel_offset);
	fputc('}', j);
}

/* Is this vmlinux the dump's kernel?  Build id, else linux_banner, else _stext. */
static int vmlinux_matches(struct run *r, char *why, size_t len)
{
	struct batch_dump *d = &r->d;
	const char *vid = dw_build_id(r->dw);
	char vb[BANNER_MAX], db[BANNER_MAX];
	uint64_t sym, stext;

	if (d->build_id[0] && vid[0]) {
		if (strcmp(d->build_id, vid) == 0)
			return 1;
		snprintf(why, len,
			 "wrong vmlinux: %s has build-id %s, the dump's kernel has %s",
			 dw_path(r->dw), vid, d->build_id);
		return 0;
	}
	if (dw_symbol(r->dw, "linux_banner", &sym) == PW_OK &&
	    dw_string_at(r->dw, sym, vb, sizeof(vb)) == PW_OK) {
		size_t n = strlen(vb);

		memset(db, 0, sizeof(db));
		if (d->target.read(d, PW_KVIRT, sym + d->kernel_offset, db, n + 1) == PW_OK &&
		    strcmp(vb, db) == 0)
			return 1;
		db[sizeof(db) - 1] = '\0';
		vb[strcspn(vb, "\n")] = '\0';
		db[strcspn(db, "\n")] = '\0';
		snprintf(why, len, "wrong vmlinux: %s says \"%.150s\", the dump says \"%.150s\"",
			 dw_path(r->dw), vb, db[0] ? db : "(unreadable)");
		return 0;
	}
	if (dw_symbol(r->dw, "_stext", &sym) == PW_OK) {
		char *s = bd_vmcoreinfo(d, "SYMBOL(_stext)");

		stext = s ? strtoull(s, NULL, 16) : 0;
		free(s);
		if (stext && sym + d->kernel_offset == stext)
			return 1;
	}
	snprintf(why, len, "wrong vmlinux: %s is not a vmlinux of this kernel "
		 "(no matching build-id, linux_banner or _stext)", dw_path(r->dw));
	return 0;
}

static int open_vmlinux(struct run *r)
{
	struct batch_dump *d = &r->d;
	char path[4096], why[WHY];
	const char *file = r->o->vmlinux;

	if (!file && r->o->debuginfo_dir) {
		if (dw_find_vmlinux(r->o->debuginfo_dir, d->osrelease, d->build_id, path,
				    sizeof(path))) {
			fputs(",\"vmlinux\":{\"path\":null,\"note\":", r->j);
			snprintf(why, sizeof(why), "no vmlinux for %s under %s: types from the dump's BTF",
				 d->osrelease[0] ? d->osrelease : "this kernel", r->o->debuginfo_dir);
			json_str(r->j, why);
			fputc('}', r->j);
			return 0;
		}
		file = path;
	}
	if (!file)
		return 0;
	r->dw = dw_open(file, why, sizeof(why));
	if (!r->dw) {
		fail(r, "%s", why);
		return -1;
	}
	if (!vmlinux_matches(r, why, sizeof(why))) {
		fail(r, "%s", why);
		return -1;
	}
	if (!dw_has_dwarf(r->dw)) {
		fail(r, "vmlinux %.400s has no DWARF (stripped?): use the -dbg package's vmlinux, "
		     "or leave out --vmlinux to use the BTF inside the dump", file);
		return -1;
	}
	d->dwarf = r->dw;
	fputs(",\"vmlinux\":{\"path\":", r->j);
	json_str(r->j, file);
	fputs(",\"build_id\":", r->j);
	json_str(r->j, dw_build_id(r->dw));
	fputc('}', r->j);
	return 0;
}

/* ---- ptdump and the checker in one walk ---- */

struct tee {
	struct pw_checker *chk;
	uint64_t mapped_bytes;
};

static void tee_note(void *state, const struct pw_note *n)
{
	struct tee *t = state;

	if (n->status == PW_ST_MAPPED)
		t->mapped_bytes += n->end - n->va;
	if (t->chk)
		pw_checker_note(t->chk, n);
}

static int tee_enter(void *state, const struct pw_table_visit *tv)
{
	struct tee *t = state;

	return t->chk ? pw_checker_enter_table(t->chk, tv) : 0;
}

static int ptdump_and_check(struct run *r, struct pw_kernel *k, struct pw_memmap *mm,
			    int have_mm, const struct pw_pgmap *pgmaps, int npgmaps,
			    const char *mm_why, unsigned mm_sources)
{
	struct pw_checker chk;
	struct tee tee = { 0 };
	struct pw_visitor also = { .state = &tee, .note = tee_note, .enter_table = tee_enter };
	struct pw_ptdump_opts po;
	struct pw_space sp;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *mem;
	uint64_t nranges = 0, unwalkable = 0, tables_read, tables_mapped, tables_unreadable;
	int err, findings = 0, first = 1;
	unsigned kernel_sources = r->d.used;

	if (pw_kernel_space(k, &sp, k->kernel_root)) {
		analysis_error(r, "ptdump", "cannot set up the kernel's page tables");
		return 0;
	}
	if (have_mm) {
		pw_checker_init(&chk, mm, pgmaps, npgmaps, 0);
		tee.chk = &chk;
	}
	mem = open_memstream(&buf, &len);
	memset(&po, 0, sizeof(po));
	po.fp = mem;
	po.json = 1;
	po.phys = r->o->phys;
	po.markers = k->markers;
	po.nmarkers = k->nmarkers;
	err = pw_ptdump_run(k, &sp, &po, NULL, 0, &also);
	fclose(mem);
	if (have_mm)
		pw_checker_finish(&chk);
	tables_read = sp.tables_read;
	tables_mapped = sp.tables_mapped;
	tables_unreadable = sp.tables_unreadable;
	pw_space_release(&sp);

	/* ptdump: a summary, and with --ranges every record. */
	r->d.used = kernel_sources;
	if (err) {
		analysis_error(r, "ptdump", pw_strerror(err));
	} else {
		analysis_ok(r, "ptdump");
		for (char *p = buf; p && (p = strstr(p, "{\"type\":\"range\"")); p++) {
			char *nl = strchr(p, '\n');

			nranges++;
			if (nl && memmem(p, (size_t)(nl - p), "\"status\":", 9))
				unwalkable++;
		}
		fprintf(r->j, ",\"format\":\"%s\",", k->fmt->name);
		hexfield(r->j, "root", k->kernel_root);
		fprintf(r->j, ",\"pti\":%s,", k->pti ? "true" : "false");
		hexfield(r->j, "mem_end", k->mem_end);
		fprintf(r->j, ",\"ranges\":%llu,\"unwalkable_ranges\":%llu,\"mapped_bytes\":%llu,"
			"\"markers\":[", (unsigned long long)nranges, (unsigned long long)unwalkable,
			(unsigned long long)tee.mapped_bytes);
		for (int i = 0; i < k->nmarkers; i++) {
			fprintf(r->j, "%s{\"name\":", i ? "," : "");
			json_str(r->j, k->markers[i].name);
			fprintf(r->j, ",\"va\":\"0x%llx\"}", (unsigned long long)k->markers[i].va);
		}
		fputc(']', r->j);
		if (r->o->ranges) {
			fputs(",\"records\":[", r->j);
			for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
				fprintf(r->j, "%s%s", first ? "" : ",", line);
				first = 0;
			}
			fputc(']', r->j);
		}
		/* With the timings: how the walk took its tables (mapped: no copy). */
		if (r->o->timings)
			fprintf(r->j, ",\"tables\":{\"read\":%llu,\"mapped\":%llu,\"unreadable\":%llu}",
				(unsigned long long)tables_read, (unsigned long long)tables_mapped,
				(unsigned long long)tables_unreadable);
		phase_time(r, "ptdump");
		fputc('}', r->j);
	}
	free(buf);

	/* check: the same records as ptdump -C -j. */
	if (!have_mm) {
		analysis_error(r, "check", mm_why);
	} else {
		r->d.used = kernel_sources | mm_sources;
		if (err) {
			analysis_error(r, "check", pw_strerror(err));
		} else {
			uint64_t kept = chk.count < (uint64_t)chk.max ? chk.count : (uint64_t)chk.max;

			analysis_ok(r, "check");
			fputs(",\"anomalies\":[", r->j);
			for (uint64_t i = 0; i < kept; i++) {
				if (i)
					fputc(',', r->j);
				pw_anomaly_json(r->j, k->fmt, &chk.list[i]);
			}
			fputs("],\"summary\":", r->j);
			pw_check_summary_json(r->j, &chk);
			fputc('}', r->j);
			findings = chk.count > 0 || chk.wx_pages > 0;
		}
		pw_checker_release(&chk);
	}
	return findings;
}

/* ---- the kernel log and the panic ---- */

/*
 * The log, with the panic it ends in (needs only VMCOREINFO), then the
 * triage of that panic (needs the memory model and page tables: mm NULL
 * when there are none, mm_why says why).
 */
static int triage(struct run *r, struct pw_memmap *mm, const struct pw_pgmap *pgmaps,
		  int npgmaps, const char *mm_why, unsigned mm_sources)
{
	char why[WHY] = "", *log;
	size_t len;
	struct pw_oops *o;
	struct pw_value_info *regs = NULL, fault;
	struct pw_triage_task *pt;
	uint64_t task = 0;
	int explained;

	bd_used_reset(&r->d);
	log = bd_read_log(&r->d, LOG_MAX, &len, why, sizeof(why));
	if (!log) {
		analysis_error(r, "log", why);
		analysis_error(r, "triage", "no kernel log");
		return 0;
	}
	o = malloc(sizeof(*o));
	if (!o) {
		free(log);
		analysis_error(r, "log", "out of memory");
		return 0;
	}
	pw_oops_parse(log, len, o);
	analysis_ok(r, "log");
	fprintf(r->j, ",\"bytes\":%zu", len);
	if (why[0]) {
		fputs(",\"note\":", r->j);
		json_str(r->j, why);
	}
	/* The panic in a few words, also when nothing else could run. */
	fprintf(r->j, ",\"oops\":%s,\"bug\":", o->found ? "true" : "false");
	json_str(r->j, o->bug);
	fputs(",\"ip\":", r->j);
	json_str(r->j, o->ip);
	fputs(",\"panic\":", r->j);
	json_str(r->j, o->panic);
	fputc('}', r->j);
	free(log);
	if (!mm) {
		free(o);
		analysis_error(r, "triage", mm_why);
		return 0;
	}
	regs = calloc(PW_OOPS_MAX_REGS, sizeof(*regs));
	pt = calloc(1, sizeof(*pt));
	if (!regs || !pt) {
		free(o);
		free(regs);
		free(pt);
		analysis_error(r, "triage", "out of memory");
		return 0;
	}
	r->d.used |= mm_sources;
	if (o->have_fault_addr)
		pw_classify_value(mm, pgmaps, npgmaps, o->fault_addr, &fault);
	for (int i = 0; i < o->nregs; i++)
		pw_classify_value(mm, pgmaps, npgmaps, o->reg[i].value, &regs[i]);
	/* The task that panicked (panic_cpu's current task); a user-half fault
	 * address is walked in its mm, as pttriage does with crash's panic task. */
	pw_kernel_panic_task(mm->k, &task, why, sizeof(why));
	pw_triage_task(mm->k, task, why, o->have_fault_addr ? &fault : NULL, pt);
	analysis_ok(r, "triage");
	if (!pt->have_task || (o->have_fault_addr && fault.cls == PW_VAL_USER && !pt->walked)) {
		fputs(",\"note\":", r->j);
		json_str(r->j, pt->why);
	}
	fputs(",\"result\":", r->j);
	explained = pw_triage_json(r->j, o, o->have_fault_addr ? &fault : NULL, pt, regs, o->nregs);
	phase_time(r, "triage");
	fputc('}', r->j);
	free(o);
	free(regs);
	free(pt);
	return explained;
}

/* ---- --walk ---- */

static void walk_error(FILE *j, const char *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void walk_error(FILE *j, const char *arg, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fputs("{\"arg\":", j);
	json_str(j, arg);
	fputs(",\"error\":", j);
	json_str(j, msg);
	fputc('}', j);
}

/*
 * One --walk argument: ADDR (hex or a symbol) in the kernel's space, or
 * TASK:ADDR (a pid, or a task_struct address in 0x hex) in that task's mm,
 * as ptwalk -c TASK ADDR does.
 */
static void walk_one(struct run *r, struct pw_kernel *k, struct pw_memmap *mm, int have_mm,
		     const struct pw_pgmap *pgmaps, int npgmaps, const char *arg)
{
	const char *colon = strchr(arg, ':'), *addr = colon ? colon + 1 : arg;
	struct pw_translation tr;
	struct pw_explanation ex;
	struct pw_pgste_of_walk pg = { 0 };
	struct pw_task task;
	struct pw_space sp;
	char why[160];
	uint64_t va, root = k->kernel_root;
	char *end;
	int err;

	if (colon) {
		char spec[40];

		if ((size_t)(colon - arg) >= sizeof(spec) || colon == arg) {
			walk_error(r->j, arg, "invalid task (a pid or a task_struct address)");
			return;
		}
		memcpy(spec, arg, (size_t)(colon - arg));
		spec[colon - arg] = '\0';
		if (pw_kernel_find_task(k, spec, &task, why, sizeof(why))) {
			walk_error(r->j, arg, "%s", why);
			return;
		}
		if (!task.mm) {
			walk_error(r->j, arg, "pid %lld (%s) is a kernel thread: it has no user "
				   "address space", (long long)task.pid, task.comm);
			return;
		}
		root = task.root;
	}
	errno = 0;
	va = strtoull(addr, &end, 16);
	if (errno || end == addr || *end) {
		if (colon || pw_symbol(&r->d.target, addr, &va)) {
			walk_error(r->j, arg, colon ? "invalid address (not hex)"
					    : "invalid address (not hex, not a symbol)");
			return;
		}
	}
	if (!pw_va_canonical(k->fmt, va)) {
		walk_error(r->j, arg, "%llx is not a canonical address for %s",
			   (unsigned long long)va, k->fmt->name);
		return;
	}
	if (colon) {
		err = pw_kernel_space(k, &sp, root);
		if (err) {
			walk_error(r->j, arg, "the page tables of pid %lld: %s",
				   (long long)task.pid, pw_strerror(err));
			return;
		}
		pw_translate(&sp, va, &tr);
		/* s390x: the last PTE's PGSTE, as ptwalk shows it */
		pw_pgste_of_walk(k, task.mm, &sp, &tr, &pg);
		pw_space_release(&sp);
	} else {
		pw_translate(&k->kspace, va, &tr);
	}
	memset(&ex, 0, sizeof(ex));
	if (have_mm)
		pw_explain(mm, pgmaps, npgmaps, &tr, colon ? PW_CHECK_USER_MM : 0, &ex);
	report_walk(r->j, k->fmt, root, colon ? &task : NULL, &tr, have_mm ? &ex : NULL, &pg);
}

static void walks(struct run *r, struct pw_kernel *k, struct pw_memmap *mm, int have_mm,
		  const struct pw_pgmap *pgmaps, int npgmaps)
{
	fputs(",\"walks\":[", r->j);
	for (int i = 0; i < r->o->nwalks; i++) {
		if (i)
			fputc(',', r->j);
		walk_one(r, k, mm, have_mm, pgmaps, npgmaps, r->o->walks[i]);
	}
	fputc(']', r->j);
}

static char *ptdump_text(struct pw_kernel *k, int phys)
{
	struct pw_ptdump_opts po;
	struct pw_space sp;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	if (pw_kernel_space(k, &sp, k->kernel_root))
		return NULL;
	mem = open_memstream(&buf, &len);
	memset(&po, 0, sizeof(po));
	po.fp = mem;
	po.phys = phys;
	po.markers = k->markers;
	po.nmarkers = k->nmarkers;
	pw_ptdump_run(k, &sp, &po, NULL, 0, NULL);
	fclose(mem);
	pw_space_release(&sp);
	return buf;
}

static void sources_json(struct run *r)
{
	struct batch_dump *d = &r->d;
	const char *how;
	uint64_t va, size;

	fputs(",\"sources\":{\"kallsyms\":", r->j);
	if (d->ks)
		fprintf(r->j, "{\"symbols\":%zu,\"variables\":%s}", ks_count(d->ks),
			ks_text_only(d->ks) ? "false" : "true");
	else if (d->ks_tried)
		json_str(r->j, d->ks_why);
	else
		fputs("null", r->j);
	fputs(",\"btf\":", r->j);
	if (d->btf) {
		btf_info_where(d->btf, &how, &va, &size);
		fprintf(r->j, "{\"found_by\":\"%s\",\"va\":\"0x%llx\",\"size\":%llu}", how,
			(unsigned long long)va, (unsigned long long)size);
	} else if (d->btf_tried) {
		json_str(r->j, d->btf_why);
	} else {
		fputs(d->no_btf ? "\"disabled (--no-btf)\"" : "null", r->j);
	}
	if (r->dw) {
		unsigned scanned, total;
		double secs;

		dw_stats(r->dw, &scanned, &total, &secs);
		fprintf(r->j, ",\"dwarf\":{\"cus_scanned\":%u", scanned);
		if (r->o->timings)
			fprintf(r->j, ",\"seconds\":%.3f", secs);
		fputc('}', r->j);
	}
	fputc('}', r->j);
}

int batch_analyze(const char *path, const struct batch_opts *o, FILE *out,
		  const char **error, char **text)
{
	static struct run r;
	struct pw_kernel k;
	struct pw_memmap mm;
	struct pw_pgmap *pgmaps = NULL;
	char why[WHY], kwhy[WHY], mm_why[WHY] = "", pg_why[WHY] = "";
	int npgmaps = 0, have_mm = 0, findings = 0, kernel_open = 0;
	unsigned mm_sources = 0, kernel_sources = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.d.fd = -1;
	r.d.no_btf = o->no_btf;
	r.t0 = r.tphase = now();
	r.status = BATCH_OK;
	*error = NULL;
	if (text)
		*text = NULL;
	r.j = open_memstream(&r.jbuf, &r.jlen);
	fputs("{\"file\":", r.j);
	json_str(r.j, path);

	if (bd_open(&r.d, path, o->allow_convert, why, sizeof(why))) {
		fail(&r, "%s", why);
		goto done;
	}
	identity(&r);
	if (open_vmlinux(&r))
		goto done;

	/* The kernel's layout: paging format, roots, markers. */
	bd_used_reset(&r.d);
	if (pw_kernel_open(&k, &r.d.target, kwhy, sizeof(kwhy))) {
		char line[WHY + 200];
		int n = snprintf(line, sizeof(line), "cannot read the kernel's page-table layout: %s",
				 kwhy);

		if (!r.d.ks && r.d.ks_tried && n > 0 && (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n, " (kallsyms: %s)", r.d.ks_why);
		else if (r.d.ks && ks_text_only(r.d.ks) && n > 0 && (size_t)n < sizeof(line))
			snprintf(line + n, sizeof(line) - (size_t)n,
				 " (this kernel's kallsyms lists only functions, CONFIG_KALLSYMS_ALL is "
				 "off: variables need --vmlinux or --debuginfo-dir)");
		analysis_error(&r, "kernel", line);
		fail(&r, "%s", line);
		/* The log needs only VMCOREINFO: say at least how the kernel died. */
		triage(&r, NULL, NULL, 0, "needs the kernel's page tables", 0);
		goto done;
	}
	kernel_open = 1;
	kernel_sources = r.d.used;
	analysis_ok(&r, "kernel");
	phase_time(&r, "kernel");
	fputc('}', r.j);

	/* The memory model, for check, pgmap and triage. */
	bd_used_reset(&r.d);
	if (pw_memmap_open(&mm, &k, mm_why, sizeof(mm_why)) == PW_OK) {
		have_mm = 1;
		mm_sources = r.d.used;
		pgmaps = calloc(PW_MAX_PGMAPS, sizeof(*pgmaps));
		npgmaps = pgmaps ? pw_pgmaps(&mm, pgmaps, PW_MAX_PGMAPS, pg_why, sizeof(pg_why)) : -1;
		if (!pgmaps)
			snprintf(pg_why, sizeof(pg_why), "out of memory");
		if (npgmaps < 0) {
			analysis_error(&r, "pgmap", pg_why);
			npgmaps = 0;
		} else {
			analysis_ok(&r, "pgmap");
			fputs(",\"pgmaps\":[", r.j);
			for (int i = 0; i < npgmaps; i++) {
				if (i)
					fputc(',', r.j);
				pw_pgmap_json(r.j, &pgmaps[i]);
			}
			fputs("]}", r.j);
		}
		/* The checker also asks for page._refcount, PG_reserved... */
		bd_used_reset(&r.d);
		{
			struct pw_page_judge jdg;

			pw_page_judge_init(&jdg, &r.d.target);
		}
		mm_sources |= r.d.used;
	} else {
		char reason[WHY];
		int btf_failed = r.d.btf_tried && !r.d.btf;

		memcpy(reason, mm_why, sizeof(reason));
		snprintf(mm_why, sizeof(mm_why), "cannot read the memory model: %.300s%s%.150s%s",
			 reason, btf_failed ? " (btf: " : "", btf_failed ? r.d.btf_why : "",
			 btf_failed ? ")" : "");
		analysis_error(&r, "pgmap", mm_why);
	}

	r.d.used = kernel_sources;
	findings |= ptdump_and_check(&r, &k, &mm, have_mm, pgmaps, npgmaps, mm_why, mm_sources);
	findings |= triage(&r, have_mm ? &mm : NULL, pgmaps, npgmaps, mm_why, mm_sources);
	if (o->nwalks)
		walks(&r, &k, &mm, have_mm, pgmaps, npgmaps);
	if (o->ptdump_text) {
		char *t = ptdump_text(&k, o->phys);

		fputs(",\"ptdump_text\":", r.j);
		json_str(r.j, t ? t : "");
		if (text)
			*text = t;
		else
			free(t);
	}
	if (findings)
		r.status = BATCH_FINDINGS;
done:
	if (r.d.kd)
		sources_json(&r);
	if (r.status == BATCH_FAILED) {
		fputs(",\"status\":\"error\",\"error\":", r.j);
		json_str(r.j, r.error);
		*error = r.error;
	} else {
		fprintf(r.j, ",\"status\":\"%s\"", r.status == BATCH_FINDINGS ? "findings" : "ok");
	}
	fprintf(r.j, ",\"exit\":%d", r.status);
	if (o->timings)
		fprintf(r.j, ",\"seconds\":%.3f", now() - r.t0);
	fputs("}\n", r.j);
	fclose(r.j);
	fwrite(r.jbuf, 1, r.jlen, out);
	fflush(out);
	free(r.jbuf);
	free(pgmaps);
	if (kernel_open)
		pw_kernel_close(&k);
	bd_close(&r.d);
	if (r.dw)
		dw_close(r.dw);
	return r.status;
}
