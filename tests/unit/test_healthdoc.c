/* SPDX-License-Identifier: MIT */
/* Unit tests of the http plugin's health-document parser (healthdoc.c). */
#include "unit.h"

#include "../../plugins/http/healthdoc.h"

/* Parse a NUL-terminated document; assert it parsed. */
static void parse_ok(const char *doc, struct hd_report *r)
{
	char err[128] = "";

	assert_int_equal(hd_parse(doc, strlen(doc), r, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Parse a document that must be refused; assert the reason. */
static void parse_bad(const char *doc, size_t len, const char *why)
{
	struct hd_report r;
	char err[128] = "";

	assert_int_equal(hd_parse(doc, len, &r, err, sizeof(err)), -1);
	assert_string_equal(err, why);
}

static void test_ietf_pass(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"pass\",\"checks\":{"
	         "\"redis:responseTime\":[{\"status\":\"pass\","
	         "\"observedValue\":1.2}],"
	         "\"postgres:connections\":[{\"status\":\"pass\"}]}}",
	         &r);
	assert_int_equal(r.status, HD_PASS);
	assert_string_equal(r.status_text, "pass");
	assert_int_equal(r.n_components, 2);
	assert_int_equal(r.worst, HD_PASS);
}

static void test_ietf_fail_names_component_and_output(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"fail\",\"checks\":{"
	         "\"postgres:responseTime\":[{\"status\":\"warn\","
	         "\"output\":\"slow\"}],"
	         "\"redis:responseTime\":[{\"status\":\"pass\"},"
	         "{\"status\":\"fail\",\"output\":\"Connection refused\"}]}}",
	         &r);
	assert_int_equal(r.status, HD_FAIL);
	assert_int_equal(r.n_components, 3);
	assert_int_equal(r.worst, HD_FAIL);
	assert_string_equal(r.component, "redis");
	assert_string_equal(r.worst_text, "fail");
	assert_string_equal(r.reason, "Connection refused");
}

static void test_spring_down_with_details_error(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"DOWN\",\"components\":{"
	         "\"db\":{\"status\":\"UP\",\"details\":{\"database\":"
	         "\"PostgreSQL\"}},"
	         "\"diskSpace\":{\"status\":\"UP\"},"
	         "\"redis\":{\"status\":\"DOWN\",\"details\":{\"error\":"
	         "\"RedisConnectionFailureException: Unable to connect\"}}}}",
	         &r);
	assert_int_equal(r.status, HD_FAIL);
	assert_string_equal(r.status_text, "DOWN");
	assert_int_equal(r.n_components, 3);
	assert_string_equal(r.component, "redis");
	assert_string_equal(r.worst_text, "DOWN");
	assert_string_equal(r.reason, "RedisConnectionFailureException: Unable to connect");
}

static void test_spring_nested_and_out_of_service(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"OUT_OF_SERVICE\",\"components\":{"
	         "\"db\":{\"status\":\"OUT_OF_SERVICE\",\"components\":{"
	         "\"primary\":{\"status\":\"UP\"},"
	         "\"replica\":{\"status\":\"OUT_OF_SERVICE\","
	         "\"details\":{\"lag\":42}}}}}}",
	         &r);
	assert_int_equal(r.status, HD_FAIL);
	/* The parent is the first of the worst: nested ones are counted. */
	assert_int_equal(r.n_components, 3);
	assert_string_equal(r.component, "db");
	assert_string_equal(r.worst_text, "OUT_OF_SERVICE");
}

static void test_spring_nested_worse_child_and_unknown(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"UP\",\"components\":{"
	         "\"ping\":{\"status\":\"UNKNOWN\"},"
	         "\"db\":{\"status\":\"UP\",\"components\":{"
	         "\"replica\":{\"status\":\"DOWN\","
	         "\"details\":{\"lag\":42}}}}}}",
	         &r);
	assert_int_equal(r.status, HD_PASS);
	assert_int_equal(r.worst, HD_FAIL);
	assert_string_equal(r.component, "db.replica");
	/* Details without an error: the details themselves, compact. */
	assert_string_equal(r.reason, "{\"lag\":42}");
}

