// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The generic page-table walker.  Knows nothing about any architecture:
 * everything comes from struct pw_format.
 */
#include <stdio.h>
#include <string.h>

#include "ptwalk/walk.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* How often (in entries) a range walk asks whether the user wants to stop. */
#define PW_INTERRUPT_CHECK_EVERY 4096

const char *pw_status_name(enum pw_status st)
{
	switch (st) {
	case PW_ST_MAPPED: return "mapped";
	case PW_ST_NOT_PRESENT: return "not-present";
	case PW_ST_BAD_ENTRY: return "bad-entry";
	case PW_ST_UNREADABLE: return "unreadable";
	case PW_ST_EXCLUDED: return "excluded";
	case PW_ST_LOOP: return "table-loop";
	case PW_ST_BAD_PFN: return "bad-pfn";
	case PW_ST_NONCANONICAL: return "non-canonical";
	case PW_ST_OUT_OF_RANGE: return "out-of-range";
	}
	return "unknown";
}

const char *pw_status_reason(const struct pw_translation *tr)
{
	const struct pw_step *s = tr->nsteps ? &tr->step[tr->nsteps - 1] : NULL;

	switch (tr->status) {
	case PW_ST_NOT_PRESENT:
	case PW_ST_BAD_ENTRY:
		return s && s->e.why ? s->e.why : pw_status_name(tr->status);
	case PW_ST_UNREADABLE:
		return "the table is not in the dump";
	case PW_ST_EXCLUDED:
		return "the table was excluded from the dump";
	case PW_ST_LOOP:
		return "the table points back to itself or to a table above it";
	case PW_ST_BAD_PFN:
		return "the entry points beyond the end of memory";
	case PW_ST_NONCANONICAL:
		return "the address is not canonical";
	case PW_ST_OUT_OF_RANGE:
		return "the index is outside the table";
	case PW_ST_MAPPED:
		break;
	}
	return "mapped";
}

int pw_space_init(struct pw_space *sp, const struct pw_target *t,
		  const struct pw_format *fmt, uint64_t root_pa)
{
	memset(sp, 0, sizeof(*sp));
	sp->target = t;
	sp->fmt = fmt;
	sp->root_pa = root_pa;
	sp->top_level = 0;
	sp->top_first = 0;
	sp->top_last = pw_level_entries(fmt, 0) - 1;
	for (int l = 0; l < fmt->nlevels; l++) {
		uint32_t bytes = fmt->level[l].table_bytes;
		/*
		 * Level 0 has no parent to read it ahead.  Nor does a target
		 * that maps tables: read-ahead is for copies (walk.h), and a
		 * mapped table is best walked right after its map, as the
		 * bench's floor takes it.  Measured with bench-kdump on an AMD
		 * EPYC (Zen 4), synthetic 64 GiB dump: 1.15-1.22x the floor
		 * mapped one at a time, 1.8-2.3x with windows of 8 (with or
		 * without a prefetch of the window's next table).
		 */
		uint32_t cap = l && bytes && !t->map_phys ? PW_READAHEAD_BYTES / bytes : 1;

		if (cap < 1)
			cap = 1;
		if (cap > PW_READAHEAD_MAX)
			cap = PW_READAHEAD_MAX;
		sp->buf[l].window = t->alloc(t->ctx, (size_t)cap * bytes);
		if (!sp->buf[l].window) {
			pw_space_release(sp);
			return PW_ERR_NOMEM;
		}
		sp->buf[l].data = sp->buf[l].window;
		sp->buf[l].cap = cap;
	}
	return PW_OK;
}

/* Give back the table window slot k holds mapped, if it does. */
static void unmap_slot(struct pw_space *sp, struct pw_table_buf *b, uint32_t k)
{
	if (b->win_map[k]) {
		sp->target->unmap(sp->target->ctx, b->win_map[k]);
		b->win_map[k] = NULL;
	}
}

/* Give back the tables a level's window holds mapped. */
static void unmap_window(struct pw_space *sp, int level)
{
	for (uint32_t k = 0; k < PW_READAHEAD_MAX; k++)
		unmap_slot(sp, &sp->buf[level], k);
}

void pw_space_release(struct pw_space *sp)
{
	for (int l = 0; l < PW_MAX_LEVELS; l++) {
		unmap_window(sp, l);
		if (sp->buf[l].window)
			sp->target->free(sp->target->ctx, sp->buf[l].window);
		sp->buf[l].window = NULL;
		sp->buf[l].data = NULL;
		sp->buf[l].valid = 0;
		sp->buf[l].count = 0;
	}
}

void pw_space_invalidate(struct pw_space *sp)
{
	for (int l = 0; l < PW_MAX_LEVELS; l++) {
		unmap_window(sp, l);
		sp->buf[l].valid = 0;
		sp->buf[l].count = 0;
	}
}

/*
 * Take the table at pa into window slot `slot` of its level: mapped where
 * the target can, else copied into the slot.
 */
static int read_slot(struct pw_space *sp, int level, uint32_t slot, uint64_t pa)
{
	struct pw_table_buf *b = &sp->buf[level];
	const struct pw_target *t = sp->target;
	uint32_t bytes = sp->fmt->level[level].table_bytes;
	uint8_t *copy = b->window + (size_t)slot * bytes;
	const void *mapped = NULL;
	int err = PW_OK;

	unmap_slot(sp, b, slot);
	if (t->map_phys)
		mapped = t->map_phys(t->ctx, pa, bytes, &b->win_map[slot]);
	if (mapped) {
		b->win_data[slot] = mapped;
		sp->tables_mapped++;
	} else {
		b->win_map[slot] = NULL;
		b->win_data[slot] = copy;
		err = pw_read_phys(t, pa, copy, bytes);
	}
	b->win_pa[slot] = pa;
	b->win_err[slot] = err;
	sp->tables_read++;
	if (!err)
		sp->bytes_read += bytes;
	else
		sp->tables_unreadable++;
	return err;
}

/* Make window slot `slot` its level's current table. */
static int use_slot(struct pw_space *sp, int level, uint32_t slot)
{
	struct pw_table_buf *b = &sp->buf[level];

	b->data = b->win_data[slot];
	b->pa = b->win_pa[slot];
	b->err = b->win_err[slot];
	b->valid = 1;
	return b->err;
}

