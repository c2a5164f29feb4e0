/* SPDX-License-Identifier: MIT */
/* Unit tests of core/render.c: text lines and the health+json document. */
#include "autoconfig.h"

#include "unit.h"

#include <jansson.h>

#include "render.h"

static struct hc_check_conf conf_a = { .name = (char *)"a" };
static struct hc_check_conf conf_b = { .name = (char *)"bb-longer",
	                               .component_type = (char *)"datastore",
	                               .owner = (char *)"team-x",
	                               .runbook = (char *)"https://r/b" };

static struct hc_outcome outcome(int status, const char *msg)
{
	struct hc_outcome o = { .status = status, .latency_ms = 1.25, .value = 1.25,
		                .time_ns = 1700000000123000000LL };

	snprintf(o.message, sizeof(o.message), "%s", msg);
	snprintf(o.unit, sizeof(o.unit), "ms");
	snprintf(o.measurement, sizeof(o.measurement), "responseTime");
	return o;
}

static void worst_status_counts_pending_as_fail(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, ""), w = outcome(HC_WARN, "");
	struct hc_row rows[] = { { &conf_a, &p }, { &conf_b, &w } };
	struct hc_row pending[] = { { &conf_a, &p }, { &conf_b, NULL } };

	(void)state;
	assert_int_equal(hc_worst_status(rows, 1), HC_PASS);
	assert_int_equal(hc_worst_status(rows, 2), HC_WARN);
	assert_int_equal(hc_worst_status(pending, 2), HC_FAIL);
	assert_int_equal(hc_worst_status(NULL, 0), HC_PASS);
}

static void text_lines_align_names(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "ok then"), f = outcome(HC_FAIL, "down");
	struct hc_row rows[] = { { &conf_a, &p }, { &conf_b, &f }, { &conf_a, NULL } };
	char buf[512] = "";
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	hc_render_text(fp, rows, 3);
	fclose(fp);
	assert_string_equal(buf,
	                    "a          pass      1.2 ms  ok then\n"
	                    "bb-longer  fail      1.2 ms  down\n"
	                    "a          fail        - ms  pending\n");
}

static void public_json_is_status_only(void **state)
{
	struct hc_service_conf svc = { .id = (char *)"orders" };
	struct hc_outcome p = outcome(HC_PASS, "fine");
	struct hc_row rows[] = { { &conf_a, &p } };
	char *body = hc_render_health_json(&svc, rows, 1, false);

	(void)state;
	assert_string_equal(body, "{\n  \"status\": \"pass\"\n}");
	free(body);
}

static void detailed_json_follows_the_draft(void **state)
{
	struct hc_service_conf svc = { .id = (char *)"orders", .version = (char *)"2",
		                       .release_id = (char *)"abc" };
	struct hc_outcome p = outcome(HC_PASS, "fine"), f = outcome(HC_FAIL, "refused");
	struct hc_row rows[] = { { &conf_a, &p }, { &conf_b, &f }, { &conf_a, NULL } };
	char *body = hc_render_health_json(&svc, rows, 2, true);
	json_t *j = json_loads(body, 0, NULL), *a, *b;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(j, "serviceId")), "orders");
	assert_string_equal(json_string_value(json_object_get(j, "releaseId")), "abc");
	assert_null(json_object_get(j, "description"));
	a = json_array_get(json_object_get(json_object_get(j, "checks"), "a:responseTime"), 0);
	b = json_array_get(json_object_get(json_object_get(j, "checks"), "bb-longer:responseTime"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "componentType")), "component");
	assert_null(json_object_get(a, "output"));
	assert_true(json_real_value(json_object_get(a, "observedValue")) == 1.25);
	assert_string_equal(json_string_value(json_object_get(a, "time")), "2023-11-14T22:13:20.123Z");
	assert_string_equal(json_string_value(json_object_get(b, "output")), "refused");
	assert_string_equal(json_string_value(json_object_get(b, "owner")), "team-x");
	assert_string_equal(json_string_value(json_object_get(b, "componentType")), "datastore");
	json_decref(j);
	free(body);

	body = hc_render_health_json(&svc, rows + 2, 1, true);
	j = json_loads(body, 0, NULL);
	a = json_array_get(json_object_get(json_object_get(j, "checks"), "a:responseTime"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(a, "output")), "pending");
	json_decref(j);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worst_status_counts_pending_as_fail),
		cmocka_unit_test(text_lines_align_names),
		cmocka_unit_test(public_json_is_status_only),
		cmocka_unit_test(detailed_json_follows_the_draft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
