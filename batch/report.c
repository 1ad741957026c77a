// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The batch tool's JSON: the records of the crash commands come from the
 * core's printers (ptwalk/json.h, pw_translation_levels_json(),
 * pw_pgmap_json(), pw_triage_json()), the same code the crash extension
 * uses, so that batch and crash output compare record by record.
 */
#include "ptwalk/json.h"
#include "report.h"

void json_str(FILE *fp, const char *s)
{
	pw_json_str(fp, s);
}

void report_walk(FILE *fp, const struct pw_format *fmt, uint64_t root, const struct pw_task *task,
		 const struct pw_translation *tr, const struct pw_explanation *ex,
		 const struct pw_pgste_of_walk *pg)
{
	/* The head of ptwalk -j's record: a task's walk says whose. */
	fprintf(fp, "{\"va\":\"0x%llx\",\"space\":\"%s\",", (unsigned long long)tr->va,
		task ? "user" : "kernel");
	if (task)
		fprintf(fp, "\"pid\":%lld,\"task\":\"0x%llx\",", (long long)task->pid,
			(unsigned long long)task->task);
	fprintf(fp, "\"format\":\"%s\",\"root\":\"0x%llx\",", fmt->name, (unsigned long long)root);
	pw_translation_status_json(fp, tr);
	pw_translation_levels_json(fp, fmt, tr);
	if (ex)
		pw_explanation_json(fp, fmt, tr, ex);
	pw_pgste_walk_json(fp, pg);
	fputc('}', fp);
}
