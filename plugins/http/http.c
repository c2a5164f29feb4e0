/* SPDX-License-Identifier: MIT */
/* http plugin: one HTTP(S) request with libcurl, judged by status, body,
 * latency and, optionally, the downstream service's own health document. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, explicit_bzero */
#endif

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include <healthcheckd/plugin.h>

#include "../common/plugutil.h"
#include "healthdoc.h"

#define HTTP_MAX_HEADERS 8 /* header_1 ... header_8 */
#define HTTP_MAX_RANGES 16 /* entries of expect_status */
#define HTTP_MAX_REDIRS 5
#define HTTP_DEFAULT_BODY (64 * 1024)
#define HTTP_MAX_BODY (16 * 1024 * 1024)
/* How messages name the request: "GET https://host:port/path". */
#define HTTP_WHERE_MAX 200

struct http_range {
	unsigned lo, hi;
};

struct http {
	CURL *curl;                 /* the request, set up once */
	CURLM *multi;               /* runs it; its cache keeps the connection */
	struct curl_slist *headers; /* header_N and auth_header lines */
	int head;                   /* method = HEAD */
	struct http_range ranges[HTTP_MAX_RANGES];
	size_t n_ranges;
	char expect[64];  /* expect_status as written, for messages */
	char *contains;   /* body_contains, or NULL */
	char *regex_text; /* body_regex as written, or NULL */
	regex_t regex;    /* compiled when regex_text is set */
	int follow_health;
	uint64_t warn_latency_ms; /* 0 = never warn */
	size_t max_body;
	char *body;                  /* max_body + 1 bytes when a check reads it */
	size_t body_len;             /* bytes received this run, up to max_body */
	int body_cut;                /* more came than max_body: aborted */
	char where[HTTP_WHERE_MAX];  /* "GET http://127.0.0.1:8080/health" */
	char error[CURL_ERROR_SIZE]; /* libcurl's reason for a failed transfer */
};

static const char *const http_header_keys[HTTP_MAX_HEADERS] = {
	"header_1", "header_2", "header_3", "header_4",
	"header_5", "header_6", "header_7", "header_8",
};

static const struct hc_key http_keys[] = {
	{ "url", "http:// or https:// URL to request (required)", 0 },
	{ "method", "GET or HEAD (default GET)", 0 },
	{ "expect_status", "status codes and ranges that pass (default 200-399)", 0 },
	{ "body_contains", "text the body must contain", 0 },
	{ "body_regex", "POSIX extended regular expression the body must match", 0 },
	{ "header_1", "request header 'Name: value' (also header_2..header_8)", 0 },
	{ "header_2", "request header 'Name: value'", 0 },
	{ "header_3", "request header 'Name: value'", 0 },
	{ "header_4", "request header 'Name: value'", 0 },
	{ "header_5", "request header 'Name: value'", 0 },
	{ "header_6", "request header 'Name: value'", 0 },
	{ "header_7", "request header 'Name: value'", 0 },
	{ "header_8", "request header 'Name: value'", 0 },
	{ "auth_header", "secret header 'Name: value', or an Authorization value", HC_KEY_SECRET },
	{ "ca_file", "PEM CA certificates to verify the server with", HC_KEY_PATH },
	{ "client_cert", "PEM client certificate for mutual TLS", HC_KEY_PATH },
	{ "client_key", "PEM key of client_cert", HC_KEY_PATH },
	{ "follow_redirects", "follow 3xx Location: yes or no (default no)", 0 },
	{ "max_body", "bytes of body read at most (default 65536)", 0 },
	{ "warn_latency", "warn when the request takes longer (e.g. 200ms)", 0 },
	{ "follow_health",
	  "judge the body as a health document: yes or no "
	  "(default no)",
	  0 },
	{ NULL, NULL, 0 }
};

/* ---- configuration ------------------------------------------------------ */

