/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a panic: the last oops in the kernel log (fault address, the
 * register dump), each register value classified against the memory model
 * and the page tables, and a verdict with its chain of evidence.
 */
#ifndef PTWALK_TRIAGE_H
#define PTWALK_TRIAGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ptwalk/check.h"
#include "ptwalk/memmap.h"
#include "ptwalk/walk.h"

#define PW_OOPS_MAX_REGS 40

struct pw_oops {
	int found;                /* an oops or BUG line was found */
	int have_fault_addr;
	uint64_t fault_addr;      /* from "BUG: unable to handle page fault for address:" */
	char bug[160];            /* that BUG/Oops line, without the timestamp */
	char ip[160];             /* "RIP: 0010:func+0x12/0x80" */
	char panic[160];          /* "Kernel panic - not syncing: ..." */
	struct { char name[8]; uint64_t value; } reg[PW_OOPS_MAX_REGS];
	int nregs;
	int regs_done;            /* a repeated name ended the first register dump */
};

/* Parse the last oops of a kernel log (crash's `log` text). */
void pw_oops_parse(const char *log, size_t len, struct pw_oops *o);

enum pw_value_class {
	PW_VAL_SMALL,          /* a small integer, not an address */
	PW_VAL_POISON_ONES,    /* 0xffffffffffffffff: a word of 0xff poison */
	PW_VAL_POISON_HEAD,    /* ~0 - 1: compound_head() of an 0xff-poisoned page */
	PW_VAL_NONCANONICAL,   /* cannot be an address */
	PW_VAL_STRUCT_PAGE,    /* inside the memmap: a struct page */
	PW_VAL_MAPPED,         /* a mapped kernel address */
	PW_VAL_UNMAPPED,       /* a canonical kernel address that is not mapped */
	PW_VAL_USER,           /* a user-half address */
};

struct pw_value_info {
	uint64_t value;
	enum pw_value_class cls;
	struct pw_pfninfo pfn;    /* PW_VAL_STRUCT_PAGE, or the pfn a mapped address hits */
	int have_pfn;
	struct pw_translation tr; /* MAPPED / UNMAPPED: the kernel walk */
	const char *fmt_level_name; /* level where that walk stopped */
	struct pw_explanation ex;   /* UNMAPPED: why (stale table, invalid direct map...) */
};

const char *pw_value_class_name(enum pw_value_class c);
/* One classified value as a JSON object (no newline); name is plain ASCII. */
void pw_value_json(FILE *fp, const char *name, const struct pw_value_info *v);

void pw_classify_value(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
		       uint64_t value, struct pw_value_info *out);

/* The panicking task, and a user-half fault address walked in its own mm. */
struct pw_triage_task {
	int have_task;            /* task was read */
	struct pw_task task;
	int walked;               /* the fault address was walked in task's mm */
	struct pw_translation tr;
	const struct pw_format *fmt; /* of that walk */
	char why[160];            /* why there is no task or no walk */
};

/*
 * Read the panicking task (task_struct address task; 0 when unknown, why
 * says why) and, when the fault address is a user-half one (PW_VAL_USER)
 * and the task has an mm, walk it there.  pttriage passes crash's panic
 * task, the batch tool pw_kernel_panic_task()'s.
 */
void pw_triage_task(struct pw_kernel *k, uint64_t task, const char *why,
		    const struct pw_value_info *fault, struct pw_triage_task *out);

/*
 * The verdict: the strongest explanation the values support, one line into
 * text.  pt (may be NULL) is the panicking task with a user-half fault
 * address walked in its mm.  Returns 1 when something was explained.  Shared
 * by pttriage and the batch tool so both say the same.
 */
int pw_triage_verdict(const struct pw_oops *o, const struct pw_value_info *fault,
		      const struct pw_triage_task *pt, const struct pw_value_info *regs,
		      int nregs, char *text, size_t len);

/*
 * The pttriage -j record, one object without a newline (fault and pt may
 * be NULL).  Returns pw_triage_verdict()'s value.
 */
int pw_triage_json(FILE *fp, const struct pw_oops *o, const struct pw_value_info *fault,
		   const struct pw_triage_task *pt, const struct pw_value_info *regs, int nregs);

#endif
