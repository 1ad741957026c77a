// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log from the dump: the lockless printk ringbuffer of Linux
 * 5.10+ (kernel/printk/printk_ringbuffer.[ch] of 6.1), read the way
 * prb_read_valid() does, with the offsets VMCOREINFO exports for it
 * (through the target, so DWARF or BTF answer first when present).
 *
 * `prb` points to the ringbuffer (printk_rb_static, or printk_rb_dynamic
 * after setup_log_buf()).  Its desc_ring holds 2^count_bits descriptors
 * (state_var: the id in the low 62 bits, the state in the top two) and as
 * many printk_info records (seq, ts_nsec, text_len); text_data_ring is a
 * byte ring of 2^size_bits where a record's block [begin, next) starts
 * with the descriptor id (one unsigned long) followed by the text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"

#define DESC_STATE_SHIFT 62
#define DESC_ID_MASK ((1ULL << DESC_STATE_SHIFT) - 1)
#define DESC_COMMITTED 1
#define DESC_FINALIZED 2
/* Bounds: a corrupt ringbuffer must not make us read gigabytes. */
#define PRB_MAX_COUNT_BITS 22
#define PRB_MAX_SIZE_BITS 28

/* A struct prb_desc is 24 bytes and a printk_info 88 in 6.1; allow for growth. */
#define PRB_MAX_RECORD 4096

/* Whether an n-byte field at off lies inside a record of size bytes. */
static int field_fits(uint64_t off, uint64_t n, uint64_t size)
{
	return off <= size && size - off >= n;
}

struct prb_layout {
	uint64_t desc_ring, text_ring;
	uint64_t count_bits, descs, infos, head_id, tail_id;
	uint64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
	uint64_t info_size, seq, ts_nsec, text_len;
	uint64_t size_bits, data;
};

static int layout(struct batch_dump *d, struct prb_layout *l, char *why, size_t why_len)
{
	const struct pw_target *t = &d->target;
	const struct { const char *type, *member; uint64_t *out; } m[] = {
		{ "printk_ringbuffer", "desc_ring", &l->desc_ring },
		{ "printk_ringbuffer", "text_data_ring", &l->text_ring },
		{ "prb_desc_ring", "count_bits", &l->count_bits },
		{ "prb_desc_ring", "descs", &l->descs },
		{ "prb_desc_ring", "infos", &l->infos },
		{ "prb_desc_ring", "head_id", &l->head_id },
		{ "prb_desc_ring", "tail_id", &l->tail_id },
		{ "prb_desc", "state_var", &l->state_var },
		{ "prb_desc", "text_blk_lpos", &l->text_blk_lpos },
		{ "prb_data_blk_lpos", "begin", &l->lpos_begin },
		{ "prb_data_blk_lpos", "next", &l->lpos_next },
		{ "printk_info", "seq", &l->seq },
		{ "printk_info", "ts_nsec", &l->ts_nsec },
		{ "printk_info", "text_len", &l->text_len },
		{ "prb_data_ring", "size_bits", &l->size_bits },
		{ "prb_data_ring", "data", &l->data },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (pw_member(t, m[i].type, m[i].member, m[i].out)) {
			snprintf(why, why_len, "no offset of %s.%s (neither in VMCOREINFO nor in "
				 "the type information): not a 5.10+ printk ringbuffer", m[i].type,
				 m[i].member);
			return -1;
		}
	}
	if (pw_size(t, "prb_desc", &l->desc_size) || pw_size(t, "printk_info", &l->info_size)) {
		snprintf(why, why_len, "no size of struct prb_desc / printk_info");
		return -1;
	}
	/*
	 * The offsets and sizes come from the dump (VMCOREINFO or its BTF): every
	 * field read from a descriptor or an info record must lie inside it, and
	 * the sizes bound what count_bits may make us allocate.
	 */
	if (!l->desc_size || l->desc_size > PRB_MAX_RECORD || !l->info_size ||
	    l->info_size > PRB_MAX_RECORD || !field_fits(l->state_var, 8, l->desc_size) ||
	    l->text_blk_lpos > l->desc_size ||
	    !field_fits(l->lpos_begin, 8, l->desc_size - l->text_blk_lpos) ||
	    !field_fits(l->lpos_next, 8, l->desc_size - l->text_blk_lpos) ||
	    !field_fits(l->ts_nsec, 8, l->info_size) || !field_fits(l->text_len, 2, l->info_size)) {
		snprintf(why, why_len, "printk ringbuffer layout implausible (prb_desc %llu bytes, "
			 "printk_info %llu bytes, a field outside its record)",
			 (unsigned long long)l->desc_size, (unsigned long long)l->info_size);
		return -1;
	}
	return 0;
}

static uint64_t get(const uint8_t *p, int size, int be)
{
	uint64_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint64_t)p[i] << (be ? 8 * (size - 1 - i) : 8 * i);
	return v;
}

struct out {
	char *buf;
	size_t len, cap;
};

static int put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 65536;
		char *b;

		while (cap < o->len + n + 1)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (!b)
			return -1;
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
	return 0;
}

static void keep_tail(struct out *o, size_t n)
{
	memmove(o->buf, o->buf + o->len - n, n + 1);
	o->len = n;
}

