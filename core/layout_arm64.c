// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The arm64 kernel's address-space layout, read from the dump: the page size
 * and VA size pick the format, KASLR moves the kernel image (kimage_voffset),
 * and the region boundaries are VMCOREINFO's NUMBER()s where the kernel
 * exports them (arch/arm64/kernel/crash_core.c), else computed the way
 * Linux 6.1's arch/arm64/include/asm/memory.h does.  The marker list follows
 * arch/arm64/mm/ptdump.c's address_markers[].
 */
#include <stdio.h>
#include <string.h>

#include "ptwalk/arch_arm64.h"
#include "ptwalk/kernel.h"
#include "ptwalk/ptdump.h"

enum { ARM64_PAGE_OFFSET = 0, ARM64_PHYS_OFFSET = 1, ARM64_HAVE_PHYS_OFFSET = 2 };

#define SZ_8M   (8ULL << 20)
#define SZ_16M  (16ULL << 20)
#define SZ_32M  (32ULL << 20)
#define SZ_128M (128ULL << 20)
#define SZ_256M (256ULL << 20)
/* ilog2(sizeof(struct page)) rounded up: 6 for every 6.1 configuration. */
#define STRUCT_PAGE_MAX_SHIFT 6

static const struct {
	int page_shift, va_bits;
	const struct pw_format *fmt;
} arm64_formats[] = {
	{ 12, 39, &pw_format_arm64_4k_39bit_3level },
	{ 12, 48, &pw_format_arm64_4k_48bit_4level },
	{ 14, 36, &pw_format_arm64_16k_36bit_2level },
	{ 14, 47, &pw_format_arm64_16k_47bit_3level },
	{ 14, 48, &pw_format_arm64_16k_48bit_4level },
	{ 16, 42, &pw_format_arm64_64k_42bit_2level },
	{ 16, 48, &pw_format_arm64_64k_48bit_3level },
	{ 16, 52, &pw_format_arm64_64k_52bit_3level },
};

static int read_var(struct pw_kernel *k, const char *sym, size_t size, uint64_t *value)
{
	uint64_t addr;
	int err = pw_symbol(k->t, sym, &addr);

	return err ? err : pw_read_kvirt_uint(k->t, addr, size, value);
}

/* A VMCOREINFO NUMBER(), else a kernel variable of the same meaning. */
static int number_or_var(struct pw_kernel *k, const char *number, const char *var,
			 uint64_t *value)
{
	int64_t n;

	if (pw_number(k->t, number, &n) == PW_OK) {
		*value = (uint64_t)n;
		return PW_OK;
	}
	return var ? read_var(k, var, 8, value) : PW_ERR_NOTFOUND;
}

static void add_marker(struct pw_kernel *k, uint64_t va, const char *name)
{
	if (k->nmarkers < PW_MAX_MARKERS) {
		k->markers[k->nmarkers].va = va;
		k->markers[k->nmarkers].name = name;
		k->markers[k->nmarkers].max_lines = 0;
		k->nmarkers++;
	}
}

static int page_shift_of(struct pw_kernel *k, int *shift)
{
	int64_t n;

	if (pw_number(k->t, "PAGESIZE", &n) != PW_OK)
		return PW_ERR_NOTFOUND;
	for (int s = 12; s <= 16; s += 2) {
		if (n == (int64_t)1 << s) {
			*shift = s;
			return PW_OK;
		}
	}
	return PW_ERR_UNSUPPORTED;
}

