// SPDX-License-Identifier: GPL-2.0-or-later
/* Reading the panic out of the kernel log, and what each value points at. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/json.h"
#include "ptwalk/triage.h"

/* Lines that start an oops; "Oops:" usually follows one of them. */
static const char *const oops_starts[] = {
	"BUG:",
	"Unable to handle kernel",
	"general protection fault",
	NULL,
};
/* Lines this far after a start belong to the same oops. */
#define OOPS_FOLLOW_LINES 8

/* Skip "[   12.345678] " and the like. */
static const char *skip_stamp(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '[') {
		const char *q = memchr(p, ']', (size_t)(end - p));

		if (q)
			p = q + 1;
		while (p < end && *p == ' ')
			p++;
	}
	return p;
}

/* Whether [p, end) starts with lit; never reads past end. */
static int starts(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static void copy_line(char *dst, size_t n, const char *p, const char *end)
{
	size_t len = (size_t)(end - p);

	if (len >= n)
		len = n - 1;
	memcpy(dst, p, len);
	dst[len] = '\0';
}

/* Register pairs "RAX: 0000...", "x29: ...", "RSP: 0018:ffff..." on a line. */
static void parse_regs(const char *p, const char *end, struct pw_oops *o)
{
	while (p < end && o->nregs < PW_OOPS_MAX_REGS) {
		const char *name = p, *colon;
		size_t nlen;
		char *num_end;
		uint64_t v;

		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		nlen = (size_t)(p - name);
		colon = p;
		while (colon < end && *colon == ' ')
			colon++;
		if (nlen == 0 || nlen >= sizeof(o->reg[0].name) || colon >= end || *colon != ':') {
			p = p == name ? p + 1 : p;
			continue;
		}
		p = colon + 1;
		while (p < end && *p == ' ')
			p++;
		/* "0018:ffffc900..." carries a segment first. */
		const char *seg = p;

		while (seg < end && isxdigit((unsigned char)*seg))
			seg++;
		if (seg < end && *seg == ':' && seg - p == 4)
			p = seg + 1;
		{
			char num[24];
			size_t n = 0;

			while (p + n < end && n < sizeof(num) - 1 && isxdigit((unsigned char)p[n]))
				n++;
			memcpy(num, p, n);
			num[n] = '\0';
			v = strtoull(num, &num_end, 16);
			num_end = (char *)p + (num_end - num);
		}
		if (num_end == p || num_end - p < 8)
			continue; /* not a full register value */
		/* A second register dump (user-mode regs at the syscall entry)
		 * repeats names: keep the first, the one of the fault. */
		for (int r = 0; r < o->nregs; r++) {
			if (strlen(o->reg[r].name) == nlen && !memcmp(o->reg[r].name, name, nlen)) {
				o->regs_done = 1;
				return;
			}
		}
		memcpy(o->reg[o->nregs].name, name, nlen);
		o->reg[o->nregs].name[nlen] = '\0';
		o->reg[o->nregs].value = v;
		o->nregs++;
		p = num_end;
	}
}

void pw_oops_parse(const char *log, size_t len, struct pw_oops *o)
{
	const char *end = log + len, *line, *start = NULL, *panic_line = NULL;
	long idx = 0, start_idx = 0;

	memset(o, 0, sizeof(*o));
	/*
	 * The last oops wins.  An "Oops:" line starts one only when no BUG line
	 * came just before it; a lone "Kernel panic" (sysrq-c) is the fallback.
	 */
	for (line = log; line < end; idx++) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		const char *p = skip_stamp(line, le);

		for (int i = 0; oops_starts[i]; i++) {
			if (starts(p, le, oops_starts[i])) {
				start = line;
				start_idx = idx;
			}
		}
		if (starts(p, le, "Oops:") &&
		    (!start || idx - start_idx > OOPS_FOLLOW_LINES)) {
			start = line;
			start_idx = idx;
		}
		if (starts(p, le, "Kernel panic"))
			panic_line = line;
		line = nl ? nl + 1 : end;
	}
	if (!start)
		start = panic_line;
	if (!start)
		return;
	o->found = 1;
	for (line = start; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *le = nl ? nl : end;
		const char *p = skip_stamp(line, le);
		static const char *const fault_lines[] = {
			"BUG: unable to handle page fault for address:",
			"BUG: kernel NULL pointer dereference, address:",
			"Unable to handle kernel paging request at virtual address",
			NULL,
		};

		if (!o->bug[0] && (starts(p, le, "BUG:") || starts(p, le, "Unable") ||
				   starts(p, le, "general protection") || starts(p, le, "Oops:")))
			copy_line(o->bug, sizeof(o->bug), p, le);
		for (int i = 0; fault_lines[i] && !o->have_fault_addr; i++) {
			if (starts(p, le, fault_lines[i])) {
				char num[24];

				/* strtoull needs a terminated string: copy the number. */
				copy_line(num, sizeof(num), p + strlen(fault_lines[i]), le);
				o->fault_addr = strtoull(num, NULL, 16);
				o->have_fault_addr = 1;
			}
		}
		if (!o->ip[0] && (starts(p, le, "RIP:") || starts(p, le, "pc :")))
			copy_line(o->ip, sizeof(o->ip), p, le);
		else if (!o->regs_done && !starts(p, le, "Code:") && !starts(p, le, "Call Trace") &&
			 !starts(p, le, "BUG:") && !starts(p, le, "Unable") && !starts(p, le, "#PF:"))
			parse_regs(p, le, o);
		if (!o->panic[0] && starts(p, le, "Kernel panic"))
			copy_line(o->panic, sizeof(o->panic), p, le);
		line = nl ? nl + 1 : end;
	}
}

