/* SPDX-License-Identifier: MIT */
/* curlreq: libcurl plumbing shared by the HTTP-speaking plugins. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curlreq.h"

/* Keep the body up to the cap; a longer body stops the transfer (returning
 * less than was given makes libcurl fail with CURLE_WRITE_ERROR, which
 * pucurl_perform turns back into success with body_cut set). */
static size_t pucurl_write(char *data, size_t size, size_t n, void *arg)
{
	struct pucurl *pc = arg;
	size_t len = size * n;
	size_t room = pc->body_max - pc->body_len;

	if (len > room) {
		pc->body_cut = 1;
		len = room;
	}
	memcpy(pc->body + pc->body_len, data, len);
	pc->body_len += len;
	pc->body[pc->body_len] = '\0';
	return pc->body_cut ? len : size * n;
}

/* The options of opts and those every plugin wants; the first code libcurl
 * refused, or CURLE_OK. */
static CURLcode pucurl_setup(struct pucurl *pc, const struct pucurl_opts *opts)
{
	CURL *e = pc->easy;
	long verify = opts->tls_verify ? 1L : 0L;
	CURLcode rc;

	/* Checks run on worker threads: no SIGALRM for DNS timeouts. */
	rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, pc->errbuf);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, pucurl_write);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, pc);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify * 2);
	if (rc == CURLE_OK && opts->ca_file != NULL)
		rc = curl_easy_setopt(e, CURLOPT_CAINFO, opts->ca_file);
	/* A daemon's environment is not its configuration: "" turns off
	 * http_proxy/https_proxy/no_proxy, which libcurl reads by default. */
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_PROXY, opts->proxy != NULL ? opts->proxy : "");
	if (rc == CURLE_OK && opts->user_agent != NULL)
		rc = curl_easy_setopt(e, CURLOPT_USERAGENT, opts->user_agent);
	return rc;
}

/* See documentation in header file. */
int pucurl_parse_opts(const struct hc_init_ctx *ctx, struct pucurl_opts *opts)
{
	opts->ca_file = hc_kv_get(ctx, "ca_file");
	opts->proxy = hc_kv_get(ctx, "proxy");
	if ((opts->ca_file != NULL && pu_check_readable(ctx, "ca_file", opts->ca_file) != HC_OK) ||
	    pu_parse_bool(ctx, "tls_verify", &opts->tls_verify) != HC_OK)
		return HC_EINVAL;
	return HC_OK;
}

/* See documentation in header file. */
int pucurl_open(const struct hc_init_ctx *ctx, struct pucurl *pc, const struct pucurl_opts *opts)
{
	CURLcode rc;

	memset(pc, 0, sizeof(*pc));
	pc->body_max = opts->body_max;
	pc->body = malloc(opts->body_max + 1);
	/* curl_easy_init runs curl_global_init once if nobody did; init is on
	 * the main thread, and libcurl >= 7.84 makes that thread-safe anyway.
	 * curl_global_cleanup is never called: another plugin may use libcurl. */
	pc->easy = curl_easy_init();
	if (pc->body == NULL || pc->easy == NULL)
		return HC_ENOMEM;
	pc->body[0] = '\0';
	rc = pucurl_setup(pc, opts);
	if (rc == CURLE_OUT_OF_MEMORY)
		return HC_ENOMEM;
	if (rc != CURLE_OK)
		return hc_init_error(ctx, "libcurl %s refused an option: %s",
		                     curl_version_info(CURLVERSION_NOW)->version,
		                     curl_easy_strerror(rc));
	return HC_OK;
}

/* See documentation in header file. */
void pucurl_close(struct pucurl *pc)
{
	if (pc->easy != NULL)
		curl_easy_cleanup(pc->easy);
	free(pc->body);
	pc->easy = NULL;
	pc->body = NULL;
}

/* Whether u has part (a user, a query...). */
static int pucurl_has(CURLU *u, CURLUPart part)
{
	char *v = NULL;
	int has = curl_url_get(u, part, &v, 0) == CURLUE_OK;

	curl_free(v);
	return has;
}

/* See documentation in header file. */
int pucurl_parse_url(const struct hc_init_ctx *ctx, const char *key, const char *url, CURLU **out)
{
	CURLU *u = curl_url();
	char *scheme = NULL;
	int rc = HC_OK;

	if (u == NULL)
		return HC_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		rc = hc_init_error(ctx,
		                   "%s: '%s' is not an http:// or https:// "
		                   "URL",
		                   key, url);
	/* Not quoted: a password in the URL must not reach a message. */
	else if (pucurl_has(u, CURLUPART_USER) || pucurl_has(u, CURLUPART_PASSWORD))
		rc = hc_init_error(ctx, "%s: must not hold a user or password", key);
	else if (pucurl_has(u, CURLUPART_QUERY) || pucurl_has(u, CURLUPART_FRAGMENT))
		rc = hc_init_error(ctx,
		                   "%s: '%s' must not have a query or "
		                   "fragment",
		                   key, url);
	curl_free(scheme);
	if (rc != HC_OK) {
		curl_url_cleanup(u);
		return rc;
	}
	*out = u;
	return HC_OK;
}