/* One "NNN" or "NNN-NNN" of expect_status (len bytes at s). */
static int http_parse_range(const char *s, size_t len, struct http_range *r)
{
	unsigned lo = 0, hi;
	size_t i = 0;

	for (; i < len && s[i] >= '0' && s[i] <= '9' && lo < 1000; i++)
		lo = lo * 10 + (unsigned)(s[i] - '0');
	if (i != 3)
		return -1;
	hi = lo;
	if (i < len && s[i] == '-') {
		hi = 0;
		for (i++; i < len && s[i] >= '0' && s[i] <= '9' && hi < 1000; i++)
			hi = hi * 10 + (unsigned)(s[i] - '0');
		if (i != 7)
			return -1;
	}
	if (i != len || lo < 100 || hi > 599 || lo > hi)
		return -1;
	r->lo = lo;
	r->hi = hi;
	return 0;
}

/* expect_status: codes and ranges separated by commas or blanks. */
static int http_parse_expect(const struct hc_init_ctx *ctx, struct http *h)
{
	const char *v = hc_kv_get(ctx, "expect_status");
	const char *p;
	size_t len;

	if (v == NULL)
		v = "200-399";
	snprintf(h->expect, sizeof(h->expect), "%s", v);
	h->n_ranges = 0;
	for (p = v + strspn(v, ", \t"); *p != '\0'; p += len, p += strspn(p, ", \t")) {
		len = strcspn(p, ", \t");
		if (h->n_ranges == HTTP_MAX_RANGES ||
		    http_parse_range(p, len, &h->ranges[h->n_ranges++]) != 0)
			break;
	}
	if (*p == '\0' && h->n_ranges > 0 && strlen(v) < sizeof(h->expect))
		return HC_OK;
	return hc_init_error(ctx,
	                     "expect_status: '%s' is not a list of status "
	                     "codes (100-599) and ranges such as 200-299, at "
	                     "most %d",
	                     v, HTTP_MAX_RANGES);
}

/* Length of the header name that starts line (RFC 9110 token characters
 * followed by ':'), or 0 when line is not "Name: value". */
static size_t http_header_name(const char *line)
{
	size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
	                        "UVWXYZ0123456789!#$%&'*+-.^_`|~");

	return n > 0 && line[n] == ':' ? n : 0;
}

/* Append one header line; CR or LF in it would smuggle another header. */
static int http_add_header(struct http *h, const char *line)
{
	struct curl_slist *l;

	if (strpbrk(line, "\r\n") != NULL)
		return HC_EINVAL;
	l = curl_slist_append(h->headers, line);
	if (l == NULL)
		return HC_ENOMEM;
	h->headers = l;
	return HC_OK;
}

/* auth_header: a whole header line, or the value of Authorization when it
 * does not start with "Name:" ("Bearer abc" has a blank before any colon).
 * Never quoted in a message: it is a secret. */
static int http_add_auth(const struct hc_init_ctx *ctx, struct http *h)
{
	const char *v = hc_kv_get(ctx, "auth_header");
	char *line;
	int rc;

	if (v == NULL)
		return HC_OK;
	if (v[0] == '\0' || strpbrk(v, "\r\n") != NULL)
		return hc_init_error(ctx, "auth_header: empty, or more than "
		                          "one line");
	if (http_header_name(v) > 0)
		return http_add_header(h, v);
	if (asprintf(&line, "Authorization: %s", v) < 0)
		return HC_ENOMEM;
	rc = http_add_header(h, line);
	pu_free_secret(line);
	return rc;
}

/* header_1 ... header_8, then auth_header, then a User-Agent unless one
 * was given. The User-Agent is a header line rather than CURLOPT_USERAGENT,
 * which costs libcurl twice the instructions per request (callgrind). */
static int http_parse_headers(const struct hc_init_ctx *ctx, struct http *h)
{
	const char *v;
	size_t i;
	int rc, agent = 0;

	for (i = 0; i < HTTP_MAX_HEADERS; i++) {
		v = hc_kv_get(ctx, http_header_keys[i]);
		if (v == NULL)
			continue;
		if (http_header_name(v) == 0)
			return hc_init_error(ctx,
			                     "%s: '%s' is not a header "
			                     "'Name: value'",
			                     http_header_keys[i], v);
		agent |= strncasecmp(v, "User-Agent:", 11) == 0;
		rc = http_add_header(h, v);
		if (rc != HC_OK)
			return rc;
	}
	rc = http_add_auth(ctx, h);
	if (rc == HC_OK && !agent)
		rc = http_add_header(h, "User-Agent: healthcheckd-http/1.0");
	return rc;
}

