// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_stale_table: plant a stale kernel page table, then panic.
 *
 *   insmod ptwalk_stale_table.ko [drain=1] [panic_after=1]
 *
 * 1. vmalloc()s 4 MiB and writes it, so init_mm gets PTE tables for it; one 2 MiB
 *    block of it is PMD-aligned, so its PTE table maps only this area.
 * 2. Walks init_mm from the pgd to that block's PMD entry (4 or 5 levels).
 * 3. Frees the PTE table page (free_page() of the page the PMD points to) while the
 *    PMD still points to it.  With drain=1 it then calls drain_local_pages(NULL)
 *    (unexported: found with kallsyms_lookup_name through a kprobe) so the page
 *    leaves the per-cpu free list for the buddy allocator.
 * 4. Reads the page back (refcount, PageBuddy, the buddy block that holds it) and
 *    prints everything as PTWALK_KEY stale.* lines.
 * 5. panic("ptwalk: stale table planted") (panic_after=0: returns instead).
 */
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#include "ptwalk_kmod.h"

static int drain = 1;
module_param(drain, int, 0444);
MODULE_PARM_DESC(drain, "drain the per-cpu free lists after freeing the table (default 1)");
static int panic_after = 1;
module_param(panic_after, int, 0444);
MODULE_PARM_DESC(panic_after, "panic when done (default 1)");

#define AREA_SIZE (4UL << 20)

static void entry_key(const char *level, void *entry, unsigned long value)
{
	PTW_KEY("stale.%s.entry_phys=0x%llx", level, (unsigned long long)virt_to_phys(entry));
	PTW_KEY("stale.%s.entry=0x%lx", level, value);
}

/* The free block of the buddy allocator that holds pfn, if any (order, head pfn). */
static int buddy_block(unsigned long pfn, unsigned long *head_pfn)
{
	unsigned int order;

	for (order = 0; order < MAX_ORDER; order++) {
		unsigned long h = pfn & ~((1UL << order) - 1);
		struct page *hp = pfn_to_page(h);

		if (PageBuddy(hp) && page_private(hp) >= order) {
			*head_pfn = h;
			return page_private(hp);
		}
	}
	return -1;
}

static int __init ptwalk_stale_table_init(void)
{
	struct mm_struct *mm = (struct mm_struct *)ptw_symbol("init_mm");
	void (*drain_local)(struct zone *) = (void *)ptw_symbol("drain_local_pages");
	unsigned long area, va, tpfn, head_pfn = 0, i, present = 0;
	pgd_t *pgd; p4d_t *p4d; pud_t *pud; pmd_t *pmd;
	pte_t *table;
	struct page *tpage;
	int order;

	if (!mm)
		return -ENOENT;
	area = (unsigned long)vmalloc(AREA_SIZE);
	if (!area)
		return -ENOMEM;
	for (i = 0; i < AREA_SIZE; i += PAGE_SIZE)
		snprintf((char *)area + i, 64, "PTWALK stale-table area page %lu va=0x%lx", i / PAGE_SIZE, area + i);
	va = ALIGN(area, PMD_SIZE);

	pgd = pgd_offset_pgd(mm->pgd, va);
	p4d = p4d_offset(pgd, va);
	pud = pud_offset(p4d, va);
	pmd = pmd_offset(pud, va);
	if (!pmd_present(*pmd) || pmd_large(*pmd)) {
		PTW_KEY("stale.error=pmd 0x%lx of va 0x%lx is not a table", pmd_val(*pmd), va);
		return -EINVAL;
	}
	tpfn = pmd_pfn(*pmd);
	tpage = pfn_to_page(tpfn);
	table = (pte_t *)pmd_page_vaddr(*pmd);
	for (i = 0; i < PTRS_PER_PTE; i++)
		present += !!pte_present(table[i]);

	PTW_KEY("stale.paging_levels=%d", pgtable_l5_enabled() ? 5 : 4);
	PTW_KEY("stale.vmalloc.start=0x%lx", area);
	PTW_KEY("stale.vmalloc.end=0x%lx", area + AREA_SIZE);
	PTW_KEY("stale.va_start=0x%lx", va);
	PTW_KEY("stale.va_end=0x%lx", va + PMD_SIZE);
	PTW_KEY("stale.init_mm.pgd=0x%lx", (unsigned long)mm->pgd);
	PTW_KEY("stale.init_mm.pgd_phys=0x%llx", (unsigned long long)virt_to_phys(mm->pgd));
	entry_key("pgd", pgd, pgd_val(*pgd));
	if (pgtable_l5_enabled())
		entry_key("p4d", p4d, p4d_val(*p4d));
	entry_key("pud", pud, pud_val(*pud));
	entry_key("pmd", pmd, pmd_val(*pmd));
	PTW_KEY("stale.table.pfn=0x%lx", tpfn);
	PTW_KEY("stale.table.phys=0x%lx", tpfn << PAGE_SHIFT);
	PTW_KEY("stale.table.present_ptes=%lu", present);
	PTW_KEY("stale.table.pte0=0x%lx", pte_val(table[0]));
	PTW_KEY("stale.table.pte0_pfn=0x%lx", pte_pfn(table[0]));
	PTW_KEY("stale.table.pte511=0x%lx", pte_val(table[PTRS_PER_PTE - 1]));
	PTW_KEY("stale.table.before.refcount=%d", page_ref_count(tpage));
	PTW_KEY("stale.table.before.flags=0x%lx", tpage->flags);
	PTW_KEY("stale.table.before.page_type=0x%x", tpage->page_type);
	PTW_KEY("stale.table.struct_page=0x%lx", (unsigned long)tpage);

	/* The PMD keeps pointing to the table: it is stale from here on. */
	free_page((unsigned long)table);
	if (drain && drain_local) {
		drain_local(NULL);
		PTW_KEY("stale.table.drain=drain_local_pages");
	} else {
		PTW_KEY("stale.table.drain=none");
	}
	order = buddy_block(tpfn, &head_pfn);
	PTW_KEY("stale.table.refcount=%d", page_ref_count(tpage));
	PTW_KEY("stale.table.flags=0x%lx", tpage->flags);
	PTW_KEY("stale.table.page_type=0x%x", tpage->page_type);
	PTW_KEY("stale.table.page_buddy=%d", PageBuddy(tpage) ? 1 : 0);
	PTW_KEY("stale.table.in_buddy=%d", order >= 0);
	if (order >= 0) {
		PTW_KEY("stale.table.buddy_head_pfn=0x%lx", head_pfn);
		PTW_KEY("stale.table.buddy_order=%d", order);
		PTW_KEY("stale.table.state=buddy");
	} else {
		PTW_KEY("stale.table.state=%s", page_ref_count(tpage) ? "allocated" : "pcp");
	}
	PTW_KEY("stale.table.pte0_after=0x%lx", pte_val(table[0]));
	PTW_KEY("stale.pmd.entry_after=0x%lx", pmd_val(*pmd));
	PTW_KEY("stale.done=1");
	if (panic_after)
		panic("ptwalk: stale table planted");
	return 0;
}

static void __exit ptwalk_stale_table_exit(void)
{
}

module_init(ptwalk_stale_table_init);
module_exit(ptwalk_stale_table_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: free a kernel PTE table that a PMD still points to");
