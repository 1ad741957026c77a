/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The synthetic vmcore of make bench (bench/mkvmcore.c writes it,
 * bench/bench_kdump.c reads it): where its page tables are.
 */
#ifndef PTWALK_BENCH_LAYOUT_H
#define PTWALK_BENCH_LAYOUT_H

/* x86_64: the direct map (no KASLR) and __START_KERNEL_map. */
#define BENCH_DIRECT_MAP 0xffff888000000000ULL
#define BENCH_KTEXT_VA 0xffffffff80000000ULL
#define BENCH_PGD_INDEX 273u                  /* BENCH_DIRECT_MAP >> 39 & 511 */
#define BENCH_MAP_BYTES (64ULL << 30)
#define BENCH_NPMD 64u                        /* one per GiB */
#define BENCH_NPTE (BENCH_NPMD * 512u)        /* one per 2 MiB */

/* The tables, in this order from 16 MiB up; then an all-zero top table. */
#define BENCH_TABLES_PA (16ULL << 20)
#define BENCH_ROOT_PA BENCH_TABLES_PA
#define BENCH_PUD_PA (BENCH_ROOT_PA + 4096)
#define BENCH_PMD_PA (BENCH_PUD_PA + 4096)
#define BENCH_PTE_PA (BENCH_PMD_PA + 4096ULL * BENCH_NPMD)
#define BENCH_EMPTY_ROOT_PA (BENCH_PTE_PA + 4096ULL * BENCH_NPTE)
#define BENCH_NTABLES ((BENCH_EMPTY_ROOT_PA - BENCH_TABLES_PA) / 4096 + 1)

#endif