/* The window slot holding the table at pa, or -1. */
static int window_slot(const struct pw_table_buf *b, uint64_t pa)
{
	for (uint32_t k = 0; k < b->count; k++)
		if (b->win_pa[k] == pa)
			return (int)k;
	return -1;
}

/* Whether pa is the window's next table: the walk takes them in order. */
static inline int window_next(const struct pw_table_buf *b, uint64_t pa)
{
	return b->cursor < b->count && b->win_pa[b->cursor] == pa;
}

/* The slow half of load_table: from the window, else read alone. */
static int __attribute__((noinline)) read_table(struct pw_space *sp, int level, uint64_t pa)
{
	struct pw_table_buf *b = &sp->buf[level];
	int slot = window_next(b, pa) ? (int)b->cursor : window_slot(b, pa);

	if (slot < 0) {
		slot = 0;
		read_slot(sp, level, 0, pa);
		b->count = 1;
	}
	b->cursor = (uint32_t)slot + 1;
	return use_slot(sp, level, (uint32_t)slot);
}

/* Make the table at pa the current one of its level; read it whole, once. */
static inline int load_table(struct pw_space *sp, int level, uint64_t pa)
{
	const struct pw_table_buf *b = &sp->buf[level];

	if (b->valid && b->pa == pa)
		return b->err;
	return read_table(sp, level, pa);
}

static inline __attribute__((always_inline)) uint64_t
table_entry(const struct pw_space *sp, int level, uint32_t index)
{
	const uint8_t *p = sp->buf[level].data + (size_t)index * sp->fmt->entry_bytes;
	uint64_t v = 0;

	if (sp->fmt->entry_bytes == 8) {
		memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		return sp->fmt->big_endian ? __builtin_bswap64(v) : v;
#else
		return sp->fmt->big_endian ? v : __builtin_bswap64(v);
#endif
	}
	for (int i = 0; i < sp->fmt->entry_bytes; i++) {
		int byte = sp->fmt->big_endian ? i : sp->fmt->entry_bytes - 1 - i;

		v = (v << 8) | p[byte];
	}
	return v;
}

static enum pw_status read_error_status(int err)
{
	return err == PW_ERR_EXCLUDED ? PW_ST_EXCLUDED : PW_ST_UNREADABLE;
}

/* Sign-extend a linear address to a canonical one. */
static uint64_t canonical(const struct pw_format *fmt, uint64_t lin)
{
	if (!fmt->sign_extend || fmt->va_bits >= 64)
		return lin;
	if (lin & (1ULL << (fmt->va_bits - 1)))
		return lin | (UINT64_MAX << fmt->va_bits);
	return lin;
}

/* Number of VA bits the top table of this space resolves. */
static int space_va_bits(const struct pw_space *sp)
{
	const struct pw_level *top = &sp->fmt->level[sp->top_level];

	return top->va_shift + top->index_bits;
}

/* Whether a table with this PA would be a legal place for a table. */
static int table_pa_ok(const struct pw_space *sp, uint64_t pa)
{
	if (pa >= sp->fmt->max_pa)
		return 0;
	return !sp->mem_end || pa < sp->mem_end;
}

int pw_translate(struct pw_space *sp, uint64_t va, struct pw_translation *tr)
{
	const struct pw_format *fmt = sp->fmt;
	uint64_t table = sp->root_pa;
	uint32_t first = sp->top_first, last = sp->top_last;
	int level = sp->top_level;
	int vbits = space_va_bits(sp);

	memset(tr, 0, sizeof(*tr));
	tr->va = va;
	tr->eff_perm = PW_PERM_ALL;
	if (!pw_va_canonical(fmt, va)) {
		tr->status = PW_ST_NONCANONICAL;
		return PW_OK;
	}
	if (!fmt->sign_extend && vbits < 64 && (va >> vbits)) {
		tr->status = PW_ST_OUT_OF_RANGE;
		return PW_OK;
	}
	while (level >= 0 && level < fmt->nlevels && tr->nsteps < PW_MAX_LEVELS) {
		const struct pw_level *lv = &fmt->level[level];
		uint32_t index = (uint32_t)((va >> lv->va_shift) &
					    ((1ULL << lv->index_bits) - 1));
		struct pw_step *s = &tr->step[tr->nsteps];

		s->level = level;
		s->table_pa = table;
		s->index = index;
		s->entry_pa = table + (uint64_t)index * fmt->entry_bytes;
		for (int i = 0; i < tr->nsteps; i++) {
			if (tr->step[i].table_pa == table) {
				tr->status = PW_ST_LOOP;
				tr->nsteps++;
				return PW_OK;
			}
		}
		if (index < first || index > last) {
			tr->status = PW_ST_OUT_OF_RANGE;
			tr->nsteps++;
			return PW_OK;
		}
		tr->err = load_table(sp, level, table);
		if (tr->err) {
			tr->status = read_error_status(tr->err);
			tr->nsteps++;
			return PW_OK;
		}
		s->raw = table_entry(sp, level, index);
		pw_decode(fmt, level, s->raw, &s->e);
		tr->nsteps++;
		switch (s->e.kind) {
		case PW_ENTRY_NONE:
			tr->status = PW_ST_NOT_PRESENT;
			return PW_OK;
		case PW_ENTRY_BAD:
			tr->status = PW_ST_BAD_ENTRY;
			return PW_OK;
		case PW_ENTRY_LEAF:
			if (s->e.addr >= fmt->max_pa) {
				tr->status = PW_ST_BAD_PFN;
				return PW_OK;
			}
			tr->eff_perm &= s->e.perm;
			tr->page_size = s->e.size;
			tr->pa = s->e.addr + (va & (s->e.size - 1));
			tr->status = PW_ST_MAPPED;
			return PW_OK;
		case PW_ENTRY_TABLE:
			if (!table_pa_ok(sp, s->e.addr) || s->e.next_level < 0) {
				tr->status = s->e.next_level < 0 ? PW_ST_BAD_ENTRY
								 : PW_ST_BAD_PFN;
				return PW_OK;
			}
			tr->eff_perm &= s->e.perm;
			table = s->e.addr;
			first = s->e.next_first;
			last = s->e.next_last;
			level = s->e.next_level;
			break;
		}
	}
	/* A format whose decode never reaches a leaf: treat as a bad entry. */
	tr->status = PW_ST_BAD_ENTRY;
	return PW_OK;
}