/* body_contains, body_regex, follow_health, max_body: what is read of the
 * body and how it is judged. */
static int http_parse_body(const struct hc_init_ctx *ctx, struct http *h)
{
	const char *re = hc_kv_get(ctx, "body_regex");
	uint64_t max = HTTP_DEFAULT_BODY;
	char why[128];
	int rc;

	if (pu_copy_key(ctx, "body_contains", 0, &h->contains) != HC_OK ||
	    pu_parse_bool(ctx, "follow_health", &h->follow_health) != HC_OK ||
	    pu_parse_uint(ctx, "max_body", 1, HTTP_MAX_BODY, &max) != HC_OK)
		return HC_EINVAL;
	h->max_body = (size_t)max;
	if (h->contains != NULL && h->contains[0] == '\0')
		return hc_init_error(ctx, "body_contains: must not be empty");
	if (re != NULL) {
		/* REG_NEWLINE: ^ and $ match at every line, as in grep. */
		rc = regcomp(&h->regex, re, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
		if (rc != 0) {
			regerror(rc, &h->regex, why, sizeof(why));
			return hc_init_error(ctx, "body_regex: '%s': %s", re, why);
		}
		if ((h->regex_text = strdup(re)) == NULL) {
			regfree(&h->regex);
			return HC_ENOMEM;
		}
	}
	if (h->head && (h->contains || h->regex_text || h->follow_health))
		return hc_init_error(ctx, "method: HEAD has no body for "
		                          "body_contains, body_regex or "
		                          "follow_health");
	if (h->contains || h->regex_text || h->follow_health) {
		h->body = malloc(h->max_body + 1);
		if (h->body == NULL)
			return HC_ENOMEM;
	}
	return HC_OK;
}

/* url: an http or https URL with a host. h->where names it without user
 * info, query or fragment, which may hold credentials. */
static int http_parse_url(const struct hc_init_ctx *ctx, struct http *h, const char *method)
{
	const char *v = hc_kv_get(ctx, "url");
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	CURLU *u;
	int rc = HC_EINVAL;

	if (v == NULL)
		return hc_init_error(ctx, "url: required");
	u = curl_url();
	if (u == NULL)
		return HC_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, v, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0) &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		snprintf(h->where, sizeof(h->where), "%s %s://%s%s%s%s", method, scheme, host,
		         port ? ":" : "", port ? port : "", path);
		rc = HC_OK;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	if (rc != HC_OK)
		return hc_init_error(ctx,
		                     "url: '%s' is not an http:// or "
		                     "https:// URL with a host",
		                     v);
	return HC_OK;
}

/* ca_file, client_cert, client_key: readable now, so that a typo is a
 * configuration error rather than a failed check. */
static int http_parse_tls(const struct hc_init_ctx *ctx, struct http *h)
{
	static const struct {
		const char *key;
		CURLoption opt;
	} files[] = { { "ca_file", CURLOPT_CAINFO },
		      { "client_cert", CURLOPT_SSLCERT },
		      { "client_key", CURLOPT_SSLKEY } };
	const char *v;
	size_t i;

	if (hc_kv_get(ctx, "client_key") != NULL && hc_kv_get(ctx, "client_cert") == NULL)
		return hc_init_error(ctx, "client_key: needs client_cert");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		v = hc_kv_get(ctx, files[i].key);
		if (v == NULL)
			continue;
		if (pu_check_readable(ctx, files[i].key, v) != HC_OK)
			return HC_EINVAL;
		if (curl_easy_setopt(h->curl, files[i].opt, v) != CURLE_OK)
			return hc_init_error(ctx, "%s: this libcurl has no TLS", files[i].key);
	}
	return HC_OK;
}

static size_t http_write(char *data, size_t size, size_t n, void *user);

