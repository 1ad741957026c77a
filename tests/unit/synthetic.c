// SPDX-License-Identifier: GPL-2.0-or-later
/* The synthetic dump behind the unit tests (see synthetic.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synthetic.h"

/* Whether len bytes at physical addr are in the image and not excluded. */
static int syn_phys_status(const struct syn *s, uint64_t addr, size_t len)
{
	if (addr >= s->size || len > s->size - addr)
		return PW_ERR_READ;
	for (int i = 0; i < s->nexcluded; i++)
		if (addr < s->excluded[i] + 4096 && addr + len > s->excluded[i])
			return PW_ERR_EXCLUDED;
	return PW_OK;
}

static int syn_read(void *ctx, enum pw_addr_space space, uint64_t addr,
		    void *buf, size_t len)
{
	struct syn *s = ctx;
	int err;

	if (space == PW_KVIRT) {
		int w;

		for (w = 0; w < s->nwin; w++) {
			if (addr >= s->win[w].va && addr - s->win[w].va < s->win[w].len) {
				addr = addr - s->win[w].va + s->win[w].pa;
				break;
			}
		}
		if (w == s->nwin) {
			if (addr < s->kv_base)
				return PW_ERR_READ;
			addr -= s->kv_base;
		}
	}
	err = syn_phys_status(s, addr, len);
	if (err)
		return err;
	memcpy(buf, s->mem + addr, len);
	s->reads++;
	s->read_bytes += len;
	return PW_OK;
}

/* Physical memory as it lies in the image: no copy (target.map_phys). */
static const void *syn_map_phys(void *ctx, uint64_t pa, size_t len, void **cookie)
{
	struct syn *s = ctx;

	if (syn_phys_status(s, pa, len) || (pa & 4095) + len > 4096 ||
	    (s->map_mode == SYN_MAP_EVEN && ((pa >> 12) & 1)))
		return NULL;
	s->reads++;
	s->read_bytes += len;
	s->maps++;
	s->maps_live++;
	*cookie = s->mem + pa;
	return s->mem + pa;
}

static void syn_unmap(void *ctx, void *cookie)
{
	struct syn *s = ctx;

	if (!cookie || !s->maps_live)
		abort(); /* an unmap without its map */
	s->maps_live--;
}

void syn_set_map_mode(struct syn *s, int mode)
{
	s->map_mode = mode;
	s->target.map_phys = mode == SYN_MAP_NONE ? NULL : syn_map_phys;
	/* Kept: what a walk holds mapped still goes back after a switch. */
	s->target.unmap = syn_unmap;
}

static const struct syn_name *lookup(const struct syn_name *tab, int n,
				     const char *type, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(tab[i].name, name) == 0 &&
		    (!type || (tab[i].type && strcmp(tab[i].type, type) == 0)))
			return &tab[i];
	return NULL;
}

static int syn_symbol_cb(void *ctx, const char *name, uint64_t *value)
{
	struct syn *s = ctx;
	const struct syn_name *e = lookup(s->symbols, s->nsymbols, NULL, name);

	if (!e)
		return PW_ERR_NOTFOUND;
	*value = (uint64_t)e->value;
	return PW_OK;
}

static int syn_member_cb(void *ctx, const char *type, const char *member,
			 uint64_t *off)
{
	struct syn *s = ctx;
	const struct syn_name *e = lookup(s->members, s->nmembers, type, member);

	if (!e)
		return PW_ERR_NOTFOUND;
	*off = (uint64_t)e->value;
	return PW_OK;
}

static int syn_number_cb(void *ctx, const char *name, int64_t *value)
{
	struct syn *s = ctx;
	const struct syn_name *e = lookup(s->numbers, s->nnumbers, NULL, name);

	if (!e)
		return PW_ERR_NOTFOUND;
	*value = e->value;
	return PW_OK;
}

/* Struct sizes are numbers named "sizeof(type)". */
static int syn_size_cb(void *ctx, const char *type, uint64_t *size)
{
	char key[128];
	int64_t v;

	snprintf(key, sizeof(key), "sizeof(%s)", type);
	if (syn_number_cb(ctx, key, &v))
		return PW_ERR_NOTFOUND;
	*size = (uint64_t)v;
	return PW_OK;
}

