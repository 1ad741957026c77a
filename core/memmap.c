// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory model of the dumped kernel: sections, struct pages, ZONE_DEVICE
 * pgmaps and verdicts (see include/ptwalk/memmap.h).
 */
#include <stdio.h>
#include <string.h>

#include "ptwalk/memmap.h"

#define PGMAP_ALTMAP_VALID 1ULL
/* Bounds on walking pgmap_array: a corrupt xarray must not loop. */
#define XA_CHUNK_SHIFT 6
#define XA_MAX_DEPTH 12
#define XA_MAX_NODES 4096

static int member(struct pw_memmap *mm, const char *type, const char *name,
		  uint64_t *off, char *why, size_t why_len)
{
	if (pw_member(mm->k->t, type, name, off) == PW_OK)
		return PW_OK;
	snprintf(why, why_len, "no offset for %s.%s in the debug information", type, name);
	return PW_ERR_NOTFOUND;
}

static int read_u64(struct pw_memmap *mm, uint64_t va, uint64_t *v)
{
	return pw_read_kvirt_uint(mm->k->t, va, 8, v);
}

int pw_memmap_open(struct pw_memmap *mm, struct pw_kernel *k, char *why, size_t why_len)
{
	const struct pw_target *t = k->t;
	uint64_t sym;
	int64_t n;
	int err;

	memset(mm, 0, sizeof(*mm));
	mm->k = k;
	mm->max_pfn = k->mem_end / k->page_size;
	/*
	 * VMCOREINFO carries both; without it (QEMU's s390x dumps) the 6.1
	 * defaults of the architecture: x86_64 27 and 46/52 bits, arm64 27 and
	 * 48, s390x 28 and 46.
	 */
	mm->section_size_bits = pw_number(t, "SECTION_SIZE_BITS", &n) == PW_OK ? (unsigned)n
				: strcmp(t->arch, "s390x") == 0 ? 28 : 27;
	mm->max_physmem_bits = pw_number(t, "MAX_PHYSMEM_BITS", &n) == PW_OK ? (unsigned)n
			       : strcmp(t->arch, "s390x") == 0 ? 46
			       : strcmp(t->arch, "arm64") == 0 ? 48
			       : (k->fmt->nlevels == 5 ? 52 : 46);
	if (mm->section_size_bits < 12 || mm->section_size_bits > 40 ||
	    mm->max_physmem_bits <= mm->section_size_bits || mm->max_physmem_bits > 60) {
		snprintf(why, why_len, "implausible SECTION_SIZE_BITS %u / MAX_PHYSMEM_BITS %u",
			 mm->section_size_bits, mm->max_physmem_bits);
		return PW_ERR_UNSUPPORTED;
	}
	mm->nr_mem_sections = 1ULL << (mm->max_physmem_bits - mm->section_size_bits);
	if ((err = member(mm, "mem_section", "section_mem_map", &mm->ms_map_off, why, why_len)) ||
	    (err = member(mm, "mem_section", "usage", &mm->ms_usage_off, why, why_len)) ||
	    (err = member(mm, "mem_section_usage", "subsection_map", &mm->usage_subsection_off,
			  why, why_len)))
		return err;
	if (pw_size(t, "mem_section", &mm->ms_size) || !mm->ms_size ||
	    pw_size(t, "page", &mm->page_struct_size) || !mm->page_struct_size ||
	    mm->page_struct_size > PW_STRUCT_PAGE_MAX) {
		snprintf(why, why_len, "no usable size of struct mem_section / struct page");
		return PW_ERR_NOTFOUND;
	}
	if (pw_symbol(t, "mem_section", &sym)) {
		snprintf(why, why_len, "symbol mem_section not found: not a SPARSEMEM kernel?");
		return PW_ERR_NOTFOUND;
	}
	/*
	 * SPARSEMEM_EXTREME ("struct mem_section **mem_section", roots of
	 * PAGE_SIZE / sizeof(struct mem_section) sections), as every 64-bit
	 * Debian kernel (x86_64, arm64, s390x) is configured.
	 */
	mm->extreme = 1;
	mm->sections_per_root = k->page_size / mm->ms_size;
	if ((err = read_u64(mm, sym, &mm->mem_section))) {
		snprintf(why, why_len, "cannot read mem_section: %s", pw_strerror(err));
		return err;
	}
	if (pw_symbol(t, "vmemmap_base", &sym) == PW_OK)
		read_u64(mm, sym, &mm->vmemmap);
	return PW_OK;
}

