/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s390x dynamic address translation (z/Architecture Principles of
 * Operation, ch. 3 "DAT"), with the names of Linux 6.1's
 * arch/s390/include/asm/pgtable.h.  Entries are big-endian 8-byte words;
 * masks below are on the value as read (bit 63 in IBM numbering is 1).
 */
#ifndef PTWALK_ARCH_S390X_H
#define PTWALK_ARCH_S390X_H

#include <stdint.h>

#include "ptwalk/walk.h"

/* Address-space-control element. */
#define S390_ASCE_ORIGIN        (~0xfffULL)
#define S390_ASCE_PRIVATE_SPACE 0x100ULL
#define S390_ASCE_ALT_EVENT     0x80ULL
#define S390_ASCE_SPACE_SWITCH  0x40ULL
#define S390_ASCE_REAL_SPACE    0x20ULL  /* no tables: VA = real address */
#define S390_ASCE_TYPE_MASK     0x0cULL  /* designation type (DT) */
#define S390_ASCE_TYPE_REGION1  0x0cULL
#define S390_ASCE_TYPE_REGION2  0x08ULL
#define S390_ASCE_TYPE_REGION3  0x04ULL
#define S390_ASCE_TYPE_SEGMENT  0x00ULL
#define S390_ASCE_TABLE_LENGTH  0x03ULL  /* TL */

/* Region-table entries (first, second, third). */
#define S390_REGION_ORIGIN      (~0xfffULL)
#define S390_REGION_FC          0x400ULL /* region-third only: 2G frame */
#define S390_REGION_PROTECT     0x200ULL
#define S390_REGION_NOEXEC      0x100ULL /* with FC=1 */
#define S390_REGION_OFFSET      0xc0ULL  /* TF: first valid quarter of the next table */
#define S390_REGION_OFFSET_SHIFT 6
#define S390_REGION_INVALID     0x20ULL
#define S390_REGION_TYPE_MASK   0x0cULL  /* TT */
#define S390_REGION_TYPE_R1     0x0cULL
#define S390_REGION_TYPE_R2     0x08ULL
#define S390_REGION_TYPE_R3     0x04ULL
#define S390_REGION_LENGTH      0x03ULL  /* TL: last valid quarter of the next table */
#define S390_REGION3_ORIGIN_LARGE (~0x7fffffffULL)
/* Linux software bits of large region-third entries. */
#define S390_REGION3_SOFT_DIRTY 0x4000ULL
#define S390_REGION3_DIRTY      0x2000ULL
#define S390_REGION3_YOUNG      0x1000ULL
#define S390_REGION3_READ       0x0002ULL
#define S390_REGION3_WRITE      0x0001ULL

/* Segment-table entries. */
#define S390_SEGMENT_ORIGIN     (~0x7ffULL) /* page tables are 2K aligned */
#define S390_SEGMENT_ORIGIN_LARGE (~0xfffffULL)
#define S390_SEGMENT_FC         0x400ULL /* 1M frame (EDAT-1) */
#define S390_SEGMENT_PROTECT    0x200ULL
#define S390_SEGMENT_NOEXEC     0x100ULL /* with FC=1 */
#define S390_SEGMENT_INVALID    0x20ULL
#define S390_SEGMENT_CS         0x10ULL  /* common segment */
#define S390_SEGMENT_TYPE_MASK  0x0cULL  /* TT: must be 00 */
/* Linux software bits of large segment entries. */
#define S390_SEGMENT_SOFT_DIRTY 0x4000ULL
#define S390_SEGMENT_DIRTY      0x2000ULL
#define S390_SEGMENT_YOUNG      0x1000ULL
#define S390_SEGMENT_WRITE      0x0002ULL
#define S390_SEGMENT_READ       0x0001ULL

/* Page-table entries. */
#define S390_PTE_ORIGIN         (~0xfffULL)
#define S390_PTE_BIT52          0x800ULL /* must be 0 in a valid PTE (Linux: _PAGE_LARGE, sw) */
#define S390_PTE_INVALID        0x400ULL
#define S390_PTE_PROTECT        0x200ULL
#define S390_PTE_NOEXEC         0x100ULL
/* Linux software bits. */
#define S390_PTE_UNUSED         0x080ULL
#define S390_PTE_SPECIAL        0x040ULL
#define S390_PTE_WRITE          0x020ULL
#define S390_PTE_READ           0x010ULL
#define S390_PTE_DIRTY          0x008ULL
#define S390_PTE_YOUNG          0x004ULL
#define S390_PTE_SOFT_DIRTY     0x002ULL
#define S390_PTE_PRESENT        0x001ULL

/* Table geometry. */
#define S390_CRST_ENTRIES       2048   /* region and segment tables: 16K */
#define S390_PTE_ENTRIES        256    /* page tables: 2K */
#define S390_TL_ENTRIES         512    /* one TF/TL unit: a quarter table */
/* With PGSTEs a page table is a 4K page: PTE i's PGSTE is at +2048 + 8*i. */
#define S390_PGSTE_OFFSET       2048

/*
 * Format levels, top down: 0 region-first (Linux pgd), 1 region-second
 * (p4d), 2 region-third (pud), 3 segment (pmd), 4 page (pte).  The ASCE's
 * DT picks the top one.
 */
#define S390_LEVEL_REGION1 0
#define S390_LEVEL_REGION2 1
#define S390_LEVEL_REGION3 2
#define S390_LEVEL_SEGMENT 3
#define S390_LEVEL_PAGE    4

/*
 * Point sp (made with pw_space_init() and pw_format_s390x) at the tables an
 * ASCE designates: root_pa from the origin, top_level from DT, the top
 * table's valid indexes from TL.  PW_ERR_INVALID when sp is not an s390x
 * space or cannot hold DT's level; PW_ERR_UNSUPPORTED for a real-space ASCE
 * (R bit: nothing to walk, addresses are real).
 */
int pw_s390x_space_from_asce(struct pw_space *sp, uint64_t asce);

#endif
