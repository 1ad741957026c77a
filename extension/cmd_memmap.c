// SPDX-License-Identifier: GPL-2.0-or-later
/* pgmap and pfninfo: ZONE_DEVICE pgmaps and the truth about a pfn's struct page. */
#include "defs.h"

#include <stdlib.h>

#include "ext.h"
#include "ptwalk/json.h"
#include "ptwalk/memmap.h"

int memmap_open(struct memmap_ctx *m)
{
	if (ctx_open(&m->c))
		return -1;
	if (pw_memmap_open(&m->mm, &m->c.k, m->c.why, sizeof(m->c.why))) {
		ctx_error(&m->c, NULL, "cannot read the memory model: %s", m->c.why);
		ctx_close(&m->c);
		return -1;
	}
	m->pgmaps = (struct pw_pgmap *)GETBUF(sizeof(struct pw_pgmap) * PW_MAX_PGMAPS);
	m->npgmaps = pw_pgmaps(&m->mm, m->pgmaps, PW_MAX_PGMAPS, m->pgmap_why,
			       sizeof(m->pgmap_why));
	if (m->npgmaps < 0) {
		m->pgmap_problem = m->pgmap_why;
		m->npgmaps = 0;
	}
	return 0;
}

void memmap_close(struct memmap_ctx *m)
{
	FREEBUF(m->pgmaps);
	ctx_close(&m->c);
}

/*
 * Whether the dump holds the pgmap's struct pages and its data: the struct
 * page of the first device pfn and that pfn's page.  A kdump usually holds
 * neither (pmem is not System RAM); with the memmap on the device, pfninfo
 * cannot say anything about the contents of any of its struct pages.
 */
static void pgmap_in_dump(struct memmap_ctx *m, uint64_t dev_pfn)
{
	struct pw_pfninfo *pi = (struct pw_pfninfo *)GETBUF(sizeof(*pi));
	uint8_t b[8];
	int data_err;

	pw_pfninfo(&m->mm, m->pgmaps, m->npgmaps, dev_pfn, pi);
	data_err = pw_read_phys(m->mm.k->t, dev_pfn << 12, b, sizeof(b));
	fprintf(fp, "  in dump  struct pages: ");
	if (!pi->page)
		fputs("no memmap", fp);
	else if (pi->page_read)
		fputs("yes", fp);
	else
		fprintf(fp, "NO, %s (struct page %llx of pfn %llx%s%s)",
			pi->page_err == PW_ERR_EXCLUDED ? "excluded" : "not in the dump",
			(unsigned long long)pi->page, (unsigned long long)dev_pfn,
			pi->page_on_device ? ", on the device" : "",
			pi->page_on_device ? ": the dump lacks the memmap of this pgmap" : "");
	fprintf(fp, "; device data: %s\n", data_err == PW_OK ? "yes"
					  : data_err == PW_ERR_EXCLUDED ? "excluded" : "NO, not in the dump");
	FREEBUF(pi);
}

static void pgmap_text(struct memmap_ctx *m, const struct pw_pgmap *p)
{
	struct pw_pgmap_region r[PW_MAX_REGIONS];
	int n = pw_pgmap_regions(p, r);
	uint64_t dev_pfn;

	fprintf(fp, "PGMAP %llx  %s (%lld)  flags %llx  nr_range %lld  owner %llx\n",
		(unsigned long long)p->addr, pw_pgmap_type_name(p->type), (long long)p->type,
		(unsigned long long)p->flags, (long long)p->nr_range,
		(unsigned long long)p->owner);
	fprintf(fp, "  range   %llx-%llx  (pfn %llx-%llx)\n",
		(unsigned long long)p->range_start, (unsigned long long)p->range_end,
		(unsigned long long)(p->range_start >> 12), (unsigned long long)(p->range_end >> 12));
	if (!p->has_altmap)
		fprintf(fp, "  altmap  none (memmap in RAM)\n");
	else
		fprintf(fp, "  altmap  base_pfn %llx  end_pfn %llx  reserve %llu  free %llu  align %llu  alloc %llu\n",
			(unsigned long long)p->base_pfn, (unsigned long long)p->end_pfn,
			(unsigned long long)p->reserve, (unsigned long long)p->free,
			(unsigned long long)p->align, (unsigned long long)p->alloc);
	for (int i = 0; i < n; i++)
		fprintf(fp, "  %-14s pfn %llx-%llx  (%llu pages): %s\n", pw_region_name(r[i].kind),
			(unsigned long long)r[i].start, (unsigned long long)(r[i].end - 1),
			(unsigned long long)(r[i].end - r[i].start), pw_region_meaning(r[i].kind));
	dev_pfn = p->range_start >> 12;
	for (int i = 0; i < n; i++)
		if (r[i].kind == PW_R_DEVICE)
			dev_pfn = r[i].start;
	pgmap_in_dump(m, dev_pfn);
}

