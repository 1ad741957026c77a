// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_ptdump_key: the kernel's own ptdump of init_mm, as an answer key.
 *
 *   insmod ptwalk_ptdump_key.ko
 *   cat /proc/ptwalk_ptdump_kernel     the kernel page tables, as debugfs
 *                                      page_tables/kernel prints them
 *   cat /proc/ptwalk_ptdump_user       the PTI user copy of init_mm's pgd (the
 *                                      same as the kernel's without PTI)
 *
 * Debian's kernels have no CONFIG_PTDUMP_DEBUGFS, but they export the function
 * behind those debugfs files, ptdump_walk_pgd_level_debugfs() (x86).  init_mm is
 * not exported: kallsyms_lookup_name through a kprobe finds it.  The guest prints
 * the files on the console right before it panics, so the host can compare ptwalk's
 * ptdump of the dump with what the kernel itself printed (tests/integration).
 */
#include <linux/init.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <asm/pgtable.h>

#include "ptwalk_kmod.h"

static struct mm_struct *kernel_mm;

static int show_kernel(struct seq_file *m, void *v)
{
	ptdump_walk_pgd_level_debugfs(m, kernel_mm, false);
	return 0;
}

static int show_user(struct seq_file *m, void *v)
{
	ptdump_walk_pgd_level_debugfs(m, kernel_mm, true);
	return 0;
}

static int __init ptdump_key_init(void)
{
	kernel_mm = (struct mm_struct *)ptw_symbol("init_mm");
	if (!kernel_mm)
		return -ENOENT;
	if (!proc_create_single("ptwalk_ptdump_kernel", 0400, NULL, show_kernel))
		return -ENOMEM;
	if (!proc_create_single("ptwalk_ptdump_user", 0400, NULL, show_user)) {
		remove_proc_entry("ptwalk_ptdump_kernel", NULL);
		return -ENOMEM;
	}
	return 0;
}

static void __exit ptdump_key_exit(void)
{
	remove_proc_entry("ptwalk_ptdump_user", NULL);
	remove_proc_entry("ptwalk_ptdump_kernel", NULL);
}

module_init(ptdump_key_init);
module_exit(ptdump_key_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: the kernel's own ptdump of init_mm, in /proc");