/* The malloc'd block is kept in the word before the buffer handed out. */
static void *syn_alloc(void *ctx, size_t size)
{
	struct syn *s = ctx;
	uint8_t *block = malloc(size + 128), *p;

	if (!block)
		return NULL;
	s->allocs_live++;
	p = (uint8_t *)(((uintptr_t)block + 8 + 63) & ~(uintptr_t)63) + (s->alloc_offset & 56);
	memcpy(p - sizeof(block), &block, sizeof(block));
	return p;
}

static void syn_release(void *ctx, void *p)
{
	struct syn *s = ctx;
	void *block;

	if (!p)
		return;
	s->allocs_live--;
	memcpy(&block, (uint8_t *)p - sizeof(block), sizeof(block));
	free(block);
}

struct syn *syn_new(uint64_t size, uint64_t table_base, const char *arch)
{
	struct syn *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->mem = calloc(1, size);
	if (!s->mem)
		abort();
	s->size = size;
	s->next_free = table_base;
	s->big_endian = strcmp(arch, "s390x") == 0;
	s->target = (struct pw_target){
		.ctx = s, .arch = arch, .read = syn_read, .symbol = syn_symbol_cb,
		.member_offset = syn_member_cb, .number = syn_number_cb, .type_size = syn_size_cb,
		.alloc = syn_alloc, .free = syn_release,
	};
	{
		const char *m = getenv("PTWALK_TEST_MAP");

		syn_set_map_mode(s, !m ? SYN_MAP_NONE : strcmp(m, "all") == 0 ? SYN_MAP_ALL
							: strcmp(m, "even") == 0 ? SYN_MAP_EVEN
							: SYN_MAP_NONE);
	}
	return s;
}

void syn_free(struct syn *s)
{
	if (s->maps_live) {
		fprintf(stderr, "synthetic: %llu mapped pages never unmapped\n",
			(unsigned long long)s->maps_live);
		abort();
	}
	free(s->mem);
	free(s);
}

uint64_t syn_table(struct syn *s, uint32_t bytes)
{
	uint64_t pa = (s->next_free + bytes - 1) & ~(uint64_t)(bytes - 1);

	if (pa + bytes > s->size) {
		fprintf(stderr, "synthetic memory too small for tables\n");
		abort();
	}
	s->next_free = pa + bytes;
	memset(s->mem + pa, 0, bytes);
	return pa;
}

void syn_put(struct syn *s, uint64_t pa, uint64_t value, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		int shift = s->big_endian ? 8 * (bytes - 1 - i) : 8 * i;

		s->mem[pa + i] = (uint8_t)(value >> shift);
	}
}

uint64_t syn_get(struct syn *s, uint64_t pa, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++) {
		int idx = s->big_endian ? i : bytes - 1 - i;

		v = (v << 8) | s->mem[pa + idx];
	}
	return v;
}

static uint64_t entry_pa_of(const struct pw_format *fmt, uint64_t table, int level,
			    uint64_t va)
{
	const struct pw_level *lv = &fmt->level[level];
	uint64_t index = (va >> lv->va_shift) & ((1ULL << lv->index_bits) - 1);

	return table + index * fmt->entry_bytes;
}

uint64_t syn_map(struct syn *s, const struct pw_format *fmt, uint64_t root,
		 uint64_t va, int leaf_level, uint64_t leaf_raw,
		 syn_table_entry_fn table_entry)
{
	return syn_map_from(s, fmt, root, 0, va, leaf_level, leaf_raw, table_entry);
}

uint64_t syn_entry_pa(struct syn *s, const struct pw_format *fmt, uint64_t root,
		      uint64_t va, int level)
{
	return syn_entry_pa_from(s, fmt, root, 0, va, level);
}

static void add_name(struct syn_name *tab, int *n, const char *type,
		     const char *name, int64_t value)
{
	if (*n >= SYN_MAX_NAMES)
		abort();
	tab[*n] = (struct syn_name){ type, name, value };
	(*n)++;
}