void cmd_pgmap(void)
{
	struct memmap_ctx m;
	int json;

	if (parse_only_json_option(&json))
		return;
	memset(&m, 0, sizeof(m));
	m.c.json = json;
	if (memmap_open(&m))
		return;
	if (m.pgmap_problem)
		ctx_error(&m.c, NULL, "%s", m.pgmap_problem);
	else if (!m.npgmaps && !json)
		fprintf(fp, "no dev_pagemap in pgmap_array: this kernel has no ZONE_DEVICE memory\n");
	for (int i = 0; i < m.npgmaps; i++) {
		if (json) {
			pw_pgmap_json(fp, &m.pgmaps[i]);
			fputc('\n', fp);
		} else
			pgmap_text(&m, &m.pgmaps[i]);
	}
	memmap_close(&m);
}

static void section_flags(uint64_t raw, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", raw & PW_SECTION_MARKED_PRESENT ? "PRESENT " : "",
		 raw & PW_SECTION_HAS_MEM_MAP ? "HAS_MEM_MAP " : "",
		 raw & PW_SECTION_IS_ONLINE ? "ONLINE " : "",
		 raw & PW_SECTION_IS_EARLY ? "EARLY " : "",
		 raw & PW_SECTION_TAINT_ZONE_DEVICE ? "ZONE_DEVICE " : "");
}

static uint64_t word_at(const struct pw_pfninfo *pi, unsigned off)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8 && off + i < pi->raw_len; i++)
		v |= (uint64_t)pi->raw[off + i] << (8 * i);
	return v;
}

/* ": not in the dump (...)": the rest of the struct page line of pfninfo. */
static void unread_page_line(const struct pw_pfninfo *pi)
{
	fprintf(fp, ": %s", pi->page_err == PW_ERR_EXCLUDED ? "excluded from the dump" : "not in the dump");
	if (pi->page_pa_known)
		fprintf(fp, " (PA %llx%s)", (unsigned long long)pi->page_pa,
			pi->page_on_device ? ": on the device, in its own altmap memmap" : "");
	fputc('\n', fp);
}

static void pfninfo_text(const struct pw_pfninfo *pi)
{
	char flags[96];

	fprintf(fp, "PFN %llx  (PA %llx)\n", (unsigned long long)pi->pfn,
		(unsigned long long)(pi->pfn << 12));
	if (pi->sec.exists) {
		section_flags(pi->sec.raw, flags, sizeof(flags));
		fprintf(fp, "  section %llu at %llx: %s [section_mem_map %llx]\n",
			(unsigned long long)pi->sec.nr, (unsigned long long)pi->sec.addr, flags,
			(unsigned long long)pi->sec.raw);
		if (pi->sec.usage_readable)
			fprintf(fp, "  subsection map %016llx: this subsection %s\n",
				(unsigned long long)pi->sec.subsection_map[0],
				pi->subsection_valid ? "valid" : "not populated");
	} else {
		fprintf(fp, "  section %llu: none\n", (unsigned long long)pi->sec.nr);
	}
	if (pi->pgmap)
		fprintf(fp, "  pgmap %llx  %s  range %llx-%llx\n", (unsigned long long)pi->pgmap->addr,
			pw_pgmap_type_name(pi->pgmap->type), (unsigned long long)pi->pgmap->range_start,
			(unsigned long long)pi->pgmap->range_end);
	if (pi->page) {
		fprintf(fp, "  struct page %llx", (unsigned long long)pi->page);
		if (!pi->page_read) {
			unread_page_line(pi);
		} else {
			fputc('\n', fp);
			for (unsigned off = 0; off < pi->raw_len; off += 8)
				fprintf(fp, "%s%016llx%s", off % 32 == 0 ? "    " : " ",
					(unsigned long long)word_at(pi, off),
					off % 32 == 24 || off + 8 >= pi->raw_len ? "\n" : "");
			if (pi->poison)
				fprintf(fp, "    poison: %s\n", pi->poison);
			if (pi->verdict != PW_V_UNINITIALIZED && !pi->poison) {
				uint64_t head = word_at(pi, 8);

				fprintf(fp, "    flags %llx  ", (unsigned long long)word_at(pi, 0));
				if (head & 1)
					fprintf(fp, "tail page of head %llx\n",
						(unsigned long long)(head - 1));
				else
					fputs("not a tail page\n", fp);
			}
		}
	}
	fprintf(fp, "  memmap: %s -- %s\n", pw_verdict_name(pi->verdict), pi->why);
}

