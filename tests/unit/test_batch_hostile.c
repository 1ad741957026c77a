// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptwalk-batch's readers of dump contents (batch/printk.c, batch/types_btf.c)
 * over crafted memory: a vmcore is input, and its VMCOREINFO can point
 * __start_BTF at any blob and give any OFFSET()/SIZE() for the printk
 * ringbuffer.  Each case once crashed, read out of bounds, or ran for hours;
 * each also has a well-formed control that must still be read right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../batch/batch.h"

/* ---- a kernel-virtual memory of a few regions ---- */

struct region {
	uint64_t va;
	uint8_t *bytes;
	size_t len;
};

static struct region regions[8];
static int nregions;

static uint8_t *map(uint64_t va, size_t len)
{
	struct region *r = &regions[nregions++];

	r->va = va;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	assert_non_null(r->bytes);
	return r->bytes;
}

static void unmap_all(void)
{
	while (nregions)
		free(regions[--nregions].bytes);
}

static int region_read(void *ctx, enum pw_addr_space space, uint64_t va, void *buf, size_t len)
{
	(void)ctx;
	(void)space;
	for (int i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];

		if (va >= r->va && va - r->va <= r->len && len <= r->len - (va - r->va)) {
			memcpy(buf, r->bytes + (va - r->va), len);
			return PW_OK;
		}
	}
	return PW_ERR_READ;
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The target's answers for names: symbols, sizes. */
struct named_value {
	const char *name;
	const uint64_t *value;
};

static int lookup(const struct named_value *table, size_t n, const char *name, uint64_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name)) {
			*out = *table[i].value;
			return PW_OK;
		}
	return PW_ERR_NOTFOUND;
}

/* ---- the printk ringbuffer, with Linux 6.1's x86_64 layout unless a case changes it ---- */

#define PRB_SYM 0xffffffff82000000ULL
#define PRB 0xffffffff82001000ULL
#define DESCS 0xffff888001000000ULL
#define INFOS 0xffff888002000000ULL
#define TEXT 0xffff888004000000ULL
#define TEXT_SIZE_BITS 17

static uint64_t desc_size, info_size, state_var_offset;

static int prb_symbol(void *ctx, const char *name, uint64_t *value)
{
	static const uint64_t prb_sym = PRB_SYM;
	const struct named_value symbols[] = { { "prb", &prb_sym } };

	(void)ctx;
	return lookup(symbols, 1, name, value);
}

static int prb_member(void *ctx, const char *type, const char *member, uint64_t *offset)
{
	static const struct {
		const char *type, *member;
		uint64_t offset;
	} layout[] = {
		{ "printk_ringbuffer", "desc_ring", 0 }, { "printk_ringbuffer", "text_data_ring", 48 },
		{ "prb_desc_ring", "count_bits", 0 },    { "prb_desc_ring", "descs", 8 },
		{ "prb_desc_ring", "infos", 16 },        { "prb_desc_ring", "head_id", 24 },
		{ "prb_desc_ring", "tail_id", 32 },      { "prb_desc", "text_blk_lpos", 8 },
		{ "prb_data_blk_lpos", "begin", 0 },     { "prb_data_blk_lpos", "next", 8 },
		{ "printk_info", "seq", 0 },             { "printk_info", "ts_nsec", 8 },
		{ "printk_info", "text_len", 16 },       { "prb_data_ring", "size_bits", 0 },
		{ "prb_data_ring", "data", 8 },
	};

	(void)ctx;
	if (!strcmp(type, "prb_desc") && !strcmp(member, "state_var")) {
		*offset = state_var_offset;
		return PW_OK;
	}
	for (size_t i = 0; i < sizeof(layout) / sizeof(layout[0]); i++)
		if (!strcmp(layout[i].type, type) && !strcmp(layout[i].member, member)) {
			*offset = layout[i].offset;
			return PW_OK;
		}
	return PW_ERR_NOTFOUND;
}

static int prb_size(void *ctx, const char *type, uint64_t *size)
{
	const struct named_value sizes[] = { { "prb_desc", &desc_size },
					     { "printk_info", &info_size } };

	(void)ctx;
	return lookup(sizes, 2, type, size);
}

