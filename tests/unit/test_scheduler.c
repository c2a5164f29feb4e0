/* SPDX-License-Identifier: MIT */
/* Unit tests of core/scheduler.c: parallel runs, each held to its own deadline. */
#include "autoconfig.h"

#include "unit.h"

#include "scheduler.h"

#define N 3

struct fixture {
	struct hc_config *cfg;
	struct hc_registry reg;
	struct hc_errors errs;
	struct hc_instance *in[N];
	char *paths[N];
};

/* A fixture with a call still running stays reachable from here, so
 * LeakSanitizer does not report what that thread may still use. */
static struct fixture *volatile kept;

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	for (int i = 0; i < N; i++) {
		free(f->paths[i]);
	}
	/* Instances stuck in a call are leaked on purpose: their plugin
	 * code is still running. The rest are torn down by the test. */
	hc_errors_clear(&f->errs);
	free(f);
	return 0;
}

/* N checks of fake_good reporting words[i], with timeouts[i] ms. */
static struct fixture *make(const char *const *words, const char *const *timeouts)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char name[16];

	f->cfg = hc_config_new();
	hc_registry_init(&f->reg, unit_fixture_dir());
	for (int i = 0; i < N; i++) {
		struct hc_where at = { "t.ini", i + 1 };
		struct hc_check_conf *c;

		snprintf(name, sizeof(name), "c%d", i);
		f->paths[i] = unit_write_file(name, words[i]);
		c = hc_config_add_check(f->cfg, name, at, &f->errs);
		hc_check_set(c, "plugin", "fake_good", at, &f->errs);
		hc_check_set(c, "path", f->paths[i], at, &f->errs);
		hc_check_set(c, "timeout", timeouts[i], at, &f->errs);
		assert_int_equal(hc_check_finish(c, &f->errs), 0);
		assert_int_equal(hc_instance_create(c, &f->reg, &f->in[i], &f->errs), 0);
	}
	return f;
}

static void every_outcome_is_collected_in_order(void **state)
{
	static const char *const words[N] = { "pass", "warn", "fail" };
	static const char *const timeouts[N] = { "1s", "1s", "1s" };
	struct fixture *f = *state = make(words, timeouts);
	struct hc_outcome outs[N];
	bool stuck[N];

	hc_run_once(f->in, N, outs, stuck);
	assert_int_equal(outs[0].status, HC_PASS);
	assert_int_equal(outs[1].status, HC_WARN);
	assert_int_equal(outs[2].status, HC_FAIL);
	for (int i = 0; i < N; i++) {
		assert_false(stuck[i]);
		hc_instance_destroy(f->in[i]);
	}
	hc_registry_free(&f->reg);
	hc_config_unref(f->cfg);
}

static void a_hung_call_fails_at_its_deadline_alone(void **state)
{
	static const char *const words[N] = { "hang", "sleep 100", "pass" };
	static const char *const timeouts[N] = { "200ms", "5s", "1s" };
	struct fixture *f = *state = make(words, timeouts);
	struct hc_outcome outs[N];
	bool stuck[N];
	int64_t start = hc_now_ns();

	hc_run_once(f->in, N, outs, stuck);
	assert_int_equal(outs[0].status, HC_FAIL);
	assert_string_equal(outs[0].message, "timed out after 200 ms");
	assert_true(stuck[0]);
	assert_int_equal(outs[1].status, HC_PASS);
	assert_string_equal(outs[1].message, "slept 100 ms");
	assert_false(stuck[1]);
	assert_int_equal(outs[2].status, HC_PASS);
	/* The deadline is honoured: generous margin, not a speed test. */
	assert_true(hc_now_ns() - start < 200 * 1000000LL + 1500 * 1000000LL);
	hc_instance_destroy(f->in[1]);
	hc_instance_destroy(f->in[2]);
	kept = f;
	*state = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(every_outcome_is_collected_in_order, teardown),
		cmocka_unit_test_teardown(a_hung_call_fails_at_its_deadline_alone, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
