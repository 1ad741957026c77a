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

/*
 * A task search: init_task.tasks links the thread-group leaders; each group's
 * threads hang off signal_struct.thread_head through task_struct.thread_node
 * (3.14 and later; 6.1 also keeps the older thread_group list, 6.7 drops it).
 */
struct task_search {
	struct pw_kernel *k;
	struct task_offsets o;
	uint64_t signal, thread_head, thread_node; /* 0 each when threads is 0 */
	int threads;		/* the thread lists can be followed */
	int by_addr;
	unsigned long long want;
	unsigned visited;	/* leaders and threads, against PW_MAX_TASKS */
	uint64_t broken_leader;	/* a group whose thread list could not be followed */
	int broken_err;		/* its read error, or PW_ERR_LIMIT: it loops */
};

/*
 * Brent's cycle finding over a list that should come back to its head: a
 * loop that misses the head is found within about twice its length and
 * start, not at the end of the task budget.
 */
struct loop_check {
	uint64_t mark;
	unsigned power, steps;
};

static void loop_check_init(struct loop_check *lc, uint64_t start)
{
	lc->mark = start;
	lc->power = 1;
	lc->steps = 0;
}

/* pos: the element just reached; 1 when the list is back at an element it
 * passed (a loop without the head). */
static int loop_check_step(struct loop_check *lc, uint64_t pos)
{
	if (pos == lc->mark)
		return 1;
	if (++lc->steps == lc->power) {
		lc->mark = pos;
		lc->power <<= 1;
		lc->steps = 0;
	}
	return 0;
}

/* Whether task (a task_struct address) is the one asked for. */
static int task_is_wanted(struct task_search *s, uint64_t task, int *err)
{
	uint64_t v;

	*err = PW_OK;
	if (s->by_addr)
		return task == s->want;
	*err = pw_read_kvirt_uint(s->k->t, task + s->o.pid, 4, &v);
	return !*err && (int32_t)v == (int64_t)s->want;
}

/*
 * The threads of leader's group other than leader itself.  Returns 1 with
 * *found set, 0 when none is the one asked for (a list that cannot be read
 * or loops is remembered for the final message and left), or PW_ERR_LIMIT as
 * a negative number when the budget of tasks ran out.
 */
static int search_threads(struct task_search *s, uint64_t leader, uint64_t *found)
{
	const struct pw_target *t = s->k->t;
	uint64_t signal, head, node;
	struct loop_check lc;
	int err;

	if (!s->threads)
		return 0;
	err = pw_read_kvirt_uint(t, leader + s->signal, 8, &signal);
	if (!err && !signal)
		return 0; /* a task on its way out: no group left to search */
	head = signal + s->thread_head;
	if (!err)
		err = pw_read_kvirt_uint(t, head, 8, &node);
	loop_check_init(&lc, head);
	while (!err && node != head) {
		uint64_t task = node - s->thread_node;

		if (++s->visited > PW_MAX_TASKS)
			return -PW_ERR_LIMIT;
		if (task != leader && task_is_wanted(s, task, &err)) {
			*found = task;
			return 1;
		}
		if (!err)
			err = pw_read_kvirt_uint(t, node, 8, &node);
		if (!err && node != head && loop_check_step(&lc, node))
			err = PW_ERR_LIMIT;
	}
	if (err && !s->broken_leader) {
		s->broken_leader = leader;
		s->broken_err = err;
	}
	return 0;
}

int pw_kernel_find_task(struct pw_kernel *k, const char *spec,
			struct pw_task *out, char *why, size_t why_len)
{
	struct task_search s = { .k = k };
	uint64_t init_task, pos, next, found;
	struct loop_check lc;
	char *end, broken[128] = "";
	int err, limited = 1; /* until the list leads back to init_task */

	s.by_addr = strncmp(spec, "0x", 2) == 0 || strncmp(spec, "0X", 2) == 0;
	errno = 0;
	s.want = strtoull(spec, &end, s.by_addr ? 16 : 10);
	if (errno || end == spec || *end) {
		say(why, why_len, "'%s' is neither a pid nor a task address (0x...)",
		    spec);
		return PW_ERR_INVALID;
	}
	err = task_offsets(k, &s.o, why, why_len);
	if (err)
		return err;
	s.threads = !pw_member(k->t, "task_struct", "signal", &s.signal) &&
		    !pw_member(k->t, "signal_struct", "thread_head", &s.thread_head) &&
		    !pw_member(k->t, "task_struct", "thread_node", &s.thread_node);
	if (pw_symbol(k->t, "init_task", &init_task)) {
		say(why, why_len, "symbol init_task not found");
		return PW_ERR_NOTFOUND;
	}
	pos = init_task;
	loop_check_init(&lc, init_task);
	while (s.visited++ < PW_MAX_TASKS) {
		int r;

		if (task_is_wanted(&s, pos, &err))
			return fill_task(k, &s.o, pos, out, why, why_len);
		if (err) {
			say(why, why_len, "task list broken: the pid of task_struct 0x%llx: %s",
			    (unsigned long long)pos, pw_strerror(err));
			return err;
		}
		r = search_threads(&s, pos, &found);
		if (r > 0)
			return fill_task(k, &s.o, found, out, why, why_len);
		if (r < 0)
			break;
		err = pw_read_kvirt_uint(k->t, pos + s.o.tasks, 8, &next);
		if (err) {
			say(why, why_len, "task list broken at task_struct 0x%llx: %s",
			    (unsigned long long)pos, pw_strerror(err));
			return err;
		}
		pos = next - s.o.tasks;
		if (pos == init_task) {
			limited = 0;
			break;
		}
		if (loop_check_step(&lc, pos)) {
			say(why, why_len, "task list broken: it loops at task_struct 0x%llx "
			    "without coming back to init_task", (unsigned long long)pos);
			return PW_ERR_LIMIT;
		}
	}
	if (limited) {
		say(why, why_len, "task list broken: no way back to init_task or to a "
		    "thread list's head within %u tasks", (unsigned)PW_MAX_TASKS);
		return PW_ERR_LIMIT;
	}
	if (s.broken_leader && s.broken_err == PW_ERR_LIMIT)
		snprintf(broken, sizeof(broken), "; the thread list of task_struct 0x%llx "
			 "loops without coming back to its head",
			 (unsigned long long)s.broken_leader);
	else if (s.broken_leader)
		snprintf(broken, sizeof(broken), "; the thread list of task_struct 0x%llx "
			 "is not readable: %s", (unsigned long long)s.broken_leader,
			 pw_strerror(s.broken_err));
	if (s.threads)
		say(why, why_len, "no task with %s %s in init_task.tasks or its thread lists%s",
		    s.by_addr ? "address" : "pid", spec, broken);
	else
		say(why, why_len, "no task with %s %s in init_task.tasks (thread-group "
		    "leaders only: the debug information lacks the thread lists; give a "
		    "thread's leader)", s.by_addr ? "address" : "pid", spec);
	return PW_ERR_NOTFOUND;
}
