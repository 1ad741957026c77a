// SPDX-License-Identifier: GPL-2.0-or-later
/* Decoding s390 PGSTEs and finding the one behind a PTE (see pgste.h). */
#include <string.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/kernel.h"
#include "ptwalk/pgste.h"

void pw_pgste_decode(uint64_t raw, struct pw_pgste *out)
{
	*out = (struct pw_pgste){
		.raw = raw,
		.acc = (uint8_t)((raw & PGSTE_ACC_BITS) >> PGSTE_ACC_SHIFT),
		.fp = (raw & PGSTE_FP_BIT) != 0,
		.pcl = (raw & PGSTE_PCL_BIT) != 0,
		.hr = (raw & PGSTE_HR_BIT) != 0,
		.hc = (raw & PGSTE_HC_BIT) != 0,
		.gr = (raw & PGSTE_GR_BIT) != 0,
		.gc = (raw & PGSTE_GC_BIT) != 0,
		.uc = (raw & PGSTE_UC_BIT) != 0,
		.in = (raw & PGSTE_IN_BIT) != 0,
		.vsie = (raw & PGSTE_VSIE_BIT) != 0,
		.usage = (enum pw_pgste_usage)((raw & PGSTE_GPS_USAGE_MASK) >>
					       PGSTE_GPS_USAGE_SHIFT),
		.zero = (raw & PGSTE_GPS_ZERO) != 0,
		.nodat = (raw & PGSTE_GPS_NODAT) != 0,
	};
}

const char *pw_pgste_usage_name(enum pw_pgste_usage usage)
{
	switch (usage) {
	case PW_PGSTE_STABLE: return "stable";
	case PW_PGSTE_UNUSED: return "unused";
	case PW_PGSTE_POT_VOLATILE: return "pot-volatile";
	case PW_PGSTE_VOLATILE: return "volatile";
	}
	return "unknown";
}

const char *pw_pgste_check(const struct pw_space *sp, const struct pw_translation *tr)
{
	const struct pw_step *last;

	if (!sp || sp->fmt != &pw_format_s390x)
		return "PGSTEs exist only in s390x page tables";
	if (tr->nsteps == 0)
		return "the address was not translated";
	last = &tr->step[tr->nsteps - 1];
	if (last->level != S390_LEVEL_PAGE) {
		if (tr->status == PW_ST_MAPPED)
			return "mapped by a large frame: large frames have no PGSTEs";
		return "the walk stopped above the page table";
	}
	switch (tr->status) {
	case PW_ST_MAPPED:
	case PW_ST_NOT_PRESENT:
	case PW_ST_BAD_ENTRY:
	case PW_ST_BAD_PFN:
		break;
	default:
		return "the page table could not be read";
	}
	if (last->table_pa & (4096 - 1))
		return "the page table is the second 2K half of a page: a 2K "
		       "fragment, without PGSTEs";
	return NULL;
}

int pw_pgste_read(struct pw_space *sp, const struct pw_translation *tr, uint64_t *pgste)
{
	const struct pw_step *last;
	uint8_t b[8];
	uint64_t v = 0;
	int err;

	if (pw_pgste_check(sp, tr))
		return PW_ERR_INVALID;
	last = &tr->step[tr->nsteps - 1];
	err = pw_read_phys(sp->target, last->entry_pa + S390_PGSTE_OFFSET, b, sizeof(b));
	if (err)
		return err;
	for (size_t i = 0; i < sizeof(b); i++)
		v = (v << 8) | b[i];  /* s390 is big-endian */
	*pgste = v;
	return PW_OK;
}

void pw_pgste_of_walk(struct pw_kernel *k, uint64_t mm, struct pw_space *sp,
		      const struct pw_translation *tr, struct pw_pgste_of_walk *out)
{
	int alloc, has;

	memset(out, 0, sizeof(*out));
	if (!mm || pw_pgste_check(sp, tr) || pw_s390x_mm_pgste(k, mm, &alloc, &has) ||
	    (!alloc && !has) || pw_pgste_read(sp, tr, &out->raw))
		return;
	out->valid = 1;
	out->pa = tr->step[tr->nsteps - 1].entry_pa + S390_PGSTE_OFFSET;
}
