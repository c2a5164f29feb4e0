/* SPDX-License-Identifier: MIT */
/* Unit tests of core/render.c: --once text, probe text, health+json, metrics. */
#include "autoconfig.h"

#include "unit.h"

#include <jansson.h>

#include "render.h"

static struct hc_check_conf conf_a = { .name = (char *)"a", .groups = HC_GROUP_READINESS };
static struct hc_check_conf conf_b = { .name = (char *)"bb-longer",
	                               .groups = HC_GROUP_READINESS | HC_GROUP_LIVENESS,
	                               .component_type = (char *)"datastore",
	                               .owner = (char *)"team-x",
	                               .runbook = (char *)"https://r/b" };

static struct hc_outcome outcome(int status, const char *msg)
{
	struct hc_outcome o = {
		.status = status, .latency_ms = 1.25, .value = 1.25, .time_ns = 1700000000123000000LL
	};

	snprintf(o.message, sizeof(o.message), "%s", msg);
	snprintf(o.unit, sizeof(o.unit), "ms");
	snprintf(o.measurement, sizeof(o.measurement), "responseTime");
	return o;
}

static struct hc_row row(struct hc_check_conf *c, const struct hc_outcome *o)
{
	return (struct hc_row){ .conf = c,
		                .out = o,
		                .status = o ? o->status : HC_PENDING,
		                .runs = o ? 3 : 0,
		                .failures = o && o->status == HC_FAIL };
}

/* A snapshot over rows, without a scheduler. */
static struct hc_snapshot *snap(const struct hc_row *rows, size_t n, bool started, bool shutting_down)
{
	struct hc_snapshot *s = calloc(1, sizeof(*s));

	s->cfg = hc_config_new();
	s->rows = calloc(n + 1, sizeof(*rows));
	memcpy(s->rows, rows, n * sizeof(*rows));
	s->n = n;
	hc_group_status(s->rows, n, s->group_status);
	s->started = started;
	s->shutting_down = shutting_down;
	return s;
}

static void snap_free(struct hc_snapshot *s)
{
	hc_config_unref(s->cfg);
	free(s->rows);
	free(s);
}

static char *probe(const struct hc_snapshot *s, enum hc_group g, bool verbose, bool detailed,
                   int *code)
{
	struct hc_probe_query q = { .group = g, .verbose = verbose, .detailed = detailed };
	const char *type;

	return hc_render_probe(s, &q, code, &type);
}

static void worst_status_counts_pending_as_fail(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, ""), w = outcome(HC_WARN, "");
	struct hc_row rows[] = { row(&conf_a, &p), row(&conf_b, &w) };
	struct hc_row pending[] = { row(&conf_a, &p), row(&conf_b, NULL) };

	(void)state;
	assert_int_equal(hc_worst_status(rows, 1), HC_PASS);
	assert_int_equal(hc_worst_status(rows, 2), HC_WARN);
	assert_int_equal(hc_worst_status(pending, 2), HC_FAIL);
	assert_int_equal(hc_worst_status(NULL, 0), HC_PASS);
}

static void text_lines_align_names(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "ok then"), f = outcome(HC_FAIL, "down");
	struct hc_row rows[] = { row(&conf_a, &p), row(&conf_b, &f), row(&conf_a, NULL) };
	char buf[512] = "";
	FILE *fp = fmemopen(buf, sizeof(buf), "w");

	(void)state;
	hc_render_text(fp, rows, 3);
	fclose(fp);
	assert_string_equal(buf, "a          pass      1.2 ms  ok then\n"
	                         "bb-longer  fail      1.2 ms  down\n"
	                         "a          fail        - ms  pending\n");
}

static void public_json_is_status_only(void **state)
{
	struct hc_service_conf svc = { .id = (char *)"orders" };
	struct hc_outcome p = outcome(HC_PASS, "fine");
	struct hc_row rows[] = { row(&conf_a, &p) };
	char *body = hc_render_health_json(&svc, rows, 1, HC_PASS, NULL, false);

	(void)state;
	assert_string_equal(body, "{\"status\":\"pass\"}\n");
	free(body);
}

/* The JSON is written by hand: strings are escaped, bad UTF-8 becomes '?',
 * numbers stay numbers, and jansson reads back what went in. */
static void json_escapes_what_json_needs(void **state)
{
	struct hc_service_conf svc = { .description = (char *)"say \"hi\"\\ \x01 caf\xc3\xa9 \xff!" };
	struct hc_outcome f = outcome(HC_FAIL, "x");
	struct hc_row rows[] = { row(&conf_a, &f) };
	char *body;
	json_t *j;

	(void)state;
	f.value = 3;
	body = hc_render_health_json(&svc, rows, 1, HC_FAIL, NULL, true);
	assert_non_null(strstr(body, "\"description\":\"say \\\"hi\\\"\\\\ \\u0001 caf\xc3\xa9 ?!\""));
	assert_non_null(strstr(body, "\"observedValue\":3.0,"));
	j = json_loads(body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "description")),
	                    "say \"hi\"\\ \x01 caf\xc3\xa9 ?!");
	json_decref(j);
	free(body);
}

