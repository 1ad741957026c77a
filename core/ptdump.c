// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic half of ptdump: the kernel's note_page() range coalescing and
 * marker handling (mm/ptdump.c, arch/x86/mm/dump_pagetables.c), with the
 * look of a line left to the architecture's struct pw_ptdump_style.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "ptwalk/ptdump.h"

#define PW_MAX_PROT_NAMES 16

void pw_ptdump_begin(struct pw_ptdump *d, const struct pw_format *fmt,
		     const struct pw_ptdump_style *style,
		     const struct pw_ptdump_opts *o)
{
	memset(d, 0, offsetof(struct pw_ptdump, out));
	d->o = *o;
	d->fmt = fmt;
	d->style = style;
}

/*
 * Write out the text built so far: one write(2) on the stream's descriptor
 * after whatever the stream still holds.  fwrite() would split a chunk larger
 * than its buffer into two system calls, each costing as much as a tenth of a
 * whole kernel's walk.  What write() does not take (an error, a stream with no
 * descriptor such as a memory stream) goes through fwrite(), which then sets
 * the stream's error flag the caller checks (a closed pipe).
 */
static void out_flush(struct pw_ptdump *d)
{
	const char *p = d->out;
	size_t left = d->out_len;
	int fd = fileno(d->o.fp);

	if (left && fd >= 0 && fflush(d->o.fp) == 0) {
		while (left) {
			ssize_t n = write(fd, p, left);

			if (n > 0) {
				p += n;
				left -= (size_t)n;
			} else if (n < 0 && errno == EINTR) {
				continue;
			} else {
				break;
			}
		}
	}
	if (left)
		fwrite_unlocked(p, 1, left, d->o.fp);
	d->out_len = 0;
}

/* Where the next text line is built: PW_LINE_MAX bytes of room. */
static char *line_begin(struct pw_ptdump *d)
{
	if (d->out_len > sizeof(d->out) - PW_LINE_MAX)
		out_flush(d);
	return d->out + d->out_len;
}

static const char *marker_name(const struct pw_ptdump *d, int i)
{
	return i < d->o.nmarkers ? d->o.markers[i].name : NULL;
}

/* Address of the marker after the current one; none means "never". */
static int past_next_marker(const struct pw_ptdump *d, uint64_t addr)
{
	int next = d->marker + 1;

	return next < d->o.nmarkers && addr >= d->o.markers[next].va;
}

static void print_marker(struct pw_ptdump *d)
{
	const char *name = marker_name(d, d->marker);

	if (!name)
		return;
	if (d->o.json)
		fprintf(d->o.fp, "{\"type\":\"marker\",\"name\":\"%s\",\"va\":\"0x%llx\"}\n",
			name, (unsigned long long)d->o.markers[d->marker].va);
	else {
		char *line = line_begin(d);
		size_t n = pw_put_str(line, 0, "---[ ");

		n = pw_put_str(line, n, name);
		n = pw_put_str(line, n, " ]---\n");
		d->out_len += n;
	}
}

/* Cross into the next marker (the kernel's st->marker++ and its header). */
static void next_marker(struct pw_ptdump *d)
{
	d->marker++;
	d->lines = 0;
	print_marker(d);
}

static void print_json_range(struct pw_ptdump *d, uint64_t end)
{
	const char *names[PW_MAX_PROT_NAMES];
	int n = d->style->prot_names(&d->cur, names, PW_MAX_PROT_NAMES);
	FILE *fp = d->o.fp;

	fprintf(fp, "{\"type\":\"range\",\"va_start\":\"0x%llx\",", (unsigned long long)d->start);
	if (end)
		fprintf(fp, "\"va_end\":\"0x%llx\",", (unsigned long long)end);
	else
		fprintf(fp, "\"va_end\":\"0x10000000000000000\",");
	fprintf(fp, "\"level\":\"%s\",\"present\":%s,\"prot\":[",
		d->style->level_names[d->cur.plevel], d->cur.present ? "true" : "false");
	for (int i = 0; i < n; i++)
		fprintf(fp, "%s\"%s\"", i ? "," : "", names[i]);
	fputc(']', fp);
	if (d->cur_status != PW_ST_MAPPED && d->cur_status != PW_ST_NOT_PRESENT)
		fprintf(fp, ",\"status\":\"%s\"", pw_status_name(d->cur_status));
	if (d->o.phys && d->pa_valid)
		fprintf(fp, ",\"pa_start\":\"0x%llx\"", (unsigned long long)d->pa_start);
	fputs("}\n", fp);
}

