// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * struct pw_target over libkdumpfile's C API: physical (KDUMP_KPHYSADDR)
 * and kernel-virtual (KDUMP_KVADDR, translated by libkdumpfile) reads,
 * symbols, types and numbers from the sources of batch.h, in this order:
 *
 *   symbol         vmlinux .symtab (+ KERNELOFFSET) > VMCOREINFO SYMBOL() > kallsyms
 *   member, size   DWARF > BTF > VMCOREINFO OFFSET()/SIZE()
 *   number         VMCOREINFO NUMBER() (or a whole key "LENGTH(x)") > DWARF > BTF enumerators
 *
 * A read that fails on a page libkdumpfile knows to be RAM (memory.pagemap)
 * but that is not in the file was excluded by dump filtering:
 * PW_ERR_EXCLUDED; anything else is PW_ERR_READ.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batch.h"

static const char *const source_names[BD_SRC_COUNT] = {
	"vmcoreinfo", "kallsyms", "vmlinux", "dwarf", "btf",
};

const char *bd_source_name(unsigned bit_index)
{
	return bit_index < BD_SRC_COUNT ? source_names[bit_index] : "?";
}

/* A macro: clang's analyzer misreads a va_list wrapper (see core/kernel.c). */
#define say(why, len, ...) snprintf(why, len, __VA_ARGS__)

char *bd_vmcoreinfo(struct batch_dump *d, const char *key)
{
	char *val = NULL;

	if (kdump_vmcoreinfo_line(d->kd, key, &val) != KDUMP_OK)
		return NULL;
	return val;
}

static int vmcoreinfo_num(struct batch_dump *d, const char *key, int base, int64_t *out)
{
	char *s = bd_vmcoreinfo(d, key), *end;
	int ok;

	if (!s)
		return PW_ERR_NOTFOUND;
	errno = 0;
	/* strtoull takes "-346030080" (NUMBER(phys_base)) modulo 2^64. */
	*out = (int64_t)strtoull(s, &end, base);
	ok = !errno && end != s;
	free(s);
	return ok ? PW_OK : PW_ERR_NOTFOUND;
}

static void note_missing(struct batch_dump *d, const char *what, const char *name)
{
	char entry[sizeof(d->missing[0])];

	if (d->nmissing >= BD_MISSING_MAX)
		return;
	/* A long name is listed cut to the entry's size (its result looked at:
	 * gcc -O3 warns of the cut otherwise). */
	if (snprintf(entry, sizeof(entry), "%s %s", what, name) < 0)
		return;
	for (int i = 0; i < d->nmissing; i++)
		if (strcmp(d->missing[i], entry) == 0)
			return;
	memcpy(d->missing[d->nmissing++], entry, sizeof(entry));
}

/* ---- memory ---- */

/* A bitmap attribute of the dump (file.pagemap, memory.pagemap), referenced; or NULL. */
static struct _kdump_bmp *bitmap_attr(struct batch_dump *d, const char *key)
{
	kdump_attr_t attr;

	if (kdump_get_attr(d->kd, key, &attr) != KDUMP_OK || attr.type != KDUMP_BITMAP)
		return NULL;
	kdump_bmp_incref(attr.val.bitmap);
	return attr.val.bitmap;
}

/* Whether the page at pa has its bit set in bmp (a page map of the dump). */
static int page_in_bitmap(const struct batch_dump *d, struct _kdump_bmp *bmp, uint64_t pa)
{
	kdump_addr_t idx = pa / d->page_size;

	return kdump_bmp_find_set(bmp, &idx) == KDUMP_OK && idx == pa / d->page_size;
}

static int ram_page(struct batch_dump *d, uint64_t pa)
{
	/* Fetched on the first failed read only: libkdumpfile 0.5.1 leaks 24 KiB
	 * on every dump whose memory.pagemap was asked for. */
	if (!d->ram_bmp_tried) {
		d->ram_bmp_tried = 1;
		d->ram_bmp = bitmap_attr(d, KDUMP_ATTR_MEMORY_PAGEMAP);
	}
	return d->ram_bmp && page_in_bitmap(d, d->ram_bmp, pa);
}

/* The physical address of a kernel virtual one, through libkdumpfile. */
static int kv_to_phys(struct batch_dump *d, uint64_t va, uint64_t *pa)
{
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	addrxlat_fulladdr_t fa = { .addr = va, .as = ADDRXLAT_KVADDR };
	int ok;

	if (kdump_get_addrxlat(d->kd, &axctx, &axsys) != KDUMP_OK)
		return -1;
	ok = addrxlat_fulladdr_conv(&fa, ADDRXLAT_KPHYSADDR, axctx, axsys) == ADDRXLAT_OK;
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	if (!ok)
		return -1;
	*pa = fa.addr;
	return 0;
}

