// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm64 ptdump lines, character for character as Linux 6.1's
 * arch/arm64/mm/ptdump.c prints them: note_page() compares the entry bits
 * of pte_bits[] and the level (no effective permissions), prints
 * "0x%016lx-0x%016lx   ", "%9lu%c %s" with the size in units from K up and
 * the level name, then -- only when the bits are not all zero -- " %s" for
 * each pte_bits[] entry, set or clear.
 */
#include "ptwalk/arch_arm64.h"
#include "ptwalk/ptdump.h"

/*
 * The kernel's levels (0 pgd .. 4 pte) and their names.  With fewer than
 * four levels pg_level[] names the folded pud (and pmd) "PGD": entries of
 * the top table that the kernel notes through pud_entry()/pmd_entry() get
 * levels 2 or 3 but print "PGD".  Plevels 5 and 6 stand for those, so that
 * a single name table serves every level count.
 */
enum {
	PL_PGD = 0, PL_P4D = 1, PL_PUD = 2, PL_PMD = 3, PL_PTE = 4,
	PL_PUD_AS_PGD = 5, PL_PMD_AS_PGD = 6,
};

static const char *const arm64_level_names[] = {
	"PGD", "P4D", "PUD", "PMD", "PTE", "PGD", "PGD",
};

/* One entry of the kernel's pte_bits[]; jset/jclear are the JSON tokens. */
struct arm64_prot_bit {
	uint64_t mask, val;
	const char *set, *clear;
	const char *jset, *jclear;
};

#define ATTR(idx) ((uint64_t)(idx) << ARM64_PTE_ATTRINDX_SHIFT)

static const struct arm64_prot_bit arm64_pte_bits[] = {
	{ ARM64_DESC_VALID, ARM64_DESC_VALID, " ", "F", NULL, "F" },
	{ ARM64_PTE_USER, ARM64_PTE_USER, "USR", "   ", "USR", NULL },
	{ ARM64_PTE_RDONLY, ARM64_PTE_RDONLY, "ro", "RW", "ro", "RW" },
	{ ARM64_PTE_PXN, ARM64_PTE_PXN, "NX", "x ", "NX", "x" },
	{ ARM64_PTE_SHARED, ARM64_PTE_SHARED, "SHD", "   ", "SHD", NULL },
	{ ARM64_PTE_AF, ARM64_PTE_AF, "AF", "  ", "AF", NULL },
	{ ARM64_PTE_NG, ARM64_PTE_NG, "NG", "  ", "NG", NULL },
	{ ARM64_PTE_CONT, ARM64_PTE_CONT, "CON", "   ", "CON", NULL },
	{ ARM64_DESC_TABLE_BIT, ARM64_DESC_TABLE_BIT, "   ", "BLK", NULL, "BLK" },
	{ ARM64_PTE_UXN, ARM64_PTE_UXN, "UXN", "   ", "UXN", NULL },
	{ ARM64_PTE_GP, ARM64_PTE_GP, "GP", "  ", "GP", NULL },
	{ ARM64_PTE_ATTRINDX_MASK, ATTR(ARM64_MT_DEVICE_nGnRnE), "DEVICE/nGnRnE", NULL,
	  "DEVICE/nGnRnE", NULL },
	{ ARM64_PTE_ATTRINDX_MASK, ATTR(ARM64_MT_DEVICE_nGnRE), "DEVICE/nGnRE", NULL,
	  "DEVICE/nGnRE", NULL },
	{ ARM64_PTE_ATTRINDX_MASK, ATTR(ARM64_MT_NORMAL_NC), "MEM/NORMAL-NC", NULL,
	  "MEM/NORMAL-NC", NULL },
	{ ARM64_PTE_ATTRINDX_MASK, ATTR(ARM64_MT_NORMAL), "MEM/NORMAL", NULL,
	  "MEM/NORMAL", NULL },
	{ ARM64_PTE_ATTRINDX_MASK, ATTR(ARM64_MT_NORMAL_TAGGED), "MEM/NORMAL-TAGGED", NULL,
	  "MEM/NORMAL-TAGGED", NULL },
};

