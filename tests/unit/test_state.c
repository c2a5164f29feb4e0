/* SPDX-License-Identifier: MIT */
/* Unit tests of core/state.c: rise/fall, counters, history, snapshots. */
#include "autoconfig.h"

#include "unit.h"

#include "state.h"

static struct hc_check_conf conf = { .name = (char *)"c",
	                             .rise = 2,
	                             .fall = 3,
	                             .groups = HC_GROUP_READINESS };

static struct hc_outcome outcome(int status)
{
	struct hc_outcome o = { .status = status, .time_ns = 1 };

	snprintf(o.message, sizeof(o.message), "%s", status == HC_PASS ? "up" : "down");
	return o;
}

static bool record(struct hc_check *c, int status)
{
	struct hc_outcome o = outcome(status);

	return hc_check_record(c, &o);
}

static void first_result_sets_the_status(void **state)
{
	struct hc_check c;

	(void)state;
	hc_check_reset(&c, &conf, NULL);
	assert_int_equal(c.status, HC_PENDING);
	assert_true(record(&c, HC_FAIL));
	assert_int_equal(c.status, HC_FAIL);
}

static void fall_and_rise_damp_changes(void **state)
{
	struct hc_check c;

	(void)state;
	hc_check_reset(&c, &conf, NULL);
	record(&c, HC_PASS);
	assert_false(record(&c, HC_FAIL));
	assert_false(record(&c, HC_FAIL));
	assert_int_equal(c.status, HC_PASS);
	/* While held, endpoints show the last result with the held status. */
	assert_string_equal(c.shown.message, "up");
	assert_true(record(&c, HC_FAIL));
	assert_int_equal(c.status, HC_FAIL);
	assert_string_equal(c.shown.message, "down");
	assert_false(record(&c, HC_PASS));
	assert_false(record(&c, HC_FAIL)); /* the streak breaks */
	assert_false(record(&c, HC_PASS));
	assert_true(record(&c, HC_PASS));
	assert_int_equal(c.status, HC_PASS);
	assert_int_equal(c.runs, 8);
	assert_int_equal(c.failures, 4);
}

static void history_keeps_the_latest(void **state)
{
	struct hc_check c;

	(void)state;
	hc_check_reset(&c, &conf, NULL);
	for (int i = 0; i < HC_HISTORY + 3; i++)
		record(&c, i % 2 ? HC_FAIL : HC_PASS);
	assert_int_equal(c.history_len, HC_HISTORY);
	assert_int_equal(c.history_next, 3);
	assert_int_equal(c.history[2].status, HC_PASS); /* run HC_HISTORY + 2 */
}

static void snapshots_copy_and_count_references(void **state)
{
	struct hc_config *cfg = hc_config_new();
	struct hc_check c, *checks[] = { &c };
	struct hc_snapshot *s;
	struct hc_state st;

	(void)state;
	hc_check_reset(&c, &conf, NULL);
	s = hc_snapshot_new(cfg, checks, 1, true, false, 1, 0);
	assert_null(s->rows[0].out);
	assert_int_equal(s->rows[0].status, HC_PENDING);
	assert_int_equal(s->group_status[HC_READINESS], HC_FAIL);
	assert_int_equal(s->group_status[HC_LIVENESS], HC_PASS);
	record(&c, HC_PASS);
	assert_null(s->rows[0].out); /* a snapshot never changes */

	hc_state_init(&st);
	hc_state_publish(&st, s);
	s = hc_state_get(&st);
	assert_non_null(hc_snapshot_body(s, hc_body_probe(HC_READINESS, HC_PLAIN, false))->text);
	assert_int_equal(hc_snapshot_body(s, hc_body_probe(HC_READINESS, HC_PLAIN, false))->code,
	                 503);
	/* An older snapshot is dropped, a newer one replaces it. */
	hc_state_publish(&st, hc_snapshot_new(cfg, checks, 1, true, false, 0, 0));
	assert_ptr_equal(st.cur, s);
	hc_state_publish(&st, hc_snapshot_new(cfg, checks, 1, true, false, 2, 0));
	assert_true(st.cur != s);
	assert_int_equal(
	        hc_snapshot_body(st.cur, hc_body_probe(HC_READINESS, HC_PLAIN, false))->code, 200);
	assert_string_equal(s->rows[0].conf->name, "c"); /* still ours */
	hc_snapshot_unref(s);
	hc_state_destroy(&st);
	hc_config_unref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_result_sets_the_status),
		cmocka_unit_test(fall_and_rise_damp_changes),
		cmocka_unit_test(history_keeps_the_latest),
		cmocka_unit_test(snapshots_copy_and_count_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
