/* SPDX-License-Identifier: MIT */
/* Unit tests of core/token.c and core/fileio.c: reading and comparing tokens. */
#include "autoconfig.h"

#include "unit.h"

#include <sys/stat.h>

#include "fileio.h"
#include "token.h"

static char err[512];

static char *token_file(const char *text, mode_t mode)
{
	char *path = unit_write_file("token", text);

	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void the_first_line_is_the_token(void **state)
{
	char *path = token_file("s3cret\r\nsecond line\n", 0600);
	char *t = hc_token_read(path, err, sizeof(err));

	(void)state;
	assert_string_equal(t, "s3cret");
	/* hc_token_free wipes up to the NUL: the lines after the token,
	 * still in the buffer, are wiped when it is read. */
	for (size_t i = 0; i < sizeof("\r\nsecond line\n") - 1; i++)
		assert_int_equal(t[6 + i], '\0');
	hc_token_free(t);
	free(path);
}

static void a_world_readable_file_is_refused(void **state)
{
	char *path = token_file("s3cret\n", 0644), want[600];

	(void)state;
	assert_null(hc_token_read(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s is readable by everyone (chmod o-r %s)", path, path);
	assert_string_equal(err, want);
	free(path);
}

static void an_empty_first_line_is_refused(void **state)
{
	char *path = token_file("\nlater\n", 0600);

	(void)state;
	assert_null(hc_token_read(path, err, sizeof(err)));
	assert_non_null(strstr(err, "holds no token on its first line"));
	free(path);
}

static void only_the_exact_bearer_token_matches(void **state)
{
	(void)state;
	assert_true(hc_token_matches("Bearer abc123", "abc123"));
	assert_true(hc_token_matches("bearer abc123", "abc123"));
	assert_false(hc_token_matches("Bearer abc12", "abc123"));
	assert_false(hc_token_matches("Bearer abc1234", "abc123"));
	assert_false(hc_token_matches("Bearer ", "abc123"));
	assert_false(hc_token_matches("Basic abc123", "abc123"));
	assert_false(hc_token_matches(NULL, "abc123"));
	assert_false(hc_token_matches("Bearer abc123", NULL));
}

static void files_must_be_regular_and_small(void **state)
{
	char *path = unit_write_file("big", "0123456789");
	char *buf;

	(void)state;
	assert_null(hc_read_file("/tmp", 100, NULL, err, sizeof(err)));
	assert_string_equal(err, "cannot read /tmp: not a regular file");
	assert_null(hc_read_file(path, 9, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "is larger than 9 bytes"));
	buf = hc_read_file(path, 10, NULL, err, sizeof(err));
	assert_string_equal(buf, "0123456789");
	free(buf);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_line_is_the_token),
		cmocka_unit_test(a_world_readable_file_is_refused),
		cmocka_unit_test(an_empty_first_line_is_refused),
		cmocka_unit_test(only_the_exact_bearer_token_matches),
		cmocka_unit_test(files_must_be_regular_and_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