static int arm64_open(struct pw_kernel *k, char *why, size_t why_len)
{
	uint64_t va_bits, swapper, voffset, max_pfn, v;
	uint64_t page_offset, page_end, vmemmap_start, vmemmap_end;
	uint64_t modules, modules_end, vmalloc, vmalloc_end, fixaddr_top;
	int64_t fix_end;
	int page_shift, err, va_min;

	if ((err = page_shift_of(k, &page_shift))) {
		snprintf(why, why_len, err == PW_ERR_NOTFOUND ?
			 "no PAGESIZE in VMCOREINFO: cannot tell the page size" :
			 "VMCOREINFO's PAGESIZE is not 4K, 16K or 64K");
		return err;
	}
	if (number_or_var(k, "VA_BITS", "vabits_actual", &va_bits)) {
		snprintf(why, why_len, "no NUMBER(VA_BITS) in VMCOREINFO and no vabits_actual");
		return PW_ERR_NOTFOUND;
	}
	/* With 64K/52 the format stays 52-bit even when TCR_EL1.T1SZ says 48:
	 * see the comment at the top of format_arm64.c. */
	for (size_t i = 0; i < sizeof(arm64_formats) / sizeof(arm64_formats[0]); i++)
		if (arm64_formats[i].page_shift == page_shift &&
		    arm64_formats[i].va_bits == (int)va_bits)
			k->fmt = arm64_formats[i].fmt;
	if (!k->fmt) {
		snprintf(why, why_len, "no arm64 format with %uK pages and %llu-bit VAs",
			 1u << (page_shift - 10), (unsigned long long)va_bits);
		return PW_ERR_UNSUPPORTED;
	}
	k->page_size = 1ULL << page_shift;

	if (pw_symbol(k->t, "swapper_pg_dir", &swapper)) {
		snprintf(why, why_len, "symbol swapper_pg_dir not found: not an arm64 kernel?");
		return PW_ERR_NOTFOUND;
	}
	if (number_or_var(k, "kimage_voffset", "kimage_voffset", &voffset)) {
		snprintf(why, why_len, "cannot read kimage_voffset (VMCOREINFO or variable)");
		return PW_ERR_NOTFOUND;
	}
	k->kernel_root = swapper - voffset;
	if ((err = read_var(k, "max_pfn", 8, &max_pfn))) {
		snprintf(why, why_len, "cannot read max_pfn: %s", pw_strerror(err));
		return err;
	}
	k->mem_end = max_pfn << page_shift;

	/* arch/arm64/include/asm/memory.h (no KASAN: Debian's kernels have none). */
	va_min = va_bits > 48 ? 48 : (int)va_bits;
	page_offset = (uint64_t)0 - (1ULL << va_bits);
	page_end = (uint64_t)0 - (1ULL << (va_min - 1));
	k->arch_val[ARM64_PAGE_OFFSET] = page_offset;
	if (number_or_var(k, "PHYS_OFFSET", "memstart_addr", &v) == PW_OK) {
		k->arch_val[ARM64_PHYS_OFFSET] = v;
		k->arch_val[ARM64_HAVE_PHYS_OFFSET] = 1;
	}
	if (number_or_var(k, "VMEMMAP_START", NULL, &vmemmap_start))
		vmemmap_start = (uint64_t)0 -
			(1ULL << (va_bits - (page_shift - STRUCT_PAGE_MAX_SHIFT)));
	if (number_or_var(k, "VMEMMAP_END", NULL, &vmemmap_end))
		vmemmap_end = vmemmap_start +
			((page_end - page_offset) >> (page_shift - STRUCT_PAGE_MAX_SHIFT));
	if (number_or_var(k, "MODULES_VADDR", NULL, &modules))
		modules = page_end;
	if (number_or_var(k, "MODULES_END", NULL, &modules_end))
		modules_end = modules + SZ_128M;
	if (number_or_var(k, "VMALLOC_START", NULL, &vmalloc))
		vmalloc = modules_end;
	if (number_or_var(k, "VMALLOC_END", NULL, &vmalloc_end))
		vmalloc_end = vmemmap_start - SZ_256M;
	fixaddr_top = vmemmap_start - SZ_32M;

	/* The order of arch/arm64/mm/ptdump.c's address_markers[]. */
	add_marker(k, page_offset, "Linear Mapping start");
	add_marker(k, page_end, "Linear Mapping end");
	add_marker(k, modules, "Modules start");
	add_marker(k, modules_end, "Modules end");
	add_marker(k, vmalloc, "vmalloc() area");
	add_marker(k, vmalloc_end, "vmalloc() end");
	if (pw_number(k->t, "__end_of_permanent_fixed_addresses", &fix_end) == PW_OK)
		add_marker(k, fixaddr_top - ((uint64_t)fix_end << page_shift), "Fixmap start");
	add_marker(k, fixaddr_top, "Fixmap end");
	add_marker(k, vmemmap_start - SZ_8M - SZ_16M, "PCI I/O start");
	add_marker(k, vmemmap_start - SZ_8M, "PCI I/O end");
	add_marker(k, vmemmap_start, "vmemmap start");
	add_marker(k, vmemmap_end, "vmemmap end");

	/* ptdump_check_wx() and the debugfs file: PAGE_OFFSET to ~0UL. */
	k->dump_range[0].start = page_offset;
	k->dump_range[0].end = 0;
	k->ndump_ranges = 1;
	return PW_OK;
}

/*
 * TTBR0 of a task is mm->pgd, a linear-map address: __lm_to_phys(), i.e.
 * (va & ~PAGE_OFFSET) + PHYS_OFFSET, or a walk when PHYS_OFFSET is unknown.
 */
static int arm64_mm_root(struct pw_kernel *k, uint64_t mm, uint64_t pgd_va, uint64_t *root)
{
	(void)mm;
	if (!k->arch_val[ARM64_HAVE_PHYS_OFFSET])
		return pw_kernel_kvtop(k, pgd_va, root);
	*root = (pgd_va & ~k->arch_val[ARM64_PAGE_OFFSET]) + k->arch_val[ARM64_PHYS_OFFSET];
	return PW_OK;
}

/* DEFINE_PER_CPU(struct task_struct *, __entry_task), set at each switch. */
static int arm64_current_task(struct pw_kernel *k, uint64_t cpu, uint64_t *task,
			      char *why, size_t why_len)
{
	uint64_t sym;

	if (pw_symbol(k->t, "__entry_task", &sym)) {
		snprintf(why, why_len, "per-cpu __entry_task not found");
		return PW_ERR_NOTFOUND;
	}
	return pw_kernel_read_percpu(k, sym, cpu, task, why, why_len);
}

const struct pw_arch_layout pw_layout_arm64 = {
	.arch = "arm64",
	.open = arm64_open,
	.mm_root = arm64_mm_root,
	.ptdump_style = &pw_ptdump_style_arm64,
	.task_root_is_user_only = 1,
	.current_task = arm64_current_task,
};
