// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_ptdump_key_arm64: the arm64 kernel's own ptdump of init_mm, as an answer key.
 *
 *   insmod ptwalk_ptdump_key_arm64.ko link_ptdump_walk=A link_ptdump_walk_pgd=B \
 *          link_init_mm=C link_init_free_wq=D
 *   cat /proc/ptwalk_ptdump_kernel     the kernel page tables, as debugfs
 *                                      kernel_page_tables prints them
 *
 * Debian's arm64 kernel has CONFIG_PTDUMP_CORE (for DEBUG_WX) but not
 * CONFIG_PTDUMP_DEBUGFS: ptdump_walk(), the function behind that debugfs file,
 * is built in but not exported, and the compiler dropped the unused
 * kernel_ptdump_info and its address_markers.  So this module
 *   - finds ptdump_walk through kallsyms (a kprobe on kallsyms_lookup_name);
 *   - gets init_mm and init_free_wq, variables that arm64's kallsyms lacks (no
 *     KALLSYMS_ALL), from their link-time addresses in the -dbg System.map,
 *     passed by the host, moved by the KASLR offset that ptdump_walk's runtime
 *     address less its link-time one gives (ptdump_walk_pgd must agree: the
 *     System.map is this kernel's);
 *   - builds the markers as arch/arm64/mm/ptdump.c of this kernel (6.1) does,
 *     from the same macros of the same headers, KASAN off as in Debian.
 * The guest prints the file on the console right before it panics; the host
 * compares ptwalk's ptdump of the dump with it (tests/integration).
 */
#include <linux/build_bug.h>
#include <linux/init.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <asm/fixmap.h>
#include <asm/memory.h>
#include <asm/pgtable.h>
#include <asm/ptdump.h>

#include "ptwalk_kmod.h"

#if !defined(CONFIG_PTDUMP_CORE) || defined(CONFIG_KASAN_GENERIC) || defined(CONFIG_KASAN_SW_TAGS)
#error "made for a kernel with CONFIG_PTDUMP_CORE and without KASAN (Debian's arm64 6.1)"
#endif

static unsigned long link_ptdump_walk, link_ptdump_walk_pgd, link_init_mm, link_init_free_wq;
module_param(link_ptdump_walk, ulong, 0400);
MODULE_PARM_DESC(link_ptdump_walk, "ptdump_walk's address in System.map");
module_param(link_ptdump_walk_pgd, ulong, 0400);
MODULE_PARM_DESC(link_ptdump_walk_pgd, "ptdump_walk_pgd's address in System.map");
module_param(link_init_mm, ulong, 0400);
MODULE_PARM_DESC(link_init_mm, "init_mm's address in System.map");
module_param(link_init_free_wq, ulong, 0400);
MODULE_PARM_DESC(link_init_free_wq, "init_free_wq's address in System.map");

/* arch/arm64/mm/ptdump.c (6.1): address_markers[], filled at init (set_markers()). */
static struct addr_marker markers[13];

static struct ptdump_info info;
static void (*walk)(struct seq_file *s, struct ptdump_info *info);
static struct work_struct *init_free_work;

static int show_kernel(struct seq_file *m, void *v)
{
	/*
	 * A module's init sections (this one's too) are freed by a work item
	 * after insmod has returned (kernel/module/main.c: init_free_wq): wait
	 * for it, or the tables change after the guest has printed them.
	 */
	flush_work(init_free_work);
	walk(m, &info);
	return 0;
}

/*
 * The kernel's list, in its order, from the same macros (most of them read
 * variables, hence at run time).
 */
static void set_markers(void)
{
	const struct addr_marker kernel_markers[] = {
		{ PAGE_OFFSET, "Linear Mapping start" },
		{ PAGE_END, "Linear Mapping end" },
		{ MODULES_VADDR, "Modules start" },
		{ MODULES_END, "Modules end" },
		{ VMALLOC_START, "vmalloc() area" },
		{ VMALLOC_END, "vmalloc() end" },
		{ FIXADDR_START, "Fixmap start" },
		{ FIXADDR_TOP, "Fixmap end" },
		{ PCI_IO_START, "PCI I/O start" },
		{ PCI_IO_END, "PCI I/O end" },
		{ VMEMMAP_START, "vmemmap start" },
		{ VMEMMAP_START + VMEMMAP_SIZE, "vmemmap end" },
		{ -1, NULL },
	};

	BUILD_BUG_ON(sizeof(kernel_markers) != sizeof(markers));
	memcpy(markers, kernel_markers, sizeof(markers));
}

static int __init ptdump_key_init(void)
{
	unsigned long at = ptw_symbol("ptdump_walk"), pgd_at = ptw_symbol("ptdump_walk_pgd");
	unsigned long slide;

	if (!at || !pgd_at || !link_ptdump_walk || !link_ptdump_walk_pgd || !link_init_mm ||
	    !link_init_free_wq) {
		PTW_NOTE("ptwalk_ptdump_key_arm64: needs ptdump_walk{,_pgd} in kallsyms and every link_* parameter");
		return -EINVAL;
	}
	slide = at - link_ptdump_walk;
	if (pgd_at - link_ptdump_walk_pgd != slide) {
		PTW_NOTE("ptwalk_ptdump_key_arm64: the System.map given is not this kernel's");
		return -EINVAL;
	}
	walk = (void *)at;
	info.mm = (struct mm_struct *)(link_init_mm + slide);
	init_free_work = (struct work_struct *)(link_init_free_wq + slide);
	set_markers();
	info.markers = markers;
	info.base_addr = PAGE_OFFSET;
	if (!proc_create_single("ptwalk_ptdump_kernel", 0400, NULL, show_kernel))
		return -ENOMEM;
	return 0;
}

static void __exit ptdump_key_exit(void)
{
	remove_proc_entry("ptwalk_ptdump_kernel", NULL);
}

module_init(ptdump_key_init);
module_exit(ptdump_key_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: the arm64 kernel's own ptdump of init_mm, in /proc");
