// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdump_x86: libkdumpfile's own view of an x86_64 vmcore, for the tests of
 * ptwalk-batch on dumps crash cannot read (test_batch.py, the 6.12 dump).
 * Nothing of ptwalk is used:
 *
 *   kdump_x86 VMCORE kv ADDR...            libaddrxlat's translation of kernel
 *                                          addresses with the layout it sets up
 *                                          itself from VMCOREINFO ("ADDR PA" or
 *                                          "ADDR - MESSAGE")
 *   kdump_x86 VMCORE pgt ROOT LEVELS ADDR... libaddrxlat's page-table walker from
 *                                          the table at physical ROOT (4 or 5 levels)
 *   kdump_x86 VMCORE read PA LEN           LEN bytes of physical memory, as hex
 *
 * Build: gcc -o kdump_x86 kdump_x86.c $(pkg-config --cflags --libs libkdumpfile)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/addrxlat.h>
#include <libkdumpfile/kdumpfile.h>

static void walk(addrxlat_ctx_t *axctx, addrxlat_sys_t *sys, addrxlat_meth_t *meth,
		 unsigned long long va)
{
	addrxlat_status st;
	addrxlat_fulladdr_t a = { .addr = va, .as = ADDRXLAT_KVADDR };

	if (meth) {
		addrxlat_step_t step;

		memset(&step, 0, sizeof(step));
		step.ctx = axctx;
		step.meth = meth;
		step.base.as = ADDRXLAT_NOADDR;
		step.base.addr = va;
		st = addrxlat_walk(&step);
		a = step.base;
	} else {
		st = addrxlat_fulladdr_conv(&a, ADDRXLAT_MACHPHYSADDR, axctx, sys);
	}
	if (st == ADDRXLAT_OK)
		printf("%llx %llx\n", va, (unsigned long long)a.addr);
	else
		printf("%llx - %s\n", va, addrxlat_ctx_get_err(axctx));
	addrxlat_ctx_clear_err(axctx);
}

int main(int argc, char **argv)
{
	addrxlat_ctx_t *axctx;
	addrxlat_sys_t *axsys;
	addrxlat_meth_t meth;
	kdump_ctx_t *ctx;
	int fd, first = 3;

	if (argc < 4) {
		fprintf(stderr, "usage: %s VMCORE kv|pgt|read ...\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	ctx = kdump_new();
	/* Linux before opening: libkdumpfile then sets up its x86_64 kernel
	 * translation from VMCOREINFO as it opens the file. */
	if (ctx)
		kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux");
	if (!ctx || kdump_open_fd(ctx, fd) != KDUMP_OK) {
		fprintf(stderr, "kdump_open_fd: %s\n", ctx ? kdump_get_err(ctx) : "no memory");
		return 1;
	}
	if (kdump_get_addrxlat(ctx, &axctx, &axsys) != KDUMP_OK) {
		fprintf(stderr, "kdump_get_addrxlat: %s\n", kdump_get_err(ctx));
		return 1;
	}
	if (strcmp(argv[2], "read") == 0 && argc == 5) {
		size_t len = strtoull(argv[4], NULL, 0);
		unsigned char *buf = malloc(len);

		if (!buf || kdump_read(ctx, KDUMP_MACHPHYSADDR, strtoull(argv[3], NULL, 16), buf,
				       &len) != KDUMP_OK) {
			fprintf(stderr, "kdump_read: %s\n", kdump_get_err(ctx));
			return 1;
		}
		for (size_t i = 0; i < len; i++)
			printf("%02x", buf[i]);
		putchar('\n');
		free(buf);
	} else if (strcmp(argv[2], "pgt") == 0 && argc > 5) {
		static const unsigned short f[] = { 12, 9, 9, 9, 9, 9 };
		int levels = atoi(argv[4]);

		memset(&meth, 0, sizeof(meth));
		meth.kind = ADDRXLAT_PGT;
		meth.target_as = ADDRXLAT_MACHPHYSADDR;
		meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
		meth.param.pgt.root.addr = strtoull(argv[3], NULL, 16);
		meth.param.pgt.pf.pte_format = ADDRXLAT_PTE_X86_64;
		meth.param.pgt.pf.nfields = (unsigned short)(levels + 1);
		memcpy(meth.param.pgt.pf.fieldsz, f, sizeof(f));
		for (int i = 5; i < argc; i++)
			walk(axctx, axsys, &meth, strtoull(argv[i], NULL, 16));
	} else if (strcmp(argv[2], "kv") == 0) {
		for (int i = first; i < argc; i++)
			walk(axctx, axsys, NULL, strtoull(argv[i], NULL, 16));
	} else {
		fprintf(stderr, "usage: %s VMCORE kv|pgt|read ...\n", argv[0]);
		return 2;
	}
	addrxlat_ctx_decref(axctx);
	addrxlat_sys_decref(axsys);
	kdump_free(ctx);
	close(fd);
	return 0;
}
