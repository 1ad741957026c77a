/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core's target interface implemented over crash's API. */
#ifndef PTWALK_CRASH_TARGET_H
#define PTWALK_CRASH_TARGET_H

#include "ptwalk/target.h"

/* Fill t for the dump crash has open; arch from crash's MACHINE_TYPE. */
void crash_target_init(struct pw_target *t);

struct pw_kernel;
/*
 * From now on, read the kernel virtual addresses crash would translate by
 * walking tables (vmalloc, vmemmap, modules) through k's own translation
 * (pw_kernel_kvtop()) instead: crash reads those tables with FAULT_ON_ERROR,
 * so one missing from the dump ends the command with crash's own error; here
 * it is a failed read.  NULL stops it (before k is closed).
 */
void crash_target_walk_kvirt(struct pw_target *t, struct pw_kernel *k);

#endif
