// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel layout discovery and task lookup over a synthetic x86_64 kernel:
 * symbols, VMCOREINFO numbers, a direct map and a task list built here.
 * Expected addresses come from Documentation/x86/x86_64/mm.rst (6.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/arch_x86_64.h"
#include "ptwalk/kernel.h"
#include "synthetic.h"

#define MEM (64ULL << 20)
#define TASKS_PA 0x200000ULL     /* task_structs */
#define MM_PA 0x300000ULL
#define SIGNAL_PA 0x280000ULL    /* signal_structs, one a group */
#define THREAD43 3               /* f->task[3]: pid 43, a thread of pid 42 */

struct kfix {
	struct syn_x86 kx;
	struct syn *s;
	uint64_t root, pgd42, kv;
	uint64_t task[4];
};

/* Thread lists in the fixture. */
enum threads {
	NO_THREADS,		/* no signal/thread_node offsets: leaders only */
	THREADS,		/* pid 42's group: 42 and its thread 43 */
	THREADS_LOOP,		/* 43's thread_node points at itself */
	THREADS_SIGNAL_BAD,	/* 42's signal points outside memory */
};

/* A 5-level (or 4-level) kernel with a task list: init_task (pid 0, no mm)
 * -> pid 1 (no mm) -> pid 42 (mm); corrupt_list loops 1 -> 42 -> 1.  With
 * thread lists, pid 42's group also holds pid 43 (same mm), which is on no
 * tasks list, as in the kernel. */
static struct kfix *kernel_new_threads(int l5, int pti, int corrupt_list, enum threads th)
{
	struct kfix *f = test_calloc(1, sizeof(*f));

	syn_x86_kernel(&f->kx, MEM, l5, pti);
	f->s = f->kx.s;
	f->root = f->kx.root;
	f->kv = f->kx.kv;
	syn_member(f->s, "task_struct", "tasks", 0x10);
	syn_member(f->s, "task_struct", "pid", 0x20);
	syn_member(f->s, "task_struct", "comm", 0x30);
	syn_member(f->s, "task_struct", "mm", 0x40);
	syn_member(f->s, "mm_struct", "pgd", 0x8);
	f->pgd42 = syn_table(f->s, 8192);
	syn_put(f->s, MM_PA + 0x8, f->kv + f->pgd42, 8);
	for (int i = 0; i < 3; i++) {
		uint64_t pa = TASKS_PA + 0x1000 * (uint64_t)i;
		uint64_t next = TASKS_PA + 0x1000 * (uint64_t)((i + 1) % 3);
		static const char *const comm[] = { "swapper/0", "init", "ptwalk-probe" };
		static const int pid[] = { 0, 1, 42 };

		if (corrupt_list && i == 2)
			next = TASKS_PA + 0x1000;
		f->task[i] = f->kv + pa;
		syn_put(f->s, pa + 0x10, f->kv + next + 0x10, 8);
		syn_put(f->s, pa + 0x20, (uint64_t)pid[i], 4);
		memcpy(f->s->mem + pa + 0x30, comm[i], strlen(comm[i]));
		syn_put(f->s, pa + 0x40, i == 2 ? f->kv + MM_PA : 0, 8);
	}
	syn_symbol(f->s, "init_task", f->task[0]);
	/* Functions and data that CONFIG_MODIFY_LDT_SYSCALL, CONFIG_X86_ESPFIX64
	 * and CONFIG_EFI build in: their ptdump markers are there. */
	syn_symbol(f->s, "ldt_dup_context", 0xffffffff81035260ULL);
	syn_symbol(f->s, "init_espfix_ap", 0xffffffff81036000ULL);
	syn_symbol(f->s, "efi_mm", 0xffffffff82bdada0ULL);
	if (th == NO_THREADS)
		return f;
	syn_member(f->s, "task_struct", "signal", 0x50);
	syn_member(f->s, "task_struct", "thread_node", 0x60);
	syn_member(f->s, "signal_struct", "thread_head", 0x8);
	/* Every leader: signal -> its own group; thread_head <-> thread_node. */
	for (int i = 0; i < 3; i++) {
		uint64_t pa = TASKS_PA + 0x1000 * (uint64_t)i, sig = SIGNAL_PA + 0x100 * (uint64_t)i;

		syn_put(f->s, pa + 0x50, f->kv + sig, 8);
		syn_put(f->s, sig + 0x8, f->kv + pa + 0x60, 8);
		syn_put(f->s, pa + 0x60, f->kv + sig + 0x8, 8);
	}
	{
		uint64_t pa = TASKS_PA + 0x1000 * THREAD43, sig = SIGNAL_PA + 0x200;

		f->task[THREAD43] = f->kv + pa;
		syn_put(f->s, pa + 0x20, 43, 4);
		memcpy(f->s->mem + pa + 0x30, "ptwalk-thread", 13);
		syn_put(f->s, pa + 0x40, f->kv + MM_PA, 8);
		syn_put(f->s, pa + 0x50, f->kv + sig, 8);
		/* head -> 42 -> 43 -> head */
		syn_put(f->s, TASKS_PA + 0x2000 + 0x60, f->kv + pa + 0x60, 8);
		syn_put(f->s, pa + 0x60, th == THREADS_LOOP ? f->kv + pa + 0x60 : f->kv + sig + 0x8, 8);
		if (th == THREADS_SIGNAL_BAD)
			syn_put(f->s, TASKS_PA + 0x2000 + 0x50, f->kv + MEM + 0x1000, 8);
	}
	return f;
}

static struct kfix *kernel_new(int l5, int pti, int corrupt_list)
{
	return kernel_new_threads(l5, pti, corrupt_list, NO_THREADS);
}

static void kernel_free(struct kfix *f)
{
	syn_free(f->s);
	test_free(f);
}

static const struct pw_marker *marker(const struct pw_kernel *k, const char *name)
{
	for (int i = 0; i < k->nmarkers; i++)
		if (strcmp(k->markers[i].name, name) == 0)
			return &k->markers[i];
	return NULL;
}

static void test_layout_5level(void **state)
{
	struct kfix *f = kernel_new(1, 1, 0);
	struct pw_kernel k;
	char why[256] = "";

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_string_equal(k.fmt->name, "x86_64-5level");
	assert_int_equal(k.kernel_root, f->root);
	assert_int_equal(k.mem_end, MEM);
	assert_true(k.pti);
	/* mm.rst (5-level): guard hole ends / LDT remap starts at ff10000000000000. */
	assert_int_equal(marker(&k, "LDT remap")->va, 0xff10000000000000ULL);
	assert_int_equal(k.dump_range[1].start, 0xff10000000000000ULL);
	/* User half ends at 2^56. */
	assert_int_equal(k.dump_range[0].end, 1ULL << 56);
	assert_int_equal(marker(&k, "Low Kernel Mapping")->va, f->kv);
	assert_int_equal(marker(&k, "vmalloc() Area")->va, 0xffa0000000000000ULL);
	assert_int_equal(marker(&k, "Vmemmap")->va, SYN_VMEMMAP);
	/* mm.rst: cpu_entry_area at fffffe0000000000, ESPfix at ffffff0000000000,
	 * EFI runtime ending at ffffffef00000000, modules from ffffffffc0000000
	 * (1G KASLR image), module end ffffffffff000000. */
	assert_int_equal(marker(&k, "CPU entry Area")->va, 0xfffffe0000000000ULL);
	assert_int_equal(marker(&k, "ESPfix Area")->va, 0xffffff0000000000ULL);
	assert_int_equal(marker(&k, "ESPfix Area")->max_lines, 16);
	assert_int_equal(marker(&k, "EFI Runtime Services")->va, 0xffffffef00000000ULL);
	assert_int_equal(marker(&k, "Modules")->va, 0xffffffffc0000000ULL);
	assert_int_equal(marker(&k, "End Modules")->va, 0xffffffffff000000ULL);
	/* FIXADDR_START = 0xffffffffff7ff000 - 0x2c3 pages. */
	assert_int_equal(marker(&k, "Fixmap Area")->va, 0xffffffffff7ff000ULL - (0x2c3ULL << 12));
	for (int i = 1; i < k.nmarkers; i++)
		assert_true(k.markers[i].va > k.markers[i - 1].va);
	pw_kernel_close(&k);
	assert_int_equal(f->s->allocs_live, 0);
	kernel_free(f);
}

static void test_layout_4level(void **state)
{
	struct kfix *f = kernel_new(0, 0, 0);
	struct pw_kernel k;
	char why[256] = "";
	uint64_t pa;

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_string_equal(k.fmt->name, "x86_64-4level");
	assert_false(k.pti);
	assert_int_equal(k.arch->user_root(&k, k.kernel_root, &pa), PW_ERR_UNSUPPORTED);
	/* mm.rst (4-level): LDT remap at ffff880000000000, user space below 2^47. */
	assert_int_equal(marker(&k, "LDT remap")->va, 0xffff880000000000ULL);
	assert_int_equal(k.dump_range[1].start, 0xffff880000000000ULL);
	assert_int_equal(k.dump_range[0].end, 1ULL << 47);
	/* kvtop through the direct map. */
	assert_int_equal(pw_kernel_kvtop(&k, f->kv + 0x123456, &pa), PW_OK);
	assert_int_equal(pa, 0x123456);
	pw_kernel_close(&k);
	kernel_free(f);
}

/*
 * A kernel built without CONFIG_MODIFY_LDT_SYSCALL, CONFIG_X86_ESPFIX64 and
 * CONFIG_EFI (Debian's cloud kernels lack ESPfix) has no such markers in its
 * address_markers[]: a marker the kernel does not have would break a range
 * that its ptdump prints whole.
 */
static void test_layout_markers_follow_config(void **state)
{
	struct syn_x86 kx;
	struct pw_kernel k;
	char why[256] = "";

	(void)state;
	syn_x86_kernel(&kx, MEM, 0, 0);
	assert_int_equal(pw_kernel_open(&k, &kx.s->target, why, sizeof(why)), PW_OK);
	assert_null(marker(&k, "LDT remap"));
	assert_null(marker(&k, "ESPfix Area"));
	assert_null(marker(&k, "EFI Runtime Services"));
	assert_int_equal(marker(&k, "CPU entry Area")->va, 0xfffffe0000000000ULL);
	assert_int_equal(marker(&k, "High Kernel Mapping")->va, 0xffffffff80000000ULL);
	/* The guard hole's end is where the walk starts, LDT marker or not. */
	assert_int_equal(k.dump_range[1].start, 0xffff880000000000ULL);
	pw_kernel_close(&k);
	syn_free(kx.s);
}

static void test_find_task(void **state)
{
	struct kfix *f = kernel_new(1, 1, 0);
	struct pw_kernel k;
	struct pw_task t;
	char why[256] = "", spec[32];

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_find_task(&k, "42", &t, why, sizeof(why)), PW_OK);
	assert_int_equal(t.pid, 42);
	assert_string_equal(t.comm, "ptwalk-probe");
	assert_int_equal(t.root, f->pgd42);
	snprintf(spec, sizeof(spec), "0x%llx", (unsigned long long)f->task[1]);
	assert_int_equal(pw_kernel_find_task(&k, spec, &t, why, sizeof(why)), PW_OK);
	assert_int_equal(t.pid, 1);
	assert_int_equal(t.mm, 0);
	assert_int_equal(pw_kernel_find_task(&k, "999", &t, why, sizeof(why)), PW_ERR_NOTFOUND);
	assert_string_equal(why, "no task with pid 999 in init_task.tasks (thread-group leaders "
			    "only: the debug information lacks the thread lists; give a thread's "
			    "leader)");
	assert_int_equal(pw_kernel_find_task(&k, "4x2", &t, why, sizeof(why)), PW_ERR_INVALID);
	pw_kernel_close(&k);
	kernel_free(f);
}

