// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness: random memory images and roots fed to the core
 * through the target interface.  Built once per format family
 * (-DFUZZ_ARCH=\"x86_64\" / \"arm64\" / \"s390x\"); every walk must end,
 * with bounded memory, whatever the bytes say.
 *
 * Input: [0] format pick, [1] flags (1 mem_end, 2 count instead of ptdump,
 * 4 JSON, 8 physical addresses, 16 runs spanning tables in the count, bits
 * 5-7 the vector level), [2..9] VA seed, [10..17] s390 ASCE, then the
 * physical memory image (root table at physical 0).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/arch_s390x.h"
#include "ptwalk/pgste.h"
#include "ptwalk/ptdump.h"
#include "ptwalk/walk.h"

#include "fuzz_image.h"

#ifndef FUZZ_ARCH
#define FUZZ_ARCH "x86_64"
#endif
#define HEADER 18
#define MAX_VISITS 32

static int img_read(void *ctx, enum pw_addr_space space, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	(void)space;
	if (addr >= im->len || len > im->len - addr)
		return (addr >> 12) & 1 ? PW_ERR_EXCLUDED : PW_ERR_READ;
	memcpy(buf, im->mem + addr, len);
	return PW_OK;
}

/*
 * The image as the backend's own bytes (target.map_phys), for tables that
 * lie within one 4K page of it: with seed bit 1 only those of even frame
 * number, the rest read.  Every map must be given back (checked at the end).
 */
static int map_even_only;
static long maps_live;

static const void *img_map(void *ctx, uint64_t pa, size_t len, void **cookie)
{
	const struct image *im = ctx;

	if (pa >= im->len || len > im->len - pa || (pa & 4095) + len > 4096 ||
	    (map_even_only && ((pa >> 12) & 1)))
		return NULL;
	maps_live++;
	*cookie = (void *)(uintptr_t)(im->mem + pa);
	return im->mem + pa;
}

static void img_unmap(void *ctx, void *cookie)
{
	(void)ctx;
	if (!cookie || maps_live <= 0)
		abort();
	maps_live--;
}

/*
 * The counting walk, checked against single translations: the range walk
 * hands runs of entries as one note (vector compares, run ends, clamping),
 * pw_translate() decodes one address at a time, and both must say the same
 * of the first, a middle and the last page of every note.
 */
struct count {
	uint64_t notes;
	uint64_t prev_end; /* where the last note ended (0: none yet, or 2^64) */
	struct pw_space *xlat; /* a space of its own: the walk's buffers are in use */
};

static void check_page(struct pw_space *xlat, const struct pw_note *n, uint64_t va,
		       uint64_t pa_base)
{
	struct pw_translation tr;

	pw_translate(xlat, va, &tr);
	if (n->status == PW_ST_MAPPED) {
		if (tr.status != PW_ST_MAPPED || tr.pa != va + pa_base ||
		    tr.page_size != n->e->size || tr.eff_perm != n->eff_perm)
			abort();
	} else if (n->status == PW_ST_NOT_PRESENT && tr.status != PW_ST_NOT_PRESENT) {
		abort();
	}
}

static void count_note(void *state, const struct pw_note *n)
{
	struct count *c = state;
	uint64_t last = n->end - 1; /* end 0 is 2^64 */
	uint64_t page = 1ULL << c->xlat->fmt->level[c->xlat->fmt->nlevels - 1].va_shift;
	uint64_t pa_base = n->status == PW_ST_MAPPED
		? n->e->addr - (n->va & ~(n->e->size - 1)) : 0;

	c->notes++;
	/* Notes come in address order and never run backwards, a note never
	 * before the end of the one sent before it (runs are sent lazily). */
	if (n->end && n->end <= n->va)
		abort();
	if (c->notes > 1 && (!c->prev_end || n->va < c->prev_end))
		abort();
	c->prev_end = n->end;
	check_page(c->xlat, n, n->va, pa_base);
	check_page(c->xlat, n, (n->va + (last - n->va) / 2) & ~(page - 1), pa_base);
	check_page(c->xlat, n, last & ~(page - 1), pa_base);
}

static const struct pw_format *pick_format(uint8_t b)
{
	const struct pw_format *mine[16];
	int n = 0;

	for (int i = 0; pw_format_nth(i) && n < 16; i++)
		if (strcmp(pw_format_nth(i)->arch, FUZZ_ARCH) == 0)
			mine[n++] = pw_format_nth(i);
	return n ? mine[b % n] : NULL;
}

static uint64_t u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null_out;
	struct image im;
	struct pw_target t = { .arch = FUZZ_ARCH, .read = img_read, .alloc = img_alloc,
			       .free = img_free };
	const struct pw_format *fmt;
	struct pw_space sp, xlat;
	struct pw_translation tr;
	uint64_t seed;

	if (size < HEADER)
		return 0;
	if (!null_out)
		null_out = fopen("/dev/null", "w");
	fmt = pick_format(data[0]);
	if (!fmt)
		return 0;
	im.mem = data + HEADER;
	im.len = size - HEADER;
	t.ctx = &im;
	seed = u64(data + 2);
	/* Seed bit 0: tables mapped, not copied (the ptdump below then
	 * compares a mapped walk's text with a copied one's). */
	if (seed & 1) {
		t.map_phys = img_map;
		t.unmap = img_unmap;
		map_even_only = (seed >> 1) & 1;
	}
	if (pw_space_init(&sp, &t, fmt, 0))
		return 0;
	sp.max_visits = MAX_VISITS;
	if (data[1] & 1)
		sp.mem_end = im.len;
	if (strcmp(FUZZ_ARCH, "s390x") == 0 && pw_s390x_space_from_asce(&sp, u64(data + 10))) {
		pw_space_release(&sp);
		return 0;
	}
	/* Single translations, then the whole space as ptdump and as a counter. */
	for (int i = 0; i < 8; i++) {
		uint64_t va = seed * (uint64_t)(i + 1) ^ ((uint64_t)i << 61);

		pw_translate(&sp, va, &tr);
		if (tr.nsteps > PW_MAX_LEVELS)
			abort();
		if (strcmp(FUZZ_ARCH, "s390x") == 0 && tr.status == PW_ST_MAPPED) {
			uint64_t pgste;
			struct pw_pgste d;

			if (pw_pgste_read(&sp, &tr, &pgste) == PW_OK)
				pw_pgste_decode(pgste, &d);
		}
	}
	/* Each vector loop of the run compares, as far as the CPU has them. */
	pw_walk_simd((data[1] >> 5) % 3);
	if (data[1] & 2) {
		struct count c = { .xlat = &xlat };
		struct pw_visitor v = { .state = &c, .note = count_note,
					.runs_span_tables = data[1] & 16 };

		if (pw_space_init(&xlat, &t, fmt, 0) == PW_OK) {
			xlat.top_level = sp.top_level;
			xlat.top_first = sp.top_first;
			xlat.top_last = sp.top_last;
			xlat.root_pa = sp.root_pa;
			xlat.mem_end = sp.mem_end;
			pw_walk_range(&sp, seed & ~0xfffULL, 0, &v);
			pw_space_release(&xlat);
		}
	} else {
		/* ptdump with runs spanning tables, then without: the same text. */
		char *text[2] = { NULL, NULL };
		size_t len[2] = { 0, 0 };
		const struct pw_ptdump_style *style = strcmp(FUZZ_ARCH, "x86_64") == 0
			? &pw_ptdump_style_x86_64 : strcmp(FUZZ_ARCH, "arm64") == 0
			? &pw_ptdump_style_arm64 : &pw_ptdump_style_s390x;

		for (int span = 1; span >= 0; span--) {
			struct pw_ptdump d;
			struct pw_visitor v = { .state = &d, .note = pw_ptdump_note,
						.runs_span_tables = span };
			FILE *out = open_memstream(&text[span], &len[span]);
			struct pw_ptdump_opts o = { .fp = out ? out : null_out, .json = data[1] & 4,
						    .phys = data[1] & 8 };

			pw_ptdump_begin(&d, fmt, style, &o);
			/* The second walk reads every table afresh, copied. */
			pw_space_invalidate(&sp);
			if (span == 0)
				t.map_phys = NULL;
			pw_walk_range(&sp, 0, 0, &v);
			pw_ptdump_end(&d, 0);
			if (out)
				fclose(out);
		}
		if (text[0] && text[1] && (len[0] != len[1] || memcmp(text[0], text[1], len[0])))
			abort();
		free(text[0]);
		free(text[1]);
	}
	pw_space_release(&sp);
	if (maps_live)
		abort(); /* a map never given back */
	return 0;
}
