/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every ptwalk crash command shares: the per-command context, parsing. */
#ifndef PTWALK_EXT_H
#define PTWALK_EXT_H

#include <stdint.h>

#include "crash_target.h"
#include "ptwalk/kernel.h"
#include "ptwalk/memmap.h"
#include "ptwalk/pgste.h"

#define WHY_LEN 256

/* One command's view of the dump: rebuilt per command (GETBUF lifetime). */
struct ctx {
	struct pw_target t;
	struct pw_kernel k;
	char why[WHY_LEN];
	int json;               /* the command's -j: messages as JSON records */
};

/*
 * One message line.  In text mode crash's error(INFO) ("ptwalk: ...").  With
 * -j a record of its own, {"arg":...,"error":...} (or "warning"), so that the
 * output stays one JSON object a line: crash copies error(INFO) lines into
 * a redirection or a pipe.  arg (may be NULL): the argument it is about.
 */
void ctx_say(const struct ctx *c, const char *key, const char *arg, const char *msg);
#define ctx_msg_(c, key, arg, ...)                                    \
	do {                                                           \
		char msg_[WHY_LEN + 160];                              \
		snprintf(msg_, sizeof(msg_), __VA_ARGS__);             \
		ctx_say(c, key, arg, msg_);                            \
	} while (0)
#define ctx_error(c, arg, ...) ctx_msg_(c, "error", arg, __VA_ARGS__)
#define ctx_warning(c, ...) ctx_msg_(c, "warning", NULL, __VA_ARGS__)

/* The address space a command works on. */
struct space_choice {
	const char *label;      /* "kernel", "user" */
	struct pw_task task;    /* when a task's mm is used */
	int have_task;
	uint64_t root;          /* see struct pw_kernel.kernel_root */
};

/* Open the kernel's layout; prints one line and returns -1 on failure. */
int ctx_open(struct ctx *c);
void ctx_close(struct ctx *c);
/* A hex number, crash-style (optional 0x). */
int parse_hex(const char *s, uint64_t *out);
/* "START-END" in hex; -1 when malformed or END <= START (END 0 is accepted). */
int parse_range(const char *s, uint64_t range[2]);
/* The options of a command whose only one is -j; -1 after printing its usage. */
int parse_only_json_option(int *json);
/* A hex address or a kernel symbol. */
int parse_address(const char *s, uint64_t *out);
/* -c argument, or crash's current context when spec is NULL. */
int choose_task(struct ctx *c, const char *spec, struct pw_task *task);
int choose_space(struct ctx *c, int kernel, int pti_user, const char *task_spec,
		 struct space_choice *sc);
/* The walkable space of sc's root; one message (about arg, may be NULL) when not. */
int open_space(struct ctx *c, const struct space_choice *sc, const char *arg,
	       struct pw_space *sp);

/* The memory model on top of a ctx (pgmap, pfninfo, pttriage). */
struct memmap_ctx {
	struct ctx c;
	struct pw_memmap mm;
	struct pw_pgmap *pgmaps;   /* GETBUF'd: Ctrl-C leaves nothing behind */
	int npgmaps;
	const char *pgmap_problem; /* set when pgmap_array could not be read */
	char pgmap_why[WHY_LEN];
};
int memmap_open(struct memmap_ctx *m);
void memmap_close(struct memmap_ctx *m);

/* Commands in other files. */
void cmd_pgmap(void);
void cmd_pfninfo(void);
void cmd_pttriage(void);
void cmd_pgste(void);

/* s390x: the PGSTE of a walk's last PTE, for ptwalk (cmd_pgste.c). */
void pgste_print_walk(const struct pw_pgste_of_walk *w);

#endif
