// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_poison: reproduce the signature of the 2019 /proc/kpageflags crash on
 * ZONE_DEVICE memory with an altmap (Linux 6.1, no CONFIG_DEBUG_VM).
 *
 *   insmod ptwalk_poison.ko pfn=0x10000
 *
 * 1. get_dev_pagemap(pfn) finds the pgmap; its never-initialized struct pages are
 *    those of [range start, range start + altmap reserve) (memmap_init_range() skips
 *    them, memmap_init_zone_device() starts after the altmap).
 * 2. It does to them what CONFIG_DEBUG_VM's page_init_poison() does: memset 0xff.
 * 3. It prints their pfns and struct page addresses as PTWALK_KEY poison.* lines.
 * 4. It reads the first one the way the old stable_page_flags() did: compound_head()
 *    (bit 0 of the all-ones word is set, so head = ~0 - 1), then the head's flags.
 *    The load faults at 0xfffffffffffffffe; with oops=panic the kernel panics.
 */
#include <linux/init.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/io.h>

#include "ptwalk_kmod.h"

static unsigned long pfn;
module_param(pfn, ulong, 0444);
MODULE_PARM_DESC(pfn, "a pfn inside the ZONE_DEVICE range");

/* What stable_page_flags() did before the fix: compound_head(), then head->flags. */
static noinline u64 old_stable_page_flags(struct page *page)
{
	struct page *head = compound_head(page);

	return READ_ONCE(head->flags);
}

static int __init ptwalk_poison_init(void)
{
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);
	struct vmem_altmap *altmap;
	unsigned long start, nr, i;
	struct page *page;
	char list[256];
	int len = 0;
	u64 flags;

	if (!pgmap) {
		PTW_KEY("poison.error=no pgmap for pfn 0x%lx", pfn);
		return -ENODEV;
	}
	altmap = pgmap_altmap(pgmap);
	start = PHYS_PFN(pgmap->range.start);
	if (!altmap || altmap->base_pfn != start || !altmap->reserve) {
		PTW_KEY("poison.error=pgmap 0x%lx has no altmap reserve at its start", (unsigned long)pgmap);
		put_dev_pagemap(pgmap);
		return -EINVAL;
	}
	nr = altmap->reserve;
	PTW_KEY("poison.pgmap=0x%lx", (unsigned long)pgmap);
	PTW_KEY("poison.count=%lu", nr);
	PTW_KEY("poison.pattern=0xff");
	PTW_KEY("poison.struct_page_size=%zu", sizeof(struct page));
	for (i = 0; i < nr; i++) {
		page = pfn_to_page(start + i);
		memset(page, 0xff, sizeof(*page)); /* page_init_poison() */
		PTW_KEY("poison.page.%lu.pfn=0x%lx", i, start + i);
		PTW_KEY("poison.page.%lu.addr=0x%lx", i, (unsigned long)page);
		PTW_KEY("poison.page.%lu.phys=0x%llx", i, (unsigned long long)slow_virt_to_phys(page));
		len += scnprintf(list + len, sizeof(list) - len, "%s0x%lx", i ? " " : "", start + i);
	}
	PTW_KEY("poison.pfns=%s", list);
	page = pfn_to_page(start);
	PTW_KEY("poison.read.pfn=0x%lx", start);
	PTW_KEY("poison.read.page=0x%lx", (unsigned long)page);
	PTW_KEY("poison.read.compound_head=0x%lx", READ_ONCE(page->compound_head));
	PTW_KEY("poison.expected_fault=0x%lx", READ_ONCE(page->compound_head) - 1);
	PTW_KEY("poison.read.function=old_stable_page_flags");
	PTW_KEY("poison.done=1");
	/* The pgmap reference is kept: the read below does not come back. */
	flags = old_stable_page_flags(page);
	PTW_NOTE("read flags 0x%llx without a fault?", (unsigned long long)flags);
	put_dev_pagemap(pgmap);
	return -EFAULT;
}

static void __exit ptwalk_poison_exit(void)
{
}

module_init(ptwalk_poison_init);
module_exit(ptwalk_poison_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: poison never-initialized altmap struct pages and read one");