const char *pw_value_class_name(enum pw_value_class c)
{
	switch (c) {
	case PW_VAL_SMALL: return "small";
	case PW_VAL_POISON_ONES: return "poison-ones";
	case PW_VAL_POISON_HEAD: return "poison-compound-head";
	case PW_VAL_NONCANONICAL: return "non-canonical";
	case PW_VAL_STRUCT_PAGE: return "struct-page";
	case PW_VAL_MAPPED: return "mapped";
	case PW_VAL_UNMAPPED: return "unmapped";
	case PW_VAL_USER: return "user";
	}
	return "unknown";
}

void pw_value_json(FILE *fp, const char *name, const struct pw_value_info *v)
{
	fprintf(fp, "{\"name\":\"%s\",\"value\":\"0x%llx\",\"class\":\"%s\"", name,
		(unsigned long long)v->value, pw_value_class_name(v->cls));
	if (v->have_pfn)
		fprintf(fp, ",\"pfn\":\"0x%llx\",\"memmap\":\"%s\"", (unsigned long long)v->pfn.pfn,
			pw_verdict_name(v->pfn.verdict));
	if (v->have_pfn && v->pfn.pgmap)
		fprintf(fp, ",\"pgmap\":\"0x%llx\"", (unsigned long long)v->pfn.pgmap->addr);
	if (v->have_pfn && v->pfn.poison)
		fprintf(fp, ",\"poison\":\"%s\"", v->pfn.poison);
	if (v->have_pfn && v->pfn.page)
		fprintf(fp, ",\"page_in_dump\":%s", v->pfn.page_read ? "true" : "false");
	if (v->cls == PW_VAL_MAPPED || v->cls == PW_VAL_UNMAPPED)
		fprintf(fp, ",\"walk\":\"%s\"", pw_status_name(v->tr.status));
	fputc('}', fp);
}

void pw_classify_value(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
		       uint64_t value, struct pw_value_info *out)
{
	struct pw_kernel *k = mm->k;
	uint64_t pfn;

	memset(out, 0, sizeof(*out));
	out->value = value;
	if (value == UINT64_MAX) {
		out->cls = PW_VAL_POISON_ONES;
		return;
	}
	/* compound_head(page) = page->compound_head - 1 when bit 0 is set:
	 * an all-0xff word gives ~0 - 1. */
	if (value == UINT64_MAX - 1) {
		out->cls = PW_VAL_POISON_HEAD;
		return;
	}
	if (value < 0x100000) {
		out->cls = PW_VAL_SMALL;
		return;
	}
	if (!pw_va_canonical(k->fmt, value)) {
		out->cls = PW_VAL_NONCANONICAL;
		return;
	}
	if (pw_page_to_pfn(mm, value, &pfn) == PW_OK) {
		out->cls = PW_VAL_STRUCT_PAGE;
		pw_pfninfo(mm, pgmaps, npgmaps, pfn, &out->pfn);
		out->have_pfn = 1;
		return;
	}
	if (!(value >> 63)) {
		out->cls = PW_VAL_USER;
		return;
	}
	pw_translate(&k->kspace, value, &out->tr);
	if (out->tr.status == PW_ST_MAPPED) {
		out->cls = PW_VAL_MAPPED;
		if (out->tr.pa < k->mem_end || npgmaps) {
			pw_pfninfo(mm, pgmaps, npgmaps, out->tr.pa >> 12, &out->pfn);
			out->have_pfn = 1;
		}
	} else {
		out->cls = PW_VAL_UNMAPPED;
		if (out->tr.nsteps)
			out->fmt_level_name = k->fmt->level[out->tr.step[out->tr.nsteps - 1].level].name;
		pw_explain(mm, pgmaps, npgmaps, &out->tr, 0, &out->ex);
	}
}

