// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The s390x kernel's address-space layout, read from the dump.  A root is an
 * ASCE (init_mm.context.asce for the kernel, mm->context.asce for a task),
 * whose designation type picks the top table; Linux 6.1 maps the kernel 1:1,
 * so kernel addresses are physical ones.  Region boundaries are the
 * kernel's variables (VMALLOC_START, MODULES_VADDR, vmemmap, ...: s390 sets
 * them at boot), and the marker list follows
 * arch/s390/mm/dump_pagetables.c, sorted the way its pt_dump_init() sorts
 * it (stable: markers at the same address keep their list order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/kernel.h"
#include "ptwalk/ptdump.h"

/* CONFIG_KFENCE_NUM_OBJECTS of Debian's kernels (the kernel default). */
#define KFENCE_NUM_OBJECTS_DEFAULT 255

static int read_var(struct pw_kernel *k, const char *sym, uint64_t *value)
{
	uint64_t addr;
	int err = pw_symbol(k->t, sym, &addr);

	return err ? err : pw_read_kvirt_uint(k->t, addr, 8, value);
}

/*
 * A VMCOREINFO value from the kernel's own copy (vmcoreinfo_data), for
 * dumps that carry no VMCOREINFO note: QEMU's s390x dumps have none, and
 * crash then has no VMCOREINFO to answer pw_number() with.
 */
static int kernel_vmcoreinfo(struct pw_kernel *k, const char *key, int64_t *value)
{
	char text[4097];
	uint64_t data, size;
	size_t klen = strlen(key);
	int err = read_var(k, "vmcoreinfo_data", &data);

	if (!err)
		err = read_var(k, "vmcoreinfo_size", &size);
	if (err)
		return err;
	if (size > sizeof(text) - 1)
		size = sizeof(text) - 1;
	if ((err = pw_read_kvirt(k->t, data, text, size)))
		return err;
	text[size] = '\0';
	for (char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			*value = (int64_t)strtoull(line + klen + 1, NULL, 0);
			return PW_OK;
		}
	}
	return PW_ERR_NOTFOUND;
}

static void add_marker(struct pw_kernel *k, uint64_t va, const char *name)
{
	int i;

	if (k->nmarkers >= PW_MAX_MARKERS)
		return;
	/* Insertion sort, as the kernel's sort_address_markers(). */
	for (i = k->nmarkers; i > 0 && k->markers[i - 1].va > va; i--)
		k->markers[i] = k->markers[i - 1];
	k->markers[i].va = va;
	k->markers[i].name = name;
	k->markers[i].max_lines = 0;
	k->nmarkers++;
}

/* Offset of mm_struct.context.<member>. */
static int context_offset(struct pw_kernel *k, const char *member, uint64_t *off)
{
	uint64_t ctx, m;
	int err = pw_member(k->t, "mm_struct", "context", &ctx);

	if (!err)
		err = pw_member(k->t, "mm_context_t", member, &m);
	if (!err)
		*off = ctx + m;
	return err;
}

static int mm_asce(struct pw_kernel *k, uint64_t mm, uint64_t *asce)
{
	uint64_t off;
	int err = context_offset(k, "asce", &off);

	return err ? err : pw_read_kvirt_uint(k->t, mm + off, 8, asce);
}

