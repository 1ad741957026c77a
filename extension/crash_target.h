/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The core's target interface implemented over crash's API. */
#ifndef PTWALK_CRASH_TARGET_H
#define PTWALK_CRASH_TARGET_H

#include "ptwalk/target.h"

/* Fill t for the dump crash has open; arch from crash's MACHINE_TYPE. */
void crash_target_init(struct pw_target *t);

#endif
