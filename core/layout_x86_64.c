// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The x86_64 kernel's address-space layout, as the dump tells it at run
 * time (KASLR moves page_offset_base, vmalloc_base, vmemmap_base; the
 * paging mode is chosen at boot).  Constants follow
 * arch/x86/include/asm/pgtable_64_types.h and the marker list follows
 * arch/x86/mm/dump_pagetables.c of Linux 6.1.
 */
#include <stdio.h>
#include <string.h>

#include "ptwalk/arch_x86_64.h"
#include "ptwalk/kernel.h"
#include "ptwalk/ptdump.h"

enum { X86_PHYS_BASE = 0, X86_PAGE_OFFSET = 1 };

#define X86_FEATURE_PTI_WORD 7
#define X86_FEATURE_PTI_BIT 11

static int read_var(struct pw_kernel *k, const char *sym, size_t size,
		    uint64_t *value, char *why, size_t why_len)
{
	uint64_t addr;
	int err = pw_symbol(k->t, sym, &addr);

	if (!err)
		err = pw_read_kvirt_uint(k->t, addr, size, value);
	if (err)
		snprintf(why, why_len, "cannot read %s: %s", sym, pw_strerror(err));
	return err;
}

/* 5-level paging: VMCOREINFO's NUMBER(pgtable_l5_enabled), else the variable. */
static int detect_l5(struct pw_kernel *k, int *l5, char *why, size_t why_len)
{
	int64_t n;
	uint64_t v;
	int err;

	if (pw_number(k->t, "pgtable_l5_enabled", &n) == PW_OK) {
		*l5 = n != 0;
		return PW_OK;
	}
	err = read_var(k, "__pgtable_l5_enabled", 4, &v, why, why_len);
	if (err == PW_ERR_NOTFOUND || err == PW_OK) {
		/* A kernel without CONFIG_X86_5LEVEL has no such variable. */
		*l5 = err == PW_OK && v != 0;
		return PW_OK;
	}
	return err;
}

static int detect_pti(struct pw_kernel *k)
{
	uint64_t cpu, off, word;

	if (pw_symbol(k->t, "boot_cpu_data", &cpu) ||
	    pw_member(k->t, "cpuinfo_x86", "x86_capability", &off) ||
	    pw_read_kvirt_uint(k->t, cpu + off + 4 * X86_FEATURE_PTI_WORD, 4, &word))
		return 0;
	return (word >> X86_FEATURE_PTI_BIT) & 1;
}

static int kernel_has(struct pw_kernel *k, const char *sym)
{
	uint64_t addr;

	return pw_symbol(k->t, sym, &addr) == PW_OK;
}

static void add_marker(struct pw_kernel *k, uint64_t va, const char *name,
		       unsigned max_lines)
{
	if (k->nmarkers < PW_MAX_MARKERS) {
		k->markers[k->nmarkers].va = va;
		k->markers[k->nmarkers].name = name;
		k->markers[k->nmarkers].max_lines = max_lines;
		k->nmarkers++;
	}
}

