// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * x86_64 ptdump lines, character for character as Linux 6.1's
 * arch/x86/mm/dump_pagetables.c prints them (printk_prot(), note_page()).
 */
#include "ptwalk/arch_x86_64.h"
#include "ptwalk/ptdump.h"

/* The kernel's level numbers: 0 pgd, 1 p4d, 2 pud, 3 pmd, 4 pte. */
static const char *const x86_level_names[] = { "pgd", "p4d", "pud", "pmd", "pte" };

/*
 * The kernel's depth for a level: with 4-level paging the p4d is folded
 * into the pgd at run time and mm/pagewalk.c's real_depth() reports its
 * holes as pgd (depth 0).
 */
static int x86_plevel(const struct pw_format *fmt, int level)
{
	int height = pw_level_height(fmt, level);

	if (height == 3)
		return fmt->nlevels == 5 ? 1 : 0;
	return height == 4 ? 0 : 4 - height;
}

static void x86_key(const struct pw_format *fmt, const struct pw_note *n,
		    struct pw_ptdump_key *out)
{
	int plevel = x86_plevel(fmt, n->level);
	/* Upper-level entries that are not present are holes (value 0) to the
	 * kernel's walker; PTEs are noted with their raw value. */
	int read_here = n->status == PW_ST_MAPPED || n->status == PW_ST_NOT_PRESENT ||
			n->status == PW_ST_BAD_ENTRY;
	/* For tables that could not be walked, raw is the parent's entry. */
	uint64_t val = n->status == PW_ST_MAPPED || (plevel == 4 && read_here) ? n->raw : 0;

	out->plevel = plevel;
	out->prot = val & X86_PTE_FLAGS_MASK;
	out->present = (out->prot & X86_PTE_PRESENT) != 0;
	out->eff = n->status == PW_ST_MAPPED ? n->eff_perm : 0;
}

/* printk_prot()'s fields: { clear, set }. */
static const char usr[2][5] = { "    ", "USR " }, rw[2][4] = { "ro ", "RW " },
		  pwt[2][5] = { "    ", "PWT " }, pcd[2][5] = { "    ", "PCD " },
		  pse[2][5] = { "    ", "PSE " }, pat[2][5] = { "    ", "PAT " },
		  glb[2][5] = { "    ", "GLB " }, nx[2][4] = { "x  ", "NX " };

static size_t x86_print_range(char *buf, size_t n, uint64_t start, uint64_t end,
			      const struct pw_ptdump_key *k)
{
	uint64_t pr = k->prot;
	/* printk_prot()'s 30 columns and the level's three letters, at fixed
	 * offsets of a local array (plain stores), appended at once. */
	char f[33];

	n = pw_put_range_head(buf, n, start, end, "   ", end - start, "BKMGTPE");
	if (!(pr & X86_PTE_PRESENT)) {
		memset(f, ' ', 30);
	} else {
		memcpy(f, usr[(pr & X86_PTE_USER) != 0], 4);
		memcpy(f + 4, rw[(pr & X86_PTE_RW) != 0], 3);
		memcpy(f + 7, pwt[(pr & X86_PTE_PWT) != 0], 4);
		memcpy(f + 11, pcd[(pr & X86_PTE_PCD) != 0], 4);
		memcpy(f + 15, pse[k->plevel <= 3 && (pr & X86_PTE_PSE)], 4);
		memcpy(f + 19, pat[(k->plevel == 4 && (pr & X86_PTE_PAT)) ||
				   ((k->plevel == 3 || k->plevel == 2) && (pr & X86_PTE_PAT_LARGE))],
		       4);
		memcpy(f + 23, glb[(pr & X86_PTE_GLOBAL) != 0], 4);
		memcpy(f + 27, nx[(pr & X86_PTE_NX) != 0], 3);
	}
	memcpy(f + 30, x86_level_names[k->plevel], 3); /* all three letters */
	return pw_put_mem(buf, n, f, sizeof(f));
}

static int x86_prot_names(const struct pw_ptdump_key *k, const char **names, int max)
{
	uint64_t pr = k->prot;
	int n = 0;

	if (!(pr & X86_PTE_PRESENT))
		return 0;
#define ADD(cond, name) do { if ((cond) && n < max) names[n++] = (name); } while (0)
	ADD(pr & X86_PTE_USER, "USR");
	ADD(pr & X86_PTE_RW, "RW");
	ADD(pr & X86_PTE_PWT, "PWT");
	ADD(pr & X86_PTE_PCD, "PCD");
	ADD(k->plevel <= 3 && (pr & X86_PTE_PSE), "PSE");
	ADD(k->plevel == 4 && (pr & X86_PTE_PAT), "PAT");
	ADD(pr & X86_PTE_GLOBAL, "GLB");
	ADD(pr & X86_PTE_NX, "NX");
#undef ADD
	return n;
}

static int x86_is_wx(const struct pw_ptdump_key *k)
{
	return (k->eff & PW_PERM_WRITE) && (k->eff & PW_PERM_EXEC);
}

const struct pw_ptdump_style pw_ptdump_style_x86_64 = {
	.level_names = x86_level_names,
	.key = x86_key,
	.print_range = x86_print_range,
	.prot_names = x86_prot_names,
	.is_wx = x86_is_wx,
};
