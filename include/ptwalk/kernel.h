/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the core learns about the dumped kernel: which page-table format it
 * runs, where its top tables are, the runtime address-space markers, its
 * tasks.  Architecture specifics live in layout_<arch>.c behind
 * struct pw_arch_layout; callers only see struct pw_kernel.
 */
#ifndef PTWALK_KERNEL_H
#define PTWALK_KERNEL_H

#include <stdint.h>
#include <stdio.h>

#include "ptwalk/format.h"
#include "ptwalk/target.h"
#include "ptwalk/walk.h"

#define PW_MAX_MARKERS 24
#define PW_MAX_DUMP_RANGES 4

/* A named point of the address space, as the kernel's ptdump prints them. */
struct pw_marker {
	uint64_t va;
	const char *name;
	unsigned max_lines; /* 0: unlimited (ESPfix shows only 16 lines) */
};

struct pw_ptdump_style;

struct pw_kernel {
	const struct pw_target *t;
	const struct pw_format *fmt;
	const struct pw_arch_layout *arch;
	/* init_mm's root as the architecture names it: the top table's PA
	 * (x86_64, arm64) or the ASCE (s390x); see pw_kernel_space(). */
	uint64_t kernel_root;
	uint64_t mem_end;         /* end of RAM: max_pfn * page size */
	uint64_t page_size;
	int pti;                  /* x86: a separate user copy of the PGD exists */
	/* Markers sorted by address, and the ranges ptdump walks by default. */
	struct pw_marker markers[PW_MAX_MARKERS];
	int nmarkers;
	struct { uint64_t start, end; } dump_range[PW_MAX_DUMP_RANGES];
	int ndump_ranges;
	/* The direct map: [direct_map_va, + mem_end) maps physical 0 up;
	 * have_direct_map is 0 where the layout does not say. */
	int have_direct_map;
	uint64_t direct_map_va;
	/* Arch-private values resolved at open (x86: phys_base, page_offset). */
	uint64_t arch_val[8];
	/* Walks kernel addresses (for kvtop); buffers from target->alloc. */
	struct pw_space kspace;
};

/* Per-architecture knowledge of the kernel's layout. */
struct pw_arch_layout {
	const char *arch;
	/* Fill fmt, kernel_root, markers, dump ranges, pti... */
	int (*open)(struct pw_kernel *k, char *why, size_t why_len);
	/* The root of a task's mm (struct mm_struct at mm, mm->pgd = pgd_va). */
	int (*mm_root)(struct pw_kernel *k, uint64_t mm, uint64_t pgd_va, uint64_t *root);
	/* The PTI user copy of a root, when the arch has one (may be NULL). */
	int (*user_root)(struct pw_kernel *k, uint64_t root, uint64_t *user);
	/* Point a space at a root (may be NULL: the root is the top table's PA). */
	int (*space_init)(struct pw_kernel *k, struct pw_space *sp, uint64_t root);
	const struct pw_ptdump_style *ptdump_style;
	/*
	 * Non-zero when a task's root maps only user space (arm64 TTBR0, s390x
	 * user ASCE): a task's ptdump then walks the lower half only.  x86_64
	 * tasks share the kernel half, and their ptdump walks both, as the
	 * kernel's debugfs current_kernel does.
	 */
	int task_root_is_user_only;
	/* The task_struct a CPU was running (pw_kernel_panic_task()); why says
	 * what is missing on failure. */
	int (*current_task)(struct pw_kernel *k, uint64_t cpu, uint64_t *task,
			    char *why, size_t why_len);
};

extern const struct pw_arch_layout pw_layout_x86_64;
extern const struct pw_arch_layout pw_layout_arm64;
extern const struct pw_arch_layout pw_layout_s390x;
/* s390x: mm->context's alloc_pgste (4K page tables with PGSTEs) and has_pgste. */
extern int pw_s390x_mm_pgste(struct pw_kernel *k, uint64_t mm, int *alloc_pgste,
			     int *has_pgste);

/*
 * Learn the kernel.  On failure returns an enum pw_err and writes a
 * one-line reason into why.
 */
int pw_kernel_open(struct pw_kernel *k, const struct pw_target *t,
		   char *why, size_t why_len);
void pw_kernel_close(struct pw_kernel *k);

/*
 * A walkable space for a root (kernel_root, pw_task.root, a user copy):
 * buffers from the target, mem_end set.  Release with pw_space_release().
 */
int pw_kernel_space(struct pw_kernel *k, struct pw_space *sp, uint64_t root);

/* Translate a kernel virtual address through init_mm's page tables. */
int pw_kernel_kvtop(struct pw_kernel *k, uint64_t va, uint64_t *pa);

/* A task and its address space. */
struct pw_task {
	uint64_t task;      /* struct task_struct address */
	int64_t pid;
	char comm[17];
	uint64_t mm;        /* 0 for kernel threads */
	uint64_t pgd_va;    /* mm->pgd */
	uint64_t root;      /* the mm's root, as kernel_root */
};

/*
 * Find a task, any thread, by pid (decimal) or task_struct address (hex,
 * 0x...), walking init_task.tasks and each group's thread list ourselves:
 * crash 8.0.2 misses most tasks on 6.x kernels.  why gets a one-line reason
 * on failure.
 */
int pw_kernel_find_task(struct pw_kernel *k, const char *spec,
			struct pw_task *out, char *why, size_t why_len);
/* Fill a pw_task from a task_struct address. */
int pw_kernel_task_at(struct pw_kernel *k, uint64_t task, struct pw_task *out,
		      char *why, size_t why_len);

/*
 * The task that called panic(): the current task of the CPU in panic_cpu
 * (x86_64: per-cpu current_task in 6.1, pcpu_hot.current_task from 6.2;
 * arm64: per-cpu __entry_task; s390x: lowcore_ptr[cpu]->current_task).
 * What crash calls the panic task, found without crash (the batch tool).
 * PW_ERR_NOTFOUND when no CPU is in panic(); why says what is missing.
 */
int pw_kernel_panic_task(struct pw_kernel *k, uint64_t *task, char *why, size_t why_len);

/* Read the per-cpu variable at symbol address sym (+ offset) of cpu, 8 bytes. */
int pw_kernel_read_percpu(struct pw_kernel *k, uint64_t sym, uint64_t cpu, uint64_t *val,
			  char *why, size_t why_len);

#endif