static int bd_read(void *ctx, enum pw_addr_space space, uint64_t addr, void *buf, size_t len)
{
	struct batch_dump *d = ctx;
	kdump_addrspace_t as = space == PW_PHYS ? KDUMP_KPHYSADDR : KDUMP_KVADDR;
	size_t got = len;
	kdump_status st = kdump_read(d->kd, as, addr, buf, &got);
	uint64_t pa = 0;

	if (st == KDUMP_OK)
		return PW_OK;
	if (st != KDUMP_ERR_NODATA)
		return PW_ERR_READ;
	/* Which page failed: the first one not read. */
	addr += got;
	if (space == PW_KVIRT && kv_to_phys(d, addr, &pa))
		return PW_ERR_READ;
	if (space == PW_PHYS)
		pa = addr;
	return ram_page(d, pa) ? PW_ERR_EXCLUDED : PW_ERR_READ;
}

/*
 * Pages handed out by libkdumpfile without a copy: its addrxlat context's
 * get_page callback, the one its own page-table walker reads through, gives
 * a reference to the page in its cache (or in the mapped file) and put_page
 * drops it.  Each reference needs its addrxlat_buffer_t until then: a pool.
 */
#define BD_MAPS 128 /* > the walker's windows: 5 levels of up to 16 tables */

struct bd_map_pool {
	addrxlat_buffer_t buf[BD_MAPS];
	int in_use[BD_MAPS];
	int next_free[BD_MAPS];
	int free_head;
};

/*
 * Whether the page at pa is in the file, once a page has failed to map: then
 * every later map asks file.pagemap first, so that the tables a filtered dump
 * left out go to read() (which says why) and the rest are still mapped.
 */
static int in_file(struct batch_dump *d, uint64_t pa)
{
	return !d->file_bmp || page_in_bitmap(d, d->file_bmp, pa);
}

/*
 * The first failure to map a page: from now on file.pagemap says which pages
 * to try.  Without it, or when a page it lists fails too (a corrupt page, an
 * I/O error), mapping stops: libkdumpfile 0.5.1 to 0.5.4 do not free the
 * small request a failed get_page allocated, so failures must stay few.
 */
static void map_failed(struct batch_dump *d)
{
	if (d->file_bmp) {
		d->map_off = 1;
		return;
	}
	d->file_bmp = bitmap_attr(d, KDUMP_ATTR_FILE_PAGEMAP);
	if (!d->file_bmp)
		d->map_off = 1;
}

static const void *bd_map_phys(void *ctx, uint64_t pa, size_t len, void **cookie)
{
	struct batch_dump *d = ctx;
	struct bd_map_pool *p = d->maps;
	const addrxlat_cb_t *cb;
	addrxlat_buffer_t *b;
	int i;

	if (d->map_off || p->free_head < 0 || pa % d->page_size + len > d->page_size ||
	    pa > d->map_last || !in_file(d, pa))
		return NULL;
	cb = addrxlat_ctx_get_cb(d->axctx);
	i = p->free_head;
	b = &p->buf[i];
	memset(b, 0, sizeof(*b));
	b->addr.addr = pa; /* the same machine address: see set_up_maps() */
	b->addr.as = ADDRXLAT_MACHPHYSADDR;
	if (cb->get_page(cb, b) != ADDRXLAT_OK) {
		map_failed(d); /* read() says why this one failed */
		return NULL;
	}
	if (pa < b->addr.addr || pa - b->addr.addr + len > b->size) {
		if (b->put_page)
			b->put_page(b);
		return NULL;
	}
	p->free_head = p->next_free[i];
	p->in_use[i] = 1;
	*cookie = b;
	return (const uint8_t *)b->ptr + (pa - b->addr.addr);
}

static void bd_unmap(void *ctx, void *cookie)
{
	struct batch_dump *d = ctx;
	struct bd_map_pool *p = d->maps;
	addrxlat_buffer_t *b = cookie;
	int i = (int)(b - p->buf);

	if (b->put_page)
		b->put_page(b);
	p->in_use[i] = 0;
	p->next_free[i] = p->free_head;
	p->free_head = i;
}

