// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_directmap: take a page out of the direct map, then touch it (oops).
 *
 *   insmod ptwalk_directmap.ko          (boot with oops=panic)
 *
 * 1. Allocates 2 MiB blocks (order 9) until one is mapped by a 2M (or 1G) entry of the
 *    direct map (the blocks tried before it are freed again), takes page 0x123 of it
 *    (so the split leaves present neighbours on both sides), and writes a text into it
 *    through the direct map.  Without such a block, a single page (no split).
 * 2. set_direct_map_invalid_noflush(page) (unexported: found with
 *    kallsyms_lookup_name through a kprobe) clears _PAGE_PRESENT and _PAGE_RW of
 *    its direct-map entry, splitting a 1G/2M mapping down to 4K; then
 *    flush_tlb_kernel_range() (also unexported) for that page.
 * 3. Prints the page and the walk of its direct-map address in init_mm before and
 *    after, as PTWALK_KEY dmap.* lines.
 * 4. Reads the page through the direct map: a not-present page fault in kernel
 *    mode at exactly dmap.va.
 */
#include <linux/init.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#include "ptwalk_kmod.h"

static const char *level_name(unsigned int level)
{
	switch (level) {
	case PG_LEVEL_4K: return "4K";
	case PG_LEVEL_2M: return "2M";
	case PG_LEVEL_1G: return "1G";
	}
	return "other";
}

/* Walk init_mm down to the leaf of va; print every entry (phys address and value). */
static void walk_keys(struct mm_struct *mm, const char *when, unsigned long va)
{
	pgd_t *pgd = pgd_offset_pgd(mm->pgd, va);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

#define ENTRY(lvl, p, v) do { \
	PTW_KEY("dmap.%s.%s.entry_phys=0x%llx", when, lvl, (unsigned long long)virt_to_phys(p)); \
	PTW_KEY("dmap.%s.%s.entry=0x%lx", when, lvl, (unsigned long)(v)); \
} while (0)
	ENTRY("pgd", pgd, pgd_val(*pgd));
	p4d = p4d_offset(pgd, va);
	if (pgtable_l5_enabled())
		ENTRY("p4d", p4d, p4d_val(*p4d));
	pud = pud_offset(p4d, va);
	ENTRY("pud", pud, pud_val(*pud));
	if (pud_large(*pud) || !pud_present(*pud)) {
		PTW_KEY("dmap.%s.leaf=pud", when);
		return;
	}
	pmd = pmd_offset(pud, va);
	ENTRY("pmd", pmd, pmd_val(*pmd));
	if (pmd_large(*pmd) || !pmd_present(*pmd)) {
		PTW_KEY("dmap.%s.leaf=pmd", when);
		return;
	}
	pte = pte_offset_kernel(pmd, va);
	ENTRY("pte", pte, pte_val(*pte));
	PTW_KEY("dmap.%s.leaf=pte", when);
	PTW_KEY("dmap.%s.pte_table_pfn=0x%lx", when, pmd_pfn(*pmd));
#undef ENTRY
}

static int __init ptwalk_directmap_init(void)
{
	struct mm_struct *mm = (struct mm_struct *)ptw_symbol("init_mm");
	int (*invalid)(struct page *) = (void *)ptw_symbol("set_direct_map_invalid_noflush");
	void (*flush)(unsigned long, unsigned long) = (void *)ptw_symbol("flush_tlb_kernel_range");
	unsigned int level_before, level_after, level;
	struct page *page = NULL, *block, *tried[64];
	unsigned long va;
	int rc, ntried = 0, i;
	pte_t *e;

	if (!mm || !invalid || !flush)
		return -ENOENT;
	while (ntried < ARRAY_SIZE(tried)) {
		block = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PMD_SHIFT - PAGE_SHIFT);
		if (!block)
			break;
		if (lookup_address((unsigned long)page_address(block), &level) && level >= PG_LEVEL_2M) {
			page = block + 0x123;
			break;
		}
		tried[ntried++] = block;
	}
	for (i = 0; i < ntried; i++)
		__free_pages(tried[i], PMD_SHIFT - PAGE_SHIFT);
	PTW_KEY("dmap.blocks_tried=%d", ntried + (page != NULL));
	if (!page) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
	}
	va = (unsigned long)page_address(page);
	snprintf((char *)va, 64, "PTWALK directmap page pfn=0x%lx", page_to_pfn(page));

	e = lookup_address(va, &level_before);
	PTW_KEY("dmap.paging_levels=%d", pgtable_l5_enabled() ? 5 : 4);
	PTW_KEY("dmap.page_offset_base=0x%lx", (unsigned long)PAGE_OFFSET);
	PTW_KEY("dmap.pfn=0x%lx", page_to_pfn(page));
	PTW_KEY("dmap.phys=0x%llx", (unsigned long long)page_to_phys(page));
	PTW_KEY("dmap.va=0x%lx", va);
	PTW_KEY("dmap.struct_page=0x%lx", (unsigned long)page);
	PTW_KEY("dmap.header=PTWALK directmap page pfn=0x%lx", page_to_pfn(page));
	PTW_KEY("dmap.before.level=%s", level_name(level_before));
	PTW_KEY("dmap.before.leaf_entry=0x%lx", e ? pte_val(*e) : 0UL);
	walk_keys(mm, "before", va);

	rc = invalid(page);
	flush(va, va + PAGE_SIZE);
	PTW_KEY("dmap.set_direct_map_invalid_noflush=%d", rc);

	e = lookup_address(va, &level_after);
	PTW_KEY("dmap.after.level=%s", level_name(level_after));
	PTW_KEY("dmap.after.leaf_entry=0x%lx", e ? pte_val(*e) : 0UL);
	PTW_KEY("dmap.after.leaf_entry_phys=0x%llx", e ? (unsigned long long)virt_to_phys(e) : 0ULL);
	PTW_KEY("dmap.after.leaf_present=%d", e ? !!(pte_flags(*e) & _PAGE_PRESENT) : -1);
	/* Not-present entries with a pfn store it inverted (L1TF, __pte_needs_invert()). */
	PTW_KEY("dmap.after.leaf_pfn_inverted=%d", e ? __pte_needs_invert(pte_val(*e)) : -1);
	PTW_KEY("dmap.after.leaf_pfn=0x%lx", e ? pte_pfn(*e) : 0UL);
	walk_keys(mm, "after", va);
	PTW_KEY("dmap.split=%d", level_before != level_after);
	PTW_KEY("dmap.expected_fault=0x%lx", va);
	PTW_KEY("dmap.done=1");

	/* Not present in the direct map: this load oopses (oops=panic makes it a panic). */
	PTW_NOTE("read 0x%lx", READ_ONCE(*(volatile unsigned long *)va));
	return -EFAULT;
}

static void __exit ptwalk_directmap_exit(void)
{
}

module_init(ptwalk_directmap_init);
module_exit(ptwalk_directmap_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: a page taken out of the direct map, then read");
