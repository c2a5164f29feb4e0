/* SPDX-License-Identifier: MIT */
/* Unit tests of core/config.c: values, defaults and the libinih quirks. */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "unit.h"

#include "config.h"

static struct hc_config *load(const char *text, struct hc_errors *errs)
{
	char *path = unit_write_file("t.ini", text);
	struct hc_config *cfg = hc_config_new();

	hc_config_load(cfg, path, errs);
	free(path);
	return cfg;
}

static void durations_take_ms_s_m(void **state)
{
	uint32_t ms;

	(void)state;
	assert_int_equal(hc_parse_duration("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(hc_parse_duration("10s", &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(hc_parse_duration("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(hc_parse_duration("0s", &ms), 0);
	assert_int_equal(ms, 0);
}

static void durations_refuse_the_rest(void **state)
{
	uint32_t ms;

	(void)state;
	assert_int_equal(hc_parse_duration("10", &ms), -1);
	assert_int_equal(hc_parse_duration("1h", &ms), -1);
	assert_int_equal(hc_parse_duration("-1s", &ms), -1);
	assert_int_equal(hc_parse_duration(" 1s", &ms), -1);
	assert_int_equal(hc_parse_duration("1.5s", &ms), -1);
	assert_int_equal(hc_parse_duration("", &ms), -1);
	assert_int_equal(hc_parse_duration("99999999m", &ms), -1);
}

static void check_names_follow_the_rule(void **state)
{
	(void)state;
	assert_true(hc_check_name_valid("orders-db.primary_1"));
	assert_true(hc_check_name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabc"));
	assert_false(hc_check_name_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcd"));
	assert_false(hc_check_name_valid(""));
	assert_false(hc_check_name_valid("a b"));
	assert_false(hc_check_name_valid("a/b"));
}

static void empty_config_has_the_defaults(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("", &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->n_checks, 0);
	assert_int_equal(cfg->server.details, HC_DETAILS_AUTHORIZED);
	assert_int_equal(cfg->server.shutdown_delay_ms, 5000);
	assert_int_equal(cfg->server.connection_memory_limit, 4096);
	assert_null(cfg->server.plugin_dir);
	hc_config_unref(cfg);
}

static void check_defaults_follow_design(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\nplugin = x\n", &errs);
	struct hc_check_conf *c;

	(void)state;
	assert_int_equal(errs.n, 0);
	c = hc_config_find(cfg, "a");
	assert_non_null(c);
	assert_int_equal(c->interval_ms, 10000);
	assert_int_equal(c->timeout_ms, 2000);
	assert_int_equal(c->groups, HC_GROUP_READINESS);
	assert_int_equal(c->severity, HC_SEVERITY_CRITICAL);
	assert_int_equal(c->rise, 1);
	assert_int_equal(c->fall, 1);
	assert_true(c->enabled);
	assert_int_equal(c->n_settings, 0);
	hc_config_unref(cfg);
}

static void unset_interval_grows_to_timeout(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\nplugin = x\ntimeout = 30s\n"
	                             "[check:b]\nplugin = x\ninterval = 1s\n",
	                             &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(hc_config_find(cfg, "a")->interval_ms, 30000);
	assert_int_equal(hc_config_find(cfg, "b")->timeout_ms, 1000);
	hc_config_unref(cfg);
}

static void isolate_defaults_to_servers_wherever_it_is(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\nplugin = x\n"
	                             "[check:b]\nplugin = x\nisolate = none\n"
	                             "[server]\nisolate = process\n",
	                             &errs);
	struct hc_config *plain = load("[check:a]\nplugin = x\n", &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(hc_config_find(cfg, "a")->isolate, HC_ISOLATE_PROCESS);
	assert_int_equal(hc_config_find(cfg, "b")->isolate, HC_ISOLATE_NONE);
	assert_int_equal(hc_config_find(plain, "a")->isolate, HC_ISOLATE_NONE);
	hc_config_unref(cfg);
	hc_config_unref(plain);
}

static void plugin_keys_keep_order_and_line(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\nplugin = x\nhost = h\n\nport = 5\n", &errs);
	struct hc_check_conf *c = cfg->checks[0];

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(c->n_settings, 2);
	assert_string_equal(c->settings[0].key, "host");
	assert_string_equal(c->settings[1].value, "5");
	assert_int_equal(c->settings[1].at.line, 5);
	assert_int_equal(c->plugin_at.line, 2);
	hc_config_unref(cfg);
}

static void groups_take_commas_and_spaces(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg =
	        load("[check:a]\nplugin = x\ngroups = liveness,startup  readiness\n", &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->checks[0]->groups,
	                 HC_GROUP_LIVENESS | HC_GROUP_STARTUP | HC_GROUP_READINESS);
	hc_config_unref(cfg);
}

static void space_semicolon_starts_a_comment(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\nplugin = x\nowner = team-a ; the owners\n"
	                             "runbook = http://x/a;b\n",
	                             &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg->checks[0]->owner, "team-a");
	assert_string_equal(cfg->checks[0]->runbook, "http://x/a;b");
	hc_config_unref(cfg);
}

static void environment_expands(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg;

	(void)state;
	setenv("HC_UNIT_COMMIT", "abc123", 1);
	cfg = load("[service]\nrelease_id = v-${HC_UNIT_COMMIT}-x\ndescription = cost $${HOME} $5\n",
	           &errs);
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg->service.release_id, "v-abc123-x");
	assert_string_equal(cfg->service.description, "cost ${HOME} $5");
	hc_config_unref(cfg);
}

static void listen_repeats_and_takes_v6(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg =
	        load("[server]\nlisten = 127.0.0.1:1\nlisten = [::]:8080\nlisten = *:9\n", &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->server.n_listen, 3);
	assert_string_equal(cfg->server.listen[1].text, "[::]:8080");
	hc_config_unref(cfg);
}

/* The config holds the resolved address; the HTTP layer only binds it. */
static void listen_is_resolved_at_parse_time(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg =
	        load("[server]\nlisten = 127.0.0.1:8081\nlisten = [::1]:9\nlisten = *:10\n", &errs);
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)&cfg->server.listen[0].addr;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&cfg->server.listen[1].addr;
	const struct sockaddr_in *any = (const struct sockaddr_in *)&cfg->server.listen[2].addr;

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohs(v4->sin_port), 8081);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_int_equal(cfg->server.listen[0].addr_len, sizeof(struct sockaddr_in));
	assert_int_equal(v6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(v6->sin6_port), 9);
	assert_true(IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
	assert_int_equal(any->sin_family, AF_INET);
	assert_int_equal(any->sin_addr.s_addr, htonl(INADDR_ANY));
	hc_config_unref(cfg);
}

/* https:// marks a TLS listener; http:// is the plain default spelled out. */
static void listen_takes_a_scheme(void **state)
{
	struct hc_listen l;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&l.addr;

	(void)state;
	assert_int_equal(hc_listen_parse("https://[::1]:8443", &l), 0);
	assert_true(l.tls);
	assert_string_equal(l.text, "https://[::1]:8443");
	assert_int_equal(ntohs(v6->sin6_port), 8443);
	free(l.text);
	assert_int_equal(hc_listen_parse("http://127.0.0.1:8080", &l), 0);
	assert_false(l.tls);
	free(l.text);
	assert_int_equal(hc_listen_parse("127.0.0.1:8080", &l), 0);
	assert_false(l.tls);
	free(l.text);
}

static void listen_refuses_what_it_cannot_bind(void **state)
{
	static const char *const bad[] = { "localhost:80",
		                           "127.0.0.1",
		                           "127.0.0.1:0",
		                           "127.0.0.1:65536",
		                           "[::1:80",
		                           "::1:80",
		                           ":80",
		                           "1.2.3.4:8x",
		                           "https://",
		                           "https://:80",
		                           "tls://127.0.0.1:80",
		                           "https://https://127.0.0.1:80" };
	struct hc_listen l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hc_listen_parse(bad[i], &l) == 0)
			fail_msg("'%s' parsed", bad[i]);
}

