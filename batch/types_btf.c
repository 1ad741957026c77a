// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Types without a vmlinux: the kernel's own BTF, inside the dump.
 *
 * With CONFIG_DEBUG_INFO_BTF (Debian's kernels) the .BTF section is part
 * of the kernel image in memory, between __start_BTF and __stop_BTF.  We
 * take those symbols from kallsyms when it has them; otherwise we scan the
 * kernel image (from _stext on) for a BTF header (magic 0xeB9F, version 1,
 * a 24-byte header whose string section follows the types) and let libbpf
 * validate the candidate.  libbpf then answers struct sizes, member offsets
 * (also inside anonymous structs and unions) and enumerator values.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

/* How far past _stext the scan looks, and in what steps. */
#define BTF_SCAN_SPAN (96ULL << 20)
#define BTF_SCAN_CHUNK (1u << 20)
#define BTF_MAX_SIZE (64u << 20)
#define BTF_HDR_LEN 24
/* Candidate headers tried in a scan: real images have one or two; a hostile
 * one could have millions, each a full load. */
#define BTF_SCAN_LOADS 16

struct btf_enum_slot {
	const char *name;
	int64_t value;
};

struct btf_info {
	struct btf *btf;
	void *data;
	const char *how;
	uint64_t va, size;
	struct btf_enum_slot *enums;   /* hash table, built on first use */
	size_t nenum_slots;
	int enums_built;
};

void btf_info_where(const struct btf_info *b, const char **how, uint64_t *va, uint64_t *size)
{
	*how = b->how;
	*va = b->va;
	*size = b->size;
}

void btf_info_free(struct btf_info *b)
{
	if (!b)
		return;
	btf__free(b->btf);
	free(b->data);
	free(b->enums);
	free(b);
}

static uint32_t u32(const uint8_t *p, int be)
{
	return be ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
		  : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* Total size of the BTF whose header is at p, 0 if it is not one. */
static uint64_t btf_header_size(const uint8_t *p, int be)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;

	if (be ? (p[0] != 0xeb || p[1] != 0x9f) : (p[0] != 0x9f || p[1] != 0xeb))
		return 0;
	if (p[2] != 1 || p[3] != 0)
		return 0;
	hdr_len = u32(p + 4, be);
	type_off = u32(p + 8, be);
	type_len = u32(p + 12, be);
	str_off = u32(p + 16, be);
	str_len = u32(p + 20, be);
	if (hdr_len != BTF_HDR_LEN || type_off != 0 || str_off != type_len || !type_len ||
	    !str_len || (uint64_t)type_len + str_len > BTF_MAX_SIZE)
		return 0;
	return (uint64_t)hdr_len + str_off + str_len;
}

static struct btf_info *load(struct batch_dump *d, uint64_t va, uint64_t size, const char *how)
{
	struct btf_info *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->data = malloc(size);
	if (!b->data || d->target.read(d, PW_KVIRT, va, b->data, size) != PW_OK)
		goto fail;
	b->btf = btf__new(b->data, (uint32_t)size);
	if (!b->btf || btf__type_cnt(b->btf) < 1000)
		goto fail;
	b->how = how;
	b->va = va;
	b->size = size;
	return b;
fail:
	btf_info_free(b);
	return NULL;
}

struct btf_info *btf_open_dump(struct batch_dump *d, char *why, size_t why_len)
{
	int be = strcmp(d->arch, "s390x") == 0;
	unsigned saved = d->used;
	int nmissing = d->nmissing;
	uint64_t start, stop, stext;
	struct btf_info *b = NULL;
	unsigned loads = 0;
	uint8_t *buf;

	/* Finding BTF is not an analysis: keep the source bookkeeping clean. */
	if (d->target.symbol(d, "__start_BTF", &start) == PW_OK &&
	    d->target.symbol(d, "__stop_BTF", &stop) == PW_OK && stop > start &&
	    stop - start <= BTF_MAX_SIZE)
		b = load(d, start, stop - start, "__start_BTF");
	d->used = saved;
	d->nmissing = nmissing;
	if (b)
		return b;
	if (d->target.symbol(d, "_stext", &stext) != PW_OK) {
		d->used = saved;
		d->nmissing = nmissing;
		snprintf(why, why_len, "no __start_BTF and no _stext to scan from");
		return NULL;
	}
	d->used = saved;
	d->nmissing = nmissing;
	buf = malloc(BTF_SCAN_CHUNK + BTF_HDR_LEN);
	if (!buf) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	for (uint64_t va = stext; va < stext + BTF_SCAN_SPAN && !b && loads < BTF_SCAN_LOADS;
	     va += BTF_SCAN_CHUNK) {
		if (d->target.read(d, PW_KVIRT, va, buf, BTF_SCAN_CHUNK + BTF_HDR_LEN) != PW_OK)
			continue;
		/* The section starts 4-byte aligned. */
		for (size_t off = 0; off < BTF_SCAN_CHUNK && !b && loads < BTF_SCAN_LOADS; off += 4) {
			uint64_t size = btf_header_size(buf + off, be);

			if (size) {
				loads++;
				b = load(d, va + off, size, "scan");
			}
		}
	}
	free(buf);
	if (!b)
		snprintf(why, why_len, "no BTF found in the kernel image (CONFIG_DEBUG_INFO_BTF off?)");
	return b;
}

/* The struct or union called name (a typedef to one also counts). */
static int find_composite(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);

	if (id < 0)
		id = btf__find_by_name_kind(btf, name, BTF_KIND_UNION);
	if (id < 0) {
		id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
		if (id >= 0)
			id = btf__resolve_type(btf, (uint32_t)id);
	}
	return id;
}

