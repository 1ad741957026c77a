// SPDX-License-Identifier: GPL-2.0-or-later
/* Page-table integrity checks as a walk visitor (see include/ptwalk/check.h). */
#include <stdio.h>
#include <string.h>

#include "ptwalk/check.h"
#include "ptwalk/ptdump.h"

/* include/linux/page-flags.h (6.1): page types live in page->page_type. */
#define PAGE_TYPE_BASE 0xf0000000u
#define PG_TYPE_BUDDY 0x00000080u
#define PG_TYPE_TABLE 0x00000200u
/* 6.11+: enum pagetype in the top byte of page_type (6.12 page-flags.h). */
#define PGTY_BUDDY 0xf0u
#define PGTY_TABLE 0xf2u
#define PGTY_SLAB 0xf5u

static int page_type_is(uint32_t page_type, uint32_t flag)
{
	return (page_type & (PAGE_TYPE_BASE | flag)) == PAGE_TYPE_BASE;
}

static int judge_is_buddy(const struct pw_page_judge *j, uint32_t page_type)
{
	return j->type_top ? page_type >> 24 == j->pgty_buddy
			   : page_type_is(page_type, PG_TYPE_BUDDY);
}

static int judge_is_table(const struct pw_page_judge *j, uint32_t page_type)
{
	return j->type_top ? page_type >> 24 == j->pgty_table
			   : page_type_is(page_type, PG_TYPE_TABLE);
}

static int judge_is_slab(const struct pw_page_judge *j, uint64_t flags, uint32_t page_type)
{
	if (j->type_top && page_type >> 24 == j->pgty_slab)
		return 1;
	return j->pg_slab >= 0 && (flags >> j->pg_slab) & 1;
}

/* enum pagetype's value of name (BTF/DWARF), else the 6.12 value. */
static uint32_t pgty(const struct pw_target *t, const char *name, uint32_t dflt)
{
	int64_t v;

	return pw_number(t, name, &v) == PW_OK && v >= 0xf0 && v <= 0xff ? (uint32_t)v : dflt;
}

void pw_page_judge_init(struct pw_page_judge *j, const struct pw_target *t)
{
	memset(j, 0, sizeof(*j));
	j->pg_slab = j->pg_reserved = -1;
	if (pw_member(t, "page", "_refcount", &j->refcount_off) ||
	    pw_member(t, "page", "_mapcount", &j->mapcount_off))
		return;
	pw_number(t, "PG_slab", &j->pg_slab);
	pw_number(t, "PG_reserved", &j->pg_reserved);
	/*
	 * VMCOREINFO's PAGE_BUDDY_MAPCOUNT_VALUE tells the scheme: ~PG_buddy
	 * (-129 in 6.1), or PGTY_buddy << 24 (0xf0000000 in 6.11+).
	 */
	{
		int64_t v;

		if (pw_number(t, "PAGE_BUDDY_MAPCOUNT_VALUE", &v) == PW_OK &&
		    ((uint32_t)v & 0xffffffu) == 0 && (uint32_t)v >> 24 >= 0xf0) {
			j->type_top = 1;
			j->pgty_buddy = (uint32_t)v >> 24;
			j->pgty_table = pgty(t, "PGTY_table", PGTY_TABLE);
			j->pgty_slab = pgty(t, "PGTY_slab", PGTY_SLAB);
			if (pw_number(t, "PAGE_SLAB_MAPCOUNT_VALUE", &v) == PW_OK &&
			    ((uint32_t)v & 0xffffffu) == 0)
				j->pgty_slab = (uint32_t)v >> 24;
		}
	}
	j->ok = 1;
}

static uint32_t u32_at(const uint8_t *b, uint64_t off, int big_endian)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v |= (uint32_t)b[off + (uint64_t)i] << (big_endian ? 8 * (3 - i) : 8 * i);
	return v;
}

static uint64_t u64_at(const uint8_t *b, uint64_t off, int big_endian)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[off + (uint64_t)i] << (big_endian ? 8 * (7 - i) : 8 * i);
	return v;
}

