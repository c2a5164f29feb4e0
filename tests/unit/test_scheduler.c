/* SPDX-License-Identifier: MIT */
/* Unit tests of core/scheduler.c: parallel runs, each held to its own deadline. */
#include "autoconfig.h"

#include "unit.h"

#include <unistd.h>

#include "render.h"
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

/* Replace the file at path with word, atomically: a run never reads half. */
static void say(const char *path, const char *word)
{
	char tmp[1024];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fp = fopen(tmp, "w");
	assert_non_null(fp);
	fputs(word, fp);
	fclose(fp);
	assert_int_equal(rename(tmp, path), 0);
}

/* Wait (at most 5 s: a bound, not a speed test) until the published
 * snapshot shows check i with status. */
static bool shows(struct hc_state *st, size_t i, int status)
{
	int64_t until = hc_now_ns() + 5000 * 1000000LL;

	while (hc_now_ns() < until) {
		struct hc_snapshot *s = hc_state_get(st);
		bool yes = s != NULL && s->rows[i].status == status;

		hc_snapshot_unref(s);
		if (yes)
			return true;
		usleep(2000);
	}
	return false;
}

/*
 * Results that change no status are published together, not one by one;
 * that must never cost correctness. Every status change shows within a
 * bound, counters never go back, and once the scheduler stops, every body
 * of the last published snapshot equals a from-scratch render of the
 * checks' final state (history and status page included): no result was
 * lost to coalescing.
 */
static void coalesced_publishing_loses_nothing(void **state)
{
	static const char *const seq[] = { "fail", "warn", "pass", "fail", "pass" };
	struct fixture *f = *state = calloc(1, sizeof(*f));
	struct hc_check **checks = calloc(N, sizeof(*checks));
	struct hc_check *mine[N];
	struct hc_snapshot *last, *fresh;
	struct hc_state st;
	struct hc_sched *s;
	uint64_t runs = 0;
	char name[16];

	f->cfg = hc_config_new();
	hc_registry_init(&f->reg, unit_fixture_dir());
	for (int i = 0; i < N; i++) {
		struct hc_where at = { "t.ini", i + 1 };
		struct hc_check_conf *c;

		snprintf(name, sizeof(name), "p%d", i);
		f->paths[i] = unit_write_file(name, "pass");
		c = hc_config_add_check(f->cfg, name, at, &f->errs);
		hc_check_set(c, "plugin", "fake_good", at, &f->errs);
		hc_check_set(c, "path", f->paths[i], at, &f->errs);
		hc_check_set(c, "interval", "20ms", at, &f->errs);
		hc_check_set(c, "timeout", "15ms", at, &f->errs);
		assert_int_equal(hc_check_finish(c, &f->errs), 0);
		assert_int_equal(hc_instance_create(c, &f->reg, &f->in[i], &f->errs), 0);
		mine[i] = checks[i] = calloc(1, sizeof(**checks));
		hc_check_reset(checks[i], c, f->in[i]);
	}
	hc_state_init(&st);
	s = hc_sched_start(f->cfg, checks, N, 2, &st, NULL, NULL);
	for (size_t k = 0; k < sizeof(seq) / sizeof(seq[0]); k++) {
		int want = strcmp(seq[k], "pass") == 0   ? HC_PASS
		           : strcmp(seq[k], "warn") == 0 ? HC_WARN
		                                         : HC_FAIL;

		say(f->paths[k % N], seq[k]);
		assert_true(shows(&st, k % N, want));
		last = hc_state_get(&st);
		assert_true(last->rows[0].runs >= runs);
		runs = last->rows[0].runs;
		hc_snapshot_unref(last);
	}
	hc_sched_stop(s, hc_now_ns() + 2000 * 1000000LL);
	last = hc_state_get(&st);
	fresh = hc_snapshot_new(f->cfg, mine, N, last->started, false, 0, hc_now_ns());
	fresh->sched = last->sched; /* the scheduler's own counters */
	for (int b = 0; b < HC_N_BODIES; b++) {
		const struct hc_body *x = hc_snapshot_body(last, b);
		const struct hc_body *y = hc_snapshot_body(fresh, b);

		assert_int_equal(x->code, y->code);
		assert_string_equal(x->text, y->text);
	}
	/* Those include the status page, both forms, and /health's history. */
	assert_non_null(strstr(hc_snapshot_body(last, HC_BODY_STATUS)->text,
	                       "<span class=\"name\">p2</span>"));
	assert_non_null(strstr(hc_snapshot_body(last, HC_BODY_STATUS + 1)->text,
	                       "<td data-label=\"Owner\">"));
	assert_non_null(strstr(hc_snapshot_body(last, HC_BODY_HEALTH + HC_JSON_HISTORY)->text,
	                       "\"history\":[{"));
	hc_snapshot_unref(fresh);
	hc_snapshot_unref(last);
	assert_int_equal(hc_sched_free(s), 0);
	hc_state_destroy(&st);
	hc_registry_free(&f->reg);
	hc_config_unref(f->cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(every_outcome_is_collected_in_order, teardown),
		cmocka_unit_test_teardown(a_hung_call_fails_at_its_deadline_alone, teardown),
		cmocka_unit_test_teardown(coalesced_publishing_loses_nothing, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
