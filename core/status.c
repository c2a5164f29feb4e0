/* SPDX-License-Identifier: MIT */
/* The /status page: an HTML page for people, rendered once per snapshot and detail level. */
#include "autoconfig.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "render.h"
#include "sbuf.h"
#include "sha256.h"
#include "status.h"

/* hc_status_css and hc_status_js: core/status.css and core/status.js as
 * C arrays, written by core/embed.sh at build time. */
#include "core/status_assets.inc"

/* How often the script refreshes (and a page without script reloads): the
 * shortest check interval, within these bounds. */
#define REFRESH_MIN_MS 2000
#define REFRESH_MAX_MS 10000

/* A status as text that does not need its colour: a sign and the word. */
static const char *status_text(int status)
{
	switch (status) {
	case HC_PASS:
		return "&#10003; pass";
	case HC_WARN:
		return "! warn";
	case HC_PENDING:
		return "&#8230; pending";
	default:
		return "&#10007; fail";
	}
}

static void put_status(struct sbuf *b, const char *tag, const char *extra, int status)
{
	sb_printf(b, "<%s%s class=\"status s-%s\">%s</%s>", tag, extra, hc_status_name(status),
	          status_text(status), tag);
}

/* A time as people read it, in a <time> machines read; iso is
 * hc_format_time's (2026-11-27T10:40:01.123Z → 2026-11-27 10:40:01 UTC). */
static void put_time(struct sbuf *b, const char *iso)
{
	sb_printf(b, "<time datetime=\"%s\">%.10s %.8s UTC</time>", iso, iso, iso + 11);
}

/* A duration the way the script writes it too: two units at most. */
static void put_duration(struct sbuf *b, int64_t ms)
{
	long long s = ms > 0 ? ms / 1000 : 0;

	if (s < 60)
		sb_printf(b, "%lld s", s);
	else if (s < 3600)
		sb_printf(b, "%lld min %lld s", s / 60, s % 60);
	else if (s < 86400)
		sb_printf(b, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		sb_printf(b, "%lld d %lld h", s / 86400, s % 86400 / 3600);
}

/* A table cell: text escaped, or a dash when there is none. */
static void put_cell(struct sbuf *b, const char *label, const char *text)
{
	sb_printf(b, "<td data-label=\"%s\">", label);
	if (text != NULL && text[0] != '\0')
		sb_html(b, text);
	else
		sb_puts(b, "<span class=\"none\">&#8212;</span>");
	sb_puts(b, "</td>");
}

/* Only http and https runbooks become links: a javascript: or data: URL
 * in the configuration must not run in the reader's browser. */
static bool linkable(const char *url)
{
	return strncasecmp(url, "https://", 8) == 0 || strncasecmp(url, "http://", 7) == 0;
}

static void put_runbook(struct sbuf *b, const char *url)
{
	if (url == NULL || !linkable(url)) {
		put_cell(b, "Runbook", url);
		return;
	}
	sb_puts(b, "<td data-label=\"Runbook\"><a rel=\"noopener noreferrer\" href=\"");
	sb_html(b, url);
	sb_puts(b, "\">");
	sb_html(b, url);
	sb_puts(b, "</a></td>");
}

static void put_groups(struct sbuf *b, unsigned groups)
{
	const char *sep = "";

	sb_puts(b, "<td data-label=\"Groups\">");
	for (int g = 0; g < HC_N_GROUPS; g++) {
		if (groups & hc_group_bit((enum hc_group)g)) {
			sb_printf(b, "%s%s", sep, hc_group_name((enum hc_group)g));
			sep = ", ";
		}
	}
	sb_puts(b, "</td>");
}

/* Latency of the last run, and the plugin's own observation (a check
 * that observes nothing has only its latency, already shown). */
static void put_measures(struct sbuf *b, const struct hc_row *r)
{
	const struct hc_outcome *o = r->out;
	char text[96] = "";

	/* Two decimals under a millisecond, where one would say 0.0. */
	if (r->n_history > 0) {
		double ms = r->history[r->n_history - 1].latency_ms;

		snprintf(text, sizeof(text), "%.*f ms", ms < 1 ? 2 : 1, ms);
	}
	put_cell(b, "Latency", text);
	text[0] = '\0';
	if (o != NULL && isfinite(o->value) && strcmp(o->measurement, "responseTime") != 0)
		snprintf(text, sizeof(text), "%s: %.6g %s", o->measurement, o->value, o->unit);
	put_cell(b, "Observed", text);
}

/* When the status last changed, and how long before the page's results
 * (the script counts on from there). */
static void put_change(struct sbuf *b, const struct hc_row *r, int64_t as_of_ns)
{
	char iso[64];

	if (r->changed_ns == 0) {
		put_cell(b, "Last change", NULL);
		return;
	}
	hc_format_time(r->changed_ns, iso, sizeof(iso));
	sb_puts(b, "<td data-label=\"Last change\">");
	put_time(b, iso);
	sb_printf(b, " <span class=\"ago\" data-since=\"%s\">(", iso);
	put_duration(b, (as_of_ns - r->changed_ns) / 1000000);
	sb_puts(b, " ago)</span></td>");
}

static void detailed_row(struct sbuf *b, const struct hc_row *r, int64_t as_of_ns)
{
	const struct hc_check_conf *c = r->conf;
	/* The message, as /health's output: for what is not a pass. */
	const char *message = r->status == HC_PENDING ? "pending"
	                      : r->status != HC_PASS  ? r->out->message
	                                              : NULL;

	sb_puts(b, "<tr><th scope=\"row\" data-label=\"Check\"><span class=\"name\">");
	sb_html(b, c->name);
	sb_puts(b, "</span>");
	if (c->description != NULL) {
		sb_puts(b, "<span class=\"desc\">");
		sb_html(b, c->description);
		sb_puts(b, "</span>");
	}
	sb_puts(b, "</th>");
	put_status(b, "td", " data-label=\"Status\"", r->status);
	put_measures(b, r);
	put_change(b, r, as_of_ns);
	put_cell(b, "Message", message);
	put_cell(b, "Owner", c->owner);
	put_groups(b, c->groups);
	put_cell(b, "Severity", hc_severity_name(c->severity));
	put_runbook(b, c->runbook);
	sb_puts(b, "</tr>\n");
}

static void public_row(struct sbuf *b, const struct hc_row *r)
{
	sb_puts(b, "<tr><th scope=\"row\" data-label=\"Check\"><span class=\"name\">");
	sb_html(b, r->conf->name);
	sb_puts(b, "</span></th>");
	put_status(b, "td", " data-label=\"Status\"", r->status);
	sb_puts(b, "</tr>\n");
}

/* When the newest result of s came in: the time the page is as of. */
static int64_t as_of(const struct hc_snapshot *s)
{
	int64_t newest = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct hc_row *r = &s->rows[i];

		if (r->n_history > 0 && r->history[r->n_history - 1].time_ns > newest)
			newest = r->history[r->n_history - 1].time_ns;
	}
	return newest;
}

