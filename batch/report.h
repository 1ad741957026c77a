/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON records of ptwalk-batch, field for field the records of the crash
 * commands (ptwalk -j, ptdump -C -j, pgmap -j; pttriage -j is the core's
 * pw_triage_json()), one object
 * without a trailing newline, so they can be embedded in the per-dump
 * object.  Strings are escaped.
 */
#ifndef PTWALK_BATCH_REPORT_H
#define PTWALK_BATCH_REPORT_H

#include <stdio.h>

#include "ptwalk/check.h"
#include "ptwalk/memmap.h"
#include "ptwalk/triage.h"
#include "ptwalk/walk.h"

void json_str(FILE *fp, const char *s);

/* ptwalk -j for a kernel address (space "kernel"), with what pw_explain()
 * found (ex may be NULL when the memory model could not be read). */
void report_walk(FILE *fp, const struct pw_format *fmt, uint64_t root,
		 const struct pw_translation *tr, const struct pw_explanation *ex);
/* ptdump -C -j: an anomaly, and the summary record. */
void report_anomaly(FILE *fp, const struct pw_format *fmt, const struct pw_anomaly *a);
void report_check_summary(FILE *fp, const struct pw_checker *chk);
/* pgmap -j */
void report_pgmap(FILE *fp, const struct pw_pgmap *p);

#endif
