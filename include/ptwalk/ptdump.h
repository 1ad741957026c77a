/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Presenting a walk: the kernel's ptdump, as a visitor.
 *
 * The coalescing logic is the kernel's note_page(): a range grows while
 * protection, effective protection and level stay the same and no address
 * marker is crossed.  What a line looks like is the architecture's
 * struct pw_ptdump_style, so that the text matches that kernel's debugfs
 * file exactly.
 */
#ifndef PTWALK_PTDUMP_H
#define PTWALK_PTDUMP_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ptwalk/kernel.h"
#include "ptwalk/walk.h"

/*
 * One text line, built in a PW_LINE_MAX buffer and written with one fwrite():
 * a stdio call per field (and printf's format parsing) was most of a real
 * dump's ptdump time.  Each appender takes the length so far and returns the
 * new one, so that the length lives in a register (a length in memory next to
 * the characters must be reloaded after every character store); they stop at
 * PW_LINE_MAX.
 */
#define PW_LINE_MAX 512
/*
 * Text written to the stream at once: lines and markers (struct pw_ptdump).
 * A whole kernel's ptdump (about 25 KiB) is one fwrite(): a write(2) costs
 * more than a microsecond here, and 8 KiB chunks were five of them a dump.
 */
#define PW_OUT_BYTES 65536

/* k bytes of s; with a constant k the copy is a few moves. */
static inline size_t pw_put_mem(char *buf, size_t n, const char *s, size_t k)
{
	if (__builtin_expect(k <= PW_LINE_MAX - n, 1)) {
		memcpy(buf + n, s, k);
		return n + k;
	}
	memcpy(buf + n, s, PW_LINE_MAX - n);
	return PW_LINE_MAX;
}

static inline size_t pw_put_str(char *buf, size_t n, const char *s)
{
	return pw_put_mem(buf, n, s, strlen(s));
}

/*
 * One of two fixed-width strings, from a table { when false, when true } of
 * char arrays of one size: the width comes from the table, not from strlen.
 */
#define PW_PUT_CHOICE(buf, n, table, cond) \
	pw_put_mem(buf, n, (table)[(cond) ? 1 : 0], sizeof((table)[0]) - 1)

static inline size_t pw_put_char(char *buf, size_t n, char c)
{
	if (n < PW_LINE_MAX)
		buf[n++] = c;
	return n;
}

/*
 * Eight hex digits of x, most significant first, as the bytes of a uint64_t
 * in memory order: each nibble spread into a byte, then '0'-'9' / 'a'-'f'
 * with no table and no branch.
 */
static inline uint64_t pw_hex8(uint32_t x)
{
	uint64_t v = x, letters;

	v = (v | v << 16) & 0x0000ffff0000ffffULL;
	v = (v | v << 8) & 0x00ff00ff00ff00ffULL;
	v = (v | v << 4) & 0x0f0f0f0f0f0f0f0fULL; /* byte k: nibble k */
	letters = ((v + 0x0606060606060606ULL) >> 4) & 0x0101010101010101ULL;
	v += 0x3030303030303030ULL + letters * ('a' - '0' - 10);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v); /* the highest nibble first in memory */
#else
	return v;
#endif
}

/* "0x%016llx" */
static inline size_t pw_put_hex16(char *buf, size_t n, uint64_t v)
{
	uint64_t hi = pw_hex8((uint32_t)(v >> 32)), lo = pw_hex8((uint32_t)v);
	char *p = buf + n;

	if (PW_LINE_MAX - n < 18)
		return n;
	p[0] = '0';
	p[1] = 'x';
	memcpy(p + 2, &hi, 8);
	memcpy(p + 10, &lo, 8);
	return n + 18;
}

/* "0x%llx" */
size_t pw_put_hex(char *buf, size_t n, uint64_t v);
/* "%*llu": right-aligned in width columns */
size_t pw_put_udec(char *buf, size_t n, uint64_t v, int width);
/*
 * Scale *n down by 1024 while it divides evenly and a larger unit is left;
 * returns the unit letter.  units starts at *n's own unit ("BKMGTPE" for a
 * byte count, "KMGTPE" for kilobytes), as the kernels' ptdumps print sizes.
 */
char pw_size_unit(uint64_t *n, const char *units);

/*
 * The head every kernel's ptdump line starts with: "0x%016lx-0x%016lx", gap,
 * then "%9lu%c " with size scaled by pw_size_unit(units).  Inline, so that
 * the gap's length is a constant.
 */