const char *pw_judge_table_page(struct pw_memmap *mm, const struct pw_page_judge *j,
				const struct pw_pgmap *pgmaps, int npgmaps, uint64_t pfn,
				int expect_pagetable, char *detail, size_t len)
{
	struct pw_pfninfo pi;
	int be = pw_big_endian(mm->k->t);
	uint64_t flags;
	uint32_t refcount, page_type;

	detail[0] = '\0';
	pw_pfninfo(mm, pgmaps, npgmaps, pfn, &pi);
	switch (pi.verdict) {
	case PW_V_ONLINE:
		break;
	case PW_V_ABSENT:
		snprintf(detail, len, "table page pfn %llx has no memmap (%s): memory removed?",
			 (unsigned long long)pfn, pi.why);
		return "absent-table";
	case PW_V_OFFLINE:
		snprintf(detail, len, "table page pfn %llx is in an offline section",
			 (unsigned long long)pfn);
		return "offline-table";
	case PW_V_UNREADABLE:
		snprintf(detail, len, "struct page of table pfn %llx is not in the dump",
			 (unsigned long long)pfn);
		return NULL; /* no evidence either way */
	default:
		snprintf(detail, len, "table page pfn %llx is a ZONE_DEVICE page (%s)",
			 (unsigned long long)pfn, pw_verdict_name(pi.verdict));
		return "zone-device-table";
	}
	if (!j->ok || !pi.page_read)
		return NULL;
	flags = u64_at(pi.raw, 0, be);
	refcount = u32_at(pi.raw, j->refcount_off, be);
	page_type = u32_at(pi.raw, j->mapcount_off, be);
	if (judge_is_buddy(j, page_type)) {
		snprintf(detail, len, "table page pfn %llx is free in the buddy allocator",
			 (unsigned long long)pfn);
		return "stale-table";
	}
	if (judge_is_slab(j, flags, page_type)) {
		snprintf(detail, len, "table page pfn %llx belongs to the slab allocator",
			 (unsigned long long)pfn);
		return "stale-table";
	}
	if (refcount == 0) {
		snprintf(detail, len, "table page pfn %llx is free (refcount 0, flags %llx)",
			 (unsigned long long)pfn, (unsigned long long)flags);
		return "stale-table";
	}
	if (expect_pagetable && !judge_is_table(j, page_type) &&
	    !(j->pg_reserved >= 0 && (flags >> j->pg_reserved) & 1)) {
		snprintf(detail, len, "table page pfn %llx is not marked PageTable (page_type %x)",
			 (unsigned long long)pfn, page_type);
		return "unmarked-table";
	}
	return NULL;
}

int pw_checker_init(struct pw_checker *c, struct pw_memmap *mm,
		    const struct pw_pgmap *pgmaps, int npgmaps, int user_mm)
{
	const struct pw_target *t = mm->k->t;

	memset(c, 0, sizeof(*c));
	c->mm = mm;
	c->pgmaps = pgmaps;
	c->npgmaps = npgmaps;
	c->user_mm = user_mm;
	pw_page_judge_init(&c->judge, t);
	c->max = PW_MAX_ANOMALIES;
	c->list = t->alloc(t->ctx, sizeof(*c->list) * (size_t)c->max);
	return c->list ? PW_OK : PW_ERR_NOMEM;
}

void pw_checker_release(struct pw_checker *c)
{
	if (c->list)
		c->mm->k->t->free(c->mm->k->t->ctx, c->list);
	c->list = NULL;
}

static struct pw_anomaly *add(struct pw_checker *c, const char *kind, uint64_t va,
			      uint64_t end, int level)
{
	struct pw_anomaly *a;

	c->count++;
	if (c->count > (uint64_t)c->max)
		return NULL;
	a = &c->list[c->count - 1];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->va = va;
	a->end = end;
	a->level = level;
	return a;
}

int pw_checker_enter_table(void *state, const struct pw_table_visit *tv)
{
	struct pw_checker *c = state;
	const struct pw_format *fmt = c->mm->k->fmt;
	char detail[120];
	const char *kind;
	int height = pw_level_height(fmt, tv->level);
	uint64_t span = pw_level_span(fmt, tv->level) * pw_level_entries(fmt, tv->level);

	c->tables++;
	if (tv->depth == 0 && (c->user_mm & PW_CHECK_PTI_USER_ROOT))
		return 0;
	/*
	 * 6.1 marks user PTE and PMD tables PageTable (pgtable_pte/pmd_page_ctor);
	 * the kernel half of a task's mm is init_mm's, whose tables are not marked.
	 */
	kind = pw_judge_table_page(c->mm, &c->judge, c->pgmaps, c->npgmaps, tv->table_pa >> 12,
				   (c->user_mm & PW_CHECK_USER_MM) && tv->depth > 0 && height <= 1 &&
				   !(tv->va >> 63),
				   detail, sizeof(detail));
	if (kind) {
		struct pw_anomaly *a = add(c, kind, tv->va, tv->va + span, tv->level);

		if (a) {
			a->entry_pa = tv->parent_entry_pa;
			a->entry = tv->parent_raw;
			a->pfn = tv->table_pa >> 12;
			snprintf(a->detail, sizeof(a->detail), "%s", detail);
		}
	}
	return 0; /* walk it anyway: what it maps is evidence too */
}