static int s390x_open(struct pw_kernel *k, char *why, size_t why_len)
{
	struct { const char *sym; uint64_t v; } var[] = {
		{ "_stext", 0 }, { "_end", 0 }, { "__samode31", 0 }, { "__eamode31", 0 },
		{ "ident_map_size", 0 }, { "vmemmap", 0 }, { "vmemmap_size", 0 },
		{ "VMALLOC_START", 0 }, { "VMALLOC_END", 0 }, { "MODULES_VADDR", 0 },
		{ "MODULES_END", 0 }, { "__abs_lowcore", 0 }, { "__memcpy_real_area", 0 },
		{ "max_pfn", 0 },
	};
	enum { STEXT, END, SAMODE31, EAMODE31, IDENT, VMEMMAP, VMEMMAP_SIZE, VMALLOC,
	       VMALLOC_END, MODULES, MODULES_END, ABS_LOWCORE, MEMCPY_REAL, MAX_PFN };
	uint64_t init_mm, lowcore_size, kfence, dt;
	int64_t nr_cpus;
	int err;

	k->fmt = &pw_format_s390x;
	if (pw_symbol(k->t, "init_mm", &init_mm)) {
		snprintf(why, why_len, "symbol init_mm not found");
		return PW_ERR_NOTFOUND;
	}
	if ((err = mm_asce(k, init_mm, &k->kernel_root))) {
		snprintf(why, why_len, "cannot read init_mm.context.asce: %s", pw_strerror(err));
		return err;
	}
	for (size_t i = 0; i < sizeof(var) / sizeof(var[0]); i++) {
		if (i == STEXT || i == END) {
			err = pw_symbol(k->t, var[i].sym, &var[i].v);
		} else {
			err = read_var(k, var[i].sym, &var[i].v);
		}
		if (err) {
			snprintf(why, why_len, "cannot read %s: %s", var[i].sym, pw_strerror(err));
			return err;
		}
	}
	k->mem_end = var[MAX_PFN].v << 12;

	/* ABS_LOWCORE_MAP_SIZE = NR_CPUS * sizeof(struct lowcore). */
	if ((pw_number(k->t, "LENGTH(lowcore_ptr)", &nr_cpus) != PW_OK &&
	     kernel_vmcoreinfo(k, "LENGTH(lowcore_ptr)", &nr_cpus) != PW_OK) || nr_cpus <= 0) {
		snprintf(why, why_len, "no LENGTH(lowcore_ptr) (NR_CPUS) in VMCOREINFO");
		return PW_ERR_NOTFOUND;
	}
	if (pw_size(k->t, "lowcore", &lowcore_size)) {
		snprintf(why, why_len, "no struct lowcore in the debug information");
		return PW_ERR_NOTFOUND;
	}

	add_marker(k, 0, "Identity Mapping Start");
	add_marker(k, var[STEXT].v, "Identity Mapping End");
	add_marker(k, var[SAMODE31].v, "Amode31 Area Start");
	add_marker(k, var[EAMODE31].v, "Amode31 Area End");
	add_marker(k, var[STEXT].v, "Kernel Image Start");
	add_marker(k, var[END].v, "Kernel Image End");
	if (read_var(k, "__kfence_pool", &kfence) == PW_OK) {
		add_marker(k, kfence, "KFence Pool Start");
		add_marker(k, kfence + (KFENCE_NUM_OBJECTS_DEFAULT + 1) * 2 * 4096ULL,
			   "KFence Pool End");
	}
	add_marker(k, var[END].v, "Identity Mapping Start");
	/* ident_map_size is __bootdata: freed init memory, 0xcc-poisoned in a
	 * dump.  The identity map then ends where memory does. */
	if (var[IDENT].v == 0xccccccccccccccccULL || var[IDENT].v < var[END].v)
		var[IDENT].v = var[MAX_PFN].v << 12;
	add_marker(k, var[IDENT].v, "Identity Mapping End");
	add_marker(k, var[VMEMMAP].v, "vmemmap Area Start");
	add_marker(k, var[VMEMMAP].v + var[VMEMMAP_SIZE].v, "vmemmap Area End");
	add_marker(k, var[VMALLOC].v, "vmalloc Area Start");
	add_marker(k, var[VMALLOC_END].v, "vmalloc Area End");
	add_marker(k, var[MODULES].v, "Modules Area Start");
	add_marker(k, var[MODULES_END].v, "Modules Area End");
	add_marker(k, var[ABS_LOWCORE].v, "Lowcore Area Start");
	add_marker(k, var[ABS_LOWCORE].v + (uint64_t)nr_cpus * lowcore_size, "Lowcore Area End");
	add_marker(k, var[MEMCPY_REAL].v, "Real Memory Copy Area Start");
	add_marker(k, var[MEMCPY_REAL].v + 4096, "Real Memory Copy Area End");

	/* pt_dump_init(): max_addr = 1 << (DT * 11 + 31), the kernel ASCE's reach. */
	dt = (k->kernel_root & S390_ASCE_TYPE_MASK) >> 2;
	k->dump_range[0].start = 0;
	k->dump_range[0].end = dt >= 3 ? 0 : 1ULL << (dt * 11 + 31);
	k->ndump_ranges = 1;
	return PW_OK;
}

static int s390x_mm_root(struct pw_kernel *k, uint64_t mm, uint64_t pgd_va, uint64_t *root)
{
	(void)pgd_va;
	return mm_asce(k, mm, root);
}

/* The root is an ASCE: its DT picks the top table, its TL the valid part. */
static int s390x_space_init(struct pw_kernel *k, struct pw_space *sp, uint64_t asce)
{
	int err = pw_space_init(sp, k->t, k->fmt, asce & S390_ASCE_ORIGIN);

	if (err)
		return err;
	err = pw_s390x_space_from_asce(sp, asce);
	if (err)
		pw_space_release(sp);
	return err;
}

/*
 * mm->context's alloc_pgste and has_pgste bitfields: the first two bits of
 * the 32-bit word after protected_count (6.1's mm_context_t); s390 is
 * big-endian, so they are that word's two most significant bits.
 */
int pw_s390x_mm_pgste(struct pw_kernel *k, uint64_t mm, int *alloc_pgste, int *has_pgste)
{
	uint64_t off, word;
	int err;

	if (!k->fmt || strcmp(k->fmt->arch, "s390x") != 0)
		return PW_ERR_UNSUPPORTED;
	err = context_offset(k, "protected_count", &off);
	if (!err)
		err = pw_read_kvirt_uint(k->t, mm + off + 4, 4, &word);
	if (err)
		return err;
	*alloc_pgste = (word >> 31) & 1;
	*has_pgste = (word >> 30) & 1;
	return PW_OK;
}

/* struct lowcore *lowcore_ptr[NR_CPUS]; lowcore.current_task */
static int s390x_current_task(struct pw_kernel *k, uint64_t cpu, uint64_t *task,
			      char *why, size_t why_len)
{
	uint64_t sym, base, member;

	if (pw_symbol(k->t, "lowcore_ptr", &sym) ||
	    pw_member(k->t, "lowcore", "current_task", &member) ||
	    pw_read_kvirt_uint(k->t, sym + 8 * cpu, 8, &base) || !base) {
		snprintf(why, why_len, "lowcore_ptr[%llu].current_task not found or not readable",
			 (unsigned long long)cpu);
		return PW_ERR_NOTFOUND;
	}
	return pw_read_kvirt_uint(k->t, base + member, 8, task);
}

const struct pw_arch_layout pw_layout_s390x = {
	.arch = "s390x",
	.open = s390x_open,
	.mm_root = s390x_mm_root,
	.space_init = s390x_space_init,
	.ptdump_style = &pw_ptdump_style_s390x,
	.task_root_is_user_only = 1,
	.current_task = s390x_current_task,
};
