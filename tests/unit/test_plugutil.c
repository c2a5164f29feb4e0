/* SPDX-License-Identifier: MIT */
/* Unit tests of plugins/common/parse.c: the key parsers every plugin shares. */
#include "unit.h"

#include "names.h"
#include "plugutil.h"

static char errbuf[256];

/* An init context holding one key = value (value NULL: the key is absent). */
static struct hc_init_ctx ctx_with(const char *key, const char *value)
{
	static struct hc_kv kv;
	struct hc_init_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.struct_size = sizeof(ctx);
	kv.key = key;
	kv.value = value;
	ctx.kv = &kv;
	ctx.n_kv = value != NULL ? 1 : 0;
	ctx.error = errbuf;
	ctx.error_size = sizeof(errbuf);
	errbuf[0] = '\0';
	return ctx;
}

static void bool_takes_every_spelling_in_any_case(void **state)
{
	static const char *const yes[] = { "yes", "YES", "True", "on", "1" };
	static const char *const no[] = { "no", "No", "FALSE", "off", "0" };
	struct hc_init_ctx ctx;
	int v;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		v = -1;
		ctx = ctx_with("persistent", yes[i]);
		assert_int_equal(pu_parse_bool(&ctx, "persistent", &v), HC_OK);
		assert_int_equal(v, 1);
		ctx = ctx_with("persistent", no[i]);
		assert_int_equal(pu_parse_bool(&ctx, "persistent", &v), HC_OK);
		assert_int_equal(v, 0);
	}
}

static void bool_refuses_others_naming_key_and_value(void **state)
{
	struct hc_init_ctx ctx = ctx_with("persistent", "maybe");
	int v = 7;

	(void)state;
	assert_int_equal(pu_parse_bool(&ctx, "persistent", &v), HC_EINVAL);
	assert_string_equal(errbuf, "persistent: 'maybe' is neither yes nor no");
	assert_int_equal(v, 7);
}

static void absent_key_keeps_the_default(void **state)
{
	struct hc_init_ctx ctx = ctx_with("other", NULL);
	uint64_t u = 42, ms = 5;
	double d = 0.5;
	int b = 1, w = 2;
	static const char *const words[] = { "a", "b", NULL };

	(void)state;
	assert_int_equal(pu_parse_bool(&ctx, "k", &b), HC_OK);
	assert_int_equal(pu_parse_uint(&ctx, "k", 0, 9, &u), HC_OK);
	assert_int_equal(pu_parse_double(&ctx, "k", 0, 1, &d), HC_OK);
	assert_int_equal(pu_parse_duration(&ctx, "k", 0, 9, &ms), HC_OK);
	assert_int_equal(pu_parse_word(&ctx, "k", words, &w), HC_OK);
	assert_int_equal(b, 1);
	assert_int_equal(u, 42);
	assert_true(d == 0.5);
	assert_int_equal(ms, 5);
	assert_int_equal(w, 2);
}

static void uint_takes_digits_only_within_bounds(void **state)
{
	static const char *const bad[] = { "",    " 8", "+8", "-1",
		                           "0x8", "8 ", "11", "18446744073709551616" };
	struct hc_init_ctx ctx = ctx_with("db", "10");
	uint64_t v = 0;

	(void)state;
	assert_int_equal(pu_parse_uint(&ctx, "db", 1, 10, &v), HC_OK);
	assert_int_equal(v, 10);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctx = ctx_with("db", bad[i]);
		assert_int_equal(pu_parse_uint(&ctx, "db", 1, 10, &v), HC_EINVAL);
	}
	ctx = ctx_with("db", "0");
	assert_int_equal(pu_parse_uint(&ctx, "db", 1, 10, &v), HC_EINVAL);
	assert_string_equal(errbuf, "db: '0' is not a whole number from 1 to 10");
	ctx = ctx_with("n", "18446744073709551615");
	assert_int_equal(pu_parse_uint(&ctx, "n", 0, UINT64_MAX, &v), HC_OK);
	assert_true(v == UINT64_MAX);
}

static void double_takes_plain_decimals(void **state)
{
	static const char *const bad[] = { "",    "-0.1", "1.5",  "inf",  "nan",
		                           "0x1", "1e-1", " 0.5", "0.5 ", "1.2.3" };
	struct hc_init_ctx ctx = ctx_with("warn_ratio", "0.75");
	double d = 0;

	(void)state;
	assert_int_equal(pu_parse_double(&ctx, "warn_ratio", 0, 1, &d), HC_OK);
	assert_true(d == 0.75);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctx = ctx_with("warn_ratio", bad[i]);
		assert_int_equal(pu_parse_double(&ctx, "warn_ratio", 0, 1, &d), HC_EINVAL);
	}
	assert_string_equal(errbuf, "warn_ratio: '1.2.3' is not a number from 0 to 1");
}

