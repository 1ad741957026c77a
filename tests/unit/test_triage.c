// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The oops parser over a log in the format of Linux 6.1's x86 page-fault
 * oops (arch/x86/mm/fault.c page_fault_oops(), arch/x86/kernel/process_64.c
 * __show_regs()), with the register values of the 2019 kpageflags panic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/format.h"
#include "ptwalk/triage.h"

static const char oops_log[] =
	"[    1.000000] Linux version 6.1.0-56-cloud-amd64\n"
	"[    2.100000] BUG: unable to handle page fault for address: 00000000deadbeef\n"
	"[    2.100001] Kernel panic - not syncing: an older, unrelated message\n"
	"[    9.000000] poison: reading struct page ffffea0000400000\n"
	"[    9.511042] BUG: unable to handle page fault for address: fffffffffffffffe\n"
	"[    9.511312] #PF: supervisor read access in kernel mode\n"
	"[    9.511480] #PF: error_code(0x0000) - not-present page\n"
	"[    9.511681] PGD 1a60c067 P4D 1a60c067 PUD 1a60e067 PMD 0 \n"
	"[    9.511901] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
	"[    9.512061] CPU: 0 PID: 85 Comm: insmod Tainted: G           OE      6.1.0-56-cloud-amd64 #1  Debian 6.1.192-2\n"
	"[    9.512447] RIP: 0010:poison_read+0x2d/0x60 [ptwalk_poison]\n"
	"[    9.512651] Code: 48 8b 57 08 48 8b 1f 48 8d 42 ff 83 e2 01 48 0f 44 c7 <48> 8b 00\n"
	"[    9.513199] RSP: 0018:ffffc900001f3e48 EFLAGS: 00010202\n"
	"[    9.513375] RAX: fffffffffffffffe RBX: ffffffffffffffff RCX: 0000000000000000\n"
	"[    9.513598] RDX: 0000000000000001 RSI: 0000000000000000 RDI: ffffea0000400000\n"
	"[    9.513820] RBP: ffffea0000400000 R08: 0000000000000001 R09: 0000000000000000\n"
	"[    9.514045] R10: ffff88801f0a3000 R11: 0000000000000000 R12: 0000000000000000\n"
	"[    9.514271] R13: ffffffffc0264000 R14: 0000000000000000 R15: 0000000000000000\n"
	"[    9.514494] FS:  00007f3d7c9b1740(0000) GS:ffff88801f000000(0000) knlGS:0000000000000000\n"
	"[    9.514742] CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033\n"
	"[    9.514919] CR2: fffffffffffffffe CR3: 000000001a60a005 CR4: 0000000000770ef0\n"
	"[    9.515140] Call Trace:\n"
	"[    9.515214]  <TASK>\n"
	"[    9.515300] RIP: 0033:0x47fbe9\n"
	"[    9.515301] RSP: 002b:00007ffe9a317a18 EFLAGS: 00000246\n"
	"[    9.515302] RAX: ffffffffffffffda RBX: 0000000009f3d2c0 RCX: 000000000047fbe9\n"
	"[    9.520000] Kernel panic - not syncing: Fatal exception\n";

static uint64_t reg(const struct pw_oops *o, const char *name)
{
	for (int i = 0; i < o->nregs; i++)
		if (strcmp(o->reg[i].name, name) == 0)
			return o->reg[i].value;
	fail_msg("register %s not parsed", name);
	return 0;
}

static void test_x86_page_fault_oops(void **state)
{
	struct pw_oops o;

	(void)state;
	pw_oops_parse(oops_log, sizeof(oops_log) - 1, &o);
	assert_true(o.found);
	assert_true(o.have_fault_addr);
	/* The last oops, not the earlier one. */
	assert_int_equal(o.fault_addr, 0xfffffffffffffffeULL);
	assert_string_equal(o.bug, "BUG: unable to handle page fault for address: fffffffffffffffe");
	assert_string_equal(o.ip, "RIP: 0010:poison_read+0x2d/0x60 [ptwalk_poison]");
	assert_string_equal(o.panic, "Kernel panic - not syncing: Fatal exception");
	assert_int_equal(reg(&o, "RAX"), 0xfffffffffffffffeULL);
	assert_int_equal(reg(&o, "RBX"), 0xffffffffffffffffULL);
	assert_int_equal(reg(&o, "RDI"), 0xffffea0000400000ULL);
	assert_int_equal(reg(&o, "RSP"), 0xffffc900001f3e48ULL);
	assert_int_equal(reg(&o, "R13"), 0xffffffffc0264000ULL);
	assert_int_equal(reg(&o, "CR2"), 0xfffffffffffffffeULL);
	/* The user-mode registers printed after the trace are not the fault's. */
	assert_int_equal(reg(&o, "RCX"), 0);
	/* "Code:" bytes, "0010" segments and the BUG line are not registers. */
	for (int i = 0; i < o.nregs; i++) {
		assert_string_not_equal(o.reg[i].name, "Code");
		assert_string_not_equal(o.reg[i].name, "address");
	}
}

static void test_no_oops_and_garbage(void **state)
{
	struct pw_oops o;
	static const char garbage[] = "\n\n[[[ ]]] RAX:\nRBX: zz\n:\n\xff\xfe";
	static const char sysrq[] =
		"[    3.1] sysrq: Trigger a crash\n"
		"[    3.2] Kernel panic - not syncing: sysrq triggered crash\n";

	(void)state;
	pw_oops_parse("", 0, &o);
	assert_false(o.found);
	pw_oops_parse(garbage, sizeof(garbage) - 1, &o);
	assert_false(o.have_fault_addr);
	pw_oops_parse(sysrq, sizeof(sysrq) - 1, &o);
	assert_true(o.found);
	assert_false(o.have_fault_addr);
	assert_string_equal(o.panic, "Kernel panic - not syncing: sysrq triggered crash");
}

/* A user-half fault walked in the panicking task's mm gives the verdict. */
static void test_user_fault_verdict(void **state)
{
	struct pw_oops o = { .found = 1 };
	struct pw_value_info fault = { .value = 0x7f0000002010ULL, .cls = PW_VAL_USER };
	struct pw_triage_task pt = { .have_task = 1, .walked = 1 };
	char text[640];

	(void)state;
	pt.task.pid = 42;
	snprintf(pt.task.comm, sizeof(pt.task.comm), "prog");
	pt.fmt = &pw_format_x86_64_4level;
	pt.tr.status = PW_ST_NOT_PRESENT;
	pt.tr.nsteps = 4;
	pt.tr.step[3].level = 3;
	pt.tr.step[3].entry_pa = 0x1234010;
	pt.tr.step[3].e.why = "not present";
	assert_int_equal(pw_triage_verdict(&o, &fault, &pt, NULL, 0, text, sizeof(text)), 1);
	assert_string_equal(text, "the kernel touched the user address 7f0000002010, which is not "
			    "mapped in the mm of pid 42 (prog): not-present at the pte entry "
			    "1234010 (value 0): not present");
	/* Mapped in the task, or not walked: no such explanation. */
	pt.tr.status = PW_ST_MAPPED;
	assert_int_equal(pw_triage_verdict(&o, &fault, &pt, NULL, 0, text, sizeof(text)), 0);
	pt.tr.status = PW_ST_NOT_PRESENT;
	assert_int_equal(pw_triage_verdict(&o, &fault, NULL, NULL, 0, text, sizeof(text)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x86_page_fault_oops),
		cmocka_unit_test(test_no_oops_and_garbage),
		cmocka_unit_test(test_user_fault_verdict),
	};

	return cmocka_run_group_tests_name("triage", tests, NULL, NULL);
}
