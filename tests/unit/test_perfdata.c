/* SPDX-License-Identifier: MIT */
/*
 * perfdata: Nagios plugin output as the monitoring-plugins development
 * guidelines define it ("Plugin Output for Nagios", "Performance data").
 */
#include "unit.h"

#include "../../plugins/exec/perfdata.h"

/* Parse s, which must hold exactly one well-formed item. */
static struct pd_item one(const char *s)
{
	struct pd_item it;
	const char *p = s;

	assert_int_equal(pd_next(&p, &it), 1);
	assert_int_equal(pd_next(&p, &it), 0);
	return it;
}

/* s holds one malformed item, and nothing after it. */
static void malformed(const char *s)
{
	struct pd_item it;
	const char *p = s;

	assert_int_equal(pd_next(&p, &it), -1);
	assert_int_equal(pd_next(&p, &it), 0);
}

static void test_plain_item(void **state)
{
	struct pd_item it = one("time=0.003s;2.000000;8.000000;0.000000");

	(void)state;
	assert_string_equal(it.label, "time");
	assert_int_equal(it.known, 1);
	assert_float_equal(it.value, 0.003, 1e-12);
	assert_string_equal(it.uom, "s");
	assert_string_equal(it.warn, "2.000000");
	assert_string_equal(it.crit, "8.000000");
	assert_int_equal(it.has_min, 1);
	assert_float_equal(it.min, 0, 0);
	assert_int_equal(it.has_max, 0);
}

static void test_all_five_fields(void **state)
{
	struct pd_item it = one("/=2643MB;5948;5958;0;5968");

	(void)state;
	assert_string_equal(it.label, "/");
	assert_float_equal(it.value, 2643, 0);
	assert_string_equal(it.uom, "MB");
	assert_int_equal(it.has_max, 1);
	assert_float_equal(it.max, 5968, 0);
}

static void test_value_alone(void **state)
{
	struct pd_item it = one("users=3");

	(void)state;
	assert_float_equal(it.value, 3, 0);
	assert_string_equal(it.uom, "");
	assert_string_equal(it.warn, "");
	assert_int_equal(it.has_min, 0);
}

static void test_every_uom_of_the_guidelines(void **state)
{
	static const char *const uoms[] = { "s",  "ms", "us", "%", "B", "KB",
		                            "MB", "TB", "c",  "",  NULL };
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; uoms[i] != NULL; i++) {
		struct pd_item it;

		snprintf(buf, sizeof(buf), "x=12.5%s;;;", uoms[i]);
		it = one(buf);
		assert_string_equal(it.uom, uoms[i]);
		assert_float_equal(it.value, 12.5, 0);
	}
}

static void test_negative_and_exponent_values(void **state)
{
	(void)state;
	assert_float_equal(one("offset=-0.25s").value, -0.25, 0);
	assert_float_equal(one("rate=1e-05").value, 1e-05, 0);
	assert_float_equal(one("big=2.5E+3B").value, 2500, 0);
}

static void test_quoted_label_with_blanks(void **state)
{
	struct pd_item it = one("'free space /var'=95%;80;90");

	(void)state;
	assert_string_equal(it.label, "free space /var");
	assert_float_equal(it.value, 95, 0);
	assert_string_equal(it.uom, "%");
}

static void test_two_quotes_are_one_quote(void **state)
{
	(void)state;
	assert_string_equal(one("'it''s ok'=1").label, "it's ok");
	assert_string_equal(one("''''=1").label, "'");
}

static void test_empty_thresholds(void **state)
{
	struct pd_item it = one("load=0.5;;;0;");

	(void)state;
	assert_string_equal(it.warn, "");
	assert_string_equal(it.crit, "");
	assert_int_equal(it.has_min, 1);
	assert_int_equal(it.has_max, 0);
}

static void test_trailing_semicolons(void **state)
{
	(void)state;
	assert_float_equal(one("a=1;").value, 1, 0);
	assert_float_equal(one("a=1;;").value, 1, 0);
	assert_float_equal(one("a=1;;;;").value, 1, 0);
	malformed("a=1;;;;;");
}