/* Print the range [d->start, end) that has just ended. */
static void flush_range(struct pw_ptdump *d, uint64_t end)
{
	const struct pw_marker *m = d->marker < d->o.nmarkers ? &d->o.markers[d->marker] : NULL;

	d->ranges++;
	if (d->style->is_wx(&d->cur) &&
	    !(d->style->wx_allowed && d->style->wx_allowed(d->start, end)))
		d->wx_bytes += end - d->start;
	if (d->o.json) {
		print_json_range(d, end);
	} else if (!m || !m->max_lines || d->lines < m->max_lines) {
		char *line = line_begin(d);
		size_t n = d->style->print_range(line, 0, d->start, end, &d->cur);

		if (d->cur_status != PW_ST_MAPPED && d->cur_status != PW_ST_NOT_PRESENT) {
			n = pw_put_str(line, n, "  [");
			n = pw_put_str(line, n, pw_status_name(d->cur_status));
			n = pw_put_char(line, n, ']');
		}
		if (d->o.phys && d->pa_valid) {
			n = pw_put_str(line, n, "  pa=");
			n = pw_put_hex(line, n, d->pa_start);
		}
		d->out_len += pw_put_char(line, n, '\n');
	}
	d->lines++;
}

static void note_key(struct pw_ptdump *d, uint64_t addr,
		     const struct pw_ptdump_key *key, enum pw_status status,
		     int pa_valid, uint64_t pa)
{
	int pa_break = d->o.phys && pa_valid && d->pa_valid && pa != d->pa_next;

	if (!d->started) {
		d->started = 1;
		/* The kernel starts at 0 and marker 0; a -r dump may start later. */
		d->marker = 0;
		while (past_next_marker(d, addr))
			d->marker++;
		d->lines = 0;
		print_marker(d);
	} else if (key->prot != d->cur.prot || key->eff != d->cur.eff ||
		   key->plevel != d->cur.plevel || status != d->cur_status ||
		   pa_valid != d->pa_valid || pa_break ||
		   past_next_marker(d, addr)) {
		flush_range(d, addr);
		if (past_next_marker(d, addr)) {
			const struct pw_marker *m = &d->o.markers[d->marker];

			if (!d->o.json && m->max_lines && d->lines > m->max_lines) {
				unsigned long skip = d->lines - m->max_lines;
				char *line = line_begin(d);
				size_t k = pw_put_str(line, 0, "... ");

				k = pw_put_udec(line, k, skip, 0);
				k = pw_put_str(line, k, skip == 1 ? " entry" : " entries");
				d->out_len += pw_put_str(line, k, " skipped ... \n");
			}
			d->marker++;
			d->lines = 0;
			print_marker(d);
			while (d->style->markers == PW_PTDUMP_MARKERS_ALL &&
			       past_next_marker(d, addr))
				next_marker(d);
		}
	} else {
		/* Same range continues. */
		if (pa_valid)
			d->pa_next = pa;
		return;
	}
	d->start = addr;
	d->cur = *key;
	d->cur_status = status;
	d->pa_valid = pa_valid;
	d->pa_start = pa;
	d->pa_next = pa;
	if (d->style->markers == PW_PTDUMP_MARKERS_TWICE && past_next_marker(d, addr))
		next_marker(d);
}

/*
 * The first entry boundary at or after a marker strictly inside (va, end):
 * the walker hands runs of equal entries as one note, where the kernel
 * noted every entry and so broke ranges at markers.  0 when none.
 */
static uint64_t marker_cut(const struct pw_ptdump *d, uint64_t va, uint64_t end,
			   uint64_t span)
{
	uint64_t last = end - 1; /* end 0 is 2^64 */

	/* Called after va's note: markers are sorted (struct pw_kernel), and
	 * those before the current one lie at or below va. */
	for (int i = d->marker; i < d->o.nmarkers; i++) {
		uint64_t m = d->o.markers[i].va, cut;

		if (m > last)
			break;
		if (m <= va)
			continue;
		cut = va + ((m - va + span - 1) & ~(span - 1)); /* span: a power of two */
		if (cut > va && cut <= last)
			return cut;
	}
	return 0;
}

/*
 * A marker the range's start has already passed but that the note did not
 * cross (x86 crosses one marker a note; the LDT remap marker lies below the
 * guard hole's end, where the kernel's second range starts, right after
 * "Kernel Space"): the kernel's very next note crosses it, one entry on.
 * That entry's end, if inside (va, end); else 0.
 */
