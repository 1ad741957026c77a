// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pttriage: read the panic (the last oops in the kernel log: fault address,
 * register dump), classify every value against the memory model and the
 * page tables, and say what went wrong with the evidence.
 */
#include "defs.h"

#include "ext.h"
#include "ptwalk/triage.h"

/* Enough for the tail of any log; older lines do not hold the last oops. */
#define LOG_MAX (4u << 20)

/* crash's `log`, captured through its tmpfile.  Returns the text's length. */
static size_t capture_log(char **text)
{
	size_t n = 0;
	long size;

	open_tmpfile();
	dump_log(0);
	size = ftell(pc->tmpfile);
	rewind(pc->tmpfile);
	if (size > (long)LOG_MAX) {
		fseek(pc->tmpfile, size - (long)LOG_MAX, SEEK_SET);
		size = LOG_MAX;
	}
	*text = GETBUF(size > 0 ? size + 1 : 1);
	if (size > 0)
		n = fread(*text, 1, (size_t)size, pc->tmpfile);
	(*text)[n] = '\0';
	close_tmpfile();
	return n;
}

static int is_control_register(const char *name)
{
	return (name[0] == 'C' && name[1] == 'R' && strcmp(name, "CR2") != 0) ||
	       strcmp(name, "PKRU") == 0 || strcmp(name, "EFLAGS") == 0;
}

static void describe_pfn(const struct pw_pfninfo *pi)
{
	fprintf(fp, "pfn %llx: %s", (unsigned long long)pi->pfn, pw_verdict_name(pi->verdict));
	if (pi->pgmap)
		fprintf(fp, ", pgmap %llx %s", (unsigned long long)pi->pgmap->addr,
			pw_pgmap_type_name(pi->pgmap->type));
	if (pi->poison)
		fprintf(fp, ", struct page %s", pi->poison);
	if (pi->page && !pi->page_read)
		fprintf(fp, ", struct page %s%s",
			pi->page_err == PW_ERR_EXCLUDED ? "excluded from the dump" : "not in the dump",
			pi->page_on_device ? " (on the device)" : "");
}

static void describe_value(const struct pw_value_info *v)
{
	switch (v->cls) {
	case PW_VAL_POISON_ONES:
		fputs("all ones: a word of an 0xff-poisoned struct page", fp);
		break;
	case PW_VAL_POISON_HEAD:
		fputs("~0 - 1: compound_head() of a struct page whose compound_head word is all 0xff", fp);
		break;
	case PW_VAL_STRUCT_PAGE:
		fputs("struct page of ", fp);
		describe_pfn(&v->pfn);
		break;
	case PW_VAL_MAPPED:
		fprintf(fp, "mapped kernel address -> PA %llx", (unsigned long long)v->tr.pa);
		if (v->have_pfn) {
			fputs(" (", fp);
			describe_pfn(&v->pfn);
			fputc(')', fp);
		}
		break;
	case PW_VAL_UNMAPPED:
		fprintf(fp, "unmapped kernel address (walk in init_mm: %s", pw_status_name(v->tr.status));
		if (v->tr.nsteps)
			fprintf(fp, " at the %s entry %llx",
				v->fmt_level_name ? v->fmt_level_name : "last",
				(unsigned long long)v->tr.step[v->tr.nsteps - 1].entry_pa);
		fputc(')', fp);
		break;
	default:
		fputs(pw_value_class_name(v->cls), fp);
		break;
	}
}

/* The fault address walked in the panicking task's mm: where it stopped and why. */
static void user_walk_line(const struct pw_triage_task *pt)
{
	const struct pw_translation *tr = &pt->tr;
	const struct pw_step *s = tr->nsteps ? &tr->step[tr->nsteps - 1] : NULL;

	fprintf(fp, "  in the mm of pid %lld (%s): %s", (long long)pt->task.pid, pt->task.comm,
		pw_status_name(tr->status));
	if (tr->status == PW_ST_MAPPED)
		fprintf(fp, " -> PA %llx", (unsigned long long)tr->pa);
	else if (s && pt->fmt)
		fprintf(fp, " at the %s entry %llx (value %llx): %s", pt->fmt->level[s->level].name,
			(unsigned long long)s->entry_pa, (unsigned long long)s->raw,
			pw_status_reason(tr));
	else
		fprintf(fp, ": %s", pw_status_reason(tr));
	fputc('\n', fp);
}