int pw_triage_verdict(const struct pw_oops *o, const struct pw_value_info *fault,
		      const struct pw_triage_task *pt, const struct pw_value_info *regs,
		      int nregs, char *text, size_t len)
{
	const struct pw_value_info *page = NULL;

	for (int i = 0; i < nregs; i++)
		if (regs[i].cls == PW_VAL_STRUCT_PAGE &&
		    regs[i].pfn.verdict == PW_V_UNINITIALIZED && !page)
			page = &regs[i];
	if (page && fault && (fault->cls == PW_VAL_POISON_HEAD || fault->cls == PW_VAL_POISON_ONES ||
			      fault->cls == PW_VAL_NONCANONICAL)) {
		const struct pw_pfninfo *pi = &page->pfn;

		snprintf(text, len,
			 "the kernel read the never-initialized struct page %llx of pfn %llx "
			 "(altmap reserve of pgmap %llx %s, range %llx-%llx)%s%s; "
			 "compound_head() of its garbage gave the fault address %llx",
			 (unsigned long long)page->value, (unsigned long long)pi->pfn,
			 (unsigned long long)(pi->pgmap ? pi->pgmap->addr : 0),
			 pi->pgmap ? pw_pgmap_type_name(pi->pgmap->type) : "?",
			 (unsigned long long)(pi->pgmap ? pi->pgmap->range_start : 0),
			 (unsigned long long)(pi->pgmap ? pi->pgmap->range_end : 0),
			 pi->poison ? ", poisoned all 0xff" : "",
			 !pi->page || pi->page_read ? ""
			 : pi->page_on_device ? ", its contents not in the dump (memmap on the device)"
					      : ", its contents not in the dump",
			 (unsigned long long)fault->value);
		return 1;
	}
	if (page) {
		snprintf(text, len, "a register holds the never-initialized struct page %llx of pfn %llx",
			 (unsigned long long)page->value, (unsigned long long)page->pfn.pfn);
		return 1;
	}
	if (fault && fault->cls == PW_VAL_UNMAPPED) {
		const struct pw_step *s = fault->tr.nsteps ? &fault->tr.step[fault->tr.nsteps - 1] : NULL;
		const struct pw_explanation *ex = &fault->ex;
		int n = snprintf(text, len,
				 "the fault address %llx is not mapped in init_mm: %s at the %s entry %llx "
				 "(value %llx)", (unsigned long long)fault->value,
				 pw_status_name(fault->tr.status),
				 fault->fmt_level_name ? fault->fmt_level_name : "root",
				 (unsigned long long)(s ? s->entry_pa : 0),
				 (unsigned long long)(s ? s->raw : 0));

		if (n > 0 && (size_t)n < len && ex->dm_kind)
			n += snprintf(text + n, len - (size_t)n, "; %s: %s", ex->dm_kind, ex->dm_detail);
		if (n > 0 && (size_t)n < len && ex->ntables)
			snprintf(text + n, len - (size_t)n, "; %s: %s", ex->table[0].kind,
				 ex->table[0].detail);
		return 1;
	}
	/* A user address the kernel touched: what the task's own tables say. */
	if (fault && fault->cls == PW_VAL_USER && pt && pt->walked &&
	    pt->tr.status != PW_ST_MAPPED) {
		const struct pw_translation *tr = &pt->tr;
		const struct pw_step *s = tr->nsteps ? &tr->step[tr->nsteps - 1] : NULL;

		snprintf(text, len,
			 "the kernel touched the user address %llx, which is not mapped in the mm "
			 "of pid %lld (%s): %s at the %s entry %llx (value %llx): %s",
			 (unsigned long long)fault->value, (long long)pt->task.pid, pt->task.comm,
			 pw_status_name(tr->status),
			 s && pt->fmt ? pt->fmt->level[s->level].name : "root",
			 (unsigned long long)(s ? s->entry_pa : 0),
			 (unsigned long long)(s ? s->raw : 0), pw_status_reason(tr));
		return 1;
	}
	snprintf(text, len, "%s", o->found ? "no ZONE_DEVICE or page-table explanation found"
					   : "no oops in the kernel log");
	return 0;
}