/* Beyond the draft, for the status page: groups, severity and lastChange
 * with details, each check's last runs (oldest first) only when asked. */
static void history_only_when_asked(void **state)
{
	struct hc_service_conf svc = { 0 };
	struct hc_outcome f = outcome(HC_FAIL, "down");
	struct hc_history_entry hist[] = { { HC_PASS, 1700000000000000000LL, 0.5 },
		                           { HC_FAIL, 1700000001250000000LL, 12.25 } };
	struct hc_row rows[] = { row(&conf_b, &f) };
	char *body;

	(void)state;
	rows[0].changed_ns = hist[1].time_ns;
	rows[0].history = hist;
	rows[0].n_history = 2;
	body = hc_render_health_json(&svc, rows, 1, HC_FAIL, NULL, HC_JSON_DETAILED);
	assert_non_null(strstr(body, "\"runbook\":\"https://r/b\",\"groups\":[\"liveness\","
	                             "\"readiness\"],\"severity\":\"critical\","
	                             "\"lastChange\":\"2023-11-14T22:13:21.250Z\"}]"));
	free(body);
	body = hc_render_health_json(&svc, rows, 1, HC_FAIL, NULL, HC_JSON_HISTORY);
	assert_non_null(strstr(body, "\"lastChange\":\"2023-11-14T22:13:21.250Z\",\"history\":["
	                             "{\"time\":\"2023-11-14T22:13:20.000Z\",\"status\":\"pass\","
	                             "\"latencyMs\":0.500},"
	                             "{\"time\":\"2023-11-14T22:13:21.250Z\",\"status\":\"fail\","
	                             "\"latencyMs\":12.250}]}]"));
	free(body);
}

static void detailed_json_follows_the_draft(void **state)
{
	struct hc_service_conf svc = { .id = (char *)"orders",
		                       .version = (char *)"2",
		                       .release_id = (char *)"abc" };
	struct hc_outcome p = outcome(HC_PASS, "fine"), f = outcome(HC_FAIL, "refused");
	struct hc_row rows[] = { row(&conf_a, &p), row(&conf_b, &f), row(&conf_a, NULL) };
	char *body = hc_render_health_json(&svc, rows, 2, HC_FAIL, NULL, true);
	json_t *j = json_loads(body, 0, NULL), *a, *b;

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(j, "serviceId")), "orders");
	assert_string_equal(json_string_value(json_object_get(j, "releaseId")), "abc");
	assert_null(json_object_get(j, "description"));
	a = json_array_get(json_object_get(json_object_get(j, "checks"), "a:responseTime"), 0);
	b = json_array_get(json_object_get(json_object_get(j, "checks"), "bb-longer:responseTime"),
	                   0);
	assert_string_equal(json_string_value(json_object_get(a, "componentType")), "component");
	assert_null(json_object_get(a, "output"));
	assert_true(json_real_value(json_object_get(a, "observedValue")) == 1.25);
	assert_string_equal(json_string_value(json_object_get(a, "time")),
	                    "2023-11-14T22:13:20.123Z");
	assert_string_equal(json_string_value(json_object_get(b, "output")), "refused");
	assert_string_equal(json_string_value(json_object_get(b, "owner")), "team-x");
	assert_string_equal(json_string_value(json_object_get(b, "componentType")), "datastore");
	json_decref(j);
	free(body);

	body = hc_render_health_json(&svc, rows + 2, 1, HC_PENDING, NULL, true);
	j = json_loads(body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "fail");
	a = json_array_get(json_object_get(json_object_get(j, "checks"), "a:responseTime"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(a, "output")), "pending");
	json_decref(j);
	free(body);
}

