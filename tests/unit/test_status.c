/* SPDX-License-Identifier: MIT */
/* Unit tests of the status page: core/status.c, its HTML escaper (core/sbuf.c) and hashes (core/sha256.c). */
#include "autoconfig.h"

#include "unit.h"

#include "render.h"
#include "sbuf.h"
#include "sha256.h"
#include "status.h"

static char *hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	return out;
}

static void sha256_matches_the_standards_vectors(void **state)
{
	unsigned char d[HC_SHA256_LEN];
	char out[2 * HC_SHA256_LEN + 1];
	char *million = malloc(1000000);

	(void)state;
	hc_sha256("", 0, d);
	assert_string_equal(hex(d, sizeof(d), out),
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hc_sha256("abc", 3, d);
	assert_string_equal(hex(d, sizeof(d), out),
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length no longer fits the first padding block. */
	hc_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	assert_string_equal(hex(d, sizeof(d), out),
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	hc_sha256(million, 1000000, d);
	assert_string_equal(hex(d, sizeof(d), out),
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void base64_matches_rfc4648(void **state)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const want[] = { "",         "Zg==",     "Zm8=",    "Zm9v",
		                            "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char out[16];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		hc_base64((const unsigned char *)in[i], strlen(in[i]), out);
		assert_string_equal(out, want[i]);
	}
}

static char *html(const char *s)
{
	struct sbuf b = { 0 };

	sb_puts(&b, "");
	sb_html(&b, s);
	return b.p;
}

static void html_escapes_what_could_open_markup(void **state)
{
	char *s;

	(void)state;
	s = html("<script>alert(\"x\")</script> & 'y'");
	assert_string_equal(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
	free(s);
	/* Control characters become spaces, invalid UTF-8 '?', valid
	 * UTF-8 stays as it is. */
	s = html("a\tb\x01\x7f|\xff\xc3(|\xc3\xa9\xe2\x9c\x93");
	assert_string_equal(s, "a b  |?"
	                       "?(|\xc3\xa9\xe2\x9c\x93");
	free(s);
	s = html("");
	assert_string_equal(s, "");
	free(s);
}

static struct hc_check_conf conf_db = {
	.name = (char *)"db",
	.groups = HC_GROUP_READINESS | HC_GROUP_LIVENESS,
	.interval_ms = 3000,
	.owner = (char *)"<img src=x onerror=alert(1)>",
	.description = (char *)"the \"orders\" db",
	.runbook = (char *)"https://wiki.example/db?a=1&b=\"2\"",
};
static struct hc_check_conf conf_js = {
	.name = (char *)"js",
	.groups = HC_GROUP_READINESS,
	.interval_ms = 10000,
	.severity = HC_SEVERITY_WARN,
	.runbook = (char *)"javascript:alert(1)",
};
static struct hc_check_conf conf_new = { .name = (char *)"new",
	                                 .groups = HC_GROUP_STARTUP,
	                                 .interval_ms = 60000 };

#define T0 1800000000000000000LL /* 2027-01-15T08:00:00Z */

/* Three rows: db failing (after passing), js passing, new pending. */
static struct hc_snapshot *snap(void)
{
	static struct hc_outcome outs[2];
	static struct hc_history_entry hist[3];
	struct hc_snapshot *s = calloc(1, sizeof(*s));

	outs[0] = (struct hc_outcome){ .status = HC_FAIL, .time_ns = T0 + 2000000000LL };
	snprintf(outs[0].message, sizeof(outs[0].message), "refused <by> 10.0.0.5:5432");
	snprintf(outs[0].measurement, sizeof(outs[0].measurement), "responseTime");
	outs[1] = (struct hc_outcome){ .status = HC_PASS, .value = 42.5, .time_ns = T0 };
	snprintf(outs[1].measurement, sizeof(outs[1].measurement), "utilization");
	snprintf(outs[1].unit, sizeof(outs[1].unit), "%%");
	hist[0] = (struct hc_history_entry){ HC_PASS, T0 - 3000000000LL, 1.5 };
	hist[1] = (struct hc_history_entry){ HC_FAIL, T0 + 2000000000LL, 2.25 };
	hist[2] = (struct hc_history_entry){ HC_PASS, T0, 0.5 };
	s->cfg = hc_config_new();
	s->cfg->service.id = strdup("orders-api");
	s->cfg->service.version = strdup("2.4.1");
	s->n = 3;
	s->rows = calloc(3, sizeof(*s->rows));
	s->rows[0] = (struct hc_row){ .conf = &conf_db,
		                      .out = &outs[0],
		                      .status = HC_FAIL,
		                      .changed_ns = T0 - 125000000000LL,
		                      .history = hist,
		                      .n_history = 2 };
	s->rows[1] = (struct hc_row){ .conf = &conf_js,
		                      .out = &outs[1],
		                      .status = HC_PASS,
		                      .changed_ns = T0,
		                      .history = hist + 2,
		                      .n_history = 1 };
	s->rows[2] = (struct hc_row){ .conf = &conf_new, .status = HC_PENDING };
	s->count[HC_PASS] = s->count[HC_FAIL] = s->count[3] = 1;
	return s;
}

static void snap_free(struct hc_snapshot *s)
{
	hc_config_unref(s->cfg);
	free(s->rows);
	free(s);
}

static void detailed_page_shows_every_field_escaped(void **state)
{
	struct hc_snapshot *s = snap();
	char *page = hc_render_status(s, true);

	(void)state;
	assert_non_null(strstr(page, "<title>fail: orders-api status</title>"));
	assert_non_null(strstr(page, "<p id=\"service\">version 2.4.1</p>"));
	assert_non_null(
	        strstr(page, "<caption>3 checks: 1 pass, 0 warn, 1 fail, 1 pending</caption>"));
	assert_non_null(strstr(page, "<th scope=\"col\">Runbook</th>"));
	/* Every configured or reported text is escaped. */
	assert_non_null(
	        strstr(page, "<td data-label=\"Owner\">&lt;img src=x onerror=alert(1)&gt;</td>"));
	assert_null(strstr(page, "<img"));
	assert_non_null(strstr(page, "<span class=\"desc\">the &quot;orders&quot; db</span>"));
	assert_non_null(
	        strstr(page, "<td data-label=\"Message\">refused &lt;by&gt; 10.0.0.5:5432</td>"));
	/* Only an http(s) runbook becomes a link, its URL escaped. */
	assert_non_null(strstr(page, "href=\"https://wiki.example/db?a=1&amp;b=&quot;2&quot;\""));
	assert_non_null(strstr(page, "<td data-label=\"Runbook\">javascript:alert(1)</td>"));
	assert_null(strstr(page, "href=\"javascript"));
	/* Status as text and colour, latency of the last run, the plugin's
	 * own observation, groups, severity. */
	assert_non_null(strstr(
	        page, "<td data-label=\"Status\" class=\"status s-fail\">&#10007; fail</td>"));
	assert_non_null(strstr(page, "<td data-label=\"Latency\">2.2 ms</td>"));
	assert_non_null(strstr(page, "<td data-label=\"Observed\">utilization: 42.5 %</td>"));
	assert_non_null(strstr(page, "<td data-label=\"Groups\">liveness, readiness</td>"));
	assert_non_null(strstr(page, "<td data-label=\"Severity\">warn</td>"));
	/* The last change, and how long before the newest result (T0 + 2 s). */
	assert_non_null(strstr(page,
	                       "<time datetime=\"2027-01-15T07:57:55.000Z\">2027-01-15 07:57:55 "
	                       "UTC</time> <span class=\"ago\" "
	                       "data-since=\"2027-01-15T07:57:55.000Z\">(2 min 7 s ago)</span>"));
	assert_non_null(strstr(page, "Results as of <time datetime=\"2027-01-15T08:00:02.000Z\">"));
	assert_non_null(strstr(page, "<td data-label=\"Message\">pending</td>"));
	/* Refreshed at the shortest interval, within 2-10 s. */
	assert_non_null(strstr(page, "data-refresh=\"3000\" data-detailed=\"1\" data-token=\"0\""));
	free(page);
	snap_free(s);
}

static void public_page_shows_names_and_statuses_only(void **state)
{
	struct hc_snapshot *s = snap();
	char *page = hc_render_status(s, false);
	char *markup;

	(void)state;
	assert_non_null(strstr(page, "<title>fail: healthcheckd status</title>"));
	assert_non_null(strstr(
	        page, "<th scope=\"row\" data-label=\"Check\"><span class=\"name\">db</span></th>"
	              "<td data-label=\"Status\" class=\"status s-fail\">&#10007; fail</td></tr>"));
	assert_non_null(strstr(page, "class=\"status s-pending\">&#8230; pending</td>"));
	assert_non_null(strstr(page, "Details are shown to nobody: neither token_file nor "
	                             "tls_client_ca_file is configured."));
	/* No token_file: nobody can be authorized, so no form to give one. */
	assert_null(strstr(page, "<form"));
	/* What the page shows: from the title to the script. */
	markup = strstr(page, "</style>");
	*strstr(markup, "<script>") = '\0';
	for (const char *const *p =
	             (const char *const[]){ "orders-api", "2.4.1", "refused", "img", "wiki",
	                                    "javascript", "Owner", "42.5", NULL };
	     *p != NULL; p++)
		if (strstr(markup, *p) != NULL)
			fail_msg("the public page shows '%s'", *p);
	free(page);
	snap_free(s);
}

static void token_form_only_where_a_token_decides(void **state)
{
	struct hc_snapshot *s = snap();
	char *page;

	(void)state;
	s->cfg->server.token_file = strdup("/run/token");
	page = hc_render_status(s, false);
	assert_non_null(strstr(page, "<form id=\"auth\" hidden>"));
	assert_non_null(strstr(page, "data-token=\"1\""));
	assert_non_null(strstr(page, "Details (messages, latencies, owners) need the bearer token."));
	free(page);
	s->cfg->server.details = HC_DETAILS_NEVER;
	page = hc_render_status(s, false);
	assert_null(strstr(page, "<form"));
	assert_non_null(strstr(page, "Details are off (details = never)."));
	free(page);
	snap_free(s);
}

/* A client CA authorizes details too: the public page says how, and never
 * that nobody can see them. */
static void public_page_names_the_client_certificate(void **state)
{
	struct hc_snapshot *s = snap();
	char *page;

	(void)state;
	s->cfg->server.tls_client_ca_file = strdup("/etc/healthcheckd/clients.pem");
	page = hc_render_status(s, false);
	assert_null(strstr(page, "nobody"));
	assert_non_null(
	        strstr(page, "Details (messages, latencies, owners) need a client certificate of the "
	                     "client CA."));
	/* No token_file: a client certificate is not typed into a form. */
	assert_null(strstr(page, "<form"));
	free(page);
	s->cfg->server.token_file = strdup("/run/token");
	page = hc_render_status(s, false);
	assert_non_null(strstr(page, "<form id=\"auth\" hidden>"));
	assert_non_null(strstr(page, "need the bearer token or a client certificate of the "
	                             "client CA."));
	free(page);
	snap_free(s);
}

/* The text between open and the next close in page, hashed as a CSP
 * source ('sha256-...'). */
static void csp_source(const char *page, const char *open, const char *close, char *out)
{
	const char *a = strstr(page, open), *z;
	unsigned char d[HC_SHA256_LEN];

	assert_non_null(a);
	a += strlen(open);
	z = strstr(a, close);
	assert_non_null(z);
	hc_sha256(a, (size_t)(z - a), d);
	strcpy(out, "'sha256-");
	hc_base64(d, sizeof(d), out + 8);
	strcat(out, "'");
}

/* The browser runs the page's script and style only if their hashes are
 * the ones the header names: hash what the page holds, not the files. */
static void csp_names_the_hashes_of_the_inline_script_and_style(void **state)
{
	struct hc_snapshot *s = snap();
	char *page = hc_render_status(s, true);
	const char *csp = hc_status_csp();
	char script[64], style[64], want[128];

	(void)state;
	csp_source(page, "<script>", "</script>", script);
	csp_source(page, "<style>", "</style>", style);
	snprintf(want, sizeof(want), "script-src %s;", script);
	assert_non_null(strstr(csp, want));
	snprintf(want, sizeof(want), "style-src %s;", style);
	assert_non_null(strstr(csp, want));
	assert_non_null(strstr(csp, "default-src 'none';"));
	assert_non_null(strstr(csp, "connect-src 'self';"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	/* One script and one style, and no inline style attribute. */
	assert_null(strstr(strstr(page, "</script>"), "<script"));
	assert_null(strstr(strstr(page, "</style>"), "<style"));
	assert_null(strstr(page, " style="));
	free(page);
	snap_free(s);
}

/* Issue 13: the page is small. */
static void pages_are_under_30_kib(void **state)
{
	struct hc_snapshot *s = snap();
	char *detailed = hc_render_status(s, true), *public = hc_render_status(s, false);

	(void)state;
	assert_true(strlen(detailed) < 30 * 1024);
	assert_true(strlen(public) < 30 * 1024);
	free(detailed);
	free(public);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_matches_the_standards_vectors),
		cmocka_unit_test(base64_matches_rfc4648),
		cmocka_unit_test(html_escapes_what_could_open_markup),
		cmocka_unit_test(detailed_page_shows_every_field_escaped),
		cmocka_unit_test(public_page_shows_names_and_statuses_only),
		cmocka_unit_test(token_form_only_where_a_token_decides),
		cmocka_unit_test(public_page_names_the_client_certificate),
		cmocka_unit_test(csp_names_the_hashes_of_the_inline_script_and_style),
		cmocka_unit_test(pages_are_under_30_kib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