/* The shared verdict, as a VERDICT line. */
static void verdict(const struct pw_oops *o, const struct pw_value_info *fault,
		    const struct pw_triage_task *pt, const struct pw_value_info *regs, int nregs)
{
	char text[640];

	pw_triage_verdict(o, fault, pt, regs, nregs, text, sizeof(text));
	fprintf(fp, "VERDICT: %s\n", text);
}

void cmd_pttriage(void)
{
	struct memmap_ctx m;
	struct pw_oops *o;
	struct pw_value_info *regs, fault;
	struct pw_triage_task *pt;
	char *log;
	size_t len;
	int json;

	if (parse_only_json_option(&json))
		return;
	memset(&m, 0, sizeof(m));
	m.c.json = json;
	if (memmap_open(&m))
		return;
	len = capture_log(&log);
	o = (struct pw_oops *)GETBUF(sizeof(*o));
	regs = (struct pw_value_info *)GETBUF(sizeof(*regs) * PW_OOPS_MAX_REGS);
	memset(regs, 0, sizeof(*regs) * PW_OOPS_MAX_REGS);
	pt = (struct pw_triage_task *)GETBUF(sizeof(*pt));
	memset(&fault, 0, sizeof(fault));
	pw_oops_parse(log, len, o);
	if (o->have_fault_addr)
		pw_classify_value(&m.mm, m.pgmaps, m.npgmaps, o->fault_addr, &fault);
	/*
	 * crash's panic task, not the current context (`set` moves that); a
	 * user fault address is walked in its own mm.
	 */
	pw_triage_task(&m.c.k, tt->panic_task, "crash knows no panic task",
		       o->have_fault_addr ? &fault : NULL, pt);
	for (int i = 0; i < o->nregs; i++)
		pw_classify_value(&m.mm, m.pgmaps, m.npgmaps, o->reg[i].value, &regs[i]);

	if (json) {
		pw_triage_json(fp, o, o->have_fault_addr ? &fault : NULL, pt, regs, o->nregs);
		fputc('\n', fp);
	} else {
		if (!o->found) {
			fprintf(fp, "no oops in the kernel log\n");
		} else {
			fprintf(fp, "OOPS:  %s\n", o->bug);
			if (o->ip[0])
				fprintf(fp, "IP:    %s\n", o->ip);
			if (o->panic[0])
				fprintf(fp, "PANIC: %s\n", o->panic);
			if (o->have_fault_addr) {
				fprintf(fp, "FAULT ADDRESS %016llx: ", (unsigned long long)o->fault_addr);
				describe_value(&fault);
				fputc('\n', fp);
				if (pt->walked)
					user_walk_line(pt);
				else if (fault.cls == PW_VAL_USER && pt->why[0])
					fprintf(fp, "  not walked in the panic task's mm: %s\n", pt->why);
			}
			for (int i = 0; i < o->nregs; i++) {
				/* Control registers and flags are not pointers. */
				if (regs[i].cls == PW_VAL_SMALL || is_control_register(o->reg[i].name))
					continue;
				fprintf(fp, "  %-4s %016llx  ", o->reg[i].name,
					(unsigned long long)o->reg[i].value);
				describe_value(&regs[i]);
				fputc('\n', fp);
			}
		}
		verdict(o, o->have_fault_addr ? &fault : NULL, pt, regs, o->nregs);
	}
	FREEBUF(pt);
	FREEBUF(regs);
	FREEBUF(o);
	FREEBUF(log);
	memmap_close(&m);
}