static struct batch_dump dump;

static void prb_target(void)
{
	unmap_all(); /* what a failed case left */
	memset(&dump, 0, sizeof(dump));
	dump.arch = "x86_64";
	dump.target.ctx = &dump;
	dump.target.arch = "x86_64";
	dump.target.read = region_read;
	dump.target.symbol = prb_symbol;
	dump.target.member_offset = prb_member;
	dump.target.type_size = prb_size;
}

/*
 * A ring of 2^count_bits descriptors; records[i] (NULL: none) is committed
 * text, each in a block of its own, unless one_block: every descriptor then
 * names the same 64 KiB block, as corrupt memory might.
 */
static void make_ring(unsigned count_bits, const char *const *records, int nrecords, int one_block)
{
	uint64_t count = 1ULL << count_bits, pos = 0;
	uint32_t size_bits = TEXT_SIZE_BITS;
	uint8_t *sym = map(PRB_SYM, 8), *prb = map(PRB, 128);
	uint8_t *descs = map(DESCS, desc_size <= 4096 ? count * desc_size : 0);
	uint8_t *infos = map(INFOS, count * info_size);
	uint8_t *text = map(TEXT, 1u << TEXT_SIZE_BITS);

	put64(sym, PRB);
	memcpy(prb + 0, &count_bits, 4);
	put64(prb + 8, DESCS);
	put64(prb + 16, INFOS);
	put64(prb + 24, (uint64_t)nrecords - 1); /* head_id */
	put64(prb + 32, 0);                      /* tail_id */
	memcpy(prb + 48, &size_bits, 4);
	put64(prb + 56, TEXT);
	/* A layout the reader must refuse: the memory need not hold records. */
	if (desc_size > 4096 || desc_size < 24 || state_var_offset + 8 > desc_size || info_size < 18)
		return;
	if (one_block)
		memset(text + 8, 'A', 65535);
	for (int id = 0; id < nrecords; id++) {
		uint8_t *desc = descs + (uint64_t)id * desc_size, *info = infos + (uint64_t)id * info_size;
		uint16_t len = one_block ? 65535 : (uint16_t)strlen(records[id]);
		uint64_t begin = one_block ? 0 : pos, next = begin + 8 + len;

		put64(desc + state_var_offset, 1ULL << 62 | (uint64_t)id); /* committed */
		put64(desc + 8, begin);
		put64(desc + 16, next);
		put64(info + 8, (uint64_t)(id + 1) * 1000000000ULL);
		memcpy(info + 16, &len, 2);
		put64(text + begin, (uint64_t)id);
		if (!one_block)
			memcpy(text + begin + 8, records[id], len);
		pos = (next + 7) & ~7ULL;
	}
}

/* The log of a ring in 6.1's layout (see make_ring()), 4 MiB kept. */
static char *read_ring(unsigned count_bits, const char *const *records, int nrecords,
		       int one_block, size_t *len)
{
	char why[256] = "";
	char *log;

	prb_target();
	desc_size = 24, info_size = 88, state_var_offset = 0;
	make_ring(count_bits, records, nrecords, one_block);
	log = bd_read_log(&dump, 4u << 20, len, why, sizeof(why));
	if (!log)
		fail_msg("bd_read_log: %s", why);
	return log;
}

static void test_printk_well_formed_ring(void **state)
{
	static const char *const records[] = { "hello", "world" };
	size_t len;
	char *log;

	(void)state;
	log = read_ring(4, records, 2, 0, &len);
	assert_string_equal(log, "[    1.000000] hello\n[    2.000000] world\n");
	assert_int_equal(len, strlen(log));
	free(log);
	unmap_all();
}

static void expect_layout_refused(uint64_t desc, uint64_t info, uint64_t state_var)
{
	static const char *const records[] = { "x" };
	char why[256] = "";
	size_t len;

	prb_target();
	desc_size = desc, info_size = info, state_var_offset = state_var;
	make_ring(4, records, 1, 0);
	assert_null(bd_read_log(&dump, 4u << 20, &len, why, sizeof(why)));
	assert_non_null(strstr(why, "layout implausible"));
	unmap_all();
}