static void test_plain_strings_and_objects(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"fail\",\"checks\":{\"postgres\":\"ok\","
	         "\"redis\":{\"status\":\"fail\",\"error\":\"line1\\nline2\"}}}",
	         &r);
	assert_int_equal(r.status, HD_FAIL);
	assert_int_equal(r.n_components, 2);
	assert_string_equal(r.component, "redis");
	/* A reason goes into a one-line message. */
	assert_string_equal(r.reason, "line1 line2");
}

static void test_plain_components_string_status(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"degraded\",\"components\":{\"cache\":\"up\","
	         "\"search\":\"degraded\"}}",
	         &r);
	assert_int_equal(r.status, HD_WARN);
	assert_string_equal(r.component, "search");
	assert_int_equal(r.worst, HD_WARN);
	assert_string_equal(r.reason, "");
}

static void test_microprofile_array(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"DOWN\",\"checks\":["
	         "{\"name\":\"kafka\",\"status\":\"UP\"},"
	         "{\"name\":\"database\",\"status\":\"DOWN\","
	         "\"data\":{\"reason\":\"pool exhausted\"}},"
	         "{\"status\":\"DOWN\"}]}",
	         &r);
	assert_int_equal(r.status, HD_FAIL);
	/* An entry without a name cannot be reported by name: skipped. */
	assert_int_equal(r.n_components, 2);
	assert_string_equal(r.component, "database");
	assert_string_equal(r.worst_text, "DOWN");
	assert_string_equal(r.reason, "{\"reason\":\"pool exhausted\"}");
}

static void test_status_only(void **state)
{
	struct hd_report r;

	(void)state;
	parse_ok("{\"status\":\"UP\"}", &r);
	assert_int_equal(r.status, HD_PASS);
	assert_int_equal(r.n_components, 0);
	assert_string_equal(r.component, "");
}

static void test_long_reason_is_cut(void **state)
{
	char doc[1024], big[600];
	struct hd_report r;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	snprintf(doc, sizeof(doc),
	         "{\"status\":\"fail\",\"checks\":{\"a\":"
	         "{\"status\":\"fail\",\"output\":\"%s\"}}}",
	         big);
	parse_ok(doc, &r);
	assert_int_equal(strlen(r.reason), sizeof(r.reason) - 1);
}

static void test_garbage(void **state)
{
	(void)state;
	parse_bad("<html>502 Bad Gateway</html>", 28, "not JSON (line 1, column 1)");
	parse_bad("{\"status\":\"pass\"", 16, "not JSON (line 1, column 16)");
	parse_bad("", 0, "not JSON (line 1, column 0)");
	parse_bad("[1,2]", 5, "not a JSON object");
	parse_bad("{\"checks\":{}}", 13, "no \"status\" string");
	parse_bad("{\"status\":7}", 12, "no \"status\" string");
	parse_bad("{\"status\":\"green\\u0001\"}", 24, "unknown status 'green '");
	/* A NUL inside the body is not a document. */
	parse_bad("{\"status\":\"pass\"}\0x", 19, "not JSON (line 1, column 18)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ietf_pass),
		cmocka_unit_test(test_ietf_fail_names_component_and_output),
		cmocka_unit_test(test_spring_down_with_details_error),
		cmocka_unit_test(test_spring_nested_and_out_of_service),
		cmocka_unit_test(test_spring_nested_worse_child_and_unknown),
		cmocka_unit_test(test_plain_strings_and_objects),
		cmocka_unit_test(test_plain_components_string_status),
		cmocka_unit_test(test_microprofile_array),
		cmocka_unit_test(test_status_only),
		cmocka_unit_test(test_long_reason_is_cut),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
