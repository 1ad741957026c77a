/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * JSON output shared by the crash commands and the batch tool, so that the
 * records of both compare field for field.  Each writes a fragment without
 * a newline; strings are escaped.
 */
#ifndef PTWALK_JSON_H
#define PTWALK_JSON_H

#include <stdio.h>

#include "ptwalk/check.h"
#include "ptwalk/pgste.h"
#include "ptwalk/walk.h"

/* s as a JSON string, quotes included (NULL as ""). */
void pw_json_str(FILE *fp, const char *s);

/*
 * The outcome of a translation, as members followed by a comma:
 * "status":..., "pa":..., "page_size":... (null unless mapped), "reason"
 * (unless mapped).  ptwalk -j puts "levels" after it.
 */
void pw_translation_status_json(FILE *fp, const struct pw_translation *tr);

/* What pw_explain() found: ,"direct_map_pfn" (in the direct map) and ,"findings":[...]. */
void pw_explanation_json(FILE *fp, const struct pw_format *fmt,
			 const struct pw_translation *tr, const struct pw_explanation *ex);

/* ,"pgste":{...} after ptwalk -j's levels, when the walk has one (s390x). */
void pw_pgste_walk_json(FILE *fp, const struct pw_pgste_of_walk *w);

/* ptdump -C -j: one anomaly record, and the summary record. */
void pw_anomaly_json(FILE *fp, const struct pw_format *fmt, const struct pw_anomaly *a);
void pw_check_summary_json(FILE *fp, const struct pw_checker *chk);

#endif