/* Once a heap read 3712 bytes past the descriptors; a zero size; a wrapping count * size. */
static void test_printk_field_outside_its_record(void **state)
{
	(void)state;
	expect_layout_refused(24, 88, 4096);
	expect_layout_refused(0, 88, 0);
	expect_layout_refused(1ULL << 42, 88, 0);
	expect_layout_refused(24, 16, 0); /* text_len at 16 needs 18 bytes */
}

/*
 * Every one of 4096 descriptors names the same 64 KiB block: 256 MiB of
 * text was built before being cut to the 4 MiB kept (and 2^22 descriptors
 * would have asked for 256 GiB).  A real ring cannot hold more text than
 * its data ring.
 */
static void test_printk_descriptors_sharing_one_block(void **state)
{
	size_t len;
	char *log;

	(void)state;
	log = read_ring(12, NULL, 4096, 1, &len);
	assert_true(len <= (1u << TEXT_SIZE_BITS) + 4 * 48);
	assert_true(len >= 65535);
	free(log);
	unmap_all();
}

/* ---- BTF in the dump ---- */

#define BTF_VA 0xffffffff83000000ULL

static uint8_t btf_types[1 << 16], btf_strings[1024];
static size_t types_len, strings_len;
static uint32_t ntypes;
static uint8_t *btf_blob;
static size_t btf_len;

static void w32(uint32_t v)
{
	memcpy(btf_types + types_len, &v, 4);
	types_len += 4;
}

static uint32_t name(const char *s)
{
	uint32_t off = (uint32_t)strings_len;

	memcpy(btf_strings + strings_len, s, strlen(s) + 1);
	strings_len += strlen(s) + 1;
	return off;
}

/* struct btf_type: name_off, info (kind << 24 | vlen), size or type. */
static uint32_t add_type(uint32_t name_off, unsigned kind, unsigned vlen, uint32_t size_or_type)
{
	w32(name_off);
	w32(kind << 24 | vlen);
	w32(size_or_type);
	return ++ntypes;
}

enum { KIND_INT = 1, KIND_STRUCT = 4, KIND_UNION = 5, KIND_ENUM = 6 };

/* types_btf.c wants a real kernel's BTF: at least 1000 types. */
static void btf_begin(void)
{
	uint32_t int_name;

	unmap_all(); /* what a failed case left */
	types_len = strings_len = ntypes = 0;
	name("");
	int_name = name("int");
	for (int i = 0; i < 1000; i++) {
		add_type(int_name, KIND_INT, 0, 4);
		w32(32); /* bits */
	}
}

static uint64_t btf_start, btf_stop;

static int btf_symbol(void *ctx, const char *sym, uint64_t *value)
{
	const struct named_value symbols[] = { { "__start_BTF", &btf_start },
					       { "__stop_BTF", &btf_stop } };

	(void)ctx;
	return lookup(symbols, 2, sym, value);
}

static struct btf_info *btf_end_and_open(void)
{
	uint32_t header[6] = { 0x0001eb9f, 24, 0, 0, 0, 0 };
	char why[160] = "";
	struct btf_info *b;

	header[3] = (uint32_t)types_len;
	header[4] = (uint32_t)types_len;
	header[5] = (uint32_t)strings_len;
	btf_len = 24 + types_len + strings_len;
	btf_blob = map(BTF_VA, btf_len);
	memcpy(btf_blob, header, 24);
	memcpy(btf_blob + 24, btf_types, types_len);
	memcpy(btf_blob + 24 + types_len, btf_strings, strings_len);
	btf_start = BTF_VA;
	btf_stop = BTF_VA + btf_len;
	memset(&dump, 0, sizeof(dump));
	dump.arch = "x86_64";
	dump.target.ctx = &dump;
	dump.target.read = region_read;
	dump.target.symbol = btf_symbol;
	b = btf_open_dump(&dump, why, sizeof(why));
	if (!b)
		fail_msg("btf_open_dump: %s", why);
	return b;
}