/*
 * The highest kernel physical address that is the same machine address:
 * the end of the first range of libkdumpfile's KPHYS_MACHPHYS map when
 * that range is linear with offset 0 (every dump but a Xen one); 0 when
 * there is none.
 */
static uint64_t identity_phys_last(const addrxlat_sys_t *sys)
{
	const addrxlat_map_t *map = addrxlat_sys_get_map(sys, ADDRXLAT_SYS_MAP_KPHYS_MACHPHYS);
	const addrxlat_range_t *r;
	const addrxlat_meth_t *m;

	if (!map || !addrxlat_map_len(map))
		return 0;
	r = addrxlat_map_ranges(map);
	if (r[0].meth == ADDRXLAT_SYS_METH_NONE)
		return 0;
	m = addrxlat_sys_get_meth(sys, r[0].meth);
	if (!m || m->kind != ADDRXLAT_LINEAR || m->param.linear.off != 0)
		return 0;
	return r[0].endoff;
}

/*
 * Offer map_phys where libkdumpfile's get_page reads machine addresses
 * (its read_caps) and kernel physical addresses are the same: get_page
 * does not translate, as kdump_read() does.
 */
static void set_up_maps(struct batch_dump *d)
{
	addrxlat_sys_t *axsys;
	const addrxlat_cb_t *cb;

	if (kdump_get_addrxlat(d->kd, &d->axctx, &axsys) != KDUMP_OK) {
		d->axctx = NULL;
		return;
	}
	d->map_last = identity_phys_last(axsys);
	addrxlat_sys_decref(axsys);
	cb = addrxlat_ctx_get_cb(d->axctx);
	if (!cb || !cb->get_page || !cb->read_caps || !d->page_size || !d->map_last ||
	    !(cb->read_caps(cb) & ADDRXLAT_CAPS(ADDRXLAT_MACHPHYSADDR)))
		return;
	d->maps = calloc(1, sizeof(*d->maps));
	if (!d->maps)
		return;
	for (int i = 0; i < BD_MAPS; i++)
		d->maps->next_free[i] = i + 1 < BD_MAPS ? i + 1 : -1;
	d->maps->free_head = 0;
	d->target.map_phys = bd_map_phys;
	d->target.unmap = bd_unmap;
}

/* ---- symbols ---- */

static struct kallsyms *kallsyms(struct batch_dump *d)
{
	if (!d->ks_tried) {
		d->ks_tried = 1;
		d->ks = ks_open(d, d->ks_why, sizeof(d->ks_why));
	}
	return d->ks;
}

static int bd_symbol(void *ctx, const char *name, uint64_t *value)
{
	struct batch_dump *d = ctx;
	char key[160];
	int64_t v;

	if (d->dwarf && dw_symbol(d->dwarf, name, value) == PW_OK) {
		if (dw_relocatable(d->dwarf, *value))
			*value += d->kernel_offset;
		d->used |= BD_SRC_VMLINUX;
		return PW_OK;
	}
	/*
	 * SYMBOL(mem_section) is the *value* of the pointer with
	 * SPARSEMEM_EXTREME (VMCOREINFO_SYMBOL_ARRAY), not its address.
	 */
	if (strcmp(name, "mem_section") != 0) {
		snprintf(key, sizeof(key), "SYMBOL(%s)", name);
		if (vmcoreinfo_num(d, key, 16, &v) == PW_OK) {
			*value = (uint64_t)v;
			d->used |= BD_SRC_VMCOREINFO;
			return PW_OK;
		}
	}
	if (kallsyms(d) && ks_lookup(d->ks, name, value) == PW_OK) {
		d->used |= BD_SRC_KALLSYMS;
		return PW_OK;
	}
	note_missing(d, "symbol", name);
	return PW_ERR_NOTFOUND;
}

/* ---- types ---- */

static struct btf_info *btf(struct batch_dump *d)
{
	if (!d->btf_tried && !d->no_btf) {
		d->btf_tried = 1;
		d->btf = btf_open_dump(d, d->btf_why, sizeof(d->btf_why));
	}
	return d->btf;
}

static int bd_member(void *ctx, const char *type, const char *member, uint64_t *off)
{
	struct batch_dump *d = ctx;
	char key[160];
	int64_t v;

	if (d->dwarf) {
		if (dw_member(d->dwarf, type, member, off) == PW_OK) {
			d->used |= BD_SRC_DWARF;
			return PW_OK;
		}
	} else if (btf(d) && btfi_member(d->btf, type, member, off) == PW_OK) {
		d->used |= BD_SRC_BTF;
		return PW_OK;
	}
	snprintf(key, sizeof(key), "OFFSET(%s.%s)", type, member);
	if (vmcoreinfo_num(d, key, 10, &v) == PW_OK) {
		*off = (uint64_t)v;
		d->used |= BD_SRC_VMCOREINFO;
		return PW_OK;
	}
	snprintf(key, sizeof(key), "%s.%s", type, member);
	note_missing(d, "member", key);
	return PW_ERR_NOTFOUND;
}

