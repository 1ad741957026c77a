// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the task search: init_task.tasks and every group's
 * thread list (signal->thread_head, thread_node) read out of a random
 * memory image.  Whatever the bytes say, the search must end (loops are
 * found, the task budget holds), within bounded memory, and say why in a
 * terminated line.
 *
 * Input: [0] what to look for (bit 0: a task_struct address, else a pid),
 * [1..4] the pid or the image offset of the address, then the image: kernel
 * virtual KBASE + off and physical off both read byte off of it; init_task
 * is at off 0, and the mm's page tables (x86_64 4-level) start at off 0x1000.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/kernel.h"
#include "ptwalk/walk.h"

#include "fuzz_image.h"

#define HEADER 5
#define KBASE 0xffff888000000000ULL

static int img_read(void *ctx, enum pw_addr_space space, uint64_t addr, void *buf, size_t len)
{
	const struct image *im = ctx;

	if (space == PW_KVIRT) {
		if (addr < KBASE)
			return PW_ERR_READ;
		addr -= KBASE;
	}
	if (addr >= im->len || len > im->len - addr)
		return PW_ERR_READ;
	memcpy(buf, im->mem + addr, len);
	return PW_OK;
}

static int img_symbol(void *ctx, const char *name, uint64_t *value)
{
	(void)ctx;
	if (strcmp(name, "init_task") != 0)
		return PW_ERR_NOTFOUND;
	*value = KBASE;
	return PW_OK;
}

/* The layout of the unit tests' synthetic kernel (tests/unit/test_kernel_x86_64.c). */
static int img_member(void *ctx, const char *type, const char *member, uint64_t *offset)
{
	static const struct { const char *type, *member; uint64_t off; } members[] = {
		{ "task_struct", "tasks", 0x10 },  { "task_struct", "pid", 0x20 },
		{ "task_struct", "comm", 0x30 },   { "task_struct", "mm", 0x40 },
		{ "task_struct", "signal", 0x50 }, { "task_struct", "thread_node", 0x60 },
		{ "mm_struct", "pgd", 0x8 },       { "signal_struct", "thread_head", 0x8 },
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (!strcmp(type, members[i].type) && !strcmp(member, members[i].member)) {
			*offset = members[i].off;
			return PW_OK;
		}
	return PW_ERR_NOTFOUND;
}

static int img_size(void *ctx, const char *type, uint64_t *size)
{
	(void)ctx;
	(void)type;
	(void)size;
	return PW_ERR_NOTFOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image im;
	struct pw_target t = {
		.ctx = &im, .arch = "x86_64", .read = img_read, .symbol = img_symbol,
		.member_offset = img_member, .type_size = img_size,
		.alloc = img_alloc, .free = img_free,
	};
	struct pw_kernel k;
	struct pw_task task;
	char spec[32], why[256];
	uint32_t arg;

	if (size < HEADER)
		return 0;
	im.mem = data + HEADER;
	im.len = size - HEADER;
	memcpy(&arg, data + 1, sizeof(arg));
	if (data[0] & 1)
		snprintf(spec, sizeof(spec), "0x%llx", (unsigned long long)(KBASE + arg));
	else
		snprintf(spec, sizeof(spec), "%u", arg);
	/* Just what the search uses: the target, the arch's mm_root (a kernel
	 * translation, here through the image's own tables). */
	memset(&k, 0, sizeof(k));
	k.t = &t;
	k.arch = &pw_layout_x86_64;
	if (pw_space_init(&k.kspace, &t, &pw_format_x86_64_4level, 0x1000))
		return 0;
	memset(why, 0x55, sizeof(why));
	if (pw_kernel_find_task(&k, spec, &task, why, sizeof(why)) != PW_OK &&
	    !memchr(why, '\0', sizeof(why)))
		abort(); /* a failure always says why, in a terminated line */
	pw_space_release(&k.kspace);
	return 0;
}