int pw_section_of_pfn(struct pw_memmap *mm, uint64_t pfn, struct pw_section *s)
{
	uint64_t nr = pfn >> (mm->section_size_bits - 12);
	uint64_t root, roots_addr;
	int err;

	memset(s, 0, sizeof(*s));
	s->nr = nr;
	if (nr >= mm->nr_mem_sections)
		return PW_OK;
	if (!mm->mem_section)
		return PW_OK;
	roots_addr = mm->mem_section + (nr / mm->sections_per_root) * 8;
	err = read_u64(mm, roots_addr, &root);
	if (err)
		return err;
	if (!root)
		return PW_OK;
	s->addr = root + (nr % mm->sections_per_root) * mm->ms_size;
	if ((err = read_u64(mm, s->addr + mm->ms_map_off, &s->raw)))
		return err;
	s->exists = 1;
	if (read_u64(mm, s->addr + mm->ms_usage_off, &s->usage) == PW_OK && s->usage) {
		unsigned words = (unsigned)(((1ULL << (mm->section_size_bits - PW_SUBSECTION_SHIFT)) + 63) / 64);

		s->usage_readable = words <= 4;
		for (unsigned w = 0; w < words && s->usage_readable; w++)
			s->usage_readable = read_u64(mm, s->usage + mm->usage_subsection_off + 8 * w,
						     &s->subsection_map[w]) == PW_OK;
	}
	return PW_OK;
}

int pw_pfn_to_page(struct pw_memmap *mm, uint64_t pfn, uint64_t *page)
{
	struct pw_section s;
	int err;

	if (mm->vmemmap) {
		*page = mm->vmemmap + pfn * mm->page_struct_size;
		return PW_OK;
	}
	/* Classic SPARSEMEM: section_mem_map encodes mem_map - section_start_pfn. */
	err = pw_section_of_pfn(mm, pfn, &s);
	if (err)
		return err;
	if (!(s.raw & PW_SECTION_HAS_MEM_MAP))
		return PW_ERR_NOTFOUND;
	*page = (s.raw & PW_SECTION_MAP_MASK) + pfn * mm->page_struct_size;
	return PW_OK;
}

/*
 * Classic SPARSEMEM (no vmemmap): each section's memmap lies anywhere;
 * section_mem_map encodes mem_map - section_start_pfn.  Look through the
 * sections, one root page (read whole) at a time.
 */
static int page_to_pfn_sections(struct pw_memmap *mm, uint64_t addr, uint64_t *pfn)
{
	uint64_t per_section = 1ULL << (mm->section_size_bits - 12);
	uint64_t nroots = (mm->nr_mem_sections + mm->sections_per_root - 1) / mm->sections_per_root;
	uint8_t buf[4096];
	size_t bytes = (size_t)(mm->sections_per_root * mm->ms_size);

	if (!mm->mem_section || bytes > sizeof(buf) || mm->ms_map_off + 8 > mm->ms_size)
		return PW_ERR_UNSUPPORTED;
	for (uint64_t r = 0; r < nroots; r++) {
		uint64_t root;

		if (read_u64(mm, mm->mem_section + 8 * r, &root) || !root ||
		    pw_read_kvirt(mm->k->t, root, buf, bytes))
			continue;
		for (uint64_t i = 0; i < mm->sections_per_root; i++) {
			uint64_t raw = 0, nr = r * mm->sections_per_root + i, base, first;

			memcpy(&raw, buf + i * mm->ms_size + mm->ms_map_off, 8);
			if (pw_big_endian(mm->k->t))
				raw = __builtin_bswap64(raw);
			if (!(raw & PW_SECTION_HAS_MEM_MAP))
				continue;
			base = raw & PW_SECTION_MAP_MASK;
			first = base + nr * per_section * mm->page_struct_size;
			if (addr >= first && addr - first < per_section * mm->page_struct_size) {
				*pfn = (addr - base) / mm->page_struct_size;
				return PW_OK;
			}
		}
	}
	return PW_ERR_NOTFOUND;
}

