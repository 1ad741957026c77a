// SPDX-License-Identifier: GPL-2.0
/*
 * ptwalk_pgmap_key: print the answer key of a ZONE_DEVICE pgmap.
 *
 *   insmod ptwalk_pgmap_key.ko pfn=0x10000 [prefix=pgmap] [raw_pgmap=0x...]
 *
 * get_dev_pagemap(pfn, NULL) finds the struct dev_pagemap that owns pfn (the same
 * lookup in pgmap_array that the kernel does), and the module prints, as
 * "PTWALK_KEY <prefix>.<name>=<value>" lines (see sample-dumps/README.md):
 * the pgmap's address, type, flags, ranges, its vmem_altmap (through pgmap_altmap(),
 * so only when PGMAP_ALTMAP_VALID is set), the pfn regions Linux 6.1 derives from
 * them (memmap_init_range() / memmap_init_zone_device()), and the struct pages
 * (vmemmap address, physical address, first words) of one pfn of each region.
 * It stays loaded (init returns 0); it changes nothing.
 */
#include <linux/init.h>
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <asm/io.h>
#include <asm/pgtable.h>

#include "ptwalk_kmod.h"

static unsigned long pfn;
module_param(pfn, ulong, 0444);
MODULE_PARM_DESC(pfn, "a pfn inside the ZONE_DEVICE range");
static char *prefix = "pgmap";
module_param(prefix, charp, 0444);
MODULE_PARM_DESC(prefix, "key name prefix");
static unsigned long raw_pgmap;
module_param(raw_pgmap, ulong, 0444);
MODULE_PARM_DESC(raw_pgmap, "address of an earlier (freed) pgmap of the same range");

static const char *type_name(enum memory_type t)
{
	switch (t) {
	case MEMORY_DEVICE_PRIVATE: return "MEMORY_DEVICE_PRIVATE";
	case MEMORY_DEVICE_COHERENT: return "MEMORY_DEVICE_COHERENT";
	case MEMORY_DEVICE_FS_DAX: return "MEMORY_DEVICE_FS_DAX";
	case MEMORY_DEVICE_GENERIC: return "MEMORY_DEVICE_GENERIC";
	case MEMORY_DEVICE_PCI_P2PDMA: return "MEMORY_DEVICE_PCI_P2PDMA";
	}
	return "unknown";
}