static void wx_flush(struct pw_checker *c)
{
	const struct pw_ptdump_style *style = c->mm->k->arch->ptdump_style;
	struct pw_anomaly *a;

	if (!c->in_wx)
		return;
	c->in_wx = 0;
	if (style->wx_allowed && style->wx_allowed(c->wx_start, c->wx_end))
		return;
	c->wx_pages += (c->wx_end - c->wx_start) / c->mm->k->page_size;
	a = add(c, "wx", c->wx_start, c->wx_end, -1);
	if (a)
		snprintf(a->detail, sizeof(a->detail), "W+X mapping, %llu pages",
			 (unsigned long long)((c->wx_end - c->wx_start) / c->mm->k->page_size));
}

void pw_checker_note(void *state, const struct pw_note *n)
{
	struct pw_checker *c = state;
	struct pw_anomaly *a = NULL;

	/*
	 * W+X kernel pages, counted per contiguous range like the kernel's
	 * note_wx().  Without a user bit in the entries (s390) a task's own
	 * space holds user pages only.
	 */
	int user_page = (n->eff_perm & PW_PERM_USER) ||
			(c->mm->k->fmt->no_user_bit && (c->user_mm & PW_CHECK_USER_MM));

	if (n->status == PW_ST_MAPPED && (n->eff_perm & PW_PERM_WRITE) &&
	    (n->eff_perm & PW_PERM_EXEC) && !user_page) {
		if (c->in_wx && c->wx_end == n->va) {
			c->wx_end = n->end;
		} else {
			wx_flush(c);
			c->in_wx = 1;
			c->wx_start = n->va;
			c->wx_end = n->end;
		}
	} else {
		wx_flush(c);
	}
	switch (n->status) {
	case PW_ST_LOOP:
		a = add(c, "table-loop", n->va, n->end, n->level);
		break;
	case PW_ST_EXCLUDED:
		a = add(c, "excluded-table", n->va, n->end, n->level);
		break;
	case PW_ST_UNREADABLE:
		a = add(c, "unreadable-table", n->va, n->end, n->level);
		break;
	case PW_ST_BAD_PFN:
		a = add(c, "bad-pfn", n->va, n->end, n->level);
		break;
	case PW_ST_BAD_ENTRY:
		a = add(c, "reserved-bits", n->va, n->end, n->level);
		break;
	default:
		return;
	}
	if (a) {
		a->entry_pa = n->entry_pa;
		a->entry = n->raw;
		a->pfn = n->e && n->e->addr ? n->e->addr >> 12 : 0;
		snprintf(a->detail, sizeof(a->detail), "%s",
			 n->e && n->e->why ? n->e->why : pw_status_name(n->status));
	}
}

void pw_checker_finish(struct pw_checker *c)
{
	wx_flush(c);
}

void pw_explain(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
		const struct pw_translation *tr, int user_mm, struct pw_explanation *out)
{
	struct pw_kernel *k = mm->k;
	struct pw_page_judge j;

	memset(out, 0, sizeof(*out));
	pw_page_judge_init(&j, k->t);
	for (int i = 0; i < tr->nsteps; i++) {
		const struct pw_step *s = &tr->step[i];
		int height = pw_level_height(k->fmt, s->level);
		const char *kind;

		/* A looping "table" is one already judged on the way down. */
		if (i == tr->nsteps - 1 && tr->status == PW_ST_LOOP)
			break;
		if (i == 0 && (user_mm & PW_CHECK_PTI_USER_ROOT))
			continue;
		kind = pw_judge_table_page(mm, &j, pgmaps, npgmaps, s->table_pa >> 12,
					   (user_mm & PW_CHECK_USER_MM) && i > 0 && height <= 1 &&
					   !(tr->va >> 63),
					   out->table[out->ntables].detail,
					   sizeof(out->table[0].detail));
		if (kind) {
			out->table[out->ntables].step = i;
			out->table[out->ntables].kind = kind;
			out->ntables++;
		}
	}
	if (k->have_direct_map && tr->va >= k->direct_map_va &&
	    tr->va - k->direct_map_va < k->mem_end) {
		struct pw_pfninfo pi;

		out->direct_map = 1;
		out->dm_pfn = (tr->va - k->direct_map_va) >> 12;
		if (tr->status == PW_ST_MAPPED)
			return;
		pw_pfninfo(mm, pgmaps, npgmaps, out->dm_pfn, &pi);
		if (pi.verdict == PW_V_ONLINE) {
			out->dm_kind = "invalid-direct-map";
			snprintf(out->dm_detail, sizeof(out->dm_detail),
				 "pfn %llx is online RAM, but the direct map has no valid entry "
				 "for it (set_direct_map_invalid_noflush, DEBUG_PAGEALLOC, secretmem?)",
				 (unsigned long long)out->dm_pfn);
		} else if (pi.verdict == PW_V_ABSENT || pi.verdict == PW_V_OFFLINE) {
			out->dm_kind = "removed-section";
			snprintf(out->dm_detail, sizeof(out->dm_detail),
				 "pfn %llx: %s (memory hot-removed or offlined?)",
				 (unsigned long long)out->dm_pfn, pi.why);
		}
	}
}