static void test_ranges_in_thresholds(void **state)
{
	struct pd_item it = one("t=5;10:20;@10:20");

	(void)state;
	assert_string_equal(it.warn, "10:20");
	assert_string_equal(it.crit, "@10:20");
	it = one("t=5;~:10;10:");
	assert_string_equal(it.warn, "~:10");
	assert_string_equal(it.crit, "10:");
	it = one("t=5;@~:-1.5;@0:");
	assert_string_equal(it.warn, "@~:-1.5");
}

static void test_range_syntax(void **state)
{
	static const char *const good[] = { "",      "10",  "10:",   "~:10", "10:20", "@10:20",
		                            "@~:10", ":10", "-5:-1", "0.5",  NULL };
	static const char *const bad[] = { "@",        ":",   "~",   "10:x", "x:10",
		                           "10:20:30", "~10", "@@1", "1e",   NULL };
	size_t i;

	(void)state;
	for (i = 0; good[i] != NULL; i++)
		assert_true(pd_range_ok(good[i], strlen(good[i])));
	for (i = 0; bad[i] != NULL; i++)
		assert_false(pd_range_ok(bad[i], strlen(bad[i])));
}

static void test_undetermined_value(void **state)
{
	struct pd_item it = one("temp=U;50;60");

	(void)state;
	assert_int_equal(it.known, 0);
	assert_string_equal(it.warn, "50");
}

static void test_several_items(void **state)
{
	const char *p = "rta=0.05ms;200;500;0 pl=0%;40;80;0;100  'x y'=3c";
	struct pd_item it;

	(void)state;
	assert_int_equal(pd_next(&p, &it), 1);
	assert_string_equal(it.label, "rta");
	assert_int_equal(pd_next(&p, &it), 1);
	assert_string_equal(it.label, "pl");
	assert_string_equal(it.uom, "%");
	assert_int_equal(pd_next(&p, &it), 1);
	assert_string_equal(it.label, "x y");
	assert_string_equal(it.uom, "c");
	assert_int_equal(pd_next(&p, &it), 0);
}

static void test_garbage(void **state)
{
	static const char *const bad[] = { "=5",          "label",       "label=",
		                           "label=abc",   "label=5x5",   "label=5;x",
		                           "label=5;;y",  "label=5;;;z", "label=5;;;0;w",
		                           "la bel=5",    "'open=5",     "'x'y=5",
		                           "label=inf",   "label=0x10",  "label=5MBMBMBMBMBMBMBMB",
		                           "label=1.2.3", "label=-",     "a'b=1",
		                           NULL };
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		struct pd_item it;
		const char *p = bad[i];

		assert_int_equal(pd_next(&p, &it), -1);
	}
}

static void test_garbage_is_skipped(void **state)
{
	const char *p = "junk 'bad label'=x ok=1 =2 'fine one'=2s";
	struct pd_item it;

	(void)state;
	assert_int_equal(pd_next(&p, &it), -1);
	assert_int_equal(pd_next(&p, &it), -1);
	assert_int_equal(pd_next(&p, &it), 1);
	assert_string_equal(it.label, "ok");
	assert_int_equal(pd_next(&p, &it), -1);
	assert_int_equal(pd_next(&p, &it), 1);
	assert_string_equal(it.label, "fine one");
	assert_int_equal(pd_next(&p, &it), 0);
}

static void test_long_label_is_refused(void **state)
{
	char buf[PD_LABEL_MAX + 16];

	(void)state;
	memset(buf, 'a', PD_LABEL_MAX);
	strcpy(buf + PD_LABEL_MAX, "=1");
	assert_int_equal(strlen(one(buf).label), PD_LABEL_MAX);
	memset(buf, 'a', PD_LABEL_MAX + 1);
	strcpy(buf + PD_LABEL_MAX + 1, "=1");
	malformed(buf);
}

static void test_find_first_known_item(void **state)
{
	struct pd_item it;

	(void)state;
	assert_true(pd_find("TCP OK - 0.000 second response time on "
	                    "127.0.0.1 port 22|time=0.000120s;;;0.000000;"
	                    "10.000000\n",
	                    NULL, &it));
	assert_string_equal(it.label, "time");
	assert_float_equal(it.value, 0.00012, 1e-12);
	assert_string_equal(it.uom, "s");
	assert_true(pd_find("OK | bad temp=U a=7", NULL, &it));
	assert_string_equal(it.label, "a");
}