/* See documentation in header file. */
int pucurl_append_path(CURLU *u, const char *segment)
{
	char *path = NULL, *joined;
	size_t len;
	int rc = HC_ENOMEM;

	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		return HC_ENOMEM;
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	joined = malloc(len + strlen(segment) + 2);
	if (joined != NULL) {
		memcpy(joined, path, len);
		joined[len] = '/';
		strcpy(joined + len + 1, segment);
		if (curl_url_set(u, CURLUPART_PATH, joined, 0) == CURLUE_OK)
			rc = HC_OK;
	}
	free(joined);
	curl_free(path);
	return rc;
}

/* See documentation in header file. */
void pucurl_where(CURLU *u, char *buf, size_t size)
{
	char *host = NULL, *port = NULL;
	char bare[PU_HOST_MAX + 1];
	const char *h;
	size_t len;

	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		snprintf(buf, size, "?");
	} else {
		h = pu_host_unbracket(host, &len);
		snprintf(bare, sizeof(bare), "%.*s", (int)len, h);
		pu_host_port(buf, size, bare, (unsigned)strtoul(port, NULL, 10));
	}
	curl_free(host);
	curl_free(port);
}

/* See documentation in header file. */
CURLcode pucurl_perform(struct pucurl *pc, const struct hc_check_ctx *ctx, long *status)
{
	long ms = pu_ms_until(ctx->host, pu_early_deadline(ctx));
	CURLcode rc;

	*status = 0;
	pc->body_len = 0;
	pc->body[0] = '\0';
	pc->body_cut = 0;
	pc->errbuf[0] = '\0';
	pc->started = 0;
	if (ms == 0)
		return CURLE_OPERATION_TIMEDOUT;
	rc = curl_easy_setopt(pc->easy, CURLOPT_TIMEOUT_MS, ms);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(pc->easy, CURLOPT_CONNECTTIMEOUT_MS, ms);
	if (rc != CURLE_OK)
		return rc;
	pc->started = 1;
	rc = curl_easy_perform(pc->easy);
	if (rc == CURLE_WRITE_ERROR && pc->body_cut)
		rc = CURLE_OK;
	curl_easy_getinfo(pc->easy, CURLINFO_RESPONSE_CODE, status);
	return rc;
}

/* How far a timed-out transfer got, as the words before the server. */
static const char *pucurl_phase(const struct pucurl *pc)
{
	curl_off_t connected = 0, sent = 0;

	if (!pc->started)
		return "before connecting to";
	curl_easy_getinfo(pc->easy, CURLINFO_CONNECT_TIME_T, &connected);
	curl_easy_getinfo(pc->easy, CURLINFO_PRETRANSFER_TIME_T, &sent);
	if (sent > 0)
		return "waiting for an answer from";
	return connected > 0 ? "in the TLS handshake with" : "connecting to";
}

/* See documentation in header file. */
void pucurl_fail(const struct pucurl *pc, CURLcode code, const struct hc_check_ctx *ctx,
                 const char *where, struct hc_result *r)
{
	long err = 0;
	char buf[128];

	if (code == CURLE_OPERATION_TIMEDOUT) {
		hc_result_set(r, HC_FAIL, "timed out after %u ms %s %s", (unsigned)ctx->timeout_ms,
		              pucurl_phase(pc), where);
		return;
	}
	if (code == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(pc->easy, CURLINFO_OS_ERRNO, &err) == CURLE_OK && err != 0) {
		hc_result_set(r, HC_FAIL, "connect to %s: %s", where,
		              pu_strerror((int)err, buf, sizeof(buf)));
		return;
	}
	hc_result_set(r, HC_FAIL, "%s: %s", where,
	              pc->errbuf[0] != '\0' ? pc->errbuf : curl_easy_strerror(code));
}

/* See documentation in header file. */
const char *pucurl_header(const struct pucurl *pc, const char *name)
{
	struct curl_header *h = NULL;

	if (curl_easy_header(pc->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
		return NULL;
	return h->value;
}

/* See documentation in header file. */
long pucurl_clock_skew(const struct pucurl *pc)
{
	const char *date = pucurl_header(pc, "Date");
	time_t server;

	if (date == NULL || (server = curl_getdate(date, NULL)) == -1)
		return 0;
	return (long)(server - time(NULL));
}
