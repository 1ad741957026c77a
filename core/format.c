// SPDX-License-Identifier: GPL-2.0-or-later
/* What every format shares: defaults for decode, canonical checks, flag names. */
#include <stdio.h>
#include <string.h>

#include "ptwalk/format.h"

static const struct pw_format *const all_formats[] = {
	&pw_format_x86_64_4level,
	&pw_format_x86_64_5level,
	&pw_format_arm64_4k_39bit_3level,
	&pw_format_arm64_4k_48bit_4level,
	&pw_format_arm64_16k_36bit_2level,
	&pw_format_arm64_16k_47bit_3level,
	&pw_format_arm64_16k_48bit_4level,
	&pw_format_arm64_64k_42bit_2level,
	&pw_format_arm64_64k_48bit_3level,
	&pw_format_arm64_64k_52bit_3level,
	&pw_format_s390x,
	NULL,
};

const struct pw_format *pw_format_nth(int i)
{
	if (i < 0 || i >= (int)(sizeof(all_formats) / sizeof(all_formats[0])) - 1)
		return NULL;
	return all_formats[i];
}

const struct pw_format *pw_format_by_name(const char *name)
{
	for (int i = 0; all_formats[i]; i++)
		if (strcmp(all_formats[i]->name, name) == 0)
			return all_formats[i];
	return NULL;
}

const char *pw_entry_kind_name(enum pw_entry_kind kind)
{
	switch (kind) {
	case PW_ENTRY_TABLE: return "table";
	case PW_ENTRY_LEAF: return "leaf";
	case PW_ENTRY_BAD: return "bad";
	case PW_ENTRY_NONE: break;
	}
	return "none";
}

void pw_decode(const struct pw_format *fmt, int level, uint64_t raw,
	       struct pw_entry *out)
{
	memset(out, 0, sizeof(*out));
	if (level + 1 < fmt->nlevels) {
		out->next_level = level + 1;
		out->next_last = pw_level_entries(fmt, level + 1) - 1;
	} else {
		out->next_level = -1;
	}
	fmt->decode(fmt, level, raw, out);
}

bool pw_va_canonical(const struct pw_format *fmt, uint64_t va)
{
	uint64_t top;

	if (fmt->va_bits >= 64)
		return true;
	top = va >> (fmt->va_bits - (fmt->sign_extend ? 1 : 0));
	if (!fmt->sign_extend)
		return top == 0;
	/* All bits from va_bits-1 up must be equal. */
	return top == 0 || top == (UINT64_MAX >> (fmt->va_bits - 1));
}

char *pw_flag_string(const struct pw_format *fmt, int level, uint64_t raw,
		     enum pw_entry_kind kind, char *buf, size_t len)
{
	int height = pw_level_height(fmt, level);
	size_t used = 0;

	buf[0] = '\0';
	for (const struct pw_flag_name *f = fmt->flags; f && f->name; f++) {
		if (f->height_mask && !(f->height_mask & (1u << height)))
			continue;
		if (f->only_leaf && kind != PW_ENTRY_LEAF)
			continue;
		if (f->only_table && kind != PW_ENTRY_TABLE)
			continue;
		if ((raw & f->mask) != f->value)
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? " " : "", f->name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