/* Keys of the struct page of one pfn: vmemmap address, its physical address, words. */
static void page_keys(const char *what, unsigned long p)
{
	struct page *page = pfn_to_page(p);
	const unsigned long *w = (const unsigned long *)page;

	PTW_KEY("%s.page.%s.pfn=0x%lx", prefix, what, p);
	PTW_KEY("%s.page.%s.addr=0x%lx", prefix, what, (unsigned long)page);
	PTW_KEY("%s.page.%s.phys=0x%llx", prefix, what,
		(unsigned long long)slow_virt_to_phys(page));
	PTW_KEY("%s.page.%s.words=0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx", prefix, what,
		w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
}

static int __init ptwalk_pgmap_key_init(void)
{
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);
	struct vmem_altmap *altmap;
	unsigned long start_pfn, end_pfn, init_start, dev_start, w1;
	int i;

	PTW_KEY("%s.lookup_pfn=0x%lx", prefix, pfn);
	if (!pgmap) {
		PTW_KEY("%s.address=none", prefix);
		PTW_KEY("%s.done=1", prefix);
		return 0;
	}
	altmap = pgmap_altmap(pgmap);
	PTW_KEY("%s.address=0x%lx", prefix, (unsigned long)pgmap);
	PTW_KEY("%s.phys=0x%llx", prefix, (unsigned long long)virt_to_phys(pgmap));
	PTW_KEY("%s.type=%d", prefix, pgmap->type);
	PTW_KEY("%s.type_name=%s", prefix, type_name(pgmap->type));
	PTW_KEY("%s.flags=0x%x", prefix, pgmap->flags);
	PTW_KEY("%s.vmemmap_shift=%lu", prefix, pgmap->vmemmap_shift);
	PTW_KEY("%s.owner=0x%lx", prefix, (unsigned long)pgmap->owner);
	PTW_KEY("%s.ops=0x%lx", prefix, (unsigned long)pgmap->ops);
	PTW_KEY("%s.nr_range=%d", prefix, pgmap->nr_range);
	for (i = 0; i < pgmap->nr_range; i++) {
		PTW_KEY("%s.range.%d.start=0x%llx", prefix, i, (unsigned long long)pgmap->ranges[i].start);
		PTW_KEY("%s.range.%d.end=0x%llx", prefix, i, (unsigned long long)pgmap->ranges[i].end);
	}
	PTW_KEY("%s.range.start=0x%llx", prefix, (unsigned long long)pgmap->range.start);
	PTW_KEY("%s.range.end=0x%llx", prefix, (unsigned long long)pgmap->range.end);
	/* The raw altmap is printed even when PGMAP_ALTMAP_VALID is clear. */
	PTW_KEY("%s.altmap.valid=%d", prefix, altmap != NULL);
	PTW_KEY("%s.altmap.base_pfn=0x%lx", prefix, pgmap->altmap.base_pfn);
	PTW_KEY("%s.altmap.end_pfn=0x%lx", prefix, pgmap->altmap.end_pfn);
	PTW_KEY("%s.altmap.reserve=%lu", prefix, pgmap->altmap.reserve);
	PTW_KEY("%s.altmap.free=%lu", prefix, pgmap->altmap.free);
	PTW_KEY("%s.altmap.align=%lu", prefix, pgmap->altmap.align);
	PTW_KEY("%s.altmap.alloc=%lu", prefix, pgmap->altmap.alloc);
	PTW_KEY("%s.vmemmap_base=0x%lx", prefix, (unsigned long)vmemmap);

	/*
	 * Regions as Linux 6.1 initializes the first range (pfn ranges, end exclusive):
	 * memmap_init_range() starts at the range start, skips the altmap's reserve when
	 * the range starts at base_pfn, and stops at base_pfn + reserve + free;
	 * memmap_init_zone_device() does the rest with a pgmap.  Without an altmap
	 * memmap_init_range() does nothing for ZONE_DEVICE.
	 */
	start_pfn = PHYS_PFN(pgmap->ranges[0].start);
	end_pfn = PHYS_PFN(pgmap->ranges[0].end) + 1;
	if (altmap) {
		init_start = start_pfn == altmap->base_pfn ? start_pfn + altmap->reserve : start_pfn;
		dev_start = altmap->base_pfn + altmap->reserve + altmap->free;
	} else {
		init_start = start_pfn;
		dev_start = start_pfn;
	}
	PTW_KEY("%s.region.uninitialized=0x%lx-0x%lx", prefix, start_pfn, init_start);
	PTW_KEY("%s.region.altmap_memmap=0x%lx-0x%lx", prefix, init_start, dev_start);
	PTW_KEY("%s.region.device=0x%lx-0x%lx", prefix, dev_start, end_pfn);
	PTW_KEY("%s.section.first=%lu", prefix, pfn_to_section_nr(start_pfn));
	PTW_KEY("%s.section.last=%lu", prefix, pfn_to_section_nr(end_pfn - 1));
	if (altmap) {
		/* Where the memmap itself was allocated from (vmem_altmap_next_pfn()). */
		PTW_KEY("%s.altmap.memmap_pfns=0x%lx-0x%lx", prefix,
			altmap->base_pfn + altmap->reserve + altmap->align,
			altmap->base_pfn + altmap->reserve + altmap->align + altmap->alloc);
	}
	page_keys("first", start_pfn);
	/*
	 * When the memmap was not freshly allocated for this pgmap (a section shared with
	 * RAM keeps its boot memmap), never-initialized struct pages keep what an earlier
	 * pgmap of the same range wrote: word 1 may point to that (freed) pgmap, whose
	 * memory kmalloc may even have handed to this pgmap.
	 */
	w1 = ((unsigned long *)pfn_to_page(start_pfn))[1];
	PTW_KEY("%s.page.first.word1_is=%s", prefix,
		w1 == (unsigned long)pgmap && w1 == raw_pgmap ? "this_and_raw_pgmap" :
		w1 == (unsigned long)pgmap ? "this_pgmap" :
		raw_pgmap && w1 == raw_pgmap ? "raw_pgmap" : "other");
	if (raw_pgmap)
		PTW_KEY("%s.raw_pgmap=0x%lx", prefix, raw_pgmap);
	if (init_start < dev_start)
		page_keys("altmap_memmap", init_start);
	page_keys("device", dev_start);
	PTW_KEY("%s.page.device.pgmap=0x%lx", prefix, (unsigned long)pfn_to_page(dev_start)->pgmap);
	page_keys("last", end_pfn - 1);
	put_dev_pagemap(pgmap);
	PTW_KEY("%s.done=1", prefix);
	return 0;
}

static void __exit ptwalk_pgmap_key_exit(void)
{
}

module_init(ptwalk_pgmap_key_init);
module_exit(ptwalk_pgmap_key_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("ptwalk sample dumps: answer key of a ZONE_DEVICE pgmap");