static void probe_says_ok_or_lists_with_reasons_withheld(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "fine"), f = outcome(HC_FAIL, "refused");
	struct hc_row up[] = { row(&conf_a, &p), row(&conf_b, &p) };
	struct hc_row down[] = { row(&conf_a, &p), row(&conf_b, &f) };
	struct hc_snapshot *s = snap(up, 2, true, false);
	int code;
	char *body = probe(s, HC_READINESS, false, false, &code);

	(void)state;
	assert_int_equal(code, 200);
	assert_string_equal(body, "ok\n");
	free(body);
	body = probe(s, HC_READINESS, true, false, &code);
	assert_string_equal(body, "[+]a ok\n[+]bb-longer ok\nreadyz check passed\n");
	free(body);
	snap_free(s);

	s = snap(down, 2, true, false);
	body = probe(s, HC_READINESS, false, false, &code);
	assert_int_equal(code, 503);
	assert_string_equal(body,
	                    "[+]a ok\n[-]bb-longer failed: reason withheld\nreadyz check failed\n");
	free(body);
	body = probe(s, HC_READINESS, false, true, &code);
	assert_string_equal(body, "[+]a ok\n[-]bb-longer failed: refused\nreadyz check failed\n");
	free(body);
	body = probe(s, HC_LIVENESS, true, false, &code);
	assert_int_equal(code, 503);
	assert_string_equal(body, "[-]bb-longer failed: reason withheld\nlivez check failed\n");
	free(body);
	snap_free(s);
}

static void warn_passes_and_pending_fails(void **state)
{
	struct hc_outcome w = outcome(HC_WARN, "slow");
	struct hc_row rows[] = { row(&conf_a, &w), row(&conf_b, NULL) };
	struct hc_snapshot *s = snap(rows, 1, true, false);
	int code;
	char *body = probe(s, HC_READINESS, true, false, &code);

	(void)state;
	assert_int_equal(code, 200);
	assert_string_equal(body, "[+]a warn\nreadyz check passed\n");
	free(body);
	snap_free(s);
	s = snap(rows, 2, true, false);
	body = probe(s, HC_READINESS, true, false, &code);
	assert_int_equal(code, 503);
	assert_string_equal(body, "[+]a warn\n[-]bb-longer pending\nreadyz check failed\n");
	free(body);
	snap_free(s);
}

static void readiness_fails_while_starting_or_stopping(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "fine");
	struct hc_row rows[] = { row(&conf_a, &p) };
	struct hc_snapshot *s = snap(rows, 1, true, true);
	int code;
	char *body = probe(s, HC_READINESS, false, false, &code);

	(void)state;
	assert_int_equal(code, 503);
	assert_string_equal(body,
	                    "[+]a ok\n[-]shutdown failed: shutting down\nreadyz check failed\n");
	free(body);
	body = probe(s, HC_LIVENESS, false, false, &code);
	assert_int_equal(code, 200);
	free(body);
	snap_free(s);
	s = snap(rows, 1, false, false);
	body = probe(s, HC_READINESS, false, false, &code);
	assert_int_equal(code, 503);
	assert_non_null(strstr(body, "[-]startup failed: start-up not complete\n"));
	free(body);
	snap_free(s);
}

static void startup_passes_for_good_once_it_has(void **state)
{
	static struct hc_check_conf conf_s = { .name = (char *)"s", .groups = HC_GROUP_STARTUP };
	struct hc_outcome f = outcome(HC_FAIL, "down");
	struct hc_row rows[] = { row(&conf_s, &f) };
	struct hc_snapshot *s = snap(rows, 1, true, false);
	int code;
	char *body = probe(s, HC_STARTUP, false, false, &code);

	(void)state;
	assert_int_equal(code, 200);
	assert_string_equal(body, "ok\n");
	free(body);
	/* The body agrees with the latch: no "[-]" above "passed". */
	body = probe(s, HC_STARTUP, true, true, &code);
	assert_int_equal(code, 200);
	assert_string_equal(body, "[+]s ok (start-up completed; now failed: down)\n"
	                          "startupz check passed\n");
	free(body);
	snap_free(s);
	s = snap(rows, 1, false, false);
	body = probe(s, HC_STARTUP, true, true, &code);
	assert_int_equal(code, 503);
	assert_string_equal(body, "[-]s failed: down\nstartupz check failed\n");
	free(body);
	snap_free(s);
}

static void exclude_and_only(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "fine"), f = outcome(HC_FAIL, "refused");
	struct hc_row rows[] = { row(&conf_a, &p), row(&conf_b, &f) };
	struct hc_snapshot *s = snap(rows, 2, true, false);
	const char *ex[] = { "bb-longer", "nope" };
	struct hc_probe_query q = {
		.group = HC_READINESS, .exclude = ex, .n_exclude = 2, .verbose = true
	};
	const char *type;
	int code;
	char *body = hc_render_probe(s, &q, &code, &type);

	(void)state;
	assert_int_equal(code, 200);
	assert_string_equal(body,
	                    "[+]a ok\n[+]bb-longer excluded: ok\n"
	                    "warn: some health checks cannot be excluded: no matches for \"nope\"\n"
	                    "readyz check passed\n");
	free(body);
	q = (struct hc_probe_query){ .group = HC_READINESS, .only = "bb-longer" };
	body = hc_render_probe(s, &q, &code, &type);
	assert_int_equal(code, 503);
	free(body);
	/* /readyz/NAME?exclude=NAME: the check exists, excluded, and passes. */
	q = (struct hc_probe_query){ .group = HC_READINESS,
		                     .only = "bb-longer",
		                     .exclude = ex,
		                     .n_exclude = 1,
		                     .verbose = true };
	body = hc_render_probe(s, &q, &code, &type);
	assert_int_equal(code, 200);
	assert_string_equal(body, "[+]bb-longer excluded: ok\nreadyz check passed\n");
	free(body);
	q = (struct hc_probe_query){ .group = HC_LIVENESS, .only = "a" };
	body = hc_render_probe(s, &q, &code, &type);
	assert_int_equal(code, 404);
	assert_string_equal(body, "no check 'a' in livez\n");
	free(body);
	snap_free(s);
}