static void indentation_after_a_section_is_harmless(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[check:a]\n  plugin = x\n  ; a comment\n", &errs);

	(void)state;
	assert_int_equal(errs.n, 0);
	assert_string_equal(cfg->checks[0]->plugin, "x");
	hc_config_unref(cfg);
}

static void a_198_byte_line_is_read_whole(void **state)
{
	struct hc_errors errs = { 0 };
	char text[512];
	struct hc_config *cfg;

	(void)state;
	/* "owner = " is 8 bytes: 190 more make the longest line inih keeps. */
	snprintf(text, sizeof(text), "[check:a]\nplugin = x\nowner = %0190d\n", 0);
	cfg = load(text, &errs);
	assert_int_equal(errs.n, 0);
	assert_int_equal(strlen(cfg->checks[0]->owner), 190);
	hc_config_unref(cfg);
	snprintf(text, sizeof(text), "[check:a]\nplugin = x\nowner = %0191d\n", 0);
	cfg = load(text, &errs);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], ":3: line is 199 bytes long"));
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
}

static void set_reports_where(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = hc_config_new();
	struct hc_check_conf *c = hc_config_add_check(cfg, "a", (struct hc_where){ "x", 1 }, &errs);

	(void)state;
	assert_int_equal(hc_check_set(c, "rise", "7", (struct hc_where){ "--set", 0 }, &errs), 0);
	assert_int_equal(c->rise, 7);
	assert_int_equal(hc_check_set(c, "fall", "x", (struct hc_where){ "--set", 0 }, &errs), -1);
	assert_string_equal(errs.msgs[0], "--set: fall: 'x' is not a count from 1 to 100");
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
}

