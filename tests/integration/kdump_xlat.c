// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump_xlat: translate user addresses of a vmcore with libkdumpfile's
 * libaddrxlat, independently of crash and of ptwalk, for the cross-arch
 * integration tests (test_cross.py).  libaddrxlat's own page-table walker
 * reads the tables through libkdumpfile:
 *
 *   kdump_xlat VMCORE arm64 TTBR0_PA ADDR...   4K granule, 48-bit VA, 4 levels
 *   kdump_xlat VMCORE s390x ASCE ADDR...       the ASCE's DT picks the levels
 *
 * prints one line per address: "ADDR PA" (hex) or "ADDR - STATUS-MESSAGE".
 * Build: gcc -o kdump_xlat kdump_xlat.c $(pkg-config --cflags --libs libkdumpfile)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/addrxlat.h>
#include <libkdumpfile/kdumpfile.h>

int main(int argc, char **argv)
{
	addrxlat_meth_t meth;
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	kdump_ctx_t *ctx;
	unsigned long long root;
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: %s VMCORE arm64|s390x ROOT ADDR...\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	ctx = kdump_new();
	if (!ctx || kdump_open_fd(ctx, fd) != KDUMP_OK) {
		fprintf(stderr, "kdump_open_fd: %s\n", ctx ? kdump_get_err(ctx) : "no memory");
		return 1;
	}
	/* Only the memory access is needed; the OS type lets libkdumpfile
	 * finish its own setup (without it, arm64 fails on VA_BITS). */
	kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux");
	if (kdump_get_addrxlat(ctx, &axctx, &axsys) != KDUMP_OK) {
		fprintf(stderr, "kdump_get_addrxlat: %s\n", kdump_get_err(ctx));
		return 1;
	}
	root = strtoull(argv[3], NULL, 16);
	memset(&meth, 0, sizeof(meth));
	meth.kind = ADDRXLAT_PGT;
	meth.target_as = ADDRXLAT_MACHPHYSADDR;
	meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
	if (strcmp(argv[2], "arm64") == 0) {
		static const unsigned short f[] = { 12, 9, 9, 9, 9 };

		meth.param.pgt.root.addr = root;
		meth.param.pgt.pf.pte_format = ADDRXLAT_PTE_AARCH64;
		meth.param.pgt.pf.nfields = 5;
		memcpy(meth.param.pgt.pf.fieldsz, f, sizeof(f));
	} else if (strcmp(argv[2], "s390x") == 0) {
		/* DT 0 segment .. 3 region-first: 2 + DT address fields below the offset. */
		static const unsigned short f[] = { 12, 8, 11, 11, 11, 11 };
		unsigned dt = (root >> 2) & 3;

		meth.param.pgt.root.addr = root & ~0xfffULL;
		meth.param.pgt.pf.pte_format = ADDRXLAT_PTE_S390X;
		meth.param.pgt.pf.nfields = 3 + dt;
		memcpy(meth.param.pgt.pf.fieldsz, f, sizeof(f));
	} else {
		fprintf(stderr, "unknown architecture %s\n", argv[2]);
		return 2;
	}
	for (int i = 4; i < argc; i++) {
		unsigned long long va = strtoull(argv[i], NULL, 16);
		addrxlat_step_t step;
		addrxlat_status st;

		memset(&step, 0, sizeof(step));
		step.ctx = axctx;
		step.sys = NULL;
		step.meth = &meth;
		step.base.as = ADDRXLAT_NOADDR;
		step.base.addr = va;
		st = addrxlat_walk(&step);
		if (st == ADDRXLAT_OK)
			printf("%llx %llx\n", va, (unsigned long long)step.base.addr);
		else
			printf("%llx - %s\n", va, addrxlat_ctx_get_err(axctx));
		addrxlat_ctx_clear_err(axctx);
	}
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	kdump_free(ctx);
	close(fd);
	return 0;
}
