/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The only way the core touches a dump: a small table of callbacks.
 *
 * The crash extension implements it over readmem()/symbol_value()/
 * MEMBER_OFFSET(), the batch tool over libkdumpfile, the unit tests over a
 * synthetic memory image.  The core never includes anything from crash or
 * libkdumpfile, and never allocates with malloc(): crash longjmps out of a
 * command on Ctrl-C, so every buffer the core needs comes from alloc()
 * (crash's GETBUF, which crash frees itself on that longjmp).
 */
#ifndef PTWALK_TARGET_H
#define PTWALK_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Results of target callbacks and of core functions. 0 is success. */
enum pw_err {
	PW_OK = 0,
	PW_ERR_READ,       /* memory could not be read (not in the dump) */
	PW_ERR_EXCLUDED,   /* page deliberately excluded by dump filtering */
	PW_ERR_NOTFOUND,   /* symbol, member, type or number unknown */
	PW_ERR_NOMEM,      /* alloc() failed */
	PW_ERR_INVALID,    /* bad argument (non-canonical address, ...) */
	PW_ERR_UNSUPPORTED,/* dump/kernel layout this code does not handle */
	PW_ERR_INTERRUPTED,/* the user asked to stop */
	PW_ERR_LIMIT,      /* a walk visited more tables than its budget */
};

/* Address spaces a target can read. */
enum pw_addr_space {
	PW_PHYS = 0,  /* physical address */
	PW_KVIRT = 1, /* kernel virtual address, translated by the target */
};

struct pw_target {
	void *ctx;
	/* Architecture of the dump: "x86_64", "arm64", "s390x". */
	const char *arch;

	/* Read exactly len bytes; PW_ERR_READ/PW_ERR_EXCLUDED on failure. */
	int (*read)(void *ctx, enum pw_addr_space space, uint64_t addr,
		    void *buf, size_t len);
	/* Address of a kernel symbol. */
	int (*symbol)(void *ctx, const char *name, uint64_t *value);
	/* Offset of a member in a struct ("task_struct", "tasks"). */
	int (*member_offset)(void *ctx, const char *type, const char *member,
			     uint64_t *offset);
	/* sizeof(struct type). */
	int (*type_size)(void *ctx, const char *type, uint64_t *size);
	/*
	 * A named integer: an enumerator, or a VMCOREINFO NUMBER()
	 * ("pgtable_l5_enabled", "KERNEL_IMAGE_SIZE").  May be NULL.
	 */
	int (*number)(void *ctx, const char *name, int64_t *value);

	/* Memory for the core's buffers; see the comment at the top. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	/*
	 * Optional (NULL: reads only).  The len bytes at physical address pa
	 * as the backend already holds them, read-only and not copied, valid
	 * until unmap(ctx, cookie).  NULL when it cannot hand them out so (not
	 * within one of its pages, not in the dump, no reference left): the
	 * caller then read()s them, and read() says what is wrong.  The walker
	 * takes its tables this way where it can: on a large dump the copies
	 * were a third of a ptdump's time.  unmap must stay set for as long
	 * as anything mapped is held.
	 */
	const void *(*map_phys)(void *ctx, uint64_t pa, size_t len, void **cookie);
	void (*unmap)(void *ctx, void *cookie);
	/* Non-zero when the user asked to stop (Ctrl-C).  May be NULL. */
	int (*interrupted)(void *ctx);
};

const char *pw_strerror(int err);

/* Convenience wrappers used throughout the core. */
int pw_read_phys(const struct pw_target *t, uint64_t pa, void *buf, size_t len);
int pw_read_kvirt(const struct pw_target *t, uint64_t va, void *buf, size_t len);
/* Read a little- or big-endian (per arch) integer of 1, 2, 4 or 8 bytes. */
int pw_read_kvirt_uint(const struct pw_target *t, uint64_t va, size_t size,
		       uint64_t *value);
int pw_symbol(const struct pw_target *t, const char *name, uint64_t *value);
int pw_member(const struct pw_target *t, const char *type, const char *member,
	      uint64_t *offset);
int pw_size(const struct pw_target *t, const char *type, uint64_t *size);
int pw_number(const struct pw_target *t, const char *name, int64_t *value);
int pw_big_endian(const struct pw_target *t);

#endif
