/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the harnesses share: a memory image as a target's memory, malloc'd buffers. */
#ifndef PTWALK_FUZZ_IMAGE_H
#define PTWALK_FUZZ_IMAGE_H

#include <stdint.h>
#include <stdlib.h>

#include "ptwalk/target.h"

struct image {
	const uint8_t *mem;
	size_t len;
};

static inline void *img_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size);
}

static inline void img_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

#endif
