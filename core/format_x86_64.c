// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86_64 4- and 5-level paging (Intel SDM vol. 3, ch. 4.5).
 * Heights: 0 = PTE, 1 = PMD (2M leaves), 2 = PUD (1G leaves), 3+ = P4D/PGD.
 */
#include "ptwalk/format.h"
#include "ptwalk/arch_x86_64.h"

static void x86_64_decode(const struct pw_format *fmt, int level, uint64_t raw,
			  struct pw_entry *e)
{
	int height = pw_level_height(fmt, level);

	if (!(raw & X86_PTE_PRESENT)) {
		e->kind = PW_ENTRY_NONE;
		if (!raw) {
			e->why = "not present";
			return;
		}
		/*
		 * Since the L1TF fix (4.19) the kernel stores the pfn of a
		 * not-present entry inverted (arch/x86/include/asm/pgtable-invert.h).
		 * PROT_NONE pages keep _PAGE_PROTNONE (the global bit); other
		 * non-zero entries at the PTE level are swap or migration entries.
		 */
		e->addr = ~raw & X86_PTE_ADDR_MASK;
		e->why = raw & X86_PTE_GLOBAL
			? "not present: PROT_NONE page (pfn stored inverted)"
			: "not present, pfn stored inverted: a swap/migration entry, or a kernel "
			  "entry made not present (set_direct_map_invalid, DEBUG_PAGEALLOC)";
		return;
	}
	e->perm = (raw & X86_PTE_RW ? PW_PERM_WRITE : 0) |
		  (raw & X86_PTE_USER ? PW_PERM_USER : 0) |
		  (raw & X86_PTE_NX ? 0 : PW_PERM_EXEC);

	if (height == 0) {
		e->kind = PW_ENTRY_LEAF;
		e->addr = raw & X86_PTE_ADDR_MASK;
		e->size = 4096;
		return;
	}
	if (raw & X86_PTE_PSE) {
		uint64_t size = pw_level_span(fmt, level);

		if (height > 2) {
			e->kind = PW_ENTRY_BAD;
			e->why = "PS bit set above the PUD level (reserved)";
			return;
		}
		/* Bits 12 (PAT) .. log2(size)-1 are PAT + reserved for large pages. */
		if (raw & X86_PTE_ADDR_MASK & (size - 1) & ~X86_PTE_PAT_LARGE) {
			e->kind = PW_ENTRY_BAD;
			e->why = "reserved address bits set in a large-page entry";
			return;
		}
		e->kind = PW_ENTRY_LEAF;
		e->addr = raw & X86_PTE_ADDR_MASK & ~(size - 1);
		e->size = size;
		return;
	}
	e->kind = PW_ENTRY_TABLE;
	e->addr = raw & X86_PTE_ADDR_MASK;
}

/* Names as crash's vtop prints them, so the two read alike. */
static const struct pw_flag_name x86_64_flags[] = {
	{ X86_PTE_PRESENT, X86_PTE_PRESENT, "PRESENT", 0, false, false },
	{ X86_PTE_RW, X86_PTE_RW, "RW", 0, false, false },
	{ X86_PTE_USER, X86_PTE_USER, "USER", 0, false, false },
	{ X86_PTE_PWT, X86_PTE_PWT, "PWT", 0, false, false },
	{ X86_PTE_PCD, X86_PTE_PCD, "PCD", 0, false, false },
	{ X86_PTE_ACCESSED, X86_PTE_ACCESSED, "ACCESSED", 0, false, false },
	{ X86_PTE_DIRTY, X86_PTE_DIRTY, "DIRTY", 0, true, false },
	{ X86_PTE_PSE, X86_PTE_PSE, "PSE", ~1u, false, false },
	{ X86_PTE_PAT, X86_PTE_PAT, "PAT", 1u << 0, false, false },
	{ X86_PTE_GLOBAL, X86_PTE_GLOBAL, "GLOBAL", 0, true, false },
	{ X86_PTE_PAT_LARGE, X86_PTE_PAT_LARGE, "PAT_LARGE", (1u << 1) | (1u << 2), true, false },
	{ X86_PTE_NX, X86_PTE_NX, "NX", 0, false, false },
	{ 0, 0, NULL, 0, false, false },
};

#define X86_LEVEL(n, shift) { (n), (shift), 9, 4096 }

const struct pw_format pw_format_x86_64_4level = {
	.name = "x86_64-4level",
	.arch = "x86_64",
	.nlevels = 4,
	.level = {
		X86_LEVEL("pgd", 39),
		X86_LEVEL("pud", 30),
		X86_LEVEL("pmd", 21),
		X86_LEVEL("pte", 12),
	},
	.va_bits = 48,
	.sign_extend = true,
	.entry_bytes = 8,
	.max_pa = 1ULL << 52,
	.linear_addr_mask = X86_PTE_ADDR_MASK,
	.decode = x86_64_decode,
	.flags = x86_64_flags,
};

const struct pw_format pw_format_x86_64_5level = {
	.name = "x86_64-5level",
	.arch = "x86_64",
	.nlevels = 5,
	.level = {
		X86_LEVEL("pgd", 48),
		X86_LEVEL("p4d", 39),
		X86_LEVEL("pud", 30),
		X86_LEVEL("pmd", 21),
		X86_LEVEL("pte", 12),
	},
	.va_bits = 57,
	.sign_extend = true,
	.entry_bytes = 8,
	.max_pa = 1ULL << 52,
	.linear_addr_mask = X86_PTE_ADDR_MASK,
	.decode = x86_64_decode,
	.flags = x86_64_flags,
};
