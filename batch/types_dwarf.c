// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A vmlinux given by the user: its ELF symbol table (link-time addresses;
 * the caller adds KERNELOFFSET), its build id and strings (to refuse a
 * vmlinux that is not the dump's kernel), and its DWARF for types.
 *
 * Debian's -dbg vmlinux carries 400+ MB of DWARF in ~3000 compile units.
 * Nothing is indexed up front: a lookup scans compile units in order, only
 * their top-level DIEs (types are defined there), records every struct,
 * union, typedef and enumerator it passes in a hash table, and stops at
 * the first unit that defines the name; the next lookup resumes where the
 * last one stopped.  The types the core asks for (task_struct, page,
 * mem_section, dev_pagemap, ...) are defined in the first few units, so a
 * dump needs a small fraction of the DWARF; a name no unit defines costs
 * one full pass, once.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

struct dw_slot {
	char *key;         /* "s:page" (struct/union), "t:name" (typedef), "n:ENUMERATOR", "y:symbol" */
	uint64_t value;    /* DIE offset, enumerator value or symbol value */
};

struct dwarf_info {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dbg;
	char build_id[80];
	uint64_t text_start;
	/* Hash table of names seen. */
	struct dw_slot *slot;
	size_t nslots, count;
	/* Incremental CU scan. */
	Dwarf_Off next_cu;
	int scan_done;
	unsigned cus_scanned, cus_total;
	double scan_secs;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static int grow(struct dwarf_info *dw)
{
	size_t n = dw->nslots ? dw->nslots * 2 : 1u << 16;
	struct dw_slot *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < dw->nslots; i++) {
		if (!dw->slot[i].key)
			continue;
		for (size_t j = hash(dw->slot[i].key) & (n - 1);; j = (j + 1) & (n - 1)) {
			if (!s[j].key) {
				s[j] = dw->slot[i];
				break;
			}
		}
	}
	free(dw->slot);
	dw->slot = s;
	dw->nslots = n;
	return 0;
}

static struct dw_slot *find(const struct dwarf_info *dw, const char *key)
{
	if (!dw->nslots)
		return NULL;
	for (size_t i = hash(key) & (dw->nslots - 1);; i = (i + 1) & (dw->nslots - 1)) {
		if (!dw->slot[i].key)
			return NULL;
		if (strcmp(dw->slot[i].key, key) == 0)
			return &dw->slot[i];
	}
}

/* Insert unless present (the first definition wins). */
static void add(struct dwarf_info *dw, char kind, const char *name, uint64_t value)
{
	char key[256];
	size_t i;

	if (snprintf(key, sizeof(key), "%c:%s", kind, name) >= (int)sizeof(key))
		return;
	if (find(dw, key))
		return;
	if ((dw->count + 1) * 2 > dw->nslots && grow(dw))
		return;
	for (i = hash(key) & (dw->nslots - 1); dw->slot[i].key; i = (i + 1) & (dw->nslots - 1))
		;
	dw->slot[i].key = strdup(key);
	dw->slot[i].value = value;
	if (dw->slot[i].key)
		dw->count++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- opening, symbols ---- */

static void load_symtab(struct dwarf_info *dw)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(dw->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !sh.sh_entsize)
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym))
				continue;
			name = elf_strptr(dw->elf, sh.sh_link, sym.st_name);
			if (!name || !*name || sym.st_shndx == SHN_UNDEF)
				continue;
			/* A global symbol wins over a static one of the same name. */
			if (GELF_ST_BIND(sym.st_info) == STB_LOCAL) {
				char key[256];

				snprintf(key, sizeof(key), "y:%s", name);
				if (find(dw, key))
					continue;
			} else {
				char key[256];
				struct dw_slot *s;

				snprintf(key, sizeof(key), "y:%s", name);
				s = find(dw, key);
				if (s) {
					s->value = sym.st_value;
					continue;
				}
			}
			add(dw, 'y', name, sym.st_value);
		}
	}
}

struct dwarf_info *dw_open(const char *vmlinux, char *why, size_t why_len)
{
	struct dwarf_info *dw = calloc(1, sizeof(*dw));
	const void *id;
	ssize_t idlen;
	struct dw_slot *s;
	GElf_Ehdr eh;

	if (!dw) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	dw->fd = -1;
	dw->path = strdup(vmlinux);
	elf_version(EV_CURRENT);
	dw->fd = open(vmlinux, O_RDONLY | O_CLOEXEC);
	if (dw->fd < 0) {
		snprintf(why, why_len, "cannot open vmlinux %s: %s", vmlinux, strerror(errno));
		goto fail;
	}
	dw->elf = elf_begin(dw->fd, ELF_C_READ_MMAP, NULL);
	if (!dw->elf || elf_kind(dw->elf) != ELF_K_ELF || !gelf_getehdr(dw->elf, &eh)) {
		snprintf(why, why_len, "%s is not an ELF file", vmlinux);
		goto fail;
	}
	idlen = dwelf_elf_gnu_build_id(dw->elf, &id);
	for (ssize_t i = 0; i < idlen && (size_t)i * 2 + 2 < sizeof(dw->build_id); i++)
		snprintf(dw->build_id + 2 * i, 3, "%02x", ((const uint8_t *)id)[i]);
	load_symtab(dw);
	s = find(dw, "y:_text");
	dw->text_start = s ? s->value : UINT64_MAX;
	/* DWARF is checked when a type is first asked for: a wrong file must
	 * be refused for being the wrong file, not for lacking DWARF. */
	dw->dbg = dwarf_begin_elf(dw->elf, DWARF_C_READ, NULL);
	return dw;
fail:
	dw_close(dw);
	return NULL;
}

