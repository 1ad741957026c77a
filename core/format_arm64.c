// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm64 stage-1 translation tables (ARM ARM D8, VMSAv8-64) with the 4K, 16K
 * and 64K granules, in every VA size / level count Linux 6.1 can be built
 * with.  Hardware levels: a format with n levels starts at level 4 - n; the
 * last level (3) maps pages.
 *
 * Which addresses a root translates.  TTBR1 (the kernel, swapper_pg_dir)
 * translates the top 2^VA_BITS bytes, 0xffff000000000000 and up for 48
 * bits; TTBR0 (a task's mm->pgd) the bottom 2^VA_BITS bytes.  Both index
 * their tables with bits [VA_BITS-1:0] alone, so one format serves both:
 * fmt->va_bits is VA_BITS + 1 with sign_extend, i.e. bits [63:VA_BITS] must
 * all be equal.  A kernel root is walked with upper-half addresses, a user
 * root with lower-half ones; each root only holds its own half (arm64 user
 * tables have no kernel entries), and which half a root serves is the
 * caller's knowledge, not the tables'.  Tagged user pointers (TBI) must be
 * untagged by the caller first.
 *
 * With 64K pages and 52-bit VAs on a CPU without FEAT_LVA, Linux points TTBR1
 * at swapper_pg_dir + TTBR1_BADDR_4852_OFFSET and walks only its last 64
 * entries; walking the whole 1024-entry table with the 52-bit format
 * reaches the same entries for 48-bit kernel addresses, so
 * arm64-64k-52bit-3level serves both.
 *
 * Permissions.  WRITE is !AP[2] (the hardware view: a DBM "writable-clean"
 * entry with AP[2] set is read-only until hardware or the kernel dirties
 * it; the kernel's W+X check reads it the same way).  USER is AP[1].  The
 * core has one EXEC bit, so a leaf is EXEC when the privilege it belongs to
 * may run it: !UXN for EL0-accessible entries, !PXN for the others.  Table
 * descriptors fold APTable[1] into WRITE and APTable[0] into USER; they
 * remove EXEC when they forbid execution to everyone below: PXNTable with
 * UXNTable, or PXNTable under APTable[0] (nothing below is EL0's).  A table
 * with only one of PXNTable/UXNTable cannot be folded exactly into a single
 * bit and is left permissive (Linux sets UXNTable alone on kernel tables and
 * PXNTable alone on user tables, where each is moot).
 */
#include "ptwalk/arch_arm64.h"
#include "ptwalk/format.h"

struct arm64_granule {
	uint8_t page_shift;     /* 12, 14 or 16 */
	uint8_t first_hw_level; /* hardware level of format level 0 */
	bool lpa;               /* 64K: PA[51:48] in descriptor bits [15:12] */
};

/* Hardware levels that may hold block descriptors, by granule. */
static bool block_allowed(const struct arm64_granule *g, int hw)
{
	switch (g->page_shift) {
	case 12: return hw == 1 || hw == 2;  /* 1G, 2M */
	case 14: return hw == 2;             /* 32M (64G needs FEAT_LPA2) */
	/* 4T blocks at level 1 need FEAT_LPA; a dump cannot say whether the
	 * CPU had it, and Linux never makes them, so they are accepted. */
	default: return hw == 1 || hw == 2;  /* 4T, 512M */
	}
}

static const char *block_reserved_why(const struct arm64_granule *g, int hw)
{
	if (g->page_shift == 12)
		return "block descriptor at level 0 is reserved with the 4K granule";
	if (hw == 0)
		return "block descriptor at level 0 is reserved with the 16K granule";
	return "block descriptor at level 1 is reserved with the 16K granule";
}

static uint64_t desc_addr(const struct arm64_granule *g, uint64_t raw)
{
	uint64_t addr = raw & ARM64_ADDR_LOW_MASK;

	if (g->lpa)
		addr |= (raw & ARM64_ADDR_LPA_MASK) << ARM64_ADDR_LPA_SHIFT;
	return addr & ~(((uint64_t)1 << g->page_shift) - 1);
}

static uint32_t leaf_perm(uint64_t raw)
{
	bool user = raw & ARM64_PTE_USER;
	uint64_t xn = user ? ARM64_PTE_UXN : ARM64_PTE_PXN;

	return (raw & ARM64_PTE_RDONLY ? 0 : PW_PERM_WRITE) |
	       (user ? PW_PERM_USER : 0) |
	       (raw & xn ? 0 : PW_PERM_EXEC);
}

static uint32_t table_perm(uint64_t raw)
{
	uint32_t perm = PW_PERM_ALL;

	if (raw & ARM64_TABLE_AP_RDONLY)
		perm &= ~(uint32_t)PW_PERM_WRITE;
	if (raw & ARM64_TABLE_AP_NOEL0)
		perm &= ~(uint32_t)PW_PERM_USER;
	if ((raw & ARM64_TABLE_PXN) &&
	    (raw & (ARM64_TABLE_UXN | ARM64_TABLE_AP_NOEL0)))
		perm &= ~(uint32_t)PW_PERM_EXEC;
	return perm;
}

static void arm64_decode(const struct pw_format *fmt, int level, uint64_t raw,
			 struct pw_entry *e)
{
	const struct arm64_granule *g = fmt->priv;
	int hw = g->first_hw_level + level;
	uint64_t type = raw & ARM64_DESC_TYPE_MASK;

	if (!(raw & ARM64_DESC_VALID)) {
		e->kind = PW_ENTRY_NONE;
		e->why = raw ? "invalid (bit 0 clear, non-zero)" : "not present";
		/*
		 * Linux keeps a PROT_NONE page's output address in place and marks
		 * the invalid entry with a software bit (pte_present() is true);
		 * only leaf-capable levels hold such entries.
		 */
		if ((raw & ARM64_PTE_PROT_NONE) && (hw == 3 || block_allowed(g, hw))) {
			e->addr = desc_addr(g, raw);
			e->why = "not present: PROT_NONE page (invalid for the MMU, "
				 "the page is still mapped)";
		}
		return;
	}
	if (raw & ARM64_ADDR_RES0_49_48) {
		e->kind = PW_ENTRY_BAD;
		e->why = "descriptor bits 49:48 set (RES0 without FEAT_LPA2)";
		return;
	}
	if (hw == 3) {
		if (type == ARM64_DESC_BLOCK) {
			e->kind = PW_ENTRY_BAD;
			e->why = "level 3 descriptor type 01 is reserved";
			return;
		}
		e->kind = PW_ENTRY_LEAF;
		e->addr = desc_addr(g, raw);
		e->size = (uint64_t)1 << g->page_shift;
		e->perm = leaf_perm(raw);
		return;
	}
	if (type == ARM64_DESC_TABLE) {
		e->kind = PW_ENTRY_TABLE;
		e->addr = desc_addr(g, raw);
		e->perm = table_perm(raw);
		return;
	}
	if (!block_allowed(g, hw)) {
		e->kind = PW_ENTRY_BAD;
		e->why = block_reserved_why(g, hw);
		return;
	}
	e->kind = PW_ENTRY_LEAF;
	e->size = pw_level_span(fmt, level);
	e->addr = desc_addr(g, raw) & ~(e->size - 1);
	e->perm = leaf_perm(raw);
}

#define LEAF_FLAG(mask, value, name) { (mask), (value), (name), 0, true, false }
#define TABLE_FLAG(bit, name) { (bit), (bit), (name), 0, false, true }

/* Architectural names; AttrIndx values by Linux 6.1's MAIR assignment. */
static const struct pw_flag_name arm64_flags[] = {
	{ ARM64_DESC_VALID, ARM64_DESC_VALID, "VALID", 0, false, false },
	LEAF_FLAG(ARM64_PTE_USER, ARM64_PTE_USER, "USER"),
	LEAF_FLAG(ARM64_PTE_RDONLY, ARM64_PTE_RDONLY, "RDONLY"),
	LEAF_FLAG(ARM64_PTE_SH_MASK, 0, "NSH"),
	LEAF_FLAG(ARM64_PTE_SH_MASK, ARM64_PTE_SH_OUTER, "OSH"),
	LEAF_FLAG(ARM64_PTE_SH_MASK, ARM64_PTE_SHARED, "ISH"),
	LEAF_FLAG(ARM64_PTE_AF, ARM64_PTE_AF, "AF"),
	LEAF_FLAG(ARM64_PTE_NG, ARM64_PTE_NG, "nG"),
	LEAF_FLAG(ARM64_PTE_GP, ARM64_PTE_GP, "GP"),
	LEAF_FLAG(ARM64_PTE_DBM, ARM64_PTE_DBM, "DBM"),
	LEAF_FLAG(ARM64_PTE_CONT, ARM64_PTE_CONT, "CONT"),
	LEAF_FLAG(ARM64_PTE_PXN, ARM64_PTE_PXN, "PXN"),
	LEAF_FLAG(ARM64_PTE_UXN, ARM64_PTE_UXN, "UXN"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 0ULL << 2, "NORMAL"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 1ULL << 2, "NORMAL_TAGGED"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 2ULL << 2, "NORMAL_NC"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 3ULL << 2, "DEVICE_nGnRnE"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 4ULL << 2, "DEVICE_nGnRE"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 5ULL << 2, "ATTR5"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 6ULL << 2, "ATTR6"),
	LEAF_FLAG(ARM64_PTE_ATTRINDX_MASK, 7ULL << 2, "ATTR7"),
	TABLE_FLAG(ARM64_TABLE_PXN, "PXNTable"),
	TABLE_FLAG(ARM64_TABLE_UXN, "UXNTable"),
	TABLE_FLAG(ARM64_TABLE_AP_NOEL0, "APTable0"),
	TABLE_FLAG(ARM64_TABLE_AP_RDONLY, "APTable1"),
	TABLE_FLAG(ARM64_TABLE_NS, "NSTable"),
	{ 0, 0, NULL, 0, false, false },
};

static const struct arm64_granule g4k_4level = { 12, 0, false };
static const struct arm64_granule g4k_3level = { 12, 1, false };
static const struct arm64_granule g16k_4level = { 14, 0, false };
static const struct arm64_granule g16k_3level = { 14, 1, false };
static const struct arm64_granule g16k_2level = { 14, 2, false };
static const struct arm64_granule g64k_3level = { 16, 1, true };
static const struct arm64_granule g64k_2level = { 16, 2, true };

#define LV(name, shift, bits, bytes) { (name), (shift), (bits), (bytes) }

#define ARM64_FORMAT(fname, vabits, granule, pabits, n, ...)              \
	{                                                                 \
		.name = (fname), .arch = "arm64", .nlevels = (n),         \
		.level = { __VA_ARGS__ },                                 \
		.va_bits = (vabits) + 1, .sign_extend = true,             \
		.big_endian = false, .entry_bytes = 8,                    \
		.max_pa = 1ULL << (pabits),                               \
		/* OA[47:12]; stepping never touches the bits below. */   \
		.linear_addr_mask = 0x0000fffffffff000ULL,                \
		.decode = arm64_decode, .flags = arm64_flags,             \
		.priv = (granule),                                        \
	}

const struct pw_format pw_format_arm64_4k_39bit_3level =
	ARM64_FORMAT("arm64-4k-39bit-3level", 39, &g4k_3level, 48, 3,
		     LV("pgd", 30, 9, 4096), LV("pmd", 21, 9, 4096),
		     LV("pte", 12, 9, 4096));

const struct pw_format pw_format_arm64_4k_48bit_4level =
	ARM64_FORMAT("arm64-4k-48bit-4level", 48, &g4k_4level, 48, 4,
		     LV("pgd", 39, 9, 4096), LV("pud", 30, 9, 4096),
		     LV("pmd", 21, 9, 4096), LV("pte", 12, 9, 4096));

const struct pw_format pw_format_arm64_16k_36bit_2level =
	ARM64_FORMAT("arm64-16k-36bit-2level", 36, &g16k_2level, 48, 2,
		     LV("pgd", 25, 11, 16384), LV("pte", 14, 11, 16384));

const struct pw_format pw_format_arm64_16k_47bit_3level =
	ARM64_FORMAT("arm64-16k-47bit-3level", 47, &g16k_3level, 48, 3,
		     LV("pgd", 36, 11, 16384), LV("pmd", 25, 11, 16384),
		     LV("pte", 14, 11, 16384));

/* The level-0 table has two entries: bit 47 picks one. */
const struct pw_format pw_format_arm64_16k_48bit_4level =
	ARM64_FORMAT("arm64-16k-48bit-4level", 48, &g16k_4level, 48, 4,
		     LV("pgd", 47, 1, 16), LV("pud", 36, 11, 16384),
		     LV("pmd", 25, 11, 16384), LV("pte", 14, 11, 16384));

const struct pw_format pw_format_arm64_64k_42bit_2level =
	ARM64_FORMAT("arm64-64k-42bit-2level", 42, &g64k_2level, 52, 2,
		     LV("pgd", 29, 13, 65536), LV("pte", 16, 13, 65536));

/* The level-1 table has 64 entries (512 bytes). */
const struct pw_format pw_format_arm64_64k_48bit_3level =
	ARM64_FORMAT("arm64-64k-48bit-3level", 48, &g64k_3level, 52, 3,
		     LV("pgd", 42, 6, 512), LV("pmd", 29, 13, 65536),
		     LV("pte", 16, 13, 65536));

/* 52-bit VA (FEAT_LVA): the level-1 table grows to 1024 entries. */
const struct pw_format pw_format_arm64_64k_52bit_3level =
	ARM64_FORMAT("arm64-64k-52bit-3level", 52, &g64k_3level, 52, 3,
		     LV("pgd", 42, 10, 8192), LV("pmd", 29, 13, 65536),
		     LV("pte", 16, 13, 65536));
