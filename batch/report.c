// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON records of the crash commands, written to any FILE.  Field
 * names, order and values follow extension/ptwalk_ext.c, cmd_memmap.c and
 * cmd_triage.c so that batch and crash output compare record by record.
 */
#include <string.h>

#include "ptwalk/json.h"
#include "report.h"

void json_str(FILE *fp, const char *s)
{
	pw_json_str(fp, s);
}

/* The "findings" of ptwalk -j (extension/ptwalk_ext.c print_explanation()). */
static void explanation(FILE *fp, const struct pw_format *fmt, const struct pw_translation *tr,
			const struct pw_explanation *ex)
{
	int n = 0;

	if (ex->direct_map)
		fprintf(fp, ",\"direct_map_pfn\":\"0x%llx\"", (unsigned long long)ex->dm_pfn);
	fputs(",\"findings\":[", fp);
	for (int i = 0; i < ex->ntables; i++) {
		const struct pw_step *s = &tr->step[ex->table[i].step];

		fprintf(fp, "%s{\"kind\":\"%s\",\"level\":\"%s\",\"table_pfn\":\"0x%llx\",\"detail\":",
			n++ ? "," : "", ex->table[i].kind, fmt->level[s->level].name,
			(unsigned long long)(s->table_pa >> 12));
		json_str(fp, ex->table[i].detail);
		fputc('}', fp);
	}
	if (ex->dm_kind) {
		fprintf(fp, "%s{\"kind\":\"%s\",\"pfn\":\"0x%llx\",\"detail\":", n++ ? "," : "",
			ex->dm_kind, (unsigned long long)ex->dm_pfn);
		json_str(fp, ex->dm_detail);
		fputc('}', fp);
	}
	fputc(']', fp);
}

void report_walk(FILE *fp, const struct pw_format *fmt, uint64_t root,
		 const struct pw_translation *tr, const struct pw_explanation *ex)
{

	fprintf(fp, "{\"va\":\"0x%llx\",\"space\":\"kernel\",", (unsigned long long)tr->va);
	fprintf(fp, "\"format\":\"%s\",\"root\":\"0x%llx\",\"status\":\"%s\",",
		fmt->name, (unsigned long long)root, pw_status_name(tr->status));
	if (tr->status == PW_ST_MAPPED) {
		fprintf(fp, "\"pa\":\"0x%llx\",\"page_size\":%llu,", (unsigned long long)tr->pa,
			(unsigned long long)tr->page_size);
	} else {
		fputs("\"pa\":null,\"page_size\":null,\"reason\":", fp);
		json_str(fp, pw_status_reason(tr));
		fputc(',', fp);
	}
	pw_translation_levels_json(fp, fmt, tr);
	if (ex)
		explanation(fp, fmt, tr, ex);
	fputc('}', fp);
}

void report_anomaly(FILE *fp, const struct pw_format *fmt, const struct pw_anomaly *a)
{
	const char *lvl = a->level >= 0 ? fmt->level[a->level].name : "-";

	fprintf(fp, "{\"type\":\"anomaly\",\"anomaly\":\"%s\",\"va_start\":\"0x%llx\","
		"\"va_end\":\"0x%llx\",\"level\":\"%s\",\"entry_pa\":\"0x%llx\","
		"\"entry\":\"0x%llx\",\"%s\":\"0x%llx\",\"detail\":",
		a->kind, (unsigned long long)a->va, (unsigned long long)a->end, lvl,
		(unsigned long long)a->entry_pa, (unsigned long long)a->entry,
		strstr(a->kind, "table") ? "table_pfn" : "pfn", (unsigned long long)a->pfn);
	json_str(fp, a->detail);
	fputc('}', fp);
}

void report_check_summary(FILE *fp, const struct pw_checker *chk)
{
	fprintf(fp, "{\"type\":\"summary\",\"tables_checked\":%llu,\"anomalies\":%llu,"
		"\"wx_pages\":%llu}", (unsigned long long)chk->tables,
		(unsigned long long)chk->count, (unsigned long long)chk->wx_pages);
}

void report_pgmap(FILE *fp, const struct pw_pgmap *p)
{
	pw_pgmap_json(fp, p);
}