static void duration_takes_each_unit(void **state)
{
	static const struct {
		const char *text;
		uint64_t ms;
	} good[] = { { "250ms", 250 },
		     { "2s", 2000 },
		     { "3m", 180000 },
		     { "1h", 3600000 },
		     { "7d", 604800000 } };
	struct hc_init_ctx ctx;
	uint64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ctx = ctx_with("warn_in", good[i].text);
		assert_int_equal(pu_parse_duration(&ctx, "warn_in", 0, UINT64_MAX, &ms), HC_OK);
		assert_int_equal(ms, good[i].ms);
	}
}

static void duration_refuses_bad_units_and_bounds(void **state)
{
	static const char *const bad[] = { "",     "5",   "s",
		                           "1.5s", "-1s", "5 s",
		                           "5sec", "2S",  "99999999999999999999d" };
	struct hc_init_ctx ctx;
	uint64_t ms = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctx = ctx_with("warn_in", bad[i]);
		assert_int_equal(pu_parse_duration(&ctx, "warn_in", 0, UINT64_MAX, &ms), HC_EINVAL);
	}
	ctx = ctx_with("warn_in", "2s");
	assert_int_equal(pu_parse_duration(&ctx, "warn_in", 1, 1000, &ms), HC_EINVAL);
	assert_string_equal(
	        errbuf,
	        "warn_in: '2s' is not a duration from 1 ms to 1000 ms (a whole number with ms, s, m, h or d, e.g. 30s)");
}

static void word_lists_the_choices(void **state)
{
	static const char *const modes[] = { "disable", "require", "verify-full", NULL };
	struct hc_init_ctx ctx = ctx_with("sslmode", "verify-full");
	int v = -1;

	(void)state;
	assert_int_equal(pu_parse_word(&ctx, "sslmode", modes, &v), HC_OK);
	assert_int_equal(v, 2);
	ctx = ctx_with("sslmode", "Require");
	assert_int_equal(pu_parse_word(&ctx, "sslmode", modes, &v), HC_EINVAL);
	assert_string_equal(errbuf, "sslmode: 'Require' is not one of disable, require, verify-full");
}

static void readable_names_the_path_and_errno(void **state)
{
	struct hc_init_ctx ctx = ctx_with("x", NULL);

	(void)state;
	assert_int_equal(pu_check_readable(&ctx, "ca_file", "/nonexistent/ca.pem"), HC_EINVAL);
	assert_string_equal(errbuf,
	                    "ca_file: cannot read '/nonexistent/ca.pem': No such file or directory");
	assert_int_equal(pu_check_readable(&ctx, "ca_file", "/dev/null"), HC_OK);
}

static void copy_key_never_quotes_the_value(void **state)
{
	struct hc_init_ctx ctx = ctx_with("password", "s3cret");
	char *out = NULL;

	(void)state;
	assert_int_equal(pu_copy_key(&ctx, "password", 1, &out), HC_OK);
	assert_string_equal(out, "s3cret");
	pu_free_secret(out);
	ctx = ctx_with("other", NULL);
	out = NULL;
	assert_int_equal(pu_copy_key(&ctx, "password", 0, &out), HC_OK);
	assert_null(out);
	assert_int_equal(pu_copy_key(&ctx, "password", 1, &out), HC_EINVAL);
	assert_string_equal(errbuf, "password: required");
}

static void name_ok_takes_the_alphabet_within_the_lengths(void **state)
{
	(void)state;
	assert_true(pu_name_ok("abc", "abc", 3, 3));
	assert_true(pu_name_ok("a-b", "ab-", 1, 63));
	assert_false(pu_name_ok("ab", "abc", 3, 63));
	assert_false(pu_name_ok("abcd", "abcd", 1, 3));
	assert_false(pu_name_ok("aBc", "abc", 1, 63));
	assert_false(pu_name_ok("", "abc", 1, 63));
	assert_true(pu_name_ok("", "abc", 0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bool_takes_every_spelling_in_any_case),
		cmocka_unit_test(bool_refuses_others_naming_key_and_value),
		cmocka_unit_test(absent_key_keeps_the_default),
		cmocka_unit_test(uint_takes_digits_only_within_bounds),
		cmocka_unit_test(double_takes_plain_decimals),
		cmocka_unit_test(duration_takes_each_unit),
		cmocka_unit_test(duration_refuses_bad_units_and_bounds),
		cmocka_unit_test(word_lists_the_choices),
		cmocka_unit_test(readable_names_the_path_and_errno),
		cmocka_unit_test(copy_key_never_quotes_the_value),
		cmocka_unit_test(name_ok_takes_the_alphabet_within_the_lengths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
