// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_user_fault: a kernel page fault on a user address of the current task.
 *
 *   insmod ptwalk_user_fault.ko          (boot with oops=panic)
 *   echo "FAULT_VA NEIGHBOUR_VA" > /proc/ptwalk_user_fault
 *
 * The writer (ptwalk-ufault, in this directory) maps pages, writes some, unmaps one
 * and writes the two addresses here.  In the writer's own context the module
 * 1. prints the task (pid, comm, task_struct, mm, pgd) as PTWALK_KEY ufault.* lines;
 * 2. walks both addresses through the task's own page tables with pgd_offset(),
 *    p4d_offset(), pud_offset(), pmd_offset(), pte_offset_map(), printing every
 *    entry (physical address and value) and where the walk stops and why (none, not
 *    present, leaf), and for the neighbour its pfn and the text at its start (read
 *    through the direct map);
 * 3. reads the fault address directly, without uaccess: the kernel oopses with
 *    "BUG: unable to handle page fault for address: <FAULT_VA>" in the writer's
 *    context, and oops=panic makes that the panic.
 */
#include <linux/init.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <asm/io.h>

#include "ptwalk_kmod.h"

/*
 * Walk va in mm; print ufault.<what>.<level>.entry_phys/.entry for every entry read,
 * then .stop (the last level read), .stop_reason (none, not-present, leaf) and for a
 * present 4K leaf .pfn.  Returns the pfn of a present 4K leaf, or 0.
 */
static unsigned long walk_keys(struct mm_struct *mm, const char *what, unsigned long va)
{
	const char *stop, *reason;
	unsigned long pfn = 0;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte, ptev;

#define ENTRY(lvl, p, v) do { \
	PTW_KEY("ufault.%s.%s.entry_phys=0x%llx", what, lvl, (unsigned long long)virt_to_phys(p)); \
	PTW_KEY("ufault.%s.%s.entry=0x%lx", what, lvl, (unsigned long)(v)); \
} while (0)
	pgd = pgd_offset(mm, va);
	ENTRY("pgd", pgd, pgd_val(*pgd));
	stop = "pgd";
	if (pgd_none(*pgd) || !pgd_present(*pgd)) {
		reason = pgd_none(*pgd) ? "none" : "not-present";
		goto out;
	}
	p4d = p4d_offset(pgd, va);
	if (pgtable_l5_enabled()) {
		ENTRY("p4d", p4d, p4d_val(*p4d));
		stop = "p4d";
		if (p4d_none(*p4d) || !p4d_present(*p4d)) {
			reason = p4d_none(*p4d) ? "none" : "not-present";
			goto out;
		}
	}
	pud = pud_offset(p4d, va);
	ENTRY("pud", pud, pud_val(*pud));
	stop = "pud";
	if (pud_none(*pud) || !pud_present(*pud)) {
		reason = pud_none(*pud) ? "none" : "not-present";
		goto out;
	}
	if (pud_large(*pud)) {
		reason = "leaf";
		goto out;
	}
	pmd = pmd_offset(pud, va);
	ENTRY("pmd", pmd, pmd_val(*pmd));
	stop = "pmd";
	if (pmd_none(*pmd) || !pmd_present(*pmd)) {
		reason = pmd_none(*pmd) ? "none" : "not-present";
		goto out;
	}
	if (pmd_large(*pmd)) {
		reason = "leaf";
		goto out;
	}
	PTW_KEY("ufault.%s.pte_table_pfn=0x%lx", what, pmd_pfn(*pmd));
	pte = pte_offset_map(pmd, va);
	ptev = *pte;
	ENTRY("pte", pte, pte_val(ptev));
	pte_unmap(pte);
	stop = "pte";
	if (pte_none(ptev)) {
		reason = "none";
	} else if (!(pte_flags(ptev) & _PAGE_PRESENT)) {
		reason = "not-present";
	} else {
		reason = "leaf";
		pfn = pte_pfn(ptev);
		PTW_KEY("ufault.%s.pfn=0x%lx", what, pfn);
		PTW_KEY("ufault.%s.phys=0x%llx", what, (unsigned long long)pfn << PAGE_SHIFT);
	}
out:
	PTW_KEY("ufault.%s.stop=%s", what, stop);
	PTW_KEY("ufault.%s.stop_reason=%s", what, reason);
	return pfn;
#undef ENTRY
}

static ssize_t ufault_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct mm_struct *mm = current->mm;
	unsigned long va, nb, pfn;
	char buf[64], text[48];
	size_t i;

	if (!mm || len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%lx %lx", &va, &nb) != 2)
		return -EINVAL;

	PTW_KEY("ufault.pid=%d", task_pid_nr(current));
	PTW_KEY("ufault.tgid=%d", task_tgid_nr(current));
	PTW_KEY("ufault.comm=%s", current->comm);
	PTW_KEY("ufault.task=0x%lx", (unsigned long)current);
	PTW_KEY("ufault.mm=0x%lx", (unsigned long)mm);
	PTW_KEY("ufault.pgd=0x%lx", (unsigned long)mm->pgd);
	PTW_KEY("ufault.pgd_phys=0x%llx", (unsigned long long)virt_to_phys(mm->pgd));
	PTW_KEY("ufault.paging_levels=%d", pgtable_l5_enabled() ? 5 : 4);
	PTW_KEY("ufault.addr=0x%lx", va);
	PTW_KEY("ufault.neighbour_va=0x%lx", nb);

	mmap_read_lock(mm);
	PTW_KEY("ufault.fault.vma=%d", vma_lookup(mm, va) ? 1 : 0);
	walk_keys(mm, "fault", va);
	PTW_KEY("ufault.neighbour.vma=%d", vma_lookup(mm, nb) ? 1 : 0);
	pfn = walk_keys(mm, "neighbour", nb);
	if (pfn && pfn_valid(pfn)) {
		/* The neighbour's first line, read through the direct map. */
		memcpy(text, page_address(pfn_to_page(pfn)), sizeof(text) - 1);
		text[sizeof(text) - 1] = 0;
		for (i = 0; text[i]; i++)
			if (text[i] == '\n' || text[i] < 0x20 || text[i] > 0x7e) {
				text[i] = 0;
				break;
			}
		PTW_KEY("ufault.neighbour.header=%s", text);
	}
	mmap_read_unlock(mm);
	PTW_KEY("ufault.expected_fault=0x%lx", va);
	PTW_KEY("ufault.done=1");

	/* A user address read directly, not through uaccess: no fixup, an oops. */
	PTW_NOTE("read 0x%lx", READ_ONCE(*(volatile unsigned long *)va));
	return len;
}

static const struct proc_ops ufault_ops = {
	.proc_write = ufault_write,
};

static int __init ptwalk_user_fault_init(void)
{
	if (!proc_create("ptwalk_user_fault", 0200, NULL, &ufault_ops))
		return -ENOMEM;
	return 0;
}

static void __exit ptwalk_user_fault_exit(void)
{
	remove_proc_entry("ptwalk_user_fault", NULL);
}

module_init(ptwalk_user_fault_init);
module_exit(ptwalk_user_fault_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: a kernel read of an unmapped user address");
