/* SPDX-License-Identifier: MIT */
/* Unit tests of core/instance.c: keys, secrets, init errors, results. */
#include "autoconfig.h"

#include "unit.h"

#include "instance.h"

struct fixture {
	struct hc_config *cfg;
	struct hc_registry reg;
	struct hc_errors errs;
	struct hc_check_conf *chk;
	struct hc_instance *in;
	char *state_path;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->cfg = hc_config_new();
	hc_registry_init(&f->reg, unit_fixture_dir());
	f->chk = hc_config_add_check(f->cfg, "db", (struct hc_where){ "t.ini", 1 }, &f->errs);
	hc_check_set(f->chk, "plugin", "fake_good", (struct hc_where){ "t.ini", 2 }, &f->errs);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hc_instance_destroy(f->in);
	hc_registry_free(&f->reg);
	hc_errors_clear(&f->errs);
	hc_config_unref(f->cfg);
	free(f->state_path);
	free(f);
	return 0;
}

static void set(struct fixture *f, const char *key, const char *value, int line)
{
	assert_int_equal(
	        hc_check_set(f->chk, key, value, (struct hc_where){ "t.ini", line }, &f->errs), 0);
}

/* An instance whose plugin reports what word says. */
static void make(struct fixture *f, const char *word)
{
	f->state_path = unit_write_file("state", word);
	set(f, "path", f->state_path, 3);
	assert_int_equal(hc_check_finish(f->chk, &f->errs), 0);
	assert_int_equal(hc_instance_create(f->chk, &f->reg, &f->in, &f->errs), 0);
}

static void run(struct fixture *f, struct hc_outcome *out)
{
	hc_instance_run(f->in, hc_now_ns() + 1000000000, out);
}

static void pass_reports_latency_as_response_time(void **state)
{
	struct fixture *f = *state;
	struct hc_outcome out;

	make(f, "pass");
	run(f, &out);
	assert_int_equal(out.status, HC_PASS);
	assert_string_equal(out.message, "all good (run 1)");
	assert_string_equal(out.measurement, "responseTime");
	assert_string_equal(out.unit, "ms");
	assert_true(out.value == out.latency_ms);
	assert_true(out.time_ns > 0);
	run(f, &out);
	assert_string_equal(out.message, "all good (run 2)");
}

static void observation_and_measurement_pass_through(void **state)
{
	struct fixture *f = *state;
	struct hc_outcome out;

	make(f, "observe");
	run(f, &out);
	assert_string_equal(out.measurement, "utilization");
	assert_string_equal(out.unit, "%");
	assert_true(out.value == 42.5);
}

static void plugin_error_is_a_failure(void **state)
{
	struct fixture *f = *state;
	struct hc_outcome out;

	make(f, "error");
	run(f, &out);
	assert_int_equal(out.status, HC_FAIL);
	assert_string_equal(out.message, "plugin broke");
}

static void severity_warn_softens_failure(void **state)
{
	struct fixture *f = *state;
	struct hc_outcome out;

	set(f, "severity", "warn", 4);
	make(f, "fail");
	run(f, &out);
	assert_int_equal(out.status, HC_WARN);
	hc_outcome_timeout(f->in, &out);
	assert_int_equal(out.status, HC_WARN);
	assert_string_equal(out.message, "timed out after 2000 ms");
}

static void secrets_are_scrubbed(void **state)
{
	struct fixture *f = *state;
	struct hc_outcome out;
	char buf[64] = "a s3cr3t and s3cr3t again";

	set(f, "password", "s3cr3t", 5);
	make(f, "leak");
	run(f, &out);
	assert_string_equal(out.message, "auth failed for password ***");
	hc_instance_scrub(f->in, buf, sizeof(buf));
	assert_string_equal(buf, "a *** and *** again");
}

static void scrub_never_overflows(void **state)
{
	struct fixture *f = *state;
	char buf[8] = "abcdefg";

	set(f, "password", "g", 5);
	make(f, "pass");
	hc_instance_scrub(f->in, buf, sizeof(buf));
	assert_string_equal(buf, "abcdef*");
}