void pw_triage_task(struct pw_kernel *k, uint64_t task, const char *why,
		    const struct pw_value_info *fault, struct pw_triage_task *out)
{
	struct pw_space sp;
	int err;

	memset(out, 0, sizeof(*out));
	if (!task) {
		snprintf(out->why, sizeof(out->why), "%s", why && why[0] ? why : "no panic task");
		return;
	}
	if (pw_kernel_task_at(k, task, &out->task, out->why, sizeof(out->why)))
		return;
	out->have_task = 1;
	if (!fault || fault->cls != PW_VAL_USER)
		return;
	if (!out->task.mm) {
		snprintf(out->why, sizeof(out->why), "pid %lld is a kernel thread (no mm)",
			 (long long)out->task.pid);
		return;
	}
	err = pw_kernel_space(k, &sp, out->task.root);
	if (err) {
		snprintf(out->why, sizeof(out->why), "the page tables of pid %lld: %s",
			 (long long)out->task.pid, pw_strerror(err));
		return;
	}
	pw_translate(&sp, fault->value, &out->tr);
	out->fmt = sp.fmt;
	pw_space_release(&sp);
	out->walked = 1;
}

static void task_json(FILE *fp, const struct pw_task *t)
{
	fprintf(fp, "\"task\":\"0x%llx\",\"pid\":%lld,\"comm\":", (unsigned long long)t->task,
		(long long)t->pid);
	pw_json_str(fp, t->comm);
}

int pw_triage_json(FILE *fp, const struct pw_oops *o, const struct pw_value_info *fault,
		   const struct pw_triage_task *pt, const struct pw_value_info *regs, int nregs)
{
	char text[640];
	int explained = pw_triage_verdict(o, fault, pt, regs, nregs, text, sizeof(text));

	fprintf(fp, "{\"oops\":%s,\"bug\":", o->found ? "true" : "false");
	pw_json_str(fp, o->bug);
	fputs(",\"ip\":", fp);
	pw_json_str(fp, o->ip);
	fputs(",\"panic\":", fp);
	pw_json_str(fp, o->panic);
	fputc(',', fp);
	if (pt && pt->have_task) {
		fputs("\"panic_task\":{", fp);
		task_json(fp, &pt->task);
		fputs("},", fp);
	}
	if (fault) {
		fputs("\"fault\":", fp);
		pw_value_json(fp, "fault", fault);
		fputc(',', fp);
	}
	if (fault && pt && pt->walked) {
		const struct pw_translation *tr = &pt->tr;

		fputs("\"fault_in_task\":{", fp);
		task_json(fp, &pt->task);
		fprintf(fp, ",\"root\":\"0x%llx\",\"status\":\"%s\",\"reason\":",
			(unsigned long long)pt->task.root, pw_status_name(tr->status));
		pw_json_str(fp, pw_status_reason(tr));
		if (tr->status == PW_ST_MAPPED)
			fprintf(fp, ",\"pa\":\"0x%llx\",\"page_size\":%llu",
				(unsigned long long)tr->pa, (unsigned long long)tr->page_size);
		fputc(',', fp);
		pw_translation_levels_json(fp, pt->fmt, tr);
		fputs("},", fp);
	}
	fputs("\"registers\":[", fp);
	for (int i = 0; i < nregs; i++) {
		if (i)
			fputc(',', fp);
		pw_value_json(fp, o->reg[i].name, &regs[i]);
	}
	fputs("],\"verdict\":", fp);
	pw_json_str(fp, text);
	fputc('}', fp);
	return explained;
}
