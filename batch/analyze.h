/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One dump in, one JSON object out: what ptwalk-batch does per vmcore. */
#ifndef PTWALK_BATCH_ANALYZE_H
#define PTWALK_BATCH_ANALYZE_H

#include <stdio.h>

/* Exit statuses, per dump and for the whole run (the worst one wins). */
enum {
	BATCH_OK = 0,        /* analysed, nothing found */
	BATCH_FINDINGS = 1,  /* analysed, with findings (anomalies, W+X, a triage verdict) */
	BATCH_FAILED = 2,    /* could not be opened or its page tables not read */
};

struct batch_opts {
	const char *vmlinux;        /* --vmlinux FILE */
	const char *debuginfo_dir;  /* --debuginfo-dir DIR */
	int allow_convert;          /* rebuild flattened / patch s390x ELF (default on) */
	int no_btf;                 /* --no-btf: types from VMCOREINFO only */
	int ptdump_text;            /* --ptdump: the full kernel-format text */
	int ranges;                 /* --ranges: every ptdump -j record */
	int phys;                   /* --phys: ptdump -p (split on PA, pa_start) */
	const char *const *walks;   /* --walk ADDR|SYMBOL (kernel addresses) */
	int nwalks;
	int timings;                /* --timings: seconds per phase in the JSON */
};

/*
 * Analyse the vmcore at path and write one JSON object and a newline to
 * out.  On an error that stops the analysis, *error gets a one-line
 * message (static storage of the call, valid until the next call).
 * When text is not NULL and --ptdump was asked, *text gets the malloc'd
 * kernel-format dump.  Returns BATCH_OK, BATCH_FINDINGS or BATCH_FAILED.
 */
int batch_analyze(const char *path, const struct batch_opts *o, FILE *out,
		  const char **error, char **text);

#endif