/* A thread that is no group's leader, by pid and by address: its group's mm. */
static void test_find_thread(void **state)
{
	struct kfix *f = kernel_new_threads(1, 1, 0, THREADS);
	struct pw_kernel k;
	struct pw_task t;
	char why[256] = "", spec[32];

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_find_task(&k, "43", &t, why, sizeof(why)), PW_OK);
	assert_int_equal(t.pid, 43);
	assert_int_equal(t.task, f->task[THREAD43]);
	assert_string_equal(t.comm, "ptwalk-thread");
	assert_int_equal(t.root, f->pgd42);
	snprintf(spec, sizeof(spec), "0x%llx", (unsigned long long)f->task[THREAD43]);
	assert_int_equal(pw_kernel_find_task(&k, spec, &t, why, sizeof(why)), PW_OK);
	assert_int_equal(t.pid, 43);
	/* Leaders are still found, the leader before its threads. */
	assert_int_equal(pw_kernel_find_task(&k, "42", &t, why, sizeof(why)), PW_OK);
	assert_int_equal(t.task, f->task[2]);
	assert_int_equal(pw_kernel_find_task(&k, "44", &t, why, sizeof(why)), PW_ERR_NOTFOUND);
	assert_string_equal(why, "no task with pid 44 in init_task.tasks or its thread lists");
	pw_kernel_close(&k);
	kernel_free(f);
}