static void pfninfo_json(const struct pw_pfninfo *pi)
{
	fprintf(fp, "{\"pfn\":\"0x%llx\",\"section\":%llu,\"section_mem_map\":\"0x%llx\","
		"\"present\":%s,\"has_memmap\":%s,\"online\":%s,\"early\":%s,\"zone_device\":%s,",
		(unsigned long long)pi->pfn, (unsigned long long)pi->sec.nr,
		(unsigned long long)pi->sec.raw,
		pi->sec.raw & PW_SECTION_MARKED_PRESENT ? "true" : "false",
		pi->sec.raw & PW_SECTION_HAS_MEM_MAP ? "true" : "false",
		pi->sec.raw & PW_SECTION_IS_ONLINE ? "true" : "false",
		pi->sec.raw & PW_SECTION_IS_EARLY ? "true" : "false",
		pi->sec.raw & PW_SECTION_TAINT_ZONE_DEVICE ? "true" : "false");
	if (pi->sec.usage_readable)
		fprintf(fp, "\"subsection_valid\":%s,", pi->subsection_valid ? "true" : "false");
	if (pi->pgmap)
		fprintf(fp, "\"pgmap\":\"0x%llx\",", (unsigned long long)pi->pgmap->addr);
	if (pi->page)
		fprintf(fp, "\"page\":\"0x%llx\",\"page_in_dump\":%s,", (unsigned long long)pi->page,
			pi->page_read ? "true" : "false");
	if (pi->page && !pi->page_read) {
		fprintf(fp, "\"page_missing\":\"%s\",",
			pi->page_err == PW_ERR_EXCLUDED ? "excluded" : "not-in-dump");
		if (pi->page_pa_known)
			fprintf(fp, "\"page_pa\":\"0x%llx\",\"page_on_device\":%s,",
				(unsigned long long)pi->page_pa, pi->page_on_device ? "true" : "false");
	}
	if (pi->page_read) {
		fputs("\"raw\":[", fp);
		for (unsigned off = 0; off < pi->raw_len; off += 8)
			fprintf(fp, "%s\"0x%llx\"", off ? "," : "", (unsigned long long)word_at(pi, off));
		fputs("],", fp);
		if (pi->poison)
			fprintf(fp, "\"poison\":\"%s\",", pi->poison);
	}
	fprintf(fp, "\"memmap\":\"%s\",\"why\":", pw_verdict_name(pi->verdict));
	pw_json_str(fp, pi->why);
	fputs("}\n", fp);
}

void cmd_pfninfo(void)
{
	struct memmap_ctx m;
	int c, json = 0;
	char mode = 'f';

	while ((c = getopt(argcnt, args, "jps")) != EOF) {
		switch (c) {
		case 'j': json = 1; break;
		case 'p': mode = 'p'; break;
		case 's': mode = 's'; break;
		default: argerrs++; break;
		}
	}
	if (argerrs || !args[optind]) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.c.json = json;
	if (memmap_open(&m))
		return;
	if (m.pgmap_problem)
		ctx_warning(&m.c, "%s; verdicts ignore ZONE_DEVICE", m.pgmap_problem);
	for (; args[optind]; optind++) {
		struct pw_pfninfo pi;
		uint64_t v, pfn;

		if (parse_address(args[optind], &v)) {
			ctx_error(&m.c, args[optind], "invalid number: %s", args[optind]);
			continue;
		}
		if (mode == 's') {
			if (pw_page_to_pfn(&m.mm, v, &pfn)) {
				ctx_error(&m.c, args[optind], "%llx is not inside the memmap (vmemmap %llx)",
					  (unsigned long long)v, (unsigned long long)m.mm.vmemmap);
				continue;
			}
		} else if (mode == 'p') {
			pfn = v >> 12;
		} else if (v >> 52) {
			/* Its physical address would not fit in 64 bits. */
			ctx_error(&m.c, args[optind], "pfn %llx is beyond any physical address",
				  (unsigned long long)v);
			continue;
		} else {
			pfn = v;
		}
		pw_pfninfo(&m.mm, m.pgmaps, m.npgmaps, pfn, &pi);
		if (json)
			pfninfo_json(&pi);
		else
			pfninfo_text(&pi);
	}
	memmap_close(&m);
}