/* The handle's fixed options, set once: every run only sets timeouts. */
static int http_setup(const struct hc_init_ctx *ctx, struct http *h, int follow)
{
	CURL *c = h->curl;
	CURLcode e = CURLE_OK; /* any failure below leaves it non-zero */

	/* libcurl copies every string option: the config may go away. */
	e |= curl_easy_setopt(c, CURLOPT_URL, hc_kv_get(ctx, "url"));
	/* Checks run on worker threads: no SIGALRM for DNS timeouts. */
	e |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	e |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	e |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	e |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, (long)follow);
	e |= curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRS);
	e |= curl_easy_setopt(c, CURLOPT_NOBODY, (long)h->head);
	e |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	e |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_write);
	e |= curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	e |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->error);
	/* The check tests the path to the service, not to a proxy that
	 * http_proxy in the daemon's environment happens to name. */
	e |= curl_easy_setopt(c, CURLOPT_PROXY, "");
	e |= curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	/* CURLOPT_QUICK_EXIT stays off: on a timeout during a DNS lookup
	 * libcurl then waits for its resolver thread (measured: a 3 s
	 * getaddrinfo overruns a 500 ms timeout to 3 s) rather than leave it
	 * running, so no thread of the instance outlives the check. The core
	 * reports the overrun as a timeout at the deadline. */
	return e == CURLE_OK ? HC_OK : HC_EIO;
}