static int x86_64_open(struct pw_kernel *k, char *why, size_t why_len)
{
	uint64_t phys_base, init_top_pgt, page_offset, vmalloc, vmemmap, max_pfn;
	int64_t n, image_size = 1024 * 1024 * 1024, fix_end;
	int l5, err;
	int pgdir_shift, p4d_shift = 39;

	err = detect_l5(k, &l5, why, why_len);
	if (err)
		return err;
	k->fmt = l5 ? &pw_format_x86_64_5level : &pw_format_x86_64_4level;
	pgdir_shift = l5 ? 48 : 39;

	if (pw_number(k->t, "phys_base", &n) == PW_OK)
		phys_base = (uint64_t)n;
	else if ((err = read_var(k, "phys_base", 8, &phys_base, why, why_len)))
		return err;
	if (pw_symbol(k->t, "init_top_pgt", &init_top_pgt)) {
		snprintf(why, why_len, "symbol init_top_pgt not found: not an x86_64 kernel?");
		return PW_ERR_NOTFOUND;
	}
	k->kernel_root = init_top_pgt - X86_START_KERNEL_MAP + phys_base;
	if ((err = read_var(k, "page_offset_base", 8, &page_offset, why, why_len)) ||
	    (err = read_var(k, "vmalloc_base", 8, &vmalloc, why, why_len)) ||
	    (err = read_var(k, "vmemmap_base", 8, &vmemmap, why, why_len)) ||
	    (err = read_var(k, "max_pfn", 8, &max_pfn, why, why_len)))
		return err;
	k->arch_val[X86_PHYS_BASE] = phys_base;
	k->arch_val[X86_PAGE_OFFSET] = page_offset;
	k->mem_end = max_pfn << 12;
	k->have_direct_map = 1;
	k->direct_map_va = page_offset;
	k->pti = detect_pti(k);
	pw_number(k->t, "KERNEL_IMAGE_SIZE", &image_size);

	/*
	 * The order of arch/x86/mm/dump_pagetables.c's address_markers[].  Three
	 * are there only with a config option, told here by a symbol it builds
	 * in (Debian's cloud kernels have no ESPfix); KASAN's are not known.
	 */
	add_marker(k, 0, "User Space", 0);
	add_marker(k, 1ULL << 63, "Kernel Space", 0);
	if (kernel_has(k, "ldt_dup_context")) /* CONFIG_MODIFY_LDT_SYSCALL */
		add_marker(k, (uint64_t)-240 << pgdir_shift, "LDT remap", 0);
	add_marker(k, page_offset, "Low Kernel Mapping", 0);
	add_marker(k, vmalloc, "vmalloc() Area", 0);
	add_marker(k, vmemmap, "Vmemmap", 0);
	add_marker(k, (uint64_t)-4 << p4d_shift, "CPU entry Area", 0);
	if (kernel_has(k, "init_espfix_ap")) /* CONFIG_X86_ESPFIX64 */
		add_marker(k, (uint64_t)-2 << p4d_shift, "ESPfix Area", 16);
	if (kernel_has(k, "efi_mm")) /* CONFIG_EFI */
		add_marker(k, (uint64_t)(-68LL * (1LL << 30)), "EFI Runtime Services", 0);
	add_marker(k, X86_START_KERNEL_MAP, "High Kernel Mapping", 0);
	add_marker(k, X86_START_KERNEL_MAP + (uint64_t)image_size, "Modules", 0);
	add_marker(k, 0xffffffffff000000ULL, "End Modules", 0);
	if (pw_number(k->t, "__end_of_permanent_fixed_addresses", &fix_end) == PW_OK) {
		/* FIXADDR_TOP = round_up(VSYSCALL_ADDR + PAGE_SIZE, PMD_SIZE) - PAGE_SIZE */
		uint64_t fixaddr_top = 0xffffffffff800000ULL - 4096;

		add_marker(k, fixaddr_top - ((uint64_t)fix_end << 12), "Fixmap Area", 0);
	}

	/* ptdump_walk_pgd_level_core(): user half, then from the guard hole's end. */
	k->dump_range[0].start = 0;
	k->dump_range[0].end = 1ULL << (pgdir_shift + 9 - 1);
	k->dump_range[1].start = ((uint64_t)-256 << pgdir_shift) + (16ULL << pgdir_shift);
	k->dump_range[1].end = 0;
	k->ndump_ranges = 2;
	return PW_OK;
}

/* The root is CR3's table: mm->pgd, a direct-map address. */
static int x86_64_mm_root(struct pw_kernel *k, uint64_t mm, uint64_t pgd_va, uint64_t *root)
{
	(void)mm;
	return pw_kernel_kvtop(k, pgd_va, root);
}

static int x86_64_user_root(struct pw_kernel *k, uint64_t root, uint64_t *user)
{
	if (!k->pti)
		return PW_ERR_UNSUPPORTED;
	*user = root + X86_PTI_USER_PGD_OFFSET;
	return PW_OK;
}

/* 6.1: DECLARE_PER_CPU(struct task_struct *, current_task);
 * 6.2+: struct pcpu_hot pcpu_hot with member current_task. */
static int x86_64_current_task(struct pw_kernel *k, uint64_t cpu, uint64_t *task,
			       char *why, size_t why_len)
{
	uint64_t sym, member;

	if (pw_symbol(k->t, "current_task", &sym)) {
		if (pw_symbol(k->t, "pcpu_hot", &sym) ||
		    pw_member(k->t, "pcpu_hot", "current_task", &member)) {
			snprintf(why, why_len, "neither current_task nor pcpu_hot.current_task is known");
			return PW_ERR_NOTFOUND;
		}
		sym += member;
	}
	return pw_kernel_read_percpu(k, sym, cpu, task, why, why_len);
}

const struct pw_arch_layout pw_layout_x86_64 = {
	.arch = "x86_64",
	.open = x86_64_open,
	.mm_root = x86_64_mm_root,
	.user_root = x86_64_user_root,
	.ptdump_style = &pw_ptdump_style_x86_64,
	.current_task = x86_64_current_task,
};
