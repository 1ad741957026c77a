// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer harness for the kernel-log oops parser: any bytes, no crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptwalk/triage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_oops o;

	pw_oops_parse((const char *)data, size, &o);
	if (o.nregs > PW_OOPS_MAX_REGS || strlen(o.bug) >= sizeof(o.bug))
		abort();
	return 0;
}
