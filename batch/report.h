/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON of ptwalk-batch.  The records of the crash commands (ptwalk -j,
 * ptdump -C -j, pgmap -j, pttriage -j) are written by the core's printers
 * (ptwalk/json.h and others), one object without a trailing newline, so
 * they can be embedded in the per-dump object.  Strings are escaped.
 */
#ifndef PTWALK_BATCH_REPORT_H
#define PTWALK_BATCH_REPORT_H

#include <stdio.h>

#include "ptwalk/check.h"
#include "ptwalk/pgste.h"
#include "ptwalk/walk.h"

void json_str(FILE *fp, const char *s);

/* ptwalk -j for a kernel address (space "kernel"), with what pw_explain()
 * found (ex may be NULL when the memory model could not be read). */
/* One ptwalk -j record; pg: the walk's PGSTE (s390x), printed when valid. */
void report_walk(FILE *fp, const struct pw_format *fmt, uint64_t root, const struct pw_task *task,
		 const struct pw_translation *tr, const struct pw_explanation *ex,
		 const struct pw_pgste_of_walk *pg);

#endif
