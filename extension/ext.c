// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared parts of the crash commands: context, parsing, choosing a space. */
#include "defs.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "ext.h"
#include "ptwalk/json.h"

int ctx_open(struct ctx *c)
{
	crash_target_init(&c->t);
	if (pw_kernel_open(&c->k, &c->t, c->why, sizeof(c->why))) {
		ctx_error(c, NULL, "cannot read the kernel's page-table layout: %s", c->why);
		return -1;
	}
	/* Kernel virtual reads crash would walk tables for: through k's own space. */
	crash_target_walk_kvirt(&c->t, &c->k);
	return 0;
}

void ctx_close(struct ctx *c)
{
	crash_target_walk_kvirt(&c->t, NULL);
	pw_kernel_close(&c->k);
}

void ctx_say(const struct ctx *c, const char *key, const char *arg, const char *msg)
{
	if (!c->json) {
		error(INFO, "%s\n", msg);
		return;
	}
	fputc('{', fp);
	if (arg) {
		fputs("\"arg\":", fp);
		pw_json_str(fp, arg);
		fputc(',', fp);
	}
	fprintf(fp, "\"%s\":", key);
	pw_json_str(fp, msg);
	fputs("}\n", fp);
}

/* Parse a hex address the way crash does (optional 0x). */
int parse_hex(const char *s, uint64_t *out)
{
	const char *digits = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? s + 2 : s;
	char *end;

	/* strtoull() would also take "-1", "+5" and leading blanks. */
	if (!isxdigit((unsigned char)digits[0]))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || end == s || *end ? -1 : 0;
}

/* A hex address, or a kernel symbol as crash's own commands accept. */
int parse_address(const char *s, uint64_t *out)
{
	if (parse_hex(s, out) == 0)
		return 0;
	if (symbol_exists((char *)s)) {
		*out = symbol_value((char *)s);
		return 0;
	}
	return -1;
}

/* -c argument, or crash's current context when spec is NULL. */
int choose_task(struct ctx *c, const char *spec, struct pw_task *task)
{
	int err;

	if (spec)
		err = pw_kernel_find_task(&c->k, spec, task, c->why, sizeof(c->why));
	else
		err = pw_kernel_task_at(&c->k, CURRENT_TASK(), task, c->why,
					sizeof(c->why));
	if (err) {
		ctx_error(c, spec, "%s", c->why);
		return -1;
	}
	if (!task->mm) {
		ctx_error(c, spec, "task %lld (%s) is a kernel thread: it has no user address space; use -k",
			  (long long)task->pid, task->comm);
		return -1;
	}
	return 0;
}

int choose_space(struct ctx *c, int kernel, int pti_user, const char *task_spec,
		 struct space_choice *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (kernel) {
		sc->label = "kernel";
		sc->root = c->k.kernel_root;
	} else {
		if (choose_task(c, task_spec, &sc->task))
			return -1;
		sc->have_task = 1;
		sc->label = "user";
		sc->root = sc->task.root;
	}
	if (pti_user) {
		if (!c->k.arch->user_root ||
		    c->k.arch->user_root(&c->k, sc->root, &sc->root)) {
			ctx_error(c, NULL, "this kernel runs without page-table isolation: there is no separate user copy of the page tables");
			return -1;
		}
	}
	return 0;
}

int open_space(struct ctx *c, const struct space_choice *sc, const char *arg,
	       struct pw_space *sp)
{
	int err = pw_kernel_space(&c->k, sp, sc->root);

	if (err)
		ctx_error(c, arg, "cannot walk root %llx: %s", (unsigned long long)sc->root,
			  pw_strerror(err));
	return err;
}

/* "START-END" in hex, as ptdump -r and pgste -r take it. */
int parse_range(const char *s, uint64_t range[2])
{
	const char *dash = strchr(s, '-');
	char start[32];

	if (!dash || dash == s || (size_t)(dash - s) >= sizeof(start))
		return -1;
	memcpy(start, s, (size_t)(dash - s));
	start[dash - s] = '\0';
	if (parse_hex(start, &range[0]) || parse_hex(dash + 1, &range[1]))
		return -1;
	return range[1] != 0 && range[1] <= range[0] ? -1 : 0;
}

int parse_only_json_option(int *json)
{
	int c;

	*json = 0;
	while ((c = getopt(argcnt, args, "j")) != EOF) {
		if (c == 'j')
			*json = 1;
		else
			argerrs++;
	}
	if (argerrs || args[optind]) {
		cmd_usage(pc->curcmd, SYNOPSIS);
		return -1;
	}
	return 0;
}
