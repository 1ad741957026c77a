// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sections, pgmap_array, altmap regions, pfn verdicts, table-page judgement
 * and value triage over a synthetic x86_64 kernel.  The altmap regions are
 * the ones Linux 6.1 implies (mm/page_alloc.c memmap_init_range(),
 * mm/mm_init.c memmap_init_zone_device(), mm/memremap.c vmem_altmap_offset()):
 * never initialized [base, base+reserve), memmap [.., base+reserve+free),
 * device pages after that.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/check.h"
#include "ptwalk/memmap.h"
#include "ptwalk/triage.h"
#include "synthetic.h"

#define MEM (64ULL << 20)
#define PAGE_STRUCT 64
#define VMEMMAP_PA 0x400000ULL    /* struct pages of pfns 0..16383 (1 MiB) */
#define SECTIONS_PA 0x300000ULL   /* mem_section root page */
#define ROOTS_PA 0x301000ULL      /* the array of root pointers */
#define USAGE_PA 0x302000ULL
#define PGMAP_PA 0x303000ULL
#define XA_PA 0x304000ULL
#define NODE_PA 0x305000ULL

/* 16 MiB sections, 2 MiB subsections: 8 per section. */
#define SECTION_BITS 24
#define PFN_DEV 0x2000ULL         /* section 2: the "pmem" */

struct mfix {
	struct syn_x86 kx;
	struct syn *s;
	struct pw_kernel k;
	struct pw_memmap mm;
	struct pw_pgmap pgmaps[4];
	int npgmaps;
};

static void put_section(struct mfix *f, int nr, uint64_t raw, uint64_t subsections)
{
	uint64_t ms = SECTIONS_PA + 16 * (uint64_t)nr;
	uint64_t usage = USAGE_PA + 32 * (uint64_t)nr;

	syn_put(f->s, ms, raw, 8);
	syn_put(f->s, ms + 8, f->kx.kv + usage, 8);
	syn_put(f->s, usage + 16, subsections, 8);
}

static struct mfix *memmap_new(void)
{
	struct mfix *f = test_calloc(1, sizeof(*f));
	char why[256];
	uint64_t online = PW_SECTION_MARKED_PRESENT | PW_SECTION_HAS_MEM_MAP |
			  PW_SECTION_IS_ONLINE | PW_SECTION_IS_EARLY;
	struct syn *s;

	syn_x86_kernel(&f->kx, MEM, 1, 0);
	s = f->s = f->kx.s;
	syn_window(s, SYN_VMEMMAP, VMEMMAP_PA, 16384 * PAGE_STRUCT);
	syn_number(s, "SECTION_SIZE_BITS", SECTION_BITS);
	syn_number(s, "MAX_PHYSMEM_BITS", 30);
	syn_member(s, "mem_section", "section_mem_map", 0);
	syn_member(s, "mem_section", "usage", 8);
	syn_member(s, "mem_section_usage", "subsection_map", 16);
	syn_number(s, "sizeof(mem_section)", 16);
	syn_number(s, "sizeof(page)", PAGE_STRUCT);
	syn_put(s, ROOTS_PA, f->kx.kv + SECTIONS_PA, 8);
	syn_x86_var(&f->kx, "mem_section", f->kx.kv + ROOTS_PA);
	/* 0: online; 1: online, only its first 4 subsections populated;
	 * 2: ZONE_DEVICE; 3: nothing. */
	put_section(f, 0, SYN_VMEMMAP | online, 0xff);
	put_section(f, 1, SYN_VMEMMAP | online, 0x0f);
	put_section(f, 2, SYN_VMEMMAP | PW_SECTION_MARKED_PRESENT | PW_SECTION_HAS_MEM_MAP |
				  PW_SECTION_TAINT_ZONE_DEVICE, 0xff);