/* An enumerator whose name lies past the string section once crashed the enum table. */
static void test_btf_enumerator_name_past_the_strings(void **state)
{
	struct btf_info *b;
	int64_t value = 0;

	(void)state;
	btf_begin();
	add_type(name("pageflags"), KIND_ENUM, 2, 4);
	w32(name("PG_slab"));
	w32(9);
	w32(0x7fffff00);
	w32(10);
	b = btf_end_and_open();
	assert_int_equal(btfi_enum(b, "PG_slab", &value), PW_OK);
	assert_int_equal(value, 9);
	assert_int_equal(btfi_enum(b, "PG_nosuch", &value), PW_ERR_NOTFOUND);
	btf_info_free(b);
	unmap_all();
}

/*
 * A struct of 24 anonymous members of its own type: within the depth limit
 * of 8 that was 24^9 visits for one missing member, days.  The alarm fails
 * the test if that comes back.  An anonymous union's member is still found.
 */
static void test_btf_anonymous_members_fanning_out(void **state)
{
	struct btf_info *b;
	uint32_t self, with_union;
	uint64_t offset = 0;

	(void)state;
	btf_begin();
	self = ntypes + 1;
	add_type(name("printk_ringbuffer"), KIND_STRUCT, 24, 8);
	for (int i = 0; i < 24; i++) {
		w32(0);    /* anonymous */
		w32(self); /* of its own type */
		w32(0);    /* bit offset */
	}
	with_union = add_type(0, KIND_UNION, 1, 8);
	w32(name("counter"));
	w32(1); /* int */
	w32(0);
	add_type(name("page"), KIND_STRUCT, 2, 16);
	w32(name("flags"));
	w32(1);
	w32(0);
	w32(0);
	w32(with_union);
	w32(64); /* bits: byte 8 */
	b = btf_end_and_open();
	alarm(20);
	assert_int_equal(btfi_member(b, "printk_ringbuffer", "desc_ring", &offset),
			 PW_ERR_NOTFOUND);
	alarm(0);
	assert_int_equal(btfi_member(b, "page", "counter", &offset), PW_OK);
	assert_int_equal(offset, 8);
	btf_info_free(b);
	unmap_all();
}

/*
 * No __start_BTF: the scan from _stext tries what looks like a BTF header.
 * A kernel image full of fake headers (one every 24 bytes of its first MiB)
 * once meant 43,690 loads of the size each claims; now a few.
 */
#define STEXT 0xffffffff81000000ULL
#define FAKE_CLAIM (2u << 20)

static unsigned claimed_reads;

static int scan_read(void *ctx, enum pw_addr_space space, uint64_t va, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	(void)space;
	if (len == FAKE_CLAIM)
		claimed_reads++;
	memset(buf, 0, len);
	if (va != STEXT || len == FAKE_CLAIM)
		return PW_OK;
	for (size_t off = 0; off + 24 <= len && off < (1u << 20); off += 24) {
		uint32_t header[6] = { 0x0001eb9f, 24, 0, FAKE_CLAIM / 2, FAKE_CLAIM / 2,
				       FAKE_CLAIM / 2 - 24 };

		memcpy(p + off, header, 24);
	}
	return PW_OK;
}

static int scan_symbol(void *ctx, const char *sym, uint64_t *value)
{
	static const uint64_t stext = STEXT;
	const struct named_value symbols[] = { { "_stext", &stext } };

	(void)ctx;
	return lookup(symbols, 1, sym, value);
}

static void test_btf_scan_of_an_image_full_of_fake_headers(void **state)
{
	char why[160] = "";

	(void)state;
	memset(&dump, 0, sizeof(dump));
	dump.arch = "x86_64";
	dump.target.ctx = &dump;
	dump.target.read = scan_read;
	dump.target.symbol = scan_symbol;
	claimed_reads = 0;
	assert_null(btf_open_dump(&dump, why, sizeof(why)));
	assert_non_null(strstr(why, "no BTF found"));
	assert_true(claimed_reads >= 1 && claimed_reads <= 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printk_well_formed_ring),
		cmocka_unit_test(test_printk_field_outside_its_record),
		cmocka_unit_test(test_printk_descriptors_sharing_one_block),
		cmocka_unit_test(test_btf_enumerator_name_past_the_strings),
		cmocka_unit_test(test_btf_anonymous_members_fanning_out),
		cmocka_unit_test(test_btf_scan_of_an_image_full_of_fake_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