/* Unknown ?exclude names: one line naming them all, as kube-apiserver
 * writes it (sorted, each once, quoted as Go's %q). */
static void unknown_excludes_in_one_line(void **state)
{
	struct hc_outcome p = outcome(HC_PASS, "fine");
	struct hc_row rows[] = { row(&conf_a, &p) };
	struct hc_snapshot *s = snap(rows, 1, true, false);
	const char *ex[] = { "zz", "a", "b\"q", "zz" };
	struct hc_probe_query q = {
		.group = HC_READINESS, .exclude = ex, .n_exclude = 4, .verbose = true
	};
	const char *type;
	int code;
	char *body = hc_render_probe(s, &q, &code, &type);

	(void)state;
	assert_int_equal(code, 200);
	assert_string_equal(body, "[+]a excluded: ok\n"
	                          "warn: some health checks cannot be excluded: no matches for "
	                          "\"b\\\"q\",\"zz\"\n"
	                          "readyz check passed\n");
	free(body);
	snap_free(s);
}

static void metrics_have_every_family(void **state)
{
	static const char *const families[] = {
		"healthcheckd_check_status",
		"healthcheckd_check_up",
		"healthcheckd_check_duration_seconds",
		"healthcheckd_check_last_run_timestamp_seconds",
		"healthcheckd_check_runs_total",
		"healthcheckd_check_failures_total",
		"healthcheckd_status",
		"healthcheckd_build_info",
	};
	struct hc_outcome f = outcome(HC_FAIL, "refused");
	struct hc_row rows[] = { row(&conf_a, NULL), row(&conf_b, &f) };
	struct hc_snapshot *s = snap(rows, 2, true, false);
	char *body = hc_render_metrics(s), head[160];

	(void)state;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		snprintf(head, sizeof(head), "# HELP %s ", families[i]);
		assert_non_null(strstr(body, head));
		snprintf(head, sizeof(head), "\n# TYPE %s ", families[i]);
		assert_non_null(strstr(body, head));
	}
	assert_non_null(strstr(body, "healthcheckd_check_status{check=\"a\",status=\"pending\"} 1\n"));
	assert_non_null(strstr(body, "healthcheckd_check_status{check=\"a\",status=\"pass\"} 0\n"));
	assert_non_null(strstr(body, "healthcheckd_check_up{check=\"bb-longer\"} 0\n"));
	assert_non_null(
	        strstr(body, "healthcheckd_check_duration_seconds{check=\"bb-longer\"} 0.001250\n"));
	assert_null(strstr(body, "healthcheckd_check_duration_seconds{check=\"a\"}"));
	assert_non_null(strstr(body, "healthcheckd_check_runs_total{check=\"bb-longer\"} 3\n"));
	assert_non_null(strstr(body, "healthcheckd_check_failures_total{check=\"bb-longer\"} 1\n"));
	assert_non_null(strstr(body, "healthcheckd_status{group=\"readiness\"} 0\n"));
	assert_non_null(strstr(body, "healthcheckd_status{group=\"startup\"} 1\n"));
	assert_non_null(strstr(body, "# TYPE healthcheckd_check_runs_total counter\n"));
	free(body);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worst_status_counts_pending_as_fail),
		cmocka_unit_test(text_lines_align_names),
		cmocka_unit_test(public_json_is_status_only),
		cmocka_unit_test(detailed_json_follows_the_draft),
		cmocka_unit_test(history_only_when_asked),
		cmocka_unit_test(json_escapes_what_json_needs),
		cmocka_unit_test(probe_says_ok_or_lists_with_reasons_withheld),
		cmocka_unit_test(warn_passes_and_pending_fails),
		cmocka_unit_test(readiness_fails_while_starting_or_stopping),
		cmocka_unit_test(startup_passes_for_good_once_it_has),
		cmocka_unit_test(exclude_and_only),
		cmocka_unit_test(unknown_excludes_in_one_line),
		cmocka_unit_test(metrics_have_every_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