	/* struct dev_pagemap: altmap first, as in 6.1. */
	syn_member(s, "dev_pagemap", "altmap", 0);
	syn_member(s, "vmem_altmap", "base_pfn", 0);
	syn_member(s, "vmem_altmap", "end_pfn", 8);
	syn_member(s, "vmem_altmap", "reserve", 16);
	syn_member(s, "vmem_altmap", "free", 24);
	syn_member(s, "vmem_altmap", "align", 32);
	syn_member(s, "vmem_altmap", "alloc", 40);
	syn_member(s, "dev_pagemap", "type", 48);
	syn_member(s, "dev_pagemap", "flags", 52);
	syn_member(s, "dev_pagemap", "vmemmap_shift", 56);
	syn_member(s, "dev_pagemap", "owner", 64);
	syn_member(s, "dev_pagemap", "nr_range", 72);
	syn_member(s, "dev_pagemap", "range", 80);
	syn_member(s, "range", "start", 0);
	syn_member(s, "range", "end", 8);
	syn_put(s, PGMAP_PA + 0, PFN_DEV, 8);
	syn_put(s, PGMAP_PA + 8, PFN_DEV + 0xfff, 8);
	syn_put(s, PGMAP_PA + 16, 2, 8);     /* reserve */
	syn_put(s, PGMAP_PA + 24, 62, 8);    /* free */
	syn_put(s, PGMAP_PA + 32, 30, 8);    /* align */
	syn_put(s, PGMAP_PA + 40, 32, 8);    /* alloc */
	syn_put(s, PGMAP_PA + 48, 3, 4);     /* MEMORY_DEVICE_FS_DAX */
	syn_put(s, PGMAP_PA + 52, 1, 4);     /* PGMAP_ALTMAP_VALID */
	syn_put(s, PGMAP_PA + 72, 1, 4);
	syn_put(s, PGMAP_PA + 80, PFN_DEV << 12, 8);
	syn_put(s, PGMAP_PA + 88, ((PFN_DEV + 0x1000) << 12) - 1, 8);

	/* pgmap_array: head -> node; the pgmap as a multi-index entry (the
	 * pointer, then sibling entries, then the pointer again in a child). */
	syn_member(s, "xarray", "xa_head", 8);
	syn_member(s, "xa_node", "shift", 0);
	syn_member(s, "xa_node", "slots", 40);
	syn_symbol(s, "pgmap_array", f->kx.kv + XA_PA);
	syn_put(s, XA_PA + 8, f->kx.kv + NODE_PA + 2, 8);
	syn_put(s, NODE_PA + 40, f->kx.kv + PGMAP_PA, 8);
	syn_put(s, NODE_PA + 48, (0 << 2) | 2, 8);  /* xa_mk_sibling(0) */
	syn_put(s, NODE_PA + 56, f->kx.kv + NODE_PA + 0x200 + 2, 8);
	syn_put(s, NODE_PA + 0x200 + 40, f->kx.kv + PGMAP_PA, 8);

	/* struct pages: pfn 0x2000 poisoned 0xff, others plausible. */
	memset(s->mem + VMEMMAP_PA + PFN_DEV * PAGE_STRUCT, 0xff, 2 * PAGE_STRUCT);
	syn_member(s, "page", "_refcount", 52);
	syn_member(s, "page", "_mapcount", 48);
	syn_number(s, "PG_slab", 9);
	syn_number(s, "PG_reserved", 10);
	for (uint64_t pfn = 0x100; pfn < 0x108; pfn++) {
		uint64_t pg = VMEMMAP_PA + pfn * PAGE_STRUCT;

		syn_put(s, pg + 48, 0xffffffff, 4);     /* page_type: none */
		syn_put(s, pg + 52, 1, 4);              /* refcount 1 */
	}
	syn_put(s, VMEMMAP_PA + 0x101 * PAGE_STRUCT + 52, 0, 4);          /* freed */
	syn_put(s, VMEMMAP_PA + 0x102 * PAGE_STRUCT + 48, ~0x80u, 4);     /* PageBuddy */
	syn_put(s, VMEMMAP_PA + 0x103 * PAGE_STRUCT, 1ULL << 9, 8);       /* PG_slab */
	syn_put(s, VMEMMAP_PA + 0x104 * PAGE_STRUCT + 48, ~0x200u, 4);    /* PageTable */

