// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench: write a large synthetic x86_64 ELF vmcore for the benchmark.
 *
 *   bench-mkvmcore FILE
 *
 * A 4-level kernel address space whose direct map of 64 GiB
 * (0xffff888000000000, physical 0 up) is mapped with 4K pages: 16M PTEs in
 * 32768 PTE tables, 64 PMD tables, one PUD table, one PGD.  Only the
 * page-table pages are in the file (one PT_LOAD, ~128 MiB): the 64 GiB
 * the tables map are never read by a page-table walk.  One more page, all
 * zero, is an empty top table (the bench walks it as a whole 5-level space).
 *
 * The VMCOREINFO note carries what libkdumpfile needs to open the file as
 * a Linux x86_64 dump and set up its own page-table translation
 * (OSRELEASE, PAGESIZE, SYMBOL(init_top_pgt), NUMBER(phys_base),
 * KERNELOFFSET, NUMBER(pgtable_l5_enabled)), and where the bench finds the
 * empty root (NUMBER(ptwalk_bench_empty_root)).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_layout.h"

#define PT_NOTE 4
#define PT_LOAD 1
#define PAGE 4096ULL
/* Tables: PRESENT RW ACCESSED DIRTY; leaves also GLOBAL NX, as the direct map. */
#define TBL 0x63ULL
#define P_KERN (0x63ULL | 0x100ULL | (1ULL << 63))

struct elf64_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

static void put64(uint8_t *page, unsigned idx, uint64_t v)
{
	memcpy(page + (size_t)idx * 8, &v, 8);
}

static int write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph[2];
	char info[1024];
	uint8_t note[1200], page[PAGE];
	size_t info_len, note_len, namesz = sizeof("VMCOREINFO");
	uint64_t data_off, npages = BENCH_NTABLES;
	char *tmp;
	FILE *f;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
	}
	n = snprintf(info, sizeof(info),
		     "OSRELEASE=6.1.0-ptwalk-bench\n"
		     "PAGESIZE=4096\n"
		     "SYMBOL(init_top_pgt)=%llx\n"
		     "NUMBER(phys_base)=0\n"
		     "KERNELOFFSET=0\n"
		     "NUMBER(pgtable_l5_enabled)=0\n"
		     "NUMBER(ptwalk_bench_empty_root)=%llu\n",
		     (unsigned long long)(BENCH_KTEXT_VA + BENCH_ROOT_PA),
		     (unsigned long long)BENCH_EMPTY_ROOT_PA);
	if (n < 0 || (size_t)n >= sizeof(info))
		return 1;
	info_len = (size_t)n;

	/* The note: namesz, descsz, type 0, "VMCOREINFO\0" padded, the text padded. */
	memset(note, 0, sizeof(note));
	{
		uint32_t hdr[3] = { (uint32_t)namesz, (uint32_t)info_len, 0 };

		memcpy(note, hdr, sizeof(hdr));
		memcpy(note + 12, "VMCOREINFO", namesz);
		memcpy(note + 12 + ((namesz + 3) & ~3UL), info, info_len);
		note_len = 12 + ((namesz + 3) & ~3UL) + ((info_len + 3) & ~3UL);
	}

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, "\177ELF", 4);
	eh.e_ident[4] = 2;  /* ELFCLASS64 */
	eh.e_ident[5] = 1;  /* little endian */
	eh.e_ident[6] = 1;  /* EV_CURRENT */
	eh.e_type = 4;      /* ET_CORE */
	eh.e_machine = 62;  /* EM_X86_64 */
	eh.e_version = 1;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(struct elf64_phdr);
	eh.e_phnum = 2;

	memset(ph, 0, sizeof(ph));
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = sizeof(eh) + sizeof(ph);
	ph[0].p_filesz = ph[0].p_memsz = note_len;
	data_off = (ph[0].p_offset + note_len + PAGE - 1) & ~(PAGE - 1);
	ph[1].p_type = PT_LOAD;
	ph[1].p_flags = 7;
	ph[1].p_offset = data_off;
	ph[1].p_paddr = BENCH_TABLES_PA;
	ph[1].p_vaddr = BENCH_DIRECT_MAP + BENCH_TABLES_PA;
	ph[1].p_filesz = ph[1].p_memsz = npages * PAGE;
	ph[1].p_align = PAGE;

	/* Written under a temporary name, renamed when complete. */
	tmp = malloc(strlen(argv[1]) + 8);
	if (!tmp)
		return 1;
	sprintf(tmp, "%s.tmp", argv[1]);
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "%s: %s\n", tmp, strerror(errno));
		free(tmp);
		return 1;
	}
	if (write_all(f, &eh, sizeof(eh)) || write_all(f, ph, sizeof(ph)) ||
	    write_all(f, note, note_len))
		goto fail;
	memset(page, 0, sizeof(page));
	if (write_all(f, page, data_off - ph[0].p_offset - note_len))
		goto fail;

	/* Pages in PA order: PGD, PUD, 64 PMDs, 32768 PTE tables, empty root. */
	for (uint64_t p = 0; p < npages; p++) {
		uint64_t pa = BENCH_TABLES_PA + p * PAGE;

		memset(page, 0, sizeof(page));
		if (pa == BENCH_ROOT_PA) {
			put64(page, BENCH_PGD_INDEX, BENCH_PUD_PA | TBL);
		} else if (pa == BENCH_PUD_PA) {
			for (unsigned i = 0; i < BENCH_NPMD; i++)
				put64(page, i, (BENCH_PMD_PA + i * PAGE) | TBL);
		} else if (pa >= BENCH_PMD_PA && pa < BENCH_PTE_PA) {
			uint64_t pmd = (pa - BENCH_PMD_PA) / PAGE;

			for (unsigned i = 0; i < 512; i++)
				put64(page, i, (BENCH_PTE_PA + (pmd * 512 + i) * PAGE) | TBL);
		} else if (pa >= BENCH_PTE_PA && pa < BENCH_EMPTY_ROOT_PA) {
			/* PTE table t maps physical [t * 2M, (t + 1) * 2M). */
			uint64_t t = (pa - BENCH_PTE_PA) / PAGE;

			for (unsigned i = 0; i < 512; i++)
				put64(page, i, ((t * 512 + i) * PAGE) | P_KERN);
		}
		if (write_all(f, page, sizeof(page)))
			goto fail;
	}
	if (fclose(f)) {
		f = NULL;
		goto fail;
	}
	if (rename(tmp, argv[1])) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		free(tmp);
		return 1;
	}
	printf("wrote %s: %llu page-table pages (%llu MiB), a 64 GiB direct map in 4K pages\n",
	       argv[1], (unsigned long long)npages, (unsigned long long)(npages * PAGE >> 20));
	free(tmp);
	return 0;
fail:
	fprintf(stderr, "%s: write failed: %s\n", tmp, strerror(errno));
	if (f)
		fclose(f);
	remove(tmp);
	free(tmp);
	return 1;
}