/*
 * A run of entries handed to visitors as one note: equal not-present entries, or leaves
 * whose raw values step by their size within fmt->linear_addr_mask (same
 * attributes, contiguous output addresses).  Its note is sent lazily, when
 * anything else is noted or the run cannot go on; with a visitor's
 * runs_span_tables it may go on into the next table of its level.
 */
struct run {
	int active;
	int level;
	uint64_t table_pa;
	uint64_t va, va_last;
	uint64_t raw, next_raw, step;
	struct pw_entry e;
	uint32_t eff;
	uint64_t entry_pa;
	enum pw_status st;
};

/* State of one range walk. */
struct range_walk {
	struct pw_space *sp;
	const struct pw_visitor *v;
	uint64_t start, last;   /* inclusive bounds, linear (see canonical()) */
	uint64_t ancestors[PW_MAX_LEVELS];
	uint64_t entries_seen, next_check;
	uint64_t visits;
	int interrupted; /* or stopped: err says why */
	int err;
	struct run run;  /* the run whose note is still to be sent */
};

/* Whether pa is one of the first n tables on the path down (a loop). */
static inline int is_ancestor(const struct range_walk *w, int n, uint64_t pa)
{
	for (int d = 0; d < n; d++)
		if (w->ancestors[d] == pa)
			return 1;
	return 0;
}

static inline __attribute__((always_inline)) void
emit_note(struct range_walk *w, uint64_t lin, uint64_t lin_last, int level,
	  uint64_t raw, const struct pw_entry *e, uint32_t eff,
	  uint64_t table_pa, uint64_t entry_pa, enum pw_status st, int err)
{
	const struct pw_format *fmt = w->sp->fmt;
	struct pw_note n = {
		.va = canonical(fmt, lin < w->start ? w->start : lin),
		.end = canonical(fmt, lin_last > w->last ? w->last : lin_last) + 1,
		.level = level,
		.raw = raw,
		.e = e,
		.eff_perm = eff,
		.table_pa = table_pa,
		.entry_pa = entry_pa,
		.status = st,
		.err = err,
	};

	w->v->note(w->v->state, &n);
}

/* Send the pending run's note (callers test w->run.active: most entries
 * start no run, and the test is cheaper than the call). */
static void run_flush(struct range_walk *w)
{
	struct run *r = &w->run;

	emit_note(w, r->va, r->va_last, r->level, r->raw, &r->e, r->eff, r->table_pa,
		  r->entry_pa, r->st, 0);
	r->active = 0;
}

/* A note for one entry or hole, after the pending run's: notes go in VA order. */
static inline __attribute__((always_inline)) void
emit(struct range_walk *w, uint64_t lin, uint64_t lin_last, int level,
     uint64_t raw, const struct pw_entry *e, uint32_t eff,
     uint64_t table_pa, uint64_t entry_pa, enum pw_status st, int err)
{
	if (w->run.active)
		run_flush(w);
	emit_note(w, lin, lin_last, level, raw, e, eff, table_pa, entry_pa, st, err);
}

/*
 * Count entries about to be looked at; every PW_INTERRUPT_CHECK_EVERY of
 * them ask the target whether the user wants to stop.  Asked once per table,
 * not per entry: the largest table (arm64 64K granule) is 8192 entries.
 */
static int check_interrupt(struct range_walk *w, uint32_t entries)
{
	const struct pw_target *t = w->sp->target;

	if (w->interrupted)
		return 1;
	w->entries_seen += entries;
	if (w->entries_seen < w->next_check)
		return 0;
	w->next_check = w->entries_seen + PW_INTERRUPT_CHECK_EVERY;
	if (t->interrupted && t->interrupted(t->ctx)) {
		w->interrupted = 1;
		w->err = PW_ERR_INTERRUPTED;
	}
	return w->interrupted;
}

/* Count a table visit against the space's budget; non-zero when it ran out
 * (the walk then stops with PW_ERR_LIMIT). */
static int count_visit(struct range_walk *w)
{
	const struct pw_space *sp = w->sp;

	if (++w->visits <= (sp->max_visits ? sp->max_visits : PW_DEFAULT_MAX_VISITS))
		return 0;
	w->interrupted = 1;
	w->err = PW_ERR_LIMIT;
	return 1;
}

/* Entries first..last of a table that lie outside its valid part (s390
 * TF/TL): a note each. */
static void emit_out_of_range(struct range_walk *w, int level, uint64_t table_pa,
			      uint64_t base_lin, uint32_t first, uint32_t last)
{
	const struct pw_format *fmt = w->sp->fmt;
	uint64_t span = pw_level_span(fmt, level);
	const struct pw_entry hole = { .kind = PW_ENTRY_NONE,
				       .why = "outside the table's valid part" };

	for (uint64_t i = first; i <= last; i++) {
		uint64_t va = base_lin + i * span;

		emit(w, va, va + span - 1, level, 0, &hole, 0, table_pa,
		     table_pa + i * fmt->entry_bytes, PW_ST_OUT_OF_RANGE, 0);
	}
}

/*
 * Whether entry `raw` at va (level, table_pa; effective permissions eff,
 * status st) carries the pending run on: the next value, address and
 * attributes (no carry out of the address bits), the same level, permissions
 * and status, in the same table unless the visitor lets runs span tables.
 */
static inline int run_goes_on(const struct range_walk *w, int level, uint64_t table_pa,
			      uint64_t va, uint64_t raw, uint32_t eff, enum pw_status st)
{
	const struct run *r = &w->run;

	return r->active && raw == r->next_raw && va == r->va_last + 1 && level == r->level &&
	       eff == r->eff && st == r->st &&
	       !((raw ^ r->raw) & ~w->sp->fmt->linear_addr_mask) &&
	       (table_pa == r->table_pa || w->v->runs_span_tables);
}

/*
 * Entry `raw` (decoded in e) at va .. va_last goes into a run: the pending
 * one when it carries on from it (run_goes_on()), else a new one after the
 * pending one's note.  A new run keeps a copy of e: its note may be sent
 * after later entries, or later tables, were decoded.
 */