#define N_PTE_BITS (sizeof(arm64_pte_bits) / sizeof(arm64_pte_bits[0]))

/*
 * The kernel's level of a note.  Holes in the top table come from
 * pte_hole() at depth 0 whatever the level count (real_depth() folds
 * them); entries of the top table are noted by the callback of the first
 * unfolded level below pgd; the PTE level is always 4.
 */
static int arm64_plevel(const struct pw_format *fmt, int level, int entry)
{
	int height = pw_level_height(fmt, level);

	if (height == 0)
		return PL_PTE;
	if (level == 0 && !entry)
		return PL_PGD;
	switch (height) {
	case 1: return fmt->nlevels > 2 ? PL_PMD : PL_PMD_AS_PGD;
	case 2: return fmt->nlevels > 3 ? PL_PUD : PL_PUD_AS_PGD;
	default: return PL_PGD;
	}
}

/* Whether the note carries an entry read from its own level's table. */
static int note_has_entry(const struct pw_note *n)
{
	return n->status == PW_ST_MAPPED || n->status == PW_ST_NOT_PRESENT ||
	       n->status == PW_ST_BAD_ENTRY || n->status == PW_ST_BAD_PFN;
}

static void arm64_key(const struct pw_format *fmt, const struct pw_note *n,
		      struct pw_ptdump_key *out)
{
	int pte = pw_level_height(fmt, n->level) == 0;
	/* Upper levels: the kernel notes leaves (and what it takes for
	 * leaves); not-present entries are pte_hole()s with value 0.  PTEs
	 * are noted with their raw value, present or not. */
	int entry = note_has_entry(n) && (pte || n->status != PW_ST_NOT_PRESENT);
	uint64_t val = entry ? n->raw : 0;

	out->plevel = arm64_plevel(fmt, n->level, entry);
	out->prot = val & ARM64_PTDUMP_PROT_MASK;
	out->present = (out->prot & ARM64_DESC_VALID) != 0;
	/* note_page() compares the entry bits only: no effective permissions. */
	out->eff = 0;
}

static size_t arm64_print_range(char *buf, size_t n, uint64_t start, uint64_t end,
			      const struct pw_ptdump_key *k)
{
	n = pw_put_range_head(buf, n, start, end, "   ", (end - start) >> 10, "KMGTPE");
	n = pw_put_str(buf, n, arm64_level_names[k->plevel]);
	if (!k->prot)
		return n;
	for (size_t i = 0; i < N_PTE_BITS; i++) {
		const struct arm64_prot_bit *b = &arm64_pte_bits[i];
		const char *s = (k->prot & b->mask) == b->val ? b->set : b->clear;

		if (s) {
			n = pw_put_char(buf, n, ' ');
			n = pw_put_str(buf, n, s);
		}
	}
	return n;
}

static int arm64_prot_names(const struct pw_ptdump_key *k, const char **names, int max)
{
	int n = 0;

	if (!k->prot)
		return 0;
	for (size_t i = 0; i < N_PTE_BITS && n < max; i++) {
		const struct arm64_prot_bit *b = &arm64_pte_bits[i];
		const char *s = (k->prot & b->mask) == b->val ? b->jset : b->jclear;

		if (s)
			names[n++] = s;
	}
	return n;
}

/* The kernel's note_prot_wx(): writable (no AP[2]) and kernel-executable. */
static int arm64_is_wx(const struct pw_ptdump_key *k)
{
	return (k->prot & ARM64_DESC_VALID) && !(k->prot & ARM64_PTE_RDONLY) &&
	       !(k->prot & ARM64_PTE_PXN);
}

const struct pw_ptdump_style pw_ptdump_style_arm64 = {
	.level_names = arm64_level_names,
	.key = arm64_key,
	.print_range = arm64_print_range,
	.prot_names = arm64_prot_names,
	.is_wx = arm64_is_wx,
	.markers = PW_PTDUMP_MARKERS_TWICE,
};