static void table(struct sbuf *b, const struct hc_snapshot *s, bool detailed, int64_t now)
{
	static const char *const cols[] = { "Check",       "Status",  "Latency", "Observed",
		                            "Last change", "Message", "Owner",   "Groups",
		                            "Severity",    "Runbook" };
	size_t n_cols = detailed ? sizeof(cols) / sizeof(cols[0]) : 2;

	sb_printf(b,
	          "<table id=\"checks\"><caption>%zu checks: %u pass, %u warn, %u fail, "
	          "%u pending</caption>\n<thead><tr>",
	          s->n, s->count[HC_PASS], s->count[HC_WARN], s->count[HC_FAIL], s->count[3]);
	for (size_t i = 0; i < n_cols; i++)
		sb_printf(b, "<th scope=\"col\">%s</th>", cols[i]);
	sb_puts(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < s->n; i++) {
		if (detailed)
			detailed_row(b, &s->rows[i], now);
		else
			public_row(b, &s->rows[i]);
	}
	sb_puts(b, "</tbody></table>\n");
}

/* What it takes to see the details, on the public page: the bearer token,
 * a client certificate of tls_client_ca_file's CA (core/tls.c), either. */
static void details_note(struct sbuf *b, const struct hc_server_conf *srv)
{
	const char *means = hc_server_auth_means(srv);

	if (srv->details == HC_DETAILS_NEVER)
		sb_puts(b, "Details are off (details = never).");
	else if (means == NULL)
		sb_puts(b, "Details are shown to nobody: neither token_file nor tls_client_ca_file "
		           "is configured.");
	else
		sb_printf(b, "Details (messages, latencies, owners) need %s.", means);
}

/* The service's fields, or what it takes to see them. */
static void service_line(struct sbuf *b, const struct hc_snapshot *s, bool detailed)
{
	const struct hc_service_conf *svc = &s->cfg->service;
	const char *fields[] = { "version ",      svc->version, "release ",
		                 svc->release_id, "",           svc->description };
	const char *sep = "";

	sb_puts(b, "<p id=\"service\">");
	if (!detailed) {
		details_note(b, &s->cfg->server);
		sb_puts(b, "</p>\n");
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i += 2) {
		if (fields[i + 1] == NULL)
			continue;
		sb_printf(b, "%s%s", sep, fields[i]);
		sb_html(b, fields[i + 1]);
		sep = " &#183; ";
	}
	sb_puts(b, "</p>\n");
}