void syn_symbol(struct syn *s, const char *name, uint64_t value)
{
	add_name(s->symbols, &s->nsymbols, NULL, name, (int64_t)value);
}

void syn_member(struct syn *s, const char *type, const char *member, uint64_t off)
{
	add_name(s->members, &s->nmembers, type, member, (int64_t)off);
}

void syn_number(struct syn *s, const char *name, int64_t value)
{
	add_name(s->numbers, &s->nnumbers, NULL, name, value);
}

/* Present, writable, user, accessed, dirty: what the kernel's tables carry. */
uint64_t syn_x86_table_entry(const struct pw_format *fmt, int level, uint64_t pa)
{
	(void)fmt;
	(void)level;
	return pa | 0x67;
}

uint64_t syn_map_from(struct syn *s, const struct pw_format *fmt, uint64_t root,
		      int top_level, uint64_t va, int leaf_level, uint64_t leaf_raw,
		      syn_table_entry_fn table_entry)
{
	uint64_t table = root;

	for (int level = top_level; level < leaf_level; level++) {
		uint64_t epa = entry_pa_of(fmt, table, level, va);
		uint64_t raw = syn_get(s, epa, fmt->entry_bytes);
		struct pw_entry e;

		if (!raw) {
			uint64_t next = syn_table(s, fmt->level[level + 1].table_bytes);

			raw = table_entry(fmt, level, next);
			syn_put(s, epa, raw, fmt->entry_bytes);
		}
		pw_decode(fmt, level, raw, &e);
		if (e.kind != PW_ENTRY_TABLE) {
			fprintf(stderr, "syn_map: level %d is not a table\n", level);
			abort();
		}
		table = e.addr;
	}
	uint64_t epa = entry_pa_of(fmt, table, leaf_level, va);

	syn_put(s, epa, leaf_raw, fmt->entry_bytes);
	return epa;
}

uint64_t syn_entry_pa_from(struct syn *s, const struct pw_format *fmt, uint64_t root,
			   int top_level, uint64_t va, int level)
{
	uint64_t table = root;

	for (int l = top_level; l < level; l++) {
		struct pw_entry e;

		pw_decode(fmt, l, syn_get(s, entry_pa_of(fmt, table, l, va),
					  fmt->entry_bytes), &e);
		if (e.kind != PW_ENTRY_TABLE)
			return 0;
		table = e.addr;
	}
	return entry_pa_of(fmt, table, level, va);
}

uint64_t syn_arm64_oa(const struct pw_format *fmt, uint64_t pa)
{
	/* The last level's shift is the granule's page shift. */
	if (fmt->level[fmt->nlevels - 1].va_shift == 16)
		return (pa & 0x0000ffffffff0000ULL) | ((pa >> 36) & 0xf000);
	return pa;
}

uint64_t syn_arm64_table_entry(const struct pw_format *fmt, int level, uint64_t pa)
{
	(void)level;
	return syn_arm64_oa(fmt, pa) | 3;
}

uint64_t syn_s390x_table_entry(const struct pw_format *fmt, int level, uint64_t pa)
{
	/* Table types by level: region-first 11, -second 10, -third 01. */
	static const uint64_t tt[] = { 0x0c, 0x08, 0x04 };

	(void)fmt;
	if (level >= 3)
		return pa;
	return pa | tt[level] | 0x03;
}

/* Linux's empty entries by format level: region-first .. segment, page. */
static const uint64_t s390x_empty[] = { 0x2c, 0x28, 0x24, 0x20, 0x400 };

uint64_t syn_s390x_table(struct syn *s, const struct pw_format *fmt, int level)
{
	uint32_t bytes;
	uint64_t pa;

	if (level < 0 || level >= (int)(sizeof(s390x_empty) / sizeof(s390x_empty[0])))
		abort();
	bytes = fmt->level[level].table_bytes;
	pa = syn_table(s, bytes);

	for (uint32_t off = 0; off < bytes; off += 8)
		syn_put(s, pa + off, s390x_empty[level], 8);
	return pa;
}