static void http_teardown(void *instance)
{
	struct http *h = instance;
	struct curl_slist *l;

	if (h == NULL)
		return;
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	/* auth_header is among the lines: clear them all before freeing. */
	for (l = h->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(h->headers);
	free(h->contains);
	if (h->regex_text != NULL)
		regfree(&h->regex);
	free(h->regex_text);
	free(h->body);
	free(h);
	curl_global_cleanup();
}

static int http_init(const struct hc_init_ctx *ctx, void **instance)
{
	static const char *const methods[] = { "GET", "HEAD", NULL };
	struct http *h;
	int method = 0, follow = 0, rc;

	/* Reference-counted by libcurl; paired with the cleanup in
	 * teardown. init runs on the main thread only. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return hc_init_error(ctx, "libcurl failed to initialise");
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		curl_global_cleanup();
		return HC_ENOMEM;
	}
	rc = pu_parse_word(ctx, "method", methods, &method);
	h->head = method == 1;
	if (rc == HC_OK)
		rc = http_parse_url(ctx, h, methods[method]);
	if (rc == HC_OK)
		rc = http_parse_expect(ctx, h);
	if (rc == HC_OK)
		rc = http_parse_body(ctx, h);
	if (rc == HC_OK)
		rc = http_parse_headers(ctx, h);
	if (rc == HC_OK &&
	    (pu_parse_bool(ctx, "follow_redirects", &follow) != HC_OK ||
	     pu_parse_duration(ctx, "warn_latency", 1, 3600000, &h->warn_latency_ms) != HC_OK))
		rc = HC_EINVAL;
	if (rc == HC_OK &&
	    ((h->curl = curl_easy_init()) == NULL || (h->multi = curl_multi_init()) == NULL))
		rc = HC_ENOMEM;
	if (rc == HC_OK)
		rc = http_parse_tls(ctx, h);
	if (rc == HC_OK)
		rc = http_setup(ctx, h, follow);
	if (rc != HC_OK) {
		http_teardown(h);
		return rc;
	}
	*instance = h;
	return HC_OK;
}

/* ---- one check ----------------------------------------------------------- */

/* libcurl's body callback: keep up to max_body bytes, then abort the
 * transfer (a health check never downloads a large response). */
static size_t http_write(char *data, size_t size, size_t n, void *user)
{
	struct http *h = user;
	size_t len = size * n, room = h->max_body - h->body_len;
	size_t take = len < room ? len : room;

	if (h->body != NULL)
		memcpy(h->body + h->body_len, data, take);
	h->body_len += take;
	if (take < len) {
		h->body_cut = 1;
		return 0; /* CURLE_WRITE_ERROR: what was read is judged */
	}
	return len;
}

static int http_status_ok(const struct http *h, long code)
{
	size_t i;

	for (i = 0; i < h->n_ranges; i++)
		if (code >= (long)h->ranges[i].lo && code <= (long)h->ranges[i].hi)
			return 1;
	return 0;
}

/* A transfer that brought no answer: libcurl's reason, or the deadline
 * with the step that hung. */
static void http_failed(struct http *h, const struct hc_check_ctx *ctx, CURLcode e,
                        struct hc_result *r)
{
	curl_off_t resolved = 0, connected = 0;
	const char *step = "waiting for the answer";
	char *ip = NULL;

	if (e == CURLE_OPERATION_TIMEDOUT) {
		/* libcurl 7.88 records the connect time once TLS is up too, but
		 * the peer's address (reset for each transfer) once TCP is. */
		curl_easy_getinfo(h->curl, CURLINFO_NAMELOOKUP_TIME_T, &resolved);
		curl_easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connected);
		curl_easy_getinfo(h->curl, CURLINFO_PRIMARY_IP, &ip);
		if (resolved == 0)
			step = "resolving the host name";
		else if (connected == 0)
			step = ip != NULL && ip[0] != '\0' ? "in the TLS handshake" : "connecting";
		hc_result_set(r, HC_FAIL, "timed out after %u ms %s: %s", (unsigned)ctx->timeout_ms,
		              step, h->where);
		return;
	}
	hc_result_set(r, HC_FAIL, "%s: %s", h->where,
	              h->error[0] != '\0' ? h->error : curl_easy_strerror(e));
}

/* ", health fail: redis fail (Connection refused)" after the status, or
 * why the body is no health document. Returns the document's status. */
static int http_health(const struct http *h, char *buf, size_t size)
{
	struct hd_report d;
	char why[96];

	if (h->body_cut) {
		snprintf(buf, size,
		         ", health document larger than max_body "
		         "(%zu bytes)",
		         h->max_body);
		return HC_FAIL;
	}
	if (hd_parse(h->body, h->body_len, &d, why, sizeof(why)) != 0) {
		snprintf(buf, size, ", no health document: %s", why);
		return HC_FAIL;
	}
	if (d.component[0] == '\0' || d.worst == HD_PASS)
		snprintf(buf, size, ", health %s (%zu components)", d.status_text, d.n_components);
	else
		snprintf(buf, size, ", health %s: %s %s%s%s%s", d.status_text, d.component,
		         d.worst_text, d.reason[0] ? " (" : "", d.reason, d.reason[0] ? ")" : "");
	return d.status;
}

/* The body checks, on what was read (all of it, or max_body bytes).
 * Returns HC_PASS, or HC_FAIL with the reason in buf. */
static int http_body(struct http *h, char *buf, size_t size)
{
	const char *part = h->body_cut ? " in its first " : "";

	h->body[h->body_len] = '\0';
	if (h->contains != NULL &&
	    memmem(h->body, h->body_len, h->contains, strlen(h->contains)) == NULL) {
		snprintf(buf, size, ", body lacks '%s'%s", h->contains, part);
	} else if (h->regex_text != NULL && regexec(&h->regex, h->body, 0, NULL, 0) != 0) {
		snprintf(buf, size, ", body does not match '%s'%s", h->regex_text, part);
	} else {
		return HC_PASS;
	}
	if (h->body_cut)
		snprintf(buf + strlen(buf), size - strlen(buf), "%zu bytes", h->max_body);
	return HC_FAIL;
}

/* Judge an answer: status code, body, health document, latency. */
static void http_judge(struct http *h, long code, double ms, struct hc_result *r)
{
	char status[96] = "", body[256] = "", health[320] = "";
	int st = HC_PASS, s;

	if (!http_status_ok(h, code)) {
		snprintf(status, sizeof(status), " (expected %s)", h->expect);
		st = HC_FAIL;
	}
	if (h->follow_health) {
		s = http_health(h, health, sizeof(health));
		st = s > st ? s : st;
	}
	if ((h->contains != NULL || h->regex_text != NULL) &&
	    http_body(h, body, sizeof(body)) == HC_FAIL)
		st = HC_FAIL;
	if (st == HC_PASS && h->warn_latency_ms > 0 && ms > (double)h->warn_latency_ms) {
		hc_result_set(r, HC_WARN,
		              "%s: %ld in %.0f ms, over "
		              "warn_latency %llu ms%s",
		              h->where, code, ms, (unsigned long long)h->warn_latency_ms, health);
		return;
	}
	hc_result_set(r, st, "%s: %ld%s%s%s", h->where, code, status, body, health);
}

/*
 * Run the request until it is done or until the instant until (absolute,
 * host->now_ns), whichever comes first. libcurl's own timeouts are set to
 * the same instant, but in a TLS handshake it notices them late (20-130 ms
 * measured here), and then the core's bare "timed out" would replace the
 * message that names the step. Returns the transfer's result, or
 * CURLE_OPERATION_TIMEDOUT when until came first.
 */
static CURLcode http_transfer(struct http *h, const struct hc_check_ctx *ctx, int64_t until)
{
	CURLcode e = CURLE_OPERATION_TIMEDOUT;
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left, queued;

	if (curl_multi_add_handle(h->multi, h->curl) != CURLM_OK)
		return CURLE_FAILED_INIT;
	while ((mc = curl_multi_perform(h->multi, &running)) == CURLM_OK && running > 0 &&
	       (left = pu_ms_until(ctx->host, until)) > 0)
		if ((mc = curl_multi_poll(h->multi, NULL, 0, left, NULL)) != CURLM_OK)
			break;
	if (mc != CURLM_OK)
		e = CURLE_FAILED_INIT; /* out of memory, in practice */
	while ((msg = curl_multi_info_read(h->multi, &queued)) != NULL)
		if (msg->msg == CURLMSG_DONE)
			e = msg->data.result;
	/* Unfinished, this closes the connection: it is in an unknown
	 * state. A finished one stays in the multi handle's cache. */
	curl_multi_remove_handle(h->multi, h->curl);
	return e;
}

static int http_check(void *instance, const struct hc_check_ctx *ctx, struct hc_result *r)
{
	struct http *h = instance;
	/* Floor, not ceiling: libcurl must give up before the instant. */
	int64_t until = pu_early_deadline(ctx);
	int64_t left = (until - ctx->host->now_ns()) / 1000000;
	long code = 0, connects = 0;
	int64_t start;
	double ms;
	CURLcode e;

	if (left <= 0)
		return hc_result_set(r, HC_FAIL,
		                     "timed out after %u ms before "
		                     "the request: %s",
		                     (unsigned)ctx->timeout_ms, h->where);
	/* Both, or CURLOPT_CONNECTTIMEOUT_MS would be its default 300 s; the
	 * loop in http_transfer holds the instant too. */
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)left);
	h->body_len = 0;
	h->body_cut = 0;
	h->error[0] = '\0';
	start = ctx->host->now_ns();
	e = http_transfer(h, ctx, until);
	ms = (double)(ctx->host->now_ns() - start) / 1e6;
	if (e != CURLE_OK && !(e == CURLE_WRITE_ERROR && h->body_cut)) {
		http_failed(h, ctx, e, r);
		return HC_OK;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &connects);
	/* Only when a connection was opened: the core formats every line
	 * before its level filter, and a run on the kept connection (the
	 * common case) has nothing new to say. */
	if (connects > 0)
		ctx->host->log(ctx->handle, HC_LOG_DEBUG,
		               "%s: %ld, %zu body "
		               "bytes%s in %lld us on a new connection",
		               h->where, code, h->body_len, h->body_cut ? " (cut at max_body)" : "",
		               (long long)(ms * 1000));
	http_judge(h, code, ms, r);
	pu_observe_ms(r, ms);
	return HC_OK;
}

HC_PLUGIN_DEFINE("http", "1.0.0",
                 "an HTTP(S) request: status, body, latency "
                 "and the downstream health document",
                 http_keys, http_init, http_check, http_teardown);