	assert_int_equal(pw_kernel_open(&f->k, &s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_memmap_open(&f->mm, &f->k, why, sizeof(why)), PW_OK);
	f->npgmaps = pw_pgmaps(&f->mm, f->pgmaps, 4, why, sizeof(why));
	return f;
}

static void memmap_free(struct mfix *f)
{
	pw_kernel_close(&f->k);
	syn_free(f->s);
	test_free(f);
}

static void test_pgmap_array_dedup_and_regions(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_pgmap_region r[PW_MAX_REGIONS];

	(void)state;
	assert_int_equal(f->npgmaps, 1);
	assert_int_equal(f->pgmaps[0].type, 3);
	assert_string_equal(pw_pgmap_type_name(f->pgmaps[0].type), "MEMORY_DEVICE_FS_DAX");
	assert_true(f->pgmaps[0].has_altmap);
	/* reserve 2, free 62 = align 30 + alloc 32: padding first, then the memmap. */
	assert_int_equal(pw_pgmap_regions(&f->pgmaps[0], r), 4);
	assert_int_equal(r[0].kind, PW_R_UNINITIALIZED);
	assert_int_equal(r[0].start, PFN_DEV);
	assert_int_equal(r[0].end, PFN_DEV + 2);
	assert_int_equal(r[1].kind, PW_R_ALTMAP_PADDING);
	assert_int_equal(r[1].end, PFN_DEV + 32);
	assert_int_equal(r[2].kind, PW_R_ALTMAP_MEMMAP);
	assert_int_equal(r[2].start, PFN_DEV + 32);
	assert_int_equal(r[2].end, PFN_DEV + 64);
	assert_int_equal(r[3].kind, PW_R_DEVICE);
	assert_int_equal(r[3].start, PFN_DEV + 64);
	assert_int_equal(r[3].end, PFN_DEV + 0x1000);
	memmap_free(f);
}

static void expect_verdict(struct mfix *f, uint64_t pfn, enum pw_verdict v)
{
	struct pw_pfninfo pi;

	assert_int_equal(pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, pfn, &pi), PW_OK);
	if (pi.verdict != v)
		fail_msg("pfn %llx: %s (%s), expected %s", (unsigned long long)pfn,
			 pw_verdict_name(pi.verdict), pi.why, pw_verdict_name(v));
}

static void test_verdicts(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_pfninfo pi;

	(void)state;
	expect_verdict(f, 0x100, PW_V_ONLINE);
	expect_verdict(f, PFN_DEV, PW_V_UNINITIALIZED);
	expect_verdict(f, PFN_DEV + 1, PW_V_UNINITIALIZED);
	expect_verdict(f, PFN_DEV + 2, PW_V_ALTMAP_RESERVED);
	expect_verdict(f, PFN_DEV + 32, PW_V_ALTMAP_MEMMAP);
	expect_verdict(f, PFN_DEV + 63, PW_V_ALTMAP_MEMMAP);
	expect_verdict(f, PFN_DEV + 64, PW_V_DEVICE);
	expect_verdict(f, PFN_DEV + 0xfff, PW_V_DEVICE);
	expect_verdict(f, 0x3000, PW_V_ABSENT);          /* section 3: nothing */
	expect_verdict(f, 0x1000 + 0x900, PW_V_ABSENT);  /* section 1, subsection 4 */
	expect_verdict(f, 0x1000 + 0x100, PW_V_ONLINE);
	expect_verdict(f, 1ULL << 30, PW_V_ABSENT);      /* beyond the last section */
	/* Section 1's pfns 0x1000.. have struct pages beyond the vmemmap window:
	 * the dump does not hold them. */
	syn_put(f->s, SECTIONS_PA + 16, SYN_VMEMMAP | PW_SECTION_MARKED_PRESENT |
		PW_SECTION_HAS_MEM_MAP | PW_SECTION_IS_ONLINE, 8);
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, 0x1000 + 0x100, &pi);
	assert_true(pi.page_read);
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, PFN_DEV, &pi);
	assert_true(pi.page_read);
	assert_string_equal(pi.poison, "all 0xff (page_init_poison pattern)");
	assert_int_equal(pi.page, SYN_VMEMMAP + PFN_DEV * PAGE_STRUCT);
	memmap_free(f);
}

/*
 * A kdump without the pmem: the struct pages on the device cannot be read.
 * pfninfo says so, where they are (the kernel's vmemmap mapping into the
 * device's own memmap) and whether the dump's filter excluded them.
 */