uint64_t syn_s390x_map(struct syn *s, const struct pw_format *fmt, uint64_t root,
		       int top_level, uint64_t va, int leaf_level, uint64_t leaf_raw)
{
	uint64_t table = root;

	for (int level = top_level; level < leaf_level; level++) {
		uint64_t epa = entry_pa_of(fmt, table, level, va);
		uint64_t raw = syn_get(s, epa, fmt->entry_bytes);
		struct pw_entry e;

		if (level < 0 || level >= (int)(sizeof(s390x_empty) / sizeof(s390x_empty[0])))
			abort();
		if (raw == s390x_empty[level]) {
			raw = syn_s390x_table_entry(fmt, level,
						    syn_s390x_table(s, fmt, level + 1));
			syn_put(s, epa, raw, fmt->entry_bytes);
		}
		pw_decode(fmt, level, raw, &e);
		if (e.kind != PW_ENTRY_TABLE) {
			fprintf(stderr, "syn_s390x_map: level %d is not a table\n", level);
			abort();
		}
		table = e.addr;
	}
	uint64_t epa = entry_pa_of(fmt, table, leaf_level, va);

	syn_put(s, epa, leaf_raw, fmt->entry_bytes);
	return epa;
}

void syn_window(struct syn *s, uint64_t va, uint64_t pa, uint64_t len)
{
	if (s->nwin >= (int)(sizeof(s->win) / sizeof(s->win[0])))
		abort();
	s->win[s->nwin].va = va;
	s->win[s->nwin].pa = pa;
	s->win[s->nwin].len = len;
	s->nwin++;
}

uint64_t syn_x86_var(struct syn_x86 *k, const char *name, uint64_t value)
{
	uint64_t pa = SYN_VARS_PA + 8 * (uint64_t)k->nvars++;

	syn_put(k->s, pa, value, 8);
	syn_symbol(k->s, name, k->kv + pa);
	return k->kv + pa;
}

void syn_x86_kernel(struct syn_x86 *k, uint64_t mem, int l5, int pti)
{
	const struct pw_format *fmt = l5 ? &pw_format_x86_64_5level : &pw_format_x86_64_4level;
	uint64_t boot_cpu;

	memset(k, 0, sizeof(*k));
	k->s = syn_new(mem, mem / 2, "x86_64");
	k->kv = l5 ? 0xff11000000000000ULL : 0xffff888000000000ULL;
	k->s->kv_base = k->kv;
	k->root = syn_table(k->s, 8192);
	/* 1G leaf at the PUD level: present, writable, PS, NX. */
	syn_map(k->s, fmt, k->root, k->kv, l5 ? 2 : 1,
		(1ULL << 0) | (1ULL << 1) | (1ULL << 7) | (1ULL << 63), syn_x86_table_entry);
	syn_number(k->s, "pgtable_l5_enabled", l5);
	syn_number(k->s, "phys_base", (int64_t)SYN_PHYS_BASE);
	syn_number(k->s, "__end_of_permanent_fixed_addresses", 0x2c3);
	syn_symbol(k->s, "init_top_pgt", 0xffffffff80000000ULL + k->root - SYN_PHYS_BASE);
	syn_x86_var(k, "page_offset_base", k->kv);
	syn_x86_var(k, "vmalloc_base", l5 ? 0xffa0000000000000ULL : 0xffffc90000000000ULL);
	syn_x86_var(k, "vmemmap_base", SYN_VMEMMAP);
	syn_x86_var(k, "max_pfn", mem >> 12);
	boot_cpu = syn_x86_var(k, "boot_cpu_data", 0);
	k->nvars += 5; /* room for x86_capability[0..7] */
	syn_member(k->s, "cpuinfo_x86", "x86_capability", 4);
	/* X86_FEATURE_PTI is word 7, bit 11. */
	syn_put(k->s, boot_cpu - k->kv + 4 + 4 * 7, pti ? 1u << 11 : 0, 4);
}