void dw_close(struct dwarf_info *dw)
{
	if (!dw)
		return;
	if (dw->dbg)
		dwarf_end(dw->dbg);
	if (dw->elf)
		elf_end(dw->elf);
	if (dw->fd >= 0)
		close(dw->fd);
	for (size_t i = 0; i < dw->nslots; i++)
		free(dw->slot[i].key);
	free(dw->slot);
	free(dw->path);
	free(dw);
}

const char *dw_path(const struct dwarf_info *dw)
{
	return dw->path;
}

const char *dw_build_id(const struct dwarf_info *dw)
{
	return dw->build_id;
}

int dw_has_dwarf(const struct dwarf_info *dw)
{
	return dw->dbg != NULL;
}

int dw_symbol(struct dwarf_info *dw, const char *name, uint64_t *value)
{
	char key[256];
	struct dw_slot *s;

	snprintf(key, sizeof(key), "y:%s", name);
	s = find(dw, key);
	if (!s)
		return PW_ERR_NOTFOUND;
	*value = s->value;
	return PW_OK;
}

int dw_relocatable(struct dwarf_info *dw, uint64_t value)
{
	/* Per-cpu symbols are offsets below the image, not addresses. */
	return value >= dw->text_start;
}

int dw_string_at(struct dwarf_info *dw, uint64_t addr, char *buf, size_t len)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(dw->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		size_t off, n = 0;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    addr < sh.sh_addr || addr >= sh.sh_addr + sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			return PW_ERR_READ;
		off = addr - sh.sh_addr;
		while (off + n < data->d_size && n < len - 1 && ((char *)data->d_buf)[off + n])
			n++;
		memcpy(buf, (char *)data->d_buf + off, n);
		buf[n] = '\0';
		return PW_OK;
	}
	return PW_ERR_NOTFOUND;
}

/* ---- DWARF: the incremental scan ---- */

static int is_declaration(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	bool flag = false;

	return dwarf_attr(die, DW_AT_declaration, &a) && dwarf_formflag(&a, &flag) == 0 && flag;
}

static void index_enumerators(struct dwarf_info *dw, Dwarf_Die *en)
{
	Dwarf_Die e;

	if (dwarf_child(en, &e) != 0)
		return;
	do {
		Dwarf_Attribute a;
		Dwarf_Sword sv;
		Dwarf_Word uv;
		const char *name;

		if (dwarf_tag(&e) != DW_TAG_enumerator || !(name = dwarf_diename(&e)) ||
		    !dwarf_attr(&e, DW_AT_const_value, &a))
			continue;
		if (dwarf_formsdata(&a, &sv) == 0)
			add(dw, 'n', name, (uint64_t)sv);
		else if (dwarf_formudata(&a, &uv) == 0)
			add(dw, 'n', name, uv);
	} while (dwarf_siblingof(&e, &e) == 0);
}

