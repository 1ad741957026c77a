// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's own symbol table, decoded from the dump (Linux 6.1
 * kernel/kallsyms.c), for symbols VMCOREINFO does not list when no vmlinux
 * is given.  VMCOREINFO names the tables (SYMBOL(kallsyms_names),
 * _offsets, _relative_base, _num_syms, _token_table, _token_index).
 *
 * - kallsyms_names: per symbol a length byte (with bit 7 set, a second
 *   byte holds bits 7-13: "big" symbols, 6.1), then that many token
 *   indexes; kallsyms_token_index[i] is the offset of token i in
 *   kallsyms_token_table (NUL-terminated strings).  The first character of
 *   the expansion is the symbol's type letter.
 * - addresses: kallsyms_offsets[i] (s32).  With KALLSYMS_ABSOLUTE_PERCPU
 *   (x86_64) offsets >= 0 are absolute and negative ones are
 *   relative_base - 1 - offset; otherwise relative_base + (u32)offset.
 *   Which one applies is settled by SYMBOL(_stext) of VMCOREINFO.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define KS_MAX_SYMS (1u << 22)
#define KS_MAX_NAMES_BYTES (64u << 20)
#define KS_NAME_MAX 512

struct ks_entry {
	uint32_t name;   /* offset in names */
	uint64_t value;
	char type;
};

struct kallsyms {
	char *names;     /* all names, NUL-separated */
	size_t names_len;
	struct ks_entry *slot; /* open-addressing hash table */
	size_t nslots;
	size_t count;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static int vmci_sym(struct batch_dump *d, const char *name, uint64_t *v)
{
	char key[96], *s, *end;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	s = bd_vmcoreinfo(d, key);
	if (!s)
		return -1;
	*v = strtoull(s, &end, 16);
	free(s);
	return 0;
}

static uint64_t get_uint(const uint8_t *p, int size, int be)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (be ? 8 * (size - 1 - i) : 8 * i);
	return v;
}

static void insert(struct kallsyms *ks, uint32_t name, uint64_t value, char type)
{
	const char *s = ks->names + name;
	size_t i = fnv1a(s) & (ks->nslots - 1);

	for (;; i = (i + 1) & (ks->nslots - 1)) {
		struct ks_entry *e = &ks->slot[i];

		if (!e->type) {
			e->name = name;
			e->value = value;
			e->type = type;
			ks->count++;
			return;
		}
		if (strcmp(ks->names + e->name, s) == 0) {
			/* A global symbol wins over a static one of the same name. */
			if (e->type >= 'a' && type >= 'A' && type <= 'Z') {
				e->value = value;
				e->type = type;
			}
			return;
		}
	}
}

int ks_lookup(const struct kallsyms *ks, const char *name, uint64_t *value)
{
	size_t i = fnv1a(name) & (ks->nslots - 1);

	for (;; i = (i + 1) & (ks->nslots - 1)) {
		const struct ks_entry *e = &ks->slot[i];

		if (!e->type)
			return PW_ERR_NOTFOUND;
		if (strcmp(ks->names + e->name, name) == 0) {
			*value = e->value;
			return PW_OK;
		}
	}
}

size_t ks_count(const struct kallsyms *ks)
{
	return ks->count;
}

/* Every kernel has the variable init_task; kallsyms lists it only with
 * CONFIG_KALLSYMS_ALL. */
int ks_text_only(const struct kallsyms *ks)
{
	uint64_t v;

	return ks_lookup(ks, "init_task", &v) != PW_OK;
}

void ks_free(struct kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->names);
	free(ks->slot);
	free(ks);
}