/* Where the token can be given: only where it decides something. The
 * form stays hidden until the script shows it, so that without a script
 * nobody types a token into a form that cannot keep it out of a URL. */
static void token_form(struct sbuf *b)
{
	sb_puts(b, "<form id=\"auth\" hidden><label for=\"token\">Bearer token</label> "
	           "<input id=\"token\" type=\"password\" autocomplete=\"off\" "
	           "spellcheck=\"false\"> <button type=\"submit\">Show details</button> "
	           "<button type=\"button\" id=\"forget\">Forget the token</button> "
	           "<span id=\"auth-msg\" role=\"status\"></span></form>\n");
}

static int refresh_ms(const struct hc_snapshot *s)
{
	uint32_t ms = REFRESH_MAX_MS;

	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].conf->interval_ms < ms)
			ms = s->rows[i].conf->interval_ms;
	return ms < REFRESH_MIN_MS ? REFRESH_MIN_MS : (int)ms;
}

static void page_head(struct sbuf *b, const char *name, int worst, int refresh)
{
	sb_printf(b,
	          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	          "<meta name=\"color-scheme\" content=\"light dark\">\n"
	          "<meta name=\"referrer\" content=\"no-referrer\">\n"
	          "<link rel=\"icon\" href=\"data:,\">\n<title>%s: ",
	          hc_status_name(worst));
	sb_html(b, name);
	sb_printf(b,
	          " status</title>\n<noscript><meta http-equiv=\"refresh\" "
	          "content=\"%d\"></noscript>\n<style>%s</style>\n</head>\n",
	          refresh / 1000, hc_status_css);
}

char *hc_render_status(const struct hc_snapshot *s, bool detailed)
{
	const struct hc_server_conf *srv = &s->cfg->server;
	bool token = srv->details == HC_DETAILS_AUTHORIZED && srv->token_file != NULL;
	int worst = hc_worst_status(s->rows, s->n);
	int refresh = refresh_ms(s);
	int64_t now = as_of(s);
	/* The service's id is a detail. */
	const char *name =
	        detailed && s->cfg->service.id != NULL ? s->cfg->service.id : "healthcheckd";
	struct sbuf b = { 0 };

	page_head(&b, name, worst, refresh);
	sb_printf(&b, "<body data-refresh=\"%d\" data-detailed=\"%d\" data-token=\"%d\">\n",
	          refresh, detailed, token);
	sb_puts(&b, "<header>\n<h1><span id=\"service-id\">");
	sb_html(&b, name);
	sb_puts(&b, "</span> ");
	put_status(&b, "span", " id=\"overall\"", worst);
	sb_puts(&b, "</h1>\n");
	service_line(&b, s, detailed);
	sb_puts(&b, "</header>\n<main>\n");
	if (token)
		token_form(&b);
	table(&b, s, detailed, now);
	sb_puts(&b, "</main>\n<footer><p id=\"updated\">");
	if (now > 0) {
		char iso[64];

		hc_format_time(now, iso, sizeof(iso));
		sb_puts(&b, "Results as of ");
		put_time(&b, iso);
		sb_puts(&b, ".");
	} else {
		sb_puts(&b, "No results yet.");
	}
	sb_printf(&b, "</p></footer>\n<script>%s</script>\n</body>\n</html>\n", hc_status_js);
	return b.p;
}

static char csp[512];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

/* 'sha256-' and the base64 of the digest of text, into out. */
static void hash_source(const char *text, char *out)
{
	unsigned char d[HC_SHA256_LEN];

	hc_sha256(text, strlen(text), d);
	memcpy(out, "'sha256-", 8);
	hc_base64(d, sizeof(d), out + 8);
	strcat(out, "'");
}

static void make_csp(void)
{
	char script[64], style[64];

	hash_source(hc_status_js, script);
	hash_source(hc_status_css, style);
	/* img-src data: is the empty icon, which keeps the browser from
	 * asking for /favicon.ico. The form never submits (the script sends
	 * the token as a header), hence form-action 'none'. */
	snprintf(csp, sizeof(csp),
	         "default-src 'none'; script-src %s; style-src %s; connect-src 'self'; "
	         "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	         script, style);
}

const char *hc_status_csp(void)
{
	pthread_once(&csp_once, make_csp);
	return csp;
}