/* Index the top-level DIEs of one compile unit. */
static void index_cu(struct dwarf_info *dw, Dwarf_Die *cu)
{
	Dwarf_Die die;

	if (dwarf_child(cu, &die) != 0)
		return;
	do {
		int tag = dwarf_tag(&die);
		const char *name = dwarf_diename(&die);

		switch (tag) {
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			if (name && !is_declaration(&die))
				add(dw, 's', name, dwarf_dieoffset(&die));
			break;
		case DW_TAG_typedef:
			if (name)
				add(dw, 't', name, dwarf_dieoffset(&die));
			break;
		case DW_TAG_enumeration_type:
			if (!is_declaration(&die))
				index_enumerators(dw, &die);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
}

/* Scan on until key (or alt, when not NULL) is known or the DWARF ends. */
static struct dw_slot *lookup2(struct dwarf_info *dw, const char *key, const char *alt)
{
	struct dw_slot *s = find(dw, key);
	double t0;

	if (!s && alt)
		s = find(dw, alt);
	if (s || dw->scan_done || !dw->dbg)
		return s;
	t0 = now();
	while (!s) {
		Dwarf_Off off = dw->next_cu, next;
		size_t hsize;
		Dwarf_Die cu;

		if (dwarf_nextcu(dw->dbg, off, &next, &hsize, NULL, NULL, NULL) != 0) {
			dw->scan_done = 1;
			dw->cus_total = dw->cus_scanned;
			break;
		}
		dw->next_cu = next;
		dw->cus_scanned++;
		if (dwarf_offdie(dw->dbg, off + hsize, &cu))
			index_cu(dw, &cu);
		s = find(dw, key);
		if (!s && alt)
			s = find(dw, alt);
	}
	dw->scan_secs += now() - t0;
	return s;
}

static struct dw_slot *lookup(struct dwarf_info *dw, const char *key)
{
	return lookup2(dw, key, NULL);
}

static int die_at(struct dwarf_info *dw, const struct dw_slot *s, Dwarf_Die *die)
{
	return dwarf_offdie(dw->dbg, s->value, die) ? 0 : -1;
}

/*
 * The struct or union called name, or a typedef of one ("mm_context_t" is a
 * typedef of an anonymous struct): whichever the scan meets first.
 */
static int composite(struct dwarf_info *dw, const char *name, Dwarf_Die *out)
{
	char skey[256], tkey[256];
	struct dw_slot *s;

	snprintf(skey, sizeof(skey), "s:%s", name);
	snprintf(tkey, sizeof(tkey), "t:%s", name);
	lookup2(dw, skey, tkey);
	s = find(dw, skey);
	if (s)
		return die_at(dw, s, out);
	s = find(dw, tkey);
	if (s && die_at(dw, s, out) == 0 && dwarf_peel_type(out, out) == 0)
		return 0;
	return -1;
}

static int member_offset_of(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;

	*off = 0;
	if (dwarf_attr(m, DW_AT_data_member_location, &a))
		return dwarf_formudata(&a, &w) == 0 ? (*off = w, 0) : -1;
	if (dwarf_attr(m, DW_AT_data_bit_offset, &a))
		return dwarf_formudata(&a, &w) == 0 ? (*off = w / 8, 0) : -1;
	return 0; /* union members */
}

static int member_in(Dwarf_Die *type, const char *member, uint64_t base, uint64_t *off,
		     int depth)
{
	Dwarf_Die m;

	if (depth > 8 || dwarf_child(type, &m) != 0)
		return PW_ERR_NOTFOUND;
	do {
		const char *name;
		uint64_t here;
		Dwarf_Attribute a;
		Dwarf_Die mt;

		if (dwarf_tag(&m) != DW_TAG_member || member_offset_of(&m, &here))
			continue;
		here += base;
		name = dwarf_diename(&m);
		if (name) {
			if (strcmp(name, member) == 0) {
				*off = here;
				return PW_OK;
			}
			continue;
		}
		/* An anonymous struct or union: its members belong to type. */
		if (dwarf_attr(&m, DW_AT_type, &a) && dwarf_formref_die(&a, &mt) &&
		    dwarf_peel_type(&mt, &mt) == 0 &&
		    member_in(&mt, member, here, off, depth + 1) == PW_OK)
			return PW_OK;
	} while (dwarf_siblingof(&m, &m) == 0);
	return PW_ERR_NOTFOUND;
}

int dw_member(struct dwarf_info *dw, const char *type, const char *member, uint64_t *off)
{
	Dwarf_Die die;

	if (!dw->dbg || composite(dw, type, &die))
		return PW_ERR_NOTFOUND;
	return member_in(&die, member, 0, off, 0);
}

int dw_size(struct dwarf_info *dw, const char *type, uint64_t *size)
{
	Dwarf_Die die;
	Dwarf_Word sz;

	if (!dw->dbg || composite(dw, type, &die) || dwarf_aggregate_size(&die, &sz) != 0)
		return PW_ERR_NOTFOUND;
	*size = sz;
	return PW_OK;
}

int dw_enum(struct dwarf_info *dw, const char *name, int64_t *value)
{
	char key[256];
	struct dw_slot *s;

	if (!dw->dbg)
		return PW_ERR_NOTFOUND;
	snprintf(key, sizeof(key), "n:%s", name);
	s = lookup(dw, key);
	if (!s)
		return PW_ERR_NOTFOUND;
	*value = (int64_t)s->value;
	return PW_OK;
}

void dw_stats(const struct dwarf_info *dw, unsigned *scanned, unsigned *total, double *secs)
{
	*scanned = dw->cus_scanned;
	*total = dw->scan_done ? dw->cus_total : 0;
	*secs = dw->scan_secs;
}

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int dw_find_vmlinux(const char *dir, const char *release, const char *build_id,
		    char *out, size_t len)
{
	static const char *const layouts[] = {
		"%s/vmlinux-%s",
		"%s/usr/lib/debug/boot/vmlinux-%s",
		"%s/boot/vmlinux-%s",
		"%s/usr/lib/debug/lib/modules/%s/vmlinux",
		"%s/lib/modules/%s/vmlinux",
		"%s/%s/vmlinux",
		NULL,
	};

	if (build_id && strlen(build_id) > 2) {
		snprintf(out, len, "%s/.build-id/%.2s/%s.debug", dir, build_id, build_id + 2);
		if (exists(out))
			return 0;
		snprintf(out, len, "%s/usr/lib/debug/.build-id/%.2s/%s.debug", dir, build_id,
			 build_id + 2);
		if (exists(out))
			return 0;
	}
	for (int i = 0; release && *release && layouts[i]; i++) {
		snprintf(out, len, layouts[i], dir, release);
		if (exists(out))
			return 0;
	}
	return -1;
}
