// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * s390x DAT (z/Architecture Principles of Operation, ch. 3): up to three
 * region tables and a segment table of 2048 entries (16K), page tables of
 * 256 entries (2K).  The ASCE's designation type chooses the top table
 * (pw_s390x_space_from_asce()); table offset and length (TF/TL) in region
 * entries and TL in the ASCE restrict which quarters of the next table
 * exist, and the walker reports indexes outside as PW_ST_OUT_OF_RANGE.
 *
 * Rules applied, in the order DAT applies them to an entry:
 *  - I bit set: not present, whatever else the entry holds (Linux keeps the
 *    table type in its empty region entries and swap data in invalid PTEs).
 *  - Region and segment entries must carry the table type of their level
 *    (TT): a mismatch is a translation-specification exception, PW_ENTRY_BAD.
 *  - FC=1 maps a 1M frame in a segment entry (EDAT-1) and a 2G frame in a
 *    region-third entry (EDAT-2); in region-first/second entries the bit
 *    is reserved.  PTE bit 52 must be zero in a valid PTE.
 *  - The DAT-protection bit of every entry on the path is ORed into the
 *    final one (EDAT-1 semantics for region and segment entries), so it is
 *    folded into pw_entry.perm at every level.  Instruction-execution
 *    protection exists only in PTEs and FC=1 entries.
 *
 * s390 entries carry no user/supervisor bit: whose space it is comes from
 * the ASCE (home space for the kernel, primary for a task), so perm never
 * has PW_PERM_USER (fmt->no_user_bit tells presenters so).
 */
#include "ptwalk/arch_s390x.h"
#include "ptwalk/format.h"

static const uint64_t s390x_region_type[] = {
	[S390_LEVEL_REGION1] = S390_REGION_TYPE_R1,
	[S390_LEVEL_REGION2] = S390_REGION_TYPE_R2,
	[S390_LEVEL_REGION3] = S390_REGION_TYPE_R3,
	[S390_LEVEL_SEGMENT] = 0,
};

static const char *const s390x_tt_why[] = {
	[S390_LEVEL_REGION1] = "table type is not region-first (TT != 11)",
	[S390_LEVEL_REGION2] = "table type is not region-second (TT != 10)",
	[S390_LEVEL_REGION3] = "table type is not region-third (TT != 01)",
	[S390_LEVEL_SEGMENT] = "table type is not segment (TT != 00)",
};

static void s390x_decode_pte(uint64_t raw, struct pw_entry *e)
{
	if (raw & S390_PTE_INVALID) {
		e->kind = PW_ENTRY_NONE;
		e->why = "invalid (I bit)";
		/*
		 * Linux's software PRESENT bit: the page is still the task's and the
		 * entry keeps its frame.  Invalid for DAT because it is PROT_NONE (no
		 * READ), or because Linux tracks "young" by invalidating old pages.
		 */
		if (raw & S390_PTE_PRESENT) {
			e->addr = raw & S390_PTE_ORIGIN;
			e->why = raw & S390_PTE_READ
				 ? "invalid (I bit): an old page, present for Linux "
				   "(young is tracked by invalidating)"
				 : "not present: PROT_NONE page (invalid for DAT, present "
				   "for Linux)";
		}
		return;
	}
	if (raw & S390_PTE_BIT52) {
		e->kind = PW_ENTRY_BAD;
		e->why = "PTE bit 52 set (translation-specification exception)";
		return;
	}
	e->kind = PW_ENTRY_LEAF;
	e->addr = raw & S390_PTE_ORIGIN;
	e->size = 4096;
	e->perm = (raw & S390_PTE_PROTECT ? 0 : PW_PERM_WRITE) |
		  (raw & S390_PTE_NOEXEC ? 0 : PW_PERM_EXEC);
}

static void s390x_decode(const struct pw_format *fmt, int level, uint64_t raw,
			 struct pw_entry *e)
{
	uint32_t write = raw & S390_REGION_PROTECT ? 0 : PW_PERM_WRITE;

	(void)fmt;
	if (level == S390_LEVEL_PAGE) {
		s390x_decode_pte(raw, e);
		return;
	}
	/* Region and segment entries share the I, TT, FC, P and IEP bits. */
	if (raw & S390_REGION_INVALID) {
		e->kind = PW_ENTRY_NONE;
		e->why = "invalid (I bit)";
		return;
	}
	if ((raw & S390_REGION_TYPE_MASK) != s390x_region_type[level]) {
		e->kind = PW_ENTRY_BAD;
		e->why = s390x_tt_why[level];
		return;
	}
	if (raw & S390_REGION_FC) {
		if (level != S390_LEVEL_SEGMENT && level != S390_LEVEL_REGION3) {
			e->kind = PW_ENTRY_BAD;
			e->why = "FC bit set in a region-first/second entry (reserved)";
			return;
		}
		e->kind = PW_ENTRY_LEAF;
		e->size = pw_level_span(fmt, level);
		e->addr = raw & ~(e->size - 1);
		e->perm = write | (raw & S390_REGION_NOEXEC ? 0 : PW_PERM_EXEC);
		return;
	}
	e->kind = PW_ENTRY_TABLE;
	e->perm = write | PW_PERM_EXEC;
	if (level == S390_LEVEL_SEGMENT) {
		e->addr = raw & S390_SEGMENT_ORIGIN;
		return;
	}
	e->addr = raw & S390_REGION_ORIGIN;
	e->next_first = (uint32_t)((raw & S390_REGION_OFFSET) >> S390_REGION_OFFSET_SHIFT) *
			S390_TL_ENTRIES;
	e->next_last = (uint32_t)((raw & S390_REGION_LENGTH) + 1) * S390_TL_ENTRIES - 1;
}