static void test_struct_pages_not_in_the_dump(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_pfninfo pi;
	struct pw_value_info fault, reg;
	struct pw_oops *o = test_calloc(1, sizeof(*o));
	uint64_t dev = PFN_DEV + 64, dev_page = SYN_VMEMMAP + dev * PAGE_STRUCT;
	uint64_t first_page = SYN_VMEMMAP + PFN_DEV * PAGE_STRUCT;
	uint64_t memmap_pa = (PFN_DEV + 32) << 12; /* the altmap memmap, inside the pmem */
	char text[640];

	(void)state;
	/* Virtual reads of the struct pages from PFN_DEV on fail. */
	f->s->win[0].len = PFN_DEV * PAGE_STRUCT;
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, dev, &pi);
	assert_false(pi.page_read);
	assert_int_equal(pi.verdict, PW_V_UNREADABLE);
	assert_int_equal(pi.page_err, PW_ERR_READ);
	assert_false(pi.page_pa_known);
	assert_string_equal(pi.why, "its struct page is not in the dump");

	/* The kernel maps them into the device's memmap, which the filter excluded. */
	syn_map(f->s, f->k.fmt, f->kx.root, dev_page & ~0xfffULL, 4, memmap_pa | 0x63,
		syn_x86_table_entry);
	syn_map(f->s, f->k.fmt, f->kx.root, first_page & ~0xfffULL, 4, (memmap_pa - 0x1000) | 0x63,
		syn_x86_table_entry);
	f->s->excluded[f->s->nexcluded++] = memmap_pa;
	pw_space_invalidate(&f->k.kspace);
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, dev, &pi);
	assert_int_equal(pi.verdict, PW_V_UNREADABLE);
	assert_true(pi.page_pa_known);
	assert_int_equal(pi.page_pa, memmap_pa + (dev_page & 0xfff));
	assert_true(pi.page_on_device);
	assert_int_equal(pi.page_err, PW_ERR_EXCLUDED);
	assert_non_null(strstr(pi.why, "on the device"));
	assert_non_null(strstr(pi.why, "excluded"));

	/* Not excluded, just absent (pmem is no System RAM): read error. */
	f->s->nexcluded = 0;
	f->s->win[0].len = 0;
	syn_put(f->s, syn_entry_pa(f->s, f->k.fmt, f->kx.root, dev_page & ~0xfffULL, 4),
		(MEM + 0x1000) | 0x63, 8);
	pw_space_invalidate(&f->k.kspace);
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, dev, &pi);
	assert_int_equal(pi.page_err, PW_ERR_READ);
	assert_false(pi.page_on_device);

	/* A never-initialized struct page keeps its verdict; the verdict of the
	 * poisoned-memmap oops says its contents are not in the dump. */
	f->s->win[0].len = PFN_DEV * PAGE_STRUCT;
	pw_pfninfo(&f->mm, f->pgmaps, f->npgmaps, PFN_DEV, &pi);
	assert_int_equal(pi.verdict, PW_V_UNINITIALIZED);
	assert_false(pi.page_read);
	assert_true(pi.page_on_device);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, 0xfffffffffffffffeULL, &fault);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, first_page, &reg);
	o->found = 1;
	assert_int_equal(pw_triage_verdict(o, &fault, NULL, &reg, 1, text, sizeof(text)), 1);
	assert_non_null(strstr(text, "never-initialized struct page"));
	assert_non_null(strstr(text, "its contents not in the dump (memmap on the device)"));
	test_free(o);
	memmap_free(f);
}

static void test_page_to_pfn(void **state)
{
	struct mfix *f = memmap_new();
	uint64_t pfn, page;

	(void)state;
	assert_int_equal(pw_pfn_to_page(&f->mm, PFN_DEV, &page), PW_OK);
	assert_int_equal(page, SYN_VMEMMAP + PFN_DEV * PAGE_STRUCT);
	/* Any byte inside the struct page names the same pfn. */
	assert_int_equal(pw_page_to_pfn(&f->mm, page + 8, &pfn), PW_OK);
	assert_int_equal(pfn, PFN_DEV);
	assert_int_equal(pw_page_to_pfn(&f->mm, SYN_VMEMMAP - 64, &pfn), PW_ERR_NOTFOUND);
	memmap_free(f);
}