int pw_page_to_pfn(struct pw_memmap *mm, uint64_t addr, uint64_t *pfn)
{
	uint64_t span;

	if (!mm->vmemmap)
		return page_to_pfn_sections(mm, addr, pfn);
	span = mm->nr_mem_sections << (mm->section_size_bits - 12);
	if (addr < mm->vmemmap || (addr - mm->vmemmap) / mm->page_struct_size >= span)
		return PW_ERR_NOTFOUND;
	*pfn = (addr - mm->vmemmap) / mm->page_struct_size;
	return PW_OK;
}

const char *pw_pgmap_type_name(int64_t type)
{
	switch (type) {
	case 1: return "MEMORY_DEVICE_PRIVATE";
	case 2: return "MEMORY_DEVICE_COHERENT";
	case 3: return "MEMORY_DEVICE_FS_DAX";
	case 4: return "MEMORY_DEVICE_GENERIC";
	case 5: return "MEMORY_DEVICE_PCI_P2PDMA";
	default: return "unknown";
	}
}

const char *pw_region_name(enum pw_region_kind kind)
{
	static const char *const names[] = {
		"uninitialized", "altmap-padding", "altmap-memmap", "altmap-unused", "device",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const char *pw_region_meaning(enum pw_region_kind kind)
{
	switch (kind) {
	case PW_R_UNINITIALIZED: return "struct pages never initialized (altmap reserve)";
	case PW_R_ALTMAP_PADDING: return "reserved pages skipped to align the memmap (altmap align)";
	case PW_R_ALTMAP_MEMMAP: return "reserved pages holding the memmap (altmap alloc)";
	case PW_R_ALTMAP_UNUSED: return "reserved pages of the altmap not used";
	case PW_R_DEVICE: return "ZONE_DEVICE pages pointing to this pgmap";
	}
	return "unknown";
}

static int add_region(struct pw_pgmap_region *out, int n, enum pw_region_kind kind,
		      uint64_t start, uint64_t end)
{
	if (end <= start)
		return n;
	out[n].kind = kind;
	out[n].start = start;
	out[n].end = end;
	return n + 1;
}

/*
 * Linux 6.1: memmap_init_range() skips [base_pfn, base_pfn + reserve) when the
 * range starts at base_pfn and initializes up to base_pfn + reserve + free as
 * reserved pages; the memmap was allocated from that free space by
 * altmap_alloc_block_buf(), which first skips `align` pfns to align the block
 * (so this split is exact when the memmap went in one aligned block, as for
 * nvdimm namespaces); memmap_init_zone_device() starts at base_pfn +
 * vmem_altmap_offset() = base + reserve + free.
 */
int pw_pgmap_regions(const struct pw_pgmap *p, struct pw_pgmap_region *out)
{
	uint64_t start = p->range_start >> 12, end = (p->range_end >> 12) + 1;
	uint64_t uninit_end, free_start, free_end, pad_end, memmap_end;
	int n = 0;

	if (!p->has_altmap)
		return add_region(out, 0, PW_R_DEVICE, start, end);
	uninit_end = start == p->base_pfn ? p->base_pfn + p->reserve : p->base_pfn;
	n = add_region(out, n, PW_R_UNINITIALIZED, p->base_pfn, uninit_end);
	free_start = uninit_end > start ? uninit_end : start;
	free_end = p->base_pfn + p->reserve + p->free;
	pad_end = free_start + p->align < free_end ? free_start + p->align : free_end;
	memmap_end = pad_end + p->alloc < free_end ? pad_end + p->alloc : free_end;
	n = add_region(out, n, PW_R_ALTMAP_PADDING, free_start, pad_end);
	n = add_region(out, n, PW_R_ALTMAP_MEMMAP, pad_end, memmap_end);
	n = add_region(out, n, PW_R_ALTMAP_UNUSED, memmap_end, free_end);
	return add_region(out, n, PW_R_DEVICE, free_end, end);
}

void pw_pgmap_json(FILE *fp, const struct pw_pgmap *p)
{
	struct pw_pgmap_region r[PW_MAX_REGIONS];
	int n = pw_pgmap_regions(p, r);

	fprintf(fp, "{\"pgmap\":\"0x%llx\",\"type\":\"%s\",\"type_value\":%lld,\"flags\":\"0x%llx\","
		"\"nr_range\":%lld,\"owner\":\"0x%llx\",\"range_start\":\"0x%llx\",\"range_end\":\"0x%llx\",",
		(unsigned long long)p->addr, pw_pgmap_type_name(p->type), (long long)p->type,
		(unsigned long long)p->flags, (long long)p->nr_range, (unsigned long long)p->owner,
		(unsigned long long)p->range_start, (unsigned long long)p->range_end);
	if (p->has_altmap)
		fprintf(fp, "\"altmap\":{\"base_pfn\":\"0x%llx\",\"end_pfn\":\"0x%llx\",\"reserve\":%llu,"
			"\"free\":%llu,\"align\":%llu,\"alloc\":%llu},",
			(unsigned long long)p->base_pfn, (unsigned long long)p->end_pfn,
			(unsigned long long)p->reserve, (unsigned long long)p->free,
			(unsigned long long)p->align, (unsigned long long)p->alloc);
	else
		fputs("\"altmap\":null,", fp);
	fputs("\"regions\":[", fp);
	for (int i = 0; i < n; i++)
		fprintf(fp, "%s{\"kind\":\"%s\",\"pfn_start\":\"0x%llx\",\"pfn_end\":\"0x%llx\"}",
			i ? "," : "", pw_region_name(r[i].kind), (unsigned long long)r[i].start,
			(unsigned long long)r[i].end);
	fputs("]}", fp);
}

struct pgmap_offsets {
	uint64_t altmap, type, flags, shift, owner, nr_range, range;
	uint64_t base_pfn, end_pfn, reserve, free, align, alloc;
	uint64_t rstart, rend;
	uint64_t xa_head, node_shift, node_slots;
};

static int pgmap_offsets(struct pw_memmap *mm, struct pgmap_offsets *o, char *why, size_t len)
{
	const struct { const char *type, *member; uint64_t *out; } need[] = {
		{ "dev_pagemap", "altmap", &o->altmap }, { "dev_pagemap", "type", &o->type },
		{ "dev_pagemap", "flags", &o->flags },
		{ "dev_pagemap", "vmemmap_shift", &o->shift },
		{ "dev_pagemap", "owner", &o->owner }, { "dev_pagemap", "nr_range", &o->nr_range },
		{ "dev_pagemap", "range", &o->range },
		{ "vmem_altmap", "base_pfn", &o->base_pfn }, { "vmem_altmap", "end_pfn", &o->end_pfn },
		{ "vmem_altmap", "reserve", &o->reserve }, { "vmem_altmap", "free", &o->free },
		{ "vmem_altmap", "align", &o->align }, { "vmem_altmap", "alloc", &o->alloc },
		{ "range", "start", &o->rstart }, { "range", "end", &o->rend },
		{ "xarray", "xa_head", &o->xa_head }, { "xa_node", "shift", &o->node_shift },
		{ "xa_node", "slots", &o->node_slots },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (member(mm, need[i].type, need[i].member, need[i].out, why, len))
			return PW_ERR_NOTFOUND;
	return PW_OK;
}

static int read_pgmap(struct pw_memmap *mm, const struct pgmap_offsets *o, uint64_t a,
		      struct pw_pgmap *p)
{
	uint64_t v, am = a + o->altmap;
	int err = 0;

	memset(p, 0, sizeof(*p));
	p->addr = a;
	err |= pw_read_kvirt_uint(mm->k->t, a + o->type, 4, &v);
	p->type = (int32_t)v;
	err |= pw_read_kvirt_uint(mm->k->t, a + o->flags, 4, &p->flags);
	err |= read_u64(mm, a + o->shift, &p->vmemmap_shift);
	err |= read_u64(mm, a + o->owner, &p->owner);
	err |= pw_read_kvirt_uint(mm->k->t, a + o->nr_range, 4, &v);
	p->nr_range = (int32_t)v;
	err |= read_u64(mm, a + o->range + o->rstart, &p->range_start);
	err |= read_u64(mm, a + o->range + o->rend, &p->range_end);
	err |= read_u64(mm, am + o->base_pfn, &p->base_pfn);
	err |= read_u64(mm, am + o->end_pfn, &p->end_pfn);
	err |= read_u64(mm, am + o->reserve, &p->reserve);
	err |= read_u64(mm, am + o->free, &p->free);
	err |= read_u64(mm, am + o->align, &p->align);
	err |= read_u64(mm, am + o->alloc, &p->alloc);
	p->has_altmap = (p->flags & PGMAP_ALTMAP_VALID) != 0;
	return err ? PW_ERR_READ : PW_OK;
}

struct xa_walk {
	struct pw_memmap *mm;
	const struct pgmap_offsets *o;
	struct pw_pgmap *out;
	int max, n, nodes, err;
};

static void xa_entry(struct xa_walk *w, uint64_t entry, int depth)
{
	if (!entry || w->err)
		return;
	if ((entry & 3) == 2) {
		uint64_t node = entry - 2, slot;

		/* Internal entries below 4096 are siblings/retry markers. */
		if (entry <= 4096)
			return;
		if (depth >= XA_MAX_DEPTH || ++w->nodes > XA_MAX_NODES) {
			w->err = PW_ERR_INVALID;
			return;
		}
		for (int i = 0; i < (1 << XA_CHUNK_SHIFT) && !w->err; i++) {
			if (read_u64(w->mm, node + w->o->node_slots + 8 * (uint64_t)i, &slot)) {
				w->err = PW_ERR_READ;
				return;
			}
			xa_entry(w, slot, depth + 1);
		}
		return;
	}
	if (entry & 1)
		return; /* a value entry, not a pointer */
	for (int i = 0; i < w->n; i++)
		if (w->out[i].addr == entry)
			return; /* multi-index entries repeat the same pointer */
	if (w->n < w->max && read_pgmap(w->mm, w->o, entry, &w->out[w->n]) == PW_OK)
		w->n++;
}

int pw_pgmaps(struct pw_memmap *mm, struct pw_pgmap *out, int max, char *why, size_t why_len)
{
	struct pgmap_offsets o;
	struct xa_walk w = { .mm = mm, .o = &o, .out = out, .max = max };
	uint64_t xa, head;
	int err;

	if ((err = pgmap_offsets(mm, &o, why, why_len)))
		return -err;
	if (pw_symbol(mm->k->t, "pgmap_array", &xa)) {
		snprintf(why, why_len, "symbol pgmap_array not found (kernel without ZONE_DEVICE?)");
		return -PW_ERR_NOTFOUND;
	}
	if ((err = read_u64(mm, xa + o.xa_head, &head))) {
		snprintf(why, why_len, "cannot read pgmap_array: %s", pw_strerror(err));
		return -err;
	}
	xa_entry(&w, head, 0);
	if (w.err) {
		snprintf(why, why_len, "pgmap_array is %s",
			 w.err == PW_ERR_READ ? "not fully in the dump" : "corrupt (too deep or too large)");
		return -w.err;
	}
	return w.n;
}

const char *pw_verdict_name(enum pw_verdict v)
{
	switch (v) {
	case PW_V_UNINITIALIZED: return "uninitialized";
	case PW_V_ALTMAP_MEMMAP: return "altmap-memmap";
	case PW_V_ALTMAP_RESERVED: return "altmap-reserved";
	case PW_V_DEVICE: return "device";
	case PW_V_ONLINE: return "online";
	case PW_V_OFFLINE: return "offline";
	case PW_V_ABSENT: return "absent";
	case PW_V_UNREADABLE: return "unreadable";
	}
	return "unknown";
}

static const char *poison_of(const uint8_t *b, unsigned len)
{
	unsigned ff = 0, zero = 0;

	for (unsigned i = 0; i < len; i++) {
		ff += b[i] == 0xff;
		zero += b[i] == 0;
	}
	if (ff == len)
		return "all 0xff (page_init_poison pattern)";
	if (zero == len)
		return "all 0x00";
	return NULL;
}

/*
 * A struct page that could not be read: where it lives and why it is
 * missing.  crash's readmem does not say "excluded" for virtual reads, so
 * the page is translated through init_mm and read by physical address.
 */
static void locate_unread_page(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
			       int read_err, struct pw_pfninfo *out)
{
	uint8_t b[8];
	int err;

	out->page_err = read_err ? read_err : PW_ERR_READ;
	if (pw_kernel_kvtop(mm->k, out->page, &out->page_pa) != PW_OK)
		return;
	out->page_pa_known = 1;
	err = pw_read_phys(mm->k->t, out->page_pa, b, sizeof(b));
	if (err == PW_ERR_EXCLUDED)
		out->page_err = err;
	for (int i = 0; i < npgmaps; i++)
		if (out->page_pa >= pgmaps[i].range_start && out->page_pa <= pgmaps[i].range_end)
			out->page_on_device = 1;
}

static const char *unread_page_why(const struct pw_pfninfo *pi)
{
	if (pi->page_on_device)
		return pi->page_err == PW_ERR_EXCLUDED
			       ? "its struct page lives on the device (altmap memmap) and was excluded from the dump"
			       : "its struct page lives on the device (altmap memmap), which the dump does not hold";
	return pi->page_err == PW_ERR_EXCLUDED ? "its struct page was excluded from the dump (filtered)"
					       : "its struct page is not in the dump";
}

int pw_pfninfo(struct pw_memmap *mm, const struct pw_pgmap *pgmaps, int npgmaps,
	       uint64_t pfn, struct pw_pfninfo *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->pfn = pfn;
	err = pw_section_of_pfn(mm, pfn, &out->sec);
	if (err) {
		out->verdict = PW_V_UNREADABLE;
		out->why = "its mem_section is not in the dump";
		return PW_OK;
	}
	for (int i = 0; i < npgmaps; i++) {
		if (pfn >= pgmaps[i].range_start >> 12 && pfn <= pgmaps[i].range_end >> 12)
			out->pgmap = &pgmaps[i];
	}
	if (out->sec.usage_readable) {
		unsigned sub = (unsigned)((pfn & ((1ULL << (mm->section_size_bits - 12)) - 1)) >>
					  (PW_SUBSECTION_SHIFT - 12));

		out->subsection_valid = (out->sec.subsection_map[sub / 64] >> (sub % 64)) & 1;
	}
	if (!out->sec.exists || !(out->sec.raw & PW_SECTION_MARKED_PRESENT) ||
	    !(out->sec.raw & PW_SECTION_HAS_MEM_MAP)) {
		out->verdict = PW_V_ABSENT;
		out->why = out->sec.nr >= mm->nr_mem_sections ? "beyond the last memory section"
			 : !out->sec.exists ? "no mem_section allocated for it"
					    : "its section has no memmap";
		return PW_OK;
	}
	if (out->sec.usage_readable && !out->subsection_valid && !out->pgmap) {
		out->verdict = PW_V_ABSENT;
		out->why = "its subsection is not populated";
		return PW_OK;
	}
	if (pw_pfn_to_page(mm, pfn, &out->page) == PW_OK) {
		out->raw_len = (unsigned)mm->page_struct_size;
		err = pw_read_kvirt(mm->k->t, out->page, out->raw, out->raw_len);
		out->page_read = err == PW_OK;
		if (out->page_read)
			out->poison = poison_of(out->raw, out->raw_len);
		else
			locate_unread_page(mm, pgmaps, npgmaps, err, out);
	}
	if (out->pgmap) {
		struct pw_pgmap_region r[PW_MAX_REGIONS];
		int n = pw_pgmap_regions(out->pgmap, r);

		out->verdict = PW_V_DEVICE;
		out->why = "ZONE_DEVICE page initialized by memmap_init_zone_device()";
		for (int i = 0; i < n; i++) {
			if (pfn < r[i].start || pfn >= r[i].end)
				continue;
			switch (r[i].kind) {
			case PW_R_UNINITIALIZED:
				out->verdict = PW_V_UNINITIALIZED;
				out->why = "in the altmap reserve: memmap_init_range() skips it, never initialized";
				break;
			case PW_R_ALTMAP_MEMMAP:
				out->verdict = PW_V_ALTMAP_MEMMAP;
				out->why = "holds the device's memmap: initialized as a reserved page, no pgmap";
				break;
			case PW_R_ALTMAP_PADDING:
			case PW_R_ALTMAP_UNUSED:
				out->verdict = PW_V_ALTMAP_RESERVED;
				out->why = "altmap free space not holding the memmap: a reserved page, no pgmap";
				break;
			case PW_R_DEVICE:
				break;
			}
		}
	} else {
		out->verdict = out->sec.raw & PW_SECTION_IS_ONLINE ? PW_V_ONLINE : PW_V_OFFLINE;
		out->why = out->verdict == PW_V_ONLINE ? "ordinary memory in an online section"
						       : "its section is offline";
	}
	if (out->page && !out->page_read && out->verdict != PW_V_UNINITIALIZED) {
		out->verdict = PW_V_UNREADABLE;
		out->why = unread_page_why(out);
	}
	return PW_OK;
}