static inline size_t pw_put_range_head(char *buf, size_t n, uint64_t start, uint64_t end,
				       const char *gap, uint64_t size, const char *units)
{
	char unit = pw_size_unit(&size, units);

	n = pw_put_hex16(buf, n, start);
	n = pw_put_char(buf, n, '-');
	n = pw_put_hex16(buf, n, end);
	n = pw_put_str(buf, n, gap);
	if (size < 1000000000 && PW_LINE_MAX - n >= 9) {
		/* "%9lu": the field is spaces, then the digits from its right end. */
		char *q = buf + n + 9;

		memcpy(buf + n, "         ", 9);
		do {
			*--q = (char)('0' + size % 10);
			size /= 10;
		} while (size);
		n += 9;
	} else {
		n = pw_put_udec(buf, n, size, 9);
	}
	n = pw_put_char(buf, n, unit);
	return pw_put_char(buf, n, ' ');
}

/* What a note turns into, for comparing and printing. */
struct pw_ptdump_key {
	int plevel;        /* the kernel ptdump's level number */
	uint64_t prot;     /* compared, and printed */
	uint64_t eff;      /* compared only (effective permissions) */
	int present;
};

struct pw_ptdump_style {
	const char *const *level_names; /* by plevel */
	/* Map a walker note to the kernel's view of it. */
	void (*key)(const struct pw_format *fmt, const struct pw_note *n,
		    struct pw_ptdump_key *out);
	/* Append one finished range to a line of PW_LINE_MAX bytes at buf + n
	 * (without the newline); returns the new length. */
	size_t (*print_range)(char *buf, size_t n, uint64_t start, uint64_t end,
			      const struct pw_ptdump_key *key);
	/* Names of the protection flags set, for JSON; returns the count. */
	int (*prot_names)(const struct pw_ptdump_key *key, const char **names,
			  int max);
	/* Whether effective permissions are writable and executable. */
	int (*is_wx)(const struct pw_ptdump_key *key);
	/* A W+X range the kernel's own check lets pass (may be NULL). */
	int (*wx_allowed)(uint64_t start, uint64_t end);
	/*
	 * How a note past the next marker crosses markers (0: x86).  ONE:
	 * one marker per new range (x86 note_page()); ALL: every marker the
	 * address has passed (s390's while loop); TWICE: one, then once more
	 * after the note (arm64 note_page() tests again after its branches).
	 */
	enum pw_ptdump_markers {
		PW_PTDUMP_MARKERS_ONE = 0,
		PW_PTDUMP_MARKERS_ALL,
		PW_PTDUMP_MARKERS_TWICE,
	} markers;
	/* Non-zero: the kernel's last range ends where its walk ends (s390
	 * flushes at max_addr), so pw_ptdump_run() ends the default dump at
	 * the end of the last default range instead of at 0. */
	int end_at_range_end;
};

extern const struct pw_ptdump_style pw_ptdump_style_x86_64;
extern const struct pw_ptdump_style pw_ptdump_style_arm64;
extern const struct pw_ptdump_style pw_ptdump_style_s390x;

struct pw_ptdump_opts {
	FILE *fp;
	int json;          /* one JSON object per line instead of text */
	int phys;          /* split where PAs stop being contiguous; show PA */
	const struct pw_marker *markers;
	int nmarkers;
};

/* The state of one dump; a struct pw_visitor's state. */
struct pw_ptdump {
	struct pw_ptdump_opts o;
	const struct pw_format *fmt;
	const struct pw_ptdump_style *style;
	int started;
	struct pw_ptdump_key cur;
	enum pw_status cur_status;
	uint64_t start;
	int marker;        /* index of the current marker */
	unsigned long lines;
	uint64_t pa_start, pa_next;
	int pa_valid;
	/* Totals, for summaries and benches. */
	uint64_t mapped_bytes;
	uint64_t ranges;
	uint64_t wx_bytes;
	/*
	 * Text lines are built here in place and written a chunk at a time:
	 * a stdio call per line was a fifth of the text's cost.  Last, so that
	 * pw_ptdump_begin() clears only what comes before it.
	 */
	size_t out_len;
	char out[PW_OUT_BYTES];
};

void pw_ptdump_begin(struct pw_ptdump *d, const struct pw_format *fmt,
		     const struct pw_ptdump_style *style,
		     const struct pw_ptdump_opts *o);
/* The visitor's note function; state is a struct pw_ptdump. */
void pw_ptdump_note(void *state, const struct pw_note *n);
/* Flush the last range, ending at end (0: the kernel's note_page(st, 0, -1, 0)). */
void pw_ptdump_end(struct pw_ptdump *d, uint64_t end);

/*
 * Dump the given ranges of an address space (the kernel's default ranges
 * when nranges == 0), handing every entry also to `also` (a checker; may
 * be NULL).  Returns PW_OK or PW_ERR_INTERRUPTED.
 */
int pw_ptdump_run(struct pw_kernel *k, struct pw_space *sp,
		  const struct pw_ptdump_opts *o,
		  const uint64_t (*ranges)[2], int nranges,
		  const struct pw_visitor *also);

#endif