static void test_page_to_pfn_without_vmemmap(void **state)
{
	struct mfix *f = memmap_new();
	uint64_t pfn, page;
	/* A memmap for section 1 (pfns 0x1000..0x1fff) somewhere else, encoded
	 * as mem_map - start_pfn the way sparse_encode_mem_map() does. */
	uint64_t mem_map = SYN_VMEMMAP + 0x300000;

	(void)state;
	f->mm.vmemmap = 0;
	syn_put(f->s, SECTIONS_PA + 16, (mem_map - 0x1000 * PAGE_STRUCT) | PW_SECTION_MARKED_PRESENT |
		PW_SECTION_HAS_MEM_MAP | PW_SECTION_IS_ONLINE, 8);
	assert_int_equal(pw_pfn_to_page(&f->mm, 0x1234, &page), PW_OK);
	assert_int_equal(page, mem_map + 0x234 * PAGE_STRUCT);
	assert_int_equal(pw_page_to_pfn(&f->mm, page + 9, &pfn), PW_OK);
	assert_int_equal(pfn, 0x1234);
	assert_int_equal(pw_page_to_pfn(&f->mm, 0xffffffffff000000ULL, &pfn), PW_ERR_NOTFOUND);
	memmap_free(f);
}

static void test_judge_table_pages(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_page_judge j;
	char d[128];

	(void)state;
	pw_page_judge_init(&j, &f->s->target);
	assert_true(j.ok);
	assert_null(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x100, 0, d, sizeof(d)));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x101, 0, d,
						sizeof(d)), "stale-table");
	assert_non_null(strstr(d, "refcount 0"));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x102, 0, d,
						sizeof(d)), "stale-table");
	assert_non_null(strstr(d, "buddy"));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x103, 0, d,
						sizeof(d)), "stale-table");
	assert_non_null(strstr(d, "slab"));
	/* A user PTE table must carry PageTable; 0x104 does, 0x100 does not. */
	assert_null(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x104, 1, d, sizeof(d)));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x100, 1, d,
						sizeof(d)), "unmarked-table");
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, PFN_DEV + 100, 0,
						d, sizeof(d)), "zone-device-table");
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x3000, 0, d,
						sizeof(d)), "absent-table");
	memmap_free(f);
}

/* 6.11+ (the 6.12 dumps): enum pagetype in page_type's top byte, said by
 * VMCOREINFO's PAGE_BUDDY_MAPCOUNT_VALUE = PGTY_buddy << 24. */
static void test_judge_table_pages_top_byte_types(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_page_judge j;
	char d[128];

	(void)state;
	syn_number(f->s, "PAGE_BUDDY_MAPCOUNT_VALUE", -268435456); /* 0xf0000000 */
	syn_put(f->s, VMEMMAP_PA + 0x102 * PAGE_STRUCT + 48, 0xf0000000u, 4); /* PGTY_buddy */
	syn_put(f->s, VMEMMAP_PA + 0x103 * PAGE_STRUCT, 0, 8);
	syn_put(f->s, VMEMMAP_PA + 0x103 * PAGE_STRUCT + 48, 0xf5000000u, 4); /* PGTY_slab */
	syn_put(f->s, VMEMMAP_PA + 0x104 * PAGE_STRUCT + 48, 0xf2000000u, 4); /* PGTY_table */
	/* 6.1's PageTable and PageBuddy encodings mean nothing here. */
	syn_put(f->s, VMEMMAP_PA + 0x105 * PAGE_STRUCT + 48, ~0x80u, 4);
	syn_put(f->s, VMEMMAP_PA + 0x106 * PAGE_STRUCT + 48, ~0x200u, 4);
	pw_page_judge_init(&j, &f->s->target);
	assert_true(j.ok && j.type_top);
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x102, 0, d,
						sizeof(d)), "stale-table");
	assert_non_null(strstr(d, "buddy"));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x103, 0, d,
						sizeof(d)), "stale-table");
	assert_non_null(strstr(d, "slab"));
	assert_null(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x104, 1, d, sizeof(d)));
	assert_null(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x105, 0, d, sizeof(d)));
	assert_string_equal(pw_judge_table_page(&f->mm, &j, f->pgmaps, f->npgmaps, 0x106, 1, d,
						sizeof(d)), "unmarked-table");
	memmap_free(f);
}