static void the_longest_secret_wins(void **state)
{
	struct fixture *f = *state;
	char *pw = unit_write_file("pw", "SECRET-and-more");
	char buf[64] = "say SECRET-and-more!";

	set(f, "password_file", pw, 5);
	make(f, "pass");
	/* A second secret that starts the first: only this test's config
	 * can make one, with the plugin's single secret key. */
	f->in->secrets[f->in->n_secrets++] = strdup("SECRET");
	hc_instance_scrub(f->in, buf, sizeof(buf));
	assert_string_equal(buf, "say ***!");
	free(pw);
}

static void a_secret_cut_at_a_full_buffer_goes_too(void **state)
{
	struct fixture *f = *state;
	char buf[12] = "abc s3cr"; /* as if cut from "abc s3cr3t..." */
	char full[9] = "abc s3cr"; /* the same text filling its buffer */

	set(f, "password", "s3cr3t", 5);
	make(f, "pass");
	hc_instance_scrub(f->in, buf, sizeof(buf));
	assert_string_equal(buf, "abc s3cr");
	hc_instance_scrub(f->in, full, sizeof(full));
	assert_string_equal(full, "abc ***");
}

static void control_characters_and_bad_utf8_are_replaced(void **state)
{
	struct fixture *f = *state;
	char buf[64] = "line\nforged\tx \xff caf\xc3\xa9 \xe0\x80\x80";
	char cut[8] = "abcd\xc3\xa9\xc3"; /* the last character is cut */

	make(f, "pass");
	hc_instance_scrub(f->in, buf, sizeof(buf));
	assert_string_equal(buf, "line forged x ? caf\xc3\xa9 ???");
	hc_instance_scrub(f->in, cut, sizeof(cut));
	assert_string_equal(cut, "abcd\xc3\xa9?");
}

static void secret_file_loses_trailing_newline(void **state)
{
	struct fixture *f = *state;
	char *pw = unit_write_file("pw", "topsecret\n");
	struct hc_outcome out;

	set(f, "password_file", pw, 5);
	make(f, "leak");
	run(f, &out);
	assert_string_equal(out.message, "auth failed for password ***");
	assert_int_equal(f->in->n_secrets, 1);
	assert_string_equal(f->in->secrets[0], "topsecret");
	free(pw);
}

static void secret_twice_is_an_error(void **state)
{
	struct fixture *f = *state;
	char *pw = unit_write_file("pw", "x");

	f->state_path = unit_write_file("state", "pass");
	set(f, "path", f->state_path, 3);
	set(f, "password", "x", 4);
	set(f, "password_file", pw, 5);
	assert_int_equal(hc_instance_create(f->chk, &f->reg, &f->in, &f->errs), -1);
	assert_string_equal(
	        f->errs.msgs[0],
	        "t.ini:2: check 'db' gives password twice (as password and password_file)");
	f->in = NULL;
	free(pw);
}

static void init_error_points_at_the_key_it_names(void **state)
{
	struct fixture *f = *state;

	set(f, "path", "relative/path", 7);
	assert_int_equal(hc_instance_create(f->chk, &f->reg, &f->in, &f->errs), -1);
	assert_string_equal(f->errs.msgs[0],
	                    "t.ini:7: plugin fake_good: path: 'relative/path' is not absolute");
	f->in = NULL;
}

static void only_secret_keys_take_file(void **state)
{
	struct fixture *f = *state;

	set(f, "path_file", "/etc/hostname", 6);
	assert_int_equal(hc_instance_create(f->chk, &f->reg, &f->in, &f->errs), -1);
	assert_string_equal(
	        f->errs.msgs[0],
	        "t.ini:6: plugin fake_good has no key 'path_file' (its keys: path, password, count)");
	f->in = NULL;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(pass_reports_latency_as_response_time),
		T(observation_and_measurement_pass_through),
		T(plugin_error_is_a_failure),
		T(severity_warn_softens_failure),
		T(secrets_are_scrubbed),
		T(scrub_never_overflows),
		T(the_longest_secret_wins),
		T(a_secret_cut_at_a_full_buffer_goes_too),
		T(control_characters_and_bad_utf8_are_replaced),
		T(secret_file_loses_trailing_newline),
		T(secret_twice_is_an_error),
		T(init_error_points_at_the_key_it_names),
		T(only_secret_keys_take_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