static uint64_t next_entry_cut(uint64_t va, uint64_t end, uint64_t span)
{
	uint64_t cut = (va & ~(span - 1)) + span;

	return cut && cut <= end - 1 ? cut : 0;
}

void pw_ptdump_note(void *state, const struct pw_note *n)
{
	struct pw_ptdump *d = state;
	struct pw_ptdump_key key;
	int mapped = n->status == PW_ST_MAPPED;
	/* PA = VA + pa_base inside a (run of) leaf entries. */
	uint64_t pa_base = mapped ? n->e->addr - (n->va & ~(n->e->size - 1)) : 0;
	uint64_t span = pw_level_span(d->fmt, n->level);
	uint64_t va = n->va;

	d->style->key(d->fmt, n, &key);
	for (;;) {
		uint64_t cut, end;

		note_key(d, va, &key, n->status, mapped && d->o.phys, va + pa_base);
		cut = past_next_marker(d, va) ? next_entry_cut(va, n->end, span)
					      : marker_cut(d, va, n->end, span);
		end = cut ? cut : n->end;
		if (mapped) {
			d->mapped_bytes += end - va;
			d->pa_next = end + pa_base;
		}
		if (!cut)
			break;
		va = cut;
	}
}

void pw_ptdump_end(struct pw_ptdump *d, uint64_t end)
{
	if (d->started) {
		flush_range(d, end);
		while (d->style->markers == PW_PTDUMP_MARKERS_ALL && past_next_marker(d, end))
			next_marker(d);
	}
	out_flush(d);
}

/* ptdump and a second visitor (a checker) over the same walk. */
struct tee {
	struct pw_ptdump *d;
	const struct pw_visitor *also;
};

static void tee_note(void *state, const struct pw_note *n)
{
	struct tee *t = state;

	pw_ptdump_note(t->d, n);
	if (t->also && t->also->note)
		t->also->note(t->also->state, n);
}

static int tee_enter(void *state, const struct pw_table_visit *tv)
{
	struct tee *t = state;

	return t->also && t->also->enter_table ? t->also->enter_table(t->also->state, tv) : 0;
}

int pw_ptdump_run(struct pw_kernel *k, struct pw_space *sp,
		  const struct pw_ptdump_opts *o,
		  const uint64_t (*ranges)[2], int nranges,
		  const struct pw_visitor *also)
{
	struct pw_ptdump d;
	struct tee t = { .d = &d, .also = also };
	/* A checker alongside wants a note per table; ptdump alone coalesces. */
	struct pw_visitor v = { .state = &t, .note = tee_note,
				.enter_table = also && also->enter_table ? tee_enter : NULL,
				.runs_span_tables = also == NULL };
	uint64_t end = 0;
	int err = PW_OK;

	pw_ptdump_begin(&d, sp->fmt, k->arch->ptdump_style, o);
	if (nranges == 0) {
		for (int i = 0; i < k->ndump_ranges && !err; i++)
			err = pw_walk_range(sp, k->dump_range[i].start,
					    k->dump_range[i].end, &v);
	} else {
		for (int i = 0; i < nranges && !err; i++)
			err = pw_walk_range(sp, ranges[i][0], ranges[i][1], &v);
	}
	/* The kernel flushes with note_page(st, 0, -1, 0): its last range ends
	 * at 0.  A dump of chosen ranges ends where the last range does. */
	if (nranges)
		end = ranges[nranges - 1][1];
	else if (d.style->end_at_range_end && k->ndump_ranges)
		end = k->dump_range[k->ndump_ranges - 1].end;
	pw_ptdump_end(&d, end);
	return err;
}

size_t pw_put_hex(char *buf, size_t n, uint64_t v)
{
	char s[19];
	int i = (int)sizeof(s) - 1;

	s[i] = '\0';
	do {
		s[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	s[--i] = 'x';
	s[--i] = '0';
	return pw_put_str(buf, n, s + i);
}

size_t pw_put_udec(char *buf, size_t n, uint64_t v, int width)
{
	char digits[20];
	int nd = 0, pad;

	do {
		digits[sizeof(digits) - 1 - nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	pad = width > nd ? width - nd : 0;
	if (PW_LINE_MAX - n < (size_t)(pad + nd))
		return n;
	memset(buf + n, ' ', (size_t)pad);
	memcpy(buf + n + pad, digits + sizeof(digits) - nd, (size_t)nd);
	return n + (size_t)(pad + nd);
}

char pw_size_unit(uint64_t *n, const char *units)
{
	const char *u = units;

	while (!(*n & 1023) && u[1]) {
		*n >>= 10;
		u++;
	}
	return *u;
}
