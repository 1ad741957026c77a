/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x86_64 page-table entry bits (Intel SDM vol. 3, tables 4-15 .. 4-20). */
#ifndef PTWALK_ARCH_X86_64_H
#define PTWALK_ARCH_X86_64_H

#define X86_PTE_PRESENT    (1ULL << 0)
#define X86_PTE_RW         (1ULL << 1)
#define X86_PTE_USER       (1ULL << 2)
#define X86_PTE_PWT        (1ULL << 3)
#define X86_PTE_PCD        (1ULL << 4)
#define X86_PTE_ACCESSED   (1ULL << 5)
#define X86_PTE_DIRTY      (1ULL << 6)
#define X86_PTE_PSE        (1ULL << 7)  /* large page at PUD/PMD */
#define X86_PTE_PAT        (1ULL << 7)  /* at the PTE level */
#define X86_PTE_GLOBAL     (1ULL << 8)
#define X86_PTE_PAT_LARGE  (1ULL << 12)
#define X86_PTE_NX         (1ULL << 63)
#define X86_PTE_ADDR_MASK  0x000ffffffffff000ULL
/* What the kernel's ptdump compares: everything but the address (PTE_FLAGS_MASK). */
#define X86_PTE_FLAGS_MASK (~X86_PTE_ADDR_MASK)

/* Fixed parts of the x86_64 kernel layout (arch/x86/include/asm/pgtable_64_types.h). */
#define X86_START_KERNEL_MAP 0xffffffff80000000ULL
/* With PTI the user PGD is the second page of an order-1 PGD allocation. */
#define X86_PTI_USER_PGD_OFFSET 4096

#endif
