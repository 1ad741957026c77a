// SPDX-License-Identifier: GPL-2.0-or-later
/* Thin wrappers around struct pw_target, so callers need not check for NULL hooks. */
#include <string.h>

#include "ptwalk/target.h"

const char *pw_strerror(int err)
{
	switch (err) {
	case PW_OK: return "success";
	case PW_ERR_READ: return "memory not in the dump";
	case PW_ERR_EXCLUDED: return "page excluded from the dump";
	case PW_ERR_NOTFOUND: return "not found in the kernel's debug information";
	case PW_ERR_NOMEM: return "out of memory";
	case PW_ERR_INVALID: return "invalid argument";
	case PW_ERR_UNSUPPORTED: return "unsupported kernel or dump layout";
	case PW_ERR_INTERRUPTED: return "interrupted";
	case PW_ERR_LIMIT:
		return "too many table visits (tables shared in an exploding way: corrupt page tables?)";
	default: return "unknown error";
	}
}

int pw_big_endian(const struct pw_target *t)
{
	return t->arch && strcmp(t->arch, "s390x") == 0;
}

int pw_read_phys(const struct pw_target *t, uint64_t pa, void *buf, size_t len)
{
	return t->read(t->ctx, PW_PHYS, pa, buf, len);
}

int pw_read_kvirt(const struct pw_target *t, uint64_t va, void *buf, size_t len)
{
	return t->read(t->ctx, PW_KVIRT, va, buf, len);
}

int pw_read_kvirt_uint(const struct pw_target *t, uint64_t va, size_t size,
		       uint64_t *value)
{
	uint8_t b[8];
	uint64_t v = 0;
	int err;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return PW_ERR_INVALID;
	err = pw_read_kvirt(t, va, b, size);
	if (err)
		return err;
	for (size_t i = 0; i < size; i++) {
		size_t byte = pw_big_endian(t) ? i : size - 1 - i;

		v = (v << 8) | b[byte];
	}
	*value = v;
	return PW_OK;
}

int pw_symbol(const struct pw_target *t, const char *name, uint64_t *value)
{
	return t->symbol ? t->symbol(t->ctx, name, value) : PW_ERR_NOTFOUND;
}

int pw_member(const struct pw_target *t, const char *type, const char *member,
	      uint64_t *offset)
{
	return t->member_offset ? t->member_offset(t->ctx, type, member, offset)
				: PW_ERR_NOTFOUND;
}

int pw_size(const struct pw_target *t, const char *type, uint64_t *size)
{
	return t->type_size ? t->type_size(t->ctx, type, size) : PW_ERR_NOTFOUND;
}

int pw_number(const struct pw_target *t, const char *name, int64_t *value)
{
	return t->number ? t->number(t->ctx, name, value) : PW_ERR_NOTFOUND;
}