char *bd_read_log(struct batch_dump *d, size_t max_bytes, size_t *len, char *why, size_t why_len)
{
	const struct pw_target *t = &d->target;
	int be = pw_big_endian(t);
	struct prb_layout l;
	uint64_t prb_sym, prb, count_bits, descs_va, infos_va, head, tail, size_bits, data_va;
	uint64_t count, size;
	uint8_t *descs = NULL, *infos = NULL, *data = NULL;
	struct out o = { 0 };
	unsigned long records = 0;
	uint64_t text_total = 0;

	*len = 0;
	if (pw_symbol(t, "prb", &prb_sym)) {
		snprintf(why, why_len, "no symbol prb: not a 5.10+ kernel log (printk ringbuffer)");
		return NULL;
	}
	if (layout(d, &l, why, why_len))
		return NULL;
	if (pw_read_kvirt_uint(t, prb_sym, 8, &prb) ||
	    pw_read_kvirt_uint(t, prb + l.desc_ring + l.count_bits, 4, &count_bits) ||
	    pw_read_kvirt_uint(t, prb + l.desc_ring + l.descs, 8, &descs_va) ||
	    pw_read_kvirt_uint(t, prb + l.desc_ring + l.infos, 8, &infos_va) ||
	    pw_read_kvirt_uint(t, prb + l.desc_ring + l.head_id, 8, &head) ||
	    pw_read_kvirt_uint(t, prb + l.desc_ring + l.tail_id, 8, &tail) ||
	    pw_read_kvirt_uint(t, prb + l.text_ring + l.size_bits, 4, &size_bits) ||
	    pw_read_kvirt_uint(t, prb + l.text_ring + l.data, 8, &data_va)) {
		snprintf(why, why_len, "the printk ringbuffer is not in the dump");
		return NULL;
	}
	if (count_bits > PRB_MAX_COUNT_BITS || size_bits > PRB_MAX_SIZE_BITS || size_bits < 3) {
		snprintf(why, why_len, "printk ringbuffer implausible (count_bits %llu, size_bits %llu)",
			 (unsigned long long)count_bits, (unsigned long long)size_bits);
		return NULL;
	}
	count = 1ULL << count_bits;
	size = 1ULL << size_bits;
	descs = malloc(count * l.desc_size);
	infos = malloc(count * l.info_size);
	data = malloc(size);
	if (!descs || !infos || !data ||
	    pw_read_kvirt(t, descs_va, descs, count * l.desc_size) ||
	    pw_read_kvirt(t, infos_va, infos, count * l.info_size) ||
	    pw_read_kvirt(t, data_va, data, size)) {
		snprintf(why, why_len, "the printk ringbuffer's arrays are not in the dump");
		goto fail;
	}
	for (uint64_t id = tail & DESC_ID_MASK, n = 0; n <= count; id = (id + 1) & DESC_ID_MASK, n++) {
		const uint8_t *desc = descs + (id & (count - 1)) * l.desc_size;
		const uint8_t *info = infos + (id & (count - 1)) * l.info_size;
		uint64_t sv = get(desc + l.state_var, 8, be), state = sv >> DESC_STATE_SHIFT;
		uint64_t begin = get(desc + l.text_blk_lpos + l.lpos_begin, 8, be);
		uint64_t next = get(desc + l.text_blk_lpos + l.lpos_next, 8, be);
		uint64_t ts = get(info + l.ts_nsec, 8, be), text_len = get(info + l.text_len, 2, be);
		uint64_t off, dlen;
		char stamp[48];
		int sn;

		if ((sv & DESC_ID_MASK) == id && (state == DESC_COMMITTED || state == DESC_FINALIZED) &&
		    !((begin & 1) && (next & 1))) {
			/* get_data(): a regular block, or one wrapped to the ring's start. */
			if (begin >> size_bits == next >> size_bits && begin < next) {
				off = begin & (size - 1);
				dlen = next - begin;
			} else if ((begin + size) >> size_bits == next >> size_bits) {
				off = 0;
				dlen = next & (size - 1);
			} else {
				dlen = 0;
				off = 0;
			}
			if (dlen >= 8 && off + dlen <= size) {
				dlen -= 8; /* the block's id */
				if (text_len > dlen)
					text_len = dlen;
				/*
				 * A real ring's blocks are disjoint, so its records hold no
				 * more than the ring; corrupt descriptors may all name one
				 * block.
				 */
				text_total += 8 + text_len;
				if (text_total > size)
					break;
				sn = snprintf(stamp, sizeof(stamp), "[%5llu.%06llu] ",
					      (unsigned long long)(ts / 1000000000ULL),
					      (unsigned long long)(ts % 1000000000ULL / 1000));
				if (put(&o, stamp, (size_t)sn) ||
				    put(&o, (const char *)data + off + 8, (size_t)text_len) ||
				    put(&o, "\n", 1))
					goto nomem;
				records++;
				/* No more in memory than twice what is kept. */
				if (max_bytes && o.len > 2 * max_bytes)
					keep_tail(&o, max_bytes);
			}
		}
		if (id == (head & DESC_ID_MASK))
			break;
	}
	free(descs);
	free(infos);
	free(data);
	if (!o.buf)
		put(&o, "", 0);
	if (!o.buf) {
		snprintf(why, why_len, "out of memory");
		return NULL;
	}
	/* Keep the tail: the last oops is at the end. */
	if (max_bytes && o.len > max_bytes)
		keep_tail(&o, max_bytes);
	*len = o.len;
	if (!records)
		snprintf(why, why_len, "the printk ringbuffer holds no readable record");
	return o.buf;
nomem:
	snprintf(why, why_len, "out of memory");
fail:
	free(descs);
	free(infos);
	free(data);
	free(o.buf);
	return NULL;
}