static inline __attribute__((always_inline)) void
run_begin(struct range_walk *w, int level, uint64_t table_pa, uint64_t va, uint64_t va_last,
	  uint64_t raw, const struct pw_entry *e, uint64_t step, uint32_t eff,
	  uint64_t entry_pa, enum pw_status st)
{
	struct run *r = &w->run;

	if (r->active) {
		if (run_goes_on(w, level, table_pa, va, raw, eff, st)) {
			r->va_last = va_last;
			r->next_raw = raw + step;
			return;
		}
		run_flush(w);
	}
	r->active = 1;
	r->level = level;
	r->table_pa = table_pa;
	r->va = va;
	r->va_last = va_last;
	r->raw = raw;
	r->e = *e;
	r->step = step;
	r->next_raw = raw + step;
	r->eff = eff;
	r->entry_pa = entry_pa;
	r->st = st;
}

/*
 * The run-extension loop for native-endian 8-byte entries, eight entries at a
 * time without a branch per entry (the compiler vectorizes the block): a 4K-page
 * direct map is runs of 512 entries, and this loop is then most of a walk's time.
 * Returns the last index of the run found so far (< stop or == stop); the caller's
 * entry-at-a-time loop finishes the run.
 */
#define PW_RUN_BLOCK 8
typedef uint64_t pw_u64x2 __attribute__((vector_size(16)));

