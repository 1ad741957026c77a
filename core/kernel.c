// SPDX-License-Identifier: GPL-2.0-or-later
/* Arch-neutral kernel knowledge: picking the layout, kvtop, tasks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/kernel.h"

/* Upper bound on the task list: a corrupt list must not loop forever. */
#define PW_MAX_TASKS (1u << 22)

static const struct pw_arch_layout *const layouts[] = {
	&pw_layout_x86_64,
	&pw_layout_arm64,
	&pw_layout_s390x,
	NULL,
};

/* A one-line reason for the caller, when it asked for one. */
#define say(why, len, ...) \
	((why) && (len) ? (void)snprintf((why), (len), __VA_ARGS__) : (void)0)

int pw_kernel_open(struct pw_kernel *k, const struct pw_target *t,
		   char *why, size_t why_len)
{
	int err;

	memset(k, 0, sizeof(*k));
	k->t = t;
	k->page_size = 4096;
	for (int i = 0; layouts[i]; i++)
		if (t->arch && strcmp(layouts[i]->arch, t->arch) == 0)
			k->arch = layouts[i];
	if (!k->arch) {
		say(why, why_len, "architecture %s is not supported",
		    t->arch ? t->arch : "(unknown)");
		return PW_ERR_UNSUPPORTED;
	}
	err = k->arch->open(k, why, why_len);
	if (err)
		return err;
	err = pw_kernel_space(k, &k->kspace, k->kernel_root);
	if (err) {
		say(why, why_len, "cannot set up the kernel's page tables (root %llx): %s",
		    (unsigned long long)k->kernel_root, pw_strerror(err));
		return err;
	}
	return PW_OK;
}

int pw_kernel_space(struct pw_kernel *k, struct pw_space *sp, uint64_t root)
{
	int err;

	if (k->arch->space_init)
		err = k->arch->space_init(k, sp, root);
	else
		err = pw_space_init(sp, k->t, k->fmt, root);
	if (!err)
		sp->mem_end = k->mem_end;
	return err;
}

void pw_kernel_close(struct pw_kernel *k)
{
	if (k->kspace.target)
		pw_space_release(&k->kspace);
}

int pw_kernel_kvtop(struct pw_kernel *k, uint64_t va, uint64_t *pa)
{
	struct pw_translation tr;
	int err = pw_translate(&k->kspace, va, &tr);

	if (err)
		return err;
	if (tr.status != PW_ST_MAPPED)
		return tr.err ? tr.err : PW_ERR_READ;
	*pa = tr.pa;
	return PW_OK;
}

/* Offsets the task code needs, resolved on each use (cheap in crash). */
struct task_offsets {
	uint64_t tasks, pid, comm, mm, pgd;
};

static int task_offsets(struct pw_kernel *k, struct task_offsets *o,
			char *why, size_t why_len)
{
	const struct { const char *type, *member; uint64_t *out; } need[] = {
		{ "task_struct", "tasks", &o->tasks },
		{ "task_struct", "pid", &o->pid },
		{ "task_struct", "comm", &o->comm },
		{ "task_struct", "mm", &o->mm },
		{ "mm_struct", "pgd", &o->pgd },
	};

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		if (pw_member(k->t, need[i].type, need[i].member, need[i].out)) {
			say(why, why_len, "no offset for %s.%s in the debug information",
			    need[i].type, need[i].member);
			return PW_ERR_NOTFOUND;
		}
	}
	return PW_OK;
}

static int fill_task(struct pw_kernel *k, const struct task_offsets *o,
		     uint64_t task, struct pw_task *out, char *why, size_t why_len)
{
	uint64_t v;
	int err;

	memset(out, 0, sizeof(*out));
	out->task = task;
	err = pw_read_kvirt_uint(k->t, task + o->pid, 4, &v);
	if (!err)
		out->pid = (int32_t)v;
	if (!err)
		err = pw_read_kvirt(k->t, task + o->comm, out->comm, 16);
	if (!err)
		err = pw_read_kvirt_uint(k->t, task + o->mm, 8, &out->mm);
	if (err) {
		say(why, why_len, "task_struct at 0x%llx is not readable: %s",
		    (unsigned long long)task, pw_strerror(err));
		return err;
	}
	out->comm[16] = '\0';
	if (!out->mm)
		return PW_OK;
	err = pw_read_kvirt_uint(k->t, out->mm + o->pgd, 8, &out->pgd_va);
	if (!err)
		err = k->arch->mm_root(k, out->mm, out->pgd_va, &out->root);
	if (err) {
		say(why, why_len, "mm_struct 0x%llx of task %lld: pgd not readable: %s",
		    (unsigned long long)out->mm, (long long)out->pid,
		    pw_strerror(err));
		return err;
	}
	return PW_OK;
}