/*
 * The dump's BTF is input: a struct made of anonymous members of its own
 * type would fan out exponentially within the depth limit, so the whole
 * search also has a budget of members visited (a real lookup needs a few
 * hundred at most).
 */
#define BTF_MEMBER_BUDGET 65536

static int member_in(const struct btf *btf, int id, const char *member, uint64_t base,
		     uint64_t *off, int depth, unsigned *budget)
{
	const struct btf_type *t = btf__type_by_id(btf, (uint32_t)id);
	const struct btf_member *m;

	if (!t || !(btf_is_struct(t) || btf_is_union(t)) || depth > 8)
		return PW_ERR_NOTFOUND;
	m = btf_members(t);
	for (unsigned i = 0; i < btf_vlen(t); i++, m++) {
		uint64_t here = base + btf_member_bit_offset(t, i) / 8;
		const char *name;

		if (!*budget)
			return PW_ERR_NOTFOUND;
		--*budget;
		name = btf__name_by_offset(btf, m->name_off);

		if (name && *name) {
			if (strcmp(name, member) == 0) {
				*off = here;
				return PW_OK;
			}
			continue;
		}
		/* An anonymous struct or union: its members belong to t. */
		if (member_in(btf, btf__resolve_type(btf, m->type), member, here, off,
			      depth + 1, budget) == PW_OK)
			return PW_OK;
	}
	return PW_ERR_NOTFOUND;
}

int btfi_member(struct btf_info *b, const char *type, const char *member, uint64_t *off)
{
	int id = find_composite(b->btf, type);
	unsigned budget = BTF_MEMBER_BUDGET;

	if (id < 0)
		return PW_ERR_NOTFOUND;
	return member_in(b->btf, id, member, 0, off, 0, &budget);
}

int btfi_size(struct btf_info *b, const char *type, uint64_t *size)
{
	int id = find_composite(b->btf, type);
	int64_t sz;

	if (id < 0)
		return PW_ERR_NOTFOUND;
	sz = btf__resolve_size(b->btf, (uint32_t)id);
	if (sz <= 0)
		return PW_ERR_NOTFOUND;
	*size = (uint64_t)sz;
	return PW_OK;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static void enum_insert(struct btf_info *b, const char *name, int64_t value)
{
	size_t i;

	/* A name offset past the string section has no name (libbpf: NULL). */
	if (!name || !*name)
		return;
	for (i = hash(name) & (b->nenum_slots - 1); b->enums[i].name; i = (i + 1) & (b->nenum_slots - 1))
		if (strcmp(b->enums[i].name, name) == 0)
			return; /* the first definition wins */
	b->enums[i].name = name;
	b->enums[i].value = value;
}

static int build_enums(struct btf_info *b)
{
	uint32_t n = btf__type_cnt(b->btf);
	size_t count = 0;

	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (btf_is_enum(t) || btf_is_enum64(t))
			count += btf_vlen(t);
	}
	b->nenum_slots = 16;
	while (b->nenum_slots < count * 2)
		b->nenum_slots <<= 1;
	b->enums = calloc(b->nenum_slots, sizeof(*b->enums));
	if (!b->enums)
		return PW_ERR_NOMEM;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t);
			int is_signed = btf_kflag(t);

			for (unsigned i = 0; i < btf_vlen(t); i++, e++)
				enum_insert(b, btf__name_by_offset(b->btf, e->name_off),
					    is_signed ? (int64_t)e->val : (int64_t)(uint32_t)e->val);
		} else if (btf_is_enum64(t)) {
			const struct btf_enum64 *e = btf_enum64(t);

			for (unsigned i = 0; i < btf_vlen(t); i++, e++)
				enum_insert(b, btf__name_by_offset(b->btf, e->name_off),
					    (int64_t)btf_enum64_value(e));
		}
	}
	b->enums_built = 1;
	return PW_OK;
}

int btfi_enum(struct btf_info *b, const char *name, int64_t *value)
{
	size_t i;

	if (!b->enums_built && build_enums(b))
		return PW_ERR_NOMEM;
	for (i = hash(name) & (b->nenum_slots - 1); b->enums[i].name;
	     i = (i + 1) & (b->nenum_slots - 1)) {
		if (strcmp(b->enums[i].name, name) == 0) {
			*value = b->enums[i].value;
			return PW_OK;
		}
	}
	return PW_ERR_NOTFOUND;
}
