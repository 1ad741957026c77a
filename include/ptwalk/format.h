/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Page-table formats as data.
 *
 * A format lists its levels from the top table down: which VA bits index
 * each level, how big its tables are, and how to decode one raw entry into
 * an arch-neutral struct pw_entry.  One generic walker (walk.h) handles
 * every format; per-architecture files only fill in these tables and a
 * decode function.
 */
#ifndef PTWALK_FORMAT_H
#define PTWALK_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PW_MAX_LEVELS 5
/* Largest table any format uses: arm64 64K granule, 8192 entries. */
#define PW_MAX_TABLE_BYTES 65536

/* Arch-neutral permissions, ANDed down the levels to get effective ones. */
enum pw_perm {
	PW_PERM_WRITE = 1u << 0,
	PW_PERM_USER = 1u << 1,
	PW_PERM_EXEC = 1u << 2,
	PW_PERM_ALL = PW_PERM_WRITE | PW_PERM_USER | PW_PERM_EXEC,
};

enum pw_entry_kind {
	PW_ENTRY_NONE = 0, /* not present / invalid: nothing mapped below */
	PW_ENTRY_TABLE,    /* points to a next-level table */
	PW_ENTRY_LEAF,     /* maps a page or block */
	PW_ENTRY_BAD,      /* an encoding the architecture reserves */
};

/* One raw entry decoded. */
struct pw_entry {
	enum pw_entry_kind kind;
	uint64_t addr;  /* TABLE: next table's PA; LEAF: output PA of the block */
	uint64_t size;  /* LEAF: bytes mapped by this entry */
	uint32_t perm;  /* enum pw_perm bits this entry allows */
	/* TABLE: which indexes of the next table are valid (s390 TF/TL). */
	uint32_t next_first, next_last;
	/* TABLE: the next table's level (s390 may skip none; arm64 none). */
	int next_level;
	/* NONE/BAD: why, in a few words ("not present", "reserved bit 51"). */
	const char *why;
};

/* A named bit or field of a raw entry, for printing decoded flags. */
struct pw_flag_name {
	uint64_t mask;
	uint64_t value;     /* the flag is shown when (raw & mask) == value */
	const char *name;
	/* Heights where the name applies, bit h for height h (0 is the level
	 * mapping base pages, 1 the one above...); 0 means every height. */
	uint32_t height_mask;
	bool only_leaf;     /* shown only on leaf entries */
	bool only_table;    /* shown only on table entries */
};

struct pw_level {
	const char *name;    /* "pgd", "p4d", "pud", "pmd", "pte", ... */
	uint8_t va_shift;    /* lowest VA bit indexed at this level */
	uint8_t index_bits;  /* number of VA bits indexed here */
	uint32_t table_bytes;/* size of one whole table at this level */
};

struct pw_format;
typedef void (*pw_decode_fn)(const struct pw_format *fmt, int level,
			     uint64_t raw, struct pw_entry *out);

struct pw_format {
	const char *name;  /* "x86_64-4level", ... */
	const char *arch;  /* "x86_64", "arm64", "s390x" */
	int nlevels;
	struct pw_level level[PW_MAX_LEVELS];
	uint8_t va_bits;   /* bits translated; higher bits must be canonical */
	/* true: top VA bits are a sign extension (x86, arm64 TTBR1);
	 * false: top bits must be zero (s390). */
	bool sign_extend;
	bool big_endian;   /* entries are stored big-endian */
	uint8_t entry_bytes;
	uint64_t max_pa;   /* highest output address the format can encode + 1 */
	/*
	 * Non-zero when a leaf's output address sits linearly in these raw
	 * bits (raw + size maps the next block with the same attributes):
	 * the walker then hands runs of such leaves, and of zero entries, to
	 * visitors as one note instead of decoding every entry.
	 */
	uint64_t linear_addr_mask;
	/* Entries have no user/supervisor bit (s390): whose space a root is
	 * (a task's or the kernel's) says who may use its pages. */
	bool no_user_bit;
	pw_decode_fn decode;
	const struct pw_flag_name *flags; /* terminated by name == NULL */
	/* Per-format data for decode (arm64 granule, s390 options...). */
	const void *priv;
};

/* Formats known to the core. */
extern const struct pw_format pw_format_x86_64_4level;
extern const struct pw_format pw_format_x86_64_5level;
/* arm64: see arch_arm64.h for the naming and the VA rule. */
extern const struct pw_format pw_format_arm64_4k_39bit_3level;
extern const struct pw_format pw_format_arm64_4k_48bit_4level;
extern const struct pw_format pw_format_arm64_16k_36bit_2level;
extern const struct pw_format pw_format_arm64_16k_47bit_3level;
extern const struct pw_format pw_format_arm64_16k_48bit_4level;
extern const struct pw_format pw_format_arm64_64k_42bit_2level;
extern const struct pw_format pw_format_arm64_64k_48bit_3level;
extern const struct pw_format pw_format_arm64_64k_52bit_3level;
/* s390x DAT: one format, the ASCE picks the top level (arch_s390x.h). */
extern const struct pw_format pw_format_s390x;

const struct pw_format *pw_format_by_name(const char *name);
/* The i-th known format, NULL past the last (for tests and fuzzers). */
const struct pw_format *pw_format_nth(int i);

/* Height of a level: 0 for the level that maps base pages. */
static inline int pw_level_height(const struct pw_format *fmt, int level)
{
	return fmt->nlevels - 1 - level;
}

/* Number of entries in a table of the given level. */
static inline uint32_t pw_level_entries(const struct pw_format *fmt, int level)
{
	return fmt->level[level].table_bytes / fmt->entry_bytes;
}

/* VA span covered by one entry at the given level. */
static inline uint64_t pw_level_span(const struct pw_format *fmt, int level)
{
	return (uint64_t)1 << fmt->level[level].va_shift;
}

/* "table", "leaf", "none", "bad". */
const char *pw_entry_kind_name(enum pw_entry_kind kind);

/* Decode into out; fills defaults (next_first/last, next_level) first. */
void pw_decode(const struct pw_format *fmt, int level, uint64_t raw,
	       struct pw_entry *out);

/* Whether va is canonical for the format. */
bool pw_va_canonical(const struct pw_format *fmt, uint64_t va);

/*
 * Write the names of the flags set in raw to buf, separated by spaces.
 * Returns buf.
 */
char *pw_flag_string(const struct pw_format *fmt, int level, uint64_t raw,
		     enum pw_entry_kind kind, char *buf, size_t len);

#endif