static inline pw_u64x2 load_u64x2(const uint8_t *p)
{
	pw_u64x2 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t run_extend_native(const uint8_t *tb, uint32_t i, uint32_t stop,
				  uint64_t *next, uint64_t step)
{
	uint64_t n = *next;
	pw_u64x2 e0 = { n, n + step }, e1 = e0 + 2 * step, e2 = e0 + 4 * step,
		 e3 = e0 + 6 * step;
	const pw_u64x2 advance = { PW_RUN_BLOCK * step, PW_RUN_BLOCK * step };

	while (stop - i >= PW_RUN_BLOCK) {
		const uint8_t *p = tb + (size_t)(i + 1) * 8;
		pw_u64x2 diff = (load_u64x2(p) ^ e0) | (load_u64x2(p + 16) ^ e1) |
				(load_u64x2(p + 32) ^ e2) | (load_u64x2(p + 48) ^ e3);

		if (diff[0] | diff[1])
			break;
		e0 += advance;
		e1 += advance;
		e2 += advance;
		e3 += advance;
		i += PW_RUN_BLOCK;
	}
	*next = e0[0];
	return i;
}

#if defined(__x86_64__)
/* The OR of X(0) .. X(7), as a tree: the vectors of 32 entries, combined. */
#define PW_OR_TREE8(X)                                                         \
	_mm256_or_si256(_mm256_or_si256(_mm256_or_si256(X(0), X(1)),           \
					_mm256_or_si256(X(2), X(3))),          \
			_mm256_or_si256(_mm256_or_si256(X(4), X(5)),           \
					_mm256_or_si256(X(6), X(7))))

/*
 * Whether the 32 entries at p equal the values expected there: eK (entries
 * 4K .. 4K+3) less `back`.  One vptest: a horizontal OR through general
 * registers costs more than the eight loads.
 */
__attribute__((target("avx2"), always_inline))
static inline int block32_equal(const uint8_t *at, __m256i e0, __m256i e1, __m256i e2,
				__m256i e3, __m256i e4, __m256i e5, __m256i e6, __m256i e7,
				__m256i back)
{
	const __m256i *p = (const __m256i *)(const void *)at;
#define PW_DIFF(k) _mm256_xor_si256(_mm256_loadu_si256(p + (k)), _mm256_sub_epi64(e##k, back))
	__m256i d = PW_OR_TREE8(PW_DIFF);
#undef PW_DIFF

	return _mm256_testz_si256(d, d);
}

/* The same with AVX2, thirty-two entries a step, where the CPU has it. */
__attribute__((target("avx2")))
static uint32_t run_extend_avx2(const uint8_t *tb, uint32_t i, uint32_t stop,
				uint64_t *next, uint64_t step)
{
	uint64_t n = *next;
	/* eK: the values expected in entries 4K .. 4K+3 of a step. */
	__m256i e0 = _mm256_set_epi64x((long long)(n + 3 * step), (long long)(n + 2 * step),
				       (long long)(n + step), (long long)n);
	const __m256i step4 = _mm256_set1_epi64x((long long)(4 * step));
	const __m256i advance = _mm256_set1_epi64x((long long)(32 * step));
	__m256i e1 = _mm256_add_epi64(e0, step4), e2 = _mm256_add_epi64(e1, step4),
		e3 = _mm256_add_epi64(e2, step4), e4 = _mm256_add_epi64(e3, step4),
		e5 = _mm256_add_epi64(e4, step4), e6 = _mm256_add_epi64(e5, step4),
		e7 = _mm256_add_epi64(e6, step4);

	while (stop - i >= 32) {
		if (!block32_equal(tb + (size_t)(i + 1) * 8, e0, e1, e2, e3, e4, e5, e6, e7,
				   _mm256_setzero_si256()))
			break;
		e0 = _mm256_add_epi64(e0, advance);
		e1 = _mm256_add_epi64(e1, advance);
		e2 = _mm256_add_epi64(e2, advance);
		e3 = _mm256_add_epi64(e3, advance);
		e4 = _mm256_add_epi64(e4, advance);
		e5 = _mm256_add_epi64(e5, advance);
		e6 = _mm256_add_epi64(e6, advance);
		e7 = _mm256_add_epi64(e7, advance);
		i += 32;
	}
	/*
	 * The tail: the 32 entries ending at stop, in one step.  It rechecks
	 * entries already in the run and may reach before the run's start (a
	 * mismatch there only sends the tail to the slower loops); it never
	 * reads before the table, as stop >= 31.
	 */
	if (stop > i && stop - i < 32 && stop >= 31) {
		uint64_t back = (uint64_t)(i + 1 - (stop - 31)); /* entries before i + 1 */

		if (block32_equal(tb + (size_t)(stop - 31) * 8, e0, e1, e2, e3, e4, e5, e6, e7,
				  _mm256_set1_epi64x((long long)(back * step)))) {
			e0 = _mm256_add_epi64(e0, _mm256_set1_epi64x((long long)((stop - i) * step)));
			i = stop;
		}
	}
	*next = (uint64_t)_mm256_extract_epi64(e0, 0);
	return i;
}

/* Whether the 32 entries at `at` all equal v (all zero when zero is set). */
__attribute__((target("avx2"), always_inline))
static inline int block32_same(const uint8_t *at, __m256i v, int zero)
{
	const __m256i *p = (const __m256i *)(const void *)at;
	__m256i d;

#define PW_LOAD(k) _mm256_loadu_si256(p + (k))
#define PW_SAME(k) _mm256_xor_si256(_mm256_loadu_si256(p + (k)), v)
	if (zero)
		d = PW_OR_TREE8(PW_LOAD);
	else
		d = PW_OR_TREE8(PW_SAME);
#undef PW_LOAD
#undef PW_SAME
	return _mm256_testz_si256(d, d);
}

/*
 * Runs of one repeated value (step 0): the not-present entries that are
 * most of a real kernel's tables (four in five on the sample dumps).  No
 * expected values to advance, and for zero entries no compare at all: an OR
 * of the loads.  Same contract as run_extend_avx2().
 */
__attribute__((target("avx2")))
static uint32_t run_extend_same_avx2(const uint8_t *tb, uint32_t i, uint32_t stop, uint64_t value)
{
	const __m256i v = _mm256_set1_epi64x((long long)value);

	if (!value) {
		while (stop - i >= 32 && block32_same(tb + (size_t)(i + 1) * 8, v, 1))
			i += 32;
	} else {
		while (stop - i >= 32 && block32_same(tb + (size_t)(i + 1) * 8, v, 0))
			i += 32;
	}
	/* The tail: the 32 entries ending at stop (see run_extend_avx2()). */
	if (stop > i && stop - i < 32 && stop >= 31 &&
	    block32_same(tb + (size_t)(stop - 31) * 8, v, !value))
		i = stop;
	return i;
}

/*
 * AVX-512: sixty-four entries a step in eight 64-byte loads, each folded
 * into the differences by one vpternlog (acc | (load ^ expected)): about a
 * third of the instructions of the AVX2 step (a table of one run in L1:
 * 13-16 ns against 26 ns, on this project's machines).  Same contract as
 * run_extend_avx2().
 */
#define PW_TERNLOG_OR_XOR 0xf6 /* A | (B ^ C) */
#define PW_E512(k) _mm512_add_epi64(e0, _mm512_set1_epi64((long long)((k) * 8 * step)))

/* Whether the 64 entries at `at` (64-byte aligned or not) equal e0 .. e7. */
__attribute__((target("avx512f"), always_inline))
static inline int block64_equal(const uint8_t *at, __m512i e0, __m512i e1, __m512i e2,
				__m512i e3, __m512i e4, __m512i e5, __m512i e6, __m512i e7)
{
	const __m512i *p = (const __m512i *)(const void *)at;
	__m512i a = _mm512_xor_si512(_mm512_loadu_si512(p), e0);
	__m512i b = _mm512_xor_si512(_mm512_loadu_si512(p + 1), e1);

	a = _mm512_ternarylogic_epi64(a, _mm512_loadu_si512(p + 2), e2, PW_TERNLOG_OR_XOR);
	b = _mm512_ternarylogic_epi64(b, _mm512_loadu_si512(p + 3), e3, PW_TERNLOG_OR_XOR);
	a = _mm512_ternarylogic_epi64(a, _mm512_loadu_si512(p + 4), e4, PW_TERNLOG_OR_XOR);
	b = _mm512_ternarylogic_epi64(b, _mm512_loadu_si512(p + 5), e5, PW_TERNLOG_OR_XOR);
	a = _mm512_ternarylogic_epi64(a, _mm512_loadu_si512(p + 6), e6, PW_TERNLOG_OR_XOR);
	b = _mm512_ternarylogic_epi64(b, _mm512_loadu_si512(p + 7), e7, PW_TERNLOG_OR_XOR);
	a = _mm512_or_si512(a, b);
	return !_mm512_test_epi64_mask(a, a);
}

/* Entries n, n + step, ... n + 7 * step: the first eight a step expects. */
__attribute__((target("avx512f"), always_inline))
static inline __m512i lanes512(uint64_t n, uint64_t step)
{
	return _mm512_set_epi64((long long)(n + 7 * step), (long long)(n + 6 * step),
				(long long)(n + 5 * step), (long long)(n + 4 * step),
				(long long)(n + 3 * step), (long long)(n + 2 * step),
				(long long)(n + step), (long long)n);
}

__attribute__((target("avx512f")))
static uint32_t run_extend_avx512(const uint8_t *tb, uint32_t i, uint32_t stop,
				  uint64_t *next, uint64_t step)
{
	/* Steps start on a 64-byte boundary (no load splits a cache line):
	 * up to seven entries before i + 1, all in the run (the caller has
	 * matched eight), are looked at again. */
	uint32_t back = (uint32_t)(((uintptr_t)(tb + (size_t)(i + 1) * 8) & 63) >> 3);
	uint32_t j = i + 1 - back;
	uint64_t n = *next - back * step;
	const __m512i advance = _mm512_set1_epi64((long long)(64 * step));
	__m512i e0 = lanes512(n, step);
	__m512i e1 = PW_E512(1), e2 = PW_E512(2), e3 = PW_E512(3), e4 = PW_E512(4),
		e5 = PW_E512(5), e6 = PW_E512(6), e7 = PW_E512(7);

	while (j + 63 <= stop && /* j may be stop + 1: no unsigned stop - j */
	       block64_equal(tb + (size_t)j * 8, e0, e1, e2, e3, e4, e5, e6, e7)) {
		e0 = _mm512_add_epi64(e0, advance);
		e1 = _mm512_add_epi64(e1, advance);
		e2 = _mm512_add_epi64(e2, advance);
		e3 = _mm512_add_epi64(e3, advance);
		e4 = _mm512_add_epi64(e4, advance);
		e5 = _mm512_add_epi64(e5, advance);
		e6 = _mm512_add_epi64(e6, advance);
		e7 = _mm512_add_epi64(e7, advance);
		j += 64;
		n += 64 * step;
	}
	if (j > i + 1) {
		i = j - 1;
		*next = n;
	}
	/* The tail: the 64 entries ending at stop, in one step (see run_extend_avx2()). */
	if (stop > i && stop - i < 64 && stop >= 63) {
		n = *next - (uint64_t)(i + 1 - (stop - 63)) * step;
		e0 = lanes512(n, step);
		if (block64_equal(tb + (size_t)(stop - 63) * 8, e0, PW_E512(1), PW_E512(2),
				  PW_E512(3), PW_E512(4), PW_E512(5), PW_E512(6), PW_E512(7))) {
			*next += (uint64_t)(stop - i) * step;
			i = stop;
		}
	}
	return i;
}
#undef PW_E512
#endif

/* The vector extensions the run loops use: the CPU's best unless a test
 * asked for less (benign race: every thread computes the same). */
static int simd_allowed = PW_SIMD_AVX512;
static int simd_in_use = -1;

static int simd_level(void)
{
	if (simd_in_use < 0) {
		int have = PW_SIMD_SSE2;

#if defined(__x86_64__)
		if (__builtin_cpu_supports("avx512f"))
			have = PW_SIMD_AVX512;
		else if (__builtin_cpu_supports("avx2"))
			have = PW_SIMD_AVX2;
#endif
		simd_in_use = have < simd_allowed ? have : simd_allowed;
	}
	return simd_in_use;
}

int pw_walk_simd(int allowed)
{
	simd_allowed = allowed;
	simd_in_use = -1;
	return simd_level();
}

/* The fastest run extension this CPU has; the SSE2 one finishes what is left. */
static uint32_t run_extend(const uint8_t *tb, uint32_t i, uint32_t stop, uint64_t *next,
			   uint64_t step)
{
	uint64_t v;

	/* Most runs of a real kernel's tables are a few entries long: look at
	 * the next ones before setting up the vector loops. */
	for (int k = 0; k < PW_RUN_BLOCK; k++) {
		if (i >= stop)
			return i;
		memcpy(&v, tb + (size_t)(i + 1) * 8, 8);
		if (v != *next)
			return i;
		i++;
		*next += step;
	}
#if defined(__x86_64__)
	switch (simd_level()) {
	case PW_SIMD_AVX512:
		/* Runs of one value are the AVX2 loop's: no expected values to
		 * advance, and the 256-bit OR keeps up with the loads. */
		if (step) {
			i = run_extend_avx512(tb, i, stop, next, step);
			break;
		}
		/* fall through */
	case PW_SIMD_AVX2:
		if (step)
			i = run_extend_avx2(tb, i, stop, next, step);
		else
			i = run_extend_same_avx2(tb, i, stop, *next);
		break;
	default:
		break;
	}
#endif
	return run_extend_native(tb, i, stop, next, step);
}

/*
 * How far a run goes in the current table at `level`: from entry i (raw value
 * raw, the run's so far) over the entries that carry it on, up to entry stop.
 * Returns the last; *next becomes the value the entry after it would need.
 * Formats with runs have 8-byte entries.
 */
static uint32_t run_reach(const struct pw_space *sp, int level, uint32_t i, uint32_t stop,
			  uint64_t raw, uint64_t step, uint64_t *next)
{
	const struct pw_format *fmt = sp->fmt;
	const uint8_t *tb = sp->buf[level].data;
	int swap = fmt->big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	uint64_t mask = fmt->linear_addr_mask, n = *next;
	/* Never let the address field carry into the attributes (the division
	 * only when the product says it might: it is slow).  The room left from
	 * this entry: a run carried on from an earlier table started further back. */
	uint64_t room = mask - (raw & mask), reach;

	if (step && (__builtin_mul_overflow((uint64_t)(stop - i), step, &reach) || reach > room) &&
	    room / step < stop - i)
		stop = i + (uint32_t)(room / step);
	if (!swap)
		i = run_extend(tb, i, stop, &n, step);
	while (i < stop) {
		uint64_t v;

		memcpy(&v, tb + (size_t)(i + 1) * 8, 8);
		if ((swap ? __builtin_bswap64(v) : v) != n)
			break;
		i++;
		n += step;
	}
	*next = n;
	return i;
}

/*
 * The child table at e->addr (entry of a table at `depth`, covering base_lin
 * on, with permissions perm down to it) carries the pending run on through
 * every one of its entries, as a direct map in 4K pages does table after
 * table: take it whole, without a walk of its own (for visitors whose runs
 * span tables and that are not told of tables entered).  Returns 0, with
 * nothing changed, when it does not or when a walk would have more to say
 * (a loop, an unreadable table, part of it out of the range or of its
 * valid part): walk_table() then takes it.
 */
static int take_carried_table(struct range_walk *w, int depth, const struct pw_entry *e,
			      uint64_t base_lin, uint32_t perm)
{
	struct pw_space *sp = w->sp;
	const struct pw_format *fmt = sp->fmt;
	struct run *r = &w->run;
	int child = e->next_level;
	uint32_t nent = pw_level_entries(fmt, child);
	uint64_t span = pw_level_span(fmt, child);
	uint64_t next, raw0;

	/* Cheap tests first: most child tables start no run of the parent's. */
	if (!r->active || r->level != child || base_lin != r->va_last + 1 ||
	    fmt->entry_bytes != 8 || e->next_first != 0 || e->next_last != nent - 1 ||
	    base_lin < w->start || base_lin + (span * nent - 1) > w->last ||
	    is_ancestor(w, depth + 1, e->addr) || load_table(sp, child, e->addr))
		return 0;
	/* The first entry has the run's attributes when it goes on: its
	 * permissions are the run's entry's. */
	raw0 = table_entry(sp, child, 0);
	if (!run_goes_on(w, child, e->addr, base_lin, raw0,
			 r->st == PW_ST_MAPPED ? perm & r->e.perm : 0, r->st))
		return 0;
	next = raw0 + r->step;
	if (run_reach(sp, child, 0, nent - 1, raw0, r->step, &next) != nent - 1)
		return 0;
	/* Taken: counted as walk_table() counts a table. */
	if (count_visit(w) || check_interrupt(w, nent))
		return 1;
	r->va_last = base_lin + span * nent - 1;
	r->next_raw = next;
	return 1;
}

/*
 * Entry i of the current table at `level` names child table e->addr, which
 * its level's window lacks: read it and the child tables named by the
 * entries right after it (a run of table entries of the same child level
 * with legal addresses, ancestors and repeated neighbours left out) into that window,
 * back to back, up to its capacity.  Each table is still read once, whole,
 * in walking order.
 */
static void read_ahead(struct range_walk *w, int level, int depth, uint32_t i, uint32_t hi,
		       const struct pw_entry *e)
{
	struct pw_space *sp = w->sp;
	const struct pw_format *fmt = sp->fmt;
	int child = e->next_level;
	struct pw_table_buf *b = &sp->buf[child];
	uint32_t last = hi - i >= b->cap ? i + b->cap - 1 : hi;
	uint64_t pa[PW_READAHEAD_MAX];
	uint32_t n = 0;

	/* A loop: walk_table() reports it and reads nothing. */
	if (is_ancestor(w, depth + 1, e->addr))
		return;
	pa[n++] = e->addr;
	for (uint32_t j = i + 1; j <= last; j++) {
		uint64_t raw = table_entry(sp, level, j);
		struct pw_entry ce;

		if (!raw)
			break;
		pw_decode(fmt, level, raw, &ce);
		if (ce.kind != PW_ENTRY_TABLE || ce.next_level != child ||
		    !table_pa_ok(sp, ce.addr))
			break;
		/* Repeats (a DAG) name the same table in neighbouring entries. */
		if (pa[n - 1] != ce.addr && !is_ancestor(w, depth + 1, ce.addr))
			pa[n++] = ce.addr;
	}
	for (uint32_t k = 0; k < n; k++)
		read_slot(sp, child, k, pa[k]);
	b->count = n;
	b->cursor = 0;
	b->valid = 0;
}

/*
 * Walk the table at table_pa (level `level`), whose entry i maps
 * va_of(i) .. va_of(i) + span - 1, restricted to the walk's bounds.
 */
static void walk_table(struct range_walk *w, int level, int depth,
		       uint64_t table_pa, uint32_t first, uint32_t last,
		       uint64_t base_lin, uint32_t perm,
		       uint64_t parent_entry_pa, uint64_t parent_raw)
{
	struct pw_space *sp = w->sp;
	const struct pw_format *fmt = sp->fmt;
	const struct pw_level *lv = &fmt->level[level];
	uint64_t span = pw_level_span(fmt, level);
	uint32_t nent = pw_level_entries(fmt, level);
	uint64_t tbl_first = base_lin;
	uint64_t tbl_last = base_lin + span * nent - 1;
	uint32_t i0, i1, lo, hi;
	struct pw_entry hole = { .kind = PW_ENTRY_NONE, .why = "not walked" };
	uint64_t mask = fmt->linear_addr_mask;
	int err;

	if (tbl_last < w->start || tbl_first > w->last)
		return;
	if (count_visit(w))
		return;
	hole.addr = table_pa; /* the table the problem is about */
	if (is_ancestor(w, depth, table_pa)) {
		hole.why = "table points to itself or an ancestor";
		emit(w, tbl_first, tbl_last, level, parent_raw, &hole, 0,
		     0, parent_entry_pa, PW_ST_LOOP, 0);
		return;
	}
	w->ancestors[depth] = table_pa;
	if (w->v->enter_table) {
		struct pw_table_visit tv = {
			.level = level, .table_pa = table_pa, .va = canonical(fmt, tbl_first),
			.parent_entry_pa = parent_entry_pa,
			.parent_raw = parent_raw, .depth = depth,
		};
		if (w->v->enter_table(w->v->state, &tv))
			return;
	}
	err = load_table(sp, level, table_pa);
	if (err) {
		hole.why = pw_strerror(err);
		emit(w, tbl_first, tbl_last, level, parent_raw, &hole, 0, 0,
		     parent_entry_pa, read_error_status(err), err);
		return;
	}
	i0 = w->start > tbl_first ? (uint32_t)(((w->start - tbl_first) >> lv->va_shift)) : 0;
	i1 = w->last < tbl_last ? (uint32_t)((w->last - tbl_first) >> lv->va_shift)
				: nent - 1;
	if (check_interrupt(w, i1 - i0 + 1))
		return;
	/* The valid part of the table (s390 TF/TL) is walked; the rest, on
	 * either side, is a note per entry. */
	lo = i0 > first ? i0 : first;
	hi = i1 < last ? i1 : last;
	if (first > i0)
		emit_out_of_range(w, level, table_pa, base_lin, i0, first - 1 < i1 ? first - 1 : i1);
	for (uint32_t i = lo; i <= hi; i++) {
		uint64_t va = base_lin + (uint64_t)i * span;
		uint64_t va_last = va + span - 1;
		uint64_t entry_pa = table_pa + (uint64_t)i * fmt->entry_bytes;
		struct pw_entry ent, *e = &ent;
		uint64_t raw = table_entry(sp, level, i);
		int in_run = 0;

		pw_decode(fmt, level, raw, e);
		switch (e->kind) {
		case PW_ENTRY_NONE:
			/* Equal raw values decode alike: one note for the run. */
			if (mask) {
				run_begin(w, level, table_pa, va, va_last, raw, e, 0, 0,
					  entry_pa, PW_ST_NOT_PRESENT);
				in_run = 1;
			} else
				emit(w, va, va_last, level, raw, e, 0, table_pa, entry_pa,
				     PW_ST_NOT_PRESENT, 0);
			break;
		case PW_ENTRY_BAD:
			emit(w, va, va_last, level, raw, e, 0, table_pa, entry_pa,
			     PW_ST_BAD_ENTRY, 0);
			break;
		case PW_ENTRY_LEAF:
			if (e->addr >= fmt->max_pa)
				emit(w, va, va_last, level, raw, e, perm & e->perm, table_pa,
				     entry_pa, PW_ST_BAD_PFN, 0);
			else if (mask) {
				run_begin(w, level, table_pa, va, va_last, raw, e, e->size,
					  perm & e->perm, entry_pa, PW_ST_MAPPED);
				in_run = 1;
			} else
				emit(w, va, va_last, level, raw, e, perm & e->perm, table_pa,
				     entry_pa, PW_ST_MAPPED, 0);
			break;
		case PW_ENTRY_TABLE:
			if (e->next_level < 0 || !table_pa_ok(sp, e->addr)) {
				emit(w, va, va_last, level, raw, e, 0, table_pa,
				     entry_pa, e->next_level < 0 ? PW_ST_BAD_ENTRY
								: PW_ST_BAD_PFN, 0);
				break;
			}
			if (w->run.active && !w->v->runs_span_tables)
				run_flush(w);
			/* Read ahead where the next entry looks like a sibling
			 * (same attribute bits): dense children.  Elsewhere, as
			 * in most of a real kernel's tables, a read ahead would
			 * find nothing and only cost its look. */
			if (sp->buf[e->next_level].cap > 1 && i < hi &&
			    !((table_entry(sp, level, i + 1) ^ raw) & ~mask) &&
			    !window_next(&sp->buf[e->next_level], e->addr) &&
			    window_slot(&sp->buf[e->next_level], e->addr) < 0)
				read_ahead(w, level, depth, i, hi, e);
			if (w->v->runs_span_tables && !w->v->enter_table && mask &&
			    take_carried_table(w, depth, e, base_lin + (uint64_t)i * span,
					       perm & e->perm)) {
				if (w->interrupted)
					return;
				break;
			}
			walk_table(w, e->next_level, depth + 1, e->addr,
				   e->next_first, e->next_last,
				   base_lin + (uint64_t)i * span, perm & e->perm,
				   entry_pa, raw);
			if (w->interrupted)
				return;
			/* The deeper walk may have reused this level's buffer. */
			if (load_table(sp, level, table_pa))
				return;
			break;
		}
		/* Extend a run over the following equal entries: the hot loop
		 * (formats with runs have 8-byte entries). */
		if (in_run && fmt->entry_bytes == 8) {
			i = run_reach(sp, level, i, hi, raw, w->run.step, &w->run.next_raw);
			w->run.va_last = base_lin + (uint64_t)i * span + span - 1;
		}
	}
	/* Without runs_span_tables a table's notes are all sent before its
	 * parent goes on (before the next table is entered). */
	if (w->run.active && !w->v->runs_span_tables)
		run_flush(w);
	/* After the valid part, and after the head when a corrupt s390 entry
	 * says first > last: each entry once, in order. */
	if (last < i1)
		emit_out_of_range(w, level, table_pa, base_lin, last + 1 > lo ? last + 1 : lo, i1);
}

int pw_walk_range(struct pw_space *sp, uint64_t start, uint64_t end,
		  const struct pw_visitor *v)
{
	const struct pw_format *fmt = sp->fmt;
	int vbits = space_va_bits(sp);
	/*
	 * Sign-extended formats split into halves at bit fmt->va_bits - 1.
	 * That is the top table's highest bit on x86; on arm64 it is the
	 * TTBR-select bit just above it, and each half is a whole 2^vbits
	 * window that the tables index alike.
	 */
	int hbits = fmt->sign_extend ? fmt->va_bits : vbits;
	struct range_walk w = { .sp = sp, .v = v };
	uint64_t last = end ? end - 1 : UINT64_MAX;
	/* The canonical halves (or, zero-extended, the single range). */
	uint64_t piece_first[2], piece_last[2];
	int npieces;

	if (last < start)
		return PW_ERR_INVALID;
	if (fmt->sign_extend && hbits < 64) {
		/* Lower half, then upper half; walked in linear addresses. */
		piece_first[0] = 0;
		piece_last[0] = (1ULL << (hbits - 1)) - 1;
		piece_first[1] = UINT64_MAX << (hbits - 1);
		piece_last[1] = UINT64_MAX;
		npieces = 2;
	} else {
		piece_first[0] = 0;
		piece_last[0] = vbits < 64 ? (1ULL << vbits) - 1 : UINT64_MAX;
		npieces = 1;
	}
	for (int p = 0; p < npieces && !w.interrupted; p++) {
		uint64_t first_c = start > piece_first[p] ? start : piece_first[p];
		uint64_t last_c = last < piece_last[p] ? last : piece_last[p];
		uint64_t lin_mask = hbits < 64 ? (1ULL << hbits) - 1 : UINT64_MAX;
		/* The window of the linear space the top table covers. */
		uint64_t base;

		if (first_c > last_c)
			continue;
		w.start = first_c & lin_mask;
		w.last = last_c & lin_mask;
		base = vbits < 64 ? w.start & ~((1ULL << vbits) - 1) : 0;
		walk_table(&w, sp->top_level, 0, sp->root_pa, sp->top_first,
			   sp->top_last, base, PW_PERM_ALL, 0, 0);
		/* Pieces are not contiguous in linear addresses: no run goes on. */
		if (w.run.active)
			run_flush(&w);
	}
	return w.interrupted ? w.err : PW_OK;
}

void pw_translation_levels_json(FILE *fp, const struct pw_format *fmt,
				const struct pw_translation *tr)
{
	char flags[256];

	fputs("\"levels\":[", fp);
	for (int i = 0; i < tr->nsteps; i++) {
		const struct pw_step *s = &tr->step[i];
		char *f, *save = NULL;
		int first = 1;

		fprintf(fp, "%s{\"level\":\"%s\",\"table_pa\":\"0x%llx\",\"index\":%u,"
			"\"entry_pa\":\"0x%llx\",\"entry\":\"0x%llx\",\"kind\":\"%s\",",
			i ? "," : "", fmt->level[s->level].name,
			(unsigned long long)s->table_pa, s->index,
			(unsigned long long)s->entry_pa, (unsigned long long)s->raw,
			pw_entry_kind_name(s->e.kind));
		/* Where the entry points: next table, page, or PROT_NONE pfn. */
		if (s->e.addr || s->e.kind == PW_ENTRY_TABLE || s->e.kind == PW_ENTRY_LEAF)
			fprintf(fp, "\"addr\":\"0x%llx\",", (unsigned long long)s->e.addr);
		fputs("\"flags\":[", fp);
		pw_flag_string(fmt, s->level, s->raw, s->e.kind, flags, sizeof(flags));
		for (f = strtok_r(flags, " ", &save); f; f = strtok_r(NULL, " ", &save)) {
			fprintf(fp, "%s\"%s\"", first ? "" : ",", f);
			first = 0;
		}
		fputs("]}", fp);
	}
	fputc(']', fp);
}