static void *read_block(struct batch_dump *d, uint64_t va, size_t len)
{
	void *buf = malloc(len ? len : 1);

	if (buf && d->target.read(d, PW_KVIRT, va, buf, len) != PW_OK) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct kallsyms *ks_open(struct batch_dump *d, char *why, size_t why_len)
{
	static const char *const need[] = {
		"kallsyms_names", "kallsyms_num_syms", "kallsyms_token_table",
		"kallsyms_token_index", "kallsyms_offsets", "kallsyms_relative_base",
	};
	uint64_t a[6], num, base, stext = 0, v;
	uint8_t *names = NULL, *tokens = NULL, *offsets = NULL, *tidx = NULL, b[8];
	size_t names_len, tokens_len, out_len = 0, out_cap;
	struct kallsyms *ks = NULL;
	int be = strcmp(d->arch, "s390x") == 0, abs_percpu = strcmp(d->arch, "x86_64") == 0;
	int have_stext = vmci_sym(d, "_stext", &stext) == 0, flipped = 0;
	uint64_t pos = 0;

	for (int i = 0; i < 6; i++) {
		if (vmci_sym(d, need[i], &a[i])) {
			snprintf(why, why_len, "VMCOREINFO has no SYMBOL(%s): cannot decode kallsyms",
				 need[i]);
			return NULL;
		}
	}
	if (d->target.read(d, PW_KVIRT, a[1], b, 4) != PW_OK ||
	    d->target.read(d, PW_KVIRT, a[5], b + 4, 4) != PW_OK) {
		snprintf(why, why_len, "kallsyms tables are not in the dump");
		return NULL;
	}
	num = get_uint(b, 4, be);
	if (d->target.read(d, PW_KVIRT, a[5], b, 8) != PW_OK) {
		snprintf(why, why_len, "kallsyms_relative_base is not in the dump");
		return NULL;
	}
	base = get_uint(b, 8, be);
	/* The names end before the token table (kallsyms_markers lies between). */
	names_len = a[2] > a[0] ? (size_t)(a[2] - a[0]) : 0;
	tokens_len = a[3] > a[2] ? (size_t)(a[3] - a[2]) : 0;
	if (!num || num > KS_MAX_SYMS || !names_len || names_len > KS_MAX_NAMES_BYTES ||
	    !tokens_len || tokens_len > 65536) {
		snprintf(why, why_len, "kallsyms tables implausible (%llu symbols, names %zu bytes)",
			 (unsigned long long)num, names_len);
		return NULL;
	}
	names = read_block(d, a[0], names_len);
	tokens = read_block(d, a[2], tokens_len);
	tidx = read_block(d, a[3], 256 * 2);
	offsets = read_block(d, a[4], (size_t)num * 4);
	ks = calloc(1, sizeof(*ks));
	if (!names || !tokens || !tidx || !offsets || !ks) {
		snprintf(why, why_len, "kallsyms tables are not (all) in the dump");
		goto fail;
	}
	ks->nslots = 1;
	while (ks->nslots < num * 2)
		ks->nslots <<= 1;
	ks->slot = calloc(ks->nslots, sizeof(*ks->slot));
	out_cap = names_len * 4 + num * 2;
	ks->names = malloc(out_cap);
	if (!ks->slot || !ks->names) {
		snprintf(why, why_len, "out of memory");
		goto fail;
	}
	/* The address scheme is settled by _stext (from VMCOREINFO) when we can. */
	for (uint64_t i = 0; i < num; i++) {
		char name[KS_NAME_MAX];
		size_t n = 0, len;
		int32_t off;
		uint64_t addr;
		char type = 0;

		if (pos >= names_len)
			break;
		len = names[pos++];
		if (len & 0x80) {
			if (pos >= names_len)
				break;
			len = (len & 0x7f) | ((size_t)names[pos++] << 7);
		}
		if (pos + len > names_len)
			break;
		for (size_t t = 0; t < len; t++) {
			size_t ti = get_uint(tidx + 2 * names[pos + t], 2, be);

			for (; ti < tokens_len && tokens[ti]; ti++) {
				if (!type)
					type = (char)tokens[ti];
				else if (n < sizeof(name) - 1)
					name[n++] = (char)tokens[ti];
			}
		}
		pos += len;
		name[n] = '\0';
		off = (int32_t)get_uint(offsets + 4 * i, 4, be);
		if (abs_percpu)
			addr = off >= 0 ? (uint64_t)(int64_t)off : base - 1 - (uint64_t)(int64_t)off;
		else
			addr = base + (uint32_t)off;
		if (have_stext && strcmp(name, "_stext") == 0 && addr != stext) {
			/* Wrong guess of KALLSYMS_ABSOLUTE_PERCPU: flip and start over. */
			uint64_t other = abs_percpu ? base + (uint32_t)off
				       : off >= 0 ? (uint64_t)(int64_t)off
						  : base - 1 - (uint64_t)(int64_t)off;

			if (other != stext || flipped) {
				snprintf(why, why_len, "kallsyms _stext %llx does not match VMCOREINFO's %llx",
					 (unsigned long long)addr, (unsigned long long)stext);
				goto fail;
			}
			abs_percpu = !abs_percpu;
			flipped = 1;
			memset(ks->slot, 0, ks->nslots * sizeof(*ks->slot));
			ks->count = 0;
			out_len = 0;
			pos = 0;
			i = (uint64_t)-1;
			continue;
		}
		if (!type || out_len + n + 1 > out_cap)
			continue;
		memcpy(ks->names + out_len, name, n + 1);
		insert(ks, (uint32_t)out_len, addr, type);

		out_len += n + 1;
	}
	ks->names_len = out_len;
	if (ks->count < num / 2) {
		snprintf(why, why_len, "kallsyms decoding stopped after %zu of %llu symbols",
			 ks->count, (unsigned long long)num);
		goto fail;
	}
	if (ks_lookup(ks, "_stext", &v) == PW_OK && have_stext && v != stext) {
		snprintf(why, why_len, "kallsyms _stext does not match VMCOREINFO");
		goto fail;
	}
	free(names);
	free(tokens);
	free(tidx);
	free(offsets);
	return ks;
fail:
	free(names);
	free(tokens);
	free(tidx);
	free(offsets);
	ks_free(ks);
	return NULL;
}
