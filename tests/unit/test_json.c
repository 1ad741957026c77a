// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pw_json_str(): strings from a dump (a task's comm, a kernel log line)
 * must come out as valid JSON text, which is UTF-8: control characters
 * escaped, well-formed UTF-8 kept, anything else U+FFFD.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ptwalk/json.h"

static void expect_json(const char *in, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	pw_json_str(fp, in);
	fclose(fp);
	assert_string_equal(buf, out);
	free(buf);
}

static void test_ascii_and_escapes(void **state)
{
	(void)state;
	expect_json("ptwalk-probe", "\"ptwalk-probe\"");
	expect_json("a\"b\\c\nd\te\x01\x7f", "\"a\\\"b\\\\c\\nd\\te\\u0001\\u007f\"");
	expect_json("", "\"\"");
	expect_json(NULL, "\"\"");
}

static void test_well_formed_utf8_is_kept(void **state)
{
	(void)state;
	expect_json("kworker/\xc3\xa9", "\"kworker/\xc3\xa9\"");                 /* U+00E9 */
	expect_json("\xe2\x82\xac", "\"\xe2\x82\xac\"");                         /* U+20AC */
	expect_json("\xf0\x9f\x90\xa7 tux", "\"\xf0\x9f\x90\xa7 tux\"");         /* U+1F427 */
	expect_json("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");                 /* U+10FFFF */
}

/* A comm cut at 15 bytes may end inside a character; memory may be anything. */
static void test_ill_formed_bytes_become_replacement_characters(void **state)
{
	(void)state;
	expect_json("kworker/\xc3\xa9\xc3", "\"kworker/\xc3\xa9\\ufffd\"");   /* cut sequence */
	expect_json("\xc3x", "\"\\ufffdx\"");                                 /* no continuation */
	expect_json("\x80\xbf", "\"\\ufffd\\ufffd\"");                        /* lone continuations */
	expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");                        /* overlong '/' */
	expect_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");             /* overlong, 3 bytes */
	expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");             /* surrogate U+D800 */
	expect_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  /* past U+10FFFF */
	expect_json("\xff\xfe", "\"\\ufffd\\ufffd\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_and_escapes),
		cmocka_unit_test(test_well_formed_utf8_is_kept),
		cmocka_unit_test(test_ill_formed_bytes_become_replacement_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