/* A socket address of family af for the text address a, port 80. */
static struct sockaddr_storage client(int af, const char *a)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)af;
	if (af == AF_INET)
		assert_int_equal(inet_pton(af, a, &((struct sockaddr_in *)&ss)->sin_addr), 1);
	else
		assert_int_equal(inet_pton(af, a, &((struct sockaddr_in6 *)&ss)->sin6_addr), 1);
	return ss;
}

static bool in(const char *cidr, int af, const char *a)
{
	struct hc_cidr c;
	struct sockaddr_storage ss = client(af, a);

	assert_int_equal(hc_cidr_parse(cidr, &c), 0);
	return hc_cidr_match(&c, 1, (struct sockaddr *)&ss);
}

static void cidrs_match_v4_and_v6(void **state)
{
	(void)state;
	assert_true(in("127.0.0.0/8", AF_INET, "127.3.2.1"));
	assert_false(in("127.0.0.0/8", AF_INET, "128.0.0.1"));
	assert_true(in("10.1.2.3/8", AF_INET, "10.200.0.1")); /* host bits dropped */
	assert_true(in("192.0.2.7", AF_INET, "192.0.2.7"));
	assert_false(in("192.0.2.7", AF_INET, "192.0.2.6"));
	assert_true(in("192.0.2.0/25", AF_INET, "192.0.2.127"));
	assert_false(in("192.0.2.0/25", AF_INET, "192.0.2.128"));
	assert_true(in("0.0.0.0/0", AF_INET, "203.0.113.9"));
	assert_true(in("::1", AF_INET6, "::1"));
	assert_false(in("::1", AF_INET6, "::2"));
	assert_true(in("fd00::/8", AF_INET6, "fdab::1"));
	assert_false(in("fd00::/9", AF_INET6, "fd80::1"));
	/* An IPv4 client on a dual-stack socket. */
	assert_true(in("127.0.0.0/8", AF_INET6, "::ffff:127.0.0.1"));
	assert_false(in("::1", AF_INET, "127.0.0.1"));
}