int pw_kernel_task_at(struct pw_kernel *k, uint64_t task, struct pw_task *out,
		      char *why, size_t why_len)
{
	struct task_offsets o;
	int err = task_offsets(k, &o, why, why_len);

	return err ? err : fill_task(k, &o, task, out, why, why_len);
}

int pw_kernel_read_percpu(struct pw_kernel *k, uint64_t sym, uint64_t cpu, uint64_t *val,
			  char *why, size_t why_len)
{
	uint64_t offsets, base;

	if (pw_symbol(k->t, "__per_cpu_offset", &offsets) ||
	    pw_read_kvirt_uint(k->t, offsets + 8 * cpu, 8, &base)) {
		say(why, why_len, "__per_cpu_offset[%llu] not found or not readable",
		    (unsigned long long)cpu);
		return PW_ERR_NOTFOUND;
	}
	return pw_read_kvirt_uint(k->t, sym + base, 8, val);
}

int pw_kernel_panic_task(struct pw_kernel *k, uint64_t *task, char *why, size_t why_len)
{
	uint64_t sym, cpu;
	int err;

	/* kernel/panic.c: atomic_t panic_cpu, PANIC_CPU_INVALID (-1) until panic(). */
	if (pw_symbol(k->t, "panic_cpu", &sym) || pw_read_kvirt_uint(k->t, sym, 4, &cpu)) {
		say(why, why_len, "panic_cpu not found or not readable");
		return PW_ERR_NOTFOUND;
	}
	if ((int32_t)cpu < 0 || cpu >= 8192) {
		say(why, why_len, "no CPU is in panic() (panic_cpu %d)", (int32_t)cpu);
		return PW_ERR_NOTFOUND;
	}
	*task = 0;
	if (!k->arch->current_task) {
		say(why, why_len, "no panic task lookup for %s", k->arch->arch);
		return PW_ERR_UNSUPPORTED;
	}
	err = k->arch->current_task(k, cpu, task, why, why_len);
	if (err == PW_ERR_READ || err == PW_ERR_EXCLUDED)
		say(why, why_len, "the current task of CPU %llu is not readable: %s",
		    (unsigned long long)cpu, pw_strerror(err));
	if (err)
		return err;
	if (!*task) {
		say(why, why_len, "CPU %llu has no current task", (unsigned long long)cpu);
		return PW_ERR_NOTFOUND;
	}
	return PW_OK;
}

int pw_kernel_find_task(struct pw_kernel *k, const char *spec,
			struct pw_task *out, char *why, size_t why_len)
{
	struct task_offsets o;
	uint64_t init_task, pos, next;
	char *end;
	int by_addr = strncmp(spec, "0x", 2) == 0 || strncmp(spec, "0X", 2) == 0;
	unsigned long long want;
	int err;

	errno = 0;
	want = strtoull(spec, &end, by_addr ? 16 : 10);
	if (errno || end == spec || *end) {
		say(why, why_len, "'%s' is neither a pid nor a task address (0x...)",
		    spec);
		return PW_ERR_INVALID;
	}
	err = task_offsets(k, &o, why, why_len);
	if (err)
		return err;
	if (pw_symbol(k->t, "init_task", &init_task)) {
		say(why, why_len, "symbol init_task not found");
		return PW_ERR_NOTFOUND;
	}
	pos = init_task;
	for (unsigned n = 0; n < PW_MAX_TASKS; n++) {
		int64_t pid;
		uint64_t v;

		if (by_addr && pos == want)
			return fill_task(k, &o, pos, out, why, why_len);
		if (!by_addr) {
			err = pw_read_kvirt_uint(k->t, pos + o.pid, 4, &v);
			if (err) {
				say(why, why_len, "task list broken: the pid of task_struct 0x%llx: %s",
				    (unsigned long long)pos, pw_strerror(err));
				return err;
			}
			pid = (int32_t)v;
			if (pid == (int64_t)want)
				return fill_task(k, &o, pos, out, why, why_len);
		}
		err = pw_read_kvirt_uint(k->t, pos + o.tasks, 8, &next);
		if (err) {
			say(why, why_len, "task list broken at task_struct 0x%llx: %s",
			    (unsigned long long)pos, pw_strerror(err));
			return err;
		}
		pos = next - o.tasks;
		if (pos == init_task)
			break;
	}
	if (pos != init_task) {
		say(why, why_len, "task list broken: no way back to init_task within %u tasks",
		    (unsigned)PW_MAX_TASKS);
		return PW_ERR_LIMIT;
	}
	/* init_task.tasks links thread-group leaders only; the threads share their mm. */
	say(why, why_len, "no task with %s %s in init_task.tasks (thread-group leaders: "
	    "give a thread's leader)", by_addr ? "address" : "pid", spec);
	return PW_ERR_NOTFOUND;
}