#define PTE_FLAG(bit, name) { (bit), (bit), (name), 1u << 0, false, false }
#define UPPER(mask, value, name, leaf, table) \
	{ (mask), (value), (name), 0x1eu, (leaf), (table) }
#define REGION_TABLE(mask, value, name) \
	{ (mask), (value), (name), 0x1cu, false, true }

/* Hardware bits by PoP name; Linux software bits as pgtable.h calls them. */
static const struct pw_flag_name s390x_flags[] = {
	PTE_FLAG(S390_PTE_INVALID, "I"),
	PTE_FLAG(S390_PTE_PROTECT, "P"),
	PTE_FLAG(S390_PTE_NOEXEC, "IEP"),
	PTE_FLAG(S390_PTE_BIT52, "BIT52"),
	PTE_FLAG(S390_PTE_PRESENT, "PRESENT"),
	PTE_FLAG(S390_PTE_READ, "READ"),
	PTE_FLAG(S390_PTE_WRITE, "WRITE"),
	PTE_FLAG(S390_PTE_YOUNG, "YOUNG"),
	PTE_FLAG(S390_PTE_DIRTY, "DIRTY"),
	PTE_FLAG(S390_PTE_SOFT_DIRTY, "SOFT_DIRTY"),
	PTE_FLAG(S390_PTE_SPECIAL, "SPECIAL"),
	PTE_FLAG(S390_PTE_UNUSED, "UNUSED"),
	UPPER(S390_REGION_INVALID, S390_REGION_INVALID, "I", false, false),
	UPPER(S390_REGION_PROTECT, S390_REGION_PROTECT, "P", false, false),
	UPPER(S390_REGION_NOEXEC, S390_REGION_NOEXEC, "IEP", true, false),
	UPPER(S390_REGION_FC, S390_REGION_FC, "FC", false, false),
	{ S390_SEGMENT_CS, S390_SEGMENT_CS, "CS", 1u << 1, false, true },
	UPPER(S390_SEGMENT_READ, S390_SEGMENT_READ, "READ", true, false),
	UPPER(S390_SEGMENT_WRITE, S390_SEGMENT_WRITE, "WRITE", true, false),
	UPPER(S390_SEGMENT_YOUNG, S390_SEGMENT_YOUNG, "YOUNG", true, false),
	UPPER(S390_SEGMENT_DIRTY, S390_SEGMENT_DIRTY, "DIRTY", true, false),
	UPPER(S390_SEGMENT_SOFT_DIRTY, S390_SEGMENT_SOFT_DIRTY, "SOFT_DIRTY", true, false),
	/* Only the unusual table extents are named. */
	REGION_TABLE(S390_REGION_OFFSET, 1ULL << S390_REGION_OFFSET_SHIFT, "TF=1"),
	REGION_TABLE(S390_REGION_OFFSET, 2ULL << S390_REGION_OFFSET_SHIFT, "TF=2"),
	REGION_TABLE(S390_REGION_OFFSET, 3ULL << S390_REGION_OFFSET_SHIFT, "TF=3"),
	REGION_TABLE(S390_REGION_LENGTH, 0, "TL=0"),
	REGION_TABLE(S390_REGION_LENGTH, 1, "TL=1"),
	REGION_TABLE(S390_REGION_LENGTH, 2, "TL=2"),
	{ 0, 0, NULL, 0, false, false },
};

const struct pw_format pw_format_s390x = {
	.name = "s390x",
	.arch = "s390x",
	.nlevels = 5,
	.level = {
		[S390_LEVEL_REGION1] = { "rgn1", 53, 11, 16384 },
		[S390_LEVEL_REGION2] = { "rgn2", 42, 11, 16384 },
		[S390_LEVEL_REGION3] = { "rgn3", 31, 11, 16384 },
		[S390_LEVEL_SEGMENT] = { "seg", 20, 11, 16384 },
		[S390_LEVEL_PAGE] = { "pte", 12, 8, 2048 },
	},
	.va_bits = 64,
	.sign_extend = false,
	.big_endian = true,
	.entry_bytes = 8,
	/* 64-bit real addresses: nothing below 2^64 is out of reach. */
	.max_pa = UINT64_MAX,
	/* Frame and table origins fill the bits above the low 12. */
	.linear_addr_mask = 0xfffffffffffff000ULL,
	.no_user_bit = true,
	.decode = s390x_decode,
	.flags = s390x_flags,
};

int pw_s390x_space_from_asce(struct pw_space *sp, uint64_t asce)
{
	int dt = (int)((asce & S390_ASCE_TYPE_MASK) >> 2);
	int top = S390_LEVEL_SEGMENT - dt;
	uint32_t tl = (uint32_t)(asce & S390_ASCE_TABLE_LENGTH);

	if (!sp || sp->fmt != &pw_format_s390x || top < 0 ||
	    top >= sp->fmt->nlevels - 1 || !sp->buf[top].data)
		return PW_ERR_INVALID;
	if (asce & S390_ASCE_REAL_SPACE)
		return PW_ERR_UNSUPPORTED;
	sp->root_pa = asce & S390_ASCE_ORIGIN;
	sp->top_level = top;
	sp->top_first = 0;
	sp->top_last = (tl + 1) * S390_TL_ENTRIES - 1;
	pw_space_invalidate(sp);
	return PW_OK;
}
