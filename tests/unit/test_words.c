/* SPDX-License-Identifier: MIT */
/* words_split: the exec plugin's sh-like argv splitting. */
#include "unit.h"

#include "../../plugins/exec/words.h"

/* Split s and compare with the expected words (NULL-terminated). */
static void expect_words(const char *s, const char *const *want)
{
	const char *err = "unset";
	size_t n, i;
	char **argv = words_split(s, &n, &err);

	assert_non_null(argv);
	assert_null(err);
	for (i = 0; want[i] != NULL; i++) {
		assert_true(i < n);
		assert_string_equal(argv[i], want[i]);
	}
	assert_int_equal(n, i);
	assert_null(argv[n]);
	free(argv);
}

static void expect_error(const char *s, const char *want)
{
	const char *err = NULL;
	size_t n = 99;

	assert_null(words_split(s, &n, &err));
	assert_int_equal(n, 0);
	assert_non_null(err);
	assert_string_equal(err, want);
}

static void test_blanks_separate_words(void **state)
{
	static const char *const w[] = { "check_dummy", "0", "all", "good", NULL };
	(void)state;
	expect_words("  check_dummy 0\tall \n good  ", w);
}

static void test_empty_and_blank_give_no_words(void **state)
{
	static const char *const none[] = { NULL };
	(void)state;
	expect_words("", none);
	expect_words(" \t\n", none);
}

static void test_single_quotes_keep_everything(void **state)
{
	static const char *const w[] = { "a", "b  \"c\" \\d $x |;&", NULL };
	(void)state;
	expect_words("a 'b  \"c\" \\d $x |;&'", w);
}

static void test_double_quotes_keep_blanks(void **state)
{
	static const char *const w[] = { "-u", "/a b?c=1&d=2", NULL };
	(void)state;
	expect_words("-u \"/a b?c=1&d=2\"", w);
}

static void test_backslash_in_double_quotes(void **state)
{
	/* Only " \ $ ` escape; before anything else the backslash stays. */
	static const char *const w[] = { "q\"b\\$`\\n", NULL };
	(void)state;
	expect_words("\"q\\\"b\\\\\\$\\`\\n\"", w);
}

static void test_backslash_outside_quotes(void **state)
{
	static const char *const w[] = { "a b", "'", "\"", "|", NULL };
	(void)state;
	expect_words("a\\ b \\' \\\" \\|", w);
}

static void test_adjacent_parts_make_one_word(void **state)
{
	static const char *const w[] = { "ab cd", "xyz", NULL };
	(void)state;
	expect_words("a'b c'd x\"y\"z", w);
}

static void test_empty_quotes_are_an_empty_word(void **state)
{
	static const char *const w[] = { "-p", "", "-x", "", NULL };
	(void)state;
	expect_words("-p '' -x \"\"", w);
}

static void test_many_short_words(void **state)
{
	static const char *const w[] = { "a", "b", "c", "d", "", "", NULL };
	(void)state;
	expect_words("a b c d '' ''", w);
}

static void test_unbalanced_quotes(void **state)
{
	(void)state;
	expect_error("check 'oops", "unbalanced single quote");
	expect_error("check \"oops", "unbalanced double quote");
	expect_error("check \"it's\" 'x", "unbalanced single quote");
}

static void test_trailing_backslash(void **state)
{
	(void)state;
	expect_error("check \\", "a backslash at the end escapes nothing");
}

static void test_shell_syntax_is_refused(void **state)
{
	static const char *const ops[] = { "a | b",         "a; b", "a && b", "a > f", "a < f",
		                           "$USER1$/check", "`x`",  "(x)",    NULL };
	size_t i;
	(void)state;
	for (i = 0; ops[i] != NULL; i++)
		expect_error(ops[i], "a shell operator or expansion "
		                     "(| & ; < > ( ) $ `) outside quotes: quote it");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blanks_separate_words),
		cmocka_unit_test(test_empty_and_blank_give_no_words),
		cmocka_unit_test(test_single_quotes_keep_everything),
		cmocka_unit_test(test_double_quotes_keep_blanks),
		cmocka_unit_test(test_backslash_in_double_quotes),
		cmocka_unit_test(test_backslash_outside_quotes),
		cmocka_unit_test(test_adjacent_parts_make_one_word),
		cmocka_unit_test(test_empty_quotes_are_an_empty_word),
		cmocka_unit_test(test_many_short_words),
		cmocka_unit_test(test_unbalanced_quotes),
		cmocka_unit_test(test_trailing_backslash),
		cmocka_unit_test(test_shell_syntax_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