/* A thread list that never leads back to its head is found looping at once
 * (not at the end of the 4M-task budget), named, and left. */
static void test_thread_list_loop_terminates(void **state)
{
	struct kfix *f = kernel_new_threads(1, 1, 0, THREADS_LOOP);
	struct pw_kernel k;
	struct pw_task t;
	char why[256] = "", want[160];
	uint64_t reads;

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	/* 43 is met before the loop closes. */
	assert_int_equal(pw_kernel_find_task(&k, "43", &t, why, sizeof(why)), PW_OK);
	reads = f->s->reads;
	assert_int_equal(pw_kernel_find_task(&k, "7", &t, why, sizeof(why)), PW_ERR_NOTFOUND);
	assert_true(f->s->reads - reads < 100);
	snprintf(want, sizeof(want), "no task with pid 7 in init_task.tasks or its thread lists; "
		 "the thread list of task_struct 0x%llx loops without coming back to its head",
		 (unsigned long long)f->task[2]);
	assert_string_equal(why, want);
	pw_kernel_close(&k);
	kernel_free(f);
}

/* An unreadable thread list is one group lost, not the search: named at the end. */
static void test_thread_list_unreadable(void **state)
{
	struct kfix *f = kernel_new_threads(1, 1, 0, THREADS_SIGNAL_BAD);
	struct pw_kernel k;
	struct pw_task t;
	char why[256] = "", want[160];

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_find_task(&k, "42", &t, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_find_task(&k, "43", &t, why, sizeof(why)), PW_ERR_NOTFOUND);
	snprintf(want, sizeof(want), "no task with pid 43 in init_task.tasks or its thread "
		 "lists; the thread list of task_struct 0x%llx is not readable: ",
		 (unsigned long long)f->task[2]);
	assert_memory_equal(why, want, strlen(want));
	pw_kernel_close(&k);
	kernel_free(f);
}

