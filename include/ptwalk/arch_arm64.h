/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * arm64 (VMSAv8-64, stage 1) descriptor bits, as the ARM ARM (D8, "VMSAv8-64
 * translation table format descriptors") and Linux 6.1's
 * arch/arm64/include/asm/pgtable-hwdef.h name them.
 */
#ifndef PTWALK_ARCH_ARM64_H
#define PTWALK_ARCH_ARM64_H

/* bits[1:0]: x0 invalid, 01 block (reserved at level 3), 11 table / page. */
#define ARM64_DESC_VALID      (1ULL << 0)
#define ARM64_DESC_TABLE_BIT  (1ULL << 1)
#define ARM64_DESC_TYPE_MASK  3ULL
#define ARM64_DESC_BLOCK      1ULL
#define ARM64_DESC_TABLE      3ULL  /* a page at level 3 */

/* Lower attributes of block and page descriptors. */
#define ARM64_PTE_ATTRINDX_SHIFT 2
#define ARM64_PTE_ATTRINDX_MASK  (7ULL << 2)
#define ARM64_PTE_NS          (1ULL << 5)
#define ARM64_PTE_USER        (1ULL << 6)   /* AP[1]: EL0 access */
#define ARM64_PTE_RDONLY      (1ULL << 7)   /* AP[2]: read-only */
#define ARM64_PTE_SHARED      (3ULL << 8)   /* SH[1:0] = inner shareable */
#define ARM64_PTE_SH_MASK     (3ULL << 8)
#define ARM64_PTE_SH_OUTER    (2ULL << 8)
#define ARM64_PTE_AF          (1ULL << 10)  /* access flag */
#define ARM64_PTE_NG          (1ULL << 11)  /* not global */
/* Upper attributes. */
#define ARM64_PTE_GP          (1ULL << 50)  /* BTI guarded page */
#define ARM64_PTE_DBM         (1ULL << 51)  /* dirty bit modifier (Linux PTE_WRITE) */
#define ARM64_PTE_CONT        (1ULL << 52)  /* contiguous hint */
#define ARM64_PTE_PXN         (1ULL << 53)  /* privileged execute-never */
#define ARM64_PTE_UXN         (1ULL << 54)  /* unprivileged execute-never */
/* Linux software bit: PROT_NONE entries have it and VALID clear. */
#define ARM64_PTE_PROT_NONE   (1ULL << 58)

/* Hierarchical attributes of table descriptors (ignored in leaves). */
#define ARM64_TABLE_PXN       (1ULL << 59)  /* PXNTable */
#define ARM64_TABLE_UXN       (1ULL << 60)  /* UXNTable */
#define ARM64_TABLE_AP_NOEL0  (1ULL << 61)  /* APTable[0]: no EL0 access below */
#define ARM64_TABLE_AP_RDONLY (1ULL << 62)  /* APTable[1]: no write below */
#define ARM64_TABLE_NS        (1ULL << 63)  /* NSTable */

/* Output / next-table address: bits [47:granule shift]. */
#define ARM64_ADDR_LOW_MASK   0x0000fffffffff000ULL
/* 64K granule with FEAT_LPA: descriptor bits [15:12] hold PA bits [51:48]. */
#define ARM64_ADDR_LPA_MASK   0x000000000000f000ULL
#define ARM64_ADDR_LPA_SHIFT  36
/* Without FEAT_LPA2, descriptor bits [49:48] are RES0 with every granule
 * (bits 50 and 51 are GP and DBM in leaves). */
#define ARM64_ADDR_RES0_49_48 0x0003000000000000ULL

/*
 * What the kernel's ptdump compares and prints: the OR of the masks of
 * arch/arm64/mm/ptdump.c's pte_bits[] (pg_level[].mask after
 * ptdump_initialize()).
 */
#define ARM64_PTDUMP_PROT_MASK                                              \
	(ARM64_DESC_VALID | ARM64_PTE_USER | ARM64_PTE_RDONLY |             \
	 ARM64_PTE_PXN | ARM64_PTE_SHARED | ARM64_PTE_AF | ARM64_PTE_NG |   \
	 ARM64_PTE_CONT | ARM64_DESC_TABLE_BIT | ARM64_PTE_UXN |            \
	 ARM64_PTE_GP | ARM64_PTE_ATTRINDX_MASK)

/* Linux 6.1's MAIR indexes (arch/arm64/include/asm/memory.h). */
#define ARM64_MT_NORMAL        0
#define ARM64_MT_NORMAL_TAGGED 1
#define ARM64_MT_NORMAL_NC     2
#define ARM64_MT_DEVICE_nGnRnE 3
#define ARM64_MT_DEVICE_nGnRE  4

/*
 * The arm64 formats.  Names: arm64-<granule>-<VA_BITS>bit-<levels>level,
 * one for every CONFIG_ARM64_VA_BITS / page-size pair Linux 6.1 offers:
 *
 *   arm64-4k-39bit-3level    arm64-4k-48bit-4level (Debian's kernel)
 *   arm64-16k-36bit-2level   arm64-16k-47bit-3level   arm64-16k-48bit-4level
 *   arm64-64k-42bit-2level   arm64-64k-48bit-3level   arm64-64k-52bit-3level
 *
 * fmt->va_bits is VA_BITS + 1: the tables translate bits [VA_BITS-1:0] and
 * bits [63:VA_BITS] must all be equal -- all ones in the kernel's TTBR1
 * half (0xffff000000000000.. for 48 bits), all zeros in a task's TTBR0 half.
 * See core/format_arm64.c.
 */
#define ARM64_FMT_VA_BITS(fmt) ((fmt)->va_bits - 1)

#endif