static void test_classify_poison_values(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_value_info v;

	(void)state;
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, 0xfffffffffffffffeULL, &v);
	assert_int_equal(v.cls, PW_VAL_POISON_HEAD);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, UINT64_MAX, &v);
	assert_int_equal(v.cls, PW_VAL_POISON_ONES);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, SYN_VMEMMAP + PFN_DEV * PAGE_STRUCT, &v);
	assert_int_equal(v.cls, PW_VAL_STRUCT_PAGE);
	assert_int_equal(v.pfn.pfn, PFN_DEV);
	assert_int_equal(v.pfn.verdict, PW_V_UNINITIALIZED);
	assert_ptr_equal(v.pfn.pgmap, &f->pgmaps[0]);
	/* A direct-map address: mapped, and its pfn judged. */
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, f->kx.kv + 0x100123, &v);
	assert_int_equal(v.cls, PW_VAL_MAPPED);
	assert_int_equal(v.pfn.pfn, 0x100);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, 0x0100000000000000ULL, &v);
	assert_int_equal(v.cls, PW_VAL_NONCANONICAL);
	pw_classify_value(&f->mm, f->pgmaps, f->npgmaps, 0xffffffffc0001000ULL, &v);
	assert_int_equal(v.cls, PW_VAL_UNMAPPED);
	memmap_free(f);
}

static void test_explain_broken_walks(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_translation tr;
	struct pw_explanation ex;

	(void)state;
	/* A walk of an online pfn's direct-map address that stopped at a
	 * not-present entry in a table whose page was freed (pfn 0x101). */
	memset(&tr, 0, sizeof(tr));
	tr.va = f->kx.kv + (0x100ULL << 12);
	tr.status = PW_ST_NOT_PRESENT;
	tr.nsteps = 1;
	tr.step[0].level = 3;
	tr.step[0].table_pa = 0x101ULL << 12;
	pw_explain(&f->mm, f->pgmaps, f->npgmaps, &tr, 0, &ex);
	assert_int_equal(ex.ntables, 1);
	assert_string_equal(ex.table[0].kind, "stale-table");
	assert_true(ex.direct_map);
	assert_int_equal(ex.dm_pfn, 0x100);
	assert_string_equal(ex.dm_kind, "invalid-direct-map");
	/* The same for a pfn whose section is gone: hot-remove. */
	tr.va = f->kx.kv + (0x3000ULL << 12);
	tr.step[0].table_pa = 0x100ULL << 12;
	pw_explain(&f->mm, f->pgmaps, f->npgmaps, &tr, 0, &ex);
	assert_int_equal(ex.ntables, 0);
	assert_string_equal(ex.dm_kind, "removed-section");
	/* A mapped address is not explained away. */
	tr.status = PW_ST_MAPPED;
	pw_explain(&f->mm, f->pgmaps, f->npgmaps, &tr, 0, &ex);
	assert_null(ex.dm_kind);
	memmap_free(f);
}

static void test_corrupt_xarray_is_bounded(void **state)
{
	struct mfix *f = memmap_new();
	struct pw_pgmap p[4];
	char why[256] = "";

	(void)state;
	/* A node whose slot points back to itself. */
	syn_put(f->s, NODE_PA + 40, f->kx.kv + NODE_PA + 2, 8);
	assert_true(pw_pgmaps(&f->mm, p, 4, why, sizeof(why)) < 0);
	assert_non_null(strstr(why, "corrupt"));
	memmap_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgmap_array_dedup_and_regions),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_struct_pages_not_in_the_dump),
		cmocka_unit_test(test_page_to_pfn),
		cmocka_unit_test(test_page_to_pfn_without_vmemmap),
		cmocka_unit_test(test_judge_table_pages),
		cmocka_unit_test(test_judge_table_pages_top_byte_types),
		cmocka_unit_test(test_classify_poison_values),
		cmocka_unit_test(test_explain_broken_walks),
		cmocka_unit_test(test_corrupt_xarray_is_bounded),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