static int bd_size(void *ctx, const char *type, uint64_t *size)
{
	struct batch_dump *d = ctx;
	char key[160];
	int64_t v;

	if (d->dwarf) {
		if (dw_size(d->dwarf, type, size) == PW_OK) {
			d->used |= BD_SRC_DWARF;
			return PW_OK;
		}
	} else if (btf(d) && btfi_size(d->btf, type, size) == PW_OK) {
		d->used |= BD_SRC_BTF;
		return PW_OK;
	}
	snprintf(key, sizeof(key), "SIZE(%s)", type);
	if (vmcoreinfo_num(d, key, 10, &v) == PW_OK) {
		*size = (uint64_t)v;
		d->used |= BD_SRC_VMCOREINFO;
		return PW_OK;
	}
	note_missing(d, "type", type);
	return PW_ERR_NOTFOUND;
}

/*
 * As the crash target: NUMBER(name), else the plain key ("PAGESIZE"), else
 * an enumerator; a name with parentheses is a whole key.  Values are
 * decimal or 0x-hex (arm64 writes its NUMBER()s in hex).
 */
static int bd_number(void *ctx, const char *name, int64_t *value)
{
	struct batch_dump *d = ctx;
	char key[160];

	if (strchr(name, '('))
		snprintf(key, sizeof(key), "%s", name);
	else
		snprintf(key, sizeof(key), "NUMBER(%s)", name);
	if (vmcoreinfo_num(d, key, 0, value) == PW_OK ||
	    (!strchr(name, '(') && vmcoreinfo_num(d, name, 0, value) == PW_OK)) {
		d->used |= BD_SRC_VMCOREINFO;
		return PW_OK;
	}
	if (d->dwarf) {
		if (dw_enum(d->dwarf, name, value) == PW_OK) {
			d->used |= BD_SRC_DWARF;
			return PW_OK;
		}
	} else if (btf(d) && btfi_enum(d->btf, name, value) == PW_OK) {
		d->used |= BD_SRC_BTF;
		return PW_OK;
	}
	note_missing(d, "number", name);
	return PW_ERR_NOTFOUND;
}

static void *bd_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static void bd_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

void bd_used_reset(struct batch_dump *d)
{
	d->used = 0;
	d->nmissing = 0;
}

void bd_used_json(const struct batch_dump *d, FILE *fp)
{
	int n = 0;

	fputc('[', fp);
	for (unsigned i = 0; i < BD_SRC_COUNT; i++)
		if (d->used & (1u << i))
			fprintf(fp, "%s\"%s\"", n++ ? "," : "", source_names[i]);
	fputc(']', fp);
}

/* ---- opening ---- */

/* The architecture from the file itself when libkdumpfile has none. */
static const char *sniff_arch(int fd)
{
	uint8_t h[0x150];
	unsigned machine;

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return NULL;
	if (memcmp(h, "\177ELF", 4) == 0) {
		machine = h[5] == 2 ? (unsigned)h[18] << 8 | h[19] : (unsigned)h[19] << 8 | h[18];
		return machine == 62 ? "x86_64" : machine == 183 ? "aarch64"
		     : machine == 22 ? "s390x" : NULL;
	}
	/* diskdump: "KDUMP   ", header_version, then struct new_utsname
	 * (6 x 65 bytes) at 12: machine is the fifth field. */
	if (memcmp(h, "KDUMP   ", 8) == 0) {
		const char *m = (const char *)h + 12 + 4 * 65;

		if (!strncmp(m, "x86_64", 7))
			return "x86_64";
		if (!strncmp(m, "aarch64", 8))
			return "aarch64";
		if (!strncmp(m, "s390x", 6))
			return "s390x";
	}
	return NULL;
}

static const char *core_arch_name(const char *kdump_arch)
{
	if (!strcmp(kdump_arch, "aarch64"))
		return "arm64";
	if (!strcmp(kdump_arch, "x86_64"))
		return "x86_64";
	if (!strcmp(kdump_arch, "s390x"))
		return "s390x";
	return kdump_arch;
}

