// SPDX-License-Identifier: GPL-2.0-or-later
/* JSON fragments shared by the crash commands and the batch tool (see ptwalk/json.h). */
#include <string.h>

#include "ptwalk/json.h"

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if it is not one.  Strings
 * from a dump (a task's comm, cut at 15 bytes by the kernel) need not be.
 */
static int utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (int i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void pw_json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80) {
			int n = utf8_len((const unsigned char *)s);

			if (!n) {
				fputs("\\ufffd", fp); /* not UTF-8: the replacement character */
				continue;
			}
			fwrite(s, 1, (size_t)n, fp);
			s += n - 1;
		} else if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\u%04x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

void pw_translation_status_json(FILE *fp, const struct pw_translation *tr)
{
	fprintf(fp, "\"status\":\"%s\",", pw_status_name(tr->status));
	if (tr->status == PW_ST_MAPPED) {
		fprintf(fp, "\"pa\":\"0x%llx\",\"page_size\":%llu,", (unsigned long long)tr->pa,
			(unsigned long long)tr->page_size);
		return;
	}
	fputs("\"pa\":null,\"page_size\":null,\"reason\":", fp);
	pw_json_str(fp, pw_status_reason(tr));
	fputc(',', fp);
}

void pw_explanation_json(FILE *fp, const struct pw_format *fmt,
			 const struct pw_translation *tr, const struct pw_explanation *ex)
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
		pw_json_str(fp, ex->table[i].detail);
		fputc('}', fp);
	}
	if (ex->dm_kind) {
		fprintf(fp, "%s{\"kind\":\"%s\",\"pfn\":\"0x%llx\",\"detail\":", n++ ? "," : "",
			ex->dm_kind, (unsigned long long)ex->dm_pfn);
		pw_json_str(fp, ex->dm_detail);
		fputc('}', fp);
	}
	fputc(']', fp);
}

void pw_anomaly_json(FILE *fp, const struct pw_format *fmt, const struct pw_anomaly *a)
{
	const char *lvl = a->level >= 0 ? fmt->level[a->level].name : "-";

	fprintf(fp, "{\"type\":\"anomaly\",\"anomaly\":\"%s\",\"va_start\":\"0x%llx\","
		"\"va_end\":\"0x%llx\",\"level\":\"%s\",\"entry_pa\":\"0x%llx\","
		"\"entry\":\"0x%llx\",\"%s\":\"0x%llx\",\"detail\":",
		a->kind, (unsigned long long)a->va, (unsigned long long)a->end, lvl,
		(unsigned long long)a->entry_pa, (unsigned long long)a->entry,
		strstr(a->kind, "table") ? "table_pfn" : "pfn", (unsigned long long)a->pfn);
	pw_json_str(fp, a->detail);
	fputc('}', fp);
}

void pw_check_summary_json(FILE *fp, const struct pw_checker *chk)
{
	fprintf(fp, "{\"type\":\"summary\",\"tables_checked\":%llu,\"anomalies\":%llu,"
		"\"wx_pages\":%llu}", (unsigned long long)chk->tables,
		(unsigned long long)chk->count, (unsigned long long)chk->wx_pages);
}

void pw_pgste_walk_json(FILE *fp, const struct pw_pgste_of_walk *w)
{
	struct pw_pgste g;

	if (!w->valid)
		return;
	pw_pgste_decode(w->raw, &g);
	fprintf(fp, ",\"pgste\":{\"pa\":\"0x%llx\",\"raw\":\"0x%llx\",\"acc\":%u,\"fp\":%d,"
		"\"usage\":\"%s\",\"zero\":%d,\"nodat\":%d}",
		(unsigned long long)w->pa, (unsigned long long)w->raw, g.acc, g.fp,
		pw_pgste_usage_name(g.usage), g.zero, g.nodat);
}