static void test_corrupt_task_list_terminates(void **state)
{
	struct kfix *f = kernel_new(1, 1, 1);
	struct pw_kernel k;
	struct pw_task t;
	char why[256] = "";

	(void)state;
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_find_task(&k, "7", &t, why, sizeof(why)), PW_ERR_LIMIT);
	assert_non_null(strstr(why, "task list broken: it loops at task_struct"));
	pw_kernel_close(&k);
	kernel_free(f);
}

/*
 * The panic task: panic_cpu's current task in its per-cpu area.  6.1 has
 * the per-cpu variable current_task, 6.2+ pcpu_hot.current_task; per-cpu
 * symbols are offsets into each CPU's area (__per_cpu_offset[cpu]).
 */
#define PERCPU_PA 0x380000ULL
static void panic_task_case(int pcpu_hot)
{
	struct kfix *f = kernel_new(1, 0, 0);
	struct pw_kernel k;
	uint64_t task = 0, panic_cpu;
	char why[256] = "";

	syn_x86_var(&f->kx, "__per_cpu_offset", f->kv + PERCPU_PA - 0x10000);
	syn_x86_var(&f->kx, "__per_cpu_offset_cpu1", f->kv + PERCPU_PA);
	panic_cpu = syn_x86_var(&f->kx, "panic_cpu", 1);
	if (pcpu_hot) {
		syn_symbol(f->s, "pcpu_hot", 0x20000);
		syn_member(f->s, "pcpu_hot", "current_task", 0x8);
		syn_put(f->s, PERCPU_PA + 0x20008, f->task[2], 8);
	} else {
		syn_symbol(f->s, "current_task", 0x20100);
		syn_put(f->s, PERCPU_PA + 0x20100, f->task[2], 8);
	}
	assert_int_equal(pw_kernel_open(&k, &f->s->target, why, sizeof(why)), PW_OK);
	assert_int_equal(pw_kernel_panic_task(&k, &task, why, sizeof(why)), PW_OK);
	assert_int_equal(task, f->task[2]);
	/* No CPU in panic(): said so, no task. */
	syn_put(f->s, panic_cpu - f->kv, 0xffffffff, 4);
	assert_int_equal(pw_kernel_panic_task(&k, &task, why, sizeof(why)), PW_ERR_NOTFOUND);
	assert_string_equal(why, "no CPU is in panic() (panic_cpu -1)");
	/* An architecture layout without a current_task lookup: said so. */
	{
		const struct pw_arch_layout *real = k.arch;
		struct pw_arch_layout bare = *real;

		bare.current_task = NULL;
		k.arch = &bare;
		syn_put(f->s, panic_cpu - f->kv, 1, 4);
		assert_int_equal(pw_kernel_panic_task(&k, &task, why, sizeof(why)),
				 PW_ERR_UNSUPPORTED);
		assert_string_equal(why, "no panic task lookup for x86_64");
		k.arch = real;
	}
	pw_kernel_close(&k);
	kernel_free(f);
}