static void copy_vmcoreinfo(struct batch_dump *d, const char *key, char *out, size_t len)
{
	char *s = bd_vmcoreinfo(d, key);

	out[0] = '\0';
	if (s)
		snprintf(out, len, "%s", s);
	free(s);
}

int bd_open(struct batch_dump *d, const char *path, int allow_convert,
	    char *why, size_t why_len)
{
	const char *arch = NULL, *fmt = NULL;
	kdump_num_t num;
	int64_t v;

	d->path = path;
	d->fd = bd_prepare_file(path, allow_convert, &d->converted, why, why_len);
	if (d->fd < 0)
		return -1;
	d->kd = kdump_new();
	if (!d->kd) {
		say(why, why_len, "libkdumpfile: out of memory");
		return -1;
	}
	if (d->cache_pages > 0 &&
	    kdump_set_number_attr(d->kd, "cache.size", (kdump_num_t)d->cache_pages) != KDUMP_OK) {
		say(why, why_len, "libkdumpfile: cache.size %ld: %s", d->cache_pages,
		    kdump_get_err(d->kd));
		return -1;
	}
	if (kdump_open_fd(d->kd, d->fd) != KDUMP_OK) {
		const char *err = kdump_get_err(d->kd);

		if (strstr(err, "Unknown file format"))
			say(why, why_len, "not a vmcore (libkdumpfile: unknown file format)");
		else
			say(why, why_len, "libkdumpfile cannot open it: %s", err);
		return -1;
	}
	if (kdump_get_string_attr(d->kd, KDUMP_ATTR_FILE_FORMAT, &fmt) == KDUMP_OK)
		d->file_format = fmt;
	if (kdump_get_string_attr(d->kd, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK) {
		arch = sniff_arch(d->fd);
		if (!arch || kdump_set_string_attr(d->kd, KDUMP_ATTR_ARCH_NAME, arch) != KDUMP_OK) {
			say(why, why_len, "cannot tell the dump's architecture (%s)",
			    arch ? kdump_get_err(d->kd) : "no machine in its header");
			return -1;
		}
	}
	d->arch = core_arch_name(arch);
	if (kdump_set_string_attr(d->kd, KDUMP_ATTR_OSTYPE, "linux") != KDUMP_OK) {
		say(why, why_len, "libkdumpfile cannot set up Linux address translation: %s",
		    kdump_get_err(d->kd));
		return -1;
	}
	d->page_size = 4096;
	if (kdump_get_number_attr(d->kd, KDUMP_ATTR_PAGE_SIZE, &num) == KDUMP_OK && num)
		d->page_size = num;
	copy_vmcoreinfo(d, "OSRELEASE", d->osrelease, sizeof(d->osrelease));
	copy_vmcoreinfo(d, "BUILD-ID", d->build_id, sizeof(d->build_id));
	copy_vmcoreinfo(d, "CRASHTIME", d->crash_time, sizeof(d->crash_time));
	if (vmcoreinfo_num(d, "KERNELOFFSET", 16, &v) == PW_OK)
		d->kernel_offset = (uint64_t)v;

	d->target.ctx = d;
	d->target.arch = d->arch;
	d->target.read = bd_read;
	d->target.symbol = bd_symbol;
	d->target.member_offset = bd_member;
	d->target.type_size = bd_size;
	d->target.number = bd_number;
	d->target.alloc = bd_alloc;
	d->target.free = bd_free;
	set_up_maps(d);
	return 0;
}

void bd_close(struct batch_dump *d)
{
	if (d->ks)
		ks_free(d->ks);
	if (d->btf)
		btf_info_free(d->btf);
	if (d->ram_bmp)
		kdump_bmp_decref(d->ram_bmp);
	if (d->file_bmp)
		kdump_bmp_decref(d->file_bmp);
	/* Whatever a walk still holds (its space outlived the dump) goes back
	 * while the dump is open. */
	for (int i = 0; d->maps && i < BD_MAPS; i++)
		if (d->maps->in_use[i])
			bd_unmap(d, &d->maps->buf[i]);
	free(d->maps);
	if (d->axctx)
		addrxlat_ctx_decref(d->axctx);
	d->maps = NULL;
	d->axctx = NULL;
	d->target.map_phys = NULL;
	if (d->kd)
		kdump_free(d->kd);
	if (d->fd >= 0)
		close(d->fd);
	d->ks = NULL;
	d->btf = NULL;
	d->ram_bmp = NULL;
	d->file_bmp = NULL;
	d->kd = NULL;
	d->fd = -1;
}
