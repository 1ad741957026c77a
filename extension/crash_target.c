// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * struct pw_target over crash: readmem(RETURN_ON_ERROR|QUIET), symbol
 * tables, gdb's type information and VMCOREINFO.  Buffers come from
 * GETBUF so that crash reclaims them itself when Ctrl-C longjmps out.
 */
#include "defs.h"

#include <stdlib.h>

#include "crash_target.h"
#include "ptwalk/kernel.h"

/*
 * A kernel virtual address crash would translate by walking page tables,
 * translated by the kernel's own space instead (crash_target_walk_kvirt()),
 * a 4 KiB piece at a time (no page size maps less), each piece read by
 * physical address.  Any failure, the translation's or the read's, is
 * PW_ERR_READ, as readmem(KVADDR, RETURN_ON_ERROR) says it.
 */
static int read_kvirt_walked(struct pw_kernel *k, uint64_t addr, void *buf, size_t len)
{
	char *out = buf;

	while (len) {
		size_t piece = 4096 - (addr & 4095);
		uint64_t pa;

		if (piece > len)
			piece = len;
		if (pw_kernel_kvtop(k, addr, &pa) ||
		    !readmem((ulonglong)pa, PHYSADDR, out, (long)piece, "ptwalk",
			     RETURN_ON_ERROR | QUIET))
			return PW_ERR_READ;
		addr += piece;
		out += piece;
		len -= piece;
	}
	return PW_OK;
}

static int crash_read(void *ctx, enum pw_addr_space space, uint64_t addr,
		      void *buf, size_t len)
{
	char probe[8];

	if (space == PW_KVIRT && ctx && IS_VMALLOC_ADDR((ulong)addr))
		return read_kvirt_walked(ctx, addr, buf, len);
	if (readmem((ulonglong)addr, space == PW_PHYS ? PHYSADDR : KVADDR, buf,
		    (long)len, "ptwalk", RETURN_ON_ERROR | QUIET))
		return PW_OK;
	/*
	 * Ask the dump-format reader directly why: a page makedumpfile filtered
	 * out (free pages with -d 16, ...) is evidence, not just missing data.
	 */
	if (space == PW_PHYS && pc->readmem &&
	    pc->readmem(pc->mfd, probe, sizeof(probe), 0, (physaddr_t)addr) == PAGE_EXCLUDED)
		return PW_ERR_EXCLUDED;
	return PW_ERR_READ;
}

static int crash_symbol(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (!symbol_exists((char *)name))
		return PW_ERR_NOTFOUND;
	*value = symbol_value((char *)name);
	return PW_OK;
}

static int crash_member_offset(void *ctx, const char *type, const char *member,
			       uint64_t *offset)
{
	long off = datatype_info((char *)type, (char *)member, NULL);

	(void)ctx;
	/* Members of anonymous unions (page.pgmap, dev_pagemap.range). */
	if (off < 0)
		off = datatype_info((char *)type, (char *)member, ANON_MEMBER_OFFSET_REQUEST);
	if (off < 0)
		return PW_ERR_NOTFOUND;
	*offset = (uint64_t)off;
	return PW_OK;
}

static int crash_type_size(void *ctx, const char *type, uint64_t *size)
{
	long sz = datatype_info((char *)type, NULL, STRUCT_SIZE_REQUEST);

	(void)ctx;
	if (sz < 0)
		return PW_ERR_NOTFOUND;
	*size = (uint64_t)sz;
	return PW_OK;
}

/*
 * NUMBER(name) from VMCOREINFO, else the plain key name ("PAGESIZE"), else
 * an enumerator from the debug info.  A name with parentheses is a whole
 * VMCOREINFO key ("LENGTH(mem_section)").  Values are decimal or 0x-hex.
 */
static int crash_number(void *ctx, const char *name, int64_t *value)
{
	char key[128];
	char *s;
	long v;

	(void)ctx;
	if (pc->read_vmcoreinfo) {
		if (strchr(name, '('))
			snprintf(key, sizeof(key), "%s", name);
		else
			snprintf(key, sizeof(key), "NUMBER(%s)", name);
		s = pc->read_vmcoreinfo(key);
		/* Plain keys too ("PAGESIZE"), when there is no NUMBER(). */
		if (!s && !strchr(name, '('))
			s = pc->read_vmcoreinfo((char *)name);
		if (s) {
			/* Base 0: arm64 writes its NUMBER()s in hex (0x...). */
			*value = (int64_t)strtoull(s, NULL, 0);
			free(s);
			return PW_OK;
		}
	}
	if (enumerator_value((char *)name, &v)) {
		*value = v;
		return PW_OK;
	}
	return PW_ERR_NOTFOUND;
}

static void *crash_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return GETBUF(size);
}

static void crash_free(void *ctx, void *ptr)
{
	(void)ctx;
	FREEBUF(ptr);
}

static int crash_interrupted(void *ctx)
{
	(void)ctx;
	/* Ctrl-C, or the reader of a pipe (ptdump | head) went away. */
	return received_SIGINT() || ferror(fp);
}

void crash_target_init(struct pw_target *t)
{
	/* ferror(fp) means "the reader went away" to this command only: an
	 * error flag an earlier command left on stdout would stop every walk. */
	clearerr(fp);
	memset(t, 0, sizeof(*t));
	if (machine_type("X86_64"))
		t->arch = "x86_64";
	else if (machine_type("ARM64"))
		t->arch = "arm64";
	else if (machine_type("S390X"))
		t->arch = "s390x";
	else
		t->arch = MACHINE_TYPE;
	t->read = crash_read;
	t->symbol = crash_symbol;
	t->member_offset = crash_member_offset;
	t->type_size = crash_type_size;
	t->number = crash_number;
	t->alloc = crash_alloc;
	t->free = crash_free;
	t->interrupted = crash_interrupted;
}

void crash_target_walk_kvirt(struct pw_target *t, struct pw_kernel *k)
{
	t->ctx = k;
}
