/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * s390 page status table entries (PGSTEs): the per-page state KVM keeps
 * next to the PTEs of a guest's backing mm.  Bit layout from Linux 6.1's
 * arch/s390/include/asm/pgtable.h (PGSTE_*_BIT, _PGSTE_GPS_*); the storage
 * key bits land there as arch/s390/mm/pgtable.c copies them (ACC and F
 * shifted left by 56, guest R/C by 48).
 *
 * A page table with PGSTEs is a whole 4K page: 256 PTEs in the first 2K,
 * PTE i's PGSTE at +2048 + 8*i.  Only an mm with mm->context.has_pgste has
 * such tables; every other mm packs two 2K page tables into a page.
 */
#ifndef PTWALK_PGSTE_H
#define PTWALK_PGSTE_H

#include <stdbool.h>
#include <stdint.h>

#include "ptwalk/walk.h"

#define PGSTE_ACC_BITS   0xf000000000000000ULL /* storage-key access control */
#define PGSTE_ACC_SHIFT  60
#define PGSTE_FP_BIT     0x0800000000000000ULL /* storage-key fetch protection */
#define PGSTE_PCL_BIT    0x0080000000000000ULL /* PGSTE lock */
#define PGSTE_HR_BIT     0x0040000000000000ULL /* host reference */
#define PGSTE_HC_BIT     0x0020000000000000ULL /* host change */
#define PGSTE_GR_BIT     0x0004000000000000ULL /* guest reference */
#define PGSTE_GC_BIT     0x0002000000000000ULL /* guest change */
#define PGSTE_UC_BIT     0x0000800000000000ULL /* user dirty (migration) */
#define PGSTE_IN_BIT     0x0000400000000000ULL /* IPTE notify */
#define PGSTE_VSIE_BIT   0x0000200000000000ULL /* referenced in a shadow table */
#define PGSTE_GPS_ZERO   0x0000000080000000ULL /* guest page state: zero */
#define PGSTE_GPS_NODAT  0x0000000040000000ULL /* guest page state: no DAT */
#define PGSTE_GPS_USAGE_MASK  0x0000000003000000ULL
#define PGSTE_GPS_USAGE_SHIFT 24

/* Guest usage state (CMMA, the ESSA instruction's states). */
enum pw_pgste_usage {
	PW_PGSTE_STABLE = 0,
	PW_PGSTE_UNUSED = 1,
	PW_PGSTE_POT_VOLATILE = 2,
	PW_PGSTE_VOLATILE = 3,
};

struct pw_pgste {
	uint64_t raw;
	uint8_t acc;        /* storage-key access-control bits, 0..15 */
	bool fp;            /* storage-key fetch protection */
	bool pcl;           /* the PGSTE was locked when the dump was taken */
	bool hr, hc;        /* host reference / change */
	bool gr, gc;        /* guest reference / change */
	bool uc;            /* user dirty, for migration */
	bool in;            /* IPTE notification requested */
	bool vsie;          /* referenced in a vSIE shadow table */
	enum pw_pgste_usage usage;
	bool zero;          /* guest page state: zero page */
	bool nodat;         /* guest page state: not used for DAT tables */
};

void pw_pgste_decode(uint64_t raw, struct pw_pgste *out);
/* "stable", "unused", "pot-volatile", "volatile". */
const char *pw_pgste_usage_name(enum pw_pgste_usage usage);

/*
 * Why the translation has no readable PGSTE, or NULL when it may have one.
 * Detected: not an s390x space; the walk did not reach a page table (it
 * stopped above, or ended in a 1M/2G frame, which has no PGSTEs); the
 * page table sits in the second 2K half of a page, so it is a 2K fragment
 * of an mm without PGSTEs.  Not detectable from the tables: whether a
 * page-aligned page table belongs to an mm with PGSTEs at all -- the first
 * 2K fragment of a shared page looks the same, and its "PGSTE" would be the
 * PTEs of the other fragment.  The caller must know has_pgste.
 */
const char *pw_pgste_check(const struct pw_space *sp, const struct pw_translation *tr);

/*
 * Read the PGSTE of the last PTE of a translation (mapped or not: invalid
 * PTEs have PGSTEs too).  PW_ERR_INVALID when pw_pgste_check() objects;
 * the target's error when the read fails.
 */
int pw_pgste_read(struct pw_space *sp, const struct pw_translation *tr, uint64_t *pgste);

/* The PGSTE that ptwalk shows under a task's walk on s390x. */
struct pw_pgste_of_walk {
	int valid;              /* the task's mm has PGSTEs and the walk reached one */
	uint64_t pa, raw;
};

struct pw_kernel;
/*
 * The PGSTE of the last PTE of a walk in the mm at `mm` (0: not a task's
 * space, so none): valid only when the mm's context says it has PGSTEs
 * (alloc_pgste or has_pgste) and pw_pgste_check() lets the walk have one.
 */
void pw_pgste_of_walk(struct pw_kernel *k, uint64_t mm, struct pw_space *sp,
		      const struct pw_translation *tr, struct pw_pgste_of_walk *out);

#endif
