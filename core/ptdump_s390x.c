// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * s390x ptdump lines, character for character as Linux 6.1's
 * arch/s390/mm/dump_pagetables.c prints them: note_page() keeps only the
 * protect and no-exec bits (or "invalid"), prints "0x%016lx-0x%016lx ",
 * "%9lu%c " with the size in units from K up, then print_prot(): the level
 * name, and "I" or "RO "/"RW " followed by "NX"/"X".  Every marker the
 * address has passed is printed (a while loop), and the final flush ends
 * at max_addr, the end of the kernel ASCE's reach.
 */
#include "ptwalk/arch_s390x.h"
#include "ptwalk/ptdump.h"

/* print_prot()'s names for mm/ptdump.c's levels 0 (pgd) .. 4 (pte). */
static const char *const s390x_level_names[] = { "ASCE", "PGD", "PUD", "PMD", "PTE" };

/* The bits note_page() keeps; _PAGE_INVALID stands for "invalid" at any level. */
#define S390_PT_PROT (S390_PTE_PROTECT | S390_PTE_NOEXEC)
#define S390_PT_INVALID S390_PTE_INVALID

/*
 * What the kernel's walker hands note_page() for an upper-level entry that
 * is not present: pmd_none()/pud_none() holes as 0 (printed invalid), but
 * an invalid large entry is still pmd_large()/pud_large() and is noted
 * with its value, whose protect/no-exec bits are then shown.
 */
static int invalid_large(int level, uint64_t raw)
{
	if (!(raw & S390_SEGMENT_FC))
		return 0;
	if (level == S390_LEVEL_SEGMENT)
		return 1;
	return level == S390_LEVEL_REGION3 &&
	       (raw & S390_REGION_TYPE_MASK) == S390_REGION_TYPE_R3;
}

static void s390x_key(const struct pw_format *fmt, const struct pw_note *n,
		      struct pw_ptdump_key *out)
{
	uint64_t prot = S390_PT_INVALID;

	(void)fmt;
	switch (n->status) {
	case PW_ST_MAPPED:
	case PW_ST_BAD_ENTRY:
	case PW_ST_BAD_PFN:
		if (n->level == S390_LEVEL_PAGE)
			prot = n->raw & S390_PTE_INVALID ? S390_PT_INVALID
							 : n->raw & S390_PT_PROT;
		else if (n->raw)
			prot = n->raw & S390_PT_PROT;
		break;
	case PW_ST_NOT_PRESENT:
		if (n->level != S390_LEVEL_PAGE && invalid_large(n->level, n->raw))
			prot = n->raw & S390_PT_PROT;
		break;
	default:
		break;
	}
	/* The format's levels are the kernel's: region-first is its pgd. */
	out->plevel = n->level;
	out->prot = prot;
	out->present = !(prot & S390_PT_INVALID);
	/* note_page() compares the entry bits only: no effective permissions. */
	out->eff = 0;
}

static size_t s390x_print_range(char *buf, size_t n, uint64_t start, uint64_t end,
			      const struct pw_ptdump_key *k)
{
	n = pw_put_range_head(buf, n, start, end, " ", (end - start) >> 10, "KMGTPE");
	n = pw_put_str(buf, n, s390x_level_names[k->plevel]);
	n = pw_put_char(buf, n, ' ');
	if (k->prot & S390_PT_INVALID)
		return pw_put_char(buf, n, 'I');
	n = pw_put_str(buf, n, k->prot & S390_PTE_PROTECT ? "RO " : "RW ");
	return pw_put_str(buf, n, k->prot & S390_PTE_NOEXEC ? "NX" : "X");
}

static int s390x_prot_names(const struct pw_ptdump_key *k, const char **names, int max)
{
	int n = 0;

	if (max < 2)
		return 0;
	if (k->prot & S390_PT_INVALID) {
		names[n++] = "I";
		return n;
	}
	names[n++] = k->prot & S390_PTE_PROTECT ? "RO" : "RW";
	names[n++] = k->prot & S390_PTE_NOEXEC ? "NX" : "X";
	return n;
}

/* The kernel's note_prot_wx(). */
static int s390x_is_wx(const struct pw_ptdump_key *k)
{
	return !(k->prot & (S390_PT_INVALID | S390_PTE_PROTECT | S390_PTE_NOEXEC));
}

/*
 * note_prot_wx()'s exception: the first lowcore page, exactly [0, 4K), holds two
 * lpswe instructions that must stay executable when spectre trampolines are in
 * use or the BEAR facility is missing (the usual case: Debian builds expolines).
 */
static int s390x_wx_allowed(uint64_t start, uint64_t end)
{
	return start == 0 && end == 4096;
}

const struct pw_ptdump_style pw_ptdump_style_s390x = {
	.level_names = s390x_level_names,
	.key = s390x_key,
	.print_range = s390x_print_range,
	.prot_names = s390x_prot_names,
	.is_wx = s390x_is_wx,
	.wx_allowed = s390x_wx_allowed,
	.markers = PW_PTDUMP_MARKERS_ALL,
	.end_at_range_end = 1,
};