static void test_panic_task_current_task(void **state)
{
	(void)state;
	panic_task_case(0);
}

static void test_panic_task_pcpu_hot(void **state)
{
	(void)state;
	panic_task_case(1);
}

static void test_missing_symbol_is_one_line(void **state)
{
	struct syn *s = syn_new(MEM, 32ULL << 20, "x86_64");
	struct pw_kernel k;
	char why[256] = "";

	(void)state;
	syn_number(s, "pgtable_l5_enabled", 0);
	syn_number(s, "phys_base", 0);
	assert_int_not_equal(pw_kernel_open(&k, &s->target, why, sizeof(why)), PW_OK);
	assert_string_equal(why, "symbol init_top_pgt not found: not an x86_64 kernel?");
	assert_null(strchr(why, '\n'));
	s->target.arch = "mips";
	assert_int_equal(pw_kernel_open(&k, &s->target, why, sizeof(why)), PW_ERR_UNSUPPORTED);
	assert_string_equal(why, "architecture mips is not supported");
	syn_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_5level),
		cmocka_unit_test(test_layout_4level),
		cmocka_unit_test(test_layout_markers_follow_config),
		cmocka_unit_test(test_find_task),
		cmocka_unit_test(test_find_thread),
		cmocka_unit_test(test_thread_list_loop_terminates),
		cmocka_unit_test(test_thread_list_unreadable),
		cmocka_unit_test(test_corrupt_task_list_terminates),
		cmocka_unit_test(test_panic_task_current_task),
		cmocka_unit_test(test_panic_task_pcpu_hot),
		cmocka_unit_test(test_missing_symbol_is_one_line),
	};

	return cmocka_run_group_tests_name("kernel_x86_64", tests, NULL, NULL);
}
