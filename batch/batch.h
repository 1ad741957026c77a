/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ptwalk-batch internals: one dump opened with libkdumpfile, and the
 * sources that answer the core's questions about it.
 *
 *   vmcoreinfo  VMCOREINFO in the dump: SYMBOL(), NUMBER(), OFFSET(), SIZE()
 *   kallsyms    the kernel's own symbol table, decoded from the dump
 *   vmlinux     the ELF symbol table of a vmlinux given by the user
 *   dwarf       that vmlinux's DWARF (types, enumerators)
 *   btf         the kernel's BTF, found inside the dump
 *
 * Every lookup records which source answered, so the output can say what
 * each analysis ran from.
 */
#ifndef PTWALK_BATCH_H
#define PTWALK_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ptwalk/target.h"

enum bd_source {
	BD_SRC_VMCOREINFO = 1u << 0,
	BD_SRC_KALLSYMS = 1u << 1,
	BD_SRC_VMLINUX = 1u << 2,
	BD_SRC_DWARF = 1u << 3,
	BD_SRC_BTF = 1u << 4,
	BD_SRC_COUNT = 5,
};
const char *bd_source_name(unsigned bit_index);

struct kallsyms;
struct dwarf_info;
struct btf_info;

/* Why the last lookups failed, for messages ("page_offset_base", ...). */
#define BD_MISSING_MAX 6

struct batch_dump {
	const char *path;
	struct _kdump_ctx *kd;
	int fd;
	/* "x86_64", "arm64", "s390x": the core's names. */
	const char *arch;
	const char *file_format;   /* libkdumpfile's file.format */
	const char *converted;     /* "flattened", "s390x-elf-sections", NULL */
	char osrelease[80];
	char build_id[80];
	char crash_time[32];
	uint64_t kernel_offset;    /* KERNELOFFSET (KASLR), 0 when absent */
	uint64_t page_size;
	struct _kdump_bmp *ram_bmp;  /* memory.pagemap: RAM pages (on first need) */
	int ram_bmp_tried;

	/* Sources, opened lazily (kallsyms, btf) or by the caller (dwarf). */
	struct kallsyms *ks;
	int ks_tried;
	char ks_why[160];
	struct btf_info *btf;
	int btf_tried;
	char btf_why[160];
	struct dwarf_info *dwarf;  /* not owned: shared by every dump */
	int no_btf;                /* --no-btf: tests, comparisons */
	long cache_pages;          /* libkdumpfile's cache.size, set before the file
				    * is opened (later, it breaks addrxlat); 0: its default */

	unsigned used;             /* enum bd_source bits since bd_used_reset() */
	char missing[BD_MISSING_MAX][64];
	int nmissing;

	/* target.map_phys: libkdumpfile's pages, not copied (target_kdumpfile.c). */
	struct _addrxlat_ctx *axctx;
	struct bd_map_pool *maps;
	uint64_t map_last;         /* physical = machine address up to here */
	struct _kdump_bmp *file_bmp; /* file.pagemap, after a page failed to map */
	int map_off;               /* no (more) mapping on this dump */

	struct pw_target target;
};

/* ---- opening (dumpfile.c) ---- */

/*
 * Open path for libkdumpfile: a flattened makedumpfile file is rebuilt
 * into an unlinked temp file (as `makedumpfile -R` would), QEMU's s390x
 * ELF gets its section-header fields zeroed in a copy.  Returns an fd or
 * -1 with why set; *converted names the conversion done (or NULL).
 */
int bd_prepare_file(const char *path, int allow_convert, const char **converted,
		    char *why, size_t why_len);

/* Open the dump and fill the target; -1 with why on failure. */
int bd_open(struct batch_dump *d, const char *path, int allow_convert,
	    char *why, size_t why_len);
void bd_close(struct batch_dump *d);

/* A VMCOREINFO value (after "KEY="), NULL when absent; malloc'd. */
char *bd_vmcoreinfo(struct batch_dump *d, const char *key);

void bd_used_reset(struct batch_dump *d);
/* "vmcoreinfo,kallsyms,btf" style list of d->used into buf. */
void bd_used_json(const struct batch_dump *d, FILE *fp);

/* ---- kallsyms decoded from the dump (kallsyms.c) ---- */
struct kallsyms *ks_open(struct batch_dump *d, char *why, size_t why_len);
int ks_lookup(const struct kallsyms *ks, const char *name, uint64_t *value);
size_t ks_count(const struct kallsyms *ks);
/* No data symbols: CONFIG_KALLSYMS_ALL is off (Debian arm64, s390x). */
int ks_text_only(const struct kallsyms *ks);
void ks_free(struct kallsyms *ks);

/* ---- vmlinux: ELF symbols and DWARF types (types_dwarf.c) ---- */
struct dwarf_info *dw_open(const char *vmlinux, char *why, size_t why_len);
void dw_close(struct dwarf_info *dw);
const char *dw_path(const struct dwarf_info *dw);
const char *dw_build_id(const struct dwarf_info *dw);
/* Whether the file has DWARF at all (a stripped vmlinux has none). */
int dw_has_dwarf(const struct dwarf_info *dw);
/* Link-time symbol value from .symtab. */
int dw_symbol(struct dwarf_info *dw, const char *name, uint64_t *value);
/* Whether a link-time address is in the relocated kernel image (KASLR applies). */
int dw_relocatable(struct dwarf_info *dw, uint64_t value);
/* The string at a link-time address in the file (linux_banner). */
int dw_string_at(struct dwarf_info *dw, uint64_t addr, char *buf, size_t len);
int dw_member(struct dwarf_info *dw, const char *type, const char *member, uint64_t *off);
int dw_size(struct dwarf_info *dw, const char *type, uint64_t *size);
int dw_enum(struct dwarf_info *dw, const char *name, int64_t *value);
/* Statistics for --timings: CUs scanned so far and total. */
void dw_stats(const struct dwarf_info *dw, unsigned *scanned, unsigned *total, double *secs);
/* Find a vmlinux for a release (and build id) under a debuginfo dir. */
int dw_find_vmlinux(const char *dir, const char *release, const char *build_id,
		    char *out, size_t len);

/* ---- BTF from the dump (types_btf.c) ---- */
struct btf_info *btf_open_dump(struct batch_dump *d, char *why, size_t why_len);
void btf_info_free(struct btf_info *b);
/* How it was found: "__start_BTF" or "scan", its address and size. */
void btf_info_where(const struct btf_info *b, const char **how, uint64_t *va, uint64_t *size);
int btfi_member(struct btf_info *b, const char *type, const char *member, uint64_t *off);
int btfi_size(struct btf_info *b, const char *type, uint64_t *size);
int btfi_enum(struct btf_info *b, const char *name, int64_t *value);

/* ---- the kernel log (printk.c) ---- */
/*
 * The printk ringbuffer (5.10+ lockless prb) as text, one record per line
 * with a "[seconds.micro] " stamp.  Returns a malloc'd string and its
 * length in *len, or NULL with why set.
 */
char *bd_read_log(struct batch_dump *d, size_t max_bytes, size_t *len,
		  char *why, size_t why_len);

#endif
