// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_ptdump_key: the kernel's own ptdump of init_mm, as an answer key.
 *
 *   insmod ptwalk_ptdump_key.ko [pid=PID]
 *   cat /proc/ptwalk_ptdump_kernel     the kernel page tables, as debugfs
 *                                      page_tables/kernel prints them
 *   cat /proc/ptwalk_ptdump_user       the PTI user copy of init_mm's pgd (the
 *                                      same as the kernel's without PTI)
 *   cat /proc/ptwalk_ptdump_task       with pid: that task's mm, as debugfs
 *                                      page_tables/current_kernel prints the
 *                                      reader's own
 *   cat /proc/ptwalk_ptdump_task_user  its PTI user copy (current_user)
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
#include <linux/pid.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/workqueue.h>
#include <asm/pgtable.h>

#include "ptwalk_kmod.h"

static struct mm_struct *kernel_mm;
static struct work_struct *init_free_work;
static int pid;
module_param(pid, int, 0400);
MODULE_PARM_DESC(pid, "a task whose mm /proc/ptwalk_ptdump_task shows");

/*
 * A module's init sections (this one's too) are freed by a work item after
 * insmod has returned (kernel/module/main.c: init_free_wq), and their
 * direct-map aliases are made writable again: the tables change after the
 * guest has printed them unless the print waits for that work.
 */
static void settle(void)
{
	if (init_free_work)
		flush_work(init_free_work);
}

static int show_kernel(struct seq_file *m, void *v)
{
	settle();
	ptdump_walk_pgd_level_debugfs(m, kernel_mm, false);
	return 0;
}

static int show_user(struct seq_file *m, void *v)
{
	settle();
	ptdump_walk_pgd_level_debugfs(m, kernel_mm, true);
	return 0;
}

/* The mm of task pid, referenced (mmput() it), or NULL. */
static struct mm_struct *task_mm(void)
{
	struct pid *p = find_get_pid(pid);
	struct task_struct *task = p ? get_pid_task(p, PIDTYPE_PID) : NULL;
	struct mm_struct *mm = task ? get_task_mm(task) : NULL;

	if (task)
		put_task_struct(task);
	put_pid(p);
	return mm;
}

static int show_task(struct seq_file *m, bool user)
{
	struct mm_struct *mm = task_mm();

	if (!mm)
		return -ESRCH;
	settle();
	ptdump_walk_pgd_level_debugfs(m, mm, user);
	mmput(mm);
	return 0;
}

static int show_task_kernel(struct seq_file *m, void *v)
{
	return show_task(m, false);
}

static int show_task_user(struct seq_file *m, void *v)
{
	return show_task(m, true);
}

static const struct {
	const char *name;
	int (*show)(struct seq_file *m, void *v);
} files[] = {
	{ "ptwalk_ptdump_kernel", show_kernel },
	{ "ptwalk_ptdump_user", show_user },
	{ "ptwalk_ptdump_task", show_task_kernel },
	{ "ptwalk_ptdump_task_user", show_task_user },
};

static int nfiles;

static void remove_files(void)
{
	while (nfiles)
		remove_proc_entry(files[--nfiles].name, NULL);
}

static int __init ptdump_key_init(void)
{
	/* The task files only with a pid. */
	int want = pid ? (int)ARRAY_SIZE(files) : 2;

	kernel_mm = (struct mm_struct *)ptw_symbol("init_mm");
	if (!kernel_mm)
		return -ENOENT;
	init_free_work = (struct work_struct *)ptw_symbol("init_free_wq");
	if (!init_free_work)
		return -ENOENT;
	for (nfiles = 0; nfiles < want; nfiles++) {
		if (!proc_create_single(files[nfiles].name, 0400, NULL, files[nfiles].show)) {
			remove_files();
			return -ENOMEM;
		}
	}
	return 0;
}

static void __exit ptdump_key_exit(void)
{
	remove_files();
}

module_init(ptdump_key_init);
module_exit(ptdump_key_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: the kernel's own ptdump of init_mm and a task's mm, in /proc");