static void test_find_by_label(void **state)
{
	struct pd_item it;

	(void)state;
	assert_true(pd_find("PING OK | rta=0.05ms;200;500;0 pl=0%;40;80;0", "pl", &it));
	assert_float_equal(it.value, 0, 0);
	assert_string_equal(it.uom, "%");
	assert_false(pd_find("PING OK | rta=0.05ms", "pl", &it));
}

static void test_find_in_long_output(void **state)
{
	/* The guidelines' example: perfdata after the first line's '|',
	 * then, in the long output, after its first '|' to the end. */
	static const char out[] =
	        "DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n"
	        "/ 15272 MB (77%);\n"
	        "/boot 68 MB (69%);\n"
	        "/home 69357 MB (27%);\n"
	        "/var/log 819 MB (84%); | /boot=68MB;88;93;0;98\n"
	        "/home=69357MB;253404;253409;0;253414 \n"
	        "/var/log=818MB;970;975;0;980\n";
	struct pd_item it;

	(void)state;
	assert_true(pd_find(out, NULL, &it));
	assert_string_equal(it.label, "/");
	assert_true(pd_find(out, "/boot", &it));
	assert_float_equal(it.value, 68, 0);
	assert_true(pd_find(out, "/var/log", &it));
	assert_float_equal(it.value, 818, 0);
	/* Long-output text is not perfdata: "/" in "/ 15272 MB" is not one. */
	assert_false(pd_find(out, "15272", &it));
}

static void test_find_only_in_long_output(void **state)
{
	struct pd_item it;

	(void)state;
	assert_true(pd_find("OK\nmore text | x=5B\ny=6", "y", &it));
	assert_float_equal(it.value, 6, 0);
	assert_true(pd_find("OK\nmore text | x=5B\ny=6", NULL, &it));
	assert_string_equal(it.label, "x");
}

static void test_first_line_list_ends_at_newline(void **state)
{
	struct pd_item it;

	(void)state;
	/* "second=2" is long-output text, not the first line's perfdata. */
	assert_false(pd_find("OK | first=1\nsecond=2", "second", &it));
	assert_false(pd_find("no perfdata at all\nk=v", NULL, &it));
}

static void test_message_is_the_first_line(void **state)
{
	char msg[256];

	(void)state;
	assert_int_equal(pd_message("  DISK OK - free  | /=1MB\nlong", msg, sizeof(msg)), 14);
	assert_string_equal(msg, "DISK OK - free");
	pd_message("line one\r\nline two", msg, sizeof(msg));
	assert_string_equal(msg, "line one");
	pd_message("", msg, sizeof(msg));
	assert_string_equal(msg, "");
	pd_message("| only=1", msg, sizeof(msg));
	assert_string_equal(msg, "");
}

static void test_message_is_cut_between_characters(void **state)
{
	char msg[6];

	(void)state;
	/* "ab" then three 2-byte characters: 5 bytes fit, the 5th would be
	 * half of one. */
	assert_int_equal(pd_message("ab\xc3\xa9\xc3\xa9\xc3\xa9", msg, sizeof(msg)), 4);
	assert_string_equal(msg, "ab\xc3\xa9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_item),
		cmocka_unit_test(test_all_five_fields),
		cmocka_unit_test(test_value_alone),
		cmocka_unit_test(test_every_uom_of_the_guidelines),
		cmocka_unit_test(test_negative_and_exponent_values),
		cmocka_unit_test(test_quoted_label_with_blanks),
		cmocka_unit_test(test_two_quotes_are_one_quote),
		cmocka_unit_test(test_empty_thresholds),
		cmocka_unit_test(test_trailing_semicolons),
		cmocka_unit_test(test_ranges_in_thresholds),
		cmocka_unit_test(test_range_syntax),
		cmocka_unit_test(test_undetermined_value),
		cmocka_unit_test(test_several_items),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_garbage_is_skipped),
		cmocka_unit_test(test_long_label_is_refused),
		cmocka_unit_test(test_find_first_known_item),
		cmocka_unit_test(test_find_by_label),
		cmocka_unit_test(test_find_in_long_output),
		cmocka_unit_test(test_find_only_in_long_output),
		cmocka_unit_test(test_first_line_list_ends_at_newline),
		cmocka_unit_test(test_message_is_the_first_line),
		cmocka_unit_test(test_message_is_cut_between_characters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