static void cidrs_refuse_the_rest(void **state)
{
	static const char *const bad[] = { "",
		                           "/8",
		                           "10.0.0.0/33",
		                           "::/129",
		                           "10.0.0.0/",
		                           "10.0.0/8",
		                           "10.0.0.0/8x",
		                           "host",
		                           "10.0.0.0/-1",
		                           "1.2.3.4 ",
		                           "fe80::1%eth0" };
	struct hc_cidr c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hc_cidr_parse(bad[i], &c), -1);
}

static void trusted_replaces_the_default(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("", &errs);
	struct sockaddr_storage lo = client(AF_INET, "127.0.0.2");
	struct sockaddr_storage node = client(AF_INET, "10.0.0.5");

	(void)state;
	assert_int_equal(cfg->server.n_trusted, 2);
	assert_int_equal(cfg->server.request_timeout_ms, 5000);
	assert_int_equal(cfg->server.reserved_connections, 16);
	assert_true(hc_cidr_match(cfg->server.trusted, 2, (struct sockaddr *)&lo));
	hc_config_unref(cfg);
	cfg = load("[server]\ntrusted = 10.0.0.5, ::1 fd00::/8\nrequest_timeout = 2s\n"
	           "reserved_connections = 4\n",
	           &errs);
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->server.n_trusted, 3);
	assert_true(hc_cidr_match(cfg->server.trusted, 3, (struct sockaddr *)&node));
	assert_false(hc_cidr_match(cfg->server.trusted, 3, (struct sockaddr *)&lo));
	assert_int_equal(cfg->server.request_timeout_ms, 2000);
	assert_int_equal(cfg->server.reserved_connections, 4);
	hc_config_unref(cfg);
	cfg = load("[server]\ntrusted =\n", &errs);
	assert_int_equal(errs.n, 0);
	assert_int_equal(cfg->server.n_trusted, 0);
	hc_config_unref(cfg);
}

static void trusted_errors_name_file_and_line(void **state)
{
	struct hc_errors errs = { 0 };
	struct hc_config *cfg = load("[server]\n\ntrusted = 10.0.0.0/8, 10.0.0.0/40\n"
	                             "request_timeout = 500ms\n",
	                             &errs);

	(void)state;
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msgs[0], "t.ini:3: trusted: '10.0.0.0/40' is not an address"));
	assert_non_null(strstr(errs.msgs[1], "t.ini:4: request_timeout: must be at least 1s"));
	hc_errors_clear(&errs);
	hc_config_unref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations_take_ms_s_m),
		cmocka_unit_test(durations_refuse_the_rest),
		cmocka_unit_test(check_names_follow_the_rule),
		cmocka_unit_test(empty_config_has_the_defaults),
		cmocka_unit_test(check_defaults_follow_design),
		cmocka_unit_test(unset_interval_grows_to_timeout),
		cmocka_unit_test(plugin_keys_keep_order_and_line),
		cmocka_unit_test(groups_take_commas_and_spaces),
		cmocka_unit_test(space_semicolon_starts_a_comment),
		cmocka_unit_test(environment_expands),
		cmocka_unit_test(listen_repeats_and_takes_v6),
		cmocka_unit_test(listen_is_resolved_at_parse_time),
		cmocka_unit_test(listen_takes_a_scheme),
		cmocka_unit_test(listen_refuses_what_it_cannot_bind),
		cmocka_unit_test(indentation_after_a_section_is_harmless),
		cmocka_unit_test(a_198_byte_line_is_read_whole),
		cmocka_unit_test(set_reports_where),
		cmocka_unit_test(cidrs_match_v4_and_v6),
		cmocka_unit_test(cidrs_refuse_the_rest),
		cmocka_unit_test(trusted_replaces_the_default),
		cmocka_unit_test(isolate_defaults_to_servers_wherever_it_is),
		cmocka_unit_test(trusted_errors_name_file_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
